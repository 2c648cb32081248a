#!/usr/bin/python3
"""Python h2 (Debian's python3-h2) on a raw socket against `h2push serve`: TLS with ALPN h2 (certificate verified)
and h2c with prior knowledge. Requests and responses; a RST_STREAM from the client in the middle of a body leaves
the connection usable; PING is acknowledged with its payload; on SIGTERM (and SIGINT) an open connection gets the
two-step GOAWAY(NO_ERROR) of RFC 9113 §6.8 (2^31-1 and a PING, then the last stream processed: a stream opened in
between is served), an in-flight download still completes, and the server exits 0."""

import hashlib
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2Client, H2pushServer, RawH2Client, check, port_accepts, pseudo_random_bytes,  # noqa: E402
                           run_tests, write_tree)

import h2.errors  # noqa: E402  (importable: h2push_server checked)
import h2.settings  # noqa: E402

MIB = 1024 * 1024
FILES = {
    "small.txt": b"small file served to python-h2\n",
    "nested/dir/medium.bin": pseudo_random_bytes(200 * 1024 + 1, seed=31),
    "big.bin": pseudo_random_bytes(5 * MIB, seed=32),
}
NO_ERROR = h2.errors.ErrorCodes.NO_ERROR


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(server)
    return run


def client(server, tls, **kwargs):
    if tls:
        return H2Client(server.https_port, tls=True, cafile=server.cert_file, **kwargs)
    return H2Client(server.http_port, tls=False, **kwargs)


def check_file_response(stream, path):
    want = FILES[path.lstrip("/")]
    check(stream.reset_code is None, f"{path}: stream reset with code {stream.reset_code}")
    check(stream.status == 200, f"{path}: status {stream.status}, headers {stream.headers!r}")
    check(stream.header("content-length") == str(len(want)),
          f"{path}: content-length {stream.header('content-length')!r}, expected {len(want)}")
    check(stream.header("date") is not None and stream.header("etag") is not None, f"{path}: no date or etag")
    check(bytes(stream.data) == want, f"{path}: {len(stream.data)} body octets differ from the {len(want)}-octet file")


def requests_and_responses(tls):
    @with_server
    def test(server):
        with client(server, tls) as c:
            c.pump_until(lambda: c.settings_acked and c.remote_settings, what="the SETTINGS exchange")
            check(c.remote_settings.get(h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS, 0) >= 100,
                  f"SETTINGS_MAX_CONCURRENT_STREAMS below 100: {c.remote_settings!r}")
            for path in ("/small.txt", "/nested/dir/medium.bin", "/big.bin"):
                check_file_response(c.get(path), path)
            # Several streams at once, answered on their own streams.
            ids = [c.request(p) for p in ("/big.bin", "/small.txt", "/nested/dir/medium.bin", "/small.txt")]
            c.pump_until(lambda: all(c.streams[i].done for i in ids), what="four concurrent responses")
            for i, path in zip(ids, ("/big.bin", "/small.txt", "/nested/dir/medium.bin", "/small.txt")):
                check_file_response(c.streams[i], path)
            missing = c.get("/missing.txt")
            check(missing.status == 404, f"/missing.txt: status {missing.status}")
            check(c.goaway is None, f"unexpected GOAWAY {c.goaway}")
        check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return test


def stays_usable_after_client_reset(tls):  # SE(CANCEL) touches one stream only (RFC 9113 §5.4.2, §6.4)
    @with_server
    def test(server):
        with client(server, tls) as c:
            sid = c.request("/big.bin")
            stream = c.streams[sid]
            c.pump_until(lambda: len(stream.data) > 0 or stream.done, what="the first DATA of /big.bin")
            check(not stream.done, "the 5 MiB body ended before the client could reset it")
            c.reset(sid, h2.errors.ErrorCodes.CANCEL)
            received_at_reset = len(stream.data)
            check(received_at_reset < len(FILES["big.bin"]), "the whole body arrived before the reset")
            # The same connection serves another request, answers PING, and is not torn down.
            check_file_response(c.get("/nested/dir/medium.bin"), "/nested/dir/medium.bin")
            c.ping(b"afterrst")
            c.pump_until(lambda: b"afterrst" in c.ping_acks, what="the PING ACK after the reset")
            check_file_response(c.get("/small.txt"), "/small.txt")
            check(c.goaway is None, f"the reset cost the connection: GOAWAY {c.goaway}")
            check(stream.reset_code is None, f"the server reset the cancelled stream itself ({stream.reset_code})")
        check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return test


def answers_ping(tls):  # H2-6.7-01 (RFC 9113 §6.7)
    @with_server
    def test(server):
        with client(server, tls) as c:
            payloads = [b"\x00" * 8, b"pingpong", bytes(range(8)), b"\xff" * 8]
            for p in payloads:
                c.ping(p)
            c.pump_until(lambda: len(c.ping_acks) >= len(payloads), what="four PING ACKs")
            check(c.ping_acks == payloads, f"PING ACK payloads {c.ping_acks!r}, expected {payloads!r}")
            check_file_response(c.get("/small.txt"), "/small.txt")
        check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return test


def sends_goaway_on_shutdown(tls, signum=signal.SIGTERM):  # H2-6.8-03, H2-6.8-04 (RFC 9113 §6.8)
    @with_server
    def test(server):
        # python-h2 ends its connection on the first GOAWAY and then fails on the PING that follows, so this is the
        # raw frame client (h2push_server.RawH2Client); it answers the server's PING only once it has opened stream 3.
        port = server.https_port if tls else server.http_port
        with RawH2Client(port, tls=tls, cafile=server.cert_file, auto_ping_ack=False) as c:
            first = c.request("/small.txt")  # stream 1: processed
            c.pump_until(lambda: c.streams[first].done, what="the response on stream 1")
            check(c.streams[first].status == 200, f"stream 1: status {c.streams[first].status}")
            server.signal(signum)
            c.pump_until(lambda: c.goaway is not None and c.pings, timeout=10,
                         what=f"GOAWAY and PING after {signum!r}")
            check(c.frames[:2] == [("GOAWAY", 2**31 - 1), ("PING", c.pings[0])],
                  f"the shutdown starts with {c.frames[:2]!r}, expected GOAWAY(2^31-1) then a PING")
            # A request the client sent before it saw the first GOAWAY: still processed.
            between = c.request("/small.txt")
            c.ping_ack(c.pings[0])
            c.pump_until(lambda: c.streams[between].done and len(c.goaways) >= 2, timeout=10,
                         what="the response on stream 3 and the final GOAWAY")
            check(c.streams[between].status == 200 and bytes(c.streams[between].data) == FILES["small.txt"],
                  f"stream {between} opened between the GOAWAYs: status {c.streams[between].status}")
            check(c.wait_closed(timeout=10), "the server did not close the idle connection after GOAWAY")
            codes = [g.error_code for g in c.goaways]
            check(all(code == NO_ERROR for code in codes), f"GOAWAY error codes {codes!r}, expected NO_ERROR")
            check(len(c.goaways) == 2, f"GOAWAY frames {c.goaways!r}, expected two")
            last = c.goaways[-1].last_stream_id
            check(last == between, f"the final GOAWAY names last-stream-id {last}, but stream {between} was processed")
        code = server.wait(timeout=15)
        check(code == 0, f"the server exited with {code} after {signum!r}, expected 0")
    return test


def sends_final_goaway_when_ping_unanswered(tls):  # H2-6.8-04 (RFC 9113 §6.8)
    @with_server
    def test(server):
        port = server.https_port if tls else server.http_port
        with RawH2Client(port, tls=tls, cafile=server.cert_file, auto_ping_ack=False) as c:
            sid = c.request("/small.txt")
            c.pump_until(lambda: c.streams[sid].done, what="the response on stream 1")
            server.signal(signal.SIGTERM)
            # The PING stays unanswered: the final GOAWAY comes after the server's bound (about a second) anyway.
            c.pump_until(lambda: len(c.goaways) >= 2, timeout=10, what="the final GOAWAY without a PING ACK")
            check([g.last_stream_id for g in c.goaways] == [2**31 - 1, sid], f"GOAWAY frames {c.goaways!r}")
            check(c.wait_closed(timeout=10), "the server did not close the connection after the final GOAWAY")
        code = server.wait(timeout=15)
        check(code == 0, f"the server exited with {code} after SIGTERM, expected 0")
    return test


def finishes_download_on_shutdown(tls):  # H2-6.8-03, H2-8.7-01 (RFC 9113 §6.8, §8.7)
    @with_server
    def test(server):
        # python-h2 closes its side on the first GOAWAY and refuses the WINDOW_UPDATE that lets the download go on,
        # so this client is the raw frame one (h2push_server.RawH2Client). It holds the window (no WINDOW_UPDATE):
        # the 5 MiB download is in flight, stalled at 64 KiB, when SIGTERM arrives.
        port = server.https_port if tls else server.http_port
        with RawH2Client(port, tls=tls, cafile=server.cert_file, auto_ack=False) as c:
            sid = c.request("/big.bin")
            stream = c.streams[sid]
            c.pump_until(lambda: len(stream.data) >= 65535 or stream.done, what="the first window of /big.bin")
            check(not stream.done, "the body ended within the first window")
            server.signal(signal.SIGTERM)
            c.pump_until(lambda: c.goaway is not None, timeout=10, what="GOAWAY after SIGTERM")
            check(all(g.error_code == NO_ERROR for g in c.goaways), f"GOAWAY frames {c.goaways!r}")
            deadline = time.monotonic() + 5
            while port_accepts(port, timeout=0.5):
                check(time.monotonic() < deadline, "the listener still accepts connections after GOAWAY")
                time.sleep(0.05)
            # Open the window again: the download completes intact, then the connection closes.
            c.auto_ack = True
            c.window_update(0, len(stream.data))
            c.window_update(sid, len(stream.data))
            c.pump_until(lambda: stream.done, timeout=30, what="the rest of /big.bin during shutdown")
            check(stream.reset_code is None and stream.status == 200,
                  f"status {stream.status}, reset {stream.reset_code}")
            check(hashlib.sha256(stream.data).digest() == hashlib.sha256(FILES["big.bin"]).digest(),
                  f"the download is not intact: {len(stream.data)} octets")
            check(c.goaways[-1].last_stream_id >= sid,
                  f"the final GOAWAY {c.goaways[-1]!r} says stream {sid} was not processed, yet it was answered")
            check(c.wait_closed(timeout=10), "the connection was not closed once the download was done")
        code = server.wait(timeout=15)
        check(code == 0, f"the server exited with {code} after SIGTERM, expected 0")
    return test


TESTS = [("ServerPythonH2Test.SendsGoawayNoErrorWhenInterruptedTls", sends_goaway_on_shutdown(True, signal.SIGINT))]
for transport, tls in (("Tls", True), ("H2c", False)):
    TESTS += [
        (f"ServerPythonH2Test.ServesRequestsWhen{transport}", requests_and_responses(tls)),
        (f"ServerPythonH2Test.StaysUsableWhenClientResetsStreamMidBody{transport}",
         stays_usable_after_client_reset(tls)),
        (f"ServerPythonH2Test.AcknowledgesPingWhen{transport}", answers_ping(tls)),
        (f"ServerPythonH2Test.SendsGoawayNoErrorWhenShutDown{transport}", sends_goaway_on_shutdown(tls)),
        (f"ServerPythonH2Test.SendsFinalGoawayWhenShutdownPingUnanswered{transport}",
         sends_final_goaway_when_ping_unanswered(tls)),
        (f"ServerPythonH2Test.FinishesInFlightDownloadWhenShutDown{transport}", finishes_download_on_shutdown(tls)),
    ]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
