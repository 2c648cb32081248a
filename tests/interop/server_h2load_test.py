#!/usr/bin/python3
"""h2load smoke test against `h2push serve`: 10,000 requests on 10 connections with 10 streams each, over h2 (TLS,
ALPN h2) and over h2c (prior knowledge), plus HTTP/1.1 on the same scale: every request succeeds (h2load's summary:
0 failed, 0 errored, 0 timeout, all 2xx), the traffic adds up to the file size, and the server lives on."""

import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2pushServer, check, http1_request, run_peer, run_tests, write_tree  # noqa: E402

REQUESTS = 10_000
BODY = b"h2load smoke body, small enough to stay in the file cache\n" * 4


def summary(text):
    """Parses the lines h2load prints at the end of a run."""
    m = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout$", text, re.MULTILINE)
    check(m is not None, f"no 'requests:' summary in h2load's output: {text[-1500:]!r}")
    total, started, done, succeeded, failed, errored, timeout = map(int, m.groups())
    s = re.search(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx$", text, re.MULTILINE)
    check(s is not None, "no 'status codes:' line in h2load's output")
    t = re.search(r"^traffic: .*?, [\d.]+\w*B \((\d+)\) data$", text, re.MULTILINE)
    check(t is not None, "no 'traffic:' line in h2load's output")
    return dict(total=total, started=started, done=done, succeeded=succeeded, failed=failed, errored=errored,
                timeout=timeout, status=tuple(map(int, s.groups())), data=int(t.group(1)))


def load(url, protocol, extra=()):
    def test(args):
        with tempfile.TemporaryDirectory(prefix="h2push-root-") as root:
            write_tree(root, {"load.txt": BODY})
            with H2pushServer(args.binary, root) as server:
                target = url(server) + "load.txt"
                result = run_peer(["h2load", "-n", str(REQUESTS), "-c", "10", "-m", "10", "-T", "20", "-N", "20",
                                   *extra, target], timeout=90)
                text = result.stdout.decode("utf-8", "replace")
                check(result.returncode == 0, f"h2load exited {result.returncode}: {result.stderr.decode()[-500:]!r}")
                m = re.search(r"^Application protocol: (\S+)$", text, re.MULTILINE)
                check(m is not None and m.group(1) == protocol,
                      f"h2load used {m and m.group(1)!r}, expected {protocol!r}")
                got = summary(text)
                check(got["total"] == REQUESTS and got["done"] == REQUESTS and got["succeeded"] == REQUESTS,
                      f"not every request succeeded: {got!r}")
                check(got["failed"] == 0 and got["errored"] == 0 and got["timeout"] == 0, f"failures: {got!r}")
                check(got["status"] == (REQUESTS, 0, 0, 0), f"status codes {got['status']!r}, expected all 2xx")
                check(got["data"] == REQUESTS * len(BODY),
                      f"{got['data']} body octets, expected {REQUESTS * len(BODY)}")
                check(server.alive(), "the server died under load")
                after = http1_request(server.http_port, "/load.txt")
                check(after.status == 200 and after.body == BODY, f"health probe after the load: {after!r}")
                check(server.stop() == 0, "the server did not exit 0 after SIGTERM")
    return test


TESTS = [
    ("ServerH2loadTest.Serves10000RequestsWhenH2OverTls", load(lambda s: s.url("/"), "h2")),
    ("ServerH2loadTest.Serves10000RequestsWhenH2cPriorKnowledge", load(lambda s: s.url("/", tls=False), "h2c")),
    ("ServerH2loadTest.Serves10000RequestsWhenHttp11Pipelined",
     load(lambda s: s.url("/", tls=False), "http/1.1", extra=["--h1"])),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__, per_test_timeout=100)
