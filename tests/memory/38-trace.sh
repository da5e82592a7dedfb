# test: the elastic tracepoints: a stretched workload's pushes and pulls show in tracefs with their node, pages and outcome
. tests/memory/lib.sh
mem_setup
t=/sys/kernel/tracing
# (mem_reset turns the elastic events off at exit, whatever happens.)
on 1 sh -c "mountpoint -q $t || mount -t tracefs nodev $t" || fail "no tracefs"
on 1 sh -c "echo > $t/trace && echo 1 > $t/events/elastic/enable && echo 1 > $t/tracing_on" ||
	fail "cannot enable the elastic events"
out=$(on 1 "$ctl" run --nodes 2,3 --local-limit 4M -- "$m" fill 12M 8) || fail "run: $out"
[ "$out" = "ok 3072" ] || fail "memtouch said: $out"
on 1 sh -c "echo 0 > $t/events/elastic/enable"
trace=$(on 1 cat $t/trace)
grep -Eq "elastic_push: to=[23] pages=64 moved=64$" <<<"$trace" || fail "no push event: $(tail <<<"$trace")"
grep -Eq "elastic_pull: addr=0x[0-9a-f]+ slot=[0-9]+ owner=[23] us=[0-9]+ prefetched=0 ahead=0 ret=0$" <<<"$trace" ||
	fail "no pull event: $(tail <<<"$trace")"
grep -Eq "elastic_pull: .* us=[0-9]+ prefetched=1 ahead=0 ret=0$" <<<"$trace" || fail "no prefetched pull event"
grep -Eq "elastic_pull: .* us=0 prefetched=1 ahead=1 ret=0$" <<<"$trace" || fail "no page mapped ahead"
# One pull event per page that came home, by its fault or ahead of one.
n=$(grep -c "elastic_pull: " <<<"$trace")
[ "$n" -ge 1000 ] || fail "only $n pull events"
