# test: a node that dies is declared dead by the others (log line, state), exec to it fails fast, the rest keep working
. tests/cluster/lib.sh
cluster_setup
# (cluster_reset boots the node again at exit.)
last=$(nodes | tail -n1)
all=$(nodes | tr '\n' ' ')
for i in $all; do
	[ "$i" = "$last" ] && continue
	set_tunable "$i" heartbeat_ms 200
	set_tunable "$i" heartbeat_misses 3
done
join_up $all
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
	grep -q "elastic: node $last declared dead" <<<"$(console_since "$i")" ||
		fail "node$i logged no death of node$last"
	on "$i" true || fail "node$i stopped answering"
done
