#!/usr/bin/python3
"""Slow readers (SECURITY.md §6) against `h2push serve`: clients with a 4 KiB socket receive buffer ask for a 16 MiB
file — over h2c with three streams and windows opened to 2^31-1, over h2 with TLS, and over HTTP/1.1 — and then stop
reading. Meanwhile fresh clients on every protocol are served normally and get the right bytes, and the server's
resident memory grows by a few MiB at most (it would grow by the file size per stream if it buffered what it
cannot send). Finally one stalled download resumes and arrives intact. No timing assertions beyond generous
timeouts."""

import hashlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, Http1Connection, check, pseudo_random_bytes,  # noqa: E402
                           run_tests, write_tree)

MIB = 1024 * 1024
BIG = pseudo_random_bytes(16 * MIB, seed=61)
FILES = {"big.bin": BIG, "medium.bin": pseudo_random_bytes(MIB, seed=62), "small.txt": b"small and quick\n"}
MAX_WINDOW = 2**31 - 1
RCVBUF = 4096
RSS_BUDGET_KIB = 8 * 1024  # growth allowed over all slow readers (they asked for 5 x 16 MiB)


def serve_normal_clients(server, rounds=5):
    """Fresh connections on every protocol: small and medium files, each checked; bounded by the I/O timeouts."""
    for tls in (True, False):
        with H2Client(server.https_port if tls else server.http_port, tls=tls, cafile=server.cert_file,
                      timeout=10) as c:
            for _ in range(rounds):
                r = c.get("/small.txt", timeout=10)
                check(r.status == 200 and bytes(r.data) == FILES["small.txt"], f"h2 tls={tls}: small.txt {r.status}")
            r = c.get("/medium.bin", timeout=10)
            check(r.status == 200 and bytes(r.data) == FILES["medium.bin"], f"h2 tls={tls}: medium.bin corrupted")
    for tls in (True, False):
        with Http1Connection(server.https_port if tls else server.http_port, tls=tls, timeout=10) as c:
            for path in ["/small.txt"] * rounds + ["/medium.bin"]:
                c.send(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                r = c.read_response()
                check(r.status == 200 and r.body == FILES[path.lstrip("/")], f"HTTP/1.1 tls={tls}: {path} {r!r}")


def rss_kib(server, samples=4, interval=0.1):
    """The largest VmRSS over a few samples (the server keeps working meanwhile)."""
    best = 0
    for _ in range(samples):
        best = max(best, server.status_kib("VmRSS"))
        time.sleep(interval)
    return best


def bounds_memory_while_clients_stop_reading(args):
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        with H2pushServer(args.binary, root) as server:
            serve_normal_clients(server)  # warm-up: caches, allocator arenas, TLS contexts
            baseline = rss_kib(server)

            # Slow reader 1: h2c, three streams for the big file, every window wide open, then no more reads.
            slow_h2c = H2Client(server.http_port, tls=False, rcvbuf=RCVBUF, window=MAX_WINDOW, timeout=10)
            streams = [slow_h2c.request("/big.bin") for _ in range(3)]
            slow_h2c.pump_until(lambda: any(slow_h2c.streams[s].data for s in streams), what="the first DATA")
            # Slow reader 2: h2 over TLS, one stream, same windows.
            slow_tls = H2Client(server.https_port, tls=True, cafile=server.cert_file, rcvbuf=RCVBUF,
                                window=MAX_WINDOW, timeout=10)
            tls_stream = slow_tls.request("/big.bin")
            slow_tls.pump_until(lambda: len(slow_tls.streams[tls_stream].data) > 0, what="the first DATA over TLS")
            # Slow reader 3: HTTP/1.1, one request, the first octets read.
            slow_h1 = Http1Connection(server.http_port, rcvbuf=RCVBUF, timeout=10)
            slow_h1.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            slow_h1.sock.recv(1024)
            try:
                time.sleep(0.5)  # let the server fill whatever it is going to fill
                stalled = rss_kib(server)

                serve_normal_clients(server)  # others are served while the slow readers hold their connections
                check(server.alive(), "the server died with slow readers connected")
                after = rss_kib(server)
                growth = max(stalled, after) - baseline
                print(f"VmRSS: {baseline} KiB before, {stalled} KiB with slow readers, {after} KiB after the "
                      f"others were served: +{growth} KiB", flush=True)
                check(growth < RSS_BUDGET_KIB,
                      f"the server grew by {growth} KiB (budget {RSS_BUDGET_KIB}) while clients did not read")

                # The stalled TLS download resumes and arrives intact.
                stream = slow_tls.streams[tls_stream]
                slow_tls.pump_until(lambda: stream.done, timeout=60, what="the rest of the stalled TLS download")
                check(stream.status == 200 and stream.reset_code is None, f"resumed: {stream.status}")
                check(hashlib.sha256(stream.data).digest() == hashlib.sha256(BIG).digest(),
                      f"the resumed download is not intact ({len(stream.data)} octets)")
            finally:
                slow_h2c.close()
                slow_tls.close()
                slow_h1.close()
            serve_normal_clients(server, rounds=1)
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


TESTS = [
    ("ServerSlowReaderTest.ServesOthersAndBoundsMemoryWhenClientsStopReading",
     bounds_memory_while_clients_stop_reading),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=100)
