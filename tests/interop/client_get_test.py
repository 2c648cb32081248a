#!/usr/bin/python3
"""`h2push get` against real servers on 127.0.0.1: our own `h2push serve` (h2 over TLS with verification, h2c prior
knowledge, --http1.1, --upgrade, -a on the demo site, --har), nghttpd (TLS h2 and h2c with `-p` pushes: printed,
refused with --no-push, reused by -a), a small Python HTTP/1.1 server (-o, -H, -d, -d @file, keep-alive), and
failures (self-signed certificate without -k, connection refused, GOAWAY with an error, a malformed HTTP/1.1
response, a server that never answers). Ports are picked at run time; every wait is bounded."""

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2pushServer, LOOPBACK, check, free_port, port_accepts, pseudo_random_bytes,  # noqa: E402
                           require_peer, run_tests, write_tree)

FILES = {
    "hello.txt": b"hello from the client test\n",
    "blob.bin": pseudo_random_bytes(200 * 1024 + 3, seed=7),  # more than the 64 KiB default windows
}

# The demo site's assets a browser fetches (docs/demo-site.md): levels 1-3, without the conditional srcset and
# <picture> alternatives (hero-600, hero-1600, harbour-night).
DEMO_ASSETS = {
    "/favicon.ico", "/css/main.css", "/css/waterfall.css", "/js/site.js", "/js/app.js", "/img/logo.svg",
    "/img/hero-1200.png", "/img/harbour-day.png", "/img/harbour-fog.png", "/img/harbour-dawn.png",
    "/css/base.css", "/fonts/dots.woff", "/img/paper.png", "/js/catalog.js", "/js/waterfall.js", "/img/wave.svg",
    "/js/format.js", "/data/assets.json",
}

PUSH_SITE = {
    "index.html": '<html><head><link rel="stylesheet" href="/style.css"><script type="module" src="/app.js">'
                  '</script></head><body><img src="/a.png"></body></html>',
    "style.css": "body { background: url(/bg.png) }\n",
    "app.js": 'import "./dep.js";\n',
    "dep.js": "export const x = 1;\n",
    "a.png": "PNG",
    "bg.png": "BG",
    "extra.txt": "never named by the page\n",
}


def get(binary, args, timeout=30):
    """Runs `h2push get ARGS`; returns (exit status, stdout bytes, stderr text)."""
    try:
        bound = [] if "--timeout" in args else ["--timeout", "20"]
        result = subprocess.run([binary, "get"] + bound + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"h2push get {args} did not finish within {timeout} s") from error
    return result.returncode, result.stdout, result.stderr.decode("utf-8", "replace")


def ok(binary, args):
    code, out, err = get(binary, args)
    check(code == 0, f"h2push get {args} exited {code}: {err[-1500:]}")
    return out, err


def frames(trace):
    """[(direction, type, flags, stream)] of the frames `get -v` printed."""
    return [(m.group(1), m.group(2), int(m.group(3), 16), int(m.group(4)))
            for m in re.finditer(r"\] (send|recv) (\w+) frame <length=\d+, flags=0x([0-9a-f]+), stream_id=(\d+)>",
                                 trace)]


def frame_blocks(trace):
    """[(direction, type, [indented lines])] of the frames `get -v` printed."""
    blocks = []
    for line in trace.splitlines():
        m = re.match(r"^\[ *[\d.]+\] (send|recv) (\w+) frame <", line)
        if m:
            blocks.append((m.group(1), m.group(2), []))
        elif blocks and line.startswith("          "):
            blocks[-1][2].append(line.strip())
        else:
            blocks.append(("", "", []))
    return blocks


def assets_table(text):
    """{path: (via, status, bytes)} from the -a table."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(page|requested|hinted|pushed|unused)\s+(\d+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(\S+)", line)
        if m:
            rows[m.group(4)] = (m.group(1), int(m.group(2)), int(m.group(3)))
    return rows


def with_server(test, root_files=FILES):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-get-root-") as root:
            write_tree(root, root_files)
            with H2pushServer(args.binary, root) as server:
                test(args.binary, server)
                check(server.alive(), "the server died during the test")
    return run


def with_demo(test):
    def run(args):
        with H2pushServer(args.binary) as server:
            test(args.binary, server)
            check(server.alive(), "the server died during the test")
    return run


# ---- our server ------------------------------------------------------------------------------------------------


def verifies_tls_and_prints_frames(binary, server):
    url = f"https://localhost:{server.https_port}/hello.txt"
    out, err = ok(binary, ["-v", "--cacert", server.cert_file, "-H", "X-Extra: 1", url])
    check(out == FILES["hello.txt"], f"body differs: {out[:100]!r}")
    got = frames(err)
    check(("send", "SETTINGS", 0, 0) in got, "our SETTINGS frame is not printed")
    check(any(d == "recv" and t == "SETTINGS" and f & 1 == 0 for d, t, f, _ in got), "no server SETTINGS printed")
    check(any(d == "recv" and t == "SETTINGS" and f & 1 == 1 for d, t, f, _ in got), "no SETTINGS ACK printed")
    check(("send", "HEADERS", 0x05, 1) in got, "our HEADERS (END_STREAM | END_HEADERS) on stream 1 is not printed")
    check(any(d == "recv" and t == "DATA" and f & 1 == 1 and s == 1 for d, t, f, s in got), "no final DATA printed")
    check(re.search(r"\[SETTINGS_ENABLE_PUSH\(0x02\):1\]", err), "SETTINGS entries are not printed")
    check(re.search(r"^ +:status: 200$", err, re.M), "decoded response fields are not printed")
    check(re.search(r"^ +:path: /hello.txt$", err, re.M), "decoded request fields are not printed")
    check(re.search(r"^\[ *\d+\.\d{3}\] ", err, re.M), "frames carry no timestamp")
    check(re.search(r"^ +x-extra: 1$", err, re.M), "-H field not sent (lowercased) over h2")
    _, err = ok(binary, ["-v", "--cacert", server.cert_file, "-H", "Host: other.test", url])
    check(re.search(r"^ +:authority: other.test$", err, re.M), "-H host did not set :authority")


def fails_verification_of_self_signed_certificate(binary, server):
    url = server.url("/hello.txt")  # https://127.0.0.1:PORT, certificate not trusted
    code, out, err = get(binary, [url])
    check(code != 0, "an untrusted certificate was accepted")
    check("certificate verification failed" in err and len(err.strip().splitlines()) == 1,
          f"the failure is not one line naming verification: {err!r}")
    check(out == b"", "a body was printed although verification failed")
    out, _ = ok(binary, ["-k", url])
    check(out == FILES["hello.txt"], "-k did not fetch the body")
    # The name is checked too: the certificate is for localhost and 127.0.0.1, not for 127.0.0.2.
    code, _, err = get(binary, ["--cacert", server.cert_file, f"https://localhost:{server.https_port}/hello.txt"])
    check(code == 0, f"a trusted certificate for localhost was refused: {err}")


def speaks_h2c_with_prior_knowledge(binary, server):
    out, err = ok(binary, ["-v", "--h2c", server.url("/blob.bin", tls=False)])
    check(out == FILES["blob.bin"], f"h2c body differs ({len(out)} octets)")
    got = frames(err)
    check(("send", "HEADERS", 0x05, 1) in got, "no HEADERS sent over h2c")
    check(sum(1 for d, t, _, _ in got if d == "recv" and t == "DATA") >= 2, "the body did not come in DATA frames")
    check(any(d == "send" and t == "WINDOW_UPDATE" for d, t, _, _ in got) or len(out) < 1 << 20,
          "no WINDOW_UPDATE printed")


def forces_http11_and_prints_heads(binary, server):
    out, err = ok(binary, ["-v", "-i", "-k", "--http1.1", server.url("/hello.txt")])
    check("TLS established, ALPN: http/1.1" in err, f"ALPN did not settle on http/1.1: {err[:300]!r}")
    check("> GET /hello.txt HTTP/1.1" in err and "< HTTP/1.1 200 OK" in err, "HTTP/1.1 heads are not printed")
    check(frames(err) == [], "HTTP/2 frames printed for HTTP/1.1")
    check(out.startswith(b"HTTP/1.1 200 OK\n") and out.endswith(b"\n\n" + FILES["hello.txt"]),
          f"-i head or body wrong: {out[:200]!r}")
    out, _ = ok(binary, [server.url("/hello.txt", tls=False)])  # http:// is HTTP/1.1 by default
    check(out == FILES["hello.txt"], "cleartext HTTP/1.1 body differs")


def upgrades_to_h2c(binary, server):
    out, err = ok(binary, ["-v", "--upgrade", server.url("/blob.bin", tls=False), server.url("/hello.txt", tls=False)])
    check(out == FILES["blob.bin"] + FILES["hello.txt"], "bodies after the upgrade differ")
    check("upgrade: h2c" in err and "< HTTP/1.1 101 Switching Protocols" in err, "the upgrade exchange is not shown")
    got = frames(err)
    check(any(d == "recv" and t == "HEADERS" and s == 1 for d, t, _, s in got), "no response on stream 1")
    check(("send", "HEADERS", 0x05, 3) in got, "the second URL did not go on stream 3 of the upgraded connection")


def shares_one_connection_per_origin(binary, server):
    urls = [server.url("/hello.txt"), server.url("/blob.bin"), server.url("/hello.txt")]
    out, err = ok(binary, ["-v", "-k"] + urls)
    check(out == FILES["hello.txt"] + FILES["blob.bin"] + FILES["hello.txt"], "bodies differ or are out of order")
    check(err.count("connected to ") == 1, "more than one connection for one origin")
    sent = [s for d, t, _, s in frames(err) if d == "send" and t == "HEADERS"]
    check(sent == [1, 3, 5], f"requests went on streams {sent}")
    # Two origins interleaved: one connection each, bodies still in command-line order.
    urls = [server.url("/hello.txt"), server.url("/blob.bin", tls=False), server.url("/blob.bin")]
    out, err = ok(binary, ["-v", "-k"] + urls)
    check(out == FILES["hello.txt"] + FILES["blob.bin"] * 2, "bodies of interleaved origins out of order")
    check(err.count("connected to ") == 2, "not one connection per origin")


def writes_output_file(binary, server):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.bin")
        out, _ = ok(binary, ["-k", "-o", path, server.url("/blob.bin")])
        check(out == b"", "-o still wrote the body to stdout")
        with open(path, "rb") as f:
            check(f.read() == FILES["blob.bin"], "-o file content differs")


def fetches_demo_assets(binary, server):
    """-a on the demo site: every asset once, whether pushed (h2 with push, the server's default), hinted (103: h2
    with --no-push, HTTP/1.1) or requested; nothing pushed or hinted is requested again."""
    cases = [(["-k", server.url("/")], "pushed"), (["--h2c", server.url("/", tls=False)], "pushed"),
             (["-k", "--no-push", server.url("/")], "hinted"), ([server.url("/", tls=False)], "hinted")]
    for args, expected_via in cases:
        out, err = ok(binary, ["-a", "-v"] + args)
        rows = assets_table(out.decode())
        paths = {p for p, (via, _, _) in rows.items() if via not in ("page", "unused")}
        check(paths == DEMO_ASSETS, f"{args}: assets differ: missing {DEMO_ASSETS - paths}, extra {paths - DEMO_ASSETS}")
        bad = {p: r for p, r in rows.items() if r[1] != 200 or r[2] == 0}
        check(not bad, f"{args}: assets not fetched whole: {bad}")
        came = {p for p, (via, _, _) in rows.items() if via == expected_via}
        check(came, f"{args}: nothing came {expected_via}: {rows}")
        summary = re.search(r"assets: (\d+) pushed, (\d+) hinted, (\d+) requested", out.decode())
        check(summary and sum(map(int, summary.groups())) == len(DEMO_ASSETS), "wrong summary line")
        # Requests actually sent: HTTP/2 HEADERS :path, or HTTP/1.1 request lines.
        sent = [line.split(": ", 1)[1] for d, kind, lines in frame_blocks(err) if d == "send" and kind == "HEADERS"
                for line in lines if line.startswith(":path: ")]
        sent += re.findall(r"> GET (\S+) HTTP/1.1", err)
        check(len(sent) == len(set(sent)), f"{args}: a path was requested twice: {sorted(sent)}")
        pushed = {p for p, (via, _, _) in rows.items() if via == "pushed"}
        check(not pushed & set(sent), f"{args}: pushed assets requested again: {pushed & set(sent)}")
        check(set(sent) == (paths - pushed) | {"/"}, f"{args}: requests sent {sorted(sent)}")


def writes_har(binary, server):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "page.har")
        ok(binary, ["-k", "-a", "--har", path, server.url("/")])
        with open(path, encoding="utf-8") as f:
            har = json.load(f)
    log = har["log"]
    check(log["version"] == "1.2" and log["creator"]["name"] == "h2push", "log.version or creator wrong")
    check(len(log["pages"]) == 1 and log["pages"][0]["id"] == "page_1", "pages wrong")
    check(isinstance(log["pages"][0]["pageTimings"]["onLoad"], (int, float)), "pageTimings.onLoad missing")
    entries = log["entries"]
    check(len(entries) == 1 + len(DEMO_ASSETS), f"{len(entries)} entries")
    urls = set()
    for e in entries:
        for key in ("pageref", "startedDateTime", "time", "request", "response", "cache", "timings"):
            check(key in e, f"entry lacks {key}")
        check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["startedDateTime"]), "bad startedDateTime")
        req, resp = e["request"], e["response"]
        for key in ("method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize"):
            check(key in req, f"request lacks {key}")
        for key in ("status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL",
                    "headersSize", "bodySize"):
            check(key in resp, f"response lacks {key}")
        check(resp["status"] == 200 and resp["content"]["size"] > 0, f"{req['url']}: {resp['status']}")
        check(all(k in e["timings"] for k in ("send", "wait", "receive")), "timings incomplete")
        check(resp["httpVersion"] == "HTTP/2", "httpVersion is not HTTP/2")
        urls.add(re.sub(r"^https://[^/]+", "", req["url"]))
    check(urls == DEMO_ASSETS | {"/"}, f"HAR URLs differ: {urls ^ (DEMO_ASSETS | {'/'})}")


# ---- nghttpd ---------------------------------------------------------------------------------------------------


class Nghttpd:
    def __init__(self, root, tls, cert=None, key=None, extra=()):
        require_peer("nghttpd")
        self.port = free_port()
        args = ["nghttpd", "-a", LOOPBACK, f"--htdocs={root}", "-p/index.html=/style.css,/extra.txt"] + list(extra)
        args += [str(self.port), key, cert] if tls else ["--no-tls", str(self.port)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_accepts(self.port):
            check(time.monotonic() < deadline and self.process.poll() is None, "nghttpd did not start")
            time.sleep(0.05)

    def url(self, path, tls):
        return f"{'https' if tls else 'http'}://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=5)


def with_nghttpd(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-nghttpd-") as root:
            write_tree(root, PUSH_SITE)
            with H2pushServer(args.binary) as ours:  # only for its self-signed certificate
                for tls in (True, False):
                    server = Nghttpd(root, tls, ours.cert_file, ours.cert_file.replace("cert.pem", "key.pem"))
                    try:
                        test(args.binary, server, tls)
                    finally:
                        server.stop()
    return run


@with_nghttpd
def prints_and_reuses_nghttpd_pushes(binary, server, tls):
    mode = ["-k"] if tls else ["--h2c"]
    out, err = ok(binary, mode + [server.url("/index.html", tls)])
    check(out == PUSH_SITE["index.html"].encode(), "page body differs")
    check(re.search(r"push promised /style.css \(stream 2, on stream 1\)", err), f"push not printed: {err!r}")
    check(re.search(r"push promised /extra.txt \(stream 4, on stream 1\)", err), "second push not printed")
    out, err = ok(binary, ["-v", "-a"] + mode + [server.url("/index.html", tls)])
    rows = assets_table(out.decode())
    check(rows.get("/style.css", ("",))[0] == "pushed", f"/style.css not reused from the push: {rows}")
    check(rows.get("/extra.txt", ("",))[0] == "unused", "/extra.txt not reported as an unused push")
    for path in ("/app.js", "/a.png", "/bg.png", "/dep.js"):
        check(rows.get(path, ("",))[0] == "requested" and rows[path][1] == 200, f"{path} not requested: {rows}")
    sent_paths = [line.split(": ", 1)[1] for direction, kind, lines in frame_blocks(err)
                  if direction == "send" and kind == "HEADERS" for line in lines if line.startswith(":path: ")]
    check("/style.css" not in sent_paths, f"-a requested the pushed /style.css again: {sent_paths}")
    check("/index.html" in sent_paths and "/app.js" in sent_paths, f"requests not traced: {sent_paths}")
    check("PUSH_PROMISE" in err and "(promised_stream_id=2)" in err, "PUSH_PROMISE frame not traced")
    out, err = ok(binary, ["-v", "--no-push"] + mode + [server.url("/index.html", tls)])
    check("[SETTINGS_ENABLE_PUSH(0x02):0]" in err, "--no-push did not send ENABLE_PUSH=0")
    check("PUSH_PROMISE" not in err and "push promised" not in err, "a push arrived despite --no-push")


def retries_streams_refused_over_the_limit(args):
    """nghttpd allowing one stream: requests sent before its SETTINGS arrive are refused (REFUSED_STREAM) and
    retried (RFC 9113 §8.7); later ones wait for a free stream."""
    with tempfile.TemporaryDirectory(prefix="h2push-nghttpd-") as root:
        write_tree(root, PUSH_SITE)
        server = Nghttpd(root, False, extra=["-m", "1"])
        try:
            urls = [server.url(p, False) for p in ("/a.png", "/bg.png", "/dep.js", "/style.css")]
            out, err = ok(args.binary, ["--h2c", "-v"] + urls)
            check(out == b"PNGBGexport const x = 1;\nbody { background: url(/bg.png) }\n", f"bodies: {out!r}")
            check(re.search(r"\] recv RST_STREAM frame <length=4, flags=0x00, stream_id=3>\n +"
                            r"\(error_code=REFUSED_STREAM\(0x07\)\)", err), "the refusal is not traced")
            check(re.search(r"\[SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):1\]", err), "the limit is not traced")
            out, _ = ok(args.binary, ["--h2c", "-a", "--no-push", server.url("/index.html", False)])
            rows = assets_table(out.decode())
            check(len(rows) == 6 and all(r[1] == 200 for r in rows.values()), f"-a under a limit of 1: {rows}")
        finally:
            server.stop()


def uploads_data_over_h2(args):
    """nghttpd --echo-upload answers a POST with its body: -d and -d @file over h2c, larger than the windows."""
    with tempfile.TemporaryDirectory(prefix="h2push-nghttpd-") as root:
        write_tree(root, PUSH_SITE)
        server = Nghttpd(root, False, extra=["--echo-upload"])
        try:
            out, err = ok(args.binary, ["--h2c", "-v", "-d", "hello upload", server.url("/echo", False)])
            check(out == b"hello upload", f"echoed body: {out!r}")
            check(re.search(r"^ +:method: POST$", err, re.M), "the request is not a POST")
            check(re.search(r"\] send DATA frame <length=12, flags=0x01, stream_id=1>", err), "the DATA sent is not traced")
            big = pseudo_random_bytes(300 * 1024, seed=3)
            path = os.path.join(root, "upload.bin")
            with open(path, "wb") as f:
                f.write(big)
            out, _ = ok(args.binary, ["--h2c", "-d", "@" + path, server.url("/echo", False)])
            check(out == big, f"a 300 KiB upload came back as {len(out)} octets that differ")
        finally:
            server.stop()


# ---- a Python HTTP/1.1 server ----------------------------------------------------------------------------------


class EchoHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = json.dumps({"method": self.command, "path": self.path, "body": body.decode("latin-1"),
                            "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):
        pass


class Echo10Handler(EchoHandler):
    protocol_version = "HTTP/1.0"  # closes the connection after each response


def with_echo(test, handler=EchoHandler):
    def run(args):
        server = http.server.ThreadingHTTPServer((LOOPBACK, 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            test(args.binary, f"http://{LOOPBACK}:{server.server_address[1]}")
        finally:
            server.shutdown()
            server.server_close()
    return run


@with_echo
def sends_headers_and_data(binary, base):
    out, _ = ok(binary, ["-H", "X-Test: one two", "-H", "accept: text/plain", base + "/a?b=1"])
    echo = json.loads(out)
    check(echo["method"] == "GET" and echo["path"] == "/a?b=1", f"request line wrong: {echo}")
    check(echo["headers"].get("x-test") == "one two" and echo["headers"].get("accept") == "text/plain",
          f"-H fields missing: {echo['headers']}")
    out, _ = ok(binary, ["-d", "name=value&x=1", base + "/form"])
    echo = json.loads(out)
    check(echo["method"] == "POST" and echo["body"] == "name=value&x=1", f"-d body wrong: {echo}")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "body.bin")
        with open(path, "wb") as f:
            f.write(b"from a file\n")
        out, _ = ok(binary, ["-d", "@" + path, base + "/file"])
        check(json.loads(out)["body"] == "from a file\n", "-d @file body wrong")
    out, err = ok(binary, ["-v", base + "/1", base + "/2", base + "/3"])
    check([json.loads(b)["path"] for b in re.findall(rb"\{.*?\}\}", out)] == ["/1", "/2", "/3"], "bodies out of order")
    check(err.count("connected to ") == 1, "HTTP/1.1 keep-alive was not used")


class HintsHandler(http.server.BaseHTTPRequestHandler):
    """Answers / with 103 Early Hints naming /s.css, then a page naming /s.css and /i.png; other paths with text."""
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/":
            self.wfile.write(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload; as=style\r\n\r\n")
            self.wfile.flush()
            body = b'<html><head><link rel="stylesheet" href="/s.css"></head><body><img src="/i.png"></body></html>'
            kind = "text/html"
        else:
            body = b"x" * 10
            kind = "text/css" if self.path.endswith(".css") else "image/png"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def prints_and_acts_on_early_hints(binary, base):
    out, err = ok(binary, [base + "/"])
    check(re.search(r"^\[ *[\d.]+\] 103 Early Hints for /: </s.css>; rel=preload; as=style$", err, re.M),
          f"the 103 is not printed on one line: {err!r}")
    out, err = ok(binary, ["-a", "-v", base + "/"])
    check("< HTTP/1.1 103 Early Hints" in err and "< link: </s.css>; rel=preload; as=style" in err,
          "-v does not show the 103 head")
    rows = assets_table(out.decode())
    check(rows.get("/s.css", ("",))[0] == "hinted", f"/s.css not marked hinted: {rows}")
    check(rows.get("/i.png", ("",))[0] == "requested", f"/i.png not requested: {rows}")
    check(err.count("> GET /s.css HTTP/1.1") == 1, "/s.css requested more than once")


def h2_hints_server():
    """An h2c (prior knowledge) server on python3-h2 that answers / with 103 Early Hints naming /s.css, then a page
    naming /s.css and /i.png. Serves connections until stopped. Returns (port, stop function)."""
    import h2.config
    import h2.connection
    import h2.events
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stopping = threading.Event()
    page = b'<html><head><link rel="stylesheet" href="/s.css"></head><body><img src="/i.png"></body></html>'

    def handle(sock):
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())
        sock.settimeout(10)
        for _ in range(10_000):
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    path = dict(event.headers)[":path"]
                    sid = event.stream_id
                    if path == "/":
                        conn.send_headers(sid, [(":status", "103"), ("link", "</s.css>; rel=preload; as=style")])
                        body, kind = page, "text/html"
                    else:
                        body, kind = b"x" * 10, "text/css" if path.endswith(".css") else "image/png"
                    conn.send_headers(sid, [(":status", "200"), ("content-type", kind),
                                            ("content-length", str(len(body)))])
                    conn.send_data(sid, body, end_stream=True)
            sock.sendall(conn.data_to_send())

    def serve():
        while not stopping.is_set():
            try:
                sock, _ = listener.accept()
            except OSError:
                continue
            with sock:
                try:
                    handle(sock)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop():
        stopping.set()
        thread.join(timeout=15)
        listener.close()

    return listener.getsockname()[1], stop


def acts_on_h2_early_hints(args):
    port, stop = h2_hints_server()
    try:
        out, err = ok(args.binary, ["--h2c", "-a", "-v", f"http://{LOOPBACK}:{port}/"])
    finally:
        stop()
    check(re.search(r"^\[ *[\d.]+\] 103 Early Hints for /: </s.css>; rel=preload; as=style$", err, re.M),
          f"the 103 is not printed on one line: {err[-800:]!r}")
    check(re.search(r"^ +:status: 103$", err, re.M), "the 103 HEADERS frame is not traced")
    rows = assets_table(out.decode())
    check(rows.get("/s.css", ("",))[0] == "hinted" and rows.get("/i.png", ("",))[0] == "requested",
          f"-a over h2: {rows}")


def falls_back_to_http11_and_sends_sni(binary, server):
    """A TLS server offering only http/1.1 (Python's http.server): ALPN falls back to HTTP/1.1; SNI carries the
    host name for names and is absent for IP literals (RFC 6066 §3)."""
    import ssl
    names = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(server.cert_file, server.cert_file.replace("cert.pem", "key.pem"))
    ctx.set_alpn_protocols(["http/1.1"])
    ctx.sni_callback = lambda sock, name, context: names.append(name)
    httpd = http.server.ThreadingHTTPServer((LOOPBACK, 0), EchoHandler)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        out, err = ok(binary, ["-v", "--cacert", server.cert_file, f"https://localhost:{port}/fallback"])
        check(json.loads(out)["path"] == "/fallback", f"body: {out!r}")
        check("ALPN: http/1.1" in err and "> GET /fallback HTTP/1.1" in err, f"no HTTP/1.1 fallback: {err[:400]!r}")
        ok(binary, ["-k", f"https://{LOOPBACK}:{port}/ip"])
    finally:
        httpd.shutdown()
        httpd.server_close()
    check(names == ["localhost", None], f"SNI sent: {names}")


def reconnects_after_http10_close(binary, base):
    out, err = ok(binary, ["-v", base + "/1", base + "/2", base + "/3"])
    check([json.loads(b)["path"] for b in re.findall(rb"\{.*?\}\}", out)] == ["/1", "/2", "/3"], "bodies differ")
    check(err.count("connected to ") == 3, "no new connection after each Connection: close")


# ---- failures --------------------------------------------------------------------------------------------------


def one_shot_server(reply, wait_for_request=True, close=False):
    """A socket server answering the first connection with `reply` (bytes), then holding it open (or closing it).
    Returns (port, stop function)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(4)
    listener.settimeout(20)
    conns = []

    def serve():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        conns.append(conn)
        conn.settimeout(10)
        try:
            if wait_for_request:
                conn.recv(65536)
            if reply:
                conn.sendall(reply)
            if close:
                conn.close()
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def stop():
        listener.close()
        for c in conns:
            c.close()
        thread.join(timeout=5)

    return listener.getsockname()[1], stop


def fails_on_connection_refused(binary):
    port = free_port()
    code, _, err = get(binary, [f"http://{LOOPBACK}:{port}/"])
    check(code != 0, "exit 0 although nothing listens")
    check("Connection refused" in err and len(err.strip().splitlines()) == 1, f"message: {err!r}")


def fails_on_goaway_with_error(binary):
    settings = bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
    debug = b"go away"
    goaway = (8 + len(debug)).to_bytes(3, "big") + bytes([7, 0]) + (0).to_bytes(4, "big") + \
        (0).to_bytes(4, "big") + (1).to_bytes(4, "big") + debug  # last stream 0, PROTOCOL_ERROR
    port, stop = one_shot_server(settings + goaway)
    try:
        code, _, err = get(binary, ["--h2c", f"http://{LOOPBACK}:{port}/"])
    finally:
        stop()
    check(code == 1, "exit 0 despite GOAWAY(PROTOCOL_ERROR)")
    check("GOAWAY" in err and "PROTOCOL_ERROR" in err and "go away" in err and len(err.strip().splitlines()) == 1,
          f"the message is not one line naming the GOAWAY: {err!r}")


def fails_on_malformed_http11(binary):
    port, stop = one_shot_server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
    try:
        code, _, err = get(binary, [f"http://{LOOPBACK}:{port}/"])
    finally:
        stop()
    check(code == 1 and "invalid Content-Length" in err and len(err.strip().splitlines()) == 1,
          f"exit {code}, message {err!r}")


def fails_on_truncated_response(binary):
    port, stop = one_shot_server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close=True)
    try:
        code, _, err = get(binary, [f"http://{LOOPBACK}:{port}/"])
    finally:
        stop()
    check(code == 1 and "closed the connection before the end of the response" in err, f"exit {code}, {err!r}")


def fails_on_timeout(binary):
    port, stop = one_shot_server(b"")
    try:
        started = time.monotonic()
        code, _, err = get(binary, ["--timeout", "1", f"http://{LOOPBACK}:{port}/"])
    finally:
        stop()
    check(code != 0 and "timed out" in err, f"exit {code}, message {err!r}")
    check(time.monotonic() - started < 10, "the timeout was not honoured")


def fails_on_alpn_mismatch(binary, server):
    """A TLS server that selects only http/1.1: --h2c on https:// requires h2 and fails naming ALPN."""
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(server.cert_file, server.cert_file.replace("cert.pem", "key.pem"))
    ctx.set_alpn_protocols(["http/1.1"])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(4)
    listener.settimeout(20)

    def serve():
        try:
            conn, _ = listener.accept()
            conn.settimeout(10)
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1024)
        except OSError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        code, _, err = get(binary, ["-k", "--h2c", f"https://{LOOPBACK}:{listener.getsockname()[1]}/"])
    finally:
        listener.close()
        thread.join(timeout=15)
    check(code == 1 and "ALPN mismatch" in err, f"exit {code}, message {err!r}")
    code, _, err = get(binary, ["-k", "--h2c", "--http1.1", server.url("/")])
    check(code == 2, "contradictory flags accepted")


def plain(test):
    def run(args):
        test(args.binary)
    return run


TESTS = [
    ("ServerVerifiesTlsAndPrintsFrames", with_server(verifies_tls_and_prints_frames)),
    ("ServerFailsVerificationOfSelfSignedCertificate", with_server(fails_verification_of_self_signed_certificate)),
    ("ServerSpeaksH2cWithPriorKnowledge", with_server(speaks_h2c_with_prior_knowledge)),
    ("ServerForcesHttp11AndPrintsHeads", with_server(forces_http11_and_prints_heads)),
    ("ServerUpgradesToH2c", with_server(upgrades_to_h2c)),
    ("ServerSharesOneConnectionPerOrigin", with_server(shares_one_connection_per_origin)),
    ("ServerWritesOutputFile", with_server(writes_output_file)),
    ("DemoFetchesAllAssets", with_demo(fetches_demo_assets)),
    ("DemoWritesHar", with_demo(writes_har)),
    ("NghttpdPushesPrintedRefusedAndReused", prints_and_reuses_nghttpd_pushes),
    ("NghttpdStreamLimitRetriesRefusedStreams", retries_streams_refused_over_the_limit),
    ("NghttpdUploadsData", uploads_data_over_h2),
    ("PythonHttp11HeadersDataKeepAlive", sends_headers_and_data),
    ("PythonHttp10ReconnectsAfterClose", with_echo(reconnects_after_http10_close, Echo10Handler)),
    ("PythonEarlyHintsPrintedAndHinted", with_echo(prints_and_acts_on_early_hints, HintsHandler)),
    ("PythonH2EarlyHintsHinted", acts_on_h2_early_hints),
    ("FailsOnConnectionRefused", plain(fails_on_connection_refused)),
    ("FailsOnGoawayWithError", plain(fails_on_goaway_with_error)),
    ("FailsOnMalformedHttp11", plain(fails_on_malformed_http11)),
    ("FailsOnTruncatedResponse", plain(fails_on_truncated_response)),
    ("FailsOnTimeout", plain(fails_on_timeout)),
    ("FailsOnAlpnMismatch", with_server(fails_on_alpn_mismatch)),
    ("PythonTlsHttp11FallbackAndSni", with_server(falls_back_to_http11_and_sends_sni)),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
