#!/usr/bin/python3
"""Pushes through `h2push proxy` in front of tests/interop/proxy_upstream_app.py, with python-h2 as the client.

The first request for a page learns it; the second, from a client that accepts pushes, gets a PUSH_PROMISE for each
of the page's assets before any DATA of the page and before the app wrote the page's head (both sides stamp
CLOCK_MONOTONIC: order, not durations), and the pushed responses carry the assets' bodies and ETags, fetched from the
app without the client's cookie. An asset the app answers 404 for is reset (CANCEL) and not promised again. A client
with push disabled still gets the 103. Two hosts behind the one route get their own hints.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2Client, check, run_tests  # noqa: E402
from proxy_e2e_test import ASSETS, Stack, get_page, link_targets  # noqa: E402
import proxy_upstream_app as app  # noqa: E402

CANCEL = 0x8


def get_page_with_pushes(port, path="/", authority="localhost"):
    """GET `path` over h2c with push enabled (and a cookie); returns (client, page stream, monotonic time the first
    PUSH_PROMISE was read or None). Reads until the page and every pushed stream are over."""
    client = H2Client(port, tls=False, enable_push=True)
    sid = client.request(path, authority=authority, headers=[("accept", "text/html"), ("cookie", "sid=secret")])
    page = client.streams[sid]
    first_promise = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (page.done and all(p.done for p in client.pushes)):
        try:
            client.read_once(2.0)
        except (TimeoutError, socket.timeout):
            continue
        if first_promise is None and client.pushes:
            first_promise = time.monotonic()
    check(page.done, f"the page {path} did not complete")
    check(all(p.done for p in client.pushes), "a pushed stream did not complete")
    return client, page, first_promise


def pushed_paths(client):
    return sorted(p.request_header(":path") for p in client.pushes)


def asset_fetches(stack):
    with open(stack.log, encoding="ascii") as f:
        return [line.split() for line in f if line.startswith("asset ")]


def test_second_request_gets_pushes_before_the_app_answers(args):
    with Stack(args.binary) as stack:
        first, _ = get_page(stack.port)  # push disabled: learns
        check(first.status == 200, f"first status {first.status}")
        client, page, first_promise = get_page_with_pushes(stack.port)
        with client:
            check(page.status == 200 and bytes(page.data) == app.PAGE, f"page {page.status} {bytes(page.data)!r}")
            check(pushed_paths(client) == ASSETS, f"pushed {pushed_paths(client)} != {ASSETS}")
            first_page_data = client.log.index(("data", page.stream_id))
            promises = [i for i, (kind, _) in enumerate(client.log) if kind == "promise"]
            check(max(promises) < first_page_data, f"a PUSH_PROMISE after the page's DATA: {client.log}")
            heads = stack.head_times()
            check(len(heads) == 2, f"the app rendered {len(heads)} pages")
            check(first_promise < heads[1],
                  f"the first PUSH_PROMISE ({first_promise:.6f}) came after the app's head ({heads[1]:.6f})")
            for pushed in client.pushes:
                path = pushed.request_header(":path")
                body = app.ASSETS[path][1]
                check(pushed.status == 200 and pushed.reset_code is None,
                      f"{path}: {pushed.status} {pushed.reset_code}")
                check(bytes(pushed.data) == body, f"{path}: pushed body {bytes(pushed.data)!r}")
                check(pushed.header("etag") == '"%d"' % len(body), f"{path}: etag {pushed.header('etag')}")
                check(pushed.parent == page.stream_id, f"{path} promised on stream {pushed.parent}")
        fetches = asset_fetches(stack)
        check(len(fetches) == len(ASSETS), f"the app served {fetches}")
        for _, path, cookie, via in fetches:
            check(cookie == "cookie=0", f"the push fetch of {path} carried the client's cookie")
            check(via == "via=2_h2push", f"the push fetch of {path}: {via}")
        # A client that disables push gets the 103 as before, and no promise.
        hinted, hint = get_page(stack.port)
        check(hint is not None and link_targets(hinted) == ASSETS, f"103 links {link_targets(hinted)}")


def test_a_missing_asset_is_reset_and_not_pushed_again(args):
    with Stack(args.binary, think_ms=50) as stack:
        get_page_with_pushes(stack.port, "/with-missing.html")[0].close()  # learns
        client, page, _ = get_page_with_pushes(stack.port, "/with-missing.html")
        with client:
            check(page.status == 200, f"page status {page.status}")
            check(pushed_paths(client) == ["/css/site.css", "/img/missing.png"], f"pushed {pushed_paths(client)}")
            for pushed in client.pushes:
                if pushed.request_header(":path") == "/img/missing.png":
                    check(pushed.reset_code == CANCEL and pushed.headers is None,
                          f"missing: reset {pushed.reset_code}, headers {pushed.headers}")
                else:
                    check(pushed.status == 200 and bytes(pushed.data) == app.ASSETS["/css/site.css"][1], "css")
        client, page, _ = get_page_with_pushes(stack.port, "/with-missing.html")
        with client:
            check(page.status == 200, f"third page status {page.status}")
            check(pushed_paths(client) == ["/css/site.css"], f"pushed again: {pushed_paths(client)}")


def test_two_hosts_get_their_own_hints(args):
    with Stack(args.binary, think_ms=20) as stack:
        for authority in ("localhost", "blog.test"):
            get_page_with_pushes(stack.port, authority=authority)[0].close()  # learns each host's page
        for authority, want in (("localhost", ASSETS), ("blog.test", ["/css/blog.css"])):
            with H2Client(stack.port, tls=False, enable_push=False) as client:
                sid = client.request("/", authority=authority, headers=[("accept", "text/html")])
                stream = client.streams[sid]
                client.pump_until(lambda: stream.done, what=f"the page of {authority}")
                check(stream.status == 200, f"{authority}: status {stream.status}")
                check(link_targets(stream) == want, f"{authority}: 103 links {link_targets(stream)} != {want}")
            client, page, _ = get_page_with_pushes(stack.port, authority=authority)
            with client:
                check(page.status == 200 and pushed_paths(client) == want,
                      f"{authority}: pushed {pushed_paths(client)}")


if __name__ == "__main__":
    run_tests([
        ("SecondRequestGetsPushesBeforeTheAppAnswers", test_second_request_gets_pushes_before_the_app_answers),
        ("AMissingAssetIsResetAndNotPushedAgain", test_a_missing_asset_is_reset_and_not_pushed_again),
        ("TwoHostsGetTheirOwnHints", test_two_hosts_get_their_own_hints),
    ], "pushes through h2push proxy in front of a Python app")
