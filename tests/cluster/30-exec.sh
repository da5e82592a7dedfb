# test: cluster exec returns the command's output and exit status
. tests/cluster/lib.sh
cluster_setup
[ "$(on 2 echo hello)" = hello ] || fail "no output"
if on 2 false; then fail "'false' succeeded"; fi
set +e
on 2 sh -c 'exit 7'
rc=$?
out=$(on 3 sh -c 'echo out; echo err >&2' 2>/dev/null)
err=$(on 3 sh -c 'echo out; echo err >&2' 2>&1 >/dev/null)
scripts/cluster exec 9 -- true 2>/dev/null
bad=$?
set -e
[ $rc -eq 7 ] || fail "exit 7 came back as $rc"
[ "$out" = out ] && [ "$err" = err ] || fail "stdout/stderr mixed: '$out' '$err'"
[ $bad -ne 0 ] || fail "exec on a node that does not exist succeeded"
