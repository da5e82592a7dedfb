#!/usr/bin/python3
"""Serve an interruption notice from a running metadata emulator.

  notice.py PORT CLOUD   (CLOUD: aws, gcp or azure)

Merges the cloud's notice into the emulator's state (see
userspace/elasticd/tests/emulator.py) and prints the wall-clock time at
which the state changed, in seconds since 1970, for latency measurements
taken on the same machine.  AWS and Azure notices are two minutes and 30 s
ahead, as the clouds give them.
"""
import email.utils
import json
import socket
import sys
import time
import urllib.request

port, cloud = int(sys.argv[1]), sys.argv[2]
now = time.time()
if cloud == "aws":
    patch = {"instance_action": {"action": "terminate", "time": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 120))}}
elif cloud == "gcp":
    patch = {"preempted": True}
elif cloud == "azure":
    patch = {"events": [{
        "EventId": "6f1c3c54-1b5e-4bd4-9b1e-0f6d1c1a0b02", "EventType": "Preempt",
        "ResourceType": "VirtualMachine", "Resources": [socket.gethostname()],
        "EventStatus": "Scheduled", "NotBefore": email.utils.formatdate(now + 30, usegmt=True),
        "Description": "", "EventSource": "Platform", "DurationInSeconds": -1}]}
else:
    sys.exit("notice.py: unknown cloud %r" % cloud)
req = urllib.request.Request("http://127.0.0.1:%d/__emu/state" % port,
                             data=json.dumps(patch).encode(), method="POST")
urllib.request.urlopen(req, timeout=5).read()
print("%.6f" % time.time())
