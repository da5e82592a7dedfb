# test: elasticd on every node applies the configured membership through netlink; members come up
. tests/cluster/lib.sh
cluster_setup
# (cluster_reset ends elasticd everywhere and removes the members at exit.)
all=$(nodes | tr '\n' ' ')
d=$top/userspace/elasticd/elasticd
for i in $all; do
	{
		echo "node_id = $i"
		for j in $all; do echo "node = $j $net.$j:7070 spot none"; done
	} >"build/cluster/$SPOTOS_CLUSTER/elasticd-$i.conf"
	# setsid: elasticd outlives this exec (the agent ends the command's group).
	on "$i" rm -f /tmp/elasticd.log
	on "$i" setsid -f sh -c "exec $d --config $top/build/cluster/$SPOTOS_CLUSTER/elasticd-$i.conf --foreground >/tmp/elasticd.log 2>&1"
done
for i in $all; do
	for j in $all; do
		[ "$i" = "$j" ] || wait_state "$i" "$j" up 30
	done
	on "$i" grep -q "member $i at $net.$i:7070 added" /tmp/elasticd.log ||
		fail "node$i: elasticd did not log adding itself: $(on "$i" cat /tmp/elasticd.log)"
done
for i in $all; do
	on "$i" pkill -TERM -x elasticd || fail "node$i: elasticd was not running"
done
