# test: a member powered off while it holds pages: only its pages fault, with SIGBUS and a log line naming them; the others stay intact; no hang, no kernel warning
. tests/cluster/lib.sh
m=$top/tests/memtouch
# Two seconds of silence: a loaded member (TCG, CI) may miss a few beats.
on 1 sh -c 'echo 200 > /proc/sys/elastic/heartbeat_ms; echo 10 > /proc/sys/elastic/heartbeat_misses'
on 1 sh -c "rm -f /tmp/go /tmp/hold.out; mkfifo /tmp/go
	($m hold 4M 5 2 3 <>/tmp/go >/tmp/hold.out 2>&1 &)
	for i in \$(seq 300); do grep -q ready /tmp/hold.out && exit 0; sleep 0.1; done
	cat /tmp/hold.out; exit 1" || fail "memtouch hold did not get ready"
# Both regions are remote: one on each member.
pl=$(on 1 sh -c 'grep pages_on_node /proc/$(pgrep -x memtouch)/elastic')
[ "$pl" = "$(printf 'pages_on_node:\t2:1024 3:1024')" ] || fail "before the kill: $pl"
# elasticctl map draws them: cells marked 2 and 3, and the counts.
map=$(on 1 sh -c "$ctl map \$(pgrep -x memtouch)")
echo "$map"
grep -q "node 2: 1024 pages, node 3: 1024 pages$" <<<"$map" || fail "map: $map"
grep -q '\[[^]]*2[^]]*\]' <<<"$map" && grep -q '\[[^]]*3[^]]*\]' <<<"$map" || fail "map rows: $map"
jmap=$(on 1 sh -c "$ctl -j map \$(pgrep -x memtouch)")
[ "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["remote"])' <<<"$jmap")" = \
	"{'2': 1024, '3': 1024}" ] || fail "map -j: $jmap"
scripts/cluster kill 3
wait_state 1 3 dead 10
on 1 sh -c 'echo go >/tmp/go; for i in $(seq 300); do grep -q "^node 3" /tmp/hold.out && break; sleep 0.1; done'
out=$(on 1 cat /tmp/hold.out)
grep -qx "ok 1024 sigbus 1024 bad 0" <<<"$out" || fail "memtouch: $out"
grep -qx "node 2 ok 1024 sigbus 0" <<<"$out" || fail "memtouch: $out"
grep -qx "node 3 ok 0 sigbus 1024" <<<"$out" || fail "memtouch: $out"
grep -q "elastic: pid [0-9]*: page at 0x[0-9a-f]* (slot [0-9]* on node 3) cannot be pulled" \
	"build/cluster/$SPOTOS_CLUSTER/node1.console" || fail "no log line names a lost page"
[ "$(on 1 cat /proc/sys/elastic/pull_failures)" -ge 1024 ] || fail "pull_failures not counted"
# The process has exited: the slots on the dead node are forgotten too.
wait_sysctl 1 remote_pages 0
on 2 true || fail "node2 stopped answering"
