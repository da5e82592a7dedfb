# test: a thread jumps: moved to node2 (`elasticctl process jump`) while it spins before a summing loop over 32 MiB that lives on node2, it runs there (the home pulls next to none of those pages) (/proc/PID/elastic shows it on node 2) with its registers, SSE state and GS base intact, and comes back home when the loop returns: the sum equals the one computed before any page left the home
. tests/memory/lib.sh
mem_setup
jw=$top/tests/jumpwork

# jumpwork pushes its data and its loop to node2 itself, then waits.
on 1 sh -c "rm -f /tmp/jw.go /tmp/jw.out; mkfifo /tmp/jw.go
	(JUMPWORK_SPIN_MS=6000 $jw loop 32M 24 2 <>/tmp/jw.go >/tmp/jw.out 2>&1 &)
	for i in \$(seq 600); do grep -q ready /tmp/jw.out && exit 0; sleep 0.1; done
	cat /tmp/jw.out; exit 1" || fail "jumpwork did not get ready"
pid=$(on 1 awk '/^ready/ { print $2 }' /tmp/jw.out)
[ -n "$pid" ] || fail "no pid: $(on 1 cat /tmp/jw.out)"

# Go, and once it loops, move it; then watch where it runs.  It spins 6 s
# before it touches its data: time for the jump even on the debug kernel,
# where elasticctl alone takes a second or two to start.
read -r out0 in0 <<<"$(counter 1 jumps_out jumps_in)"
read -r in2 out2 <<<"$(counter 2 jumps_in jumps_out)"
seen=$(SPOTOS_EXEC_TIMEOUT=200 on 1 sh -c "echo go >/tmp/jw.go
	for i in \$(seq 300); do grep -q looping /tmp/jw.out && break; sleep 0.05; done
	$ctl process jump $pid $pid --to 2 >/dev/null || exit 1
	sleep 0.2; $ctl -j top --count 1 --interval 0.2 >/tmp/jw.top
	seen=0
	for i in \$(seq 3000); do
		grep -q '^thread $pid node 2 ' /proc/$pid/elastic 2>/dev/null && seen=\$((seen + 1))
		grep -q '^ok\$\|^bad\$' /tmp/jw.out && break
		sleep 0.05
	done
	echo \$seen") || fail "the jump was refused: $(on 1 cat /tmp/jw.out)"
out=$(on 1 cat /tmp/jw.out)
echo "$out"
echo "samples on node 2: $seen"
on 1 cat /proc/$pid/elastic 2>/dev/null | grep '^thread' || true
case $out in *"
ok") ;; *) fail "the sums differ or it did not finish: $out" ;; esac
[ "$seen" -gt 0 ] || fail "the thread was never seen on node 2"
top=$(on 1 cat /tmp/jw.top)
tr -d ' ' <<<"$top" | grep -q "\"tid\":$pid,\"node\":2," ||
	fail "elasticctl top did not show thread $pid on node 2: $top"
# It ran where its data is: the home pulled next to none of the 8192 pages.
pulls=$(awk '/^pulls/ { print $2 }' <<<"$out")
[ -n "$pulls" ] && [ "$pulls" -lt 64 ] || fail "the home pulled ${pulls:-?} pages meanwhile"
# One jump there, one back home: each counted once on each side.
read -r o1 i1 <<<"$(counter 1 jumps_out jumps_in)"
read -r i2 o2 <<<"$(counter 2 jumps_in jumps_out)"
[ $((o1 - out0)) = 1 ] && [ $((i1 - in0)) = 1 ] && [ $((i2 - in2)) = 1 ] && [ $((o2 - out2)) = 1 ] ||
	fail "jumps counted: node1 out $((o1 - out0)) in $((i1 - in0)), node2 in $((i2 - in2)) out $((o2 - out2))"
