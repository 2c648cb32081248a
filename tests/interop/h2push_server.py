#!/usr/bin/python3
"""Shared helpers of the h2push server interop tests (tests/interop/server_*_test.py).

- `H2pushServer` starts `h2push serve` on 127.0.0.1 with port 0 for both listeners and a document root made by the
  test, reads the listener lines from the first lines of stdout (the access log follows them there), waits until both
  ports accept, and always ends the process (SIGTERM, then SIGKILL after a bound).
- `require_peer` finds a peer program; a missing peer fails the test (STYLE.md §7), it is never skipped.
- `H2Client` is a minimal HTTP/2 client over a raw socket (TLS with ALPN h2, or h2c prior knowledge) built on
  Debian's python3-h2; `Http1Connection` reads HTTP/1.x responses off a raw socket.
- `run_tests` runs a script's test functions, each under a wall-clock alarm, and exits non-zero if any failed.

Everything is bounded: every wait has a deadline, every loop a count or a deadline. Run with /usr/bin/python3.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

try:
    import h2.config
    import h2.connection
    import h2.errors
    import h2.events
    import h2.settings
except ImportError as error:  # a missing peer fails (STYLE.md §7)
    print(f"FAILED: python3-h2 is not importable by {sys.executable}: {error}", file=sys.stderr)
    sys.exit(1)

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 15.0  # seconds until the listener lines appear
STOP_TIMEOUT = 15.0  # seconds for a graceful exit after SIGTERM
IO_TIMEOUT = 10.0  # default bound of one exchange over a socket


class TestFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def require_peer(name):
    """Absolute path of a peer program; raises (the test fails) when it is not installed."""
    path = shutil.which(name)
    check(path is not None, f"peer '{name}' is not installed (a missing peer fails the test)")
    return path


def run_peer(args, timeout=60.0, input_bytes=None):
    """Runs a peer to completion, bounded by `timeout`; returns the CompletedProcess (stdout/stderr as bytes)."""
    require_peer(args[0])
    try:
        return subprocess.run(args, input=input_bytes, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise TestFailure(f"{' '.join(map(str, args))} did not finish within {timeout} s") from error


def write_tree(root, files):
    """Writes {relative path: bytes or str} below `root`, creating directories."""
    for relative, content in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)


def pseudo_random_bytes(size, seed=1):
    """Deterministic, incompressible octets (Mersenne Twister), `size` of them."""
    import random
    return random.Random(seed).randbytes(size)


def free_port():
    """A port that was free a moment ago (for tests that must name a port, e.g. to check nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_accepts(port, timeout=1.0):
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


class H2pushServer:
    """`h2push serve ROOT --http 127.0.0.1:0 --https 127.0.0.1:0` in a private temporary directory.

    Use as a context manager; leaving it always ends the process. `root=None` serves the built-in demo site.
    """

    def __init__(self, binary, root=None, config_text=None, extra_args=(), workers=2):
        self.binary = binary
        self.root = root
        self.config_text = config_text
        self.extra_args = list(extra_args)
        self.workers = workers
        self.process = None
        self.http_port = None
        self.https_port = None
        self.cert_file = None
        self.listener_lines = []
        self.returncode = None
        self._dir = tempfile.TemporaryDirectory(prefix="h2push-interop-")
        self.dir = self._dir.name
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")

    # -- life cycle --

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.kill()
        self._dir.cleanup()
        return False

    def start(self):
        args = [self.binary, "serve"]
        if self.root is not None:
            args.append(self.root)
        if self.config_text is not None:
            config = os.path.join(self.dir, "h2push.toml")
            with open(config, "w", encoding="utf-8") as f:
                f.write(self.config_text)
            args += ["--config", config]
        args += ["--http", f"{LOOPBACK}:0", "--https", f"{LOOPBACK}:0", "--workers", str(self.workers)]
        args += self.extra_args
        env = dict(os.environ)
        env["TMPDIR"] = self.dir  # the self-signed certificate and the demo site land in our directory
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                            cwd=self.dir)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._parse_listener_lines()
            if self.http_port and self.https_port and self.cert_file:
                break
            if self.process.poll() is not None:
                raise TestFailure(f"h2push exited with {self.process.returncode} at start: {self.stderr()!r}")
            time.sleep(0.02)
        else:
            self.kill()
            raise TestFailure(f"h2push printed no listener lines within {START_TIMEOUT} s: stdout "
                              f"{self.stdout()[:500]!r}, stderr {self.stderr()[:500]!r}")
        for port in (self.http_port, self.https_port):
            while not port_accepts(port):
                check(time.monotonic() < deadline, f"port {port} does not accept connections")
                time.sleep(0.02)
        return self

    def _parse_listener_lines(self):
        # Only the first lines: the access log (combined format) follows on stdout.
        lines = self.stdout().split("\n")[:6]
        for line in lines:
            m = re.match(r"^https://127\.0\.0\.1:(\d+)/ \(h2, http/1\.1\)$", line)
            if m:
                self.https_port = int(m.group(1))
            m = re.match(r"^http://127\.0\.0\.1:(\d+)/ \(http/1\.1, h2c\)$", line)
            if m:
                self.http_port = int(m.group(1))
            m = re.match(r"^self-signed certificate: (\S+)$", line)
            if m and os.path.exists(m.group(1)):
                self.cert_file = m.group(1)
        self.listener_lines = [l for l in lines if l.startswith(("http://", "https://", "self-signed", "serving"))]

    def signal(self, signum):
        self.process.send_signal(signum)

    def wait(self, timeout=STOP_TIMEOUT):
        """Waits for the exit; returns the exit status, or None when it did not exit in time."""
        try:
            self.returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit status (None: it had to be killed)."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        code = self.wait(timeout)
        if code is None:
            self.kill()
        return code

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def alive(self):
        return self.process is not None and self.process.poll() is None

    # -- observations --

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def status_kib(self, field):
        """A `kB` field of /proc/PID/status (VmRSS, RssAnon, ...)."""
        with open(f"/proc/{self.process.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise TestFailure(f"no {field} in /proc/{self.process.pid}/status")

    def url(self, path="/", tls=True, host=LOOPBACK):
        return f"https://{host}:{self.https_port}{path}" if tls else f"http://{host}:{self.http_port}{path}"

    def curl_tls_args(self):
        """curl options that verify the printed self-signed certificate for `localhost`."""
        return ["--cacert", self.cert_file, "--resolve", f"localhost:{self.https_port}:{LOOPBACK}"]

    def tls_url(self, path="/"):
        return f"https://localhost:{self.https_port}{path}"


# ----------------------------------------------------------------------------------------------------------------
# HTTP/2 over a raw socket


class Relay:
    """`h2push relay --to 127.0.0.1:PORT ARGS...` (the shaping relay, docs/network-emulation.md) on 127.0.0.1 port 0;
    leaving the context always ends it."""

    def __init__(self, binary, target_port, args):
        self.out = tempfile.TemporaryFile()
        self.process = subprocess.Popen([binary, "relay", "--to", f"127.0.0.1:{target_port}"] + args,
                                        stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + 10
        while self.port is None and time.monotonic() < deadline:
            m = re.search(r"relay listening on 127\.0\.0\.1:(\d+), forwarding to", self.output())
            if m:
                self.port = int(m.group(1))
            elif self.process.poll() is not None:
                break
            time.sleep(0.02)
        if self.port is None:
            self.kill()
            raise AssertionError(f"the relay printed no listening line: {self.output()!r}")

    def output(self):
        self.out.seek(0)
        return self.out.read().decode("utf-8", "replace")

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        self.out.close()
        return False


class H2Stream:
    def __init__(self, stream_id):
        self.stream_id = stream_id
        self.headers = None  # list of (bytes, bytes)
        self.informational = []
        self.data = bytearray()
        self.data_frames = 0
        self.ended = False
        self.reset_code = None  # RST_STREAM from the server
        self.trailers = None  # list of (bytes, bytes): the response's trailer section
        self.request = None  # a pushed stream: the promised request's fields
        self.parent = None  # a pushed stream: the stream it was promised on

    def request_header(self, name):
        name = name.encode() if isinstance(name, str) else name
        for n, v in self.request or []:
            if n == name:
                return v.decode("latin-1")
        return None

    @property
    def status(self):
        for name, value in self.headers or []:
            if name == b":status":
                return int(value)
        return None

    def header(self, name):
        name = name.encode() if isinstance(name, str) else name
        for n, v in self.headers or []:
            if n == name:
                return v.decode("latin-1")
        return None

    @property
    def done(self):
        return self.ended or self.reset_code is not None


class H2Client:
    """An HTTP/2 client on a raw socket: TLS with ALPN h2 (certificate verified when `cafile` is given), or
    cleartext with prior knowledge. `window` sets SETTINGS_INITIAL_WINDOW_SIZE and the connection window; with
    `auto_ack` off, received DATA is not acknowledged, so the server runs out of window (a slow reader)."""

    def __init__(self, port, tls, cafile=None, server_hostname="localhost", rcvbuf=None, window=None,
                 auto_ack=True, validate=True, timeout=IO_TIMEOUT, enable_push=True):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:  # before connect(), so the window scale is chosen for it
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        raw.connect((LOOPBACK, port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = raw
        if tls:
            ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(raw, server_hostname=server_hostname)
            check(self.sock.selected_alpn_protocol() == "h2",
                  f"ALPN selected {self.sock.selected_alpn_protocol()!r}, expected 'h2'")
        config = h2.config.H2Configuration(client_side=True, header_encoding=None,
                                           validate_outbound_headers=validate, normalize_outbound_headers=validate,
                                           validate_inbound_headers=True)
        self.conn = h2.connection.H2Connection(config=config)
        self.auto_ack = auto_ack
        self.streams = {}
        self.ping_acks = []
        self.goaway = None  # h2.events.ConnectionTerminated
        self.goaways = []
        self.remote_settings = {}
        self.settings_acked = False
        self.closed = False  # EOF from the server
        self.pushes = []  # H2Stream of every pushed stream, in the order of their PUSH_PROMISE
        self.log = []  # (event kind, stream id) in arrival order: "informational", "promise", "response", "data"
        self.conn.initiate_connection()
        if not enable_push:
            self.conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
            if window > 65535:  # the connection window starts at 65535 too (RFC 9113 §6.9.2)
                self.conn.increment_flow_control_window(window - 65535)
        self.flush()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path, method="GET", headers=(), authority="localhost", scheme=None, end_stream=True,
                raw_headers=None):
        """Opens a stream; returns its id. `raw_headers` replaces the whole field list (for malformed requests)."""
        stream_id = self.conn.get_next_available_stream_id()
        if raw_headers is None:
            if scheme is None:
                scheme = "https" if isinstance(self.sock, ssl.SSLSocket) else "http"
            raw_headers = [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)]
            raw_headers += list(headers)
        encoded = [(n.encode() if isinstance(n, str) else n, v.encode() if isinstance(v, str) else v)
                   for n, v in raw_headers]
        self.conn.send_headers(stream_id, encoded, end_stream=end_stream)
        self.streams[stream_id] = H2Stream(stream_id)
        self.flush()
        return stream_id

    def ping(self, opaque):
        self.conn.ping(opaque)
        self.flush()

    def reset(self, stream_id, code=h2.errors.ErrorCodes.CANCEL):
        self.conn.reset_stream(stream_id, error_code=code)
        self.flush()

    def read_once(self, timeout):
        """Reads one chunk of octets and handles its events; False on EOF."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            data = b""
        if not data:
            self.closed = True
            return False
        for event in self.conn.receive_data(data):
            self._on_event(event)
        self.flush()
        return True

    def _on_event(self, event):
        sid = getattr(event, "stream_id", None)
        stream = self.streams.get(sid) if sid else None
        if isinstance(event, h2.events.ResponseReceived) and stream:
            stream.headers = list(event.headers)
            self.log.append(("response", sid))
        elif isinstance(event, h2.events.InformationalResponseReceived) and stream:
            stream.informational.append(list(event.headers))
            self.log.append(("informational", sid))
        elif isinstance(event, h2.events.PushedStreamReceived):
            pushed = H2Stream(event.pushed_stream_id)
            pushed.request = list(event.headers)
            pushed.parent = event.parent_stream_id
            self.streams[event.pushed_stream_id] = pushed
            self.pushes.append(pushed)
            self.log.append(("promise", event.pushed_stream_id))
        elif isinstance(event, h2.events.DataReceived):
            if event.data:
                self.log.append(("data", sid))
            if stream:
                stream.data += event.data
                stream.data_frames += 1
            if self.auto_ack and event.flow_controlled_length:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.TrailersReceived) and stream:
            stream.trailers = list(event.headers)
        elif isinstance(event, h2.events.StreamEnded) and stream:
            stream.ended = True
        elif isinstance(event, h2.events.StreamReset) and stream:
            if event.remote_reset:
                stream.reset_code = event.error_code
        elif isinstance(event, h2.events.PingAckReceived):
            self.ping_acks.append(event.ping_data)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = event
            self.goaways.append(event)
        elif isinstance(event, h2.events.RemoteSettingsChanged):
            for code, change in event.changed_settings.items():
                self.remote_settings[int(code)] = change.new_value
        elif isinstance(event, h2.events.SettingsAcknowledged):
            self.settings_acked = True

    def pump_until(self, predicate, timeout=IO_TIMEOUT, what="the expected frames"):
        """Reads until predicate() holds; fails on timeout, or on EOF before it holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            check(left > 0, f"timed out after {timeout} s waiting for {what}")
            try:
                alive = self.read_once(left)
            except socket.timeout:
                continue
            if not alive:
                check(predicate(), f"the server closed the connection before {what}")
                return

    def wait_closed(self, timeout=IO_TIMEOUT):
        """Reads (handling frames) until EOF; True if the server closed within `timeout`."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                self.read_once(left)
            except socket.timeout:
                return False
            except OSError:
                self.closed = True
        return True

    def get(self, path, headers=(), method="GET", timeout=IO_TIMEOUT):
        """One request; returns its H2Stream once it ended or was reset."""
        sid = self.request(path, method=method, headers=headers)
        stream = self.streams[sid]
        self.pump_until(lambda: stream.done, timeout, f"the response to {method} {path} (stream {sid})")
        return stream


class RawH2Client:
    """HTTP/2 by hand (a 9-octet frame header with struct, HPACK from python3-hpack), for what python-h2 refuses:
    it ends a connection on the first GOAWAY, so it cannot read a response that continues after the server's
    GOAWAY, nor send the WINDOW_UPDATE that lets it continue. Same stream bookkeeping as H2Client."""

    DATA, HEADERS, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = (
        0, 1, 3, 4, 5, 6, 7, 8, 9)

    class Goaway:
        def __init__(self, last_stream_id, error_code):
            self.last_stream_id = last_stream_id
            self.error_code = error_code

        def __repr__(self):
            return f"GOAWAY(last_stream_id={self.last_stream_id}, error_code={self.error_code})"

    def __init__(self, port, tls, cafile=None, auto_ack=True, timeout=IO_TIMEOUT, auto_ping_ack=True):
        import hpack  # Debian's python3-hpack, a dependency of python3-h2
        raw = socket.create_connection((LOOPBACK, port), timeout=timeout)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = raw
        self.tls = tls
        if tls:
            ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
            ctx.set_alpn_protocols(["h2"])
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
            check(self.sock.selected_alpn_protocol() == "h2", "ALPN did not select h2")
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buffer = bytearray()
        self.auto_ack = auto_ack
        self.streams = {}
        self.goaways = []
        self.goaway = None
        self.ping_acks = []
        self.auto_ping_ack = auto_ping_ack  # off: PINGs are kept in `pings`, the test answers them (ping_ack)
        self.pings = []
        self.frames = []  # (type, last-stream-id or stream id) of GOAWAY and PING frames, in arrival order
        self.closed = False
        self.pushes = []  # H2Stream of every pushed stream, in the order of their PUSH_PROMISE
        self.frame_log = []
        self.next_stream_id = 1
        self._header_block = None  # (stream id, flags, fragments) while CONTINUATION is expected
        self.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        self.send_frame(self.SETTINGS, 0, 0, b"")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_frame(self, frame_type, flags, stream_id, payload):
        import struct
        header = struct.pack(">I", len(payload))[1:] + struct.pack(">BBI", frame_type, flags, stream_id & 0x7FFFFFFF)
        self.sock.sendall(header + payload)

    def ping_ack(self, payload):
        self.send_frame(self.PING, 0x1, 0, payload)

    def window_update(self, stream_id, increment):
        import struct
        self.send_frame(self.WINDOW_UPDATE, 0, stream_id, struct.pack(">I", increment))

    def request(self, path, method="GET", headers=(), authority="localhost", end_stream=True):
        stream_id = self.next_stream_id
        self.next_stream_id += 2
        fields = [(":method", method), (":scheme", "https" if self.tls else "http"), (":authority", authority),
                  (":path", path)] + list(headers)
        block = self.encoder.encode(fields)
        self.send_frame(self.HEADERS, 0x4 | (0x1 if end_stream else 0), stream_id, block)
        self.streams[stream_id] = H2Stream(stream_id)
        return stream_id

    def _frames(self):
        import struct
        while len(self.buffer) >= 9:
            length = struct.unpack(">I", b"\x00" + bytes(self.buffer[:3]))[0]
            if len(self.buffer) < 9 + length:
                return
            frame_type, flags, stream_id = struct.unpack(">BBI", bytes(self.buffer[3:9]))
            payload = bytes(self.buffer[9:9 + length])
            del self.buffer[:9 + length]
            yield frame_type, flags, stream_id & 0x7FFFFFFF, payload

    def _on_frame(self, frame_type, flags, sid, payload):
        import struct
        stream = self.streams.get(sid)
        if frame_type == self.SETTINGS and not flags & 0x1:
            self.send_frame(self.SETTINGS, 0x1, 0, b"")
        elif frame_type == self.PING:
            if flags & 0x1:
                self.ping_acks.append(payload)
            else:
                self.frames.append(("PING", payload))
                self.pings.append(payload)
                if self.auto_ping_ack:
                    self.send_frame(self.PING, 0x1, 0, payload)
        elif frame_type == self.GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            self.goaway = self.Goaway(last & 0x7FFFFFFF, code)
            self.goaways.append(self.goaway)
            self.frames.append(("GOAWAY", last & 0x7FFFFFFF))
        elif frame_type == self.RST_STREAM and stream:
            stream.reset_code = struct.unpack(">I", payload[:4])[0]
        elif frame_type == self.DATA:
            data = payload
            if flags & 0x8:  # PADDED
                data = payload[1:len(payload) - payload[0]]
            if stream:
                stream.data += data
                stream.data_frames += 1
                stream.ended = stream.ended or bool(flags & 0x1)
            if self.auto_ack and payload:
                try:
                    self.window_update(0, len(payload))
                    if stream and not stream.ended:
                        self.window_update(sid, len(payload))
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the server may close once its last stream is done; what it sent is still read

        elif frame_type == self.PUSH_PROMISE:
            block = payload[1:len(payload) - payload[0]] if flags & 0x8 else payload
            promised = struct.unpack(">I", block[:4])[0] & 0x7FFFFFFF
            check(flags & 0x4, "a PUSH_PROMISE continued in CONTINUATION frames (not handled by this client)")
            pushed = H2Stream(promised)
            pushed.request = [(bytes(n, "latin-1") if isinstance(n, str) else n,
                               bytes(v, "latin-1") if isinstance(v, str) else v)
                              for n, v in self.decoder.decode(block[4:], raw=True)]
            pushed.parent = sid
            self.streams[promised] = pushed
            self.pushes.append(pushed)
        elif frame_type in (self.HEADERS, self.CONTINUATION):
            if frame_type == self.HEADERS:
                block = payload
                if flags & 0x8:
                    block = block[1:len(block) - payload[0]]
                if flags & 0x20:  # PRIORITY
                    block = block[5:]
                self._header_block = (sid, flags, [block])
            else:
                check(self._header_block and self._header_block[0] == sid, "CONTINUATION out of place")
                self._header_block[2].append(payload)
            if flags & 0x4:  # END_HEADERS
                hsid, hflags, fragments = self._header_block
                self._header_block = None
                fields = [(bytes(n, "latin-1") if isinstance(n, str) else n,
                           bytes(v, "latin-1") if isinstance(v, str) else v)
                          for n, v in self.decoder.decode(b"".join(fragments), raw=True)]
                target = self.streams.get(hsid)
                if target is not None:
                    status = dict(fields).get(b":status", b"")
                    if status.startswith(b"1"):
                        target.informational.append(fields)
                    elif target.headers is None:
                        target.headers = fields
                    target.ended = target.ended or bool(hflags & 0x1)

    def read_once(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            data = b""
        if not data:
            self.closed = True
            return False
        self.buffer += data
        for frame in self._frames():
            self.frame_log.append((frame[0], frame[1], frame[2]))  # (type, flags, stream id) in arrival order
            self._on_frame(*frame)
        return True

    def ping(self, opaque):
        self.send_frame(self.PING, 0, 0, opaque)

    pump_until = H2Client.pump_until
    wait_closed = H2Client.wait_closed


# ----------------------------------------------------------------------------------------------------------------
# HTTP/1.x over a raw socket


class Http1Response:
    def __init__(self, version, status, reason, headers, body):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lowercase name, value)
        self.body = body

    def header(self, name):
        values = [v for n, v in self.headers if n == name.lower()]
        return ", ".join(values) if values else None

    def __repr__(self):
        return f"<{self.version} {self.status} {self.headers!r} body={len(self.body)}B>"


class Http1Connection:
    """Raw HTTP/1.x on a socket: send any octets, parse responses (Content-Length, chunked, or close-delimited)."""

    def __init__(self, port, tls=False, cafile=None, timeout=IO_TIMEOUT, rcvbuf=None):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        raw.connect((LOOPBACK, port))
        self.sock = raw
        if tls:
            ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
            ctx.set_alpn_protocols(["http/1.1"])
            self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        self.buffer = bytearray()
        self.eof = False
        self.timeout = timeout

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        if self.eof:
            return False
        left = deadline - time.monotonic()
        check(left > 0, "timed out reading from the server")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as error:
            raise TestFailure("timed out reading from the server") from error
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def read_some(self, timeout=IO_TIMEOUT):
        """Reads one chunk into the buffer; False on EOF."""
        return self._fill(time.monotonic() + timeout)

    def _read_until(self, marker, deadline):
        while True:
            i = self.buffer.find(marker)
            if i >= 0:
                out = bytes(self.buffer[:i + len(marker)])
                del self.buffer[:i + len(marker)]
                return out
            if self.eof or not self._fill(deadline):
                raise TestFailure(f"connection closed before {marker!r}; buffered {bytes(self.buffer[:200])!r}")

    def _read_exact(self, n, deadline):
        while len(self.buffer) < n:
            check(self._fill(deadline), f"connection closed after {len(self.buffer)} of {n} body octets")
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def read_response(self, head_request=False, timeout=None, allow_interim=False):
        """Reads one response; 1xx interim responses are returned as they come when `allow_interim`."""
        deadline = time.monotonic() + (timeout or self.timeout)
        head = self._read_until(b"\r\n\r\n", deadline).decode("latin-1")
        lines = head.split("\r\n")
        m = re.match(r"^(HTTP/\d\.\d) (\d{3})(?: (.*))?$", lines[0])
        check(m is not None, f"malformed status line {lines[0]!r}")
        headers = []
        for line in lines[1:]:
            if not line:
                continue
            name, sep, value = line.partition(":")
            check(sep == ":", f"malformed response field line {line!r}")
            headers.append((name.strip().lower(), value.strip()))
        response = Http1Response(m.group(1), int(m.group(2)), m.group(3) or "", headers, b"")
        status = response.status
        if 100 <= status < 200:
            if allow_interim or status == 101:
                return response
            return self.read_response(head_request, timeout, allow_interim)
        if head_request or status in (204, 304):
            return response
        te = (response.header("transfer-encoding") or "").lower()
        cl = response.header("content-length")
        if "chunked" in te:
            body = bytearray()
            for _ in range(1_000_000):
                size_line = self._read_until(b"\r\n", deadline)
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while self._read_until(b"\r\n", deadline) != b"\r\n":
                        pass
                    break
                body += self._read_exact(size, deadline)
                check(self._read_exact(2, deadline) == b"\r\n", "chunk not followed by CRLF")
            response.body = bytes(body)
        elif cl is not None:
            check(re.fullmatch(r"\d+", cl) is not None, f"bad content-length {cl!r}")
            response.body = self._read_exact(int(cl), deadline)
        else:  # close-delimited
            while not self.eof and self._fill(deadline):
                pass
            response.body = bytes(self.buffer)
            self.buffer.clear()
        return response

    def wait_closed(self, timeout=5.0):
        """True when the server closes the connection within `timeout` (octets that arrive meanwhile are kept)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.eof = True
            else:
                self.buffer += chunk
        return True


def raw_exchange(port, data, timeout=5.0, tls=False):
    """Sends `data` on a fresh connection and reads until the server closes it (or `timeout`); returns
    (everything received, closed by the server)."""
    with Http1Connection(port, tls=tls, timeout=timeout) as c:
        c.send(data)
        closed = c.wait_closed(timeout)
        return bytes(c.buffer), closed


def parse_responses(raw, head_requests=()):
    """Parses every HTTP/1.x response in `raw` (octets that ended with the connection). `head_requests`: indexes of
    responses that answer HEAD (no body). A truncated or malformed tail raises TestFailure."""
    parser = Http1Connection.__new__(Http1Connection)
    parser.sock, parser.buffer, parser.eof, parser.timeout = None, bytearray(raw), True, 1.0
    responses = []
    for index in range(10_000):
        if not parser.buffer:
            break
        responses.append(parser.read_response(head_request=index in head_requests, allow_interim=True))
    return responses


def status_codes(raw, head_requests=()):
    """The status codes of the responses in `raw` (1xx included), in order."""
    return [r.status for r in parse_responses(raw, head_requests)]


def http1_request(port, target, method="GET", headers=(), body=b"", host=None, tls=False, cafile=None,
                  timeout=IO_TIMEOUT):
    """One request on a fresh connection (Connection: close); returns the Http1Response."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host or f'{LOOPBACK}:{port}'}", "Connection: close"]
    lines += [f"{n}: {v}" for n, v in headers]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with Http1Connection(port, tls=tls, cafile=cafile, timeout=timeout) as c:
        c.send(data)
        return c.read_response(head_request=(method == "HEAD"))


# ----------------------------------------------------------------------------------------------------------------
# The error log of a server whose configuration writes it to `error.log` in its directory


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


# ----------------------------------------------------------------------------------------------------------------
# The runner


class _Timeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def run_tests(tests, description, per_test_timeout=60, add_arguments=None, check_args=None):
    """Runs `tests` ([(Name, function(args))]); prints a line per test; exits 1 if any failed or none ran.

    `add_arguments(parser)` adds a script's own options; `check_args(args)` replaces the check that --binary (then
    required) is an executable, and may return a message that fails the run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--binary", required=check_args is None, help="the h2push executable")
    parser.add_argument("--only", default="", help="run only tests whose name contains this")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    if check_args is not None:
        problem = check_args(args)
    else:
        ok = os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)
        problem = None if ok else f"{args.binary} is not an executable"
    if problem:
        print(f"FAILED: {problem}", file=sys.stderr)
        sys.exit(1)
    signal.signal(signal.SIGALRM, _on_alarm)
    failed = []
    ran = 0
    for name, function in tests:
        if args.only and args.only not in name:
            continue
        ran += 1
        started = time.monotonic()
        print(f"[ RUN      ] {name}", flush=True)
        signal.alarm(per_test_timeout)
        try:
            function(args)
            signal.alarm(0)
            print(f"[       OK ] {name} ({time.monotonic() - started:.1f} s)", flush=True)
        except _Timeout:
            failed.append(name)
            print(f"[  FAILED  ] {name}: over the {per_test_timeout} s limit", flush=True)
            traceback.print_exc()
        except Exception:  # pylint: disable=broad-except
            signal.alarm(0)
            failed.append(name)
            traceback.print_exc()
            print(f"[  FAILED  ] {name} ({time.monotonic() - started:.1f} s)", flush=True)
        finally:
            signal.alarm(0)
    print(f"{ran - len(failed)} of {ran} tests passed")
    for name in failed:
        print(f"FAILED: {name}")
    sys.exit(1 if failed or ran == 0 else 0)
