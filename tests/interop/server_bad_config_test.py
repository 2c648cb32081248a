#!/usr/bin/python3
"""Bad configuration files for `h2push serve --config` (docs/configuration.md): an unknown key, a wrong type, a value
out of range, a bare number for a duration, a size without a valid unit, an unknown enum value, an unknown table, a
bad address, a key without its certificate, a TOML syntax error. Each exits with status 2 before listening, with one
line on stderr naming the file and line (and the dotted key); nothing accepts on the listener's port. A control: the
same files with the mistake corrected start and serve."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2pushServer, check, free_port, http1_request, port_accepts, run_tests  # noqa: E402

PREAMBLE = "# h2push interop: a configuration with one mistake\n\n[server]\nh2c = true\n\n"  # 5 lines

# (name, the rest of the file, its line of the mistake counted from 1 after PREAMBLE, dotted key, fixed rest)
CASES = [
    ("UnknownKey", "[limits]\nmax_concurent_streams = 50\n", 2, "limits.max_concurent_streams",
     "[limits]\nmax_concurrent_streams = 50\n"),
    ("WrongType", "[timeouts]\nidle = \"2m\"\n[limits]\nmax_request_headers = \"100\"\n", 4,
     "limits.max_request_headers", "[timeouts]\nidle = \"2m\"\n[limits]\nmax_request_headers = 100\n"),
    ("OutOfRange", "[limits]\nmax_concurrent_streams = 0\n", 2, "limits.max_concurrent_streams",
     "[limits]\nmax_concurrent_streams = 1\n"),
    ("NegativeNumber", "[compression]\ngzip_level = -3\n", 2, "compression.gzip_level",
     "[compression]\ngzip_level = 3\n"),
    ("DurationWithoutUnit", "[timeouts]\nkeep_alive = 30\n", 2, "timeouts.keep_alive",
     "[timeouts]\nkeep_alive = \"30s\"\n"),
    ("SizeWithBadUnit", "[limits]\n\noutput_buffer_size = \"64 parsecs\"\n", 3, "limits.output_buffer_size",
     "[limits]\n\noutput_buffer_size = \"64KiB\"\n"),
    ("UnknownEnumValue", "[logging]\nlevel = \"loud\"\n", 2, "logging.level", "[logging]\nlevel = \"warn\"\n"),
    ("UnknownTable", "[limit]\nmax_connections = 10\n", 1, "limit", "[limits]\nmax_connections = 10\n"),
    ("KeyInWrongTable", "[tls]\nworkers = 2\n", 2, "tls.workers", "[tls]\nmin_version = \"1.2\"\n"),
    ("BadAlpn", "[tls]\nalpn = [\"h2\", \"spdy/3\"]\n", 2, "tls.alpn[1]", "[tls]\nalpn = [\"h2\", \"http/1.1\"]\n"),
    ("KeyWithoutCert", "[tls]\nkey = \"key.pem\"\n", 2, "tls.key", "[tls]\n\n"),
    ("PushModeUnknown", "[push]\nmode = \"sometimes\"\n", 2, "push.mode", "[push]\nmode = \"hints\"\n"),
    ("TomlSyntaxError", "[limits\nmax_connections = 10\n", 1, None, "[limits]\nmax_connections = 10\n"),
]


def write(directory, name, text):
    path = os.path.join(directory, name + ".toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def refuses_bad_configs(args):
    failures = []
    with tempfile.TemporaryDirectory(prefix="h2push-config-") as directory:
        for name, rest, line, key, _ in CASES:
            path = write(directory, name, PREAMBLE + rest)
            port = free_port()
            try:
                result = subprocess.run([args.binary, "serve", "--config", path, "--http", f"127.0.0.1:{port}",
                                         "--https", f"127.0.0.1:{free_port()}"], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10, cwd=directory,
                                        env=dict(os.environ, TMPDIR=directory))
            except subprocess.TimeoutExpired:
                failures.append(f"{name}: still running after 10 s (it started with a bad configuration)")
                continue
            err = result.stderr.decode("utf-8", "replace")
            lines = [l for l in err.split("\n") if l.strip()]
            where = f"{os.path.basename(path)}:{len(PREAMBLE.splitlines()) + line}:"
            problems = []
            if result.returncode != 2:
                problems.append(f"exit status {result.returncode}, expected 2")
            if len(lines) != 1:
                problems.append(f"{len(lines)} lines on stderr, expected 1")
            if where not in err:
                problems.append(f"stderr does not name {where!r}")
            if key is not None and f"'{key}'" not in err:
                problems.append(f"stderr does not name the key '{key}'")
            if b"http://" in result.stdout or b"https://" in result.stdout:
                problems.append(f"it announced listeners: {result.stdout[:200]!r}")
            if port_accepts(port, timeout=0.5):
                problems.append(f"something accepts on its port {port}")
            if problems:
                failures.append(f"{name}: {'; '.join(problems)}; stderr {err!r}")
    check(not failures, "bad configurations not refused as documented:\n  " + "\n  ".join(failures))


def starts_with_fixed_configs(args):
    # Every corrected file starts, so each failure above comes from the one mistake.
    for name, _, _, _, fixed in CASES:
        with H2pushServer(args.binary, None, config_text=PREAMBLE + fixed) as server:
            r = http1_request(server.http_port, "/hello")
            check(r.status == 200, f"{name} corrected: GET /hello gave {r.status}")
            check(server.stop() == 0, f"{name} corrected: no clean exit")


TESTS = [
    ("ServerBadConfigTest.ExitsWithStatus2NamingLineAndKeyWhenConfigIsWrong", refuses_bad_configs),
    ("ServerBadConfigTest.StartsWhenTheMistakeIsCorrected", starts_with_fixed_configs),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=100)
