#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A fake member that answers a node's connection to it with one frame.

A member answers a PULL on the connection the PULL came in on (wire
version 5), so a node parses its own connections to members for
PULL_REPLYs, and nothing else.  This plays member ID at the port it listens
on: for each connection the node makes to it, it reads the node's HELLO,
sends one frame (seeded: a well-formed PULL_REPLY to a request the node
never made, which must be dropped as stale, or one of several malformed or
unexpected frames, which must close the connection and count in
bad_frames), then waits for the node to close a connection it sent a bad
frame on, or closes it itself after a good one.

    reply_fuzz.py PORT ID COUNT SEED -> "bad B of COUNT dropped D"

(D: connections the node closed after a good frame; must be 0.)
"""
import random
import socket
import struct
import sys
import time

MAGIC, VERSION = 0x53504F53, 6
HEARTBEAT, PULL, PULL_REPLY = 2, 5, 6
HDR = ">IBBHIIQ"  # magic, version, type, flags, length, source, sequence
HELLO_LEN = struct.calcsize(HDR) + 16


def frame(typ, payload, src, seq, magic=MAGIC, version=VERSION, length=None):
    n = len(payload) if length is None else length
    return struct.pack(HDR, magic, version, typ, 0, n, src, seq) + payload


def reply(seq, status, page=b""):
    return struct.pack(">QI", seq, status) + page


def pick(rnd, me):
    """One frame and whether the node must take it as malformed."""
    seq = rnd.randrange(1 << 62, 1 << 63)
    page = bytes(rnd.randrange(256) for _ in range(16)) * 256
    return rnd.choice([
        (frame(PULL_REPLY, reply(seq, 2), me, 1), False),  # ENOENT, stale
        (frame(PULL_REPLY, reply(seq, 0, page), me, 2), False),  # a page, stale
        (frame(HEARTBEAT, struct.pack(">Q", 0), me, 3), True),  # not a reply
        (frame(PULL, struct.pack(">IIQ", 1, 0, 5), me, 4), True),  # not a reply
        (frame(PULL_REPLY, reply(seq, 2), me + 1, 5), True),  # another sender
        (frame(PULL_REPLY, reply(seq, 99), me, 6), True),  # no such status
        (frame(PULL_REPLY, reply(seq, 2) + b"x", me, 7), True),  # wrong length
        (frame(PULL_REPLY, reply(seq, 2), me, 8, magic=0x58585858), True),
        (frame(PULL_REPLY, reply(seq, 2), me, 9, version=VERSION - 1), True),
    ])


def read_exact(c, n):
    buf = b""
    while len(buf) < n:
        b = c.recv(n - len(buf))
        if not b:
            raise ConnectionError("closed before its HELLO")
        buf += b
    return buf


def main():
    port, me, count, seed = (int(a) for a in sys.argv[1:5])
    rnd = random.Random(seed)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("", port))
    ls.listen(1)
    print("listening", flush=True)
    ls.settimeout(60)
    bad = dropped = 0
    for _ in range(count):
        c, _ = ls.accept()
        c.settimeout(30)
        read_exact(c, HELLO_LEN)
        f, malformed = pick(rnd, me)
        c.sendall(f)
        bad += malformed
        # A bad frame: the node closes the connection (read its heartbeats
        # until then; it resets it when they were unread).  A good one: the
        # node keeps it, still open half a second later.
        end = time.monotonic() + (30 if malformed else 0.5)
        closed = False
        while not closed and time.monotonic() < end:
            c.settimeout(max(end - time.monotonic(), 0.01))
            try:
                closed = not c.recv(4096)
            except ConnectionResetError:
                closed = True
            except socket.timeout:
                pass
        if malformed and not closed:
            sys.exit("the node kept a connection with a bad frame")
        dropped += closed and not malformed
        c.close()
    print("bad %d of %d dropped %d" % (bad, count, dropped), flush=True)


if __name__ == "__main__":
    main()
