#!/usr/bin/python3
"""Server push and 103 Early Hints of `h2push serve`, seen by real clients: python-h2 (push on and off, TLS and
h2c), a raw HTTP/2 client that resets a promised stream, curl over HTTP/1.1, raw HTTP/1.0, and nghttp against the
built-in demo site. Also the cache-digest cookie (a second visit gets nothing it holds; a changed file is pushed
again; a bogus cookie is ignored), modes per path and by flag, navigation detection, think time and the access log's
push counters. The test site's assets and their expected links are listed below; ranking is asserted loosely
(render-blocking before images), exact lists are the planner's unit tests' business."""

import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, Http1Connection, RawH2Client, check,  # noqa: E402
                           pseudo_random_bytes, require_peer, run_peer, run_tests, write_tree)

import h2.errors  # noqa: E402

INDEX = """<!doctype html>
<html><head>
<link rel="stylesheet" href="/css/site.css">
<script src="js/app.js"></script>
</head><body>
<img src="/img/logo.png" alt="logo">
<img src="/img/huge.png" alt="big">
<script type="module" src="/js/main.mjs"></script>
</body></html>
"""
FILES = {
    "index.html": INDEX,
    "other.html": "<!doctype html><link rel=stylesheet href=/css/site.css><p>other</p>",
    "off/index.html": "<!doctype html><link rel=stylesheet href=/css/site.css><p>no push here</p>",
    "css/site.css": "@import url(base.css);\n@font-face { font-family: f; src: url(/fonts/f.woff2) }\n"
                    "body { background: url(../img/bg.png) }\n",
    "css/base.css": "p { margin: 0 }\n",
    "fonts/f.woff2": pseudo_random_bytes(3000, seed=1),
    "js/app.js": "console.log('app');\n",
    "js/main.mjs": "import './dep.mjs';\n",
    "js/dep.mjs": "export const x = 1;\n",
    "img/logo.png": pseudo_random_bytes(2000, seed=2),
    "img/bg.png": pseudo_random_bytes(1500, seed=3),
    "img/huge.png": pseudo_random_bytes(600 * 1024, seed=4),
}
ASSETS = {"/css/site.css", "/css/base.css", "/fonts/f.woff2", "/js/app.js", "/js/main.mjs", "/js/dep.mjs",
          "/img/logo.png", "/img/bg.png", "/img/huge.png"}
CRITICAL = {"/css/site.css", "/css/base.css", "/fonts/f.woff2", "/js/app.js"}
IMAGES = {"/img/logo.png", "/img/bg.png", "/img/huge.png"}
# What each asset's 103 Link line must say (RFC 8297 + preload: `as`, crossorigin for fonts, modulepreload).
LINKS = {
    "/css/site.css": "</css/site.css>; rel=preload; as=style",
    "/css/base.css": "</css/base.css>; rel=preload; as=style",
    "/fonts/f.woff2": "</fonts/f.woff2>; rel=preload; as=font; crossorigin",
    "/js/app.js": "</js/app.js>; rel=preload; as=script",
    "/js/main.mjs": "</js/main.mjs>; rel=modulepreload",
    "/js/dep.mjs": "</js/dep.mjs>; rel=modulepreload",
    "/img/logo.png": "</img/logo.png>; rel=preload; as=image",
    "/img/bg.png": "</img/bg.png>; rel=preload; as=image",
    "/img/huge.png": "</img/huge.png>; rel=preload; as=image",
}
CONFIG = """
[push]
max_pushes = 16
max_push_bytes = 4194304
[push.paths]
"/off/" = "off"
"""
NAV = [("accept", "text/html,application/xhtml+xml"), ("accept-encoding", "identity")]


def site(config=CONFIG, extra_args=()):
    def wrap(test):
        def run(args):
            with tempfile.TemporaryDirectory(prefix="h2push-push-") as root:
                write_tree(root, FILES)
                with H2pushServer(args.binary, root, config_text=config, extra_args=extra_args) as server:
                    test(server, root)
        return run
    return wrap


def h2client(server, tls=True, **kwargs):
    if tls:
        return H2Client(server.https_port, tls=True, cafile=server.cert_file, **kwargs)
    return H2Client(server.http_port, tls=False, **kwargs)


def paths(pushes):
    return [p.request_header(":path") for p in pushes]


def link_values(informational):
    out = []
    for fields in informational:
        out += [v.decode() for n, v in fields if n == b"link"]
    return out


def wait_pushes_done(client, timeout=15):
    client.pump_until(lambda: all(p.done for p in client.pushes), timeout, "the pushed responses")


def check_pushed(pushes):
    for p in pushes:
        path = p.request_header(":path")
        check(p.request_header(":method") == "GET", f"{path}: promised method {p.request_header(':method')}")
        check(p.request_header(":authority") == "localhost", f"{path}: promised :authority is not the page's")
        check(p.status == 200, f"{path}: pushed status {p.status}")
        check(p.header("etag") is not None, f"{path}: pushed response without an etag")
        check(bytes(p.data) == (FILES[path.lstrip("/")] if isinstance(FILES[path.lstrip("/")], bytes)
                                else FILES[path.lstrip("/")].encode()), f"{path}: pushed body differs")


def push_order_ok(order):
    """Render-blocking resources are promised before any image."""
    first_image = min((i for i, p in enumerate(order) if p in IMAGES), default=len(order))
    last_critical = max((i for i, p in enumerate(order) if p in CRITICAL), default=-1)
    return last_critical < first_image


# -- tests ---------------------------------------------------------------------------------------------------------

def pushes_the_page_over_tls(tls):
    @site()
    def test(server, _root):
        with h2client(server, tls) as c:
            page = c.get("/", headers=NAV)
            wait_pushes_done(c)
            order = paths(c.pushes)
            check(set(order) == ASSETS, f"pushed {order}, expected {sorted(ASSETS)}")
            check(len(order) == len(set(order)), f"a path was pushed twice: {order}")
            check(push_order_ok(order), f"an image was promised before a render-blocking resource: {order}")
            check(all(p.parent == page.stream_id for p in c.pushes), "a push promised on another stream")
            check_pushed(c.pushes)
            # Every PUSH_PROMISE precedes the page's first DATA frame (RFC 9113 §8.4: promise before the reference).
            first_data = c.log.index(("data", page.stream_id))
            last_promise = max(i for i, e in enumerate(c.log) if e[0] == "promise")
            check(last_promise < first_data, f"a PUSH_PROMISE came after the page's DATA: {c.log[:30]}")
            check(page.status == 200 and bytes(page.data) == INDEX.encode(), "the page itself is wrong")
            check(page.informational == [], f"a 103 was sent to a client that accepts push: {page.informational}")
            check((page.header("set-cookie") or "").startswith("h2push-digest="),
                  f"no digest cookie: {page.header('set-cookie')!r}")
            # A non-HTML response gets nothing.
            css = c.get("/css/site.css", headers=NAV)
            check(css.status == 200 and len(c.pushes) == len(ASSETS), "a stylesheet request caused pushes")
    return test


def hints_when_push_is_disabled(tls):
    @site()
    def test(server, _root):
        with h2client(server, tls, enable_push=False) as c:
            page = c.get("/", headers=NAV)
            check(c.pushes == [], f"pushes to a client with ENABLE_PUSH=0: {paths(c.pushes)}")
            check(len(page.informational) == 1, f"expected one 103, got {page.informational}")
            status = dict(page.informational[0]).get(b":status")
            check(status == b"103", f"informational status {status!r}")
            check(c.log.index(("informational", page.stream_id)) < c.log.index(("response", page.stream_id)),
                  "the 103 came after the final response")
            links = link_values(page.informational)
            check(sorted(links) == sorted(LINKS.values()), f"103 links {links}, expected {sorted(LINKS.values())}")
            check(page.status == 200 and bytes(page.data) == INDEX.encode(), "the page itself is wrong")
    return test


@site()
def cancelled_push_stops(server, _root):
    with RawH2Client(server.https_port, tls=True, cafile=server.cert_file) as c:
        c.sock.settimeout(10)
        sid = c.request("/", headers=NAV)
        huge = None
        deadline = time.monotonic() + 10
        while huge is None and time.monotonic() < deadline:
            c.read_once(10)
            huge = next((p for p in c.pushes if p.request_header(":path") == "/img/huge.png"), None)
        check(huge is not None, f"no push of /img/huge.png: {[p.request_header(':path') for p in c.pushes]}")
        import struct
        c.send_frame(c.RST_STREAM, 0, huge.stream_id, struct.pack(">I", h2.errors.ErrorCodes.CANCEL))
        # The server handles the RST_STREAM before the PING that follows it, so whatever DATA of the cancelled push
        # it produces after the PING's ACK was cut after the reset: there must be none (frames already queued or on
        # the wire before it, as many as the window allowed, may still arrive, and come before the ACK).
        c.ping(b"cancel!!")
        c.pump_until(lambda: b"cancel!!" in c.ping_acks, 10, "the PING ACK")
        c.pump_until(lambda: c.streams[sid].done and all(
            p.done for p in c.pushes if p is not huge), 15, "the page and the other pushes")
        ack = next(i for i, (t, f, s) in enumerate(c.frame_log) if t == c.PING and f & 0x1)
        late = [i for i, (t, f, s) in enumerate(c.frame_log) if t == c.DATA and s == huge.stream_id and i > ack]
        check(len(late) == 0, f"{len(late)} DATA frames of the cancelled push after the ACK of a later PING")
        check(len(huge.data) < len(FILES["img/huge.png"]), "the whole cancelled push arrived")
        # Loading the page again on this connection does not push what the client refused.
        pushed_before = len(c.pushes)
        again = c.request("/", headers=NAV)
        c.pump_until(lambda: c.streams[again].done and all(p.done for p in c.pushes[pushed_before:]), 10,
                     "the page again")
        again_paths = {p.request_header(":path") for p in c.pushes[pushed_before:]}
        check(again_paths == ASSETS - {"/img/huge.png"}, f"the second load pushed {sorted(again_paths)}")
        check(c.streams[again].status == 200 and c.goaway is None, "the connection did not stay fine")


@site()
def curl_http11_sees_103(server, _root):
    curl = require_peer("curl")
    out = run_peer([curl, "-sS", "-v", "--http1.1", "-o", "/dev/null", "-H", "Accept: text/html",
                    server.url("/", tls=False)], timeout=30)
    check(out.returncode == 0, f"curl failed: {out.stderr[-500:]!r}")
    err = out.stderr.decode("latin-1")
    check("< HTTP/1.1 103" in err, f"curl saw no 103:\n{err}")
    links = re.findall(r"^< [Ll]ink: (.*?)\r?$", err, re.M)
    check(sorted(links) == sorted(LINKS.values()), f"curl saw links {links}")
    check(err.index("HTTP/1.1 103") < err.index("HTTP/1.1 200"), "the 103 came after the 200")


@site()
def http10_gets_no_103(server, _root):
    with Http1Connection(server.http_port) as c:
        c.send(b"GET / HTTP/1.0\r\nHost: localhost\r\nAccept: text/html\r\n\r\n")
        response = c.read_response(allow_interim=True)
        check(response.status == 200, f"HTTP/1.0 got {response.status} first (an interim response?)")


@site(config=CONFIG.replace("[push]\n", "[push]\nhints_h1 = false\n"))
def hints_h1_off(server, _root):
    with Http1Connection(server.http_port) as c:
        c.send(b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n")
        response = c.read_response(allow_interim=True)
        check(response.status == 200, f"hints_h1 = false, yet HTTP/1.1 got {response.status} first")
    with h2client(server, False, enable_push=False) as c:  # HTTP/2 still gets its hints
        page = c.get("/", headers=NAV)
        check(len(page.informational) == 1, "hints_h1 = false also stopped HTTP/2 hints")


def cookie_of(stream):
    value = stream.header("set-cookie") or ""
    check(value.startswith("h2push-digest="), f"no digest cookie: {value!r}")
    return value.split(";")[0]


@site()
def cache_digest(server, root):
    with h2client(server) as c:
        first = c.get("/", headers=NAV)
        wait_pushes_done(c)
        check(len(c.pushes) == len(ASSETS), "first visit: not everything pushed")
        cookie = cookie_of(first)
    with h2client(server) as c:  # second visit: everything is held
        page = c.get("/", headers=NAV + [("cookie", "a=b; " + cookie)])
        check(page.status == 200 and c.pushes == [], f"second visit pushed {paths(c.pushes)}")
    with h2client(server, enable_push=False) as c:
        page = c.get("/", headers=NAV + [("cookie", cookie)])
        check(page.informational == [], f"second visit got hints {link_values(page.informational)}")
    # A changed file has a new ETag: it alone is pushed again.
    time.sleep(1.1)  # a new mtime second, whatever the file system's granularity
    with open(os.path.join(root, "css/base.css"), "w", encoding="utf-8") as f:
        f.write("p { margin: 1px }\n")
    with h2client(server) as c:
        page = c.get("/", headers=NAV + [("cookie", cookie)])
        wait_pushes_done(c)
        check(paths(c.pushes) == ["/css/base.css"], f"after a change pushed {paths(c.pushes)}")
        check(bytes(c.pushes[0].data) == b"p { margin: 1px }\n", "the changed file's old body was pushed")
    # Bogus and oversized cookies are ignored, not errors.
    for bogus in ("h2push-digest=!!!not-base64", "h2push-digest=" + "A" * 5000, "h2push-digest="):
        with h2client(server) as c:
            page = c.get("/", headers=NAV + [("cookie", bogus)])
            wait_pushes_done(c)
            check(page.status == 200 and len(c.pushes) == len(ASSETS), f"cookie {bogus[:30]!r}: {paths(c.pushes)}")


@site()
def modes_by_path_and_navigation(server, _root):
    with h2client(server) as c:
        page = c.get("/off/", headers=NAV)
        check(page.status == 200 and c.pushes == [] and page.informational == [], "push.paths off was ignored")
        for headers in ([("sec-fetch-mode", "cors")], [("accept", "application/json")]):
            page = c.get("/", headers=headers)
            check(page.status == 200 and c.pushes == [], f"a non-navigation {headers} got pushes")
        page = c.get("/", method="HEAD", headers=NAV)
        check(c.pushes == [], "HEAD got pushes")
        page = c.get("/", headers=[("sec-fetch-mode", "navigate"), ("accept", "*/*")])
        wait_pushes_done(c)
        check(len(c.pushes) == len(ASSETS), "Sec-Fetch-Mode: navigate got no pushes")


@site(extra_args=("--push", "hints"))
def flag_forces_hints(server, _root):
    with h2client(server) as c:  # push enabled, but the mode says hints
        page = c.get("/", headers=NAV)
        check(c.pushes == [], f"--push hints still pushed {paths(c.pushes)}")
        check(sorted(link_values(page.informational)) == sorted(LINKS.values()), "--push hints sent no 103")


@site(extra_args=("--push", "off"))
def flag_turns_off(server, _root):
    with h2client(server) as c:
        page = c.get("/", headers=NAV)
        check(c.pushes == [] and page.informational == [], "--push off still pushed or hinted")
        check(page.header("set-cookie") is None, "--push off still set a digest cookie")


@site(config=CONFIG.replace("[push]\n", "[push]\nthink_time = \"400ms\"\n"))
def think_time_lets_pushes_flow_first(server, _root):
    with h2client(server) as c:
        page = c.get("/", headers=NAV)
        wait_pushes_done(c)
        response_at = c.log.index(("response", page.stream_id))
        pushed_data = [i for i, e in enumerate(c.log) if e[0] == "data" and e[1] % 2 == 0]
        check(pushed_data and pushed_data[0] < response_at,
              "no pushed DATA arrived before the page's delayed response")
    with h2client(server, enable_push=False) as c:
        page = c.get("/", headers=NAV)
        check(c.log.index(("informational", page.stream_id)) < c.log.index(("response", page.stream_id)),
              "the 103 did not precede the delayed response")


@site()
def access_log_counts(server, _root):
    with h2client(server) as c:
        c.get("/", headers=NAV)
        wait_pushes_done(c)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "push=" not in server.stdout():
        time.sleep(0.05)
    log = server.stdout()
    m = re.search(r'"GET / HTTP/2\.0" 200 \d+ .* push=(\d+) push_bytes=(\d+) hints=(\d+)', log)
    check(m is not None, f"no push counters in the access log:\n{log[-2000:]}")
    check(int(m.group(1)) == len(ASSETS) and int(m.group(3)) == 0, f"counters {m.groups()}")
    total = sum(len(FILES[p.lstrip("/")]) for p in ASSETS)
    check(int(m.group(2)) == total, f"push_bytes {m.group(2)}, expected {total}")
    check(log.count("pushed") >= len(ASSETS), "pushed responses are not in the access log")


def nghttp_demo_site(args):
    """nghttp -v against the built-in demo site: every PUSH_PROMISE precedes the page's DATA; with -a the pushed
    assets are not requested again."""
    nghttp = require_peer("nghttp")
    with H2pushServer(args.binary) as server:
        out = run_peer([nghttp, "-nva", f"https://127.0.0.1:{server.https_port}/"], timeout=60)
        check(out.returncode == 0, f"nghttp failed: {out.stderr[-500:]!r}")
        text = out.stdout.decode("latin-1")
        promises = [m.start() for m in re.finditer(r"recv PUSH_PROMISE frame", text)]
        check(len(promises) >= 3, f"only {len(promises)} PUSH_PROMISE frames:\n{text[:3000]}")
        check(len(promises) == len(set(re.findall(r"recv \(stream_id=13\) :path: (\S+)", text))),
              "a path was promised twice")
        first_data = re.search(r"recv DATA frame <length=\d+, flags=0x0\d, stream_id=13>", text)
        check(first_data is not None and max(promises) < first_data.start(),
              "a PUSH_PROMISE came after the page's first DATA frame")
        # nghttp prints a promise's request fields as "recv (stream_id=13) :path: ..." just before the frame line.
        promised = set(re.findall(r"recv \(stream_id=13\) :path: (\S+)", text))
        requested, stream = set(), None
        for line in text.splitlines():
            m = re.search(r"send HEADERS frame <.*stream_id=(\d+)>", line)
            if m:
                stream = int(m.group(1))
            elif line.startswith("["):
                stream = None
            m = re.match(r"\s+:path: (\S+)", line)
            if m and stream is not None and stream != 13:
                requested.add(m.group(1))
        check(promised, "no :path in the PUSH_PROMISE frames")
        again = promised & requested
        check(not again, f"nghttp -a requested pushed assets again: {sorted(again)}")


TESTS = [
    ("PushesThePageOverTls", pushes_the_page_over_tls(True)),
    ("PushesThePageOverH2c", pushes_the_page_over_tls(False)),
    ("HintsWhenPushIsDisabledTls", hints_when_push_is_disabled(True)),
    ("HintsWhenPushIsDisabledH2c", hints_when_push_is_disabled(False)),
    ("CancelledPushStops", cancelled_push_stops),
    ("CurlHttp11Sees103", curl_http11_sees_103),
    ("Http10GetsNo103", http10_gets_no_103),
    ("HintsH1Off", hints_h1_off),
    ("CacheDigest", cache_digest),
    ("ModesByPathAndNavigation", modes_by_path_and_navigation),
    ("FlagForcesHints", flag_forces_hints),
    ("FlagTurnsOff", flag_turns_off),
    ("ThinkTimeLetsPushesFlowFirst", think_time_lets_pushes_flow_first),
    ("AccessLogCounts", access_log_counts),
    ("NghttpDemoSite", nghttp_demo_site),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
