#!/usr/bin/python3
"""TLS of `h2push serve` (RFC 9113 §9.2, SECURITY.md §15) from Python's ssl module (OpenSSL 3) as the client:
TLS 1.3 and 1.2 are accepted, TLS 1.1 is refused by the server; TLS 1.2 agrees on an ECDHE suite with an AEAD cipher
and refuses a CBC suite the certificate could otherwise use; ALPN h2 gives h2, http/1.1 or no ALPN gives HTTP/1.1;
a ClientHello with SNI (ours or any other name) or without is served; a session is resumed over TLS 1.2 (session id
cache) and TLS 1.3 (tickets); renegotiation is refused (openssl s_client); tls.min_version = "1.3" refuses TLS 1.2
and tls.alpn's order is the server's preference. The certificate is the self-signed one the server prints."""

import os
import socket
import ssl
import sys
import subprocess
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import (LOOPBACK, H2Client, H2pushServer, check, require_peer, run_tests,  # noqa: E402
                           write_tree)

FILES = {"small.txt": b"over TLS\n"}
warnings.filterwarnings("ignore", category=DeprecationWarning)  # TLS 1.1 is named on purpose


def with_server(test):
    def run(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, FILES)
            with H2pushServer(args.binary, root) as server:
                test(server)
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return run


def context(server, verify=True, minimum=None, maximum=None, ciphers=None, alpn=("http/1.1",)):
    ctx = ssl.create_default_context(cafile=server.cert_file) if verify else ssl._create_unverified_context()
    if minimum is not None:
        ctx.minimum_version = minimum
    if maximum is not None:
        ctx.maximum_version = maximum
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    if alpn:
        ctx.set_alpn_protocols(list(alpn))
    return ctx


def connect(server, ctx, server_hostname="localhost", session=None):
    raw = socket.create_connection((LOOPBACK, server.https_port), timeout=10)
    try:
        return ctx.wrap_socket(raw, server_hostname=server_hostname, session=session)
    except BaseException:
        raw.close()
        raise


def http11_get(sock):
    """GET /small.txt over HTTP/1.1 on `sock` (Connection: close); returns the whole answer."""
    sock.sendall(b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    data = b""
    for _ in range(1000):
        try:
            chunk = sock.recv(65536)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError):
            chunk = b""
        if not chunk:
            break
        data += chunk
    check(data.startswith(b"HTTP/1.1 200 ") and data.endswith(FILES["small.txt"]), f"answer {data[:200]!r}")
    return data


def handshake_error(server, ctx):
    """The SSLError of a handshake expected to fail (None when it succeeds)."""
    try:
        with connect(server, ctx):
            return None
    except ssl.SSLError as error:
        return error
    except (ConnectionResetError, BrokenPipeError) as error:
        return error


@with_server
def accepts_tls12_and_13_and_refuses_older(server):
    for version, name in ((ssl.TLSVersion.TLSv1_3, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")):
        with connect(server, context(server, minimum=version, maximum=version)) as s:
            check(s.version() == name, f"negotiated {s.version()}, expected {name}")
            http11_get(s)
    # TLS 1.1, with the client's own security level lowered so that it really offers it: the server refuses.
    old = context(server, verify=False, minimum=ssl.TLSVersion.TLSv1_1, maximum=ssl.TLSVersion.TLSv1_1,
                  ciphers="DEFAULT:@SECLEVEL=0")
    error = handshake_error(server, old)
    check(error is not None, "a TLS 1.1 handshake succeeded")
    reason = getattr(error, "reason", None) or str(error)
    check("NO_PROTOCOLS_AVAILABLE" not in str(reason), f"the client could not offer TLS 1.1: {error!r}")
    print(f"TLS 1.1 refused: {reason}", flush=True)


@with_server
def uses_ephemeral_aead_suites_for_tls12(server):  # H2-9.2.2-01 (RFC 9113 §9.2.2, Appendix A)
    with connect(server, context(server, maximum=ssl.TLSVersion.TLSv1_2, alpn=("h2",))) as s:
        name, version, _ = s.cipher()
        check(version == "TLSv1.2" and s.selected_alpn_protocol() == "h2", f"{version} {s.selected_alpn_protocol()}")
        check(name.startswith("ECDHE-") and ("GCM" in name or "CHACHA20" in name),
              f"TLS 1.2 suite {name}: expected ECDHE with an AEAD cipher")
    # The same certificate (ECDSA) could serve ECDHE-ECDSA-AES128-SHA, a CBC suite of Appendix A: refused.
    cbc = context(server, verify=False, maximum=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA",
                  alpn=("h2", "http/1.1"))
    error = handshake_error(server, cbc)
    check(error is not None, "a TLS 1.2 handshake with a CBC suite succeeded")
    check("ALERT" in str(getattr(error, "reason", "")), f"the client failed by itself, not on the server's alert: "
                                                         f"{error!r}")
    # Control: its AEAD sibling is accepted.
    gcm = context(server, maximum=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-GCM-SHA256")
    with connect(server, gcm) as s:
        check(s.cipher()[0] == "ECDHE-ECDSA-AES128-GCM-SHA256", f"suite {s.cipher()[0]}")
        http11_get(s)


@with_server
def selects_protocol_by_alpn(server):  # RFC 9113 §3.2, RFC 7301
    with connect(server, context(server, alpn=("h2", "http/1.1"))) as s:
        check(s.selected_alpn_protocol() == "h2", f"ALPN h2, http/1.1 selected {s.selected_alpn_protocol()!r}")
    with connect(server, context(server, alpn=("http/1.1",))) as s:
        check(s.selected_alpn_protocol() == "http/1.1", f"ALPN http/1.1 selected {s.selected_alpn_protocol()!r}")
        http11_get(s)
    with connect(server, context(server, alpn=())) as s:
        check(s.selected_alpn_protocol() is None, f"no ALPN offered, {s.selected_alpn_protocol()!r} selected")
        http11_get(s)  # no ALPN means HTTP/1.1
    with connect(server, context(server, alpn=("h2c", "spdy/3"))) as s:
        check(s.selected_alpn_protocol() is None, f"unknown protocols, {s.selected_alpn_protocol()!r} selected")


@with_server
def serves_with_and_without_sni(server):  # H2-9.2-02 (RFC 9113 §9.2)
    with connect(server, context(server), server_hostname="localhost") as s:  # SNI "localhost", verified
        http11_get(s)
    with connect(server, context(server, verify=False), server_hostname=None) as s:  # no SNI
        http11_get(s)
    with connect(server, context(server, verify=False), server_hostname="www.example.org") as s:  # another name
        http11_get(s)
    with H2Client(server.https_port, tls=True, cafile=server.cert_file, server_hostname="localhost") as c:
        r = c.get("/small.txt")
        check(r.status == 200 and bytes(r.data) == FILES["small.txt"], f"h2 with SNI: {r.status}")


@with_server
def resumes_sessions(server):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        ctx = context(server, minimum=version, maximum=version)
        with connect(server, ctx) as first:
            http11_get(first)  # TLS 1.3 tickets arrive after the handshake: read before taking the session
            session = first.session
            check(not first.session_reused, "the first connection claims a resumed session")
        check(session is not None, f"{version.name}: no session to resume")
        with connect(server, ctx, session=session) as second:
            check(second.session_reused, f"{version.name}: the session was not resumed")
            http11_get(second)


@with_server
def refuses_renegotiation(server):  # H2-9.2.1-01 (RFC 9113 §9.2.1)
    # openssl s_client renegotiates when it reads "R" on its standard input; the server answers with an alert.
    args = ["openssl", "s_client", "-connect", f"{LOOPBACK}:{server.https_port}", "-tls1_2", "-servername",
            "localhost", "-CAfile", server.cert_file]
    require_peer("openssl")
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        process.stdin.write(b"R\n")
        process.stdin.flush()
        time.sleep(1.0)  # s_client ends on EOF of its input: leave it time to renegotiate first
        output, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    text = output.decode("utf-8", "replace")
    check("Verify return code: 0" in text, f"the handshake itself failed: {text[-800:]!r}")
    check("RENEGOTIATING" in text, f"s_client did not try to renegotiate: {text[-800:]!r}")
    check("no renegotiation" in text, f"the server did not refuse the renegotiation: {text[-800:]!r}")


def follows_tls_config(args):  # tls.min_version, tls.alpn (docs/configuration.md)
    config = '[tls]\nmin_version = "1.3"\nalpn = ["http/1.1", "h2"]\n'
    with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
        write_tree(root, FILES)
        with H2pushServer(args.binary, root, config_text=config) as server:
            error = handshake_error(server, context(server, maximum=ssl.TLSVersion.TLSv1_2))
            check(error is not None, "a TLS 1.2 handshake succeeded with min_version = \"1.3\"")
            check("PROTOCOL_VERSION" in str(getattr(error, "reason", "")), f"TLS 1.2 refused with {error!r}")
            with connect(server, context(server, alpn=("h2", "http/1.1"))) as s:
                check(s.version() == "TLSv1.3", f"negotiated {s.version()}")
                check(s.selected_alpn_protocol() == "http/1.1",
                      f"alpn = [http/1.1, h2] yet {s.selected_alpn_protocol()!r} was selected")
                http11_get(s)
            with H2Client(server.https_port, tls=True, cafile=server.cert_file) as c:  # offers h2 alone
                r = c.get("/small.txt")
                check(r.status == 200 and bytes(r.data) == FILES["small.txt"], f"h2: {r.status}")
            check(server.stop() == 0, "the server did not exit 0 after SIGTERM")


TESTS = [
    ("ServerTlsTest.AcceptsTls12And13AndRefusesTls11", accepts_tls12_and_13_and_refuses_older),
    ("ServerTlsTest.UsesEcdheAeadSuitesWhenTls12", uses_ephemeral_aead_suites_for_tls12),
    ("ServerTlsTest.SelectsH2OrHttp11ByAlpn", selects_protocol_by_alpn),
    ("ServerTlsTest.ServesWithAndWithoutSni", serves_with_and_without_sni),
    ("ServerTlsTest.ResumesSessionsWhenTls12OrTls13", resumes_sessions),
    ("ServerTlsTest.RefusesRenegotiationWhenTls12", refuses_renegotiation),
    ("ServerTlsTest.FollowsMinVersionAndAlpnOrderFromConfig", follows_tls_config),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=60)
