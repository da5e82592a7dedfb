# test: node set caps a member's hosting from the home; a process over its local limit with every member full is killed with a log line, pages never bounce, and the members end empty
. tests/cluster/lib.sh
m=$top/tests/memtouch
# The home sets its members' caps (CAP messages) and its own (directly).
for i in 2 3; do
	c0=$(on "$i" cat /proc/sys/elastic/caps_set)
	on 1 "$ctl" node set "$i" --max-pages 300 || fail "node set $i"
	[ "$(on "$i" cat /proc/sys/elastic/max_hosted_pages)" = 300 ] || fail "node$i cap not set"
	[ "$(on "$i" cat /proc/sys/elastic/caps_set)" = $((c0 + 1)) ] || fail "node$i caps_set not counted"
done
on 1 "$ctl" node set 1 --max-pages 7 || fail "node set of the home itself"
[ "$(on 1 cat /proc/sys/elastic/max_hosted_pages)" = 7 ] || fail "home's own cap not set"
on 1 "$ctl" node set 1 --max-pages 0
# Refusals: no such member, a cap out of range.
if out=$(on 1 "$ctl" node set 9 --max-pages 5 2>&1); then fail "node set of no member: $out"; fi
grep -q "No such file or directory" <<<"$out" || fail "node set 9 said: $out"
if on 1 "$ctl" node set 2 --max-pages 2147483648 2>/dev/null; then fail "cap beyond range taken"; fi
# 64 MiB at a 8 MiB limit while the members take 600 pages in all: killed.
k0=$(on 1 cat /proc/sys/elastic/oom_kills)
rc=0
out=$(on 1 "$ctl" run --nodes 2,3 --local-limit 8M -- "$m" fill 64M 4 2>&1) || rc=$?
[ "$rc" = 137 ] || fail "run ended with status $rc (not SIGKILL): $out"
[ "$(on 1 cat /proc/sys/elastic/oom_kills)" = $((k0 + 1)) ] || fail "oom_kills not counted"
grep -q "elastic: pid [0-9]* (memtouch): [0-9]* pages resident, local limit 2048, and no member has room: killed" \
	"build/cluster/$SPOTOS_CLUSTER/node1.console" || fail "no log line for the kill"
# Nothing bounced: each member held at most its cap, and ends with nothing.
for i in 2 3; do
	wait_sysctl "$i" hosted_pages 0
	on 1 "$ctl" node set "$i" --max-pages 0
	[ "$(on "$i" cat /proc/sys/elastic/max_hosted_pages)" = 0 ] || fail "node$i cap not lifted"
done
[ "$(on 1 cat /proc/sys/elastic/remote_pages)" = 0 ] || fail "node1 still counts remote pages"
