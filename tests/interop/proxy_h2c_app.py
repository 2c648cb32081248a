#!/usr/bin/python3
"""An HTTP/2 prior-knowledge (h2c) upstream for the proxy's h2c:// routes, on python-h2 (tests/interop/
proxy_h2c_test.py). One thread per connection. Paths:
  GET  /page        a small HTML page, after --delay-ms (so that concurrent requests overlap)
  GET  /hints       a 103 Early Hints, then the page
  POST /echo        the body's `length=N sha256=HEX` (flow-control credit given back as it is read)
  GET  /big         1 MiB of 'b'
  GET  /reset       RST_STREAM(INTERNAL_ERROR) after the head
  GET  /grpc        a body then trailers (grpc-status, grpc-message, and a set-cookie the proxy must drop)
  POST /grpc-echo   the body, then trailers naming the request's trailers and its `te` (x-got-trailers, x-got-te)
  GET  /refuse-once the first request: RST_STREAM(REFUSED_STREAM) at once; later ones: `attempt N`
  GET  /goaway-once the first request: GOAWAY with a last stream id below it, and the connection closes; later
                    ones: `attempt N`
Log lines (--log): `connection N` per accepted connection, `stream PATH CONNECTION`.
"""

import argparse
import hashlib
import socket
import threading
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from proxy_support import log, serve_forever

LOCK = threading.Lock()
COUNT = [0]
ATTEMPTS = {}  # path -> requests seen (refuse-once, goaway-once)


class Handler:
    def __init__(self, sock, number, args):
        self.sock = sock
        self.number = number
        self.args = args
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.requests = {}  # stream id -> [path, method, sha256, length]
        self.due = []  # (monotonic time, stream id): delayed answers
        self.sending = {}  # stream id -> remaining body octets
        self.request_trailers = {}  # stream id -> the request's trailer fields
        self.closing = False  # sent a GOAWAY that refused a stream: the connection ends

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def answer(self, sid):
        path, method, digest, length, te = self.requests.pop(sid)
        if path.endswith("/echo") and method == "POST":  # any prefix: a route may keep one
            body = f"length={length} sha256={digest.hexdigest()}".encode()
        elif path == "/big":
            body = b"b" * (1024 * 1024)
        elif path == "/reset":
            self.conn.send_headers(sid, [(":status", "200"), ("content-length", "100")])
            self.conn.reset_stream(sid, h2.errors.ErrorCodes.INTERNAL_ERROR)
            return
        elif path == "/grpc":
            self.conn.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc")])
            self.conn.send_data(sid, b"grpc body")
            self.conn.send_headers(sid, [("grpc-status", "0"), ("grpc-message", "fine"), ("set-cookie", "no=1")],
                                   end_stream=True)
            return
        elif path == "/grpc-echo":
            got = ",".join(f"{n}={v}" for n, v in self.request_trailers.pop(sid, []))
            self.conn.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc")])
            self.conn.send_data(sid, f"length={length}".encode())
            self.conn.send_headers(sid, [("x-got-trailers", got or "none"), ("x-got-te", te or "none")],
                                   end_stream=True)
            return
        elif path in ("/refuse-once", "/goaway-once"):
            body = f"attempt {ATTEMPTS[path]}".encode()
        else:
            body = b"<!doctype html><title>h2c</title><p>served over h2c"
        if path == "/hints":
            self.conn.send_headers(sid, [(":status", "103"), ("link", "</style.css>; rel=preload; as=style")])
        self.conn.send_headers(sid, [(":status", "200"), ("content-length", str(len(body))),
                                     ("content-type", "text/html"), ("x-upstream-connection", str(self.number))])
        self.sending[sid] = body
        self.pump()

    def pump(self):
        for sid in list(self.sending):
            try:
                self.pump_one(sid)
            except h2.exceptions.StreamClosedError:  # the proxy reset it meanwhile
                self.sending.pop(sid, None)

    def pump_one(self, sid):
        body = self.sending[sid]
        room = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size, len(body))
        while room > 0 or not body:
            self.conn.send_data(sid, body[:room], end_stream=len(body) == room)
            body = body[room:]
            if not body:
                break
            room = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size, len(body))
        if body:
            self.sending[sid] = body
        else:
            del self.sending[sid]

    def on_event(self, event):
        if isinstance(event, h2.events.RequestReceived):
            fields = dict(event.headers)
            path = fields[":path"]
            log(self.args.log, f"stream {path} {self.number}")
            self.requests[event.stream_id] = [path, fields[":method"], hashlib.sha256(), 0, fields.get("te")]
            if path in ("/refuse-once", "/goaway-once"):
                with LOCK:
                    ATTEMPTS[path] = ATTEMPTS.get(path, 0) + 1
                    first = ATTEMPTS[path] == 1
                if first and path == "/refuse-once":
                    self.requests.pop(event.stream_id)
                    self.conn.reset_stream(event.stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
                    return
                if first:
                    self.requests.pop(event.stream_id)
                    self.conn.close_connection(last_stream_id=max(0, event.stream_id - 2))
                    self.closing = True
                    return
            if event.stream_ended:
                self.due.append((time.monotonic() + self.args.delay_ms / 1000, event.stream_id))
        elif isinstance(event, h2.events.DataReceived):
            request = self.requests.get(event.stream_id)
            if request:
                request[2].update(event.data)
                request[3] += len(event.data)
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.TrailersReceived):
            self.request_trailers[event.stream_id] = list(event.headers)
        elif isinstance(event, h2.events.StreamEnded):
            if event.stream_id in self.requests:
                self.due.append((time.monotonic(), event.stream_id))
        elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
            self.pump()
        elif isinstance(event, h2.events.StreamReset):
            self.requests.pop(event.stream_id, None)
            self.sending.pop(event.stream_id, None)

    def run(self):
        self.conn.initiate_connection()
        self.flush()
        while True:
            now = time.monotonic()
            for when, sid in [d for d in self.due if d[0] <= now]:
                self.due.remove((when, sid))
                if sid in self.requests:
                    self.answer(sid)
            self.flush()
            wait = min([when for when, _ in self.due], default=now + 1.0) - now
            self.sock.settimeout(max(0.001, wait))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return
            for event in self.conn.receive_data(data):
                self.on_event(event)
            self.flush()
            if self.closing:
                return


def serve(sock, args):
    with LOCK:
        COUNT[0] += 1
        number = COUNT[0]
    log(args.log, f"connection {number}")
    try:
        Handler(sock, number, args).run()
    except OSError:
        pass
    except h2.exceptions.ProtocolError as error:
        log(args.log, f"protocol error {error!r}")
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()
    serve_forever(serve, args)

if __name__ == "__main__":
    main()
