# test: elasticctl run: a program three times the home's limit completes over 3 nodes, every page verified, nothing left hosted after it exits
. tests/cluster/lib.sh
bg0=$(on 1 cat /proc/sys/elastic/bg_pushes)
l2=$(on 2 cat /proc/sys/elastic/layouts) l3=$(on 3 cat /proc/sys/elastic/layouts)
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 1 "$ctl" run --nodes 1,2,3 --local-limit 32M -- \
	"$top/tests/memtouch" fill 96M 7) || fail "run: $out"
[ "$out" = "ok 24576" ] || fail "memtouch said: $out"
# Most pages left ahead of the limit, pushed by the background pusher.
bg=$(( $(on 1 cat /proc/sys/elastic/bg_pushes) - bg0 ))
[ "$bg" -gt 8192 ] || fail "the background pusher pushed $bg pages of the 16384 over the limit"
# A member gets the program's layout when its ranges change, not with each
# of the hundreds of push batches (as it did while unchanged layouts
# compared unequal: 1,599 LAYOUTs for this run).
l=$(( $(on 2 cat /proc/sys/elastic/layouts) - l2 + $(on 3 cat /proc/sys/elastic/layouts) - l3 ))
[ "$l" -le 64 ] || fail "the members got $l LAYOUTs"
# The program came and went: its pages on the members went with it.
for i in 2 3; do
	wait_sysctl "$i" hosted_pages 0
	[ "$(on "$i" cat /proc/sys/elastic/hosted_in)" -gt 0 ] || fail "node$i never hosted a page"
done
[ "$(on 1 cat /proc/sys/elastic/remote_pages)" = 0 ] || fail "node1 still counts remote pages"
