#!/usr/bin/python3
"""A small web application for the reverse-proxy tests: it renders a page after a think time, like an app that
queries a database first, and serves the page's assets with validators.

    proxy_upstream_app.py --think-ms 300 --log FILE

/streamed sends the page's head at once and its body after the think time (chunked).
Faults: /garbage answers no HTTP, /cut closes 10 octets into a 100-octet body, /slow answers after 3 s.
It listens on 127.0.0.1 port 0 and prints `PORT <n>` on stdout. For every page it appends `head <t>` to FILE, t
being time.monotonic() (CLOCK_MONOTONIC, the same clock in every process) when the think time is over and the
response head is about to be written, so a test can order the proxy's 103 against the app's first byte.
"""

import argparse
import http.server
import sys
import time

PAGE = b"""<!doctype html><html><head><title>think</title>
<link rel="stylesheet" href="/css/site.css">
<script src="/js/app.js" defer></script>
<script type="module" src="/js/main.js"></script>
</head><body><h1>Rendered after thinking</h1><img src="/img/logo.png" alt=""></body></html>
"""
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# The page names the style sheet, the scripts and the logo (level 1); the sheet @imports base.css and names a font
# and a background (level 2), base.css names another image (level 3); the module imports util.js (level 2). A
# cross-origin font and a dynamic import are there too, to be left out.
ASSETS = {
    "/css/site.css": (b"text/css", b"""@import url("/css/base.css");
@font-face { font-family: Body; src: url(/fonts/body.woff2) format("woff2"); }
@font-face { font-family: Far; src: url(https://fonts.example/far.woff2) format("woff2"); }
body { font-family: Body, sans-serif; background: url(../img/bg.png) }
"""),
    "/css/base.css": (b"text/css", b"h1 { margin: 0; background: url(/img/base.png) }\n"),
    "/fonts/body.woff2": (b"font/woff2", b"wOF2" + b"\0" * 60),
    "/js/app.js": (b"text/javascript", b"console.log('app');\n"),
    "/js/main.js": (b"text/javascript", b"import { greet } from './util.js';\ngreet();\nimport('./later.js');\n"),
    "/js/util.js": (b"text/javascript", b"export function greet() { console.log('hi'); }\n"),
    "/img/logo.png": (b"image/png", PNG),
    "/img/bg.png": (b"image/png", PNG + b"bg"),
    "/img/base.png": (b"image/png", PNG + b"base"),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the proxy's pool expects

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ASSETS:
            kind, body = ASSETS[path]
            self.send_response(200)
            self.send_header("Content-Type", kind.decode())
            self.send_header("ETag", '"%d"' % len(body))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if path in ("/", "/index.html"):
            time.sleep(self.server.think)
            with open(self.server.log, "a", encoding="ascii") as f:
                f.write("head %.6f\n" % time.monotonic())
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
            return
        if path == "/streamed":  # the head at once, the body after a think time (chunked)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            cut = PAGE.index(b"</head>") + len(b"</head>")
            for part in (PAGE[:cut], PAGE[cut:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                if part is not PAGE[cut:]:
                    time.sleep(self.server.think)
            self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/garbage":  # not HTTP at all
            self.wfile.write(b"HELLO THERE\r\n\r\n")
            self.close_connection = True
            return
        if path == "/cut":  # promises 100 octets, sends 10, closes
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789")
            self.wfile.flush()
            self.close_connection = True
            return
        if path == "/slow":  # thinks far longer than the proxy waits
            time.sleep(3)
        body = b"not found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--think-ms", type=int, default=300)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.think = args.think_ms / 1000.0
    server.log = args.log
    server.daemon_threads = True
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
