#!/usr/bin/python3
"""The open-file cache (static.open_file_cache_validity) over the wire, against `h2push serve` with a temporary root:
a file replaced on disk (written beside it, then renamed over it) is served in its new version once the validity has
passed, and in its old version, whole, while it has not; a deleted file becomes 404 after the validity; with the
validity "0s" a replacement is seen at once. Requests go over h2c (python-h2) and HTTP/1.1."""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2Client, H2pushServer, Http1Connection, check, run_tests  # noqa: E402

VALIDITY_S = 1.0
POLL_LIMIT_S = VALIDITY_S + 10.0  # generous: the machine may be busy; the loop ends by time and by count
OLD = b"old version of the file\n"
NEW = b"the new version, longer than the old one\n"


def replace(root, name, data):
    """Writes `data` beside `name` and renames it over `name`, as a deployment would."""
    tmp = os.path.join(root, "." + name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, os.path.join(root, name))


def h2c_get(server, path):
    with H2Client(server.http_port, tls=False) as client:
        stream = client.get(path)
        return stream.status, bytes(stream.data)


def h1_get(server, path):
    with Http1Connection(server.http_port) as conn:
        conn.send(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        reply = conn.read_response()
        return reply.status, reply.body


def poll_until(fetch, expected, what):
    """Fetches until the reply is `expected`; returns the seconds it took. Bounded in time and count."""
    started = time.monotonic()
    last = None
    for _ in range(1000):
        last = fetch()
        if last == expected:
            return time.monotonic() - started
        if time.monotonic() - started > POLL_LIMIT_S:
            break
        time.sleep(0.05)
    check(False, f"{what}: still {last[0]} {last[1][:60]!r} after {POLL_LIMIT_S} s, expected {expected[0]}")
    return None


def serve(binary, root, validity):
    config = f'[static]\nopen_file_cache_validity = "{validity}"\n'
    return H2pushServer(binary, root, config_text=config, workers=1)


def replaced_file_is_served_new_after_validity(args):
    for name, fetch in (("h2c.txt", h2c_get), ("h1.txt", h1_get)):
        with tempfile.TemporaryDirectory(prefix="h2push-ofc-") as root:
            with open(os.path.join(root, name), "wb") as f:
                f.write(OLD)
            with serve(args.binary, root, f"{int(VALIDITY_S * 1000)}ms") as server:
                before_first = time.monotonic()
                check(fetch(server, "/" + name) == (200, OLD), f"{name}: first request")
                replace(root, name, NEW)
                second = fetch(server, "/" + name)
                # The entry was made after before_first: if this answer came within the validity of that, it must be
                # the old file, whole (never a mix, never a length that does not match).
                if time.monotonic() - before_first < VALIDITY_S * 0.9:
                    check(second == (200, OLD), f"{name}: within the validity, got {second!r}")
                else:
                    check(second in ((200, OLD), (200, NEW)), f"{name}: got {second!r}")
                poll_until(lambda: fetch(server, "/" + name), (200, NEW), f"{name} after the validity")
                check(server.alive(), "the server died during the test")


def deleted_file_is_not_found_after_validity(args):
    with tempfile.TemporaryDirectory(prefix="h2push-ofc-") as root:
        with open(os.path.join(root, "gone.txt"), "wb") as f:
            f.write(OLD)
        with serve(args.binary, root, f"{int(VALIDITY_S * 1000)}ms") as server:
            check(h2c_get(server, "/gone.txt") == (200, OLD), "first request")
            os.remove(os.path.join(root, "gone.txt"))
            took = poll_until(lambda: (h2c_get(server, "/gone.txt")[0], b""), (404, b""), "deleted file")
            check(took is not None and took < POLL_LIMIT_S, "the deleted file was not reported missing")
            check(server.alive(), "the server died during the test")


def validity_zero_sees_replacement_at_once(args):
    with tempfile.TemporaryDirectory(prefix="h2push-ofc-") as root:
        with open(os.path.join(root, "now.txt"), "wb") as f:
            f.write(OLD)
        with serve(args.binary, root, "0s") as server:
            check(h2c_get(server, "/now.txt") == (200, OLD), "first request")
            replace(root, "now.txt", NEW)
            check(h2c_get(server, "/now.txt") == (200, NEW), "with the cache off, the new file at once")
            check(h1_get(server, "/now.txt") == (200, NEW), "and over HTTP/1.1")


TESTS = [
    ("ServerOpenFileCacheTest.ReplacedFileIsServedNewAfterValidity", replaced_file_is_served_new_after_validity),
    ("ServerOpenFileCacheTest.DeletedFileIsNotFoundAfterValidity", deleted_file_is_not_found_after_validity),
    ("ServerOpenFileCacheTest.ValidityZeroSeesReplacementAtOnce", validity_zero_sees_replacement_at_once),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__)
