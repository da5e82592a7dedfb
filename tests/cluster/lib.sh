# Shared by the cluster tests: run from the top of the tree, with
# SPOTOS_CLUSTER naming an up cluster (scripts/check does both).
set -euo pipefail
top=$(pwd)
on() { # on NODE CMD...: run CMD on node NODE, fail the test on a hang
	local n=$1
	shift
	scripts/cluster exec "$n" --timeout 60 -- "$@"
}
nodes() { seq 1 "$(cat "build/cluster/$SPOTOS_CLUSTER/nodes")"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
