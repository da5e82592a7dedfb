# test: a thread away comes home for what its member cannot do, and the instruction runs there: moved to node2 (`elasticctl process jump`), its loop over data held on node2 ends in a getpid() system call (node2 counts jump_syscalls_home; the call returns the process's pid at the home), or in a jump into the program's file-backed text, which node2 does not map (jump_faults_home; the function runs at the home and returns the loop's sum); each time the sum is right and the home pulled next to none of the data; and a process killed (SIGKILL at the home) while its thread runs on node2 ends everywhere: no task, shadow or hosted page is left on node2 (while it is away, rmmod elastic says "in use" on both nodes)
. tests/memory/lib.sh
mem_setup

read -r s0 f0 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
jump_away 16M 8 2 syscall
out=$(jump_open 2)
echo "$out"
jump_check "$out"
grep -Eq '^getpid ([0-9]+) of \1$' <<<"$out" || fail "getpid away did not return the home's pid: $out"
read -r s1 f1 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
[ $((s1 - s0)) = 1 ] || fail "node2 counted $((s1 - s0)) system calls that took the thread home"

jump_away 16M 8 2 text
out=$(jump_open 2)
echo "$out"
jump_check "$out"
grep -q '^after ran 1$' <<<"$out" || fail "the text function did not run once: $out"
read -r s2 f2 <<<"$(counter 2 jump_syscalls_home jump_faults_home)"
[ $((f2 - f1)) = 1 ] || fail "node2 counted $((f2 - f1)) faults that took the thread home"
[ $((s2 - s1)) = 0 ] || fail "a system call took the thread home before its text did"

# Away, its gate closed: the module stays on both nodes (each thread pins
# it); then SIGKILL at the home ends it at once everywhere.
jump_away 16M 8 2
for n in 1 2; do
	out=$(on $n rmmod elastic 2>&1) && fail "node$n unloaded the module under a jumped thread"
	grep -q "in use" <<<"$out" || fail "node$n's rmmod: $out"
done
on 1 sh -c "grep -q '^thread $jw_pid node 2 ' /proc/$jw_pid/elastic && kill -9 $jw_pid" ||
	fail "the thread was not away when killed: $(on 1 cat /tmp/jw.out)"
wait_counter 2 shadows 0 10
wait_counter 2 hosted_pages 0 10
left=$(on 2 sh -c "ps -eo comm | grep -c '^jump/' || true")
[ "$left" = 0 ] || fail "node2 still runs $left task(s) of jumped threads"
