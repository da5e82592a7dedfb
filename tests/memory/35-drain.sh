# test: node drain of a member while a stretched workload runs: the member ends with no pages, within the deadline, the workload's data intact
. tests/memory/lib.sh
mem_setup
# (A failure leaves neither node2 draining nor the workload running:
# mem_reset ends both.)
# Four passes, the first at 8 MiB/s at most: the workload must still run
# when the drain starts (two passes at full speed ended before it).
on 1 sh -c "rm -f /tmp/w.out; ($ctl run --nodes 1,2,3 --local-limit 8M -- $m fill 24M 9 4 8 >/tmp/w.out 2>&1 &)"
wait_counter 1 remote_pages ">1000" 60
[ "$(counter 2 hosted_pages)" -gt 0 ] || fail "node2 holds nothing to drain"
off0=$(counter 2 handed_off)
drained0=$(counter 1 drained)
in0=$(counter 3 handed_in)
# The drain starts while the workload runs.
on 1 sh -c '! grep -q "^ok\|^bad" /tmp/w.out' || fail "the workload ended before the drain: $(on 1 cat /tmp/w.out)"
# The drain's batches show in tracefs.
t=/sys/kernel/tracing
on 1 sh -c "mountpoint -q $t || mount -t tracefs nodev $t; echo > $t/trace; echo 1 > $t/events/elastic/elastic_drain/enable"
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 3 )) on 1 "$ctl" node drain 2 --deadline 120) || fail "drain: $out"
on 1 sh -c "echo 0 > $t/events/elastic/elastic_drain/enable"
# (Not necessarily one that ends with nothing left: the workload may pull
# the last pages home between two batches; the end state is checked below.)
trace=$(on 1 cat $t/trace)
grep -Eq "elastic_drain: from=2 to=3 pages=[1-9][0-9]* moved=[1-9][0-9]* left=[0-9]+$" <<<"$trace" ||
	fail "no drain event: $(grep drain: <<<"$trace" | tail -3) (drain said: $out)"
echo "$out"
grep -q "^drained node 2: [0-9]* pages in .* s, deadline 120 s met$" <<<"$(tail -n1 <<<"$out")" ||
	fail "drain said: $out"
# Pages left node2 while the workload kept pushing to the others only.
wait_counter 2 hosted_pages 0
drained=$(( $(counter 1 drained) - drained0 ))
[ "$drained" -gt 0 ] || fail "drained not counted"
# The pages went from node2 to node3 directly, each at least once.
off=$(( $(counter 2 handed_off) - off0 ))
in=$(( $(counter 3 handed_in) - in0 ))
echo "drained $drained, node2 handed off $off, node3 took $in"
[ "$off" -ge "$drained" ] && [ "$in" -ge "$drained" ] ||
	fail "drained $drained pages, but node2 handed off $off and node3 took $in"
SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 sh -c 'for i in $(seq 2400); do grep -q "^ok\|^bad" /tmp/w.out && break; sleep 0.1; done'
w=$(on 1 cat /tmp/w.out)
[ "$w" = "ok 6144" ] || fail "workload: $w"
[ "$(counter 2 hosted_pages)" = 0 ] || fail "node2 got pages after its drain"
# Empty, it may go; added back, it takes pages again.
on 1 "$ctl" node del 2
on 1 "$ctl" node add 2 "$net.2"
wait_state 1 2 up
