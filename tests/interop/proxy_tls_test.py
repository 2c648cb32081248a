#!/usr/bin/python3
"""`h2push proxy` in front of an HTTPS upstream: nginx with TLS on a port picked at run time, a certificate for
localhost and 127.0.0.1 made now by the openssl command (its own CA file), and curl / nghttp / python-h2 as clients.

- Pages and assets pass over verified TLS (SNI localhost, as nginx's $ssl_server_name shows); the 103 Early Hints
  learned through the HTTPS upstream arrive on the second load (python-h2 and curl over HTTP/1.1); every request
  of a sequential run travels over one upstream TLS connection (nginx's $connection).
- Verification: without the CA file (system store) and with a wrong name (upstream_sni) the client gets 502 and the
  proxy's error log names OpenSSL's reason; upstream_tls_verify = false passes; an https:// route to a cleartext
  port (garbage instead of a handshake) gives 502; after each failure the next request is served.
- Pushes are fetched through the HTTPS upstream (python-h2 with push enabled gets the assets' bodies); the extra
  connections they open resume the first connection's TLS session.
- h2s:// to nghttpd (HTTP/2 over TLS): concurrent requests share one verified upstream connection (nghttpd's
  connection ids), the 103 is learned through it; a wrong name and an upstream without h2 in ALPN (nginx) give 502.
- `--upstream https://... --upstream-ca FILE` and `--upstream-insecure` on the command line.
"""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import LOOPBACK, H2Client, check, free_port, require_peer, run_peer, run_tests, write_tree  # noqa: E402
from proxy_support import Process, ProxyStack  # noqa: E402

PAGE = (b"<!doctype html><html><head><link rel=stylesheet href=/site.css>"
        b"<script src=/app.js defer></script></head><body><p>Hello over TLS</p></body></html>")
FILES = {
    "index.html": PAGE,
    "site.css": b"body { color: #123 }\n",
    "app.js": b"console.log('hi');\n",
    "insecure/index.html": PAGE,
}
ASSETS = {"/site.css", "/app.js"}


def make_certificate(directory):
    """A self-signed certificate for localhost and 127.0.0.1 (it is its own CA)."""
    openssl = require_peer("openssl")
    cert, key = os.path.join(directory, "up-cert.pem"), os.path.join(directory, "up-key.pem")
    run_peer([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
              "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    check(os.path.getsize(cert) > 0, "openssl made no certificate")
    return cert, key


class NginxTls:
    """nginx serving `www` over HTTPS (and cleartext, for the garbage case) on ports picked now; its access log
    records the TLS connection number, SNI and session reuse of each request."""

    def __init__(self, directory, www, cert, key):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check(os.path.exists(nginx), "peer 'nginx' is not installed (a missing peer fails the test)")
        self.port, self.plain_port = free_port(), free_port()
        d = os.path.join(directory, "nginx")
        os.makedirs(os.path.join(d, "logs"))
        self.access_log = os.path.join(d, "logs", "access.log")
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"""{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  log_format tls '$connection $ssl_server_name $ssl_session_reused $request_uri $status';
  access_log {self.access_log} tls;
  default_type application/octet-stream;
  types {{ text/html html; text/css css; application/javascript js; }}
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    listen 127.0.0.1:{self.plain_port};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {www};
  }}
}}
""")
        argv = [nginx, "-p", d + "/", "-e", os.path.join(d, "logs", "error.log"), "-c", conf]
        tested = subprocess.run(argv + ["-t"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=30)
        check(tested.returncode == 0, f"nginx -t refused the configuration:\n{tested.stdout}")
        self.process = Process(argv, d, "nginx")
        deadline = time.monotonic() + 15
        for _ in range(300):
            if run_curl_status(f"https://localhost:{self.port}/site.css", ["--cacert", cert]) == 200:
                break
            check(time.monotonic() < deadline and self.process.process.poll() is None, "nginx did not answer over TLS")
            time.sleep(0.05)
        self.probes = len(self.log_lines())  # the readiness probes above; the proxy's requests follow

    def log_lines(self):
        with open(self.access_log, encoding="utf-8") as f:
            return [line.split() for line in f if line.strip()]

    def end(self):
        self.process.end()


class NghttpdTls:
    """nghttpd (HTTP/2 over TLS only, ALPN h2) serving `www` on a port picked now; -v prints each frame with the
    connection's id, which tells how many connections the proxy opened."""

    def __init__(self, directory, www, cert, key):
        nghttpd = require_peer("nghttpd")
        self.port = free_port()
        self.process = Process([nghttpd, "-v", "-a", LOOPBACK, "-d", www, str(self.port), key, cert], directory,
                               "nghttpd")
        deadline = time.monotonic() + 15
        for _ in range(300):
            if run_curl_status(f"https://localhost:{self.port}/site.css", ["--cacert", cert, "--http2"]) == 200:
                break
            check(time.monotonic() < deadline and self.process.process.poll() is None, "nghttpd did not answer")
            time.sleep(0.05)
        self.probe_ids = self.connection_ids()

    def connection_ids(self):
        with open(self.process.out_path, encoding="utf-8", errors="replace") as f:
            return set(re.findall(r"\[id=(\d+)\]", f.read()))

    def end(self):
        self.process.end()


def run_curl_status(url, extra=()):
    curl = require_peer("curl")
    out = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", *extra, url],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30)
    return int(out.stdout or b"0")


class Stack(ProxyStack):
    """nginx over TLS and `h2push proxy` (one worker) with the given route lines (UPSTREAM, CA, PLAIN filled in)."""

    def __init__(self, binary, routes=None, cli=None, with_nghttpd=False):
        super().__init__("h2push-proxytls-")
        self.nginx = self.nghttpd = None
        try:
            www = os.path.join(self.dir, "www")
            write_tree(www, FILES)
            self.cert, key = make_certificate(self.dir)
            self.nginx = NginxTls(self.dir, www, self.cert, key)
            upstream = f"https://localhost:{self.nginx.port}"
            if with_nghttpd:
                self.nghttpd = NghttpdTls(self.dir, www, self.cert, key)
                routes = routes.replace("NGHTTPD", str(self.nghttpd.port)).replace("NGINX", str(self.nginx.port))
            args = [binary, "proxy", "--http", f"{LOOPBACK}:0", "--https", f"{LOOPBACK}:0", "--workers", "1"]
            if routes is not None:
                config = os.path.join(self.dir, "proxy.toml")
                with open(config, "w", encoding="utf-8") as f:
                    f.write(routes.replace("UPSTREAM", upstream).replace("CA", self.cert)
                            .replace("PLAIN", f"https://127.0.0.1:{self.nginx.plain_port}"))
                args += ["--config", config]
            else:
                args += ["--upstream", upstream] + [a.replace("CA", self.cert) for a in cli]
            self.start_proxy(args)
        except BaseException:
            self.close()
            raise

    def url(self, path):
        return f"http://{LOOPBACK}:{self.port}{path}"

    def errors(self):
        with open(self.proxy.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def close(self):
        for server in (self.nginx, self.nghttpd):
            if server is not None:
                server.end()
        super().close()


def get_h2(port, path):
    with H2Client(port, tls=False, enable_push=False) as client:
        return client.get(path, headers=[("accept", "text/html")])


def link_targets(stream):
    return {value.decode().split(">", 1)[0].lstrip("<")
            for block in stream.informational for name, value in block if name == b"link"}


VERIFIED = '[[proxy]]\nupstream = "UPSTREAM"\nupstream_ca_file = "CA"\n'


def test_pages_and_learned_hints_through_verified_tls(args):
    with Stack(args.binary, routes=VERIFIED) as stack:
        first = get_h2(stack.port, "/")
        check(first.status == 200 and bytes(first.data) == PAGE, f"first page: {first.status}")
        check(not first.informational, f"a 103 before anything was learned: {first.informational}")
        second = get_h2(stack.port, "/")
        check(second.status == 200, f"second status {second.status}")
        check(link_targets(second) == ASSETS, f"103 links {link_targets(second)} != {ASSETS}")
        curl = require_peer("curl")
        out = run_peer([curl, "-sv", "--http1.1", "-H", "host: localhost", "-o", "/dev/null",
                        stack.url("/")]).stderr.decode(errors="replace")
        check("< HTTP/1.1 103" in out and "site.css" in out, f"no 103 for curl over HTTP/1.1: {out}")
        css = run_peer([curl, "-s", "--http2-prior-knowledge", stack.url("/site.css")]).stdout
        check(css == FILES["site.css"], f"site.css through the proxy: {css!r}")
        nghttp = require_peer("nghttp")
        got = run_peer([nghttp, "-s", stack.url("/app.js")])
        check(got.returncode == 0, f"nghttp failed: {got.stderr!r}")
        lines = stack.nginx.log_lines()[stack.nginx.probes:]
        proxied = [line for line in lines if line[3] in ("/", "/site.css", "/app.js")]
        check(len(proxied) >= 5, f"nginx saw {len(proxied)} proxied requests: {lines}")
        connections = {line[0] for line in proxied}
        check(len(connections) == 1, f"sequential requests used {len(connections)} upstream TLS connections: {lines}")
        check(all(line[1] == "localhost" for line in proxied), f"SNI seen by nginx: {lines}")
        check("TLS handshake failed" not in stack.errors(), stack.errors())


def test_pushes_are_fetched_through_the_https_upstream(args):
    with Stack(args.binary, routes=VERIFIED) as stack:
        check(get_h2(stack.port, "/").status == 200, "the learning load failed")
        with H2Client(stack.port, tls=False, enable_push=True) as client:
            page = client.streams[client.request("/", headers=[("accept", "text/html")])]
            client.pump_until(lambda: page.done and len(client.pushes) == len(ASSETS) and
                              all(p.done for p in client.pushes), what="the page and its pushes")
            pushed = {p.request_header(":path"): p for p in client.pushes}
            check(set(pushed) == ASSETS, f"pushed {sorted(pushed)}, want {sorted(ASSETS)}")
            for path, stream in pushed.items():
                check(stream.status == 200 and bytes(stream.data) == FILES[path.lstrip("/")],
                      f"{path}: pushed {stream.status} {bytes(stream.data)!r}")
        lines = stack.nginx.log_lines()[stack.nginx.probes:]
        fetched = sorted(line[3] for line in lines if line[3] in ASSETS)
        check(fetched == sorted(ASSETS), f"nginx served the pushes {fetched}: {lines}")
        # The pushes run while the page's request holds the pooled connection: the new connections they open resume
        # the TLS session of the first (nginx's $ssl_session_reused "r").
        later = [line for line in lines if line[0] != lines[0][0]]
        check(all(line[2] == "r" for line in later), f"a reconnect did not resume the TLS session: {lines}")


ROUTES = VERIFIED + '''
[[proxy]]
prefix = "/unverified"
upstream = "UPSTREAM"

[[proxy]]
prefix = "/wrongname"
upstream = "UPSTREAM"
upstream_ca_file = "CA"
upstream_sni = "app.internal"

[[proxy]]
prefix = "/insecure"
upstream = "UPSTREAM"
upstream_tls_verify = false
upstream_sni = "app.internal"

[[proxy]]
prefix = "/plain"
upstream = "PLAIN"
upstream_ca_file = "CA"
'''


def test_verification_failures_are_502_and_the_next_request_is_served(args):
    with Stack(args.binary, routes=ROUTES) as stack:
        cases = [("/unverified/", "certificate verify failed: self-signed certificate"),
                 ("/wrongname/", "certificate verify failed: hostname mismatch"),
                 ("/plain/", "TLS handshake failed: ")]
        for path, reason in cases:
            status = run_curl_status(stack.url(path))
            check(status == 502, f"{path}: status {status}, want 502")
            check(reason in stack.errors(), f"{path}: no {reason!r} in the error log: {stack.errors()}")
            check(run_curl_status(stack.url("/site.css")) == 200, f"after {path}: the next request failed")
        check(run_curl_status(stack.url("/insecure/")) == 200, "upstream_tls_verify = false was refused")
        line = [ln for ln in stack.errors().splitlines() if "/wrongname/" in ln]
        check(line and f"https://localhost:{stack.nginx.port}" in line[0], f"the log line names no upstream: {line}")


H2S_ROUTES = '''
[[proxy]]
upstream = "h2s://localhost:NGHTTPD"
upstream_ca_file = "CA"

[[proxy]]
prefix = "/wrongname"
upstream = "h2s://127.0.0.1:NGHTTPD"
upstream_ca_file = "CA"
upstream_sni = "app.internal"

[[proxy]]
prefix = "/no-h2"
upstream = "h2s://localhost:NGINX"
upstream_ca_file = "CA"
'''


def test_h2s_upstream_multiplexes_over_one_verified_connection(args):
    with Stack(args.binary, routes=H2S_ROUTES, with_nghttpd=True) as stack:
        first = get_h2(stack.port, "/")
        check(first.status == 200 and bytes(first.data) == PAGE, f"first page: {first.status}")
        with H2Client(stack.port, tls=False, enable_push=False) as client:
            ids = [client.request(path) for path in ("/", "/site.css", "/app.js", "/site.css", "/app.js")]
            client.pump_until(lambda: all(client.streams[i].done for i in ids), what="five concurrent requests")
            page = client.streams[ids[0]]
            check(page.status == 200 and link_targets(page) == ASSETS, f"second page: {page.status} "
                  f"{link_targets(page)} (the 103 learned through h2s://)")
            for i, path in zip(ids[1:], ("/site.css", "/app.js", "/site.css", "/app.js")):
                body = bytes(client.streams[i].data)
                check(client.streams[i].status == 200 and body == FILES[path[1:]], f"{path}: {body!r}")
        used = stack.nghttpd.connection_ids() - stack.nghttpd.probe_ids
        check(len(used) == 1, f"the proxy used {len(used)} connections to nghttpd: {sorted(used)}")
        for path, reason in (("/wrongname/", "certificate verify failed: hostname mismatch"),
                             ("/no-h2/", "no application protocol")):  # nginx refuses ALPN h2 alone
            status = run_curl_status(stack.url(path))
            check(status == 502, f"{path}: status {status}, want 502")
            check(reason in stack.errors(), f"{path}: no {reason!r} in the error log: {stack.errors()}")
            check(run_curl_status(stack.url("/site.css")) == 200, f"after {path}: the next request failed")


def test_command_line_flags(args):
    with Stack(args.binary, cli=["--upstream-ca", "CA"]) as stack:
        check(run_curl_status(stack.url("/site.css")) == 200, "--upstream-ca: not served")
    with Stack(args.binary, cli=["--upstream-insecure"]) as stack:
        check(run_curl_status(stack.url("/site.css")) == 200, "--upstream-insecure: not served")
    with Stack(args.binary, cli=[]) as stack:  # the system trust store does not know the certificate
        check(run_curl_status(stack.url("/site.css")) == 502, "an unverifiable upstream was accepted")
        not_pem = os.path.join(stack.dir, "not-a-ca.pem")
        with open(not_pem, "w", encoding="ascii") as f:
            f.write("this is no certificate\n")
        refused = run_peer([args.binary, "proxy", "--http", f"{LOOPBACK}:0", "--https", f"{LOOPBACK}:0", "--upstream",
                            f"https://localhost:{stack.nginx.port}", "--upstream-ca", not_pem], timeout=20)
        err = refused.stderr.decode(errors="replace")
        check(refused.returncode == 1 and "upstream_ca_file" in err and "not-a-ca.pem" in err,
              f"a CA file without certificates: exit {refused.returncode}, {err!r}")


if __name__ == "__main__":
    run_tests([
        ("PagesAndLearnedHintsThroughVerifiedTls", test_pages_and_learned_hints_through_verified_tls),
        ("PushesAreFetchedThroughTheHttpsUpstream", test_pushes_are_fetched_through_the_https_upstream),
        ("VerificationFailuresAre502", test_verification_failures_are_502_and_the_next_request_is_served),
        ("H2sUpstreamMultiplexes", test_h2s_upstream_multiplexes_over_one_verified_connection),
        ("CommandLineFlags", test_command_line_flags),
    ], "h2push proxy: HTTPS upstreams (nginx over TLS)")
