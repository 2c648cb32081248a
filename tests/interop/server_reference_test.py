#!/usr/bin/python3
"""Cached bodies sent by reference over h2c (http2::Options::reference_bodies, docs/server.md): a 300 KiB cached file
fetched over cleartext h2 by nghttp, curl and python-h2 (several streams at once, narrow and wide windows, a range)
arrives octet for octet; the same file over TLS (where bodies are copied) too. A slow reader whose file is rewritten
on disk mid-transfer gets the old version whole (or a clean RST_STREAM), never a mix, while other clients get the
new one. And an h2load smoke run over h2c on a 100 KiB file: every request succeeds with the right octet count."""

import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, check, pseudo_random_bytes, require_peer,  # noqa: E402
                           run_peer, run_tests, write_tree)

KIB = 1024
LARGE = pseudo_random_bytes(300 * KIB + 7, seed=71)  # several DATA frames and more than one gather write
MEDIUM = pseudo_random_bytes(100 * KIB, seed=72)
CONFIG = '[static]\nfile_cache_max_entry_size = "1MiB"\n'  # the 300 KiB file is cached (the default is 256 KiB)
MAX_WINDOW = 2**31 - 1


def fetches_large_cached_file_byte_for_byte(args):
    require_peer("nghttp")
    require_peer("curl")
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, {"large.bin": LARGE})
        with H2pushServer(args.binary, root, config_text=CONFIG) as server:
            url = server.url("/large.bin", tls=False)
            # nghttp (which prints the bodies of concurrent streams interleaved, so one at a time), with the default
            # windows and with 16 KiB ones (-w/-W: window bits).
            for extra in ([], ["-w", "14", "-W", "16"]):
                result = run_peer(["nghttp", "--timeout=20", *extra, url], timeout=40)
                check(result.returncode == 0, f"nghttp {extra} exited {result.returncode}: {result.stderr[-300:]!r}")
                check(result.stdout == LARGE, f"nghttp {extra}: {len(result.stdout)} octets, not the file")
            # curl with prior knowledge.
            with tempfile.TemporaryDirectory(prefix="h2push-curl-") as out_dir:
                body = os.path.join(out_dir, "body")
                result = run_peer(["curl", "--silent", "--show-error", "--max-time", "20", "--http2-prior-knowledge",
                                   "-o", body, "-w", "%{http_version} %{http_code}", url], timeout=40)
                check(result.returncode == 0, f"curl exited {result.returncode}: {result.stderr!r}")
                check(result.stdout == b"2 200", f"curl: {result.stdout!r}")
                with open(body, "rb") as f:
                    check(f.read() == LARGE, "curl: the body differs from the file")
            # python-h2: three streams at once with wide windows, then a range from an odd offset.
            for tls in (False, True):
                with H2Client(server.https_port if tls else server.http_port, tls=tls, cafile=server.cert_file,
                              window=MAX_WINDOW) as c:
                    streams = [c.streams[c.request("/large.bin")] for _ in range(3)]
                    c.pump_until(lambda: all(s.done for s in streams), timeout=20, what="three large bodies")
                    for s in streams:
                        check(s.status == 200 and bytes(s.data) == LARGE, f"python-h2 tls={tls}: body differs")
                    ranged = c.get("/large.bin", headers=[("range", "bytes=1001-250000")])
                    check(ranged.status == 206 and bytes(ranged.data) == LARGE[1001:250001],
                          f"python-h2 tls={tls}: range {ranged.status}, {len(ranged.data)} octets")
            check(server.alive(), "the server died")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


def survives_partial_writes_when_client_reads_late(args):
    """Wide windows and a 4 KiB receive buffer that is not read for a while: the server's socket writes (gather lists
    of frame headers and referenced payloads) stop part-way through pieces, and must resume exactly there."""
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, {"large.bin": LARGE})
        with H2pushServer(args.binary, root, config_text=CONFIG) as server:
            for _ in range(3):
                with H2Client(server.http_port, tls=False, rcvbuf=4096, window=MAX_WINDOW, timeout=10) as c:
                    # 6 MiB asked for, more than the socket buffers hold (tcp_wmem allows 4 MiB at most), and
                    # nothing read for a while: the writes go partial.
                    streams = [c.streams[c.request("/large.bin")] for _ in range(20)]
                    time.sleep(0.3)
                    c.pump_until(lambda: all(s.done for s in streams), timeout=30, what="twenty large bodies")
                    for s in streams:
                        check(s.status == 200 and s.reset_code is None and bytes(s.data) == LARGE,
                              f"stream {s.stream_id}: {len(s.data)} octets, not the file")
            check(server.alive(), "the server died")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


def keeps_body_coherent_when_file_is_rewritten(args):
    new = pseudo_random_bytes(len(LARGE) + 999, seed=73)
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, {"large.bin": LARGE})
        path = os.path.join(root, "large.bin")
        config = CONFIG + 'open_file_cache_validity = "0s"\n'  # every request looks at the disk
        with H2pushServer(args.binary, root, config_text=config) as server:
            # A slow reader: a 4 KiB socket buffer, 16 KiB windows opened only as the test decides.
            slow = H2Client(server.http_port, tls=False, rcvbuf=4096, auto_ack=False, timeout=10)
            try:
                sid = slow.request("/large.bin")
                stream = slow.streams[sid]
                slow.pump_until(lambda: len(stream.data) > 0, what="the first DATA")
                # The file changes on disk (in place: truncated and rewritten), and another client gets the new one:
                # the cache has dropped the old buffer, which the slow connection still references.
                with open(path, "wb") as f:
                    f.write(new)
                with H2Client(server.http_port, tls=False, window=MAX_WINDOW) as other:
                    fresh = other.get("/large.bin", timeout=20)
                    check(fresh.status == 200 and bytes(fresh.data) == new, "another client did not get the new file")
                # Now the slow reader opens its windows 16 KiB at a time, reading in between.
                deadline = time.monotonic() + 30
                opened = 0
                while not stream.done and time.monotonic() < deadline and opened < 4 * len(new):
                    granted = 16 * 1024
                    slow.conn.increment_flow_control_window(granted)
                    slow.conn.increment_flow_control_window(granted, stream_id=sid)
                    slow.flush()
                    opened += granted
                    before = len(stream.data)
                    try:
                        slow.pump_until(lambda: stream.done or len(stream.data) > before, timeout=5,
                                        what="more of the slow body")
                    except AssertionError:
                        break
                check(stream.done, f"the slow body neither ended nor was reset ({len(stream.data)} octets)")
                data = bytes(stream.data)
                if stream.reset_code is None:
                    check(data == LARGE, f"the slow body is not the old file whole ({len(data)} octets, "
                          f"{'a prefix of the new one' if new.startswith(data[:4096]) else 'mixed or corrupt'})")
                else:  # a clean reset is acceptable; what came before it must be the old file's start
                    check(LARGE.startswith(data), f"reset {stream.reset_code} after octets that are not the old file's")
                print(f"slow reader: {len(data)} octets, reset {stream.reset_code}", flush=True)
            finally:
                slow.close()
            check(server.alive(), "the server died")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


def h2load_smoke_over_h2c(args):
    require_peer("h2load")
    requests = 2000
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, {"medium.bin": MEDIUM})
        with H2pushServer(args.binary, root) as server:
            result = run_peer(["h2load", "-n", str(requests), "-c", "10", "-m", "10", "-T", "20", "-N", "20",
                               server.url("/medium.bin", tls=False)], timeout=90)
            text = result.stdout.decode("utf-8", "replace")
            check(result.returncode == 0, f"h2load exited {result.returncode}: {result.stderr.decode()[-500:]!r}")
            check(re.search(r"^Application protocol: h2c$", text, re.MULTILINE) is not None, "h2load did not use h2c")
            m = re.search(r"^requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                          r"(\d+) errored, (\d+) timeout$", text, re.MULTILINE)
            check(m is not None, f"no summary in h2load's output: {text[-800:]!r}")
            total, done, succeeded, failed, errored, timeout = map(int, m.groups())
            check((total, done, succeeded) == (requests,) * 3 and (failed, errored, timeout) == (0, 0, 0),
                  f"h2load: {m.group(0)}")
            t = re.search(r"^traffic: .*?, [\d.]+\w*B \((\d+)\) data$", text, re.MULTILINE)
            check(t is not None and int(t.group(1)) == requests * len(MEDIUM),
                  f"body octets {t and t.group(1)}, expected {requests * len(MEDIUM)}")
            check(server.alive(), "the server died under load")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


TESTS = [
    ("ServerReferenceTest.FetchesLargeCachedFileByteForByteWithNghttpCurlAndPythonH2",
     fetches_large_cached_file_byte_for_byte),
    ("ServerReferenceTest.SurvivesPartialWritesWhenClientReadsLate", survives_partial_writes_when_client_reads_late),
    ("ServerReferenceTest.KeepsBodyCoherentWhenFileIsRewrittenMidTransfer", keeps_body_coherent_when_file_is_rewritten),
    ("ServerReferenceTest.ServesH2loadSmokeOverH2cWithoutFailures", h2load_smoke_over_h2c),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=100)
