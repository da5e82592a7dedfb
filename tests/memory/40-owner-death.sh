# test: a member powered off while it holds pages: only its pages fault, with SIGBUS and a log line naming them; the others stay intact; no hang, no kernel warning
. tests/memory/lib.sh
mem_setup
# (mem_reset boots node 3 again at exit, and it joins again.)
# Two seconds of silence: a loaded member (TCG, CI) may miss a few beats.
set_tunable 1 heartbeat_ms 200
set_tunable 1 heartbeat_misses 10
hold_start 1 hold 4M 5 2 3
pid=$(hold_pid 1 hold)
# Both regions are remote: one on each member.
pl=$(on 1 grep pages_on_node "/proc/$pid/elastic")
[ "$pl" = "$(printf 'pages_on_node:\t2:1024 3:1024')" ] || fail "before the kill: $pl"
# elasticctl map draws them: cells marked 2 and 3, and the counts.
map=$(on 1 "$ctl" map "$pid")
echo "$map"
grep -q "node 2: 1024 pages, node 3: 1024 pages$" <<<"$map" || fail "map: $map"
grep -q '\[[^]]*2[^]]*\]' <<<"$map" && grep -q '\[[^]]*3[^]]*\]' <<<"$map" || fail "map rows: $map"
jmap=$(on 1 "$ctl" -j map "$pid")
[ "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["remote"])' <<<"$jmap")" = \
	"{'2': 1024, '3': 1024}" ] || fail "map -j: $jmap"
f0=$(counter 1 pull_failures)
scripts/cluster kill 3
wait_state 1 3 dead 10
out=$(hold_finish 1 hold)
grep -qx "ok 1024 sigbus 1024 bad 0" <<<"$out" || fail "memtouch: $out"
grep -qx "node 2 ok 1024 sigbus 0" <<<"$out" || fail "memtouch: $out"
grep -qx "node 3 ok 0 sigbus 1024" <<<"$out" || fail "memtouch: $out"
grep -q "elastic: pid $pid: page at 0x[0-9a-f]* (slot [0-9]* on node 3) cannot be pulled" \
	<<<"$(console_since 1)" || fail "no log line names a lost page"
[ $(( $(counter 1 pull_failures) - f0 )) -ge 1024 ] || fail "pull_failures not counted"
# The process has exited: the slots on the dead node are forgotten too.
wait_counter 1 remote_pages 0
on 2 true || fail "node2 stopped answering"
