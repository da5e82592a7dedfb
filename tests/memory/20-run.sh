# test: elasticctl run: a program three times the home's limit completes over 3 nodes, every page verified, nothing left hosted after it exits
. tests/memory/lib.sh
mem_setup
bg0=$(counter 1 bg_pushes)
read -r l2 in2 <<<"$(counter 2 layouts hosted_in)"
read -r l3 in3 <<<"$(counter 3 layouts hosted_in)"
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 "$ctl" run --nodes 1,2,3 --local-limit 32M -- \
	"$m" fill 96M 7) || fail "run: $out"
[ "$out" = "ok 24576" ] || fail "memtouch said: $out"
# Most pages left ahead of the limit, pushed by the background pusher.
bg=$(( $(counter 1 bg_pushes) - bg0 ))
[ "$bg" -gt 8192 ] || fail "the background pusher pushed $bg pages of the 16384 over the limit"
# A member gets the program's layout when its ranges change, not with each
# of the hundreds of push batches (as it did while unchanged layouts
# compared unequal: 1,599 LAYOUTs for this run).
l=$(( $(counter 2 layouts) - l2 + $(counter 3 layouts) - l3 ))
[ "$l" -le 64 ] || fail "the members got $l LAYOUTs"
# The program came and went: its pages on the members went with it.
for i in 2 3; do
	wait_counter "$i" hosted_pages 0
done
[ "$(counter 2 hosted_in)" -gt "$in2" ] || fail "node2 hosted no page of the program"
[ "$(counter 3 hosted_in)" -gt "$in3" ] || fail "node3 hosted no page of the program"
[ "$(counter 1 remote_pages)" = 0 ] || fail "node1 still counts remote pages"
