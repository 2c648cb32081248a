#!/usr/bin/python3
"""What the proxy's interop tests and their upstream apps share.

Upstream apps (proxy_fault_app.py, proxy_h2c_app.py): `log` appends a line to the app's log file from any thread;
`serve_forever` listens on 127.0.0.1 (a port picked at run time, announced as `PORT n` on stdout) and serves each
connection on a thread of its own until the app is ended.
Tests (proxy_e2e_test.py, proxy_faults_test.py, ...): `Process`, a child whose output is awaited with a bound, and
`ProxyStack`, a temporary directory with an upstream app and `h2push proxy` in front of it, all ended on close.
"""

import os
import re
import socket
import subprocess
import tempfile
import threading
import time

from h2push_server import TestFailure

START_TIMEOUT = 15.0
_LOG_LOCK = threading.Lock()


def log(path, line):
    """Appends `line` to the log file at `path`; safe from any thread."""
    with _LOG_LOCK, open(path, "a", encoding="ascii") as f:
        f.write(line + "\n")


def serve_forever(serve, args):
    """Listens on 127.0.0.1 port 0, prints `PORT n`, and runs serve(sock, args) on a thread per connection. The app
    runs until its test ends it (Process.end)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock, args), daemon=True).start()


class Process:
    """A child process whose first stdout lines we wait for; always ended on exit."""

    def __init__(self, args, directory, name):
        self.out_path = os.path.join(directory, name + ".out")
        self.err_path = os.path.join(directory, name + ".err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=directory)

    def wait_for(self, pattern):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with open(self.out_path, encoding="utf-8", errors="replace") as f:
                match = re.search(pattern, f.read())
            if match:
                return match
            if self.process.poll() is not None:
                raise TestFailure(f"{self.process.args[0]} exited: {open(self.err_path).read()!r}")
            time.sleep(0.02)
        raise TestFailure(f"no {pattern!r} within {START_TIMEOUT} s")

    def end(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class ProxyStack:
    """A temporary directory holding an (empty) app log at `log`, an upstream app (`app`, optional) and `h2push proxy`
    (`proxy`, its cleartext port `port`). A subclass starts them in its __init__, calling close() if that fails."""

    def __init__(self, prefix):
        self._dir = tempfile.TemporaryDirectory(prefix=prefix)
        self.dir = self._dir.name
        self.log = os.path.join(self.dir, "app.log")
        open(self.log, "w").close()
        self.app = self.proxy = None
        self.port = None

    def start_app(self, command):
        """Starts the upstream app; returns the port it announced."""
        self.app = Process(command, self.dir, "app")
        return int(self.app.wait_for(r"PORT (\d+)").group(1))

    def start_proxy(self, args):
        """Starts `h2push proxy` with `args` and reads its cleartext port."""
        self.proxy = Process(args, self.dir, "proxy")
        self.port = int(self.proxy.wait_for(r"http://127\.0\.0\.1:(\d+)/").group(1))

    def close(self):
        for p in (self.proxy, self.app):
            if p is not None:
                p.end()
        self._dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
