#!/usr/bin/python3
"""chromium_netlog.py on small made-up NetLogs (no Chromium needed): a 103 passed on as Early Hints with preloads,
the race (a 103 read before the navigation waited for headers, never passed on), no 103 at all, and a NetLog cut
short by a killed Chromium. The event sequences follow what Chromium 156 logged in the Early Hints test."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chromium_netlog import NetLogView, load_netlog  # noqa: E402
from h2push_server import check, run_tests  # noqa: E402

PAGE = "https://localhost:4433/"
TYPES = ["REQUEST_ALIVE", "HTTP_TRANSACTION_SEND_REQUEST", "HTTP_TRANSACTION_READ_HEADERS",
         "HTTP2_SESSION_RECV_HEADERS", "HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS",
         "HTTP_TRANSACTION_READ_RESPONSE_HEADERS"]
BEGIN, END, NONE = 1, 2, 0
NAVIGATION, SESSION = 7, 9  # source ids
HINTS = [":status: 103", "link: </a.css>; rel=preload; as=style"]


def event(name, phase, source, **params):
    return {"type": TYPES.index(name) + 100, "phase": phase, "source": {"id": source, "type": 1}, "time": "0",
            "params": params}


def netlog(events):
    return {"constants": {"logEventTypes": {name: TYPES.index(name) + 100 for name in TYPES}}, "events": events}


def navigation_start():
    return [event("REQUEST_ALIVE", BEGIN, NAVIGATION, url=PAGE),
            event("HTTP_TRANSACTION_SEND_REQUEST", BEGIN, NAVIGATION)]


def final_response(preload_source=20):
    return [event("REQUEST_ALIVE", BEGIN, preload_source, url=PAGE + "a.css"),
            event("HTTP2_SESSION_RECV_HEADERS", NONE, SESSION, headers=[":status: 200"]),
            event("HTTP_TRANSACTION_READ_RESPONSE_HEADERS", NONE, NAVIGATION, headers=["HTTP/1.1 200"])]


def hints_passed_on(_args):
    view = NetLogView(netlog(navigation_start() + [
        event("HTTP_TRANSACTION_SEND_REQUEST", END, NAVIGATION),
        event("HTTP_TRANSACTION_READ_HEADERS", BEGIN, NAVIGATION),
        event("HTTP2_SESSION_RECV_HEADERS", NONE, SESSION, headers=HINTS, stream_id=1),
        event("HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS", NONE, NAVIGATION, headers=["HTTP/1.1 103"]),
    ] + final_response()), PAGE)
    check(view.navigation_found and view.session_received_103 and view.waiting_when_103_came, view.describe())
    check(view.surfaced_103 and not view.dropped_by_race, view.describe())
    check(view.preloads == ["/a.css"], f"preloads {view.preloads}")
    check("passed on as Early Hints" in view.describe(), view.describe())


def hints_dropped_by_the_race(_args):
    # The 103 comes while the transaction still sends: never passed on; the later request is the page's own.
    view = NetLogView(netlog(navigation_start() + [
        event("HTTP2_SESSION_RECV_HEADERS", NONE, SESSION, headers=HINTS, stream_id=1),
        event("HTTP_TRANSACTION_SEND_REQUEST", END, NAVIGATION),
        event("HTTP_TRANSACTION_READ_HEADERS", BEGIN, NAVIGATION),
        event("HTTP2_SESSION_RECV_HEADERS", NONE, SESSION, headers=[":status: 200"]),
        event("HTTP_TRANSACTION_READ_RESPONSE_HEADERS", NONE, NAVIGATION, headers=["HTTP/1.1 200"]),
        event("REQUEST_ALIVE", BEGIN, 20, url=PAGE + "a.css"),
    ]), PAGE)
    check(view.session_received_103 and not view.waiting_when_103_came and not view.surfaced_103, view.describe())
    check(view.dropped_by_race and view.preloads == [], f"{view.describe()} {view.preloads}")
    check("dropped it" in view.describe(), view.describe())


def no_hints_at_all(_args):
    view = NetLogView(netlog(navigation_start() + [
        event("HTTP_TRANSACTION_SEND_REQUEST", END, NAVIGATION),
        event("HTTP_TRANSACTION_READ_HEADERS", BEGIN, NAVIGATION),
    ] + final_response()), PAGE)
    check(view.navigation_found and not view.session_received_103 and not view.dropped_by_race, view.describe())
    check(view.preloads == [], f"a request after no 103 counted as a preload: {view.preloads}")
    other = NetLogView(netlog(navigation_start()), "https://localhost:1/")
    check(not other.navigation_found and "no request for" in other.describe(), other.describe())


def reads_a_netlog_cut_short(_args):
    complete = json.dumps(netlog(navigation_start()))
    cut = complete[:-2] + ","  # what a killed Chromium leaves: no closing "]}", maybe a trailing comma
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "netlog.json")
        for text in (complete, cut):
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            check(NetLogView(load_netlog(path), PAGE).navigation_found, f"could not read {text[-40:]!r}")


TESTS = [
    ("ChromiumNetLog.HintsPassedOnWithPreloads", hints_passed_on),
    ("ChromiumNetLog.HintsReadBeforeTheTransactionWaitedAreTheRace", hints_dropped_by_the_race),
    ("ChromiumNetLog.NoHints", no_hints_at_all),
    ("ChromiumNetLog.ReadsANetLogCutShort", reads_a_netlog_cut_short),
]

if __name__ == "__main__":
    run_tests(TESTS, __doc__.split("\n\n")[0], 30, None, lambda args: None)
