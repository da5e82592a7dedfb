# test: spot reclaim end to end: an AWS interruption notice served to member node 2 while a process larger than its home's RAM runs: elasticd drains node 2 until it hosts nothing, the process's data intact, events on both nodes
. tests/memory/lib.sh
mem_setup
d=$top/userspace/elasticd/elasticd
kib=$(on 1 awk '/^MemTotal/ { print $2 }' /proc/meminfo)
# Bigger than the home's RAM, as in a real reclaim (the suite's home has
# 128 MiB); check-debug sets RECLAIM_MB smaller, KASAN being slow.
mb=${RECLAIM_MB:-$(( kib / 1024 + 32 ))}
size=${mb}M
pages=$(( mb * 256 ))

# The AWS metadata emulator runs on node 2's loopback, as IMDS would on its link.
port=$(emulator_up 2 aws)
# (mem_reset ends elasticd, the emulator, the listeners and the workload,
# undrains node 2 and lifts node 3's cap at exit, whatever happens.)

# elasticd on node 2: the cluster's membership as it is, AWS, IMDS on loopback.
conf=$top/build/cluster/$SPOTOS_CLUSTER/elasticd-reclaim.conf
# The economic calculator's plan caps node 3; elasticd applies it through node 2's module.
echo '{"nodes": [{"id": 3, "page_cap": 262144}]}' >"$conf.plan"
cat >"$conf" <<EOF
node_id = 2
node = 1 $net.1:7070 on-demand aws
node = 2 $net.2:7070 spot aws
node = 3 $net.3:7070 spot aws
drain_margin = 10
metadata_url = http://127.0.0.1:$port
plan_file = $conf.plan
EOF
on 2 rm -f /tmp/elasticd.log
on 2 setsid -f sh -c "exec $d --config $conf --foreground >/tmp/elasticd.log 2>&1"
on 2 sh -c 'for i in $(seq 100); do grep -q "starting: node 2" /tmp/elasticd.log && exit 0; sleep 0.1; done; exit 1' ||
	fail "elasticd did not start: $(on 2 cat /tmp/elasticd.log)"
wait_tunable 3 max_hosted_pages 262144
for i in 1 2; do
	on "$i" rm -f /tmp/events.out
	on "$i" setsid -f sh -c "exec timeout 300 $ctl events >/tmp/events.out 2>/dev/null"
done

# The workload: one mapping larger than the home's RAM (the commit
# accounting counts what the members can take).
on 1 sh -c "rm -f /tmp/w.out; ($ctl run --nodes 1,2,3 --local-limit 32M -- $m fill $size 21 1 >/tmp/w.out 2>&1 &)"
# Node 2 gets about half of what goes beyond the limit (pushes alternate
# between the members): wait for a third of it, 4000 pages at most.
want=$(( (pages - 32 * 256) / 3 ))
[ "$want" -gt 4000 ] && want=4000
wait_counter 2 hosted_pages ">$want" 120

# The cloud takes node 2 back in two minutes.
ev0=$(counter 1 evacuations)
notice 2 "$port" aws
rc=0
SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 3 )) on 2 sh -c \
	'for i in $(seq 1500); do grep -q "drain of node 2 \(finished\|failed\)" /tmp/elasticd.log && exit 0; sleep 0.1; done; exit 1' || rc=$?
log=$(on 2 cat /tmp/elasticd.log)
[ "$rc" = 0 ] || fail "no drain outcome: $log"
grep "drain" <<<"$log"
grep -q "draining node 2: deadline .* (reason=aws-instance-action)" <<<"$log" || fail "no drain start in: $log"
grep -q "drain of node 2 finished (0 pages left, reason=aws-instance-action)" <<<"$log" ||
	fail "drain did not empty node 2: $log"
! grep -q "deadline passed" <<<"$log" || fail "deadline missed: $log"
[ "$(counter 2 hosted_pages)" = 0 ] || fail "node2 still hosts pages"
[ "$(counter 2 evacuating)" = 1 ] || fail "node2 not marked evacuating"
[ "$(counter 1 evacuations)" -gt "$ev0" ] || fail "node1 counted no evacuation request"

# The workload finishes with every page verified, node 2 taking no new page.
SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 sh -c 'for i in $(seq 2400); do grep -q "^ok\|^bad\|rror" /tmp/w.out && break; sleep 0.1; done'
w=$(on 1 cat /tmp/w.out)
[ "$w" = "ok $pages" ] || fail "workload: $w"
[ "$(counter 2 hosted_pages)" = 0 ] || fail "node2 got pages after its drain"

# Events: the agent's on node 2, the home's evacuate on node 1.
ev2=$(on 2 cat /tmp/events.out)
ev1=$(on 1 cat /tmp/events.out)
echo "$ev2"
grep -q "^drain-start node=2 deadline=[0-9T:-]*Z reason=aws-instance-action$" <<<"$ev2" || fail "node2 events: $ev2"
grep -q "^drain-done node=2 .*detail=\"0 pages left\"$" <<<"$ev2" || fail "node2 events: $ev2"
grep -q "^evacuate node=1 peer=2$" <<<"$ev1" || fail "node1 events: $ev1"

# The notice is withdrawn (say a test of the runbook): node 2 takes pages again.
on 2 pkill -TERM -x elasticd
on 2 "$ctl" node undrain 2
wait_counter 2 evacuating 0
in=$(counter 2 hosted_in)
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 2 )) on 1 "$ctl" run --nodes 1,2 --local-limit 4M -- "$m" fill 12M 5) ||
	fail "run after undrain: $out"
[ "$out" = "ok 3072" ] || fail "memtouch after undrain: $out"
[ "$(counter 2 hosted_in)" -gt "$in" ] || fail "node2 took no page after undrain"
for i in 2 3; do
	wait_counter "$i" hosted_pages 0
done
