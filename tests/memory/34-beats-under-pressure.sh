# test: heartbeats do not starve under memory pressure: while a stretched process half again larger than its home's free memory fills it and reads it back, with no local limit, no member declares the home dead (nor the home a member), and no connection closes on a bad frame
. tests/memory/lib.sh
mem_setup
console_mark
for i in 1 2 3; do bad0[$i]=$(counter "$i" bad_frames); done
big=$(( $(avail_mib 1) * 3 / 2 ))
# Minutes under TCG, several times that on the debug kernel (whose exec
# timeout is five times the default): 240 s, 900 s there.
t=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 ))
out=$(SPOTOS_EXEC_TIMEOUT=$(( t < 900 ? t : 900 )) on 1 "$ctl" run --nodes 1,2,3 -- "$m" fill "${big}M" 23 2) ||
	fail "memtouch fill ${big}M: $out"
[ "$out" = "ok $(( big * 256 ))" ] || fail "memtouch said: $out"
# Every node's findings, not only the first: what a rare failure says.
bad=
for i in 1 2 3; do
	d=$(console_since "$i" | grep "declared dead" || true)
	[ -z "$d" ] || bad+="node$i: $d; "
	[ "$(counter "$i" bad_frames)" = "${bad0[$i]}" ] || bad+="node$i counted a bad frame; "
done
[ -z "$bad" ] || fail "$bad"
