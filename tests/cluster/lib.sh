# Shared by the cluster tests: run from the top of the tree, with
# SPOTOS_CLUSTER naming an up cluster (scripts/check does both).
set -euo pipefail
top=$(pwd)
on() { # on NODE CMD...: run CMD on node NODE, fail the test on a hang
	local n=$1
	shift
	scripts/cluster exec "$n" --timeout "${SPOTOS_EXEC_TIMEOUT:-60}" -- "$@"
}
nodes() { seq 1 "$(cat "build/cluster/$SPOTOS_CLUSTER/nodes")"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ctl=$top/userspace/elasticctl/elasticctl
net=${SPOTOS_NET:-10.77.0}
# Make every node in $@ a member of every other's cluster.
join_all() {
	local i j
	for i in "$@"; do
		for j in "$@"; do on "$i" "$ctl" node add "$j" "$net.$j"; done
	done
}
# keep_start NAME SIZE SEED [VAR=VALUE]: on node1, `memtouch keep SIZE SEED`
# stretched over nodes 1-3 (its stdin fed from /tmp/NAME.go, its output in
# /tmp/NAME.out), detached; returns once it is ready.  The caller's EXIT
# trap should run `on 1 pkill -f "tail -f /tmp/NAME.go"`.
keep_start() {
	on 1 sh -c "rm -f /tmp/$1.out /tmp/$1.go; touch /tmp/$1.go; setsid -f sh -c 'exec </dev/null >/dev/null 2>&1; tail -f /tmp/$1.go | ${4:-} $ctl run --nodes 1,2,3 -- $top/tests/memtouch keep $2 $3 >/tmp/$1.out'"
	on 1 sh -c "for i in \$(seq 600); do grep -q ready /tmp/$1.out && exit 0; sleep 0.1; done; exit 1" ||
		fail "the stretched process did not start: $(on 1 cat "/tmp/$1.out")"
}
# keep_finish NAME: let keep_start's process verify its pages and end;
# prints all it said.
keep_finish() {
	on 1 sh -c "echo go >> /tmp/$1.go; for i in \$(seq 1200); do grep -q '^ok\|^bad' /tmp/$1.out && exit 0; sleep 0.1; done; exit 1" ||
		fail "the stretched process did not finish"
	on 1 cat "/tmp/$1.out"
}
# Remove every member on node $1.
leave_all() {
	local id
	for id in $(on "$1" "$ctl" -j node list | /usr/bin/python3 -c \
		'import json,sys; print(" ".join(str(n["id"]) for n in json.load(sys.stdin)))'); do
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
# wait_sysctl NODE NAME VALUE [SECONDS]: until /proc/sys/elastic/NAME on
# NODE reads VALUE (default 5 s); fail saying what it reads otherwise.
wait_sysctl() {
	local i v
	for i in $(seq $(( ${4:-5} * 10 ))); do
		v=$(on "$1" cat "/proc/sys/elastic/$2")
		[ "$v" = "$3" ] && return 0
		sleep 0.1
	done
	fail "node$1: $2 is $v, not $3"
}
# emulator_up NODE CLOUD: start a metadata emulator (aws, gcp, azure) on
# NODE's loopback, detached from the exec agent; prints its port.
emulator_up() {
	on "$1" setsid -f sh -c "exec </dev/null >/dev/null 2>&1; sleep 600 | /usr/bin/python3 $top/userspace/elasticd/tests/emulator.py --cloud $2 >/tmp/emu.out"
	on "$1" sh -c 'for i in $(seq 100); do grep -q "^PORT" /tmp/emu.out && exit 0; sleep 0.1; done; exit 1' ||
		fail "node$1: $2 emulator did not start: $(on "$1" cat /tmp/emu.out)"
	on "$1" sed -n 's/^PORT //p' /tmp/emu.out
}
# notice NODE PORT CLOUD: the emulator on NODE serves CLOUD's interruption notice.
notice() {
	on "$1" /usr/bin/python3 "$top/userspace/elasticd/tests/notice.py" "$2" "$3" >/dev/null
}
