# test: a 320 MiB working set on a home with 128 MiB of RAM and no swap completes over 3 nodes (64 MiB local limit), every page verified; the same with 4 threads touching disjoint and shared pages
. tests/memory/lib.sh
mem_setup
kib=$(on 1 awk '/^MemTotal/ { print $2 }' /proc/meminfo)
[ "$kib" -le $((128 * 1024)) ] || fail "the home has $kib KiB of RAM: run the suite with a 128M home"
[ -z "$(on 1 cat /proc/swaps | tail -n +2)" ] || fail "the home has swap"
# One mapping larger than the home's RAM, with vm.overcommit_memory at its
# default: the heuristic counts what the members can take.
big() { # big WANT MEMTOUCH-ARGS...
	local want=$1 rc=0 out i
	shift
	out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 6 )) on 1 "$ctl" run --nodes 1,2,3 \
		--local-limit 64M -- "$m" "$@") || rc=$?
	[ "$rc" = 0 ] && [ "$out" = "$want" ] || fail "memtouch $* (status $rc) said: $out"
	for i in 2 3; do
		wait_counter "$i" hosted_pages 0
	done
	wait_counter 1 remote_pages 0
}
big "ok 81920" fill 320M 13 1
# Each thread writes its own slice; in the shared quarter all four write
# every page (their own words) and then check everyone's.
big "ok 81920 threads 4" threads 320M 17 1 4
