# test: a pull is a major fault, as a swap-in is: a process reading back its pages from a member counts major faults (getrusage, /proc/PID/stat) and the node's pgmajfault grows with them
. tests/memory/lib.sh
mem_setup
mmp=$top/tests/mmpath
on 1 sh -c "rm -f /tmp/j.out /tmp/jgo; touch /tmp/jgo; setsid -f sh -c 'exec </dev/null >/dev/null 2>&1; tail -f /tmp/jgo | $ctl run --nodes 1,2 -- $mmp majflt 8M >/tmp/j.out'"
at_exit 'on 1 pkill -f "tail -f /tmp/jgo" || true'
on 1 sh -c 'for i in $(seq 300); do grep -q ready /tmp/j.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not start: $(on 1 cat /tmp/j.out)"
pid=$(on 1 pgrep -nx mmpath) || fail "no mmpath on node1"
out=$(on 1 "$ctl" push "$pid" --to 2 --pages 2048) || fail "push: $out"
# pgmajfault is there only with CONFIG_VM_EVENT_COUNTERS (the cloud kernel).
majf() { on 1 awk '/^pgmajfault / { v = $2 } END { print (v == "" ? "-" : v) }' /proc/vmstat; }
maj0=$(majf)
on 1 sh -c 'echo go >> /tmp/jgo'
on 1 sh -c 'for i in $(seq 600); do grep -q "^ok\|^bad" /tmp/j.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not finish: $(on 1 cat /tmp/j.out)"
maj1=$(majf)
out=$(on 1 cat /tmp/j.out)
echo "$out; pgmajfault $maj0 -> $maj1"
n=$(sed -n 's/^ok 2048 majflt \([0-9]*\)$/\1/p' <<<"$out")
[ -n "$n" ] || fail "mmpath said: $out"
# Prefetch and map-ahead bring most pages without a fault of their own;
# every fault that waited for a page counts, at least one per window.
[ "$n" -ge 16 ] || fail "only $n major faults for 2048 pulled pages"
if [ "$maj0" != - ]; then
	[ $(( maj1 - maj0 )) -ge "$n" ] || fail "pgmajfault grew by $(( maj1 - maj0 )), the process counted $n"
fi
