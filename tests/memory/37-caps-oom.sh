# test: node set caps a member's hosting from the home; a process over its local limit with every member full is killed with a log line, pages never bounce, and the members end empty
. tests/memory/lib.sh
mem_setup
# (mem_reset lifts every cap at exit, whatever happens.)
# The home sets its members' caps (CAP messages) and its own (directly).
for i in 2 3; do
	c0=$(counter "$i" caps_set)
	on 1 "$ctl" node set "$i" --max-pages 300 || fail "node set $i"
	[ "$(tunable "$i" max_hosted_pages)" = 300 ] || fail "node$i cap not set"
	[ "$(counter "$i" caps_set)" = $((c0 + 1)) ] || fail "node$i caps_set not counted"
done
on 1 "$ctl" node set 1 --max-pages 7 || fail "node set of the home itself"
[ "$(tunable 1 max_hosted_pages)" = 7 ] || fail "home's own cap not set"
on 1 "$ctl" node set 1 --max-pages 0
# Refusals: no such member, a cap out of range.
if out=$(on 1 "$ctl" node set 9 --max-pages 5 2>&1); then fail "node set of no member: $out"; fi
grep -q "No such file or directory" <<<"$out" || fail "node set 9 said: $out"
if on 1 "$ctl" node set 2 --max-pages 2147483648 2>/dev/null; then fail "cap beyond range taken"; fi
# 64 MiB at a 8 MiB limit while the members take 600 pages in all: killed.
k0=$(counter 1 oom_kills)
in2=$(counter 2 hosted_in) in3=$(counter 3 hosted_in)
rc=0
out=$(on 1 "$ctl" run --nodes 2,3 --local-limit 8M -- "$m" fill 64M 4 2>&1) || rc=$?
[ "$rc" = 137 ] || fail "run ended with status $rc (not SIGKILL): $out"
[ "$(counter 1 oom_kills)" = $((k0 + 1)) ] || fail "oom_kills not counted"
grep -q "elastic: pid [0-9]* (memtouch): [0-9]* pages resident, local limit 2048, and no member has room: killed" \
	<<<"$(console_since 1)" || fail "no log line for the kill"
# Nothing bounced: each member took at most its cap in all (a page pushed,
# pulled back and pushed again would count twice), and ends with nothing.
in2=$(( $(counter 2 hosted_in) - in2 )) in3=$(( $(counter 3 hosted_in) - in3 ))
echo "node2 took $in2 pages, node3 $in3"
[ "$in2" -gt 0 ] && [ "$in2" -le 300 ] && [ "$in3" -gt 0 ] && [ "$in3" -le 300 ] ||
	fail "capped at 300 pages, node2 took $in2 and node3 $in3"
for i in 2 3; do
	wait_counter "$i" hosted_pages 0
	on 1 "$ctl" node set "$i" --max-pages 0
	[ "$(tunable "$i" max_hosted_pages)" = 0 ] || fail "node$i cap not lifted"
done
wait_counter 1 remote_pages 0
