# test: a member's first touch of a page is arbitrated by the home: a member writing to a never-used page in its shadow gets it (the home's entry names it and the home process reads the member's data); another member touching that page is told where it is, never makes a copy of its own; a page resident at the home is never made twice
. tests/memory/lib.sh
mem_setup
keep_start c 8M 43 MEMTOUCH_SPARE=16
pid=$(on 1 pgrep -nx memtouch) || fail "no memtouch on node1"
spare=$(on 1 sed -n 's/^spare //p' /tmp/c.out)
[ -n "$spare" ] || fail "memtouch named no spare pages: $(on 1 cat /tmp/c.out)"
id=$(on 1 awk '/^shadow_id:/ { print $2 }' "/proc/$pid/elastic")
# Pages, and so the process's layout, go to both members.
on 1 "$ctl" push "$pid" --to 2 --pages 256 >/dev/null || fail "push to node2"
on 1 "$ctl" push "$pid" --to 3 --pages 256 >/dev/null || fail "push to node3"
h2=$(counter 2 hosted_pages) g0=$(counter 1 claims_granted) r0=$(counter 1 claims_refused)
c0=$(counter 2 claimed)

# node2 writes to a page nobody has: the home gives it to node2.
on 2 sh -c "/bin/echo '1:$id $spare 5370745f4f53' > /sys/kernel/debug/elastic/shadow_poke" ||
	fail "node2 could not write to a never-used page"
[ "$(counter 1 claims_granted)" = $(( g0 + 1 )) ] || fail "the home granted no claim"
[ "$(counter 2 hosted_pages)" = $(( h2 + 1 )) ] || fail "node2 does not hold the page it made"
[ "$(counter 2 claimed)" = $(( c0 + 1 )) ] || fail "node2 counts $(counter 2 claimed) claimed pages, $c0 before"
grep -q " pages $(( h2 + 1 )) mapped $(( h2 + 1 ))\$" <<<"$(on 2 cat /proc/elastic/shadows)" ||
	fail "node2's shadow does not map the page: $(on 2 head -n1 /proc/elastic/shadows)"
# A second write finds it mapped: no second claim.
on 2 sh -c "/bin/echo '1:$id $spare 5370745f4f53' > /sys/kernel/debug/elastic/shadow_poke" || fail "second write"
[ "$(counter 1 claims_granted)" = $(( g0 + 1 )) ] || fail "a mapped page was claimed again"

# node3 touches the same page: it exists on node2, node3 makes none.
out=$(on 3 sh -c "/bin/echo '1:$id $spare 1' > /sys/kernel/debug/elastic/shadow_poke" 2>&1) &&
	fail "node3 made a second copy of the page"
grep -q "File exists" <<<"$out" || fail "node3's write: $out"
grep -q "shadow 1:$id: page at $spare is on node 2" <<<"$(on 3 dmesg)" || fail "no log line on node3"
[ "$(counter 1 claims_refused)" = $(( r0 + 1 )) ] || fail "the home refused no claim"

# The home touches the next spare page itself; node2 may not make it.
next=$(printf '%#x' $(( spare + 4096 )))
on 1 /usr/bin/python3 -c "
f = open('/proc/$pid/mem', 'r+b'); f.seek($next); f.write(b'home'); f.close()" ||
	fail "writing the home's page"
out=$(on 2 sh -c "/bin/echo '1:$id $next 1' > /sys/kernel/debug/elastic/shadow_poke" 2>&1) &&
	fail "node2 made a copy of a page resident at the home"
grep -q "shadow 1:$id: page at $next is on node 1" <<<"$(on 2 dmesg)" || fail "no log line on node2"

# The home process sees what node2 wrote: its fault pulls the page.
val=$(on 1 /usr/bin/python3 -c "
import struct
f = open('/proc/$pid/mem', 'rb'); f.seek($spare); print('%x' % struct.unpack('<Q', f.read(8))[0])")
[ "$val" = 5370745f4f53 ] || fail "the home read $val at $spare"

# The process's own data is intact; everything goes with it.
out=$(keep_finish c)
[ "$(tail -n1 <<<"$out")" = "ok 2048" ] || fail "the process said: $out"
for i in 2 3; do
	wait_counter "$i" hosted_pages 0
	wait_counter "$i" shadows 0
done
