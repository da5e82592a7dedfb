# test: a push commits a page only if it was not written while it travelled, whatever happened to its write bit: a process writes every page of a region, making it writable and read-only again around each pass (mprotect), while the region is pushed again and again; every page holds the last generation written to it
. tests/memory/lib.sh
mem_setup
mmp=$top/tests/mmpath
on 1 sh -c "rm -f /tmp/i.out; setsid -f sh -c 'exec </dev/null >/dev/null 2>&1; $ctl run --nodes 1,2,3 -- $mmp inflight 2M 12 >/tmp/i.out'"
on 1 sh -c 'for i in $(seq 300); do grep -q ready /tmp/i.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not start: $(on 1 cat /tmp/i.out)"
pid=$(on 1 pgrep -nx mmpath) || fail "no mmpath on node1"
in0=$(( $(counter 2 hosted_in) + $(counter 3 hosted_in) ))
# Push the region while it is written: many pages are written in flight.
on 1 sh -c "while kill -0 $pid 2>/dev/null; do $ctl push $pid --pages 512 >/dev/null 2>&1; done; true"
pushed=$(( $(counter 2 hosted_in) + $(counter 3 hosted_in) - in0 ))
on 1 sh -c 'for i in $(seq 300); do grep -q "^ok\|^bad" /tmp/i.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not finish: $(on 1 cat /tmp/i.out)"
out=$(on 1 cat /tmp/i.out)
echo "$out"
echo "pushed $pushed pages"
[ "${pushed:-0}" -gt 0 ] || fail "no page was pushed"
grep -q "^ok 512 rounds [0-9]*$" <<<"$out" || fail "a write was lost: $out"
