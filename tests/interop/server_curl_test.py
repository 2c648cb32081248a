#!/usr/bin/python3
"""curl against `h2push serve`: HTTP/1.1 (cleartext and TLS), HTTP/2 over TLS (ALPN h2, the printed self-signed
certificate verified for localhost), h2c with prior knowledge and the cleartext `Upgrade: h2c` (101, then HTTP/2).
Each checks the status, the body octets against the file, and the protocol version curl reports."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2pushServer, check, pseudo_random_bytes, run_peer, run_tests, write_tree  # noqa: E402

FILES = {
    "data/blob.bin": pseudo_random_bytes(300 * 1024 + 7, seed=11),  # several DATA frames, not cacheable
    "upgrade.bin": pseudo_random_bytes(24 * 1024 + 3, seed=12),  # two DATA frames, fits curl's upgrade buffer
    "small.txt": b"hello from the interop test\n",
}
# curl 7.88 (Debian 12) copies whatever follows the 101 into a 32 KiB buffer (H2_BUFSIZE in lib/http2.c) and fails
# with "connection buffer size is too small to store data following HTTP Upgrade response header" when more came
# in the same read. Its Upgrade asks for a 32 MiB stream window, so a server answering at once sends up to the
# 65,535-octet connection window: the Upgrade case uses files below 32 KiB (nghttp -u covers a large file).
UPGRADE_FILES = ["upgrade.bin", "small.txt"]


def curl(server, out_dir, args, name):
    """Runs curl with -w; returns (http_version, http_code, body bytes, response headers text)."""
    body = os.path.join(out_dir, name + ".body")
    head = os.path.join(out_dir, name + ".head")
    result = run_peer(["curl", "--silent", "--show-error", "--max-time", "20", "-o", body, "-D", head,
                       "-w", "%{http_version} %{http_code}"] + args, timeout=30)
    check(result.returncode == 0, f"curl {args} exited {result.returncode}: {result.stderr.decode()!r}")
    version, code = result.stdout.decode().split()
    with open(body, "rb") as f, open(head, "rb") as h:
        return version, int(code), f.read(), h.read().decode("latin-1")


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root, \
                tempfile.TemporaryDirectory(prefix="h2push-curl-") as out:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(server, out)
                check(server.alive(), "the server died during the test")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


def expect_file(server, out, args, name, path, want_version):
    version, code, body, head = curl(server, out, args, name)
    check(code == 200, f"{name}: status {code}, expected 200; headers {head!r}")
    check(version == want_version, f"{name}: curl reports HTTP version {version!r}, expected {want_version!r}")
    check(body == FILES[path], f"{name}: body of {len(body)} octets differs from the {len(FILES[path])}-octet file")
    return head


@with_server
def fetches_over_http11_cleartext(server, out):
    for path in FILES:
        expect_file(server, out, ["--http1.1", server.url("/" + path, tls=False)], "h1", path, "1.1")


@with_server
def fetches_over_http11_with_tls(server, out):
    # ALPN offers only http/1.1: the TLS listener must fall back to HTTP/1.1.
    for path in FILES:
        expect_file(server, out, ["--http1.1"] + server.curl_tls_args() + [server.tls_url("/" + path)], "h1tls",
                    path, "1.1")


@with_server
def fetches_over_http2_with_tls(server, out):
    for path in FILES:
        expect_file(server, out, ["--http2"] + server.curl_tls_args() + [server.tls_url("/" + path)], "h2", path,
                    "2")


@with_server
def fetches_over_h2c_with_prior_knowledge(server, out):
    for path in FILES:
        expect_file(server, out, ["--http2-prior-knowledge", server.url("/" + path, tls=False)], "h2c", path, "2")


@with_server
def upgrades_cleartext_http11_to_h2c(server, out):  # UP-3.2-03 (RFC 7540 §3.2)
    for path in UPGRADE_FILES:
        head = expect_file(server, out, ["--http2", server.url("/" + path, tls=False)], "upgrade", path, "2")
        lines = [l for l in head.split("\r\n") if l.startswith("HTTP/")]
        check(len(lines) == 2 and lines[0].startswith("HTTP/1.1 101") and lines[1].startswith("HTTP/2 200"),
              f"expected 'HTTP/1.1 101' then 'HTTP/2 200', got status lines {lines!r}")
        check("upgrade: h2c" in head.lower(), f"the 101 lacks 'Upgrade: h2c': {head!r}")


@with_server
def answers_missing_file_with_404_on_every_protocol(server, out):
    cases = [
        ("h1", ["--http1.1", server.url("/nope.txt", tls=False)], "1.1"),
        ("h2", ["--http2"] + server.curl_tls_args() + [server.tls_url("/nope.txt")], "2"),
        ("h2c", ["--http2-prior-knowledge", server.url("/nope.txt", tls=False)], "2"),
    ]
    for name, args, want_version in cases:
        version, code, _, head = curl(server, out, args, name)
        check(code == 404 and version == want_version, f"{name}: got {version} {code}, expected {want_version} 404")


TESTS = [
    ("ServerCurlTest.FetchesFilesWhenHttp11Cleartext", fetches_over_http11_cleartext),
    ("ServerCurlTest.FetchesFilesWhenHttp11OverTls", fetches_over_http11_with_tls),
    ("ServerCurlTest.FetchesFilesWhenHttp2OverTls", fetches_over_http2_with_tls),
    ("ServerCurlTest.FetchesFilesWhenH2cPriorKnowledge", fetches_over_h2c_with_prior_knowledge),
    ("ServerCurlTest.UpgradesToH2cWhenCleartextUpgradeRequested", upgrades_cleartext_http11_to_h2c),
    ("ServerCurlTest.Answers404WhenFileMissing", answers_missing_file_with_404_on_every_protocol),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
