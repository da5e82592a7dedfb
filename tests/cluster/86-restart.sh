# test: a member back as a new incarnation (a new HELLO under its id): the pages hosted for its earlier life are dropped, a repeated HELLO of the same life drops nothing
. tests/cluster/lib.sh
cluster_setup
join_up 1 2
fz() { scripts/cluster exec 2 -- "$top/tests/wire_fuzz" "$net.1" 7070 2 1 "$@"; }
read -r hosted0 restarts0 <<<"$(counter 1 hosted_pages restarts)"
# Two pages of node 2's "earlier life" on node 1, under slots no real home uses.
fz --push 0x1111 1099511627000 || fail "push as incarnation 0x1111"
fz --push 0x1111 1099511627001 || fail "second push as incarnation 0x1111"
wait_counter 1 hosted_pages $(( hosted0 + 2 ))
# The same life says HELLO again (a reconnection): its pages stay.
fz --hello 0x1111 || fail "hello as incarnation 0x1111"
sleep 1
[ "$(counter 1 hosted_pages)" -eq $(( hosted0 + 2 )) ] ||
	fail "a repeated HELLO of the same incarnation dropped pages"
# A new life: what node 1 hosted for the old one goes at once.
fz --hello 0x2222 || fail "hello as incarnation 0x2222"
wait_counter 1 hosted_pages "$hosted0"
[ "$(counter 1 restarts)" -gt "$restarts0" ] || fail "restarts not counted"
grep -q "node 2 restarted" <<<"$(console_since 1)" || fail "no log line for the restart"
# Node 2 itself still talks to node 1.
[ "$(state_of 1 2)" = up ] || fail "node2 no longer up on node1"
