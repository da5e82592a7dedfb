# test: a thread away comes home for what its member cannot do, and the instruction runs there: moved to node2 (`elasticctl process jump`), its loop over data held on node2 ends in a getpid() system call (node2 counts jump_syscalls_home; the call returns the process's pid at the home), or in a jump into the program's file-backed text, which node2 does not map (jump_faults_home; the function runs at the home and returns the loop's sum); each time the sum is right and the home pulled next to none of the data; and a process killed (SIGKILL at the home) while its thread runs on node2 ends everywhere: no task, shadow or hosted page is left on node2 (while it is away, rmmod elastic says "in use" on both nodes)
. tests/memory/lib.sh
mem_setup
jw=$top/tests/jumpwork

# jump_away HOW: jumpwork loop ... HOW, moved to node2 while it spins (6 s:
# time for the jump even on the debug kernel); prints what it said.
jump_away() {
	local how=$1 pid
	on 1 sh -c "rm -f /tmp/jw.go /tmp/jw.out; mkfifo /tmp/jw.go
		(JUMPWORK_SPIN_MS=6000 $jw loop 16M 8 2 $how <>/tmp/jw.go >/tmp/jw.out 2>&1 &)
		for i in \$(seq 600); do grep -q ready /tmp/jw.out && exit 0; sleep 0.1; done
		cat /tmp/jw.out; exit 1" || fail "jumpwork ($how) did not get ready"
	pid=$(on 1 awk '/^ready/ { print $2 }' /tmp/jw.out)
	[ -n "$pid" ] || fail "no pid: $(on 1 cat /tmp/jw.out)"
	SPOTOS_EXEC_TIMEOUT=200 on 1 sh -c "echo go >/tmp/jw.go
		for i in \$(seq 300); do grep -q looping /tmp/jw.out && break; sleep 0.05; done
		$ctl process jump $pid $pid --to 2 >/dev/null || exit 1
		for i in \$(seq 3000); do grep -q '^ok\$\|^bad\$' /tmp/jw.out && exit 0; sleep 0.05; done
		exit 1" || fail "jumpwork ($how) did not finish: $(on 1 cat /tmp/jw.out)"
	on 1 cat /tmp/jw.out
}

# check_out OUT: the sum right, next to none of the 4096 pages pulled home.
check_out() {
	local pulls
	case $1 in *"
ok") ;; *) fail "the sums differ: $1" ;; esac
	pulls=$(awk '/^pulls/ { print $2 }' <<<"$1")
	[ -n "$pulls" ] && [ "$pulls" -lt 64 ] || fail "the home pulled ${pulls:-?} pages: $1"
}

read -r s0 f0 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
out=$(jump_away syscall)
echo "$out"
check_out "$out"
grep -Eq '^getpid ([0-9]+) of \1$' <<<"$out" || fail "getpid away did not return the home's pid: $out"
read -r s1 f1 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
[ $((s1 - s0)) = 1 ] || fail "node2 counted $((s1 - s0)) system calls that took the thread home"

out=$(jump_away text)
echo "$out"
check_out "$out"
grep -q '^after ran 1$' <<<"$out" || fail "the text function did not run once: $out"
read -r s2 f2 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
[ $((f2 - f1)) = 1 ] || fail "node2 counted $((f2 - f1)) faults that took the thread home"
[ $((s2 - s1)) = 0 ] || fail "a system call took the thread home before its text did"

# SIGKILL while the thread is away: it ends at once everywhere.
on 1 sh -c "rm -f /tmp/jw.go /tmp/jw.out; mkfifo /tmp/jw.go
	(JUMPWORK_SPIN_MS=8000 $jw loop 16M 8 2 <>/tmp/jw.go >/tmp/jw.out 2>&1 &)
	for i in \$(seq 600); do grep -q ready /tmp/jw.out && exit 0; sleep 0.1; done
	exit 1" || fail "jumpwork did not get ready: $(on 1 cat /tmp/jw.out)"
pid=$(on 1 awk '/^ready/ { print $2 }' /tmp/jw.out)
on 1 sh -c "echo go >/tmp/jw.go
	for i in \$(seq 300); do grep -q looping /tmp/jw.out && break; sleep 0.05; done
	$ctl process jump $pid $pid --to 2 >/dev/null || exit 1
	for i in \$(seq 20); do grep -q '^thread $pid node 2 ' /proc/$pid/elastic && break; sleep 0.05; done
	grep -q '^thread $pid node 2 ' /proc/$pid/elastic || exit 2" ||
	fail "the thread did not go away: $(on 1 cat /tmp/jw.out)"
# Meanwhile the module stays on both nodes: each thread there pins it.
for n in 1 2; do
	out=$(on $n rmmod elastic 2>&1) && fail "node$n unloaded the module under a jumped thread"
	grep -q "in use" <<<"$out" || fail "node$n's rmmod: $out"
done
on 1 sh -c "grep -q '^thread $pid node 2 ' /proc/$pid/elastic && kill -9 $pid" ||
	fail "the thread was not away when killed: $(on 1 cat /tmp/jw.out)"
wait_counter 2 shadows 0 10
wait_counter 2 hosted_pages 0 10
left=$(on 2 sh -c "ps -eo comm | grep -c '^jump/' || true")
[ "$left" = 0 ] || fail "node2 still runs $left task(s) of jumped threads"
