#!/usr/bin/python3
"""HTTP/1.1 on raw sockets against `h2push serve` (SECURITY.md §11, RFC 9112): ambiguous framing and malformed
field lines — Content-Length with Transfer-Encoding, two Content-Lengths, obs-fold, bare CR, NUL, a Transfer-Encoding
whose last coding is not chunked, and more — each get 400 (501 for an unknown coding) and the connection closes,
with the request smuggled behind them never answered. Also: pipelining (answers in order), keep-alive, HTTP/1.0
requests (answers an HTTP/1.0 client can read, closed unless keep-alive was asked), `Expect: 100-continue`, and the
absolute-form (RFC 9112 §3.2.2)."""

import gzip
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (H2pushServer, Http1Connection, check, parse_responses, pseudo_random_bytes,  # noqa: E402
                           raw_exchange, run_tests, write_tree)

SMUGGLED_BODY = b"the smuggled request was answered\n"
TEXT = "".join(f"line {i}: compressible text for an HTTP/1.0 client\n" for i in range(3000)).encode()
FILES = {
    "a.txt": b"file a\n",
    "b.txt": b"file b, a little longer\n",
    "c.txt": b"file c\n",
    "smuggled.txt": SMUGGLED_BODY,
    "big.bin": pseudo_random_bytes(1024 * 1024 + 3, seed=51),
    "text.txt": TEXT,
}
SMUGGLED = b"GET /smuggled.txt HTTP/1.1\r\nHost: x\r\n\r\n"

# (name, request head and body, expected status): each is followed by SMUGGLED in the same write.
# H1-6.3-01 (RFC 9112 §6.3) for the Transfer-Encoding and Content-Length rows.
BAD_FRAMING = [
    ("ContentLengthWithTransferEncoding",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("TransferEncodingWithContentLength",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    ("TwoDifferentContentLengths",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    ("ContentLengthList", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400),
    ("ContentLengthNotDigits", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400),
    ("ContentLengthHex", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello", 400),
    ("ContentLengthNegative", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nhello", 400),
    ("ObsFold", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 400),
    ("ObsFoldedTransferEncoding",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    ("WhitespaceBeforeFirstField", b"GET /a.txt HTTP/1.1\r\n Host: x\r\n\r\n", 400),
    ("BareCrInValue", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n", 400),
    ("BareCrAsLineEnd", b"GET /a.txt HTTP/1.1\r\nHost: x\rX-Y: z\r\n\r\n", 400),
    ("NulInValue", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", 400),
    ("NulInTarget", b"GET /a\x00.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("NulInFieldName", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX\x00Y: z\r\n\r\n", 400),
    ("ChunkedThenIdentity",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    ("ChunkedThenIdentityOnTwoLines",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
     400),
    ("ChunkedTwice", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("TransferEncodingNotChunked", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
     400),
    ("UnknownCodingBeforeChunked",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n", 501),
    ("TransferEncodingInHttp10",
     b"POST /a.txt HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("SpaceBeforeColon", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello", 400),
    ("SpaceBeforeColonTransferEncoding",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    # H1-3.2-01 (RFC 9112 §3.2)
    ("MissingHost", b"GET /a.txt HTTP/1.1\r\n\r\n", 400),
    ("TwoHosts", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
    ("HostWithSpace", b"GET /a.txt HTTP/1.1\r\nHost: exa mple\r\n\r\n", 400),  # H1-3.2-01 (RFC 9112 §3.2)
    ("HostWithUserinfo", b"GET /a.txt HTTP/1.1\r\nHost: user@x\r\n\r\n", 400),
    ("ChunkSizeOverflow",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", 400),
    ("ChunkSizeNotHex", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ("ChunkDataTooLong",
     b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400),
]


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(server)
                check(server.alive(), "the server died during the test")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


@with_server
def rejects_bad_framing_and_closes(server):
    failures = []
    for name, payload, status in BAD_FRAMING:
        raw, closed = raw_exchange(server.http_port, payload + SMUGGLED, timeout=5)
        try:
            codes = [r.status for r in parse_responses(raw)]
        except AssertionError as error:
            codes = [f"unparsable: {error}"]
        if codes != [status] or not closed or SMUGGLED_BODY in raw:
            failures.append(f"{name}: statuses {codes} (expected [{status}]), closed {closed}, {raw[:100]!r}")
    check(not failures, "bad framing not refused with one response and a close:\n  " + "\n  ".join(failures))
    # Controls: the same requests, well framed, are answered (405 for POST) and the next request follows.
    for payload in (b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
                    b"POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                    b"GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Fine: a b\tc\r\n\r\n"):
        with Http1Connection(server.http_port, timeout=5) as c:
            c.send(payload + SMUGGLED)
            first, second = c.read_response(), c.read_response()
            check(first.status in (200, 405) and second.status == 200 and second.body == SMUGGLED_BODY,
                  f"well-framed control {payload[:40]!r}: {first!r} then {second!r}")


@with_server
def answers_pipelined_requests_in_order(server):
    with Http1Connection(server.http_port, timeout=10) as c:
        # The first answer is large and streamed from disk; the others must wait for it.
        c.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /missing.txt HTTP/1.1\r\nHost: x\r\n\r\n"
               b"HEAD /c.txt HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        got = [c.read_response(), c.read_response(), c.read_response(), c.read_response(head_request=True),
               c.read_response()]
        check([r.status for r in got] == [200, 200, 404, 200, 200], f"statuses {[r.status for r in got]}")
        check(got[0].body == FILES["big.bin"], "pipelined response 1: /big.bin corrupted")
        check(got[1].body == FILES["b.txt"], f"pipelined response 2: {got[1].body!r}")
        check(got[3].header("content-length") == str(len(FILES["c.txt"])), f"HEAD /c.txt: {got[3]!r}")
        check(got[4].body == FILES["a.txt"], f"pipelined response 5: {got[4].body!r}")
        # Three small ones in one write, read back together.
        c.send(b"".join(f"GET /{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for n in ("c.txt", "a.txt", "b.txt")))
        bodies = [c.read_response().body for _ in range(3)]
        check(bodies == [FILES["c.txt"], FILES["a.txt"], FILES["b.txt"]], f"out of order: {bodies!r}")
        check(not c.wait_closed(0.3), "the server closed a keep-alive connection after pipelined requests")


@with_server
def keeps_connection_alive(server):
    with Http1Connection(server.http_port, timeout=10) as c:
        for i in range(5):
            c.send(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            r = c.read_response()
            check(r.status == 200 and r.body == FILES["a.txt"], f"request {i + 1} on the connection: {r!r}")
            check((r.header("connection") or "").lower() != "close", f"request {i + 1}: connection: close")
            time.sleep(0.1)
        c.send(b"GET /b.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r = c.read_response()
        check(r.status == 200 and r.body == FILES["b.txt"], f"the last request: {r!r}")
        check((r.header("connection") or "").lower() == "close", "no 'connection: close' on the asked-for close")
        check(c.wait_closed(5), "the server kept the connection open after 'Connection: close'")
        check(not c.buffer, f"octets after the last response: {bytes(c.buffer)[:100]!r}")


@with_server
def answers_http10_compatibly(server):
    for path, headers, want in (("/a.txt", b"", FILES["a.txt"]), ("/big.bin", b"", FILES["big.bin"]),
                                ("/text.txt", b"Accept-Encoding: gzip\r\n", TEXT)):
        raw, closed = raw_exchange(server.http_port, f"GET {path} HTTP/1.0\r\n".encode() + headers + b"\r\n",
                                   timeout=10)
        check(closed, f"HTTP/1.0 {path}: the connection stayed open without keep-alive")
        responses = parse_responses(raw)
        check(len(responses) == 1, f"HTTP/1.0 {path}: {len(responses)} responses")
        r = responses[0]
        check(r.version in ("HTTP/1.0", "HTTP/1.1") and r.status == 200, f"HTTP/1.0 {path}: {r!r}")
        check("chunked" not in (r.header("transfer-encoding") or "").lower(),
              f"HTTP/1.0 {path}: a chunked response to an HTTP/1.0 client")
        body = gzip.decompress(r.body) if r.header("content-encoding") == "gzip" else r.body
        check(body == want, f"HTTP/1.0 {path}: the body differs ({len(r.body)} octets)")
        check((r.header("connection") or "close").lower() != "keep-alive", f"HTTP/1.0 {path}: keep-alive offered")
    # HTTP/1.0 keep-alive is opt-in (RFC 9112 §9.3): then the connection serves the next request.
    with Http1Connection(server.http_port, timeout=5) as c:
        for _ in range(2):
            c.send(b"GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            r = c.read_response()
            check(r.status == 200 and r.body == FILES["a.txt"] and r.header("content-length") == "7",
                  f"HTTP/1.0 keep-alive: {r!r}")
            check((r.header("connection") or "").lower() == "keep-alive", f"HTTP/1.0 keep-alive not confirmed: {r!r}")


@with_server
def handles_expect_100_continue(server):
    # POST (not allowed on files) with a body announced: 100 then the final answer, or the final answer at once.
    with Http1Connection(server.http_port, timeout=5) as c:
        c.send(b"POST /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        first = c.read_response(allow_interim=True)  # must come without the body (RFC 9110 §10.1.1)
        if first.status == 100:
            c.send(b"hello" + b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            final, after = c.read_response(), c.read_response()
            check(final.status == 405 and after.status == 200 and after.body == FILES["a.txt"],
                  f"after 100: {final!r} then {after!r}")
        else:
            check(first.status == 405 and "GET" in (first.header("allow") or ""), f"final answer: {first!r}")
            if (first.header("connection") or "").lower() == "close":
                check(c.wait_closed(5), "'connection: close' but the connection stays open")
            else:  # the body may still come and must be read as a body, not as a request
                c.send(b"hello" + b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                after = c.read_response()
                check(after.status == 200 and after.body == FILES["a.txt"],
                      f"the body was parsed as a request: {after!r}")
    # A body over the limit is refused from the head alone: 413 without waiting for 10 MiB.
    with Http1Connection(server.http_port, timeout=5) as c:
        c.send(b"PUT /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10485760\r\n\r\n")
        r = c.read_response(allow_interim=True)
        check(r.status in (405, 413), f"PUT of 10 MiB with Expect: {r!r}")
        check(c.wait_closed(5), "the connection stays open with 10 MiB of announced body unread")
    # GET without a body: answered normally.
    with Http1Connection(server.http_port, timeout=5) as c:
        c.send(b"GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n")
        r = c.read_response()
        check(r.status == 200 and r.body == FILES["a.txt"], f"GET with Expect: {r!r}")
    # An expectation we cannot meet: 417 (RFC 9110 §10.1.1).
    raw, closed = raw_exchange(server.http_port, b"GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n")
    check([r.status for r in parse_responses(raw)] == [417], f"Expect: teapot: {raw[:100]!r}")
    # HTTP/1.0 ignores Expect: no 100.
    raw, closed = raw_exchange(server.http_port,
                               b"POST /a.txt HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
    check([r.status for r in parse_responses(raw)] == [405] and closed, f"HTTP/1.0 with Expect: {raw[:100]!r}")


@with_server
def accepts_absolute_form_for_our_host(server):
    # RFC 9112 §3.2.2: "A server MUST accept the absolute-form in requests"; the authority replaces Host.
    here = f"127.0.0.1:{server.http_port}"
    for host in (here, "other.example"):
        raw, _ = raw_exchange(server.http_port, f"GET http://{here}/a.txt HTTP/1.1\r\nHost: {host}\r\n"
                              "Connection: close\r\n\r\n".encode())
        r = parse_responses(raw)
        check(len(r) == 1 and r[0].status == 200 and r[0].body == FILES["a.txt"],
              f"GET http://{here}/a.txt (Host: {host}): {r!r}")


@with_server
def declines_h2c_upgrade_when_not_allowed(server):  # UP-3.2-02 (RFC 7540 §3.2, §3.2.1)
    upgrade = b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
    # RFC 7540 §3.2 / SECURITY.md §11: only cleartext, only with exactly one HTTP2-Settings, only without a body.
    cases = [
        ("a request body", False, b"POST /a.txt HTTP/1.1\r\nHost: x\r\n" + upgrade + b"Content-Length: 5\r\n\r\nhello",
         405),
        ("no HTTP2-Settings", False, b"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
         200),
        ("TLS", True, b"GET /a.txt HTTP/1.1\r\nHost: x\r\n" + upgrade + b"\r\n", 200),
    ]
    for name, tls, request, status in cases:
        with Http1Connection(server.https_port if tls else server.http_port, tls=tls, timeout=5) as c:
            c.send(request + b"GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            first = c.read_response(allow_interim=True)
            check(first.status == status, f"Upgrade with {name}: {first!r}, expected HTTP/1.1 {status}, no 101")
            second = c.read_response()
            check(second.status == 200 and second.body == FILES["b.txt"], f"after Upgrade with {name}: {second!r}")


def finishes_response_and_closes_keep_alive_on_shutdown(args):
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        with H2pushServer(args.binary, root) as server:
            idle = Http1Connection(server.http_port, timeout=10)
            idle.send(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            check(idle.read_response().status == 200, "keep-alive request failed")
            busy = Http1Connection(server.http_port, timeout=10, rcvbuf=4096)  # a download in flight, stalled
            busy.send(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            check(busy.read_some(10), "the download did not start")
            server.signal(signal.SIGTERM)
            check(idle.wait_closed(5), "the idle keep-alive connection was not closed on SIGTERM")
            check(not idle.buffer, f"octets on the idle connection: {bytes(idle.buffer)[:100]!r}")
            r = busy.read_response(timeout=30)
            check(r.status == 200 and r.body == FILES["big.bin"], "the in-flight download did not complete intact")
            check(busy.wait_closed(5), "the connection stayed open after its last response during shutdown")
            idle.close()
            busy.close()
            code = server.wait(15)
            check(code == 0, f"exit status {code} after SIGTERM, expected 0")


@with_server
def answers_limits_and_versions(server):  # RFC 9112 §2.3, §3, RFC 9110 §15.5-15.6, H1-3.2-01
    cases = [
        ("request line over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("101 header fields", b"GET /a.txt HTTP/1.1\r\nHost: x\r\n" + b"".join(
            f"X-F{i}: v\r\n".encode() for i in range(101)) + b"\r\n", 431),
        ("a body over 1 MiB", b"POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n", 413),
        ("no Host", b"GET /a.txt HTTP/1.1\r\n\r\n", 400),
        ("two Hosts", b"GET /a.txt HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        ("HTTP/2.0 over the HTTP/1 parser", b"GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("HTTP/3.0", b"GET /a.txt HTTP/3.0\r\nHost: x\r\n\r\n", 505),
    ]
    for name, request, status in cases:
        raw, closed = raw_exchange(server.http_port, request + SMUGGLED)
        responses = parse_responses(raw)
        check([r.status for r in responses] == [status], f"{name}: answers {[r.status for r in responses]}, "
                                                         f"expected [{status}]")
        check(closed, f"{name}: the connection stayed open after {status}")
    # HTTP/1.2 is processed as HTTP/1.1 (RFC 9112 §2.3): answered in HTTP/1.1, the connection kept alive.
    with Http1Connection(server.http_port, timeout=5) as c:
        for _ in range(2):
            c.send(b"GET /a.txt HTTP/1.2\r\nHost: x\r\n\r\n")
            r = c.read_response()
            check(r.version == "HTTP/1.1" and r.status == 200 and r.body == FILES["a.txt"], f"HTTP/1.2: {r!r}")


TESTS = [
    ("ServerHttp1Test.Answers400AndClosesWhenFramingIsAmbiguous", rejects_bad_framing_and_closes),
    ("ServerHttp1Test.AnswersInOrderWhenRequestsArePipelined", answers_pipelined_requests_in_order),
    ("ServerHttp1Test.KeepsConnectionWhenKeepAlive", keeps_connection_alive),
    ("ServerHttp1Test.AnswersCompatiblyWhenHttp10", answers_http10_compatibly),
    ("ServerHttp1Test.AnswersWithoutBodyWhenExpect100Continue", handles_expect_100_continue),
    ("ServerHttp1Test.AcceptsAbsoluteFormWhenItNamesOurHost", accepts_absolute_form_for_our_host),
    ("ServerHttp1Test.StaysHttp11WhenUpgradeHasBodyNoSettingsOrTls", declines_h2c_upgrade_when_not_allowed),
    ("ServerHttp1Test.FinishesResponseAndClosesIdleWhenShutDown", finishes_response_and_closes_keep_alive_on_shutdown),
    ("ServerHttp1Test.AnswersLimitsAndVersionsWith4xxOr505", answers_limits_and_versions),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
