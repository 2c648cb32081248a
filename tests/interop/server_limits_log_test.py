#!/usr/bin/python3
"""`limits.max_connections` and the error log (`logging.error_log`, `logging.level`) of `h2push serve`.

- With max_connections = 2 over two workers, two open connections (one h2 over TLS, one HTTP/1.1 cleartext) are
  served, a third is closed at once without an answer and the refusal is logged; once one of the two closes, a new
  connection is served again, and the count does not leak (a further third is again refused).
- An error log at level debug gets the startup lines, a line per connection, one for a TLS handshake that fails and
  one naming the HTTP/2 error code for a connection that sends a bad preface; at level info the same minus the debug
  lines; at level error it stays empty.
- The access log: a combined-format line per response on stdout by default, JSON lines in a file when configured."""

import os
import socket
import ssl
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (LOOPBACK, H2Client, H2pushServer, Http1Connection, check, run_tests,  # noqa: E402
                           write_tree)

FILES = {"small.txt": b"counted connections\n"}


def log_config(level, extra=""):
    return f'[logging]\nerror_log = "error.log"\nlevel = "{level}"\n{extra}'


def error_log(server):
    path = os.path.join(server.dir, "error.log")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def wait_for_log(server, fragment, timeout=10.0):
    deadline = time.monotonic() + timeout
    while fragment not in error_log(server):
        check(time.monotonic() < deadline, f"no {fragment!r} in the error log within {timeout} s: "
                                           f"{error_log(server)[-2000:]!r}")
        time.sleep(0.05)


def get_small_h1(c):
    c.send(b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    r = c.read_response()
    check(r.status == 200 and r.body == FILES["small.txt"], f"HTTP/1.1 answer {r!r}")


def served_h1(server, attempts=50):
    """An HTTP/1.1 keep-alive connection that got one answer. Slots of connections just closed are given back
    asynchronously (the server sees the EOF), so a refusal is retried a bounded number of times."""
    for _ in range(attempts):
        c = Http1Connection(server.http_port, timeout=5)
        try:
            get_small_h1(c)
            return c
        except (AssertionError, OSError):
            c.close()
            time.sleep(0.1)
    check(False, f"no HTTP/1.1 connection was served in {attempts} attempts")
    return None


def served_h2(server, attempts=50):
    for _ in range(attempts):
        try:
            c = H2Client(server.https_port, tls=True, cafile=server.cert_file, timeout=5)
        except (AssertionError, OSError, ssl.SSLError):
            time.sleep(0.1)
            continue
        try:
            r = c.get("/small.txt", timeout=5)
            check(r.status == 200 and bytes(r.data) == FILES["small.txt"], f"h2 answer {r.status}")
            return c
        except (AssertionError, OSError):
            c.close()
            time.sleep(0.1)
    check(False, f"no h2 connection was served in {attempts} attempts")
    return None


def check_refused(server):
    """A connection over the limit is closed at once: no answer to a request, EOF (or reset) within a bound."""
    for port in (server.http_port, server.https_port):
        with socket.create_connection((LOOPBACK, port), timeout=5) as s:
            try:
                s.sendall(b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                data = s.recv(1000)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
            check(data == b"", f"a connection over limits.max_connections got {data[:80]!r}")


def enforces_max_connections(args):
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        config = log_config("info", "[limits]\nmax_connections = 2\n")
        with H2pushServer(args.binary, root, config_text=config, workers=2) as server:
            first = served_h2(server)
            second = served_h1(server)
            try:
                check_refused(server)
                wait_for_log(server, "connection refused: 2 connections open (limits.max_connections)")
                # The two that were admitted are still served.
                r = first.get("/small.txt")
                check(r.status == 200, f"the admitted h2 connection: {r.status}")
                get_small_h1(second)
                # One closes: its slot comes back, and a new connection is served.
                second.close()
                second = served_h1(server)
                check_refused(server)
            finally:
                first.close()
                second.close()
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


def provoke_errors(server):
    """A TLS handshake that fails, and an h2 connection over TLS whose preface is wrong."""
    with socket.create_connection((LOOPBACK, server.https_port), timeout=5) as s:
        s.sendall(b"this is not a TLS ClientHello\r\n\r\n")
        try:
            s.recv(100)
        except (ConnectionResetError, socket.timeout):
            pass
    ctx = ssl.create_default_context(cafile=server.cert_file)
    ctx.set_alpn_protocols(["h2"])
    with ctx.wrap_socket(socket.create_connection((LOOPBACK, server.https_port), timeout=5),
                         server_hostname="localhost") as s:
        check(s.selected_alpn_protocol() == "h2", "ALPN did not select h2")
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        got = b""
        for _ in range(100):
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, ssl.SSLError, socket.timeout):
                chunk = b""
            if not chunk:
                break
            got += chunk
        check(b"\x07\x00\x00\x00\x00\x00" in got, "no GOAWAY frame after a bad preface")


def writes_levels(level):
    def test(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root, config_text=log_config(level)) as server:
                provoke_errors(server)
                served_h1(server).close()
                if level in ("debug", "info"):
                    wait_for_log(server, "HTTP/2 connection error PROTOCOL_ERROR")
                    wait_for_log(server, "TLS handshake failed")
                    text = error_log(server)
                    check("[info] started:" in text and "[info] listening on https://127.0.0.1:" in text,
                          f"no startup lines: {text[:500]!r}")
                    debug_lines = [line for line in text.splitlines() if "[debug]" in line]
                    if level == "debug":
                        check(any("HTTP/1.1 over cleartext" in line for line in debug_lines),
                              f"no debug line for the cleartext connection: {text[-2000:]!r}")
                    else:
                        check(not debug_lines, f"debug lines at level info: {debug_lines[:3]!r}")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
                text = error_log(server)
                if level == "error":
                    check(text == "", f"lines in an error log at level error: {text[:500]!r}")
                else:
                    check("[info] stopped" in text, f"no line for the end of the server: {text[-500:]!r}")
    return test


def writes_access_log(fmt):
    def test(args):
        import json
        import re
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            config = '[logging]\naccess_log = "access.log"\naccess_format = "json"\n' if fmt == "json" else None
            with H2pushServer(args.binary, root, config_text=config) as server:
                served_h1(server).close()
                served_h2(server).close()
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
                size = len(FILES["small.txt"])
                if fmt == "json":
                    with open(os.path.join(server.dir, "access.log"), encoding="utf-8") as f:
                        entries = [json.loads(line) for line in f if line.strip()]
                    got = {(e["method"], e["target"], e["protocol"], e["status"], e["bytes"]) for e in entries}
                    for protocol in ("HTTP/1.1", "HTTP/2.0"):
                        check(("GET", "/small.txt", protocol, 200, size) in got, f"no {protocol} entry in {entries!r}")
                    check(all(e["remote"] == LOOPBACK for e in entries), f"remote addresses in {entries!r}")
                else:  # the combined format, on stdout after the listener lines
                    lines = server.stdout().splitlines()
                    for protocol in ("HTTP/1.1", "HTTP/2.0"):
                        pattern = (r'^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                                   rf'"GET /small\.txt {re.escape(protocol)}" 200 {size} "-" "-"$')
                        check(any(re.match(pattern, line) for line in lines),
                              f"no combined {protocol} line in {lines[-6:]!r}")
    return test


TESTS = [
    ("ServerLimitsLogTest.RefusesConnectionsOverMaxConnectionsOverAllWorkers", enforces_max_connections),
    ("ServerLimitsLogTest.LogsProtocolErrorsAndConnectionsWhenLevelDebug", writes_levels("debug")),
    ("ServerLimitsLogTest.LogsProtocolErrorsButNoDebugWhenLevelInfo", writes_levels("info")),
    ("ServerLimitsLogTest.WritesNothingWhenLevelError", writes_levels("error")),
    ("ServerLimitsLogTest.WritesCombinedAccessLogToStdoutByDefault", writes_access_log("combined")),
    ("ServerLimitsLogTest.WritesJsonAccessLogToFileWhenConfigured", writes_access_log("json")),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=60)
