#!/usr/bin/python3
"""`h2push proxy` in front of tests/interop/proxy_upstream_app.py (a page rendered after a think time).

The first request for the page learns it; the second gets a 103 Early Hints whose Link set equals the page's
assets, received before the app wrote its response head (both times from CLOCK_MONOTONIC: order, not durations).
Also: HTTP/1.1 clients get the 103 too, assets pass through with their validators, a dead upstream gives 502.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import LOOPBACK, H2Client, check, free_port, require_peer, run_peer, run_tests  # noqa: E402
from proxy_support import ProxyStack  # noqa: E402

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_upstream_app.py")
ASSETS = ["/css/site.css", "/img/logo.png", "/js/app.js", "/js/main.js"]
# The page's plan once the style sheets and the module went through the proxy, in rank order: render-blocking (the
# sheet, its @import, its font), then scripts and modules, then images, each by level.
RANKED = ["/css/site.css", "/css/base.css", "/fonts/body.woff2", "/js/app.js", "/js/main.js", "/js/util.js",
          "/img/logo.png", "/img/bg.png", "/img/base.png"]


class Stack(ProxyStack):
    """The app (unless `upstream` is given) and `h2push proxy` in front of it, h2c/HTTP/1.1 on a port of its own."""

    def __init__(self, binary, think_ms=300, upstream=None, response_timeout=None):
        super().__init__("h2push-proxy-")
        try:
            if upstream is None:
                app_port = self.start_app([sys.executable, APP, "--think-ms", str(think_ms), "--log", self.log])
                upstream = f"http://127.0.0.1:{app_port}"
            args = [binary, "proxy", "--http", f"{LOOPBACK}:0", "--https", f"{LOOPBACK}:0", "--workers", "1"]
            if response_timeout is None:
                args += ["--upstream", upstream]
            else:  # a route from a configuration file
                config = os.path.join(self.dir, "proxy.toml")
                with open(config, "w", encoding="utf-8") as f:
                    f.write(f'[[proxy]]\nupstream = "{upstream}"\nresponse_timeout = "{response_timeout}"\n')
                args += ["--config", config]
            self.start_proxy(args)
        except Exception:
            self.close()
            raise

    def head_times(self):
        with open(self.log, encoding="ascii") as f:
            return [float(line.split()[1]) for line in f if line.startswith("head ")]


def link_targets(stream):
    targets = []
    for block in stream.informational:
        for name, value in block:
            if name == b"link":
                targets.append(value.decode().split(">", 1)[0].lstrip("<"))
    return sorted(targets)


def links_in_order(stream):
    return [value.decode().split(">", 1)[0].lstrip("<")
            for block in stream.informational for name, value in block if name == b"link"]


def get_page(port):
    """GET / over h2c; returns (stream, monotonic time the first 103 arrived or None)."""
    with H2Client(port, tls=False, enable_push=False) as client:
        sid = client.request("/", headers=[("accept", "text/html")])
        stream = client.streams[sid]
        first_hint = None
        deadline = time.monotonic() + 10
        while not stream.done and time.monotonic() < deadline:
            try:
                client.read_once(2.0)
            except (TimeoutError, socket.timeout):
                continue
            if first_hint is None and stream.informational:
                first_hint = time.monotonic()
        check(stream.done, "the page did not complete")
        return stream, first_hint


def test_second_request_gets_hints_before_the_app_answers(args):
    with Stack(args.binary) as stack:
        first, hint = get_page(stack.port)
        check(first.status == 200, f"first status {first.status}")
        check(b"Rendered after thinking" in bytes(first.data), "first body")
        check(hint is None, f"a 103 before anything was learned: {first.informational}")
        second, hint = get_page(stack.port)
        check(second.status == 200, f"second status {second.status}")
        check(link_targets(second) == ASSETS, f"103 links {link_targets(second)} != {ASSETS}")
        heads = stack.head_times()
        check(len(heads) == 2, f"the app rendered {len(heads)} pages")
        check(hint < heads[1], f"the 103 ({hint:.6f}) came after the app's response head ({heads[1]:.6f})")
        check(second.header("via") == "1.1 h2push", f"via {second.header('via')}")


def test_http1_clients_get_the_hints_and_assets_their_validators(args):
    curl = require_peer("curl")
    with Stack(args.binary, think_ms=50) as stack:
        url = f"http://{LOOPBACK}:{stack.port}/"
        run_peer([curl, "-s", "-o", "/dev/null", url])  # learn
        out = run_peer([curl, "-sv", "--http1.1", "-o", "/dev/null", url]).stderr.decode(errors="replace")
        check("< HTTP/1.1 103" in out, f"no 103 for HTTP/1.1: {out}")
        for asset in ASSETS:
            check(f"<{asset}>" in out, f"{asset} not hinted: {out}")
        css = run_peer([curl, "-si", f"http://{LOOPBACK}:{stack.port}/css/site.css"]).stdout.decode()
        check(css.startswith("HTTP/1.1 200") and 'etag: "' in css.lower(), f"asset: {css}")


def test_style_sheets_and_modules_passing_through_add_the_levels_below(args):
    with Stack(args.binary, think_ms=50) as stack:
        first, _ = get_page(stack.port)
        check(first.status == 200, f"first status {first.status}")
        # What a browser fetches next: the page's sheet and module, then what the sheet imports.
        with H2Client(stack.port, tls=False) as client:
            for path in ("/css/site.css", "/js/main.js", "/js/app.js", "/img/logo.png", "/css/base.css"):
                stream = client.get(path)
                check(stream.status == 200, f"{path}: status {stream.status}")
                check(stream.header("etag") is not None, f"{path}: no etag")
        second, hint = get_page(stack.port)
        check(hint is not None, "no 103 on the second navigation")
        check(links_in_order(second) == RANKED, f"103 links {links_in_order(second)} != {RANKED}")
        font = [value.decode() for block in second.informational for name, value in block
                if name == b"link" and b"body.woff2" in value]
        check(len(font) == 1 and "as=font" in font[0] and "crossorigin" in font[0], f"font hint {font}")


def test_sheets_fetched_while_the_page_streams_are_learned_too(args):
    """The page's head is parsed as it passes, so its style sheet is learned from even when the browser asks for it
    before the page has ended (and before the page itself is learned)."""
    with Stack(args.binary, think_ms=600) as stack:
        with H2Client(stack.port, tls=False, enable_push=False) as client:
            sid = client.request("/streamed", headers=[("accept", "text/html")])
            page = client.streams[sid]
            deadline = time.monotonic() + 10
            while not page.data and not page.done and time.monotonic() < deadline:
                try:
                    client.read_once(2.0)
                except (TimeoutError, socket.timeout):
                    continue
            check(b"</head>" in bytes(page.data) and not page.done, "the head did not come first")
            with H2Client(stack.port, tls=False) as other:
                check(other.get("/css/site.css").status == 200, "site.css")
            check(not page.done, "the page ended before the sheet was fetched: the test proves nothing")
            while not page.done and time.monotonic() < deadline:
                try:
                    client.read_once(2.0)
                except (TimeoutError, socket.timeout):
                    continue
            check(page.done and b"Rendered" in bytes(page.data), "the streamed page did not complete")
        with H2Client(stack.port, tls=False, enable_push=False) as client:
            again = client.get("/streamed", headers=[("accept", "text/html")])
        links = links_in_order(again)
        for path in ("/css/base.css", "/fonts/body.woff2", "/img/bg.png"):
            check(path in links, f"{path} (named by site.css) not hinted: {links}")


def test_a_dead_upstream_gives_502(args):
    with Stack(args.binary, upstream=f"http://127.0.0.1:{free_port()}") as stack:
        with H2Client(stack.port, tls=False) as client:
            stream = client.get("/")
            check(stream.status == 502, f"status {stream.status}")
            again = client.get("/other")
            check(again.status == 502, f"second status {again.status}")


def test_upstream_faults_give_clean_errors_and_others_are_served(args):
    with Stack(args.binary, think_ms=0, response_timeout="500ms") as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/garbage").status == 502, "garbage: not 502")
            cut = client.get("/cut")
            check(cut.status == 200 and cut.reset_code is not None, f"cut: {cut.status} reset {cut.reset_code}")
            check(bytes(cut.data) == b"0123456789", f"cut body {bytes(cut.data)!r}")
            check(client.get("/slow").status == 504, "slow: not 504")
            page = client.get("/")
            check(page.status == 200 and b"Rendered" in bytes(page.data), "the page after the faults")
        log = open(stack.proxy.err_path, encoding="utf-8").read()
        for path in ("/garbage", "/cut", "/slow"):
            check(f"GET {path} -> " in log, f"no log line for {path}: {log!r}")


if __name__ == "__main__":
    run_tests([
        ("SecondRequestGetsHintsBeforeTheAppAnswers", test_second_request_gets_hints_before_the_app_answers),
        ("Http1ClientsGetTheHintsAndAssetsTheirValidators",
         test_http1_clients_get_the_hints_and_assets_their_validators),
        ("StyleSheetsAndModulesPassingThroughAddTheLevelsBelow",
         test_style_sheets_and_modules_passing_through_add_the_levels_below),
        ("SheetsFetchedWhileThePageStreamsAreLearnedToo", test_sheets_fetched_while_the_page_streams_are_learned_too),
        ("ADeadUpstreamGives502", test_a_dead_upstream_gives_502),
        ("UpstreamFaultsGiveCleanErrorsAndOthersAreServed",
         test_upstream_faults_give_clean_errors_and_others_are_served),
    ], "h2push proxy in front of a Python app")
