# test: a node that dies is declared dead by the others (log line, state), exec to it fails fast, the rest keep working
. tests/cluster/lib.sh
last=$(nodes | tail -n1)
all=$(nodes | tr '\n' ' ')
join_all $all
for i in $all; do
	[ "$i" = "$last" ] && continue
	on "$i" sh -c 'echo 200 > /proc/sys/elastic/heartbeat_ms; echo 3 > /proc/sys/elastic/heartbeat_misses'
	wait_state "$i" "$last" up
done
scripts/cluster kill "$last"
grep -q "node$last .* stopped" <<<"$(scripts/cluster status)" || fail "node$last not reported stopped"
start=$(date +%s)
if scripts/cluster exec "$last" --timeout 20 -- true 2>/dev/null; then
	fail "exec on a dead node succeeded"
fi
[ $(( $(date +%s) - start )) -lt 20 ] || fail "exec on a dead node hung"
for i in $all; do
	[ "$i" = "$last" ] && continue
	wait_state "$i" "$last" dead 10
	grep -q "elastic: node $last declared dead" "build/cluster/$SPOTOS_CLUSTER/node$i.console" ||
		fail "node$i logged no death of node$last"
	on "$i" true || fail "node$i stopped answering"
done
for i in $all; do
	[ "$i" = "$last" ] && continue
	leave_all "$i"
	on "$i" sh -c 'echo 1000 > /proc/sys/elastic/heartbeat_ms; echo 5 > /proc/sys/elastic/heartbeat_misses'
done
