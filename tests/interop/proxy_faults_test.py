#!/usr/bin/python3
"""`h2push proxy` in front of tests/interop/proxy_fault_app.py: streamed uploads, the watched keep-alive pool,
upstream faults, and more clients (nghttp, curl and python-h2 over TLS and h2c).

Uploads: 20 MiB POSTs over h2c and HTTP/1.1 (Content-Length and chunked) reach the app intact (it answers their
length and SHA-256) while the proxy's peak RSS (VmHWM) grows by much less than the upload: the body streams with
backpressure instead of being collected. Faults: a huge response head gives 502, a body trickling slower than
response_timeout is cut (HTTP/2 reset, HTTP/1.1 close), a body cut by the app reaches an HTTP/1.1 client as a
closed connection short of its length; in each case the proxy serves the next request.
"""

import hashlib
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (LOOPBACK, H2Client, TestFailure, check, pseudo_random_bytes,  # noqa: E402
                           require_peer, run_peer, run_tests)
from proxy_support import ProxyStack  # noqa: E402

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_fault_app.py")
BIG = 20 * 1024 * 1024
# The proxy's peak RSS may grow by this much during a 20 MiB upload (buffers, allocator slack): far below 20 MiB.
RSS_GROWTH_BOUND_KIB = 8 * 1024


class Stack(ProxyStack):
    """proxy_fault_app.py and `h2push proxy` (h2c/HTTP/1.1 and TLS ports) with a [[proxy]] route."""

    def __init__(self, binary, idle_close_ms=0, route_extra="", app=APP, scheme="http", app_args=()):
        super().__init__("h2push-proxyfaults-")
        try:
            command = [sys.executable, app, "--log", self.log] + list(app_args)
            if idle_close_ms:
                command += ["--idle-close-ms", str(idle_close_ms)]
            upstream = f"{scheme}://127.0.0.1:{self.start_app(command)}"
            config = os.path.join(self.dir, "proxy.toml")
            with open(config, "w", encoding="utf-8") as f:
                f.write(f'[limits]\nmax_request_body = "64MiB"\n\n[[proxy]]\nupstream = "{upstream}"\n'
                        f'learn = false\n{route_extra}')
            # Under AddressSanitizer (make test-asan) freed memory sits in a quarantine and would count as peak RSS:
            # keep it small so that the RSS bounds below hold there too. No effect on a normal build.
            asan = os.environ.get("ASAN_OPTIONS", "")
            if "quarantine_size_mb" not in asan:
                os.environ["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "quarantine_size_mb=1"
            self.start_proxy([binary, "proxy", "--config", config, "--http", f"{LOOPBACK}:0", "--https",
                              f"{LOOPBACK}:0", "--workers", "1"])
            self.tls_port = int(self.proxy.wait_for(r"https://127\.0\.0\.1:(\d+)/").group(1))
        except Exception:
            self.close()
            raise

    def app_log(self):
        with open(self.log, encoding="ascii") as f:
            return f.read().splitlines()

    def wait_log(self, pattern, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.app_log():
                match = re.fullmatch(pattern, line)
                if match:
                    return match
            time.sleep(0.05)
        raise TestFailure(f"no app log line {pattern!r} within {seconds} s: {self.app_log()}")

    def peak_rss_kib(self):
        with open(f"/proc/{self.proxy.process.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise TestFailure("no VmHWM")

    def proxy_errors(self):
        return open(self.proxy.err_path, encoding="utf-8", errors="replace").read()


def expected_echo(data, framing):
    return f"length={len(data)} sha256={hashlib.sha256(data).hexdigest()} framing={framing}".encode()


def h2_upload(client, path, data, content_length=True, timeout=60.0):
    """POSTs `data` over HTTP/2 within the flow-control windows; returns the H2Stream once done."""
    headers = [("content-length", str(len(data)))] if content_length else []
    sid = client.request(path, method="POST", headers=headers, end_stream=False)
    stream = client.streams[sid]
    sent = 0
    deadline = time.monotonic() + timeout
    while sent < len(data) and not stream.done:
        check(time.monotonic() < deadline, f"upload stuck at {sent} of {len(data)} octets")
        room = min(client.conn.local_flow_control_window(sid), client.conn.max_outbound_frame_size, len(data) - sent)
        if room <= 0:
            try:
                check(client.read_once(2.0), "the proxy closed the connection during the upload")
            except socket.timeout:
                pass
            continue
        client.conn.send_data(sid, data[sent:sent + room])
        sent += room
        client.flush()
    if not stream.done:
        client.conn.end_stream(sid)
        client.flush()
    client.pump_until(lambda: stream.done, timeout, "the upload's response")
    return stream


def http1_exchange(port, head, body=b"", timeout=60.0):
    """Sends a request (head + body) on a fresh connection and reads until the proxy closes or the response is
    complete; returns (status, fields, body, closed)."""
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        sock.sendall(head)
        if body:
            sock.sendall(body)
        raw = b""
        deadline = time.monotonic() + timeout
        closed = False
        while time.monotonic() < deadline:
            if b"\r\n\r\n" in raw:
                head_text, rest = raw.split(b"\r\n\r\n", 1)
                fields = dict(line.split(": ", 1) for line in head_text.decode("latin-1").lower().split("\r\n")[1:])
                length = fields.get("content-length")
                if length is not None and len(rest) >= int(length):
                    break
            try:
                data = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                data = b""
            if not data:
                closed = True
                break
            raw += data
        check(b"\r\n\r\n" in raw, f"no response head: {raw[:200]!r}")
        head_text, rest = raw.split(b"\r\n\r\n", 1)
        lines = head_text.decode("latin-1").split("\r\n")
        fields = dict((l.split(":", 1)[0].lower(), l.split(":", 1)[1].strip()) for l in lines[1:])
        return int(lines[0].split()[1]), fields, rest, closed


def dechunk(data):
    out = b""
    while data:
        size_line, data = data.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2:]
    return out


def test_uploads_stream_over_h2c(args):
    data = pseudo_random_bytes(BIG, seed=7)
    with Stack(args.binary) as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "warm-up")
            before = stack.peak_rss_kib()
            stream = h2_upload(client, "/echo", data)
            check(stream.status == 200, f"status {stream.status}")
            check(bytes(stream.data) == expected_echo(data, "length"), f"echo {bytes(stream.data)!r}")
            growth = stack.peak_rss_kib() - before
            check(growth < RSS_GROWTH_BOUND_KIB, f"peak RSS grew by {growth} KiB for a 20 MiB upload")
            print(f"h2c 20 MiB upload: proxy peak RSS +{growth} KiB")
            small = data[:3 * 1024 * 1024 + 5]
            stream = h2_upload(client, "/echo", small, content_length=False)
            check(bytes(stream.data) == expected_echo(small, "chunked"), f"chunked echo {bytes(stream.data)!r}")


def test_uploads_stream_over_http1(args):
    data = pseudo_random_bytes(BIG, seed=9)
    with Stack(args.binary) as stack:
        status, _, _, _ = http1_exchange(stack.port, b"GET /page HTTP/1.1\r\nhost: a\r\n\r\n")
        check(status == 200, "warm-up")
        before = stack.peak_rss_kib()
        head = f"POST /echo HTTP/1.1\r\nhost: a\r\ncontent-length: {len(data)}\r\n\r\n".encode()
        status, fields, body, _ = http1_exchange(stack.port, head, data)
        check(status == 200, f"status {status}")
        if fields.get("transfer-encoding") == "chunked":
            body = dechunk(body)
        check(body == expected_echo(data, "length"), f"echo {body!r}")
        growth = stack.peak_rss_kib() - before
        check(growth < RSS_GROWTH_BOUND_KIB, f"peak RSS grew by {growth} KiB for a 20 MiB upload")
        print(f"HTTP/1.1 20 MiB upload: proxy peak RSS +{growth} KiB")
        small = data[:1000 * 1000]
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(small[i:i + 70000]), small[i:i + 70000])
                           for i in range(0, len(small), 70000)) + b"0\r\n\r\n"
        head = b"POST /echo HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n"
        status, fields, body, _ = http1_exchange(stack.port, head, chunked)
        if fields.get("transfer-encoding") == "chunked":
            body = dechunk(body)
        check(status == 200 and body == expected_echo(small, "chunked"), f"chunked upload: {status} {body!r}")


def test_an_early_answer_to_an_upload_is_forwarded(args):
    data = pseudo_random_bytes(4 * 1024 * 1024, seed=13)
    with Stack(args.binary) as stack:
        with H2Client(stack.port, tls=False) as client:
            stream = h2_upload(client, "/reject", data)
            check(stream.status == 413, f"h2: status {stream.status}")
            check(client.get("/page").status == 200, "h2: the page after the refused upload")
        head = f"POST /reject HTTP/1.1\r\nhost: a\r\ncontent-length: {len(data)}\r\n\r\n".encode()
        status, _, _, _ = http1_exchange(stack.port, head, data[:256 * 1024])
        check(status == 413, f"HTTP/1.1: status {status}")
        status, _, _, _ = http1_exchange(stack.port, b"GET /page HTTP/1.1\r\nhost: a\r\n\r\n")
        check(status == 200, "HTTP/1.1: the page after the refused upload")


def test_pool_drops_connections_the_upstream_closes(args):
    with Stack(args.binary, idle_close_ms=300) as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "first page")
            # The app half-closes the idle connection after 300 ms; a watched pool closes its side at once.
            took = float(stack.wait_log(r"fin-answered (\d+)", 5).group(1))
            check(took < 1000, f"the proxy took {took} ms to drop a connection the upstream closed")
            check(client.get("/page").status == 200, "the page after the upstream closed the pooled connection")
            data = pseudo_random_bytes(100_000, seed=3)
            stream = h2_upload(client, "/echo", data)
            check(bytes(stream.data) == expected_echo(data, "length"), f"upload after: {bytes(stream.data)!r}")
        check("fin-unanswered" not in stack.app_log(), f"an idle connection was left open: {stack.app_log()}")


def test_pool_idle_timeout_closes_idle_connections(args):
    with Stack(args.binary, route_extra='pool_idle_timeout = "300ms"\n') as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "first page")
            idle = float(stack.wait_log(r"peer-closed-idle (\d+)", 5).group(1))
            check(idle >= 250, f"closed after {idle} ms, before pool_idle_timeout")
            check(client.get("/page").status == 200, "the page after the idle close")


def test_huge_upstream_head_gives_502_and_shutdown_is_prompt(args):
    with Stack(args.binary) as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/huge-head").status == 502, "huge head: not 502")
            check(client.get("/page").status == 200, "the page after the huge head")
        check("GET /huge-head -> " in stack.proxy_errors(), f"no log line: {stack.proxy_errors()!r}")
        # An idle pooled connection (watched by a pending read) must not keep the proxy alive after SIGTERM.
        stack.proxy.process.terminate()
        check(stack.proxy.process.wait(timeout=5) == 0, "the proxy did not exit cleanly with a pooled connection")


def test_trickling_body_is_cut(args):
    with Stack(args.binary, route_extra='response_timeout = "500ms"\n') as stack:
        with H2Client(stack.port, tls=False) as client:
            stream = client.get("/trickle", timeout=8.0)
            check(stream.status == 200 and stream.reset_code is not None,
                  f"h2: status {stream.status}, reset {stream.reset_code}")
            check(bytes(stream.data).startswith(b"0123456789") and len(stream.data) < 1000, "h2 body")
            check(client.get("/page").status == 200, "h2: the page after the trickle")
        status, _, body, closed = http1_exchange(stack.port, b"GET /trickle HTTP/1.1\r\nhost: a\r\n\r\n", timeout=8)
        check(status == 200 and closed and len(body) < 1000, f"HTTP/1.1: {status}, closed {closed}, {body!r}")
        status, _, _, _ = http1_exchange(stack.port, b"GET /page HTTP/1.1\r\nhost: a\r\n\r\n")
        check(status == 200, "HTTP/1.1: the page after the trickle")
        check("GET /trickle -> " in stack.proxy_errors(), f"no log line: {stack.proxy_errors()!r}")


def test_http1_client_sees_a_cut_body_as_a_close(args):
    with Stack(args.binary) as stack:
        status, fields, body, closed = http1_exchange(stack.port, b"GET /cut HTTP/1.1\r\nhost: a\r\n\r\n", timeout=8)
        check(status == 200 and closed, f"status {status}, closed {closed}")
        if fields.get("transfer-encoding") == "chunked":
            check(not body.endswith(b"0\r\n\r\n"), f"a clean chunked end: {body!r}")
            check(dechunk(body) == b"0123456789", f"body {body!r}")
        else:
            check(int(fields["content-length"]) == 100 and body == b"0123456789", f"{fields} {body!r}")
        status, _, _, _ = http1_exchange(stack.port, b"GET /page HTTP/1.1\r\nhost: a\r\n\r\n")
        check(status == 200, "the page after the cut")


def test_more_clients_through_the_proxy(args):
    nghttp = require_peer("nghttp")
    curl = require_peer("curl")
    data = pseudo_random_bytes(2 * 1024 * 1024 + 11, seed=5)
    with Stack(args.binary) as stack:
        upload = os.path.join(stack.dir, "upload.bin")
        with open(upload, "wb") as f:
            f.write(data)
        want = expected_echo(data, "length")
        for name, base in (("h2c", f"http://{LOOPBACK}:{stack.port}"), ("TLS", f"https://{LOOPBACK}:{stack.tls_port}")):
            page = run_peer([nghttp, f"{base}/page"]).stdout
            check(b"served" in page, f"nghttp {name} page: {page!r}")
            echo = run_peer([nghttp, "-d", upload, f"{base}/echo"]).stdout
            check(echo == want, f"nghttp {name} upload: {echo!r}")
        tls = f"https://{LOOPBACK}:{stack.tls_port}"
        for flag in ("--http2", "--http1.1"):
            out = run_peer([curl, "-sk", flag, "-w", "\\n%{http_version}", f"{tls}/page"]).stdout.decode()
            check("served" in out and out.endswith("2" if flag == "--http2" else "1.1"), f"curl {flag}: {out!r}")
            echo = run_peer([curl, "-sk", flag, "--data-binary", f"@{upload}", f"{tls}/echo"]).stdout
            check(echo == want, f"curl {flag} upload: {echo!r}")
        with H2Client(stack.tls_port, tls=True) as client:
            check(b"served" in bytes(client.get("/page").data), "python-h2 over TLS: page")
            stream = h2_upload(client, "/echo", data)
            check(bytes(stream.data) == want, f"python-h2 over TLS upload: {bytes(stream.data)!r}")


if __name__ == "__main__":
    run_tests([
        ("UploadsStreamOverH2c", test_uploads_stream_over_h2c),
        ("UploadsStreamOverHttp1", test_uploads_stream_over_http1),
        ("AnEarlyAnswerToAnUploadIsForwarded", test_an_early_answer_to_an_upload_is_forwarded),
        ("PoolDropsConnectionsTheUpstreamCloses", test_pool_drops_connections_the_upstream_closes),
        ("PoolIdleTimeoutClosesIdleConnections", test_pool_idle_timeout_closes_idle_connections),
        ("HugeUpstreamHeadGives502AndShutdownIsPrompt", test_huge_upstream_head_gives_502_and_shutdown_is_prompt),
        ("TricklingBodyIsCut", test_trickling_body_is_cut),
        ("Http1ClientSeesACutBodyAsAClose", test_http1_client_sees_a_cut_body_as_a_close),
        ("MoreClientsThroughTheProxy", test_more_clients_through_the_proxy),
    ], "h2push proxy: uploads, pool, faults, clients")
