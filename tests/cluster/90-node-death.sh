# test: a node that dies is seen as stopped; the others keep answering, exec to it fails fast
. tests/cluster/lib.sh
last=$(nodes | tail -n1)
scripts/cluster kill "$last"
scripts/cluster status | grep -q "node$last .* stopped" || fail "node$last not reported stopped"
start=$(date +%s)
if scripts/cluster exec "$last" --timeout 20 -- true 2>/dev/null; then
	fail "exec on a dead node succeeded"
fi
[ $(( $(date +%s) - start )) -lt 20 ] || fail "exec on a dead node hung"
for i in $(nodes); do
	[ "$i" = "$last" ] && continue
	on "$i" true || fail "node$i stopped answering"
done
