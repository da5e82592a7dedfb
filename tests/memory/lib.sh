# Shared by the memory tests (tests/memory/NN-name.sh): tests/cluster/lib.sh
# and what elastic memory's tests need besides.  A memory test begins with
#
#   . tests/memory/lib.sh
#   mem_setup
#
# and may then count on: every node up and a member of every other, each
# seeing each other up; nothing hosted or remote anywhere; no drain; caps,
# tunables and vm settings at their defaults; no process of an earlier
# test.  At exit (passed or failed) its at_exit commands run, then
# mem_reset puts the cluster back so (and fails the test if it cannot).
. tests/cluster/lib.sh
m=$top/tests/memtouch

# mem_join: every node a member of every other, each seeing each other up.
mem_join() { join_up; }

# mem_reset: powered-off nodes booted again (and joined), stray processes
# ended, every drain ended, caps back to 0, tunables and vm settings at
# their defaults, and then no page hosted or remote on any node
# (reset_nodes in tests/cluster/lib.sh).  Memberships stay.
mem_reset() { reset_nodes; }

# mem_prepare: what mem_setup does before the test (scripts/check runs it
# before memory_test, and mem_reset after).
mem_prepare() {
	mem_reset
	mem_join
}

# mem_setup: mem_prepare, the console mark (console_since), and mem_reset
# at exit.
mem_setup() {
	mem_prepare
	console_mark
	teardown mem_reset
}

# hold_start NODE NAME SIZE SEED TARGET...: on NODE, `memtouch hold SIZE
# SEED TARGET...` (one region pushed to each TARGET), detached, its pid in
# /tmp/NAME.pid, its output in /tmp/NAME.out; returns once it is ready.
hold_start() {
	local node=$1 name=$2 size=$3 seed=$4
	shift 4
	on "$node" sh -c "rm -f /tmp/$name.go /tmp/$name.out /tmp/$name.pid; mkfifo /tmp/$name.go
		($m hold $size $seed $* <>/tmp/$name.go >/tmp/$name.out 2>&1 & echo \$! >/tmp/$name.pid)
		for i in \$(seq 300); do grep -q ready /tmp/$name.out && exit 0; sleep 0.1; done
		cat /tmp/$name.out; exit 1" || fail "memtouch hold on node$node did not get ready"
}

# hold_pid NODE NAME: hold_start's process.
hold_pid() { on "$1" cat "/tmp/$2.pid"; }

# hold_finish NODE NAME [SECONDS]: let hold_start's process read its pages
# back and end (within SECONDS, default twice the exec timeout); prints
# all it said.
hold_finish() {
	local s=${3:-$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 2 ))}
	# Gone, or a zombie not reaped yet: it has said all it will.
	SPOTOS_EXEC_TIMEOUT=$(( s + 30 )) on "$1" sh -c "echo go >/tmp/$2.go; pid=\$(cat /tmp/$2.pid)
		for i in \$(seq $(( s * 10 ))); do
			case \$(awk '{ print \$3 }' /proc/\$pid/stat 2>/dev/null) in '' | Z | X) exit 0 ;; esac
			sleep 0.1
		done
		exit 1" || fail "memtouch hold on node$1 did not finish: $(on "$1" cat "/tmp/$2.out")"
	on "$1" cat "/tmp/$2.out"
}

# avail_mib NODE: MemAvailable in MiB.
avail_mib() { on "$1" awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }

# ooms NODE: how many times the OOM killer ran on NODE since it booted.
ooms() { on "$1" sh -c 'dmesg | grep -c "Out of memory" || true'; }


# jump_away ARGS...: on node1, `jumpwork loop ARGS` (tests/jumpwork.c)
# detached, its output in /tmp/jw.out; once it waits at its gate, moved to
# the node ARGS name (its third) with `elasticctl process jump`; returns
# when /proc/PID/elastic shows it there, its pid in $jw_pid.  The thread
# waits there until jump_open.
jump_away() {
	local to=$3
	on 1 sh -c "rm -f /tmp/jw.go /tmp/jw.out; mkfifo /tmp/jw.go
		($top/tests/jumpwork loop $* <>/tmp/jw.go >/tmp/jw.out 2>&1 &)
		for i in \$(seq 600); do grep -q ready /tmp/jw.out && exit 0; sleep 0.1; done
		exit 1" || fail "jumpwork $* did not get ready: $(on 1 cat /tmp/jw.out)"
	jw_pid=$(on 1 awk '/^ready/ { print $2 }' /tmp/jw.out)
	[ -n "$jw_pid" ] || fail "no pid: $(on 1 cat /tmp/jw.out)"
	SPOTOS_EXEC_TIMEOUT=200 on 1 sh -c "echo go >/tmp/jw.go
		for i in \$(seq 600); do grep -q looping /tmp/jw.out && break; sleep 0.05; done
		$ctl process jump $jw_pid $jw_pid --to $to >/dev/null || exit 1
		for i in \$(seq 600); do
			grep -q '^thread $jw_pid node $to ' /proc/$jw_pid/elastic && exit 0
			sleep 0.1
		done
		exit 2" || fail "the thread did not get to node$to: $(on 1 cat /tmp/jw.out)"
}

# jump_open NODE: open the gate of jump_away's process where it waits, on
# NODE (debugfs shadow_poke into its shadow there: nothing moves home);
# returns once it has said ok or bad, and prints all it said.
jump_open() {
	local gate id
	gate=$(on 1 awk '/^gate/ { print $2 }' /tmp/jw.out)
	id=$(on 1 awk '/^shadow_id:/ { print $2 }' "/proc/$jw_pid/elastic")
	on "$1" sh -c "echo '1:$id $gate 1' >/sys/kernel/debug/elastic/shadow_poke" ||
		fail "could not open the gate at $gate on node$1"
	SPOTOS_EXEC_TIMEOUT=200 on 1 sh -c "
		for i in \$(seq 3000); do grep -q '^ok\$\|^bad\$' /tmp/jw.out && exit 0; sleep 0.05; done
		exit 1" || fail "jumpwork did not finish: $(on 1 cat /tmp/jw.out)"
	on 1 cat /tmp/jw.out
}

# jump_check OUT: jumpwork said ok, and its home pulled fewer than 64 pages.
jump_check() {
	local pulls
	case $1 in *"
ok") ;; *) fail "the sums differ: $1" ;; esac
	pulls=$(awk '/^pulls/ { print $2 }' <<<"$1")
	[ -n "$pulls" ] && [ "$pulls" -lt 64 ] || fail "the home pulled ${pulls:-?} pages: $1"
}
