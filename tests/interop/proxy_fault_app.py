#!/usr/bin/python3
"""An HTTP/1.1 upstream for the proxy's upload, pool and fault tests (tests/interop/proxy_faults_test.py).

Raw sockets, one thread per connection, keep-alive. Paths:
  POST /echo         reads the body (Content-Length or chunked) in 64 KiB reads, 2 ms apart (--read-pause-ms: a
                     slowish app, so an unbounded proxy would pile the upload up), answers
                     `length=N sha256=HEX framing=F`
  POST /reject       413 at once, without reading the upload, and the connection closes
  GET  /page         a small HTML page
  GET  /huge-head    a response head with a 100 KiB field line (over the proxy's 64 KiB limit)
  GET  /trickle      a 200 announcing 1000 octets, 10 of them, then one octet every 2 s (bounded at 10 s)
  GET  /cut          a 200 announcing 100 octets, 10 of them, then the connection closes
  GET  /trailers     a chunked 200 whose trailer section carries grpc-status and grpc-message (and a set-cookie
                     the proxy must drop)
With --idle-close-ms N, a keep-alive connection idle for N ms after a response is half-closed (FIN), and the app
logs how long the proxy took to close its side. Without it, it logs when the proxy closes an idle connection.
Log lines (--log): `served PATH`, `fin-answered MS`, `fin-unanswered`, `peer-closed-idle MS`.
"""

import argparse
import hashlib
import socket
import time

from proxy_support import log, serve_forever

READ_PIECE = 64 * 1024
MAX_HEAD = 64 * 1024
PAUSE = [0.002]  # seconds between upload reads (--read-pause-ms)


class Reader:
    """Buffered reads from a socket: a head up to the blank line, exact counts, CRLF lines."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _more(self, limit=READ_PIECE):
        data = self.sock.recv(limit)
        if not data:
            raise EOFError()
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > MAX_HEAD:
                raise ValueError("head too large")
            try:
                self._more()
            except EOFError:
                if self.buf:
                    raise
                return None
        text, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = text.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        fields = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
        return method, target, fields

    def exact(self, n):
        """Up to n octets (at least one), from the buffer or one read."""
        if not self.buf:
            self._more(min(n, READ_PIECE))
        piece, self.buf = self.buf[:n], self.buf[n:]
        return piece

    def line(self):
        while b"\r\n" not in self.buf:
            self._more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def read_body(reader, fields, digest):
    """Reads a request body into `digest`; returns (length, framing)."""
    total = 0
    if "content-length" in fields:
        left = int(fields["content-length"])
        while left > 0:
            piece = reader.exact(min(left, READ_PIECE))
            digest.update(piece)
            total += len(piece)
            left -= len(piece)
            time.sleep(PAUSE[0])
        return total, "length"
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int(reader.line().split(b";")[0], 16)
            if size == 0:
                while reader.line():  # trailers, then the blank line
                    pass
                return total, "chunked"
            left = size
            while left > 0:
                piece = reader.exact(min(left, READ_PIECE))
                digest.update(piece)
                total += len(piece)
                left -= len(piece)
            reader.line()
            time.sleep(PAUSE[0])
    return 0, "none"


def respond(sock, status, body, fields=()):
    head = f"HTTP/1.1 {status}\r\ncontent-length: {len(body)}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in fields)
    sock.sendall(head.encode() + b"\r\n" + body)


def serve_one(sock, reader, method, target, fields, args):
    """Answers one request; False when the connection must end."""
    log(args.log, f"served {target}")
    if target == "/echo" and method == "POST":
        digest = hashlib.sha256()
        length, framing = read_body(reader, fields, digest)
        respond(sock, "200 OK", f"length={length} sha256={digest.hexdigest()} framing={framing}".encode(),
                [("content-type", "text/plain")])
        return True
    if target == "/reject":  # refuses an upload without reading it
        respond(sock, "413 Content Too Large", b"too large\n", [("connection", "close")])
        return False
    if target == "/page":
        respond(sock, "200 OK", b"<!doctype html><title>page</title><p>served", [("content-type", "text/html")])
        return True
    if target == "/huge-head":
        respond(sock, "200 OK", b"never", [("x-huge", "h" * (100 * 1024))])
        return True
    if target == "/trickle":
        sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(2)
            sock.sendall(b"x")
        return False
    if target == "/trailers":
        sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ntransfer-encoding: chunked\r\n"
                     b"trailer: grpc-status, grpc-message\r\n\r\n5\r\nhello\r\n"
                     b"0\r\ngrpc-status: 0\r\ngrpc-message: all good\r\nset-cookie: dropped=1\r\n\r\n")
        return True
    if target == "/cut":
        sock.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789")
        return False
    respond(sock, "404 Not Found", b"no such path\n")
    return True


def wait_peer_close(sock, seconds):
    """Reads until EOF for at most `seconds`; the time it took in ms, or None."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except (socket.timeout, OSError):
        return None
    return (time.monotonic() - start) * 1000


def handle(sock, args):
    reader = Reader(sock)
    last_response = None
    try:
        while True:
            idle = args.idle_close_ms / 1000 if args.idle_close_ms and last_response else 30
            sock.settimeout(idle)
            try:
                request = reader.head()
            except socket.timeout:
                if args.idle_close_ms and last_response:
                    sock.shutdown(socket.SHUT_WR)
                    took = wait_peer_close(sock, 5)
                    log(args.log, "fin-unanswered" if took is None else f"fin-answered {took:.0f}")
                return
            if request is None:
                if last_response is not None:
                    log(args.log, f"peer-closed-idle {(time.monotonic() - last_response) * 1000:.0f}")
                return
            sock.settimeout(30)
            if not serve_one(sock, reader, *request, args):
                return
            last_response = time.monotonic()
    except (OSError, EOFError, ValueError):
        return
    finally:
        sock.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--idle-close-ms", type=int, default=0)
    parser.add_argument("--read-pause-ms", type=float, default=2.0)
    args = parser.parse_args()
    PAUSE[0] = args.read_pause_ms / 1000
    serve_forever(handle, args)

if __name__ == "__main__":
    main()
