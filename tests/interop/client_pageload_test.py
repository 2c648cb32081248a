#!/usr/bin/python3
"""`h2push pageload` end to end: the built-in demo site served by `h2push serve` (port 0, started here), loaded
through the in-process shaping relay at a small RTT with 2 runs per mode. Asserts structure and counts only, never
speed: every JSON key for the four modes; push uses pushed bytes and sends fewer requests and round trips than h2;
hints requests hinted resources; h1 opens more than one connection; --warm sends the h2push-digest cookie back and
nothing cached is pushed again; the waterfall is self-contained HTML; --demo
serves the demo site in-process; a refused connection exits non-zero."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2push_server import H2pushServer, LOOPBACK, check, free_port, run_tests  # noqa: E402

MODES = ("h1", "h2", "push", "hints")
KEYS = ("median_ms", "min_ms", "max_ms", "requests", "bytes", "pushed_bytes_used", "pushed_bytes_wasted",
        "round_trips", "connections", "ttfb_ms", "runs", "failed", "ratio_to_ideal")
NETWORK = ["--rtt", "30ms", "--bw", "100mbit", "--runs", "2", "--timeout", "20"]


def pageload(binary, args, timeout=180):
    """Runs `h2push pageload ARGS`; returns (exit status, stdout text, stderr text)."""
    try:
        result = subprocess.run([binary, "pageload"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"h2push pageload {args} did not finish within {timeout} s") from error
    return result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def load_json(binary, url, extra):
    code, out, err = pageload(binary, [url, "--json"] + NETWORK + extra)
    check(code == 0, f"pageload {extra} exited {code}: {err[-1500:]}")
    return json.loads(out)


def har_entries(directory, mode):
    with open(os.path.join(directory, f"{mode}.har"), encoding="utf-8") as f:
        return json.load(f)["log"]["entries"]


def test_cold(args):
    with H2pushServer(args.binary) as server, tempfile.TemporaryDirectory() as har:
        url = f"http://{LOOPBACK}:{server.http_port}/"
        report = load_json(args.binary, url, ["--har", har])
        for key in ("ideal_ms", "modes", "rtt_ms", "bandwidth_bps", "think_time_ms", "warm"):
            check(key in report, f"JSON lacks {key}: {sorted(report)}")
        modes = report["modes"]
        check(sorted(modes) == sorted(MODES), f"modes {sorted(modes)}")
        for mode in MODES:
            missing = [k for k in KEYS if k not in modes[mode]]
            check(not missing, f"{mode} lacks {missing}")
            check(modes[mode]["failed"] == 0 and modes[mode]["runs"] == 2, f"{mode}: {modes[mode]}")
        h1, h2, push, hints = (modes[m] for m in MODES)
        check(push["pushed_bytes_used"] > 0, f"push used no pushed bytes: {push}")
        check(push["requests"] < h2["requests"], f"push sent {push['requests']} requests, h2 {h2['requests']}")
        check(push["round_trips"] < h2["round_trips"], f"push {push['round_trips']} rtts, h2 {h2['round_trips']}")
        check(h1["round_trips"] > push["round_trips"], f"h1 {h1['round_trips']} rtts, push {push['round_trips']}")
        check(h2["round_trips"] >= 3, f"the demo page has three discovery levels: h2 {h2['round_trips']}")
        check(h2["pushed_bytes_used"] == 0 and hints["pushed_bytes_used"] == 0, "push disabled, yet pushes used")
        check(h1["connections"] > 1, f"h1 used {h1['connections']} connection(s)")
        check(h2["connections"] == 1, f"h2 used {h2['connections']} connections")
        hinted = [e for e in har_entries(har, "hints") if e["_via"] == "hinted"]
        check(hinted, "hints mode requested nothing from the 103")
        pushed = [e for e in har_entries(har, "push") if e["_via"] == "pushed"]
        requested = {e["request"]["url"] for e in har_entries(har, "push") if e["_via"] == "requested"}
        check(pushed, "push mode's HAR has no pushed entry")
        twice = [e["request"]["url"] for e in pushed if e["request"]["url"] in requested]
        check(not twice, f"pushed and requested again: {twice}")


def test_warm(args):
    with H2pushServer(args.binary) as server, tempfile.TemporaryDirectory() as har:
        url = f"http://{LOOPBACK}:{server.http_port}/"
        cold = load_json(args.binary, url, ["--mode", "push,hints"])
        warm = load_json(args.binary, url, ["--mode", "push,hints", "--warm", "--har", har])
        check(warm["warm"] is True, "warm not reported")
        # A push the first visit used is cached like a response: the second visit requests no more than hints'.
        check(warm["modes"]["push"]["requests"] <= warm["modes"]["hints"]["requests"],
              f"warm push {warm['modes']['push']['requests']} requests, hints {warm['modes']['hints']['requests']}")
        for mode in ("push", "hints"):
            check(warm["modes"][mode]["pushed_bytes_wasted"] == 0, f"{mode} warm: {warm['modes'][mode]}")
            check(warm["modes"][mode]["requests"] < cold["modes"][mode]["requests"],
                  f"{mode}: warm {warm['modes'][mode]['requests']} requests, cold {cold['modes'][mode]['requests']}")
            entries = har_entries(har, mode)
            page = entries[0]
            cookies = [h["value"] for h in page["request"]["headers"] if h["name"].lower() == "cookie"]
            check(any("h2push-digest=" in c for c in cookies), f"{mode}: no digest cookie sent: {cookies}")
            check(not [e for e in entries if e["_via"] in ("pushed", "hinted")],
                  f"{mode}: cached resources pushed or hinted again")
            if mode == "hints":
                # The loader would not request a fresh hinted resource anyway: ask the server directly whether it
                # still hints anything to a client sending this digest.
                result = subprocess.run([args.binary, "get", "--h2c", "--no-push", "--timeout", "20", "-H",
                                         f"cookie: {cookies[0]}", url], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, timeout=60, check=False)
                err = result.stderr.decode("utf-8", "replace")
                check(result.returncode == 0 and "Early Hints" not in err, f"hints despite the digest: {err}")


def test_waterfall_and_text(args):
    with H2pushServer(args.binary) as server, tempfile.TemporaryDirectory() as out:
        url = f"http://{LOOPBACK}:{server.http_port}/"
        path = os.path.join(out, "w.html")
        code, text, err = pageload(args.binary, [url, "--mode", "h2,push", "--waterfall", path] + NETWORK)
        check(code == 0, f"exited {code}: {err[-1500:]}")
        check("push" in text and "ideal" in text, f"no table: {text}")
        with open(path, encoding="utf-8") as f:
            html = f.read()
        check(html.lstrip().lower().startswith("<!doctype html"), html[:100])
        for external in ("<script", "<link", "src=", "@import", "url("):
            check(external not in html.lower(), f"waterfall refers to something outside itself: {external}")
        check("pushed" in html, "no pushed rows")


def test_demo(args):
    code, out, err = pageload(args.binary, ["--demo", "--json", "--mode", "h2,hints", "--think-time", "50ms"] + NETWORK)
    check(code == 0, f"--demo exited {code}: {err[-1500:]}")
    report = json.loads(out)
    check(report["think_time_ms"] == 50 and sorted(report["modes"]) == ["h2", "hints"], f"{report}")
    check(report["url"].startswith(f"http://{LOOPBACK}:"), report["url"])
    check(all(m["failed"] == 0 for m in report["modes"].values()), f"{report['modes']}")
    code, _, err = pageload(args.binary, ["--demo", f"http://{LOOPBACK}:1/"], timeout=60)
    check(code == 2, f"--demo with a URL: {code} {err}")
    # --http1.1, as get has it: the h1 mode only (and not with another --mode).
    code, out, err = pageload(args.binary, ["--demo", "--json", "--http1.1"] + NETWORK)
    check(code == 0 and sorted(json.loads(out)["modes"]) == ["h1"], f"--http1.1: {code} {out[:300]} {err[-500:]}")
    code, _, err = pageload(args.binary, ["--demo", "--http1.1", "--mode", "push"] + NETWORK, timeout=60)
    check(code == 2 and "--http1.1" in err, f"--http1.1 with --mode push: {code} {err}")


def test_refused(args):
    port = free_port()
    code, _, err = pageload(args.binary, [f"http://{LOOPBACK}:{port}/", "--runs", "1"], timeout=60)
    check(code != 0, "a refused connection exited 0")
    check("refused" in err.lower(), f"no message: {err}")
    code, _, err = pageload(args.binary, [f"http://{LOOPBACK}:{port}/", "--mode", "h3"], timeout=60)
    check(code == 2 and "unknown mode" in err, f"bad mode: {code} {err}")


if __name__ == "__main__":
    run_tests([("Cold", test_cold), ("Warm", test_warm), ("WaterfallAndText", test_waterfall_and_text),
               ("Demo", test_demo), ("Refused", test_refused)],
              __doc__, per_test_timeout=240)
