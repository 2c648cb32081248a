#!/usr/bin/python3
"""Static files over the wire, against `h2push serve` with a temporary root, on HTTP/1.1 (a raw keep-alive socket)
and HTTP/2 (python-h2 over TLS): ETag/If-None-Match and Last-Modified/If-Modified-Since give 304, Range gives 206
with Content-Range, an unsatisfiable range 416, HEAD headers only, POST 405 with Allow, a missing file 404, gzip and
br negotiated with Accept-Encoding (decompressed and compared; Vary: Accept-Encoding), and a 5 MiB file arrives
intact over h2 and HTTP/1.1 (and through curl on both)."""

import email.utils
import gzip
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, Http1Connection, check, pseudo_random_bytes,  # noqa: E402
                           run_peer, run_tests, write_tree)

MIB = 1024 * 1024
TEXT = "".join(f"line {i}: the quick brown fox jumps over the lazy dog, h2push static text\n" for i in range(1500))
FILES = {
    "hello.txt": b"hello, static world\n",
    "docs/page.html": ("<!DOCTYPE html><html><body><pre>" + TEXT + "</pre></body></html>\n").encode(),
    "docs/notes.txt": TEXT.encode(),
    "data.bin": pseudo_random_bytes(100 * 1024 + 17, seed=41),
    "five.bin": pseudo_random_bytes(5 * MIB, seed=42),
}
MTIME = 1_600_000_000  # 2020-09-13T12:26:40Z, set on every file


class Reply:
    def __init__(self, status, headers, body, ended_on_headers=False):
        self.status = status
        self.headers = headers  # [(lowercase name, value)]
        self.body = body
        self.ended_on_headers = ended_on_headers

    def header(self, name):
        values = [v for n, v in self.headers if n == name]
        return ", ".join(values) if values else None

    def __repr__(self):
        return f"<{self.status} {self.headers!r} {len(self.body)}B>"


class Peers:
    """One HTTP/1.1 keep-alive connection (cleartext) and one HTTP/2 connection (TLS), reused by every request."""

    def __init__(self, server):
        self.server = server
        self.h1 = Http1Connection(server.http_port)
        self.h2 = H2Client(server.https_port, tls=True, cafile=server.cert_file)

    def close(self):
        self.h1.close()
        self.h2.close()

    def fetch(self, protocol, method, path, headers=()):
        if protocol == "h1":
            lines = [f"{method} {path} HTTP/1.1", "Host: localhost"] + [f"{n}: {v}" for n, v in headers]
            self.h1.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            r = self.h1.read_response(head_request=(method == "HEAD"))
            return Reply(r.status, r.headers, r.body)
        stream = self.h2.get(path, headers=headers, method=method)
        check(stream.reset_code is None, f"h2 {method} {path}: reset with {stream.reset_code}")
        fields = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in stream.headers if not n.startswith(b":")]
        # ended_on_headers: no DATA at all (HEAD, 304)
        return Reply(stream.status, fields, bytes(stream.data), ended_on_headers=stream.data_frames == 0)

    def still_usable(self):
        for protocol in ("h1", "h2"):
            r = self.fetch(protocol, "GET", "/hello.txt")
            check(r.status == 200 and r.body == FILES["hello.txt"],
                  f"{protocol}: the connection is out of step after the checks: {r!r}")


def with_peers(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            for relative in FILES:
                os.utime(os.path.join(root, relative), (MTIME, MTIME))
            with H2pushServer(args.binary, root) as server:
                peers = Peers(server)
                try:
                    for protocol in ("h1", "h2"):
                        test(peers, protocol)
                    peers.still_usable()
                finally:
                    peers.close()
                check(server.alive(), "the server died during the test")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


@with_peers
def revalidates_with_etag(peers, protocol):  # HS-13.1.2-01 (RFC 9110 §13.1.2)
    first = peers.fetch(protocol, "GET", "/data.bin")
    check(first.status == 200 and first.body == FILES["data.bin"], f"{protocol}: GET /data.bin: {first!r}")
    etag = first.header("etag")
    check(etag is not None and etag.startswith(('"', 'W/"')) and etag.endswith('"'), f"{protocol}: ETag {etag!r}")
    for value in (etag, f'"nope", {etag}', "*"):
        r = peers.fetch(protocol, "GET", "/data.bin", [("If-None-Match", value)])
        check(r.status == 304, f"{protocol}: If-None-Match {value!r} gave {r.status}, expected 304")
        check(r.body == b"", f"{protocol}: a 304 carried {len(r.body)} body octets")
        check(r.header("etag") == etag, f"{protocol}: the 304 has ETag {r.header('etag')!r}, expected {etag!r}")
    r = peers.fetch(protocol, "GET", "/data.bin", [("If-None-Match", '"something-else"')])
    check(r.status == 200 and r.body == FILES["data.bin"], f"{protocol}: a non-matching tag gave {r!r}")
    r = peers.fetch(protocol, "HEAD", "/data.bin", [("If-None-Match", etag)])
    check(r.status == 304, f"{protocol}: HEAD with a matching If-None-Match gave {r.status}")
    # HS-15.4.5-01 (RFC 9110 §15.4.5), HS-12.5-01: a 304 repeats Date, ETag and Vary of the 200.
    text = peers.fetch(protocol, "GET", "/docs/notes.txt")
    r = peers.fetch(protocol, "GET", "/docs/notes.txt", [("If-None-Match", text.header("etag"))])
    check(r.status == 304 and r.body == b"", f"{protocol}: /docs/notes.txt revalidation: {r!r}")
    for name in ("date", "etag", "vary", "cache-control"):
        check(r.header(name) is not None and (name == "date" or r.header(name) == text.header(name)),
              f"{protocol}: the 304 lacks the 200's {name}: {r.header(name)!r} vs {text.header(name)!r}")


@with_peers
def revalidates_with_last_modified(peers, protocol):  # HS-13.1.3-01 (RFC 9110 §13.1.3)
    first = peers.fetch(protocol, "GET", "/hello.txt")
    lm = first.header("last-modified")
    check(lm == email.utils.formatdate(MTIME, usegmt=True), f"{protocol}: Last-Modified {lm!r}, file mtime {MTIME}")
    for value in (lm, email.utils.formatdate(MTIME + 3600, usegmt=True)):
        r = peers.fetch(protocol, "GET", "/hello.txt", [("If-Modified-Since", value)])
        check(r.status == 304 and r.body == b"", f"{protocol}: If-Modified-Since {value!r} gave {r!r}")
    older = email.utils.formatdate(MTIME - 1, usegmt=True)
    r = peers.fetch(protocol, "GET", "/hello.txt", [("If-Modified-Since", older)])
    check(r.status == 200 and r.body == FILES["hello.txt"], f"{protocol}: If-Modified-Since {older!r} gave {r!r}")
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    r = peers.fetch(protocol, "GET", "/hello.txt", [("If-None-Match", '"other"'), ("If-Modified-Since", lm)])
    check(r.status == 200, f"{protocol}: If-None-Match must take precedence over If-Modified-Since: {r.status}")


@with_peers
def serves_ranges(peers, protocol):  # HS-14.1.2-01, HS-15.3.7-01, HS-14.2-02 (RFC 9110 §14)
    data = FILES["data.bin"]
    size = len(data)
    for value, first, last in (("bytes=10-19", 10, 19), ("bytes=-100", size - 100, size - 1),
                               (f"bytes={size - 5}-", size - 5, size - 1), ("bytes=0-0", 0, 0),
                               (f"bytes=100-{size * 10}", 100, size - 1)):
        r = peers.fetch(protocol, "GET", "/data.bin", [("Range", value)])
        check(r.status == 206, f"{protocol}: Range {value!r} gave {r.status}, expected 206")
        check(r.header("content-range") == f"bytes {first}-{last}/{size}",
              f"{protocol}: Range {value!r}: Content-Range {r.header('content-range')!r}")
        check(r.header("content-length") == str(last - first + 1), f"{protocol}: Range {value!r}: content-length")
        check(r.body == data[first:last + 1], f"{protocol}: Range {value!r}: the body is not the slice")
    for value in (f"bytes={size}-", f"bytes={size + 1000}-{size + 2000}"):
        r = peers.fetch(protocol, "GET", "/data.bin", [("Range", value)])
        check(r.status == 416, f"{protocol}: Range {value!r} gave {r.status}, expected 416")
        check(r.header("content-range") == f"bytes */{size}",
              f"{protocol}: 416 Content-Range {r.header('content-range')!r}, expected 'bytes */{size}'")
    # HS-15.3.7-01: a 206 carries the validators and Vary a 200 would.
    r = peers.fetch(protocol, "GET", "/docs/notes.txt", [("Range", "bytes=0-9")])
    check(r.status == 206 and r.body == FILES["docs/notes.txt"][:10], f"{protocol}: text range {r!r}")
    check(r.header("etag") and r.header("last-modified") and "accept-encoding" in (r.header("vary") or "").lower(),
          f"{protocol}: the 206 lacks ETag, Last-Modified or Vary: {r.headers!r}")
    # HS-14.2-01: Range is for GET only; HEAD answers 200.
    r = peers.fetch(protocol, "HEAD", "/data.bin", [("Range", "bytes=0-9")])
    check(r.status == 200 and r.header("content-length") == str(size), f"{protocol}: HEAD with Range: {r!r}")
    # Invalid syntax or another unit: the whole file (RFC 9110 §14.2).
    for value in ("bytes=5-1", "items=0-1", "bytes=abc"):
        r = peers.fetch(protocol, "GET", "/data.bin", [("Range", value)])
        check(r.status == 200 and r.body == data, f"{protocol}: Range {value!r} gave {r!r}, expected the file")


@with_peers
def answers_head_with_headers_only(peers, protocol):  # HS-9.3.2-01 (RFC 9110 §9.3.2)
    for path, content in (("/data.bin", FILES["data.bin"]), ("/hello.txt", FILES["hello.txt"])):
        get = peers.fetch(protocol, "GET", path)
        head = peers.fetch(protocol, "HEAD", path)
        check(head.status == 200, f"{protocol}: HEAD {path} gave {head.status}")
        check(head.header("content-length") == str(len(content)),
              f"{protocol}: HEAD {path}: content-length {head.header('content-length')!r}, expected {len(content)}")
        check(head.body == b"", f"{protocol}: HEAD {path} carried {len(head.body)} body octets")
        check(protocol == "h1" or head.ended_on_headers, f"h2: HEAD {path} sent DATA")
        for name in ("etag", "last-modified", "content-type"):
            check(head.header(name) == get.header(name), f"{protocol}: HEAD {path}: {name} differs from GET")


@with_peers
def refuses_other_methods_and_missing_files(peers, protocol):
    # HS-9.1-01, HS-15.5.6-01 (RFC 9110 §15.5.6): 405 with Allow.
    for method in ("POST", "PUT", "DELETE"):
        r = peers.fetch(protocol, method, "/hello.txt")
        check(r.status == 405, f"{protocol}: {method} /hello.txt gave {r.status}, expected 405")
        allow = {m.strip() for m in (r.header("allow") or "").split(",")}
        check({"GET", "HEAD"} <= allow and method not in allow, f"{protocol}: {method}: Allow {r.header('allow')!r}")
    # HS-9.1-01 (RFC 9110 §9.1): an unknown method is not implemented.
    r = peers.fetch(protocol, "BREW", "/hello.txt")
    check(r.status == 501, f"{protocol}: BREW /hello.txt gave {r.status}, expected 501")
    for path in ("/missing.txt", "/docs/missing.html", "/no/such/dir/"):
        r = peers.fetch(protocol, "GET", path)
        check(r.status == 404, f"{protocol}: GET {path} gave {r.status}, expected 404")


def curl_br(server, path, tls):
    """curl asks for br alone and decodes it (Python has no brotli here); returns (headers text, body)."""
    with tempfile.TemporaryDirectory(prefix="h2push-curl-") as out:
        head, body = os.path.join(out, "head"), os.path.join(out, "body")
        args = ["curl", "--silent", "--show-error", "--max-time", "20", "--compressed", "-H", "Accept-Encoding: br",
                "-D", head, "-o", body]
        args += (["--http2"] + server.curl_tls_args() + [server.tls_url(path)]) if tls else \
            ["--http1.1", server.url(path, tls=False)]
        result = run_peer(args, timeout=30)
        check(result.returncode == 0, f"curl br {path}: {result.stderr.decode()!r}")
        with open(head, "rb") as h, open(body, "rb") as b:
            return h.read().decode("latin-1").lower(), b.read()


@with_peers
def negotiates_gzip_and_br(peers, protocol):  # HS-12.5-01, HS-8.8-01 (RFC 9110 §12.5.3, §8.8.3)
    for path in ("/docs/page.html", "/docs/notes.txt"):
        content = FILES[path.lstrip("/")]
        plain = peers.fetch(protocol, "GET", path)
        check(plain.status == 200 and plain.body == content and plain.header("content-encoding") is None,
              f"{protocol}: {path} without Accept-Encoding: {plain!r}")
        check("accept-encoding" in (plain.header("vary") or "").lower(), f"{protocol}: {path}: no Vary on identity")
        for accept in ("gzip", "gzip;q=1.0, identity;q=0.5", "deflate, gzip"):
            r = peers.fetch(protocol, "GET", path, [("Accept-Encoding", accept)])
            check(r.status == 200 and r.header("content-encoding") == "gzip",
                  f"{protocol}: {path} with {accept!r}: {r.status} content-encoding {r.header('content-encoding')!r}")
            check("accept-encoding" in (r.header("vary") or "").lower(), f"{protocol}: {path}: no Vary on gzip")
            check(len(r.body) < len(content) // 2, f"{protocol}: {path}: gzip body of {len(r.body)} octets")
            check(r.header("content-length") in (None, str(len(r.body))), f"{protocol}: gzip content-length")
            check(gzip.decompress(r.body) == content, f"{protocol}: {path}: the gunzipped body differs")
            check(r.header("etag") != plain.header("etag"),
                  f"{protocol}: {path}: the gzip variant shares the identity ETag {r.header('etag')!r}")
        r = peers.fetch(protocol, "GET", path, [("Accept-Encoding", "gzip;q=0")])
        check(r.header("content-encoding") is None and r.body == content, f"{protocol}: gzip;q=0 still got gzip")
        r = peers.fetch(protocol, "GET", path, [("Accept-Encoding", "gzip, br")])
        check(r.header("content-encoding") == "br", f"{protocol}: 'gzip, br' gave {r.header('content-encoding')!r}")
        check(len(r.body) < len(content) // 2, f"{protocol}: {path}: br body of {len(r.body)} octets")
        head, body = curl_br(peers.server, path, tls=(protocol == "h2"))
        check("content-encoding: br" in head, f"{protocol}: curl br {path}: no content-encoding: br in {head!r}")
        check("vary: accept-encoding" in head, f"{protocol}: curl br {path}: no vary in {head!r}")
        check(body == content, f"{protocol}: {path}: the br body curl decoded differs from the file")
    # Random octets do not compress: identity whatever is accepted.
    r = peers.fetch(protocol, "GET", "/data.bin", [("Accept-Encoding", "gzip, br")])
    check(r.header("content-encoding") is None and r.body == FILES["data.bin"],
          f"{protocol}: application/octet-stream was compressed: {r.header('content-encoding')!r}")


def streams_big_file(args):
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        want = hashlib.sha256(FILES["five.bin"]).hexdigest()
        with H2pushServer(args.binary, root) as server:
            peers = Peers(server)
            try:
                for protocol in ("h1", "h2", "h1", "h2"):  # twice each on the same connections
                    r = peers.fetch(protocol, "GET", "/five.bin")
                    check(r.status == 200 and r.header("content-length") == str(5 * MIB),
                          f"{protocol}: {r.status} content-length {r.header('content-length')!r}")
                    check(hashlib.sha256(r.body).hexdigest() == want,
                          f"{protocol}: 5 MiB body corrupted ({len(r.body)} octets)")
                peers.still_usable()
            finally:
                peers.close()
            with Http1Connection(server.https_port, tls=True, cafile=server.cert_file) as c:  # HTTP/1.1 over TLS
                c.send(b"GET /five.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
                r = c.read_response()
                check(r.status == 200 and hashlib.sha256(r.body).hexdigest() == want, "h1 over TLS: 5 MiB corrupted")
            with tempfile.TemporaryDirectory(prefix="h2push-curl-") as out:
                for name, extra in (("h2", ["--http2"] + server.curl_tls_args() + [server.tls_url("/five.bin")]),
                                    ("h1", ["--http1.1", server.url("/five.bin", tls=False)]),
                                    ("h2c", ["--http2-prior-knowledge", server.url("/five.bin", tls=False)])):
                    body = os.path.join(out, name)
                    result = run_peer(["curl", "--silent", "--show-error", "--max-time", "30", "-o", body] + extra,
                                      timeout=40)
                    check(result.returncode == 0, f"curl {name}: {result.stderr.decode()!r}")
                    with open(body, "rb") as f:
                        check(hashlib.sha256(f.read()).hexdigest() == want, f"curl {name}: 5 MiB corrupted")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


TESTS = [
    ("ServerStaticFilesTest.Answers304WhenIfNoneMatchMatchesEtag", revalidates_with_etag),
    ("ServerStaticFilesTest.Answers304WhenNotModifiedSince", revalidates_with_last_modified),
    ("ServerStaticFilesTest.Answers206Or416WhenRangeRequested", serves_ranges),
    ("ServerStaticFilesTest.SendsHeadersOnlyWhenHead", answers_head_with_headers_only),
    ("ServerStaticFilesTest.Answers405Or404WhenMethodOrFileWrong", refuses_other_methods_and_missing_files),
    ("ServerStaticFilesTest.CompressesWhenGzipOrBrAccepted", negotiates_gzip_and_br),
    ("ServerStaticFilesTest.StreamsFiveMibIntactWhenH2OrHttp11", streams_big_file),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
