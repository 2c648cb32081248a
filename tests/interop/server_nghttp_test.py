#!/usr/bin/python3
"""nghttp (nghttp2's client) against `h2push serve`: h2 over TLS (the SETTINGS exchange and the response, frame by
frame with -v), h2c with prior knowledge, h2c by Upgrade (-u), and -a on the built-in demo site (every asset the
page links gets 200, over h2 and h2c)."""

import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2pushServer, check, pseudo_random_bytes, run_peer, run_tests, write_tree  # noqa: E402

FILES = {
    "blob.bin": pseudo_random_bytes(300 * 1024 + 5, seed=21),  # larger than the 64 KiB windows
    "page.txt": b"plain text for nghttp\n" * 10,
}


def nghttp(args, timeout=30):
    result = run_peer(["nghttp", "--timeout=20"] + args, timeout=timeout)
    check(result.returncode == 0, f"nghttp {args} exited {result.returncode}: {result.stderr.decode()[-500:]!r}")
    return result.stdout


def with_root(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(server)
                check(server.alive(), "the server died during the test")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


def frames(verbose_text):
    """The frame headers nghttp -v printed: [(direction, type, length, flags, stream id)]."""
    return [(m.group(1), m.group(2), int(m.group(3)), int(m.group(4), 16), int(m.group(5)))
            for m in re.finditer(r"(send|recv) (\w+) frame <length=(\d+), flags=0x([0-9a-f]+), stream_id=(\d+)>",
                                 verbose_text)]


def check_exchange(text, path, size):
    """The SETTINGS exchange both ways, a 200 with the right content-length, and DATA adding up to `size`."""
    got = frames(text)
    check(any(d == "recv" and t == "SETTINGS" and f & 1 == 0 and s == 0 for d, t, _, f, s in got),
          "no SETTINGS frame from the server")
    check(any(d == "recv" and t == "SETTINGS" and f & 1 == 1 and n == 0 for d, t, n, f, _ in got),
          "the server did not acknowledge our SETTINGS")
    check(any(d == "send" and t == "SETTINGS" and f & 1 == 1 for d, t, _, f, _ in got),
          "nghttp did not acknowledge the server's SETTINGS")
    check(re.search(r"\[SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):\d+\]", text.split("recv SETTINGS", 1)[-1]),
          "the server's SETTINGS do not announce MAX_CONCURRENT_STREAMS")
    m = re.search(r"recv \(stream_id=(\d+)\) :status: (\d+)", text)
    check(m is not None and m.group(2) == "200", f"no :status 200 for {path}: {m and m.group(0)!r}")
    stream = int(m.group(1))
    check(re.search(rf"recv \(stream_id={stream}\) content-length: {size}\n", text),
          f"content-length {size} missing on stream {stream}")
    data = [(n, f) for d, t, n, f, s in got if d == "recv" and t == "DATA" and s == stream]
    check(sum(n for n, _ in data) == size, f"DATA frames carry {sum(n for n, _ in data)} octets, expected {size}")
    check(data and data[-1][1] & 1 == 1, "the last DATA frame lacks END_STREAM")
    check(not any(t == "GOAWAY" and d == "recv" for d, t, _, _, _ in got), "the server sent GOAWAY")
    check(not any(t == "RST_STREAM" for _, t, _, _, _ in got), "a stream was reset")


@with_root
def exchanges_settings_and_serves_over_tls(server):  # H2-6.5-02 (RFC 9113 §6.5)
    text = nghttp(["-nv", server.url("/blob.bin")]).decode("utf-8", "replace")
    check("The negotiated protocol: h2" in text, "ALPN did not negotiate h2")
    check_exchange(text, "/blob.bin", len(FILES["blob.bin"]))
    for path, content in FILES.items():
        body = nghttp([server.url("/" + path)])
        check(body == content, f"/{path}: nghttp got {len(body)} octets that differ from the file")


@with_root
def serves_h2c_with_prior_knowledge(server):
    text = nghttp(["-nv", server.url("/blob.bin", tls=False)]).decode("utf-8", "replace")
    check("HTTP Upgrade" not in text, "nghttp used Upgrade instead of prior knowledge")
    check_exchange(text, "/blob.bin", len(FILES["blob.bin"]))
    for path, content in FILES.items():
        body = nghttp([server.url("/" + path, tls=False)])
        check(body == content, f"/{path}: nghttp got {len(body)} octets that differ from the file")


@with_root
def upgrades_to_h2c(server):  # UP-3.2-03 (RFC 7540 §3.2): 101, server SETTINGS first, the answer on stream 1
    text = nghttp(["-nuv", server.url("/blob.bin", tls=False)]).decode("utf-8", "replace")
    check("HTTP Upgrade success" in text, "the Upgrade did not succeed")
    check(re.search(r"HTTP/1\.1 101 Switching Protocols", text), "no 101 Switching Protocols")
    check(re.search(r"recv \(stream_id=1\) :status: 200", text), "the upgraded request (stream 1) got no 200")
    check_exchange(text, "/blob.bin", len(FILES["blob.bin"]))
    for path, content in FILES.items():
        body = nghttp(["-u", server.url("/" + path, tls=False)])
        check(body == content, f"/{path}: nghttp -u got {len(body)} octets that differ from the file")


def check_assets(text, where, wanted):
    """nghttp -s prints one row per request or push: id responseEnd [*] requestStart process code size path (a `*`
    marks a pushed response, which nghttp -a uses instead of requesting it)."""
    rows = re.findall(r"^\s*(\d+)\s+\+\S+(?: \*)?\s+\+\S+\s+\S+\s+(\d{3})\s+\S+\s+(/\S*)$", text, re.MULTILINE)
    paths = {path: int(code) for _, code, path in rows}
    check(len(paths) == len(rows), f"{where}: a path was requested twice: {rows!r}")
    for path in wanted:
        check(path in paths, f"{where}: {path} was neither requested nor pushed: {sorted(paths)!r}; {text[-1500:]!r}")
    bad = {p: c for p, c in paths.items() if c != 200}
    check(not bad, f"{where}: assets without 200: {bad!r}")


# What each page links directly (docs/demo-site.md): nghttp -a must find and get all of them.
PAGE_ASSETS = {
    "/": ["/", "/css/main.css", "/css/waterfall.css", "/js/site.js", "/js/app.js", "/img/logo.svg"],
    "/about.html": ["/about.html", "/css/main.css", "/js/site.js", "/img/logo.svg"],
}


def fetches_every_demo_asset(args):
    with H2pushServer(args.binary, None) as server:  # no DIR: the built-in demo site
        check(any(l.startswith("serving the built-in demo site") for l in server.listener_lines),
              f"the demo site was not announced: {server.listener_lines!r}")
        for page, wanted in PAGE_ASSETS.items():
            check_assets(nghttp(["-nas", server.url(page)]).decode("utf-8", "replace"), f"h2 -a {page}", wanted)
            check_assets(nghttp(["-nas", server.url(page, tls=False)]).decode("utf-8", "replace"), f"h2c -a {page}",
                         wanted)
        # Every file of the site, as data/assets.json lists them (levels 0 to 3), on one connection each way.
        listing = json.loads(nghttp([server.url("/data/assets.json")]))
        every = sorted({"/" + a["path"].lstrip("/") for a in listing["assets"]})
        check(len(every) >= 15, f"data/assets.json lists only {len(every)} files: {every!r}")
        for tls in (True, False):
            text = nghttp(["-ns"] + [server.url(p, tls=tls) for p in every]).decode("utf-8", "replace")
            check_assets(text, f"{'h2' if tls else 'h2c'} every asset", every)
        check(server.alive(), "the server died during the test")
        check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


TESTS = [
    ("ServerNghttpTest.ExchangesSettingsAndServesFileWhenTlsAlpnH2", exchanges_settings_and_serves_over_tls),
    ("ServerNghttpTest.ServesFileWhenH2cPriorKnowledge", serves_h2c_with_prior_knowledge),
    ("ServerNghttpTest.ServesFileWhenUpgradedToH2c", upgrades_to_h2c),
    ("ServerNghttpTest.Answers200ForEveryAssetWhenDemoSiteFetchedWithAssets", fetches_every_demo_asset),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
