# test: members keep a shadow of a stretched process's address space: the home's private anonymous ranges, with every page a member holds mapped at its address there (checked in the shadow's page table); a drain hands the places on with the pages, and the shadows go when the process exits
. tests/memory/lib.sh
mem_setup
for i in 2 3; do [ "$(counter "$i" shadows)" = 0 ] || fail "node$i keeps shadows before the test"; done

keep_start s 24M 41
pid=$(on 1 pgrep -nx memtouch) || fail "no memtouch on node1"
l0=$(counter 2 layouts)
on 1 "$ctl" push "$pid" --to 2 --pages 3072 >/dev/null || fail "push to node2"
# The idle process's layout does not change: one LAYOUT, not one per batch.
l=$(( $(counter 2 layouts) - l0 ))
[ "$l" -le 2 ] || fail "node2 got $l LAYOUTs for 48 push batches of an idle process"
id=$(on 1 awk '/^shadow_id:/ { print $2 }' "/proc/$pid/elastic")
[ -n "$id" ] && [ "$id" -gt 0 ] || fail "no shadow_id in /proc/$pid/elastic"

# The home's private anonymous ranges, adjacent ones alike merged.
want=$(on 1 cat "/proc/$pid/maps" | /usr/bin/python3 -c '
import sys
out = []
for l in sys.stdin:
    f = l.split()
    if len(f) > 5 and f[5] not in ("[heap]", "[stack]"):
        continue
    if f[1][3] != "p":
        continue
    s, e = (int(x, 16) for x in f[0].split("-"))
    prot = f[1][:3]
    if out and out[-1][1] == s and out[-1][2] == prot:
        out[-1][1] = e
    else:
        out.append([s, e, prot])
for s, e, p in out:
    print("range %x-%x %s" % (s, e, p))')
[ -n "$want" ] || fail "no private anonymous ranges in the home's maps"

# shadow_check NODE PAGES: the node's shadow of the process has the home's
# ranges and PAGES pages, each mapped at its place in its page table.
shadow_check() {
	local s head
	s=$(on "$1" cat /proc/elastic/shadows | awk -v k="shadow 1:$id " 'index($0, k) == 1 { p = 1; print; next } /^shadow / { p = 0 } p')
	head=$(head -n1 <<<"$s")
	[ -n "$head" ] || fail "node$1 has no shadow of the process: $(on "$1" cat /proc/elastic/shadows)"
	[ "$(tail -n +2 <<<"$s")" = "$want" ] || fail "node$1's shadow ranges differ from the home's:
$(tail -n +2 <<<"$s")
home:
$want"
	grep -q " pages $2 mapped $2\$" <<<"$head" || fail "node$1 should map $2 pages: $head"
	echo "node$1: $head"
}
h2=$(counter 2 hosted_pages)
[ "$h2" -ge 3000 ] || fail "node2 hosts $h2 pages"
shadow_check 2 "$h2"
[ "$(counter 2 shadow_pages)" = "$h2" ] || fail "node2 shadow_pages $(counter 2 shadow_pages), hosts $h2"
# Node3 got no page, so no layout from the home.
[ "$(counter 3 shadows)" = 0 ] || fail "node3 keeps a shadow without pages"

# A drain hands node2's pages to node3 with their places, and node2 hands
# on the layout with them.
on 1 "$ctl" node drain 2 >/dev/null || fail "drain of node2"
wait_counter 2 hosted_pages 0
h3=$(counter 3 hosted_pages)
[ "$h3" = "$h2" ] || fail "node3 hosts $h3 pages after the drain, node2 had $h2"
shadow_check 3 "$h3"
[ "$(counter 2 shadow_pages)" = 0 ] || fail "node2 still maps $(counter 2 shadow_pages) pages"
on 1 "$ctl" node undrain 2 >/dev/null

# The data is intact, and the shadows go with the process.
out=$(keep_finish s)
[ "$out" = "$(printf 'ready\nok %d' $(( 24 * 256 )))" ] || fail "the process said: $out"
for i in 2 3; do
	wait_counter "$i" hosted_pages 0
	wait_counter "$i" shadows 0
	[ "$(counter "$i" shadow_pages)" = 0 ] || fail "node$i still maps pages"
done
