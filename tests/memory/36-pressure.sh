# test: memory pressure: a stretched process half again larger than the home's free memory completes by pushing, without a local limit and with one above the home's memory, and an unstretched process growing past the free memory makes an idle stretched one push (the pressure worker, the shrinker) instead of meeting the OOM killer
. tests/memory/lib.sh
mem_setup
[ "$(tunable 1 push_below_kb)" -gt 0 ] || fail "push_below_kb is 0 by default"
oom0=$(ooms 1)

# 1. The stretched process itself grows past the home's memory, no limit.
p0=$(counter 1 pressure_pushes)
big=$(( $(avail_mib 1) * 3 / 2 ))
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 "$ctl" run --nodes 1,2,3 -- \
	"$top/tests/memtouch" fill "${big}M" 21 1) || fail "memtouch fill ${big}M: $out"
[ "$out" = "ok $(( big * 256 ))" ] || fail "memtouch fill ${big}M said: $out"
p1=$(counter 1 pressure_pushes)
[ "$p1" -gt "$p0" ] || fail "no pressure push (pressure_pushes $p0 -> $p1)"
for i in 2 3; do wait_counter "$i" hosted_pages 0; done

# 2. Three times the free memory, with a local limit the home cannot hold:
# pressure, not the limit, must make it push, on its own faults as without
# a limit (the pressure worker alone runs ten times a second, and wset's
# fill, faster than memtouch's, outran it: the OOM killer took it).
huge=$(( $(avail_mib 1) * 3 ))
p0=$(counter 1 pressure_pushes)
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 "$ctl" run --nodes 1,2,3 \
	--local-limit "$(( huge * 2 ))M" -- "$top/tests/bench/wset" "${huge}M" 22 seq:1) ||
	fail "wset ${huge}M, local limit $(( huge * 2 ))M: $out"
grep -q "^seq pages $(( huge * 256 )) .* bad 0 " <<<"$out" || fail "wset ${huge}M, local limit $(( huge * 2 ))M, said: $out"
p1=$(counter 1 pressure_pushes)
[ "$p1" -gt "$p0" ] || fail "no pressure push under a local limit (pressure_pushes $p0 -> $p1)"
[ "$(ooms 1)" = "$oom0" ] || fail "the OOM killer ran: $(on 1 sh -c 'dmesg | grep -A3 "Out of memory"')"
for i in 2 3; do wait_counter "$i" hosted_pages 0; done

# 3. An idle stretched process holds most of the free memory; another
# process, not stretched, grows at 8 MiB/s past what is left.
a=$(avail_mib 1)
keep=$(( a * 6 / 10 )) grow=$(( a * 5 / 10 ))
keep_start k ${keep}M 23
p0=$(counter 1 pressure_pushes)
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 \
	"$top/tests/memtouch" fill "${grow}M" 29 1 8) || fail "the growing process: $out"
[ "$out" = "ok $(( grow * 256 ))" ] || fail "the growing process said: $out"
out=$(keep_finish k)
[ "$out" = "$(printf 'ready\nok %d' $(( keep * 256 )))" ] || fail "the stretched process said: $out"
p1=$(counter 1 pressure_pushes)
[ "$p1" -gt "$p0" ] || fail "no pressure push while the other process grew (pressure_pushes $p0 -> $p1)"
[ "$(ooms 1)" = "$oom0" ] || fail "the OOM killer ran: $(on 1 sh -c 'dmesg | grep -A3 "Out of memory"')"
for i in 2 3; do wait_counter "$i" hosted_pages 0; done
wait_counter 1 remote_pages 0
