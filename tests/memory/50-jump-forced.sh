# test: a thread jumps: moved to node2 (`elasticctl process jump`) while it waits, in registers, before a summing loop over 32 MiB that lives on node2, it runs there (`elasticctl top` and /proc/PID/elastic show it on node 2, and the home pulls next to none of those pages) with its registers, SSE state and GS base intact, and comes back home when the loop returns: the sum equals the one computed before any page left the home, and each node counts one jump out and one in
. tests/memory/lib.sh
mem_setup

read -r out0 in0 <<<"$(counter 1 jumps_out jumps_in)"
read -r in2 out2 <<<"$(counter 2 jumps_in jumps_out)"
jump_away 32M 24 2
top=$(on 1 "$ctl" -j top --count 1 --interval 0.2)
tr -d ' ' <<<"$top" | grep -q "\"tid\":$jw_pid,\"node\":2," ||
	fail "elasticctl top did not show thread $jw_pid on node 2: $top"
out=$(jump_open 2)
echo "$out"
jump_check "$out"

# One jump there, one back home: each counted once on each side.
read -r o1 i1 <<<"$(counter 1 jumps_out jumps_in)"
read -r i2 o2 <<<"$(counter 2 jumps_in jumps_out)"
[ $((o1 - out0)) = 1 ] && [ $((i1 - in0)) = 1 ] && [ $((i2 - in2)) = 1 ] && [ $((o2 - out2)) = 1 ] ||
	fail "jumps counted: node1 out $((o1 - out0)) in $((i1 - in0)), node2 in $((i2 - in2)) out $((o2 - out2))"
