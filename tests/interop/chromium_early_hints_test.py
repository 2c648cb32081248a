#!/usr/bin/python3
"""Chromium acts on h2push's 103 Early Hints: headless Chromium (Debian's `chromium`) loads a test page from
`h2push serve` over https h2, and the page's own script reports, through the Performance API, that every asset the
103 named was loaded with `initiatorType` "early-hints". As a control, with `push.mode = "off"` no entry says
"early-hints" (so the check can fail), while the same assets still load.

How it works (every step bounded, loopback only, ports picked at run time):

1. A certificate for `localhost` and `127.0.0.1` (subjectAltName) is made with the openssl CLI in a temporary
   directory. Chromium ignores Early Hints when certificate errors are ignored (`--ignore-certificate-errors`), so the
   certificate is trusted instead: `certutil` (libnss3-tools) adds it as a trusted peer ("P,,") to the NSS database
   `$HOME/.pki/nssdb` of a temporary `$HOME`, the one Chromium on Linux reads.
2. The server (`h2push serve ROOT --config CFG --cert --key`, `[push] mode = …, think_time = "500ms"` so the HTML
   comes well after the 103) serves a page with a style sheet (which names a font), a script and an image. The
   assets are cacheable (`max-age`): Chromium keeps Early Hints preloads in its HTTP cache and uses them only when
   fresh there, so with h2push's default `no-cache` it revalidates each asset and reports its ordinary initiator.
3. A Python h2 client (python3-h2, SETTINGS_ENABLE_PUSH=0 like Chromium, certificate verified) fetches the page once
   and reads the 103's Link fields: the assets Chromium must load from the hints.
4. Chromium reaches the server through `h2push relay --rtt 100ms` (RELAY_RTT): Chromium drops a 103 that its HTTP/2
   session reads before the navigation's transaction waits for headers, which on bare loopback (h2push answers in
   microseconds) happened to one load in four to fifteen; a round trip like a real network's closes that window.
5. `chromium --headless --dump-dom https://localhost:PORT/` with a fresh profile and a NetLog. The page's inline
   script, on the load event, writes `performance.getEntriesByType('resource')` (name, initiatorType) and the
   navigation's protocol as base64 JSON into the DOM, which --dump-dom prints. The NetLog (chromium_netlog.py) says
   whether the 103 reached Chromium and what Chromium made of it; h2push's access log says it sent the 103
   (`hints=N`) over HTTP/2. Chromium's whole process group is killed at the end.

Without chromium or certutil the script skips (exit status 77, ctest SKIP_RETURN_CODE) unless $CI or
$H2PUSH_REQUIRE_CHROMIUM is set: then it fails. `--stand-in` runs the same checks against a small Python HTTP/2
server in this file (103 with Link fields, the HTML ~300 ms later), to debug the harness apart from h2push; `--rtt 0`
connects Chromium straight to the server (no relay), which shows the race. Run with /usr/bin/python3:

    /usr/bin/python3 tests/interop/chromium_early_hints_test.py --binary build/h2push
    /usr/bin/python3 tests/interop/chromium_early_hints_test.py --binary build/h2push --stand-in [--keep]
"""

import base64
import contextlib
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (LOOPBACK, H2Client, H2pushServer, Relay, TestFailure, check, require_peer,  # noqa: E402
                           run_tests, write_tree)
from chromium_netlog import read_netlog_view  # noqa: E402

import h2.config  # noqa: E402  (importable: h2push_server checked)
import h2.connection  # noqa: E402
import h2.events  # noqa: E402
import h2.exceptions  # noqa: E402
import h2.settings  # noqa: E402

CHROMIUM_TIMEOUT = 20.0  # seconds for one headless page load, start to exit (about 1 s when all is well)
TOOL_TIMEOUT = 20.0  # openssl, certutil
LOAD_ATTEMPTS = 3  # loads per hinted case at most; a load is repeated only when the NetLog shows Chromium's race
PER_TEST_TIMEOUT = 100  # seconds for one test case (up to LOAD_ATTEMPTS loads); the three stay under ctest's 360 s
RELAY_RTT = "100ms"  # the round trip `h2push relay` puts between Chromium and the server (see the module doc)
ACCESS_LOG_WAIT = 3.0  # seconds for h2push's access log line of Chromium's page request to appear
SKIP_STATUS = 77  # exit status for "chromium is not installed" (ctest SKIP_RETURN_CODE)
THINK_TIME = "500ms"  # h2push delays the HTML by this much while the 103 flows
STAND_IN_DELAY = 0.3  # the stand-in sends the 200 this long after the 103
RESULT_RE = re.compile(r"H2PUSH-RESULT:([A-Za-z0-9+/=]*):END")

# The test page. Its inline script runs on the load event and writes what the Performance API saw into the DOM.
INDEX_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>h2push early hints</title>
<link rel="stylesheet" href="/css/style.css">
<script src="/js/script.js"></script>
</head>
<body>
<h1 class="hinted">Early Hints</h1>
<p><img src="/img/logo.png" alt="logo" width="4" height="4"></p>
<pre id="result">pending</pre>
<script>
addEventListener("load", () => {
  const resources = performance.getEntriesByType("resource").map(
      (e) => ({name: e.name, initiatorType: e.initiatorType, protocol: e.nextHopProtocol}));
  const navigation = performance.getEntriesByType("navigation")[0];
  const result = {
    resources,
    navigationProtocol: navigation ? navigation.nextHopProtocol : null,
    scriptRan: window.h2pushScriptRan === true,
  };
  document.getElementById("result").textContent =
      "H2PUSH-RESULT:" + btoa(JSON.stringify(result)) + ":END";
});
</script>
</body>
</html>
"""

STYLE_CSS = """@font-face { font-family: "Hinted"; src: url("/fonts/hinted.woff2") format("woff2"); }
body { font-family: sans-serif; }
h1.hinted { font-family: "Hinted", sans-serif; color: #234; }
"""

SCRIPT_JS = "window.h2pushScriptRan = true;\n"


def png_1x1():
    """A valid 1x1 grey PNG, built with zlib (no binary blob in the source)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + \
        chunk(b"IEND", b"")


# Not a real font: the browser fetches it (that is what Resource Timing records), then rejects its contents.
FONT_BYTES = b"wOF2" + bytes(range(256)) * 4

PAGE_FILES = {
    "index.html": INDEX_HTML,
    "css/style.css": STYLE_CSS,
    "js/script.js": SCRIPT_JS,
    "img/logo.png": png_1x1(),
    "fonts/hinted.woff2": FONT_BYTES,
}
# The page's first-level assets: a 103 for the page must name at least these (else the check would be vacuous).
FIRST_LEVEL_ASSETS = ["/css/style.css", "/js/script.js", "/img/logo.png"]
# What the stand-in hints, as h2push would: render-blocking first, then the font the style sheet names, then images.
STAND_IN_LINKS = [
    "</css/style.css>; rel=preload; as=style",
    "</js/script.js>; rel=preload; as=script",
    "</fonts/hinted.woff2>; rel=preload; as=font; crossorigin",
    "</img/logo.png>; rel=preload; as=image",
]

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".png": "image/png", ".woff2": "font/woff2"}


# ----------------------------------------------------------------------------------------------------------------
# Certificate and NSS database


def run_tool(args, env=None, timeout=TOOL_TIMEOUT):
    require_peer(args[0])
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise TestFailure(f"{' '.join(args)} did not finish within {timeout} s") from error
    check(done.returncode == 0, f"{' '.join(args)} exited with {done.returncode}: "
                                f"{done.stderr.decode('utf-8', 'replace')[-1000:]}")
    return done


def make_certificate(directory):
    """A self-signed leaf certificate (P-256) for localhost and 127.0.0.1; returns (cert.pem, key.pem)."""
    config = os.path.join(directory, "openssl.cnf")
    with open(config, "w", encoding="ascii") as f:
        f.write("[req]\nprompt = no\ndistinguished_name = dn\nx509_extensions = leaf\n"
                "[dn]\nCN = localhost\nO = h2push interop test\n"
                "[leaf]\nsubjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n"
                "subjectKeyIdentifier = hash\n")
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    run_tool(["openssl", "req", "-x509", "-config", config, "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "7"])
    return cert, key


def trust_in_nss(home, cert, trust="P,,"):
    """Creates $HOME/.pki/nssdb (no password) and adds `cert` with `trust` ("P,,": a trusted peer, for a leaf)."""
    nssdb = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nssdb, mode=0o700, exist_ok=True)
    env = dict(os.environ, HOME=home)
    run_tool(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], env=env)
    run_tool(["certutil", "-d", f"sql:{nssdb}", "-A", "-t", trust, "-n", "h2push-test", "-i", cert], env=env)
    listed = run_tool(["certutil", "-d", f"sql:{nssdb}", "-L"], env=env).stdout.decode("utf-8", "replace")
    check("h2push-test" in listed, f"certutil -L does not list the certificate: {listed!r}")


# ----------------------------------------------------------------------------------------------------------------
# Chromium


_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded before any fork
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: SIGKILL when this test process dies (e.g. killed by ctest's timeout), so Chromium
    never outlives the test even though it runs in its own session."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def kill_group(process):
    """SIGKILL to the whole process group of `process` (it was started in its own session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def load_in_chromium(workdir, home, url, extra_flags=()):
    """Loads `url` in headless Chromium with a fresh profile and a NetLog (default capture mode: headers without
    cookies); returns (the page's result dict, stderr text, the NetLog's path)."""
    chromium = require_peer("chromium")
    profile = tempfile.mkdtemp(prefix="profile-", dir=workdir)
    netlog = os.path.join(workdir, "netlog.json")
    args = [chromium, "--headless", f"--user-data-dir={profile}", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--no-sandbox",
            "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions", "--password-store=basic",
            "--no-default-browser-check", "--host-resolver-rules=MAP localhost 127.0.0.1",
            f"--log-net-log={netlog}", "--dump-dom", *extra_flags, url]
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"), TMPDIR=workdir)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    out_path = os.path.join(workdir, "chromium.stdout")
    err_path = os.path.join(workdir, "chromium.stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=workdir,
                                   start_new_session=True, preexec_fn=_die_with_parent)
        try:
            process.wait(timeout=CHROMIUM_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        finally:
            timed_out = process.poll() is None
            kill_group(process)
    with open(out_path, "rb") as f:
        dom = f.read().decode("utf-8", "replace")
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    # Chromium's own diagnosis first ("Page load failed: net::ERR_CERT_AUTHORITY_INVALID"), without the D-Bus noise
    # of a machine without a session bus.
    failures = re.findall(r"Page load failed: \S+", stderr)
    useful = "\n".join(line for line in stderr.splitlines() if "dbus" not in line.lower())[-2000:]
    check(not timed_out, f"chromium did not finish within {CHROMIUM_TIMEOUT} s; {failures} stderr tail: {useful}")
    match = RESULT_RE.search(dom)
    check(match is not None, f"chromium (exit {process.returncode}) printed no result: {failures}, DOM "
                             f"{dom[:1500]!r}, stderr tail {useful!r}")
    return json.loads(base64.b64decode(match.group(1))), stderr, netlog


# ----------------------------------------------------------------------------------------------------------------
# What the server sends: the 103's Link fields, read with python3-h2


def split_link_values(value):
    """One Link field value -> its link-values (commas inside <...> and quoted strings kept)."""
    parts, current, in_angle, in_quote = [], [], False, False
    for ch in value:
        if ch == "<" and not in_quote:
            in_angle = True
        elif ch == ">" and not in_quote:
            in_angle = False
        elif ch == '"' and not in_angle:
            in_quote = not in_quote
        if ch == "," and not in_angle and not in_quote:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_link(link_value):
    """'</a.css>; rel=preload; as=style' -> ('/a.css', {'rel': 'preload', 'as': 'style'})."""
    m = re.match(r"^<([^>]*)>(.*)$", link_value)
    check(m is not None, f"malformed Link value {link_value!r}")
    params = {}
    for param in m.group(2).split(";"):
        param = param.strip()
        if not param:
            continue
        name, _, val = param.partition("=")
        params[name.strip().lower()] = val.strip().strip('"')
    return m.group(1), params


def probe_hints(port, cafile):
    """GET / once like a browser navigation (push disabled); returns (hinted paths in order, the 103's Link lines,
    the interim status codes). Checks the 200 follows."""
    with H2Client(port, tls=True, cafile=cafile, server_hostname="localhost") as c:
        c.conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
        c.flush()
        stream = c.get("/", headers=[
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            ("sec-fetch-mode", "navigate"), ("sec-fetch-dest", "document"), ("sec-fetch-site", "none"),
            ("user-agent", "h2push-chromium-test-probe")], timeout=15.0)
    check(stream.status == 200, f"GET / answered {stream.status}: {stream.headers!r}")
    check(b"H2PUSH-RESULT" in bytes(stream.data), "GET / did not return the test page")
    interim = []
    links = []
    for fields in stream.informational:
        status = dict(fields).get(b":status", b"").decode()
        interim.append(status)
        if status == "103" and not links:  # browsers act on the first 103 only
            for name, value in fields:
                if name == b"link":
                    links += split_link_values(value.decode("latin-1"))
    paths = []
    for link in links:
        path, params = parse_link(link)
        if params.get("rel") in ("preload", "modulepreload"):
            paths.append(re.sub(r"^https://(localhost|127\.0\.0\.1):\d+", "", path))
    return paths, links, interim


# ----------------------------------------------------------------------------------------------------------------
# The stand-in: a small HTTP/2 TLS server that behaves as h2push should (for debugging the harness)


class StandInServer:
    """HTTP/2 over TLS (ALPN h2) on 127.0.0.1:0 with python3-h2: GET / -> 103 with STAND_IN_LINKS (unless
    `hints` is False), then the HTML after STAND_IN_DELAY; other paths -> the file (with an ETag, If-None-Match
    answered 304, and `cache_control`) or 404. A thread per connection, a lock per connection; flow control
    honoured."""

    def __init__(self, root, cert, key, hints=True, cache_control="max-age=60"):
        self.root = root
        self.hints = hints
        self.cache_control = cache_control
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.ctx.set_alpn_protocols(["h2"])
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((LOOPBACK, 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.threads = []
        self.log = []  # (path, status, seconds since the start)
        self.started = time.monotonic()

    def __enter__(self):
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self.threads.append(thread)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)
        self.listener.close()
        return False

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve_connection, args=(raw,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve_connection(self, raw):
        try:
            raw.settimeout(5.0)
            sock = self.ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        if sock.selected_alpn_protocol() != "h2":
            sock.close()
            return
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        lock = threading.Lock()
        pending = {}  # stream id -> body octets not yet sent (flow control)

        def flush():
            data = conn.data_to_send()
            if data:
                sock.sendall(data)

        def send_body(stream_id):
            body = pending.get(stream_id)
            while body is not None:
                allowed = min(conn.local_flow_control_window(stream_id), conn.max_outbound_frame_size, len(body))
                if allowed <= 0 and body:  # no window: WindowUpdated resumes it
                    pending[stream_id] = body
                    return
                conn.send_data(stream_id, body[:allowed], end_stream=(allowed == len(body)))
                body = body[allowed:] or None
            pending.pop(stream_id, None)

        def respond(stream_id, fields, body):
            try:
                with lock:
                    conn.send_headers(stream_id, [(n.encode(), v.encode()) for n, v in fields],
                                      end_stream=(body is None))
                    if body is not None:
                        pending[stream_id] = body
                        send_body(stream_id)
                    flush()
            except (OSError, h2.exceptions.H2Error):  # the client went away or reset the stream
                pass

        def answer(stream_id, path, if_none_match):
            path = path.split("?", 1)[0]
            if path == "/":
                path = "/index.html"
            file = os.path.normpath(os.path.join(self.root, path.lstrip("/")))
            if not file.startswith(self.root + os.sep) or not os.path.isfile(file):
                self.log.append((path, 404, round(time.monotonic() - self.started, 3)))
                respond(stream_id, [(":status", "404"), ("content-type", "text/plain"), ("content-length", "10"),
                                    ("cache-control", "no-store")], b"not found\n")
                return
            with open(file, "rb") as f:
                body = f.read()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            content_type = CONTENT_TYPES.get(os.path.splitext(file)[1], "application/octet-stream")
            fields = [("etag", etag)] + ([("cache-control", self.cache_control)] if self.cache_control else [])
            if if_none_match == etag:
                self.log.append((path, 304, round(time.monotonic() - self.started, 3)))
                respond(stream_id, [(":status", "304")] + fields, None)
                return
            self.log.append((path, 200, round(time.monotonic() - self.started, 3)))
            fields = [(":status", "200"), ("content-type", content_type), ("content-length", str(len(body)))] + fields
            if path == "/index.html":
                if self.hints:
                    with lock:
                        conn.send_headers(stream_id, [(b":status", b"103")] +
                                          [(b"link", link.encode()) for link in STAND_IN_LINKS])
                        flush()
                timer = threading.Timer(STAND_IN_DELAY, respond, args=(stream_id, fields, body))
                timer.daemon = True
                timer.start()
            else:
                respond(stream_id, fields, body)

        try:
            with lock:
                conn.initiate_connection()
                conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
                flush()
            deadline = time.monotonic() + CHROMIUM_TIMEOUT
            sock.settimeout(0.2)
            while not self.stopping.is_set() and time.monotonic() < deadline:
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                with lock:
                    events = conn.receive_data(data)
                    flush()
                for event in events:
                    if isinstance(event, h2.events.RequestReceived):
                        headers = dict(event.headers)
                        answer(event.stream_id, headers.get(b":path", b"/").decode("latin-1"),
                               headers.get(b"if-none-match", b"").decode("latin-1"))
                    elif isinstance(event, h2.events.WindowUpdated):
                        with lock:
                            for stream_id in list(pending):
                                send_body(stream_id)
                            flush()
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        return
        except (OSError, ssl.SSLError, h2.exceptions.H2Error):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass


# ----------------------------------------------------------------------------------------------------------------
# Servers under test


class CertH2pushServer(H2pushServer):
    """H2pushServer with our own certificate (`--cert/--key`): h2push then prints no "self-signed certificate" line,
    so the file is known up front."""

    def __init__(self, binary, root, config_text, cert, key):
        super().__init__(binary, root, config_text=config_text, extra_args=["--cert", cert, "--key", key])
        self.own_cert = cert

    def _parse_listener_lines(self):
        super()._parse_listener_lines()
        self.cert_file = self.own_cert


def h2push_config(mode):
    # Chromium keeps Early Hints preloads in its HTTP cache: the page uses one only if it is fresh. With h2push's
    # default `Cache-Control: no-cache` every hinted asset is fetched early, then revalidated (304), and the
    # Performance API shows its ordinary initiator type. So the assets get a freshness lifetime here.
    return (f'[push]\nmode = "{mode}"\nthink_time = "{THINK_TIME}"\n\n'
            '[cache]\ndefault = "no-cache"\n\n[cache.extensions]\n'
            'css = "max-age=600"\njs = "max-age=600"\npng = "max-age=600"\nwoff2 = "max-age=600"\n')


class Environment:
    """Everything one case needs: a temporary directory with the page, a certificate, a $HOME with an NSS database
    that trusts it."""

    def __init__(self, keep=False):
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="h2push-chromium-")
        self.root = os.path.join(self.dir, "root")
        self.home = os.path.join(self.dir, "home")
        os.makedirs(self.root)
        os.makedirs(self.home)
        write_tree(self.root, PAGE_FILES)
        self.cert, self.key = make_certificate(self.dir)
        trust_in_nss(self.home, self.cert)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.keep:
            print(f"  kept {self.dir}", flush=True)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False


def serve(args, env, mode):
    """A context manager serving the page in `mode` ("hints", "auto", "off"): h2push, or the stand-in."""
    if args.stand_in:
        return StandInServer(env.root, env.cert, env.key, hints=(mode != "off"),
                             cache_control=args.stand_in_cache_control)
    return CertH2pushServer(args.binary, env.root, h2push_config(mode), env.cert, env.key)


def https_port(server):
    return server.port if isinstance(server, StandInServer) else server.https_port


@contextlib.contextmanager
def chromium_endpoint(args, server):
    """The port Chromium connects to: `h2push relay --rtt RTT` in front of the server, or the server's own with
    --rtt 0. Over bare loopback Chromium sometimes drops the 103 (see the module doc)."""
    if args.rtt == "0":
        yield https_port(server)
        return
    with Relay(args.binary, https_port(server), ["--rtt", args.rtt]) as relay:
        yield relay.port


def access_log_lines(server):
    """h2push's access log (combined format, on stdout after the listener lines); none for the stand-in."""
    return [] if isinstance(server, StandInServer) else server.stdout().splitlines()


def chromium_page_line(server, skip):
    """The access log line of Chromium's request for / among the lines after the first `skip` ones, waited for up to
    ACCESS_LOG_WAIT s; None for the stand-in."""
    if isinstance(server, StandInServer):
        return None
    deadline = time.monotonic() + ACCESS_LOG_WAIT
    while True:
        for line in access_log_lines(server)[skip:]:
            if '"GET / HTTP/' in line and "HeadlessChrome" in line:
                return line
        check(time.monotonic() < deadline, f"no access log line for Chromium's GET / within {ACCESS_LOG_WAIT} s: "
                                           f"{access_log_lines(server)[skip:]}")
        time.sleep(0.05)


def describe(result):
    return "\n".join(f"    {e['initiatorType']:12} {e['protocol'] or '?':8} {e['name']}" for e in result["resources"])


def load_page(env, server, port):
    """One Chromium load of https://localhost:PORT/; returns ({path: [initiatorType]}, the NetLog's view of the load,
    h2push's access log line for the page or None)."""
    url = f"https://localhost:{port}/"
    workdir = tempfile.mkdtemp(prefix="run-", dir=env.dir)
    skip = len(access_log_lines(server))
    result, _, netlog = load_in_chromium(workdir, env.home, url)
    view = read_netlog_view(netlog, url)
    page_line = chromium_page_line(server, skip)
    print(f"  chromium loaded {url} over {result['navigationProtocol']}; resource entries:\n{describe(result)}",
          flush=True)
    print(f"  chromium's NetLog: {view.describe()}", flush=True)
    if isinstance(server, StandInServer):
        print(f"  the stand-in answered (path, status, seconds): {server.log}", flush=True)
    if page_line is not None:
        print(f"  h2push's access log: {page_line}", flush=True)
        check('"GET / HTTP/2.0" 200 ' in page_line, f"Chromium's page request was not answered 200 over HTTP/2: "
                                                    f"{page_line!r}")
    check(result["navigationProtocol"] == "h2",
          f"the page came over {result['navigationProtocol']!r}, not h2 (Early Hints are tested over h2)")
    check(result["scriptRan"], "the page's script did not run")
    entries = {}
    for entry in result["resources"]:
        path = re.sub(r"^https://localhost:\d+", "", entry["name"])
        entries.setdefault(path, []).append(entry["initiatorType"])
    for asset in ["/css/style.css", "/js/script.js", "/img/logo.png", "/fonts/hinted.woff2"]:
        check(asset in entries, f"Chromium did not load {asset} (entries: {entries})")
    return entries, view, page_line


# ----------------------------------------------------------------------------------------------------------------
# Test cases


def probe_and_check_hints(port, cert, mode):
    hinted, links, interim = probe_hints(port, cert)
    print(f"  the 103 for / (interim responses {interim}) names:", flush=True)
    for link in links:
        print(f"    link: {link}", flush=True)
    check("103" in interim, f"no 103 before the 200 for / in mode {mode!r} (interim responses: {interim})")
    check(interim.count("103") == 1, f"{interim.count('103')} 103 responses for one request, expected 1")
    for asset in FIRST_LEVEL_ASSETS:
        check(asset in hinted, f"the 103 does not name {asset}: {links}")
    return hinted


def hinted_assets_load_from_early_hints(mode):
    def test(args):
        with Environment(args.keep) as env, serve(args, env, mode) as server, \
                chromium_endpoint(args, server) as port:
            hinted = probe_and_check_hints(https_port(server), env.cert, mode)
            # Every load must show the 103 sent (access log) and received (NetLog). A load without early-hints
            # entries fails at once, unless the NetLog shows Chromium's own race (the 103 read before the
            # navigation waited for headers, docs/push.md): only that is tried again, up to LOAD_ATTEMPTS loads.
            for attempt in range(1, LOAD_ATTEMPTS + 1):
                entries, view, page_line = load_page(env, server, port)
                if page_line is not None:
                    check(page_line.endswith(f" hints={len(hinted)}"),
                          f"h2push's access log does not show a 103 with {len(hinted)} links for Chromium's "
                          f"request: {page_line!r}")
                check(view.session_received_103, f"Chromium's NetLog: {view.describe()}")
                wrong = {path: entries.get(path) for path in hinted if "early-hints" not in entries.get(path, [])}
                if not wrong:
                    break
                print(f"  attempt {attempt}: not loaded from the hints: {wrong}", flush=True)
                check(view.dropped_by_race, f"assets named in the 103 were not loaded from the hints (path: "
                                            f"initiatorType seen): {wrong}; Chromium's NetLog: {view.describe()}")
            check(not wrong, f"in {LOAD_ATTEMPTS} loads Chromium dropped the 103 every time (its race: the 103 came "
                             f"before the navigation waited for headers, even with --rtt {args.rtt})")
            print(f"  every hinted asset ({len(hinted)}) has initiatorType early-hints (attempt {attempt})", flush=True)
    return test


def no_hints_no_early_hints_entries(args):
    with Environment(args.keep) as env, serve(args, env, "off") as server, chromium_endpoint(args, server) as port:
        hinted, links, interim = probe_hints(https_port(server), env.cert)
        check("103" not in interim and not links, f"mode off still sent a 103: {interim} {links}")
        entries, view, page_line = load_page(env, server, port)
        check(page_line is None or "hints=" not in page_line, f"mode off logged hints: {page_line!r}")
        check(view.navigation_found and not view.session_received_103,
              f"mode off, yet Chromium's NetLog says: {view.describe()}")
        early = [path for path, types in entries.items() if "early-hints" in types]
        check(not early, f"without a 103 Chromium still reports early-hints entries: {early}")


TESTS = [
    ("ChromiumEarlyHints.HintsModeAssetsLoadFromEarlyHints", hinted_assets_load_from_early_hints("hints")),
    ("ChromiumEarlyHints.AutoModeHintsChromium", hinted_assets_load_from_early_hints("auto")),
    ("ChromiumEarlyHints.OffModeNoEarlyHintsEntries", no_hints_no_early_hints_entries),
]


def add_arguments(parser):
    parser.add_argument("--stand-in", action="store_true",
                        help="test the harness against a Python HTTP/2 server that sends 103s, not h2push")
    parser.add_argument("--stand-in-cache-control", default="max-age=60", metavar="VALUE",
                        help="the stand-in's Cache-Control for files ('' for none; try no-cache or no-store)")
    parser.add_argument("--rtt", default=RELAY_RTT,
                        help=f"round trip of the `h2push relay` between Chromium and the server (default "
                             f"{RELAY_RTT}); 0: no relay, Chromium connects straight to the server")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories (Chromium's output)")


def skip_without_chromium():
    """Exits with SKIP_STATUS when chromium or certutil is missing, unless $CI or $H2PUSH_REQUIRE_CHROMIUM asks for
    the test (CI installs both through scripts/install-deps): then returns the reason to fail."""
    missing = [name for name in ("chromium", "certutil") if shutil.which(name) is None]
    if not missing:
        return None
    required = [name for name in ("CI", "H2PUSH_REQUIRE_CHROMIUM")
                if os.environ.get(name, "").lower() not in ("", "0", "false", "no")]
    what = " and ".join(missing)
    if required:
        return (f"{what} not on PATH, and ${required[0]} is set, so this test must run (Debian packages chromium "
                f"and libnss3-tools; scripts/install-deps installs them)")
    print(f"SKIPPED: {what} not on PATH (Debian packages chromium and libnss3-tools, see scripts/install-deps); "
          f"set H2PUSH_REQUIRE_CHROMIUM=1 to fail instead", flush=True)
    sys.exit(SKIP_STATUS)


def check_args(args):
    needs_binary = not args.stand_in or args.rtt != "0"  # the relay is h2push's too
    if needs_binary and not (args.binary and os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        return f"--binary {args.binary!r} is not an executable (the stand-in with --rtt 0 needs none)"
    if args.binary:
        args.binary = os.path.abspath(args.binary)  # h2push runs in its own temporary directory
    problem = skip_without_chromium()
    if problem:
        return problem
    print(f"server under test: {'the Python stand-in' if args.stand_in else args.binary}; "
          f"{'no relay' if args.rtt == '0' else 'through h2push relay --rtt ' + args.rtt}", flush=True)
    return None


if __name__ == "__main__":
    run_tests(TESTS, __doc__.split("\n\n")[0], PER_TEST_TIMEOUT, add_arguments, check_args)
