#!/usr/bin/python3
"""`h2push proxy` with an h2c:// route (HTTP/2 prior knowledge to the upstream) in front of
tests/interop/proxy_h2c_app.py (python-h2).

Requests from several clients are multiplexed over one upstream connection (the app counts its connections and
overlaps its answers); 103s, big bodies, uploads (20 MiB, bounded proxy memory) and resets pass through; a dead
upstream gives 502.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2Client, check, pseudo_random_bytes, run_tests  # noqa: E402
from proxy_faults_test import (RSS_GROWTH_BOUND_KIB, Stack, h2_upload, http1_exchange,  # noqa: E402
                               dechunk)

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_h2c_app.py")


def h2c_stack(binary, **kwargs):
    return Stack(binary, app=APP, scheme="h2c", **kwargs)


def echo_of(data):
    import hashlib
    return f"length={len(data)} sha256={hashlib.sha256(data).hexdigest()}".encode()


def test_requests_share_one_upstream_connection(args):
    with h2c_stack(args.binary, app_args=["--delay-ms", "300"]) as stack:
        with H2Client(stack.port, tls=False) as a, H2Client(stack.tls_port, tls=True) as b:
            streams = [a.streams[a.request("/page")] for _ in range(4)] + [b.streams[b.request("/page")]]
            started = time.monotonic()
            deadline = started + 10
            while not all(s.done for s in streams) and time.monotonic() < deadline:
                for client in (a, b):
                    try:
                        client.read_once(0.05)
                    except TimeoutError:
                        pass
            check(all(s.done for s in streams), "not every response came")
            for s in streams:
                check(s.status == 200 and b"served over h2c" in bytes(s.data), f"{s.status} {bytes(s.data)!r}")
                check(s.header("via") == "2 h2push", f"via {s.header('via')}")
            connections = [line for line in stack.app_log() if line.startswith("connection ")]
            check(connections == ["connection 1"], f"upstream connections: {connections}")
            streams_seen = [line for line in stack.app_log() if line.startswith("stream /page 1")]
            check(len(streams_seen) == 5, f"streams on connection 1: {streams_seen}")
            hinted = a.get("/hints")
            check(hinted.status == 200 and hinted.informational, f"103: {hinted.informational}")
            big = a.get("/big")
            check(bytes(big.data) == b"b" * (1024 * 1024), f"big body: {len(big.data)} octets")


def test_a_slow_client_holds_back_only_its_own_stream(args):
    with h2c_stack(args.binary) as stack:
        with H2Client(stack.port, tls=False, window=16384, auto_ack=False) as slow:
            sid = slow.request("/big")
            slow.pump_until(lambda: slow.streams[sid].status is not None, what="the head of /big")
            with H2Client(stack.port, tls=False) as fast:
                for _ in range(3):
                    big = fast.get("/big")
                    check(bytes(big.data) == b"b" * (1024 * 1024), f"fast client: {len(big.data)} octets")
            check(len(slow.streams[sid].data) < 1024 * 1024 and not slow.streams[sid].done, "the slow one finished")
            connections = [line for line in stack.app_log() if line.startswith("connection ")]
            check(connections == ["connection 1"], f"upstream connections: {connections}")


def test_uploads_stream_to_an_h2c_upstream(args):
    data = pseudo_random_bytes(20 * 1024 * 1024, seed=11)
    with h2c_stack(args.binary) as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "warm-up")
            before = stack.peak_rss_kib()
            stream = h2_upload(client, "/echo", data)
            check(bytes(stream.data) == echo_of(data), f"h2 upload: {bytes(stream.data)!r}")
            growth = stack.peak_rss_kib() - before
            check(growth < RSS_GROWTH_BOUND_KIB, f"peak RSS grew by {growth} KiB for a 20 MiB upload")
            print(f"h2c upstream, 20 MiB upload: proxy peak RSS +{growth} KiB")
        small = data[:2_000_000]
        head = f"POST /echo HTTP/1.1\r\nhost: a\r\ncontent-length: {len(small)}\r\n\r\n".encode()
        status, fields, body, _ = http1_exchange(stack.port, head, small)
        if fields.get("transfer-encoding") == "chunked":
            body = dechunk(body)
        check(status == 200 and body == echo_of(small), f"HTTP/1.1 upload: {status} {body!r}")


def test_resets_and_a_dead_upstream(args):
    with h2c_stack(args.binary) as stack:
        with H2Client(stack.port, tls=False) as client:
            reset = client.get("/reset")
            check(reset.status == 200 and reset.reset_code is not None, f"reset: {reset.status} {reset.reset_code}")
            check(client.get("/page").status == 200, "the page after a reset")
        with H2Client(stack.port, tls=False, window=16384, auto_ack=False) as slow:
            sid = slow.request("/big")  # 1 MiB: stuck behind our closed window
            slow.pump_until(lambda: slow.streams[sid].status is not None, what="the head of /big")
            slow.reset(sid)  # the client leaves: the proxy cancels the upstream stream, not the connection
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "the page after a client left")
            connections = [line for line in stack.app_log() if line.startswith("connection ")]
            check(connections == ["connection 1"], f"a client leaving cost the upstream connection: {connections}")
            stack.app.end()
            check(client.get("/page").status == 502, "a dead upstream: not 502")
            check(client.get("/page").status == 502, "a dead upstream, again: not 502")


def test_idle_connection_closed_after_pool_idle_timeout(args):
    with h2c_stack(args.binary, route_extra='pool_idle_timeout = "300ms"\n') as stack:
        with H2Client(stack.port, tls=False) as client:
            check(client.get("/page").status == 200, "first page")
            check(client.get("/page").status == 200, "second page, at once")
            check([l for l in stack.app_log() if l.startswith("connection ")] == ["connection 1"], "one connection")
            time.sleep(1.0)  # past pool_idle_timeout: the proxy closed the connection
            check(client.get("/page").status == 200, "the page after the idle close")
            connections = [l for l in stack.app_log() if l.startswith("connection ")]
            check(connections == ["connection 1", "connection 2"], f"upstream connections: {connections}")


if __name__ == "__main__":
    run_tests([
        ("RequestsShareOneUpstreamConnection", test_requests_share_one_upstream_connection),
        ("ASlowClientHoldsBackOnlyItsOwnStream", test_a_slow_client_holds_back_only_its_own_stream),
        ("UploadsStreamToAnH2cUpstream", test_uploads_stream_to_an_h2c_upstream),
        ("ResetsAndADeadUpstream", test_resets_and_a_dead_upstream),
        ("IdleConnectionClosedAfterPoolIdleTimeout", test_idle_connection_closed_after_pool_idle_timeout),
    ], "h2push proxy with an h2c:// upstream")
