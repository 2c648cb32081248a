#!/usr/bin/python3
"""`h2push proxy`'s keep-alive pool to an HTTP/1.1 upstream (pool_max_idle), seen from the upstream.

The upstream here is in-process: it counts the TCP connections it accepts and holds every response of a burst
until the whole burst (N requests) has arrived, so a burst of N concurrent requests needs N upstream connections at
once, without any timing. A second burst must then reuse the pooled connections: no new one with the default pool,
N - pool_max_idle new ones with a small pool.
"""

import os
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import LOOPBACK, H2Client, check, run_tests  # noqa: E402
from proxy_support import Process  # noqa: E402

BURST = 24  # more than the 16 idle connections the pool used to keep
HOLD_SECONDS = 20  # a burst that never completes is answered 503 after this (the test then fails)


class CountingUpstream:
    def __init__(self, burst):
        self.burst = burst
        self.accepted = 0
        self.arrived = 0
        self.lock = threading.Condition()
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        data = b""
        with sock:
            for _ in range(10_000):
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                data = data.split(b"\r\n\r\n", 1)[1]
                with self.lock:
                    self.arrived += 1
                    self.lock.notify_all()
                    complete = self.lock.wait_for(lambda: self.arrived % self.burst == 0, HOLD_SECONDS)
                status = b"200 OK" if complete else b"503 Service Unavailable"
                sock.sendall(b"HTTP/1.1 " + status + b"\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok")

    def close(self):
        self.listener.close()


def run_bursts(binary, route_extra):
    """Two bursts of BURST concurrent GETs through the proxy; the upstream's accepted count after each."""
    upstream = CountingUpstream(BURST)
    with tempfile.TemporaryDirectory(prefix="h2push-proxypool-") as d:
        config = os.path.join(d, "proxy.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'[[proxy]]\nupstream = "http://127.0.0.1:{upstream.port}"\nlearn = false\n{route_extra}')
        proxy = Process([binary, "proxy", "--config", config, "--http", f"{LOOPBACK}:0", "--workers", "1"], d, "proxy")
        try:
            port = int(proxy.wait_for(r"http://127\.0\.0\.1:(\d+)/").group(1))
            counts = []
            with H2Client(port, tls=False) as client:
                for burst in range(2):
                    ids = [client.request(f"/x{burst}-{i}") for i in range(BURST)]
                    client.pump_until(lambda: all(client.streams[i].done for i in ids), HOLD_SECONDS + 10,
                                      f"burst {burst}")
                    statuses = [client.streams[i].status for i in ids]
                    check(statuses == [200] * BURST, f"burst {burst}: statuses {statuses}")
                    counts.append(upstream.accepted)
            return counts
        finally:
            proxy.end()
            upstream.close()


def test_default_pool_reuses_every_connection(args):
    counts = run_bursts(args.binary, "")
    check(counts == [BURST, BURST], f"upstream connections after each burst: {counts}, want [{BURST}, {BURST}]")


def test_small_pool_keeps_pool_max_idle(args):
    counts = run_bursts(args.binary, "pool_max_idle = 4\n")
    want = [BURST, BURST + BURST - 4]
    check(counts == want, f"upstream connections after each burst: {counts}, want {want}")


if __name__ == "__main__":
    run_tests([
        ("DefaultPoolReusesEveryConnection", test_default_pool_reuses_every_connection),
        ("SmallPoolKeepsPoolMaxIdle", test_small_pool_keeps_pool_max_idle),
    ], "h2push proxy: the keep-alive pool to an HTTP/1.1 upstream")
