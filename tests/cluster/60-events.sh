# test: elasticctl events follows the events group and sees a node-id change
. tests/cluster/lib.sh
cluster_setup
# (cluster_reset gives node 1 its id back at exit, whatever happens.)
out=$(on 1 sh -c '
	ctl=userspace/elasticctl/elasticctl
	$ctl -j events --count 1 --timeout 30 >/tmp/ev.out 2>/tmp/ev.err &
	pid=$!
	# Change the id only once the listener has subscribed.
	for i in $(seq 100); do grep -q following /tmp/ev.err 2>/dev/null && break; sleep 0.1; done
	$ctl config set node-id 9
	wait $pid
	rc=$?
	$ctl config set node-id 1
	cat /tmp/ev.out
	exit $rc')
[ "$out" = '{"event":"config-changed","node_id":9}' ] || fail "events printed: $out"
[ "$(tunable 1 node_id)" = 1 ] || fail "node id not restored"
