#!/usr/bin/python3
"""Local emulators of the AWS, GCP and Azure instance metadata services.

Only what elasticd uses, but behaving like the real services (see
fixtures/README.md for the documentation each behaviour follows):

  aws    PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds
         1..21600, else 400), GET /latest/meta-data/spot/instance-action and
         /latest/meta-data/events/recommendations/rebalance (404 = nothing);
         401 without a valid token when IMDSv2 is "required".
  gcp    GET /computeMetadata/v1/instance/preempted (TRUE/FALSE, ETag),
         wait_for_change=true[&last_etag=E][&timeout_sec=N]; 403 without
         Metadata-Flavor: Google or with X-Forwarded-For.
  azure  GET/POST /metadata/scheduledevents?api-version=...; 400 without
         Metadata: true or without api-version.

Loopback only (127.0.0.1), ephemeral port. A test drives it through the
control endpoint /__emu/* (never counted, never needs headers):

  POST /__emu/state   JSON merged into the state (see DEFAULTS)
  GET  /__emu/stats   request counters and recorded requests
  POST /__emu/reset   back to DEFAULTS, counters cleared

State keys common to all clouds:
  misbehave        null | http500 | garbage | badjson | wrongtypes | redirect
                   | huge | slow | drop | nul   (applies to the watched GETs)
  misbehave_token  same, for the AWS token PUT only
  slow_s           delay for "slow"
  after/then       after `after` counted requests, merge `then` into the
                   state (a state change that lands exactly between two
                   requests, for count-based tests)
  once             serve a notice on one response only, then clear it
  expire_tokens    (aws) make every issued token stale: next use gets 401

Run standalone:  emulator.py --cloud aws   (prints "PORT <n>" on stdout)
or import and use Emulator(cloud).start() / .stop() in-process.
"""

import argparse
import copy
import hashlib
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

def load_fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        data = f.read()
    return json.loads(data) if name.endswith(".json") else data.decode()


DEFAULTS = {
    "misbehave": None,
    "misbehave_token": None,
    "slow_s": 5.0,
    "after": None,
    "then": None,
    "once": False,
    # aws
    "imdsv2": "optional",          # optional | required | unavailable
    "instance_action": None,       # dict, or "fixture" for the documented example
    "rebalance": None,
    # gcp
    "preempted": False,
    "max_wait_s": 30.0,
    # azure
    "events": load_fixture("azure-scheduledevents-empty.json")["Events"],
                                   # list of events, or "fixture:<file>"
    "incarnation": 1,
}

AWS_ACTION = "/latest/meta-data/spot/instance-action"
AWS_REBALANCE = "/latest/meta-data/events/recommendations/rebalance"
AWS_TOKEN = "/latest/api/token"
GCP_PREEMPTED = "/computeMetadata/v1/instance/preempted"
AZURE_EVENTS = "/metadata/scheduledevents"


class State:
    def __init__(self, cloud):
        self.cloud = cloud
        self.cond = threading.Condition()
        self.reset()

    def reset(self):
        with self.cond:
            self.s = copy.deepcopy(DEFAULTS)
            self.tokens = {}           # token -> expiry (monotonic)
            self.stats = {
                "requests": 0,         # every request except /__emu/*
                "by_path": {},
                "rejected": 0,         # refused for missing/invalid headers
                "unauthorized": 0,     # aws 401
                "token_puts": 0,
                "with_token": 0,       # aws GETs carrying a token
                "without_token": 0,
                "plain": 0,            # gcp non-waiting requests
                "waits": 0,            # gcp wait_for_change requests
                "blocked": 0,          # gcp waits that had to block
                "last_etag_sent": [],  # gcp last_etag values received
                "approvals": [],       # azure StartRequests EventIds
                "posts": 0,
                "notices_served": 0,
                "changed_at": None,    # request count when state last changed
            }
            self.cond.notify_all()

    def update(self, patch):
        with self.cond:
            for k, v in patch.items():
                if k == "expire_tokens":   # every issued IMDSv2 token goes stale
                    self.tokens.clear()
                    continue
                if isinstance(v, str) and v.startswith("fixture:"):
                    v = load_fixture(v[len("fixture:"):])
                if k == "instance_action" and v == "fixture":
                    v = load_fixture("aws-instance-action.json")
                if k == "events" and isinstance(v, dict):
                    v = v.get("Events", [])  # a whole documented response
                if k == "events" and v != self.s.get("events"):
                    self.s["incarnation"] += 1
                self.s[k] = v
            self.stats["changed_at"] = self.stats["requests"]
            self.cond.notify_all()

    def count(self, path):
        """Counts one request and applies a scheduled change that is due."""
        with self.cond:
            st = self.stats
            st["requests"] += 1
            st["by_path"][path] = st["by_path"].get(path, 0) + 1
            after = self.s.get("after")
            if after is not None and st["requests"] > after:
                then = self.s.get("then") or {}
                self.s["after"] = None
                self.s["then"] = None
                self.update(then)  # Condition uses an RLock: re-entry is fine


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls per request
    server_version = "EmulatedMetadata/1.0"

    def log_message(self, fmt, *args):  # keep test output clean
        if os.environ.get("EMU_VERBOSE"):
            sys.stderr.write("emu: " + fmt % args + "\n")

    # --- plumbing -------------------------------------------------------
    @property
    def st(self):
        return self.server.state

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, code, body=b"", ctype="text/plain", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def misbehave(self, how, wrong_types_body):
        """Serves a broken answer; returns True if it did."""
        if not how:
            return False
        if how == "http500":
            self.send(500, "Internal Server Error")
        elif how == "garbage":
            self.send(200, "<html><body>this is not it</body></html>", "text/html")
        elif how == "badjson":
            self.send(200, '{"action": "terminate", "time": ', "application/json")
        elif how == "nul":
            self.send(200, b'{"action": "terminate"\x00, "time": "x"}', "application/json")
        elif how == "wrongtypes":
            self.send(200, json.dumps(wrong_types_body), "application/json")
        elif how == "redirect":
            # A loop: the same URL again, forever.
            self.send(302, "", headers={"Location": self.path})
        elif how == "huge":
            # No Content-Length: the client must stop reading by itself.
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"[" * 65536
            try:
                for _ in range(256):  # 16 MiB at most, bounded either way
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif how == "slow":
            time.sleep(float(self.st.s["slow_s"]))
            try:
                self.send(500, "too late")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif how == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
        else:
            self.send(500, "unknown misbehaviour " + how)
        return True

    def control(self, method, path):
        if method == "GET" and path == "/__emu/stats":
            with self.st.cond:
                data = json.dumps({"stats": self.st.stats, "state": self.st.s})
            return self.send(200, data, "application/json")
        if method == "POST" and path == "/__emu/state":
            try:
                patch = json.loads(self.body() or b"{}")
            except ValueError as e:
                return self.send(400, str(e))
            self.st.update(patch)
            with self.st.cond:
                data = json.dumps({"requests": self.st.stats["requests"]})
            return self.send(200, data, "application/json")
        if method == "POST" and path == "/__emu/reset":
            self.body()
            self.st.reset()
            return self.send(200, "{}", "application/json")
        return self.send(404, "no such control")

    def dispatch(self, method):
        url = urlsplit(self.path)
        if url.path.startswith("/__emu/"):
            return self.control(method, url.path)
        self.st.count(url.path)
        q = parse_qs(url.query)
        getattr(self, self.server.state.cloud)(method, url.path, q)

    def do_GET(self):
        self.dispatch("GET")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_POST(self):
        self.dispatch("POST")

    def reject(self, code, body, ctype="text/plain"):
        with self.st.cond:
            self.st.stats["rejected"] += 1
            if code == 401:
                self.st.stats["unauthorized"] += 1
        self.send(code, body, ctype)

    def take_notice(self, key):
        """Returns the notice under key; with "once", clears it after serving."""
        with self.st.cond:
            v = self.st.s.get(key)
            if v is not None:
                self.st.stats["notices_served"] += 1
                if self.st.s.get("once"):
                    self.st.s[key] = None
            return v

    # --- AWS IMDS -------------------------------------------------------
    def aws(self, method, path, q):
        s = self.st.s
        if path == AWS_TOKEN:
            if method != "PUT":
                return self.send(405, "Method Not Allowed")
            self.body()
            with self.st.cond:
                self.st.stats["token_puts"] += 1
            if s["imdsv2"] == "unavailable":
                return self.send(404, "Not Found")
            if self.misbehave(s.get("misbehave_token"), {"token": 1}):
                return
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.send(400, "Bad Request")
            if self.headers.get("X-Forwarded-For"):
                return self.reject(403, "Forbidden")
            tok = "AQAE" + secrets.token_urlsafe(40)
            with self.st.cond:
                self.st.tokens[tok] = time.monotonic() + int(ttl)
            return self.send(200, tok, headers={
                "X-aws-ec2-metadata-token-ttl-seconds": ttl})
        if method != "GET":
            return self.send(405, "Method Not Allowed")
        tok = self.headers.get("X-aws-ec2-metadata-token")
        with self.st.cond:
            self.st.stats["with_token" if tok else "without_token"] += 1
            valid = tok is not None and self.st.tokens.get(tok, 0) > time.monotonic()
        if tok is not None and not valid:
            return self.reject(401, "Unauthorized")  # stale or unknown token
        if tok is None and s["imdsv2"] == "required":
            return self.reject(401, "Unauthorized")
        if path in (AWS_ACTION, AWS_REBALANCE):
            if self.misbehave(s.get("misbehave"), {"action": 5, "time": ["2017"],
                                                   "noticeTime": False}):
                return
            v = self.take_notice("instance_action" if path == AWS_ACTION else "rebalance")
            if v is None:
                return self.send(404, NOT_FOUND_HTML, "text/html")
            return self.send(200, json.dumps(v), "text/plain")
        return self.send(404, NOT_FOUND_HTML, "text/html")

    # --- GCP metadata server --------------------------------------------
    def gcp_etag(self):
        return hashlib.sha256(str(self.st.s["preempted"]).encode()).hexdigest()[:16]

    def gcp(self, method, path, q):
        if self.headers.get("Metadata-Flavor") != "Google" or self.headers.get("X-Forwarded-For"):
            return self.reject(403, GCP_FORBIDDEN, "text/html")
        if method != "GET":
            return self.send(405, "Method Not Allowed")
        if path != GCP_PREEMPTED:
            return self.send(404, "Not Found")
        wait = q.get("wait_for_change", ["false"])[0] == "true"
        last = q.get("last_etag", [None])[0]
        with self.st.cond:
            self.st.stats["waits" if wait else "plain"] += 1
            if wait and last is not None:
                self.st.stats["last_etag_sent"].append(last)
        if self.misbehave(self.st.s.get("misbehave"), {"preempted": "maybe"}):
            return
        if wait:
            try:
                timeout = float(q.get("timeout_sec", ["0"])[0]) or self.st.s["max_wait_s"]
            except ValueError:
                return self.send(400, "bad timeout_sec")
            timeout = min(timeout, float(self.st.s["max_wait_s"]))
            with self.st.cond:
                start = self.gcp_etag() if last is None else last
                if self.gcp_etag() == start:
                    # Same value as the caller knows: hold until it changes.
                    self.st.stats["blocked"] += 1
                    self.st.cond.wait_for(lambda: self.gcp_etag() != start, timeout)
                value, etag = self.st.s["preempted"], self.gcp_etag()
        else:
            with self.st.cond:
                value, etag = self.st.s["preempted"], self.gcp_etag()
        if value:
            with self.st.cond:
                self.st.stats["notices_served"] += 1
        try:
            self.send(200, GCP_BODY[bool(value)], "application/text",
                      {"ETag": etag, "Metadata-Flavor": "Google"})
        except (BrokenPipeError, ConnectionResetError):
            pass

    # --- Azure Scheduled Events -----------------------------------------
    def azure(self, method, path, q):
        if self.headers.get("Metadata") != "true":
            return self.reject(400, json.dumps({
                "error": "Bad request. Required metadata header not specified"}),
                "application/json")
        if path != AZURE_EVENTS:
            return self.send(404, "Not Found")
        if "api-version" not in q:
            return self.reject(400, json.dumps({
                "error": "Bad request. api-version was not specified in the request"}),
                "application/json")
        if method == "POST":
            with self.st.cond:
                self.st.stats["posts"] += 1
            try:
                req = json.loads(self.body())
                ids = [r["EventId"] for r in req["StartRequests"]]
            except (ValueError, KeyError, TypeError):
                return self.send(400, "bad StartRequests")
            with self.st.cond:
                known = {e.get("EventId") for e in self.st.s["events"]}
                if not all(i in known for i in ids):
                    return self.send(400, "unknown EventId")
                self.st.stats["approvals"].extend(ids)
            return self.send(200, "", "application/json")
        if method != "GET":
            return self.send(405, "Method Not Allowed")
        if self.misbehave(self.st.s.get("misbehave"),
                          {"DocumentIncarnation": "one", "Events": {"EventId": 3}}):
            return
        with self.st.cond:
            events = copy.deepcopy(self.st.s["events"])
            doc = {"DocumentIncarnation": self.st.s["incarnation"], "Events": events}
            if any(e.get("EventType") == "Preempt" for e in events):
                self.st.stats["notices_served"] += 1
            if self.st.s.get("once") and events:
                self.st.s["events"] = []
        self.send(200, json.dumps(doc), "application/json")


GCP_BODY = {True: load_fixture("gcp-preempted-true.txt"),
            False: load_fixture("gcp-preempted-false.txt")}
NOT_FOUND_HTML = ('<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>\n'
                  '<html><head><title>404 - Not Found</title></head>'
                  '<body><h1>404 - Not Found</h1></body></html>\n')
GCP_FORBIDDEN = ("Your client does not have permission to get URL "
                 "<code>/computeMetadata/v1/instance/preempted</code> from this server. "
                 "Missing Metadata-Flavor:Google header.\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that time out or abort (as elasticd must) are expected.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError, OSError)):
            super().handle_error(request, client_address)


class Emulator:
    """In-process emulator: Emulator("aws").start(); .url; .ctl({...}); .stats()."""

    def __init__(self, cloud):
        if cloud not in ("aws", "gcp", "azure"):
            raise ValueError(cloud)
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.state = State(cloud)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        # Wake blocked long polls so their threads finish.
        with self.server.state.cond:
            self.server.state.s["max_wait_s"] = 0
            self.server.state.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def ctl(self, patch):
        self.server.state.update(patch)

    def stats(self):
        with self.server.state.cond:
            return copy.deepcopy(self.server.state.stats)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cloud", required=True, choices=["aws", "gcp", "azure"])
    args = ap.parse_args()
    emu = Emulator(args.cloud).start()
    print("PORT %d" % emu.port, flush=True)
    try:
        # Exit when the parent closes our stdin (or on SIGTERM): a test that
        # dies never leaves an emulator behind.
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    emu.stop()


if __name__ == "__main__":
    main()
