# test: a member's frames on a node's own connection to it: only PULL_REPLYs are taken (a stale one harmlessly); anything else closes the connection, counted once each in bad_frames; pulls still work after
. tests/cluster/lib.sh
cluster_setup
# (cluster_reset ends the fake member and removes member 9 at exit.)
join_up 1 2
# A node sends heartbeats, and finds a connection closed, once a heartbeat
# period: node1's after each good frame.  Both nodes, or each would take
# the other's silence for death.
for i in 1 2; do set_tunable $i heartbeat_ms 100; done
count=${REPLY_FUZZ_COUNT:-40}
on 2 sh -c "rm -f /tmp/rf.out; setsid -f sh -c 'exec </dev/null >/tmp/rf.out 2>&1; exec /usr/bin/python3 $top/tests/cluster/reply_fuzz.py 7171 9 $count ${FUZZ_SEED:-20261206}'"
on 2 sh -c 'for i in $(seq 100); do grep -q listening /tmp/rf.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "the fake member did not start: $(on 2 cat /tmp/rf.out)"
before=$(counter 1 bad_frames)
# Member 9 is the fake, on node2's address at another port.
on 1 "$ctl" node add 9 "$net.2:7171"
on 2 sh -c 'for i in $(seq 1200); do grep -q "^bad" /tmp/rf.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "the fake member did not finish: $(on 2 cat /tmp/rf.out)"
out=$(on 2 cat /tmp/rf.out)
echo "$out"
want=$(sed -n "s/^bad \([0-9]*\) of $count dropped 0\$/\1/p" <<<"$out")
[ -n "$want" ] && [ "$want" -gt 0 ] && [ "$want" -lt "$count" ] || fail "the fake member said: $out"
on 1 "$ctl" node del 9
got=$(( $(counter 1 bad_frames) - before ))
[ "$got" -eq "$want" ] || fail "bad_frames rose by $got, the fake member sent $want bad frames"
# Real pulls still come back on node1's connection to node2.
out=$(on 1 "$top/tests/bench/faultlat" 64 2) || fail "faultlat: $out"
[ "$(sed -n 's/.* bad \([0-9]*\).*/\1/p' <<<"$out")" = 0 ] || fail "faultlat: $out"
[ "$(state_of 1 2)" = up ] || fail "node2 no longer up on node1"
wait_counter 2 hosted_pages 0
