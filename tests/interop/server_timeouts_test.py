#!/usr/bin/python3
"""Timeouts of `h2push serve` (docs/configuration.md `[timeouts]`, SECURITY.md §6), each shrunk by a test config so
the test is quick: the send timeout (an HTTP/2 stream whose window stays closed gets RST_STREAM(CANCEL); a connection
whose window stays closed gets GOAWAY(ENHANCE_YOUR_CALM); a client that stops reading, HTTP/2 or HTTP/1.1, is cut),
while other clients are served meanwhile; the TLS handshake, request header, HTTP/2 idle, HTTP/1.1 keep-alive and
SETTINGS ACK timeouts; the graceful shutdown's deadline. Every case asserts what the peer sees (frames, status, the
connection closing) and the error log line; waits are bounded, and nothing asserts speed."""

import os
import socket
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (LOOPBACK, H2Client, H2pushServer, Http1Connection, RawH2Client, check,  # noqa: E402
                           pseudo_random_bytes, run_tests, write_tree)

import h2.errors  # noqa: E402  (importable: h2push_server checked)
import h2.settings  # noqa: E402

MIB = 1024 * 1024
FILES = {"big.bin": pseudo_random_bytes(16 * MIB, seed=71), "medium.bin": pseudo_random_bytes(300 * 1024, seed=72),
         "small.txt": b"served while others stall\n"}
MAX_WINDOW = 2**31 - 1
CANCEL = h2.errors.ErrorCodes.CANCEL
ENHANCE_YOUR_CALM = h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
SETTINGS_TIMEOUT = h2.errors.ErrorCodes.SETTINGS_TIMEOUT
NO_ERROR = h2.errors.ErrorCodes.NO_ERROR

CONFIG = """
[timeouts]
send = "1s"
tls_handshake = "500ms"
request_header = "500ms"
idle = "1s"
keep_alive = "500ms"
settings_ack = "1s"
[logging]
error_log = "error.log"
level = "info"
"""


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root, config_text=CONFIG) as server:
                test(server)
                check(server.alive(), "the server died")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


def error_log(server):
    path = os.path.join(server.dir, "error.log")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def wait_for_log(server, fragment, timeout=10.0):
    """Waits until the error log holds `fragment`; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while fragment not in error_log(server):
        check(time.monotonic() < deadline, f"no {fragment!r} in the error log within {timeout} s: "
                                           f"{error_log(server)[-2000:]!r}")
        time.sleep(0.05)


def serve_others(server):
    """Fresh clients on h2 (TLS), h2c and HTTP/1.1 get their files while the slow ones stall."""
    for tls in (True, False):
        with H2Client(server.https_port if tls else server.http_port, tls=tls, cafile=server.cert_file) as c:
            r = c.get("/small.txt")
            check(r.status == 200 and bytes(r.data) == FILES["small.txt"], f"h2 tls={tls}: small.txt {r.status}")
            r = c.get("/medium.bin")
            check(r.status == 200 and bytes(r.data) == FILES["medium.bin"], f"h2 tls={tls}: medium.bin corrupted")
    with Http1Connection(server.http_port, timeout=10) as c:
        c.send(b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        check(r.status == 200 and r.body == FILES["small.txt"], f"HTTP/1.1: small.txt {r!r}")


@with_server
def resets_stream_whose_window_stays_closed(server):
    # SETTINGS_INITIAL_WINDOW_SIZE = 0 and never a WINDOW_UPDATE: the response HEADERS go out, DATA never can.
    with H2Client(server.http_port, tls=False, window=0, auto_ack=False) as c:
        sid = c.request("/medium.bin")
        stream = c.streams[sid]
        c.pump_until(lambda: stream.headers is not None, what="the response HEADERS")
        check(stream.status == 200 and not stream.data, f"status {stream.status}, {len(stream.data)} octets")
        serve_others(server)  # while the stream is stalled
        c.pump_until(lambda: stream.reset_code is not None, timeout=10, what="RST_STREAM after the send timeout")
        check(stream.reset_code == CANCEL, f"RST_STREAM code {stream.reset_code}, expected CANCEL")
        check(c.goaway is None, f"the connection got GOAWAY {c.goaway} for a stalled stream")
        # The connection itself lives on: a PING is answered.
        c.ping(b"stillok!")
        c.pump_until(lambda: c.ping_acks, what="the PING ACK after the reset")
    wait_for_log(server, f"stream {sid} window stayed closed")


@with_server
def sends_goaway_when_connection_window_stays_closed(server):
    # Stream windows wide open, the connection window left at 65,535 and never replenished.
    with H2Client(server.http_port, tls=False, auto_ack=False) as c:
        c.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: MAX_WINDOW})
        c.flush()
        sid = c.request("/medium.bin")
        stream = c.streams[sid]
        c.pump_until(lambda: len(stream.data) >= 65535, what="the first connection window of DATA")
        serve_others(server)
        c.pump_until(lambda: c.goaway is not None, timeout=10, what="GOAWAY after the send timeout")
        check(c.goaway.error_code == ENHANCE_YOUR_CALM, f"GOAWAY code {c.goaway.error_code}, expected "
                                                        "ENHANCE_YOUR_CALM")
        check(c.wait_closed(timeout=10), "the connection was not closed after its GOAWAY")
        check(len(stream.data) < len(FILES["medium.bin"]), "the whole body arrived without a window")
    wait_for_log(server, "connection window stayed closed")


def cuts_client_that_stops_reading(protocol):
    @with_server
    def test(server):
        # A 4 KiB receive buffer, windows wide open, a 16 MiB file, and no more reads: the socket write stalls.
        if protocol == "h1":
            slow = Http1Connection(server.http_port, rcvbuf=4096, timeout=10)
            slow.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            slow.sock.recv(1024)
            sock = slow.sock
        else:
            slow = H2Client(server.https_port if protocol == "h2" else server.http_port, tls=protocol == "h2",
                            cafile=server.cert_file, rcvbuf=4096, window=MAX_WINDOW)
            sid = slow.request("/big.bin")
            slow.pump_until(lambda: slow.streams[sid].data, what="the first DATA")
            sock = slow.sock
        try:
            serve_others(server)
            wait_for_log(server, "the client took no octet")
            # Now read: what the kernel buffers still holds, then the end of the connection, short of the file.
            received = 0
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    chunk = sock.recv(1 << 20)
                except (ConnectionResetError, OSError):
                    chunk = b""
                if not chunk:
                    break
                received += len(chunk)
            else:
                check(False, "the connection was still open 20 s after the send timeout")
            check(received < len(FILES["big.bin"]), f"{received} octets arrived: the connection was not cut")
        finally:
            slow.close()
        serve_others(server)
    return test


def tls_handshake_times_out(server):
    with socket.create_connection((LOOPBACK, server.https_port), timeout=10) as s:
        s.settimeout(10)
        started = time.monotonic()
        try:
            data = s.recv(100)  # we never send a ClientHello
        except ConnectionResetError:
            data = b""
        check(data == b"", f"octets from the server before any ClientHello: {data!r}")
        check(time.monotonic() - started < 9, "the silent TLS connection was not closed")
    wait_for_log(server, "TLS handshake timeout")


def request_header_times_out(server):
    # Slowloris: a request head that never ends gets 408 and the connection closes.
    with Http1Connection(server.http_port, timeout=10) as c:
        c.send(b"GET /small.txt HTTP/1.1\r\nHost: x\r\n")
        check(c.wait_closed(timeout=10), "the connection with an unfinished request head was not closed")
        check(bytes(c.buffer).startswith(b"HTTP/1.1 408 "), f"answer to the unfinished head: {bytes(c.buffer)[:60]!r}")
    # A cleartext connection that sends nothing at all is closed too.
    with Http1Connection(server.http_port, timeout=10) as c:
        check(c.wait_closed(timeout=10), "the silent cleartext connection was not closed")
        check(not c.buffer, f"octets on the silent connection: {bytes(c.buffer)[:60]!r}")
    wait_for_log(server, "request header timeout")


def keep_alive_times_out(server):
    with Http1Connection(server.http_port, timeout=10) as c:
        c.send(b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        check(r.status == 200 and r.header("connection") != "close", f"first response {r!r}")
        check(c.wait_closed(timeout=10), "the idle keep-alive connection was not closed")
        check(not c.buffer, f"octets on the idle keep-alive connection: {bytes(c.buffer)[:60]!r}")


def http2_idle_times_out(server):
    with RawH2Client(server.https_port, tls=True, cafile=server.cert_file) as c:
        sid = c.request("/small.txt")
        c.pump_until(lambda: c.streams[sid].done, what="the response")
        c.pump_until(lambda: c.goaway is not None, timeout=10, what="GOAWAY on the idle connection")
        check(c.goaway.error_code == NO_ERROR and c.goaway.last_stream_id == sid, f"{c.goaway!r}")
        check(c.wait_closed(timeout=10), "the idle HTTP/2 connection was not closed after GOAWAY")


def settings_ack_times_out(server):
    # The client magic and a SETTINGS frame, but never the ACK of the server's SETTINGS.
    with socket.create_connection((LOOPBACK, server.http_port), timeout=10) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        buffer = bytearray()
        goaway = None
        deadline = time.monotonic() + 10
        while goaway is None and time.monotonic() < deadline:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= 9:
                length = int.from_bytes(buffer[:3], "big")
                if len(buffer) < 9 + length:
                    break
                frame_type, payload = buffer[3], bytes(buffer[9:9 + length])
                del buffer[:9 + length]
                if frame_type == 7:
                    goaway = struct.unpack(">II", payload[:8])
        check(goaway is not None, "no GOAWAY while our SETTINGS were never acknowledged")
        check(goaway[1] == SETTINGS_TIMEOUT, f"GOAWAY code {goaway[1]}, expected SETTINGS_TIMEOUT")
    wait_for_log(server, "SETTINGS_TIMEOUT")


@with_server
def closes_on_every_other_timeout(server):
    tls_handshake_times_out(server)
    request_header_times_out(server)
    keep_alive_times_out(server)
    http2_idle_times_out(server)
    settings_ack_times_out(server)
    serve_others(server)


def cuts_connections_at_shutdown_deadline(args):
    # A download stalled on a closed window (the send timeout is the default minute) outlives the graceful
    # shutdown: it gets the GOAWAYs, and is cut at timeouts.shutdown; the server then exits 0.
    config = '[timeouts]\nshutdown = "1s"\n[logging]\nerror_log = "error.log"\n'
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        with H2pushServer(args.binary, root, config_text=config) as server:
            with RawH2Client(server.http_port, tls=False, auto_ack=False) as c:
                c.send_frame(RawH2Client.SETTINGS, 0, 0, struct.pack(">HI", 0x4, 0))  # INITIAL_WINDOW_SIZE = 0
                sid = c.request("/medium.bin")
                c.pump_until(lambda: c.streams[sid].headers is not None, what="the response HEADERS")
                server.signal(15)
                c.pump_until(lambda: len(c.goaways) >= 2, timeout=10, what="both GOAWAYs")
                check(c.goaways[-1].last_stream_id == sid, f"GOAWAY frames {c.goaways!r}")
                check(c.wait_closed(timeout=10), "the stalled connection was not cut at the shutdown deadline")
                check(not c.streams[sid].done, "the stalled stream ended, yet its window never opened")
            code = server.wait(timeout=15)
            check(code == 0, f"the server exited with {code} after the shutdown deadline")
            wait_for_log(server, "shutdown deadline passed")


TESTS = [
    ("ServerTimeoutsTest.ResetsStreamWhenItsWindowStaysClosed", resets_stream_whose_window_stays_closed),
    ("ServerTimeoutsTest.SendsGoawayWhenConnectionWindowStaysClosed", sends_goaway_when_connection_window_stays_closed),
    ("ServerTimeoutsTest.ClosesWhenHttp11ClientStopsReading", cuts_client_that_stops_reading("h1")),
    ("ServerTimeoutsTest.ClosesWhenH2ClientStopsReading", cuts_client_that_stops_reading("h2")),
    ("ServerTimeoutsTest.ClosesWhenH2cClientStopsReading", cuts_client_that_stops_reading("h2c")),
    ("ServerTimeoutsTest.ClosesWhenHandshakeHeaderKeepAliveIdleOrSettingsAckTimesOut", closes_on_every_other_timeout),
    ("ServerTimeoutsTest.CutsStalledConnectionAtShutdownDeadline", cuts_connections_at_shutdown_deadline),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=90)
