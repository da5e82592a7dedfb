# test: pull_poll_us: remote faults wait busy for their page when it is set (pulls_polled counts them), never when it is 0, and read the right data either way
. tests/cluster/lib.sh
# faultlat: 300 pages pushed to node2, touched once each in a random order
# (no prefetch), every byte checked.
run() {
	local out
	out=$(on 1 "$top/tests/bench/faultlat" 300 2) || fail "faultlat: $out"
	[ "$(sed -n 's/.* bad \([0-9]*\).*/\1/p' <<<"$out")" = 0 ] || fail "faultlat: $out"
}
old=$(on 1 cat /proc/sys/elastic/pull_poll_us)
trap 'on 1 sh -c "echo $old > /proc/sys/elastic/pull_poll_us"' EXIT
on 1 sh -c 'echo 0 > /proc/sys/elastic/pull_poll_us'
p0=$(on 1 cat /proc/sys/elastic/pulls_polled)
run
p1=$(on 1 cat /proc/sys/elastic/pulls_polled)
[ "$p1" = "$p0" ] || fail "pull_poll_us 0, yet $(( p1 - p0 )) pulls polled"
# 0.1 s, the most: every reply comes within it.  A poll gives up when
# another task wants the CPU, so not every fault need have polled.
on 1 sh -c 'echo 100000 > /proc/sys/elastic/pull_poll_us'
run
p2=$(on 1 cat /proc/sys/elastic/pulls_polled)
[ $(( p2 - p1 )) -ge 75 ] || fail "pull_poll_us 100000: only $(( p2 - p1 )) of 300 pulls polled"
# Out of range: refused, counted, unchanged.
b0=$(on 1 cat /proc/sys/elastic/bad_input)
on 1 sh -c 'echo 100001 > /proc/sys/elastic/pull_poll_us' 2>/dev/null && fail "pull_poll_us took 100001"
[ "$(on 1 cat /proc/sys/elastic/pull_poll_us)" = 100000 ] || fail "a refused write changed pull_poll_us"
[ "$(on 1 cat /proc/sys/elastic/bad_input)" -gt "$b0" ] || fail "the refused write was not counted"
