#!/usr/bin/python3
"""Path traversal over the wire (SECURITY.md §12) against `h2push serve` with a temporary root. A secret file holding
a random token sits next to the root, another one in a directory next to it, and the root holds symlinks to them,
to /etc and a dotfile with the token. Every trick — `..`, %2e%2e, .%2e, double encoding, encoded / and \\, overlong
UTF-8, %00, `//etc/passwd`, symlinks out of the root, absolute-form for this or another host, relative targets —
sent with raw sockets over HTTP/1.1 and HTTP/2 (python-h2, TLS and h2c) and with curl --path-as-is, gets 400, 403 or
404 (HTTP/2: or RST_STREAM), and no response ever carries the token or /etc/passwd. Controls: the same connections
serve files inside the root, including through a symlink that stays inside."""

import os
import secrets
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, check, raw_exchange, run_peer, run_tests,  # noqa: E402
                           status_codes, write_tree)

ALLOWED = (400, 403, 404)
PASSWD_MARK = b"root:x:0:0"

# Request targets sent as they are (HTTP/1.1 request line, HTTP/2 :path).
TRICKS = [
    "/../secret.txt", "/../../secret.txt", "/sub/../../secret.txt", "/./../secret.txt", "/sub/./../../secret.txt",
    "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt", "/%252e%252e/secret.txt", "/%%32%65%%32%65/secret.txt",
    "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/sub/..%2f..%2fsecret.txt", "/%2f..%2fsecret.txt",
    "/..%5csecret.txt", "/sub/..%5c..%5csecret.txt", "/%5c..%5csecret.txt", "/..\\secret.txt",
    "/%c0%ae%c0%ae/secret.txt", "/%c0%af../secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",
    "/a.txt%00", "/a.txt%00.html", "/secret.txt%00", "/%00/../secret.txt", "/sub/%00../../secret.txt",
    "//etc/passwd", "/%2fetc/passwd", "/%2fetc%2fpasswd", "///../secret.txt",
    "/link.txt", "/abslink.txt", "/sub/uplink.txt", "/linkdir/secret2.txt", "/linkdir/../secret.txt",
    "/etclink/passwd", "/etclink/../secret.txt",
    "/.secret", "/%2esecret", "/sub/../.secret", "/.well-known/../secret.txt",
    "/a.txt/../../secret.txt", "/../secret.txt?x=1", "/..;/secret.txt", "/..%00/secret.txt",
]
# Only in an HTTP/1.1 request line (absolute-form, asterisk and relative targets).
H1_ONLY = [
    "http://evil.example/../secret.txt", "http://evil.example/%2e%2e/secret.txt", "http://evil.example/a.txt",
    "http://{here}/../secret.txt", "http://{here}/%2e%2e/secret.txt", "http://{here}/link.txt",
    "http://{here}/linkdir/secret2.txt", "http:/../secret.txt", "http:..%2fsecret.txt", "file:///etc/passwd",
    "../secret.txt", "secret.txt", "*", "..", ".%2e/secret.txt",
]
# Only as HTTP/2 :path: malformed ones a compliant client would not send (RFC 9113 §8.3.1).
H2_ONLY = ["../secret.txt", "secret.txt", "http://evil.example/../secret.txt", "/a.txt\x00", "*"]
CONTROLS = {"/a.txt": b"inside the root\n", "/sub/b.txt": b"also inside\n", "/inside_link.txt": b"inside the root\n",
            "/%61.txt": b"inside the root\n"}


def make_tree(base, token):
    secret = f"SECRET {token}\n".encode()
    root = os.path.join(base, "root")
    write_tree(base, {"secret.txt": secret, "outside/secret2.txt": secret})
    write_tree(root, {"a.txt": CONTROLS["/a.txt"], "sub/b.txt": CONTROLS["/sub/b.txt"], ".secret": secret})
    os.symlink("../secret.txt", os.path.join(root, "link.txt"))
    os.symlink(os.path.join(base, "secret.txt"), os.path.join(root, "abslink.txt"))
    os.symlink("../../secret.txt", os.path.join(root, "sub", "uplink.txt"))
    os.symlink("../outside", os.path.join(root, "linkdir"))
    os.symlink("/etc", os.path.join(root, "etclink"))
    os.symlink("a.txt", os.path.join(root, "inside_link.txt"))
    return root


def with_tree(test):
    def run(args):
        token = secrets.token_hex(16).encode()
        with tempfile.TemporaryDirectory(prefix="h2push-traversal-") as base:
            root = make_tree(base, token)
            with H2pushServer(args.binary, root) as server:
                test(server, token)
                check(server.alive(), "the server died during the test")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


def check_no_leak(where, data, token):
    check(token not in data, f"{where}: the response carries the secret token: {data[:300]!r}")
    check(PASSWD_MARK not in data, f"{where}: the response carries /etc/passwd: {data[:300]!r}")


@with_tree
def refuses_tricks_over_http11(server, token):
    here = f"127.0.0.1:{server.http_port}"
    failures = []
    for target in TRICKS + [t.replace("{here}", here) for t in H1_ONLY]:
        for host in (here, "evil.example"):
            request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1")
            raw, closed = raw_exchange(server.http_port, request, timeout=5)
            check_no_leak(f"HTTP/1.1 GET {target!r} Host {host}", raw, token)
            codes = status_codes(raw)
            if len(codes) != 1 or codes[0] not in ALLOWED or not closed:
                failures.append(f"GET {target!r} (Host {host}): status {codes}, closed {closed}, {raw[:120]!r}")
    check(not failures, "tricks not refused with 400/403/404:\n  " + "\n  ".join(failures))
    for path, content in CONTROLS.items():
        raw, _ = raw_exchange(server.http_port, f"GET {path} HTTP/1.1\r\nHost: {here}\r\nConnection: close\r\n\r\n"
                              .encode(), timeout=5)
        check(status_codes(raw) == [200] and raw.endswith(b"\r\n\r\n" + content), f"control {path}: {raw[:200]!r}")


def refuses_tricks_over_http2(tls):
    @with_tree
    def test(server, token):
        port = server.https_port if tls else server.http_port
        failures = []
        with H2Client(port, tls=tls, cafile=server.cert_file, validate=False) as c:
            for path in TRICKS + H2_ONLY:
                stream = c.get(path)
                where = f"h2 :path {path!r}"
                check_no_leak(where, bytes(stream.data), token)
                check_no_leak(where, b"".join(n + b": " + v for n, v in stream.headers or []), token)
                if stream.reset_code is None and stream.status not in ALLOWED:
                    failures.append(f"{where}: status {stream.status}")
                check(c.goaway is None, f"{where}: the server ended the connection: {c.goaway}")
            for path, content in CONTROLS.items():
                stream = c.get(path)
                check(stream.status == 200 and bytes(stream.data) == content, f"control {path}: {stream.status}")
        check(not failures, "tricks not refused with 400/403/404 or RST_STREAM:\n  " + "\n  ".join(failures))
    return test


@with_tree
def refuses_tricks_from_curl_path_as_is(server, token):
    paths = ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..%5csecret.txt", "/link.txt",
             "/linkdir/secret2.txt", "/etclink/passwd", "/.secret", "/a.txt%00"]
    failures = []
    for path in paths:
        for name, extra in (("http/1.1", ["--http1.1", server.url(path, tls=False)]),
                            ("h2", ["--http2"] + server.curl_tls_args() + [server.tls_url(path)]),
                            ("h2c", ["--http2-prior-knowledge", server.url(path, tls=False)])):
            result = run_peer(["curl", "--silent", "--show-error", "--max-time", "10", "--path-as-is", "-i",
                               "-w", "\n%{http_code}"] + extra, timeout=20)
            check(result.returncode == 0, f"curl {name} {path}: {result.stderr.decode()!r}")
            check_no_leak(f"curl {name} {path}", result.stdout, token)
            code = int(result.stdout.rsplit(b"\n", 1)[1])
            if code not in ALLOWED:
                failures.append(f"curl --path-as-is {name} {path}: {code}")
    check(not failures, "not refused:\n  " + "\n  ".join(failures))


TESTS = [
    ("ServerTraversalTest.RefusesEscapesWhenHttp11RawRequestLine", refuses_tricks_over_http11),
    ("ServerTraversalTest.RefusesEscapesWhenHttp2PathOverTls", refuses_tricks_over_http2(True)),
    ("ServerTraversalTest.RefusesEscapesWhenHttp2PathOverH2c", refuses_tricks_over_http2(False)),
    ("ServerTraversalTest.RefusesEscapesWhenCurlPathAsIs", refuses_tricks_from_curl_path_as_is),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
