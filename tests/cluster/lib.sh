# Shared by the cluster and memory tests: run from the top of the tree, with
# SPOTOS_CLUSTER naming an up cluster (scripts/check does both).
#
# Every test sets up what it needs and tears down what it changed, so that
# it runs alone (scripts/check cluster/80-membership) and in any order:
#
#   . tests/cluster/lib.sh
#   cluster_setup                 # (memory tests: . tests/memory/lib.sh; mem_setup)
#   set_tunable 1 heartbeat_ms 200        # undone at exit
#   at_exit 'on 1 rm -f /tmp/x'           # anything else to undo, run at exit
#   ...
#
# At exit, whether the test passed or failed, the at_exit commands run in
# reverse order (a failing one is reported, the others still run), then the
# suite's teardown (cluster_reset, mem_reset), whose failure fails the test:
# a test that leaves what it cannot take back has a bug.
set -euo pipefail
top=$(pwd)
on() { # on NODE CMD...: run CMD on node NODE, fail the test on a hang
	local n=$1
	shift
	scripts/cluster exec "$n" --timeout "${SPOTOS_EXEC_TIMEOUT:-60}" -- "$@"
}
nodes() { seq 1 "$(cat "build/cluster/$SPOTOS_CLUSTER/nodes")"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# skip REASON: the test cannot judge what it checks this time (exit 77,
# automake's convention); scripts/check reports it as skipped, with REASON.
skip() { echo "SKIP: $*" >&2; exit 77; }
ctl=$top/userspace/elasticctl/elasticctl
net=${SPOTOS_NET:-10.77.0}

# ---- setup and teardown --------------------------------------------------

_exit_cmds=()
_teardown=()
_lib_exit() {
	local rc=$? i
	set +e
	trap - EXIT
	for (( i = ${#_exit_cmds[@]} - 1; i >= 0; i-- )); do
		( eval "${_exit_cmds[i]}" ) || echo "teardown: '${_exit_cmds[i]}' failed" >&2
	done
	for i in ${_teardown[@]+"${_teardown[@]}"}; do
		# Not in an && list: set -e would be ignored there.
		( set -e; $i )
		[ $? -eq 0 ] && continue
		echo "teardown: $i failed: the test left the cluster changed" >&2
		[ $rc -ne 0 ] && [ $rc -ne 77 ] || rc=1
	done
	exit $rc
}
_lib_trap() {
	trap _lib_exit EXIT
	# A test stopped by its timeout still tears down.
	trap 'exit 143' TERM
	trap 'exit 130' INT
}
# at_exit CMD: run CMD (a shell string, evaluated then) when the test ends.
at_exit() { _lib_trap; _exit_cmds+=("$*"); }
# teardown FUNCTION: after the at_exit commands, FUNCTION puts the cluster
# back as the suite expects it; if it fails, so does the test.
teardown() { _lib_trap; _teardown+=("$1"); }

# revive: boot again every node that a test powered off (scripts/cluster
# kill), as a fresh node with the same id and address.  Prints the nodes
# it booted.
revive() {
	local i status
	status=$(scripts/cluster status)
	for i in $(nodes); do
		grep -q "^node$i .* running" <<<"$status" && continue
		scripts/cluster restart "$i" >&2 || fail "node$i does not boot again"
		echo "$i"
	done
}

# member_states NODE: "ID:STATE" of each member NODE lists, one a line.
member_states() {
	on "$1" "$ctl" -j node list | /usr/bin/python3 -c \
		'import json,sys; [print("%d:%s" % (n["id"], n["state"])) for n in json.load(sys.stdin)]'
}

# join_up [NODE...]: every NODE (default: every node) a member of every
# other, and each seeing each other up (within 30 s).  What is there
# already stays.
join_up() {
	local all=("$@") i j t
	local -A have=()
	[ ${#all[@]} -gt 0 ] || mapfile -t all < <(nodes)
	# All the adds first: a node that came back (booted again) is seen up
	# by the others once it has them as members and says HELLO.
	for i in "${all[@]}"; do
		have[$i]=" $(member_states "$i" | tr '\n' ' ')"
		for j in "${all[@]}"; do
			[[ ${have[$i]} == *" $j:"* ]] && continue
			on "$i" "$ctl" node add "$j" "$net.$j" >/dev/null
			have[$i]=
		done
	done
	for i in "${all[@]}"; do
		for t in $(seq 150); do
			sees_up "${have[$i]}" "$i" "${all[@]}" && break
			[ "$t" = 150 ] && fail "node$i does not see every node up:${have[$i]}"
			[ "$t" = 1 ] || sleep 0.2
			have[$i]=" $(member_states "$i" | tr '\n' ' ')"
		done
	done
}
# sees_up " ID:STATE ..." SELF NODE...: every NODE but SELF is up in the list.
sees_up() {
	local have=$1 self=$2 j
	shift 2
	for j; do
		[ "$j" = "$self" ] || [[ $have == *" $j:up "* ]] || return 1
	done
}

# reset_nodes [--leave]: the state every test starts from.  Powered-off
# nodes booted again; on every node (tests/cluster/node-reset) whatever
# tests start ended, every drain ended, tunables and vm settings at their
# defaults, tracepoints off, members that are not nodes of the cluster
# removed; then no node hosts a page or counts a remote one.  With
# --leave, no node has a member at all.  A node that keeps pages anyway is
# booted again.  Fails if that state cannot be reached.
reset_nodes() {
	local leave=${1:-} n i revived busy try failed
	leave=${leave#--}
	# Right after a reset that succeeded (the previous test's teardown),
	# with no node started since, there is nothing to do.
	if [ "$(cat "$clean_mark" 2>/dev/null)" = "$(clean_state "$leave")" ]; then
		rm -f "$clean_mark"
		return 0
	fi
	rm -f "$clean_mark"
	n=$(nodes | wc -l)
	revived=$(revive)
	for try in 1 2; do
		# On every node at once; one that does not answer is booted again.
		failed=$(on_each sh "$top/tests/cluster/node-reset" "$n" @ ${leave:+leave})
		for i in $failed; do
			scripts/cluster restart "$i" >&2 || fail "node$i does not boot again"
		done
		revived+=" $failed"
		# A node booted again comes back without members: a memory test's
		# nodes join again, and its earlier life's pages go at its HELLO.
		[ -z "${revived// /}" ] || [ -n "$leave" ] || join_up
		busy=$(on_each_host wait_counters_zero @ 30)
		[ -z "$busy" ] && break
		[ "$try" = 1 ] || fail "pages left on node(s) $busy after a reset and a reboot"
		echo "reset: pages left on node(s) $busy: booting them again" >&2
		for i in $busy; do scripts/cluster restart "$i" >&2 || fail "node$i does not boot again"; done
		revived+=" $busy"
	done
	clean_state "$leave" >"$clean_mark"
}

# reset_nodes leaves this mark when it succeeds; the next reset_nodes of
# the same kind finds it, if no node was started or stopped in between,
# and does nothing (a test's setup right after the previous test's
# teardown).  Tests remove it when they set up, so that only a teardown's
# reset leaves it.
clean_mark=build/cluster/$SPOTOS_CLUSTER/clean
clean_state() { echo "reset ${1:-}"; scripts/cluster status; }

# on_each CMD...: run CMD on every node at once (an argument @ is the
# node's number); prints the nodes where it failed.  Its output goes to
# stderr.
on_each() {
	on_each_host on @ "$@"
}
# on_each_host FUNCTION ARG...: FUNCTION ARG... for every node at once (an
# argument @ is the node's number); prints the nodes where it failed.
on_each_host() {
	local i pids=() a args
	for i in $(nodes); do
		args=()
		for a; do [ "$a" = @ ] && args+=("$i") || args+=("$a"); done
		( "${args[@]}" ) >&2 &
		pids[$i]=$!
	done
	for i in $(nodes); do
		wait "${pids[$i]}" || echo "$i"
	done
}

# wait_counters_zero NODE SECONDS: until NODE hosts no page and counts no
# remote page; 1 if it still does then.
wait_counters_zero() {
	local i
	for i in $(seq $(( $2 * 5 ))); do
		[ "$(counter "$1" hosted_pages remote_pages)" = "0 0" ] && return 0
		sleep 0.2
	done
	echo "reset: node$1 hosted_pages remote_pages: $(counter "$1" hosted_pages remote_pages)" >&2
	return 1
}

# cluster_reset: reset_nodes --leave (the cluster tests start with no
# members); cluster_setup: that, the console mark, and the same at exit.
cluster_reset() { reset_nodes --leave; }
cluster_setup() {
	cluster_reset
	console_mark
	teardown cluster_reset
}

# ---- kernel logs -----------------------------------------------------------

declare -A _console0=()
# console_mark: what each node's console holds now (done by the setups).
console_mark() {
	local i
	for i in $(nodes); do
		_console0[$i]=$(stat -c %s "build/cluster/$SPOTOS_CLUSTER/node$i.console")
	done
}
# console_since NODE: what NODE's console got since console_mark.
console_since() {
	tail -c +$(( ${_console0[$1]:-0} + 1 )) "build/cluster/$SPOTOS_CLUSTER/node$1.console" | tr -d '\r'
}

# ---- the module's counters and tunables -----------------------------------

# Tunables: the sysctls in /proc/sys/elastic, all a test may set.  The
# counters (and evacuating) are read through netlink stats-get.
tunables=" node_id listen_port heartbeat_ms heartbeat_misses max_hosted_pages push_below_kb orphan_keep_ms "

# counter NODE NAME...: the values of the module's counters NAME on NODE
# (or evacuating), on one line, separated by spaces, from `elasticctl -j
# stats`.  EVERY counter a test reads goes through here.
counter() {
	local n=$1 name out v vals=()
	shift
	for name; do
		[[ $tunables != *" $name "* ]] || fail "counter $name: a tunable (use tunable)"
	done
	out=$(on "$n" "$ctl" -j stats) || fail "node$n: cannot read counters $*: $out"
	for name; do
		v=$(grep -o "\"$name\":[0-9]*" <<<"$out" | head -n1)
		[ -n "$v" ] || fail "node$n: no counter $name in stats: $out"
		vals+=("${v#*:}")
	done
	echo "${vals[*]}"
}

# test_value VALUE WANT: WANT is a number, or one prefixed with >, >=, <, <=.
test_value() {
	case $2 in
	">="*) [ "$1" -ge "${2#>=}" ] ;;
	"<="*) [ "$1" -le "${2#<=}" ] ;;
	">"*) [ "$1" -gt "${2#>}" ] ;;
	"<"*) [ "$1" -lt "${2#<}" ] ;;
	*) [ "$1" = "$2" ] ;;
	esac
}

# wait_counter NODE NAME WANT [SECONDS]: until counter NAME on NODE is WANT
# (a number, or >N, >=N, <N, <=N), default 5 s; fail saying what it reads.
wait_counter() {
	local i v
	for i in $(seq $(( ${4:-5} * 10 ))); do
		v=$(counter "$1" "$2")
		test_value "$v" "$3" && return 0
		sleep 0.1
	done
	fail "node$1: counter $2 is $v, not $3"
}

# tunable NODE NAME: a tunable's value.
tunable() {
	[[ $tunables == *" $2 "* ]] || fail "tunable $2: not a tunable (use counter)"
	on "$1" cat "/proc/sys/elastic/$2"
}

# guest_set NODE FILE VALUE: write VALUE to FILE (/proc, /sys) on NODE; the
# value FILE had before the test's first change comes back at exit.
declare -A _guest_saved=()
guest_set() {
	local key="$1 $2" old
	if [ -z "${_guest_saved[$key]+x}" ]; then
		old=$(on "$1" cat "$2")
		_guest_saved[$key]=$old
		at_exit "on $1 sh -c 'echo $old > $2'"
	fi
	on "$1" sh -c "echo $3 > $2" || fail "node$1: cannot write $3 to $2"
}

# set_tunable NODE NAME VALUE: set a tunable, undone at exit.
set_tunable() {
	[[ $tunables == *" $2 "* ]] || fail "set_tunable $2: not a tunable"
	guest_set "$1" "/proc/sys/elastic/$2" "$3"
}

# wait_tunable NODE NAME VALUE [SECONDS]: until tunable NAME on NODE is
# VALUE (one a home set through a CAP message, say); default 5 s.
wait_tunable() {
	local i v
	for i in $(seq $(( ${4:-5} * 10 ))); do
		v=$(tunable "$1" "$2")
		[ "$v" = "$3" ] && return 0
		sleep 0.1
	done
	fail "node$1: $2 is $v, not $3"
}

# ---- membership -------------------------------------------------------------

# Make every node in $@ a member of every other's cluster (no waiting;
# join_up waits, and keeps members that are there already).
join_all() {
	local i j
	for i in "$@"; do
		for j in "$@"; do on "$i" "$ctl" node add "$j" "$net.$j"; done
	done
}
# Remove every member on node $1.
leave_all() {
	local id
	for id in $(member_states "$1" | cut -d: -f1); do
		on "$1" "$ctl" node del "$id"
	done
}
# state_of NODE PEER: PEER's state as NODE sees it.
state_of() {
	on "$1" "$ctl" -j node show "$2" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])'
}
# wait_state NODE PEER STATE [SECONDS]
wait_state() {
	local i
	for i in $(seq $(( ${4:-20} * 5 ))); do
		[ "$(state_of "$1" "$2")" = "$3" ] && return 0
		sleep 0.2
	done
	fail "node$1 sees node$2 as $(state_of "$1" "$2"), not $3"
}

# ---- workloads and agents ------------------------------------------------------

# keep_start NAME SIZE SEED [VAR=VALUE]: on node1, `memtouch keep SIZE SEED`
# stretched over nodes 1-3 (its stdin fed from /tmp/NAME.go, its output in
# /tmp/NAME.out), detached; returns once it is ready.  Ended at exit by the
# teardown's reset if keep_finish did not end it.
keep_start() {
	on 1 sh -c "rm -f /tmp/$1.out /tmp/$1.go; touch /tmp/$1.go; setsid -f sh -c 'exec </dev/null >/dev/null 2>&1; tail -f /tmp/$1.go | ${4:-} $ctl run --nodes 1,2,3 -- $top/tests/memtouch keep $2 $3 >/tmp/$1.out'"
	on 1 sh -c "for i in \$(seq 600); do grep -q ready /tmp/$1.out && exit 0; sleep 0.1; done; exit 1" ||
		fail "the stretched process did not start: $(on 1 cat "/tmp/$1.out")"
}
# keep_finish NAME: let keep_start's process verify its pages and end;
# prints all it said.
keep_finish() {
	local s=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 2 ))
	SPOTOS_EXEC_TIMEOUT=$(( s + 30 )) on 1 sh -c "echo go >> /tmp/$1.go
		for i in \$(seq $(( s * 10 ))); do grep -q '^ok\|^bad' /tmp/$1.out && exit 0; sleep 0.1; done; exit 1" ||
		fail "the stretched process did not finish"
	on 1 pkill -f "tail -f /tmp/$1.go" || true
	on 1 cat "/tmp/$1.out"
}
# emulator_up NODE CLOUD: start a metadata emulator (aws, gcp, azure) on
# NODE's loopback, detached from the exec agent; prints its port.  The
# teardown's reset ends it.
emulator_up() {
	on "$1" rm -f /tmp/emu.out
	on "$1" setsid -f sh -c "exec </dev/null >/dev/null 2>&1; sleep 600 | /usr/bin/python3 $top/userspace/elasticd/tests/emulator.py --cloud $2 >/tmp/emu.out"
	on "$1" sh -c 'for i in $(seq 100); do grep -q "^PORT" /tmp/emu.out && exit 0; sleep 0.1; done; exit 1' ||
		fail "node$1: $2 emulator did not start: $(on "$1" cat /tmp/emu.out)"
	on "$1" sed -n 's/^PORT //p' /tmp/emu.out
}
# notice NODE PORT CLOUD: the emulator on NODE serves CLOUD's interruption notice.
notice() {
	on "$1" /usr/bin/python3 "$top/userspace/elasticd/tests/notice.py" "$2" "$3" >/dev/null
}
