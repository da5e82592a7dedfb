# test: a home powered off: its member drops the pages it held for it orphan_keep_ms after declaring it dead, not before
. tests/memory/lib.sh
mem_setup
# (mem_reset boots node 2 again at exit, and it joins again.)
# Node 2 is the home this time, node 1 its member.
# A detection period of 5 s; the pages are kept 8 s (60 s by default).
set_tunable 1 heartbeat_ms 200
set_tunable 1 heartbeat_misses 25
set_tunable 1 orphan_keep_ms 8000
hold_start 2 hold 4M 11 1
held=$(counter 1 hosted_pages)
[ "$held" -ge 1024 ] || fail "node1 hosts $held pages for node2"
scripts/cluster kill 2
wait_state 1 2 dead 20
dead=$(date +%s.%N)
# Declared dead: the pages stay orphan_keep_ms in case it returns, then go.
[ "$(counter 1 hosted_pages)" -ge 1024 ] || fail "pages dropped at once"
wait_counter 1 hosted_pages 0 20
# Seen dead within half a second of it, seen dropped within half a second
# of the drop: 7.5 s at least if they stayed 8 s.
kept=$(echo "$(date +%s.%N) - $dead" | bc)
echo "pages dropped $kept s after node2 was seen dead"
[ "$(echo "$kept >= 6" | bc)" = 1 ] || fail "pages dropped $kept s after the death, before orphan_keep_ms (8 s)"
grep -q "elastic: dropped [0-9]* pages hosted for node 2" <<<"$(console_since 1)" ||
	fail "no log line for the dropped pages"
