#!/usr/bin/python3
"""Trailers through `h2push proxy`, and requests an h2c upstream refused retried.

python-h2 as the client in front of tests/interop/proxy_h2c_app.py (python-h2, h2c://): the app's response trailers
reach the client (a set-cookie among them dropped), the client's request trailers and `te: trailers` reach the app;
a stream the app refuses (REFUSED_STREAM) and one above its GOAWAY's last stream id are answered by a second
attempt on a new upstream connection. curl --http1.1 gets the trailers as a chunked trailer section, from the h2c
app and from tests/interop/proxy_fault_app.py (HTTP/1.1 chunked trailers).
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2Client, check, run_tests  # noqa: E402
from proxy_faults_test import Stack  # noqa: E402

H2C_APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "proxy_h2c_app.py")


def fields_of(pairs):
    return {(n.decode() if isinstance(n, bytes) else n): (v.decode() if isinstance(v, bytes) else v)
            for n, v in pairs or []}


def curl_raw(port, path):
    """curl --http1.1 --raw: the body as it came, chunked framing and trailer section included."""
    done = subprocess.run(["curl", "-sS", "--http1.1", "--raw", "-H", "TE: trailers", "--max-time", "10",
                           f"http://127.0.0.1:{port}{path}"], capture_output=True, timeout=20, check=False)
    check(done.returncode == 0, f"curl failed: {done.stderr!r}")
    return done.stdout


def test_trailers_both_ways_with_python_h2(args):
    with Stack(args.binary, app=H2C_APP, scheme="h2c") as stack:
        with H2Client(stack.port, tls=False) as client:
            grpc = client.get("/grpc")
            check(grpc.status == 200 and bytes(grpc.data) == b"grpc body", f"{grpc.status} {bytes(grpc.data)!r}")
            trailers = fields_of(grpc.trailers)
            check(trailers == {"grpc-status": "0", "grpc-message": "fine"}, f"response trailers: {trailers}")

            sid = client.request("/grpc-echo", method="POST", headers=[("te", "trailers")], end_stream=False)
            client.conn.send_data(sid, b"0123456789")
            client.conn.send_headers(sid, [("x-checksum", "c0ffee"), ("authorization", "secret")], end_stream=True)
            client.flush()
            client.pump_until(lambda: client.streams[sid].done, what="the /grpc-echo answer")
            echo = client.streams[sid]
            check(bytes(echo.data) == b"length=10", f"echo body: {bytes(echo.data)!r}")
            got = fields_of(echo.trailers)
            check(got.get("x-got-trailers") == "x-checksum=c0ffee", f"request trailers at the app: {got}")
            check(got.get("x-got-te") == "trailers", f"te at the app: {got}")
    print("python-h2: response trailers forwarded (set-cookie dropped), request trailers and te: trailers reached"
          " the app")


def test_curl_http11_sees_a_chunked_trailer_section(args):
    with Stack(args.binary, app=H2C_APP, scheme="h2c") as stack:
        raw = curl_raw(stack.port, "/grpc")
        check(raw.endswith(b"0\r\ngrpc-status: 0\r\ngrpc-message: fine\r\n\r\n"), f"from h2c: {raw!r}")
    with Stack(args.binary) as stack:  # proxy_fault_app.py: HTTP/1.1 chunked trailers
        raw = curl_raw(stack.port, "/trailers")
        check(raw.startswith(b"5\r\nhello\r\n"), f"from HTTP/1.1: {raw!r}")
        check(raw.endswith(b"0\r\ngrpc-status: 0\r\ngrpc-message: all good\r\n\r\n"), f"from HTTP/1.1: {raw!r}")
        check(b"dropped=1" not in raw, f"set-cookie passed: {raw!r}")


def test_refused_requests_are_retried_on_a_new_connection(args):
    with Stack(args.binary, app=H2C_APP, scheme="h2c") as stack:
        with H2Client(stack.port, tls=False) as client:
            refused = client.get("/refuse-once")
            check(refused.status == 200 and bytes(refused.data) == b"attempt 2",
                  f"refused once: {refused.status} {bytes(refused.data)!r}")
            connections = [line for line in stack.app_log() if line.startswith("connection ")]
            check(connections == ["connection 1", "connection 2"], f"after REFUSED_STREAM: {connections}")
            goaway = client.get("/goaway-once")
            check(goaway.status == 200 and bytes(goaway.data) == b"attempt 2",
                  f"GOAWAY once: {goaway.status} {bytes(goaway.data)!r}")
            streams = [line for line in stack.app_log() if line.startswith("stream /goaway-once")]
            check(streams == ["stream /goaway-once 2", "stream /goaway-once 3"], f"GOAWAY retry: {streams}")
            check(client.get("/page").status == 200, "the page afterwards")


if __name__ == "__main__":
    run_tests([
        ("TrailersBothWaysWithPythonH2", test_trailers_both_ways_with_python_h2),
        ("CurlHttp11SeesAChunkedTrailerSection", test_curl_http11_sees_a_chunked_trailer_section),
        ("RefusedRequestsAreRetriedOnANewConnection", test_refused_requests_are_retried_on_a_new_connection),
    ], "trailers through h2push proxy, refused h2 requests retried")
