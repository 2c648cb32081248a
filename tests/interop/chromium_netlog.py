#!/usr/bin/python3
"""What Chromium's NetLog (`--log-net-log=FILE`, default capture mode) says about one page load and its 103.

Used by chromium_early_hints_test.py to tell, for a load, whether the 103 reached Chromium's HTTP/2 session, whether
the navigation's HTTP transaction surfaced it as Early Hints, and whether Chromium started preloads from it. Four
NetLog event types carry that:

- `HTTP2_SESSION_RECV_HEADERS` (source HTTP2_SESSION): a HEADERS frame, with `:status: 103` for the interim response;
- `HTTP_TRANSACTION_READ_HEADERS` (source URL_REQUEST, phase begin): the transaction starts waiting for headers;
- `HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS` (URL_REQUEST): the transaction passed a 103 on;
- `HTTP_TRANSACTION_READ_RESPONSE_HEADERS` (URL_REQUEST): the final response's headers.

Events are in the order the network thread logged them; the order in the file is what counts here, not the
millisecond time stamps. Chromium (156, SpdyHttpStream::OnEarlyHintsReceived) hands a 103 on only to a transaction
already waiting for headers: one the HTTP/2 session reads before then is dropped (docs/push.md, "Testing with
Chromium"). `NetLogView.dropped_by_race` names that case.
"""

import json


def load_netlog(path):
    """The NetLog JSON at `path`. A file Chromium could not finish (killed) lacks its closing `]}`: added here."""
    with open(path, "r", encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        text = text.rstrip().rstrip(",")
        if not text.endswith("]}"):
            text += "]}"
        return json.loads(text)


class NetLogView:
    """One page load seen through the NetLog: the navigation to `page_url` and the 103 for it."""

    def __init__(self, netlog, page_url):
        names = {number: name for name, number in netlog["constants"]["logEventTypes"].items()}
        origin = page_url.rstrip("/")
        self.page_url = page_url
        self.navigation_found = False
        self.session_received_103 = False  # a HEADERS frame with :status 103 reached an HTTP/2 session
        self.waiting_when_103_came = False  # ... while the navigation's transaction waited for headers
        self.surfaced_103 = False  # the navigation's transaction passed the 103 on (Early Hints)
        self.final_headers = False  # the navigation read its final response's headers
        self.preloads = []  # same-origin URLs requested after the 103 and before the final headers
        navigation = None  # the navigation's URL_REQUEST source id
        waiting = False
        for event in netlog["events"]:
            name = names.get(event["type"], "")
            params = event.get("params") or {}
            source = event["source"]["id"]
            if name == "REQUEST_ALIVE" and event["phase"] == 1:
                url = str(params.get("url", ""))
                if navigation is None and url == page_url:
                    navigation = source
                    self.navigation_found = True
                elif (self.session_received_103 and not self.final_headers and url.startswith(origin + "/")
                      and url != page_url):
                    self.preloads.append(url[len(origin):])
            elif source == navigation and name == "HTTP_TRANSACTION_READ_HEADERS" and event["phase"] == 1:
                waiting = True
            elif name == "HTTP2_SESSION_RECV_HEADERS" and ":status: 103" in params.get("headers", []):
                if navigation is not None and not self.session_received_103 and not self.final_headers:
                    self.session_received_103 = True
                    self.waiting_when_103_came = waiting
            elif source == navigation and name == "HTTP_TRANSACTION_READ_EARLY_HINTS_RESPONSE_HEADERS":
                self.surfaced_103 = True
            elif source == navigation and name == "HTTP_TRANSACTION_READ_RESPONSE_HEADERS":
                self.final_headers = True

    @property
    def dropped_by_race(self):
        """The 103 reached the HTTP/2 session before the navigation's transaction waited for headers, and Chromium
        never passed it on: Chromium's race, not the server's doing."""
        return self.session_received_103 and not self.waiting_when_103_came and not self.surfaced_103

    def describe(self):
        if not self.navigation_found:
            return f"the NetLog has no request for {self.page_url}"
        if not self.session_received_103:
            return "Chromium's HTTP/2 session received no 103 for the page"
        if self.dropped_by_race:
            return ("the 103 reached Chromium's HTTP/2 session before the navigation's transaction waited for "
                    "headers, and Chromium dropped it (its race, docs/push.md)")
        state = "passed on as Early Hints" if self.surfaced_103 else "never passed on by the transaction"
        return f"the 103 was {state}; preload requests before the final response: {self.preloads or 'none'}"


def read_netlog_view(path, page_url):
    return NetLogView(load_netlog(path), page_url)
