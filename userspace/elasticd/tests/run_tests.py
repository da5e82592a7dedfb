#!/usr/bin/python3
"""elasticd host tests: one TAP stream on stdout.

Runs the C test programs (unit tests, emulator-driven watcher tests),
renumbering their TAP lines, then the end-to-end tests below, which run
the real ./elasticd binary (--foreground --dry-run unless stated) against
the emulators in tests/emulator.py. Assertions are on counts and lines;
timeouts only bound how long a broken build can hang.
"""

import calendar
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from emulator import Emulator  # noqa: E402

BIN = os.path.join(ROOT, "elasticd")
TMP = tempfile.mkdtemp(prefix="elasticd-tests-")  # removed at the end
results = []


def emit(ok, name, directive=""):
    results.append(ok)
    line = "%sok %d - %s" % ("" if ok else "not ", len(results), name)
    print(line + (" # " + directive if directive else ""), flush=True)


def run_c(prog):
    path = os.path.join(HERE, prog)
    try:
        p = subprocess.run([path], cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=100)
    except subprocess.TimeoutExpired:
        emit(False, "%s finished in time" % prog)
        return
    seen = failed = 0
    plan = None
    for line in p.stdout.splitlines():
        m = re.match(r"^(not )?ok \d+ - (.*?)(?: # (SKIP.*))?$", line)
        if m:
            seen += 1
            failed += bool(m.group(1))
            emit(not m.group(1), m.group(2), m.group(3) or "")
        elif re.match(r"^1\.\.\d+$", line):
            plan = int(line[3:])
        elif line.startswith("#"):
            print(line, flush=True)
    if p.returncode != 0 and not failed:
        emit(False, "%s exited with status %d" % (prog, p.returncode))
    if plan != seen:
        emit(False, "%s ran its whole plan (%s planned, %d seen)" % (prog, plan, seen))


# --- helpers for the end-to-end tests ------------------------------------

def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def rfc1123(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(t))


def parse_iso(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


NODES = ("node = 1 10.0.0.1:7000 on-demand {p}\n"
         "node = 2 10.0.0.2:7000 spot {p}\n")


def config(provider, url, extra="", nodes=None):
    return ("node_id = 2\n" + (nodes if nodes is not None else NODES).format(p=provider) +
            "metadata_url = %s\n" % url +
            "poll_interval_aws_ms = 20\npoll_interval_azure_ms = 20\npoll_interval_gcp_ms = 20\n"
            "http_timeout_ms = 500\ngcp_wait_timeout = 30\nazure_resource = spot-vm-2\n"
            "drain_margin = 10\n" + extra)


class Daemon:
    """elasticd in the foreground; stdout lines are collected as they come."""

    def __init__(self, conf_text, dry_run=True, args=()):
        self.dir = tempfile.mkdtemp(dir=TMP)
        self.conf = os.path.join(self.dir, "elasticd.conf")
        self.write(conf_text)
        self.errpath = os.path.join(self.dir, "stderr")
        cmd = [BIN, "--config", self.conf, "--foreground"] + (["--dry-run"] if dry_run else [])
        self.p = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                                  stderr=open(self.errpath, "w"), text=True)
        self.lines = queue.Queue()
        self.all = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.rstrip("\n"))

    def write(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def expect(self, pattern, timeout=10):
        """Next stdout line matching pattern (earlier lines are kept in .all)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            self.all.append(line)
            m = re.fullmatch(pattern, line)
            if m:
                return m
        raise AssertionError("no line matching %r; stdout so far: %r\nstderr: %s"
                             % (pattern, self.all, self.stderr()[-2000:]))

    def drain_stdout(self):
        out = []
        while True:
            try:
                out.append(self.lines.get_nowait())
            except queue.Empty:
                return out

    def stderr(self):
        with open(self.errpath) as f:
            return f.read()

    def wait_log(self, needle, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.stderr():
                return
            time.sleep(0.01)
        raise AssertionError("log never said %r:\n%s" % (needle, self.stderr()[-2000:]))

    def signal(self, sig):
        self.p.send_signal(sig)

    def stop(self, timeout=5):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def wait_for(pred, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


TESTS = []


def test(name):
    def deco(fn):
        TESTS.append((name, fn))
        return fn
    return deco


# --- emulator fidelity -----------------------------------------------------

def http(url, method="GET", headers=None, data=None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@test("emulators refuse requests without the headers the real services require; documented approval body accepted")
def t_emulator_headers():
    aws, gcp, az = Emulator("aws").start(), Emulator("gcp").start(), Emulator("azure").start()
    try:
        aws.ctl({"imdsv2": "required"})
        assert http(aws.url + "/latest/api/token", "PUT", data=b"")[0] == 400  # no TTL header
        assert http(aws.url + "/latest/meta-data/spot/instance-action")[0] == 401
        st, tok, _ = http(aws.url + "/latest/api/token", "PUT",
                          {"X-aws-ec2-metadata-token-ttl-seconds": "60"}, b"")
        assert st == 200 and tok
        assert http(aws.url + "/latest/meta-data/spot/instance-action", headers={
            "X-aws-ec2-metadata-token": tok})[0] == 404
        assert http(gcp.url + "/computeMetadata/v1/instance/preempted")[0] == 403
        st, body, hdrs = http(gcp.url + "/computeMetadata/v1/instance/preempted",
                              headers={"Metadata-Flavor": "Google"})
        assert st == 200 and body == "FALSE" and hdrs.get("ETag")
        ev = az.url + "/metadata/scheduledevents?api-version=2020-07-01"
        assert http(ev)[0] == 400
        assert http(az.url + "/metadata/scheduledevents", headers={"Metadata": "true"})[0] == 400
        assert http(ev, headers={"Metadata": "true"})[0] == 200
        with open(os.path.join(HERE, "fixtures", "azure-startrequests.json"), "rb") as f:
            approve = f.read()
        hdr = {"Metadata": "true", "Content-Type": "application/json"}
        assert http(ev, "POST", hdr, approve)[0] == 400  # no such event yet
        az.ctl({"events": "fixture:azure-scheduledevents-preempt.json"})
        assert http(ev, "POST", hdr, approve)[0] == 200
        assert az.stats()["approvals"] == ["f020ba2e-3bc0-4c40-a10b-86575a9eabd5"]
        assert aws.stats()["unauthorized"] == 1 and gcp.stats()["rejected"] == 1
        assert az.stats()["rejected"] == 2
    finally:
        for e in (aws, gcp, az):
            e.stop()


# --- dry run: decision lines ----------------------------------------------

@test("dry run aws: membership lines, then one drain line from the first notice response")
def t_dry_aws():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url))
    try:
        d.expect(r"member node=1 addr=10\.0\.0\.1:7000 kind=on-demand provider=aws")
        d.expect(r"member node=2 addr=10\.0\.0\.2:7000 kind=spot provider=aws self=yes")
        assert wait_for(lambda: emu.stats()["requests"] >= 3)
        when = int(time.time()) + 100
        emu.ctl({"once": True, "instance_action": {"action": "terminate", "time": iso(when)}})
        d.expect(r"drain node=2 deadline=%s reason=aws-instance-action" % iso(when - 10))
        assert emu.stats()["notices_served"] == 1
        time.sleep(0.1)  # a few more polls: still exactly one decision
        assert d.drain_stdout() == []
        assert emu.stats()["unauthorized"] == 0
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run aws: rebalance recommendation -> 'rebalance' line when rebalance_drain = yes")
def t_dry_rebalance():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url, "rebalance_drain = yes\n"))
    try:
        d.expect(r"member node=2 .*")
        emu.ctl({"rebalance": {"noticeTime": iso(time.time())}})
        d.expect(r"rebalance node=2 reason=aws-rebalance")
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run aws: rebalance ignored (logged) when rebalance_drain = no")
def t_dry_rebalance_off():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url))
    try:
        d.expect(r"member node=2 .*")
        emu.ctl({"rebalance": {"noticeTime": iso(time.time())}})
        d.wait_log("rebalance_drain = no")
        n = emu.stats()["requests"]
        assert wait_for(lambda: emu.stats()["requests"] > n + 4)
        assert d.drain_stdout() == []
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run aws: notice time already past -> deadline now")
def t_dry_past():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url))
    try:
        d.expect(r"member node=2 .*")
        t0 = int(time.time())
        emu.ctl({"instance_action": {"action": "stop", "time": iso(t0 - 3600)}})
        m = d.expect(r"drain node=2 deadline=(\S+) reason=aws-instance-action")
        assert t0 <= parse_iso(m.group(1)) <= int(time.time()) + 1
        d.wait_log("already past")
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run aws: implausibly far notice -> logged, provider window applies")
def t_dry_implausible():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url))
    try:
        d.expect(r"member node=2 .*")
        t0 = int(time.time())
        emu.ctl({"instance_action": {"action": "terminate", "time": iso(t0 + 86400)}})
        m = d.expect(r"drain node=2 deadline=(\S+) reason=aws-instance-action")
        assert t0 + 110 <= parse_iso(m.group(1)) <= int(time.time()) + 111
        d.wait_log("implausibly far ahead")
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run gcp: preempted TRUE -> drain with the GCP window minus margin")
def t_dry_gcp():
    emu = Emulator("gcp").start()
    d = Daemon(config("gcp", emu.url))
    try:
        d.expect(r"member node=2 .*")
        assert wait_for(lambda: emu.stats()["blocked"] >= 1)  # parked on wait_for_change
        t0 = int(time.time())
        emu.ctl({"preempted": True})
        m = d.expect(r"drain node=2 deadline=(\S+) reason=gcp-preempted")
        assert t0 + 20 <= parse_iso(m.group(1)) <= int(time.time()) + 21
        st = emu.stats()
        assert st["plain"] == 1 and st["notices_served"] >= 1
    finally:
        assert d.stop() == 0
        emu.stop()


def preempt_event(not_before, resource="spot-vm-2", eid="f020ba2e-3bc0-4c40-a10b-86575a9eabd5"):
    return {"EventId": eid, "EventType": "Preempt", "ResourceType": "VirtualMachine",
            "Resources": [resource], "EventStatus": "Scheduled",
            "NotBefore": rfc1123(not_before), "Description": "", "EventSource": "Platform",
            "DurationInSeconds": -1}


@test("dry run azure: Preempt -> drain at NotBefore - margin, approval printed but not sent")
def t_dry_azure():
    emu = Emulator("azure").start()
    d = Daemon(config("azure", emu.url))
    try:
        d.expect(r"member node=2 .*")
        nb = int(time.time()) + 25
        emu.ctl({"events": [preempt_event(nb)]})
        d.expect(r"drain node=2 deadline=%s reason=azure-preempt" % iso(nb - 10))
        d.expect(r"approve node=2 event=f020ba2e-3bc0-4c40-a10b-86575a9eabd5 "
                 r"reason=azure-preempt sent=no")
        emu.ctl({"events": []})  # cancelled after the (instant) dry-run drain
        d.expect(r"cancel node=2 reason=notice-cancelled")
        assert emu.stats()["posts"] == 0
    finally:
        assert d.stop() == 0
        emu.stop()


@test("dry run azure: a second, earlier Preempt event does not start a second drain")
def t_dry_azure_two():
    emu = Emulator("azure").start()
    d = Daemon(config("azure", emu.url))
    try:
        d.expect(r"member node=2 .*")
        now = int(time.time())
        emu.ctl({"events": [preempt_event(now + 25)]})
        d.expect(r"drain node=2 deadline=\S+ reason=azure-preempt")
        emu.ctl({"events": [preempt_event(now + 25), preempt_event(now + 15, eid="abcd-1")]})
        n = emu.stats()["requests"]
        assert wait_for(lambda: emu.stats()["requests"] > n + 4)
        assert not any(l.startswith("drain node=2") for l in d.drain_stdout())
    finally:
        assert d.stop() == 0
        emu.stop()


# --- lifecycle: SIGHUP, SIGTERM, errors -----------------------------------

@test("SIGHUP: removed node drained then removed, caps applied, watcher undisturbed")
def t_sighup():
    emu = Emulator("aws").start()
    tmp = tempfile.mkdtemp(dir=TMP)
    plan = os.path.join(tmp, "plan.json")
    with open(plan, "w") as f:
        f.write('{"nodes": [{"id": 1, "page_cap": 1000}, {"id": 3, "page_cap": 10}]}')
    three = NODES + "node = 3 10.0.0.3:7000 spot {p}\n"
    d = Daemon(config("aws", emu.url, "plan_file = %s\n" % plan, nodes=three))
    try:
        d.expect(r"member node=3 .*")
        d.expect(r"cap node=1 pages=1000")
        d.expect(r"cap node=3 pages=10")
        with open(plan, "w") as f:
            f.write('{"nodes": [{"id": 1, "page_cap": 2000}, {"id": 2, "page_cap": 500}]}')
        d.write(config("aws", emu.url, "plan_file = %s\n" % plan))
        pid = d.p.pid
        d.signal(signal.SIGHUP)
        d.expect(r"drain node=3 deadline=none reason=config-remove")
        d.expect(r"remove node=3 reason=config")
        d.expect(r"member node=1 .*")
        d.expect(r"member node=2 .*")
        d.expect(r"cap node=1 pages=2000")
        d.expect(r"cap node=2 pages=500")
        d.wait_log("configuration reloaded")
        n = emu.stats()["requests"]
        assert wait_for(lambda: emu.stats()["requests"] > n + 4)  # still polling
        assert d.p.poll() is None and d.p.pid == pid
        assert emu.stats()["token_puts"] == 1  # the watcher was not restarted
    finally:
        assert d.stop() == 0
        emu.stop()


@test("SIGHUP with a broken file keeps the running configuration")
def t_sighup_bad():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url))
    try:
        d.expect(r"member node=2 .*")
        d.write(config("aws", emu.url, "bogus_key = 1\n"))
        d.signal(signal.SIGHUP)
        d.wait_log("reload failed, keeping the running configuration")
        d.wait_log("unknown key 'bogus_key'")
        emu.ctl({"instance_action": {"action": "terminate", "time": iso(time.time() + 60)}})
        d.expect(r"drain node=2 deadline=\S+ reason=aws-instance-action")
    finally:
        assert d.stop() == 0
        emu.stop()


@test("SIGTERM during a parked GCP long poll: prompt, clean exit 0")
def t_sigterm():
    emu = Emulator("gcp").start()
    d = Daemon(config("gcp", emu.url))
    try:
        d.expect(r"member node=2 .*")
        assert wait_for(lambda: emu.stats()["blocked"] >= 1)
        t0 = time.monotonic()
        rc = d.stop(timeout=10)
        assert rc == 0 and time.monotonic() - t0 < 5, rc
        assert "stopped" in d.stderr()
    finally:
        d.stop()
        emu.stop()


@test("metadata service down: no decision, error logged once, not every poll")
def t_down():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    d = Daemon(config("aws", "http://127.0.0.1:%d" % port))
    try:
        d.expect(r"member node=2 .*")
        time.sleep(0.5)  # ~25 polls at 20 ms
        assert d.p.poll() is None
        err = d.stderr()
        # One ERROR per distinct failure (two endpoints), not one per poll.
        assert err.count("ERROR: aws watcher") == 2, err
        assert d.drain_stdout() == []
    finally:
        assert d.stop() == 0


@test("bad configuration: exit status 2 and the offending line named")
def t_bad_config():
    d = Daemon("node_id = 2\nnode = 2 10.0.0.2 spot aws\n")
    rc = d.p.wait(timeout=10)
    assert rc == 2, rc
    assert "line 2" in d.stderr() and "bad address" in d.stderr()


@test("--check-config accepts the shipped example")
def t_check_example():
    p = subprocess.run([BIN, "--config", os.path.join(ROOT, "..", "..", "configs",
                                                      "elasticd.example.conf"),
                        "--check-config"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=10)
    assert p.returncode == 0 and ": ok" in p.stdout, (p.stdout, p.stderr)


@test("kernel actuator without the module (host): elasticd says so and keeps watching")
def t_netlink():
    emu = Emulator("aws").start()
    d = Daemon(config("aws", emu.url), dry_run=False)
    try:
        d.wait_log("cannot reach the elastic module")
        emu.ctl({"instance_action": {"action": "terminate", "time": iso(time.time() + 60)}})
        d.wait_log("drain of node 2 failed")
        # The drain tried the kernel for real: the failure names why.
        assert d.stderr().count("cannot reach the elastic module") >= 2, d.stderr()
        assert d.p.poll() is None
    finally:
        assert d.stop() == 0
        assert d.drain_stdout() == []  # decision lines are a dry-run thing
        emu.stop()


def main():
    for prog in ("test_unit", "test_watchers"):
        run_c(prog)
    for name, fn in TESTS:
        try:
            fn()
            emit(True, name)
        except Exception:  # a failed assertion or a crash: report, continue
            emit(False, name)
            for line in traceback.format_exc().splitlines():
                print("# " + line, flush=True)
    shutil.rmtree(TMP, ignore_errors=True)
    failed = results.count(False)
    print("1..%d" % len(results))
    print("# %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
