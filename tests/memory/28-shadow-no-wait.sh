# test: a member's fault in a shadow never waits for the home with the shadow's lock held: while node2's link is 3 s slow, its write to a never-used page waits for the home's CLAIM_REPLY, the home pushes more pages of the process to node2 meanwhile and node2 maps them into the same shadow at once (its receiver is free to take the shadow's lock), reads of /proc/elastic/shadows on node2 staying prompt; then the write lands, the shadow maps every page node2 holds for it, and the process reads all its pages back intact
. tests/memory/lib.sh
mem_setup
keep_start c 8M 44 MEMTOUCH_SPARE=16
pid=$(on 1 pgrep -nx memtouch) || fail "no memtouch on node1"
spare=$(on 1 sed -n 's/^spare //p' /tmp/c.out)
[ -n "$spare" ] || fail "memtouch named no spare pages: $(on 1 cat /tmp/c.out)"
id=$(on 1 awk '/^shadow_id:/ { print $2 }' "/proc/$pid/elastic")
on 1 "$ctl" push "$pid" --to 2 --pages 256 >/dev/null || fail "push to node2"
h0=$(counter 2 hosted_pages)
[ "$h0" -ge 250 ] || fail "node2 hosts only $h0 pages"
# A 3 s delay must not get node2 declared dead (nor the home, by node2).
for i in 1 2 3; do set_tunable "$i" heartbeat_misses 60; done
g0=$(counter 1 claims_granted)
# What a read costs with nothing waiting (under TCG and on the debug
# kernel, tens to hundreds of ms); a read blocked behind the claim would
# take until the home's answer, seconds.
base=$(on 2 sh -c 'm=0; for i in 1 2 3; do s=$(date +%s%N); cat /proc/elastic/shadows >/dev/null
	t=$(( ($(date +%s%N) - s) / 1000000 )); [ $t -gt $m ] && m=$t; done; echo $m')
limit=$(( 3 * base + 1000 ))
dev=$(on 2 sh -c "ip -o -4 addr show | awk '\$4 ~ /^$net\\./ { print \$2; exit }'")
[ -n "$dev" ] || fail "no interface on $net on node2"
# On node2 itself: the host's commands to it are 3 s slow meanwhile.
on 2 sh -c "rm -f /tmp/sw.out; setsid -f sh -c 'exec </dev/null >/tmp/sw.out 2>&1; exec sh $top/tests/memory/slow-claim $dev 1:$id $spare'"
at_exit "on 2 tc qdisc del dev $dev root 2>/dev/null || true"
sleep 0.5
# More pages go to node2 while its claim waits (the push itself waits for
# node2's slow answer).
on 1 sh -c "setsid -f sh -c 'exec </dev/null >/tmp/p2.out 2>&1; $ctl push $pid --to 2 --pages 16; echo rc \$?'"
SPOTOS_EXEC_TIMEOUT=120 on 2 sh -c 'for i in $(seq 600); do grep -q "^done\|failed" /tmp/sw.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "node2's run did not end: $(on 2 cat /tmp/sw.out)"
out=$(on 2 cat /tmp/sw.out)
echo "$out"
echo "reads of /proc/elastic/shadows: $base ms before, limit $limit ms"
grep -q "^done" <<<"$out" || fail "node2: $out"
read -r rc ms < <(sed -n 's/^poke rc \([0-9]*\) ms \([0-9]*\)$/\1 \2/p' <<<"$out")
[ "${rc:-1}" = 0 ] || fail "node2's write to the never-used page failed"
# It did wait for the home (else nothing was tested).
[ "${ms:-0}" -ge 2500 ] || fail "the write waited only ${ms:-?} ms for the slow link"
for r in $(sed -n 's/^read_ms \([0-9]*\) during .*/\1/p' <<<"$out"); do
	[ "$r" -lt "$limit" ] || fail "a read of /proc/elastic/shadows took $r ms while the claim waited ($base ms before)"
done
# The last read while the claim still waited: the pushed pages had come
# (the push waits for node2's slow answer to an earlier message, so they
# come seconds after it starts) and were in the shadow, mapped at once:
# nothing held the shadow's lock.  (With the claim holding it, they stayed
# out of the shadow until the claim ended.)
last=$(grep "^read_ms [0-9]* during " <<<"$out" | tail -n 1)
[ -n "$last" ] || fail "no read ended while the claim waited"
read -r p m < <(sed -n 's/.* pages \([0-9]*\) mapped \([0-9]*\)$/\1 \2/p' <<<"$last")
[ "${p:-0}" -ge $(( h0 + 16 )) ] ||
	fail "while the claim waited node2's shadow had ${p:-?} pages, $h0 before the push of 16 (not yet come, or not mapped)"
[ "$m" = "$p" ] || fail "while the claim waited node2's shadow mapped $m of its $p pages"
on 1 sh -c 'for i in $(seq 300); do grep -q "^rc" /tmp/p2.out && exit 0; sleep 0.1; done; exit 1' ||
	fail "the second push did not end: $(on 1 cat /tmp/p2.out)"
grep -q "^rc 0" <<<"$(on 1 cat /tmp/p2.out)" || fail "the second push: $(on 1 cat /tmp/p2.out)"
# The write landed, and whatever node2's shadow holds it maps at its place
# (when the claim ended: the pushed pages, and the page node2 made).
[ "$(counter 1 claims_granted)" = $(( g0 + 1 )) ] || fail "the home granted $(( $(counter 1 claims_granted) - g0 )) claims, not 1"
grep -q "^shadow 1:$id .* pages \([0-9]*\) mapped \1\$" <<<"$out" || fail "node2's shadow was not consistent"
# Settled: the shadow maps every page node2 holds.
for i in $(seq 50); do
	h=$(counter 2 hosted_pages)
	grep -q "^shadow 1:$id .* pages $h mapped $h\$" <<<"$(on 2 cat /proc/elastic/shadows)" && break
	[ "$i" -lt 50 ] || fail "node2 holds $h pages; its shadow: $(on 2 cat /proc/elastic/shadows)"
	sleep 0.2
done
[ "$h" -gt 256 ] || fail "node2 holds $h pages after pushes of 256 and 16 and a claim"
res=$(keep_finish c)
grep -q "^ok" <<<"$res" || fail "the process: $res"
