# test: node del of a member that holds pages is refused (EBUSY); the pages come back intact and it can go
. tests/memory/lib.sh
mem_setup
hold_start 1 hold 8M 3 2
[ "$(counter 2 hosted_pages)" -ge 2048 ] || fail "node2 hosts too few pages"
rc=0
err=$(on 1 "$ctl" node del 2 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "busy" <<<"$err" || fail "node del 2 while it holds pages: rc=$rc $err"
[ "$(state_of 1 2)" = up ] || fail "node2 is no longer up on node1 after the refused del"
out=$(hold_finish 1 hold)
grep -qx "ok 2048 sigbus 0 bad 0" <<<"$out" || fail "memtouch: $out"
wait_counter 2 hosted_pages 0
on 1 "$ctl" node del 2 || fail "node del 2 once empty"
! grep -q '^2:' <<<"$(member_states 1)" || fail "node2 still listed on node1 after node del"
# Added back, it is up again.
on 1 "$ctl" node add 2 "$net.2"
wait_state 1 2 up
