#!/usr/bin/python3
"""curl through `h2push relay` to `h2push serve`: the CLI prints where it listens, shapes what goes through it
(a new connection costs the handshake round trip, TLS 1.3 one more, each request one; a file takes at least its
size over the bandwidth), refuses bad values with exit status 2 and stops with status 0 on SIGINT. Time checks are
lower bounds (the relay never releases data early) with generous upper bounds."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2pushServer, Relay, check, pseudo_random_bytes, run_peer, run_tests,  # noqa: E402
                           write_tree)

FILES = {"small.txt": b"through the relay\n", "big.bin": pseudo_random_bytes(300 * 1000, seed=21)}
SLACK = 3.0  # seconds on top of a lower bound before a time is judged wrong


def curl_timed(args):
    """curl with -w timings; returns (dict of timings in seconds and the HTTP version, body)."""
    with tempfile.NamedTemporaryFile() as body:
        result = run_peer(["curl", "--silent", "--show-error", "--max-time", "30", "-o", body.name, "-w",
                           "%{http_version} %{time_appconnect} %{time_starttransfer} %{time_total}"] + args,
                          timeout=40)
        check(result.returncode == 0, f"curl {args} exited {result.returncode}: {result.stderr.decode()!r}")
        version, appconnect, first_byte, total = result.stdout.decode().split()
        return {"version": version, "appconnect": float(appconnect), "first_byte": float(first_byte),
                "total": float(total)}, body.read()


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(args, server)
    return run


@with_server
def costs_handshake_tls_and_request_round_trips(args, server):
    with Relay(args.binary, server.https_port, ["--rtt", "100ms"]) as relay:
        tls = ["--cacert", server.cert_file, "--resolve", f"localhost:{relay.port}:127.0.0.1"]
        times, body = curl_timed(["--http2"] + tls + [f"https://localhost:{relay.port}/small.txt"])
        check(body == FILES["small.txt"], f"body {body!r}")
        check(times["version"] == "2", f"HTTP version {times['version']}")
        # TCP handshake (1 rtt) + TLS 1.3 (1 rtt), then the request (1 rtt).
        check(times["appconnect"] >= 0.2, f"TLS ready after {times['appconnect']} s, expected >= 0.2 s")
        check(times["first_byte"] >= 0.3, f"first byte after {times['first_byte']} s, expected >= 0.3 s")
        check(times["total"] < 0.3 + SLACK, f"took {times['total']} s")
        check(relay.stop() == 0, "the relay did not exit 0 on SIGINT")
        check("relay stopped: 1 connections" in relay.output(), f"no summary line: {relay.output()!r}")


@with_server
def costs_two_round_trips_for_a_cleartext_request(args, server):
    with Relay(args.binary, server.http_port, ["--rtt", "100ms", "--bw", "100mbit"]) as relay:
        times, body = curl_timed(["--http1.1", f"http://127.0.0.1:{relay.port}/small.txt"])
        check(body == FILES["small.txt"], f"body {body!r}")
        check(0.2 <= times["total"] < 0.2 + SLACK, f"took {times['total']} s, expected 2 round trips of 0.1 s")


@with_server
def takes_at_least_size_over_bandwidth(args, server):
    with Relay(args.binary, server.http_port, ["--rtt", "20ms", "--bw", "2mbit", "--no-slow-start"]) as relay:
        times, body = curl_timed(["--http1.1", f"http://127.0.0.1:{relay.port}/big.bin"])
        check(body == FILES["big.bin"], f"a body of {len(body)} octets differs from the file")
        floor = len(FILES["big.bin"]) * 8 / 2e6 + 0.04
        check(floor <= times["total"] < floor + SLACK, f"took {times['total']} s, expected >= {floor:.2f} s")


def refuses_bad_values_with_status_2(args):
    cases = [
        (["--to", "127.0.0.1:80", "--rtt", "100"], "--rtt: duration '100' needs a unit"),
        (["--to", "127.0.0.1:80", "--bw", "10mbps"], "--bw: ambiguous bandwidth unit"),
        (["--to", "127.0.0.1"], "--to: expected HOST:PORT"),
        (["--to", "127.0.0.1:0"], "--to: the target port cannot be 0"),
        (["--rtt", "10ms"], "--to is required"),
    ]
    for flags, message in cases:
        result = run_peer([args.binary, "relay"] + flags, timeout=10)
        text = result.stderr.decode() + result.stdout.decode()
        check(result.returncode == 2, f"{flags}: exit {result.returncode}, expected 2: {text!r}")
        check(message in text, f"{flags}: expected {message!r} in {text!r}")


TESTS = [
    ("RelayCurlTest.CostsHandshakeTlsAndRequestRoundTripsWhenHttp2OverTls",
     costs_handshake_tls_and_request_round_trips),
    ("RelayCurlTest.CostsTwoRoundTripsWhenCleartextRequestOnNewConnection",
     costs_two_round_trips_for_a_cleartext_request),
    ("RelayCurlTest.TakesAtLeastSizeOverBandwidthWhenLimited", takes_at_least_size_over_bandwidth),
    ("RelayCurlTest.ExitsWithStatus2WhenValuesAreBad", refuses_bad_values_with_status_2),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
