# test: the elastic module is loaded at boot on every node with the node's id
. tests/cluster/lib.sh
cluster_setup
for i in $(nodes); do
	on "$i" test -d /sys/module/elastic || fail "node$i: module not loaded"
	[ "$(tunable "$i" node_id)" = "$i" ] || fail "node$i: wrong node_id sysctl"
	grep -qx "node     $i" <<<"$(on "$i" userspace/elasticctl/elasticctl status)" ||
		fail "node$i: elasticctl status does not show node $i"
done
