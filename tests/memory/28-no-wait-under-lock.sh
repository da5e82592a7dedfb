# test: no network wait under mmap_lock or a VMA lock: while a member's link is cut for 2.5 s, a process's faults wait for the pages there, and another of its threads maps, unmaps and changes the protection of the same region each in well under 100 ms; ps and /proc/PID/maps and status reads stay prompt; every page is intact after
. tests/memory/lib.sh
mem_setup
mmp=$top/tests/mmpath
ns=spotos-$SPOTOS_CLUSTER
# The cut must stay shorter than the detection period, TCP's retries
# included: the member must not be declared dead meanwhile.
for i in 1 2; do set_tunable "$i" heartbeat_misses 20; done
on 1 sh -c "rm -f /tmp/l.out /tmp/lgo; touch /tmp/lgo; setsid -f sh -c 'exec </dev/null >/dev/null 2>&1; tail -f /tmp/lgo | $ctl run --nodes 1,2 -- $mmp locks 8M 8 >/tmp/l.out'"
at_exit 'on 1 pkill -f "tail -f /tmp/lgo" || true'
on 1 sh -c 'for i in $(seq 300); do grep -q ready /tmp/l.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not start: $(on 1 cat /tmp/l.out)"
pid=$(on 1 pgrep -nx mmpath) || fail "no mmpath on node1"
out=$(on 1 "$ctl" push "$pid" --to 2 --pages 2048) || fail "push: $out"
[ "$(counter 2 hosted_pages)" -ge 2000 ] || fail "node2 hosts only $(counter 2 hosted_pages) pages"
# What the operator's reads cost here with nothing waiting (under TCG a
# cat and a ps take a few hundred ms): the reads during the cut are
# compared with it.  A read blocked behind the waiting pull would take
# until the link is back, seconds.
readcost() {
	on 1 sh -c "for i in \$(seq $1); do s=\$(date +%s%N); cat /proc/$pid/maps /proc/$pid/status >/dev/null && ps >/dev/null; e=\$(date +%s%N); echo \$(( (e - s) / 1000000 )); sleep 0.3; done"
}
base=$(readcost 2 | sort -n | tail -1)
limit=$(( 2 * base + 200 < 1000 ? 2 * base + 200 : 1000 ))
# Cut node2's link (its tap in the lab namespace), then let the reader go.
ip -n "$ns" link set tap2 down
at_exit "ip -n $ns link set tap2 up"
on 1 sh -c 'echo go >> /tmp/lgo'
# While the reader's faults wait: what an operator looks at stays prompt.
# The cut lasts 2.5 s whatever the reads cost (on the debug kernel they
# take seconds each, and a longer cut got node2 declared dead): the first
# reads fall within it.
tmpd=$(mktemp -d)
at_exit "rm -rf $tmpd"
readcost 4 >"$tmpd/reads" &
rc=$!
sleep 2.5
ip -n "$ns" link set tap2 up
wait $rc
reads=$(cat "$tmpd/reads")
on 1 sh -c 'for i in $(seq 600); do grep -q "^ok\|^bad" /tmp/l.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "mmpath did not finish: $(on 1 cat /tmp/l.out)"
out=$(on 1 cat /tmp/l.out)
echo "$out"
echo "reads of maps, status and ps (ms): $(echo $reads), $base before the cut, limit $limit"
grep -q "^ok 2048$" <<<"$out" || fail "the region's data: $out"
read -r max calls read_ms < <(sed -n 's/^max_ms \([0-9.]*\) calls \([0-9]*\) read_ms \([0-9]*\)$/\1 \2 \3/p' <<<"$out")
# The reader did wait for the link (else nothing was tested).
[ "${read_ms:-0}" -ge 1500 ] || fail "the reader waited only ${read_ms:-?} ms for the cut link"
awk -v m="$max" 'BEGIN { exit !(m < 100) }' || fail "an mmap, munmap or mprotect took $max ms while a pull waited"
for r in $reads; do
	[ "$r" -lt "$limit" ] || fail "reading maps, status and ps took $r ms while a pull waited ($base ms before)"
done
