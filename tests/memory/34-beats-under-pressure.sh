# test: heartbeats do not starve under memory pressure: while a stretched process half again larger than its home's free memory fills it and reads it back, with no local limit, no member declares the home dead (nor the home a member), and no connection closes on a bad frame
. tests/memory/lib.sh
mem_setup
tmp_ping=$(mktemp -u /tmp/spotos-34-ping.XXXXXX)
console_mark
for i in 1 2 3; do bad0[$i]=$(counter "$i" bad_frames); done
# Each node pinged from the lab network ten times a second meanwhile: a
# node whose kernel answers no ping for a whole detection period cannot
# be heard by any failure detector (seen under TCG: a guest short of
# memory whose CPU runs on while its timers and network stand still for
# up to 13 s), and a declaration then says nothing of heartbeats.
pings=
for i in 1 2 3; do
	ip netns exec "spotos-$SPOTOS_CLUSTER" ping -D -i 0.1 -W 1 "$net.$i" >"$tmp_ping.$i" 2>&1 &
	pings+=" $!"
done
at_exit "kill $pings 2>/dev/null; rm -f $tmp_ping.*"
big=$(( $(avail_mib 1) * 3 / 2 ))
# Minutes under TCG, several times that on the debug kernel (whose exec
# timeout is five times the default): 240 s, 900 s there.
t=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 ))
out=$(SPOTOS_EXEC_TIMEOUT=$(( t < 900 ? t : 900 )) on 1 "$ctl" run --nodes 1,2,3 -- "$m" fill "${big}M" 23 2) ||
	fail "memtouch fill ${big}M: $out"
[ "$out" = "ok $(( big * 256 ))" ] || fail "memtouch said: $out"
kill $pings
# The longest time, in ms, node N answered no ping (to the end of the fill).
unanswered() {
	awk -F'[][]' -v end="$(date +%s.%N)" '/bytes from/ { if (p && $2 - p > g) g = $2 - p; p = $2 }
		END { if (!p) p = 0; if (end - p > g) g = end - p; printf "%d\n", g * 1000 }' "$tmp_ping.$1"
}
period=$(( $(tunable 1 heartbeat_ms) * $(tunable 1 heartbeat_misses) ))
for i in 1 2 3; do
	grep -q "bytes from" "$tmp_ping.$i" || fail "no answer to ping from node$i at all: $(head -c 300 "$tmp_ping.$i")"
	gap[$i]=$(unanswered "$i")
done
echo "longest time without an answer to ping (ms): node1 ${gap[1]}, node2 ${gap[2]}, node3 ${gap[3]}"
# Every node's findings, not only the first: what a rare failure says.
bad='' froze=''
for i in 1 2 3; do
	while read -r d; do
		x=$(sed -n 's/.*node \([0-9]*\) declared dead.*/\1/p' <<<"$d")
		if [ -n "$x" ] && [ "${gap[$x]:-0}" -ge "$period" ]; then
			froze+="node$i declared node$x dead while node$x answered no ping for ${gap[$x]} ms; "
		else
			bad+="node$i: $d (node$x answered pings, at most ${gap[$x]:-?} ms without); "
		fi
	done < <(console_since "$i" | grep "declared dead" || true)
	[ "$(counter "$i" bad_frames)" = "${bad0[$i]}" ] || bad+="node$i counted a bad frame; "
done
[ -z "$bad" ] || fail "$bad"
[ -z "$froze" ] || skip "$froze"
