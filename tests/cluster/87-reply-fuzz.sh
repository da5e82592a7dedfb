# test: a member's frames on a node's own connection to it: only PULL_REPLYs are taken (a stale one harmlessly); anything else closes the connection, counted once each in bad_frames; pulls still work after
. tests/cluster/lib.sh
join_all 1 2
wait_state 1 2 up
hb=$(on 1 cat /proc/sys/elastic/heartbeat_ms)
trap 'for i in 1 2; do on $i sh -c "echo $hb > /proc/sys/elastic/heartbeat_ms"; done
	on 1 "$ctl" node del 9 >/dev/null 2>&1 || true' EXIT
# A node sends heartbeats, and finds a connection closed, once a heartbeat
# period: node1's after each good frame.  Both nodes, or each would take
# the other's silence for death.
for i in 1 2; do on $i sh -c 'echo 100 > /proc/sys/elastic/heartbeat_ms'; done
count=${REPLY_FUZZ_COUNT:-40}
on 2 sh -c "rm -f /tmp/rf.out; setsid -f sh -c 'exec </dev/null >/tmp/rf.out 2>&1; exec /usr/bin/python3 $top/tests/cluster/reply_fuzz.py 7171 9 $count ${FUZZ_SEED:-20261206}'"
on 2 sh -c 'for i in $(seq 100); do grep -q listening /tmp/rf.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "the fake member did not start: $(on 2 cat /tmp/rf.out)"
before=$(on 1 cat /proc/sys/elastic/bad_frames)
# Member 9 is the fake, on node2's address at another port.
on 1 "$ctl" node add 9 "$net.2:7171"
on 2 sh -c 'for i in $(seq 1200); do grep -q "^bad" /tmp/rf.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "the fake member did not finish: $(on 2 cat /tmp/rf.out)"
out=$(on 2 cat /tmp/rf.out)
echo "$out"
want=$(sed -n "s/^bad \([0-9]*\) of $count dropped 0\$/\1/p" <<<"$out")
[ -n "$want" ] && [ "$want" -gt 0 ] && [ "$want" -lt "$count" ] || fail "the fake member said: $out"
on 1 "$ctl" node del 9
got=$(( $(on 1 cat /proc/sys/elastic/bad_frames) - before ))
[ "$got" -eq "$want" ] || fail "bad_frames rose by $got, the fake member sent $want bad frames"
# Real pulls still come back on node1's connection to node2.
out=$(on 1 "$top/tests/bench/faultlat" 64 2) || fail "faultlat: $out"
[ "$(sed -n 's/.* bad \([0-9]*\).*/\1/p' <<<"$out")" = 0 ] || fail "faultlat: $out"
[ "$(state_of 1 2)" = up ] || fail "node2 no longer up on node1"
wait_sysctl 2 hosted_pages 0
leave_all 1
leave_all 2
