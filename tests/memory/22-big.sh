# test: a 320 MiB working set on a home with 128 MiB of RAM and no swap completes over 3 nodes (64 MiB local limit), every page verified
. tests/cluster/lib.sh
kib=$(on 1 awk '/^MemTotal/ { print $2 }' /proc/meminfo)
[ "$kib" -le $((128 * 1024)) ] || fail "the home has $kib KiB of RAM: run the suite with a 128M home"
[ -z "$(on 1 cat /proc/swaps | tail -n +2)" ] || fail "the home has swap"
# One mapping larger than the home's RAM: the overcommit heuristic counts
# only local RAM and swap, so a home runs with overcommit on.
oc=$(on 1 cat /proc/sys/vm/overcommit_memory)
on 1 sh -c 'echo 1 > /proc/sys/vm/overcommit_memory'
rc=0
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 6 )) on 1 "$ctl" run --nodes 1,2,3 \
	--local-limit 64M -- "$top/tests/memtouch" fill 320M 13 1) || rc=$?
on 1 sh -c "echo $oc > /proc/sys/vm/overcommit_memory"
[ "$rc" = 0 ] && [ "$out" = "ok 81920" ] || fail "memtouch (status $rc) said: $out"
for i in 2 3; do
	wait_sysctl "$i" hosted_pages 0
done
wait_sysctl 1 remote_pages 0
