# test: 10,000 seeded mutations of valid wire messages: no crash, bad_frames counts exactly the malformed ones, heartbeats go on, pulls still work both ways
. tests/cluster/lib.sh
cluster_setup
join_up 1 2
before=$(counter 1 bad_frames)
# FUZZ_COUNT: 10,000 by default; make check-debug runs fewer under KASAN.
count=${FUZZ_COUNT:-10000}
# The members node1 knows: a HANDOFF of their pages would be well formed.
known=$(on 1 "$ctl" -j node list | /usr/bin/python3 -c 'import json,sys; print(",".join(str(n["id"]) for n in json.load(sys.stdin)))')
out=$(scripts/cluster exec 2 --timeout $(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) -- \
	"$top/tests/wire_fuzz" "$net.1" 7070 2 1 "$count" "${FUZZ_SEED:-20261124}" "$known")
echo "$out"
want=$(echo "$out" | sed -n "s/^malformed \([0-9]*\) of $count\$/\1/p")
[ -n "$want" ] && [ "$want" -gt $(( count / 2 )) ] || fail "fuzzer said: $out"
# The node finishes each connection before the fuzzer sends the next.
got=$(( $(counter 1 bad_frames) - before ))
[ "$got" -eq "$want" ] || fail "bad_frames rose by $got, the fuzzer sent $want malformed"
# The node still works: node 2's heartbeats are still received.
rx1=$(on 1 "$ctl" -j node show 2 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rx_msgs"])')
sleep 2.5
rx2=$(on 1 "$ctl" -j node show 2 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rx_msgs"])')
[ "$rx2" -gt "$rx1" ] || fail "heartbeats stopped after fuzzing"
[ "$(state_of 1 2)" = up ] || fail "node2 no longer up on node1"
# And pulls still work, both ways: node2's pages pushed to the fuzzed node
# and pulled back (it stores and answers), and node1's own.
for i in 2 1; do
	out=$(on "$i" "$top/tests/bench/faultlat" 64 $(( 3 - i ))) || fail "faultlat on node$i: $out"
	[ "$(sed -n 's/.* bad \([0-9]*\).*/\1/p' <<<"$out")" = 0 ] || fail "faultlat on node$i: $out"
done
for i in 1 2; do wait_counter "$i" hosted_pages 0; done
