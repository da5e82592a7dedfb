# test: node del of a member that holds pages is refused (EBUSY); the pages come back intact and it can go
. tests/cluster/lib.sh
m=$top/tests/memtouch
on 1 sh -c "rm -f /tmp/go /tmp/hold.out; mkfifo /tmp/go
	($m hold 8M 3 2 <>/tmp/go >/tmp/hold.out 2>&1 &)
	for i in \$(seq 300); do grep -q ready /tmp/hold.out && exit 0; sleep 0.1; done
	cat /tmp/hold.out; exit 1" || fail "memtouch hold did not get ready"
[ "$(on 2 cat /proc/sys/elastic/hosted_pages)" -ge 2048 ] || fail "node2 hosts too few pages"
set +e
err=$(on 1 "$ctl" node del 2 2>&1)
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "busy" <<<"$err" || fail "node del 2 while it holds pages: rc=$rc $err"
on 1 sh -c 'echo go >/tmp/go; for i in $(seq 300); do grep -q "^ok " /tmp/hold.out && break; sleep 0.1; done'
out=$(on 1 sh -c 'for i in $(seq 100); do grep -q "^node" /tmp/hold.out && break; sleep 0.1; done; cat /tmp/hold.out')
grep -qx "ok 2048 sigbus 0 bad 0" <<<"$out" || fail "memtouch: $out"
wait_sysctl 2 hosted_pages 0
on 1 "$ctl" node del 2 || fail "node del 2 once empty"
on 1 "$ctl" node add 2 "$net.2"
wait_state 1 2 up
