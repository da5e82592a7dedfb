# test: a home powered off: its member drops the pages it held for it orphan_keep_ms after declaring it dead, not before
. tests/cluster/lib.sh
m=$top/tests/memtouch
# Node 2 is the home this time, node 1 its member (node 3 is gone already).
# A detection period of 5 s; the pages are kept 8 s (60 s by default).
on 1 sh -c 'echo 200 > /proc/sys/elastic/heartbeat_ms; echo 25 > /proc/sys/elastic/heartbeat_misses; echo 8000 > /proc/sys/elastic/orphan_keep_ms'
on 2 sh -c "rm -f /tmp/go /tmp/hold.out; mkfifo /tmp/go
	($m hold 4M 11 1 <>/tmp/go >/tmp/hold.out 2>&1 &)
	for i in \$(seq 300); do grep -q ready /tmp/hold.out && exit 0; sleep 0.1; done
	cat /tmp/hold.out; exit 1" || fail "memtouch hold on node2 did not get ready"
held=$(on 1 cat /proc/sys/elastic/hosted_pages)
[ "$held" -ge 1024 ] || fail "node1 hosts $held pages for node2"
scripts/cluster kill 2
wait_state 1 2 dead 20
# Declared dead: the pages stay orphan_keep_ms in case it returns.
[ "$(on 1 cat /proc/sys/elastic/hosted_pages)" -ge 1024 ] || fail "pages dropped at once"
sleep 4
[ "$(on 1 cat /proc/sys/elastic/hosted_pages)" -ge 1024 ] || fail "pages dropped before orphan_keep_ms"
wait_sysctl 1 hosted_pages 0 20
grep -q "elastic: dropped [0-9]* pages hosted for node 2" "build/cluster/$SPOTOS_CLUSTER/node1.console" ||
	fail "no log line for the dropped pages"
