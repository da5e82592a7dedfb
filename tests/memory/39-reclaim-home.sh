# test: a GCP preemption notice served to a home node: elasticd drains what it can, says loudly that the stretched process homed there pins the node, and the process's pages stay intact
. tests/memory/lib.sh
mem_setup
conf=$top/build/cluster/$SPOTOS_CLUSTER/elasticd-home.conf
# (mem_reset ends elasticd, the emulator, the listener and the workload,
# and undrains node 1, at exit whatever happens.)
# A stretched process on node 1 with 8 MiB on node 2.
hold_start 1 hold 8M 4 2
port=$(emulator_up 1 gcp)
{
	echo "node_id = 1"
	for j in 1 2 3; do echo "node = $j $net.$j:7070 spot gcp"; done
	echo "metadata_url = http://127.0.0.1:$port"
} >"$conf"
on 1 rm -f /tmp/elasticd.log /tmp/events.out
on 1 setsid -f sh -c "exec </dev/null >/tmp/elasticd.log 2>&1; exec $top/userspace/elasticd/elasticd --config $conf --foreground"
on 1 setsid -f sh -c "exec </dev/null >/tmp/events.out 2>/dev/null; exec timeout 120 $ctl events"
on 1 sh -c 'for i in $(seq 100); do grep -q "gcp watcher" /tmp/elasticd.log && exit 0; sleep 0.1; done; exit 1' ||
	fail "elasticd did not start: $(on 1 cat /tmp/elasticd.log)"
notice 1 "$port" gcp
on 1 sh -c 'for i in $(seq 600); do grep -q "drain of node 1 \(finished\|failed\)" /tmp/elasticd.log && exit 0; sleep 0.1; done; exit 1' ||
	fail "no drain outcome: $(on 1 cat /tmp/elasticd.log)"
log=$(on 1 cat /tmp/elasticd.log)
grep "drain\|HOME" <<<"$log"
grep -q "NODE 1 IS THE HOME OF 1 STRETCHED PROCESS(ES): it cannot be emptied until threads can jump" <<<"$log" ||
	fail "not loud about the home: $log"
grep -q "drain of node 1 finished (0 pages left, reason=gcp-preempted)" <<<"$log" || fail "drain: $log"
on 1 sh -c 'for i in $(seq 100); do grep -q "^drain-done" /tmp/events.out && exit 0; sleep 0.1; done; exit 1' || true
ev=$(on 1 cat /tmp/events.out)
grep -q '^home-pinned node=1 .*reason=gcp-preempted detail="node is home of 1 stretched process(es); 0 pages of others left"$' <<<"$ev" ||
	fail "events: $ev"
[ "$(counter 1 evacuating)" = 1 ] || fail "node1 not evacuating"
# The process is untouched: every page, here and on node 2, reads back right.
out=$(hold_finish 1 hold)
grep -q "^ok 2048 sigbus 0 bad 0$" <<<"$out" || fail "hold: $out"
# The notice withdrawn, the node takes pages again.
on 1 pkill -TERM -x elasticd
on 1 "$ctl" node undrain 1
wait_counter 1 evacuating 0
wait_counter 2 hosted_pages 0
