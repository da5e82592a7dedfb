# test: a stretched process that the kernel's OOM killer chooses while its pushers run is the only process killed: the pushers let go of its memory at once, a bystander lives, the members end empty
. tests/cluster/lib.sh
m=$top/tests/memtouch
t=/sys/kernel/tracing
# A local limit close to the home's RAM, and 16 MiB of it taken by a trace
# buffer: the process grows past what fits while the limit's background
# pusher and the pressure worker both push it.  When the OOM killer then
# killed it, the two pushers' references kept its memory (each saw the
# other's reference as a user): with no victim left to wait for, the OOM
# killer took the next process, and the next, then panicked.
oc=$(on 1 cat /proc/sys/vm/overcommit_memory)
cleanup() {
	on 1 pkill -f "sleep 301" || true
	on 1 sh -c "rmdir $t/instances/oomtest 2>/dev/null; echo $oc > /proc/sys/vm/overcommit_memory" || true
}
trap cleanup EXIT
on 1 sh -c "mountpoint -q $t || mount -t tracefs nodev $t; mkdir -p $t/instances/oomtest &&
	echo 16384 > $t/instances/oomtest/buffer_size_kb && echo 1 > /proc/sys/vm/overcommit_memory"
on 1 setsid -f sh -c "exec </dev/null >/dev/null 2>&1; sleep 301 | $m keep 4M 3"
sleep 1
k0=$(grep -c "Killed process" "build/cluster/$SPOTOS_CLUSTER/node1.console" || true)
rc=0
out=$(on 1 "$ctl" run --nodes 2,3 --local-limit 112M -- "$m" fill 160M 5 1 2>&1) || rc=$?
kills=$(( $(grep -c "Killed process" "build/cluster/$SPOTOS_CLUSTER/node1.console" || true) - k0 ))
echo "run: status $rc ($out), OOM kills: $kills"
case $rc in
0) [ "$out" = "ok 40960" ] || fail "workload: $out" ;;
137) [ "$kills" = 1 ] || fail "$kills processes killed for one stretched process" ;;
*) fail "run ended with status $rc: $out" ;;
esac
on 1 pgrep -f "memtouch keep 4M" >/dev/null || fail "the bystander was killed"
wait_sysctl 1 remote_pages 0 30
for i in 2 3; do wait_sysctl "$i" hosted_pages 0 30; done
