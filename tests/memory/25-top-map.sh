# test: elasticctl top shows a stretched process with the pages per node of its /proc/PID/elastic, and rates that tell an idle process from a busy one (text and -j); map --svg draws well-formed SVG with the totals of map -j
. tests/memory/lib.sh
mem_setup
wait_s=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 2 ))
# An idle process with 1024 pages on each member, until it is told to go.
# (Both workloads end at exit whatever happens: mem_reset ends them.)
on 1 rm -f /tmp/tm.svg /tmp/tm-busy.pid
hold_start 1 tm-hold 4M 13 2 3
pid=$(hold_pid 1 tm-hold)
pl=$(on 1 sed -n 's/^pages_on_node:\t//p' "/proc/$pid/elastic")
[ "$pl" = "2:1024 3:1024" ] || fail "pages_on_node of pid $pid: $pl"

# top, text: two screens, each with the process's row; idle, it has no rates.
out=$(on 1 "$ctl" top --count 2 --interval 0.5) || fail "top: $out"
echo "$out"
[ "$(grep -c '^elasticctl top - node 1 - ' <<<"$out")" = 2 ] || fail "top did not print 2 screens"
row=$(awk -v p="$pid" '$1 == p' <<<"$out" | tail -n 1)
# PID COMMAND LOCAL REMOTE FAULTS/s PULLS/s PUSHES/s IN OUT P50 P99 NODE:PAGES...
read -r -a f <<<"$row"
[ "${f[1]:-}" = memtouch ] && [ "${f[3]:-}" = 2048 ] || fail "top row: $row"
[ "${f[*]:11}" = "$pl" ] || fail "top says pages per node '${f[*]:11}', /proc/$pid/elastic '$pl'"
[ "${f[4]} ${f[5]} ${f[6]}" = "0.0 0.0 0.0" ] || fail "an idle process with rates: $row"

# A busy process beside it: pass after pass over 16M with 8M allowed at
# home, until killed.  Once it faults, every pass faults, pulls and pushes.
SPOTOS_EXEC_TIMEOUT=$((wait_s + 30)) on 1 sh -c "($ctl run --nodes 1,2,3 --local-limit 8M -- $m fill 16M 9 100 >/dev/null 2>&1 &
		echo \$! >/tmp/tm-busy.pid)
	for i in \$(seq $((wait_s * 10))); do
		grep -q '^faults:.[1-9]' /proc/\$(cat /tmp/tm-busy.pid)/elastic 2>/dev/null && exit 0
		sleep 0.1
	done
	exit 1" || fail "the busy workload did not fault"

# top -j: one object a line, the same pages, rates for the busy one only.
json=$(on 1 "$ctl" -j top --count 2 --interval 1) || fail "top -j: $json"
echo "$json"
/usr/bin/python3 - "$pid" "$pl" "$json" <<'PY' || fail "top -j"
import json, sys
pid, pl = int(sys.argv[1]), sys.argv[2]
screens = [json.loads(l) for l in sys.argv[3].splitlines()]
assert len(screens) == 2, f"{len(screens)} JSON lines"
want = dict(kv.split(":") for kv in pl.split())
busy = {}
for s in screens:
	assert s["node_id"] == 1 and s["node"]["remote_pages"] >= 2048, s["node"]
	hold = [p for p in s["processes"] if p["pid"] == pid][0]
	assert hold["comm"] == "memtouch" and hold["pages_remote"] == 2048, hold
	assert {k: str(v) for k, v in hold["pages_on_node"].items()} == want, hold
	assert hold["faults_per_s"] == 0 and hold["pulls_per_s"] == 0, hold
	for p in s["processes"]:
		if p["pid"] != pid:
			busy.setdefault(p["pid"], []).append(p)
assert len(busy) == 1, f"other stretched processes: {busy}"
busy = list(busy.values())[0]
for k in "faults_per_s", "pulls_per_s", "bytes_in_per_s", "pushes_per_s", "bytes_out_per_s":
	assert max(p[k] for p in busy) > 0, f"{k} 0 for a busy process: {busy}"
assert busy[-1]["pull_latency_us"]["p99"] > 0, busy
PY

# map --svg: well-formed; its legend has the totals of the map -j printed
# from the same scan, and each member's colour fills cells.
mj=$(on 1 "$ctl" -j map "$pid" --svg /tmp/tm.svg) || fail "map --svg: $mj"
svg=$(mktemp)
on 1 cat /tmp/tm.svg >"$svg"
/usr/bin/python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$svg" ||
	{ rm -f "$svg"; fail "map --svg wrote malformed XML"; }
/usr/bin/python3 - "$svg" "$mj" <<'PY' || { rm -f "$svg"; fail "map --svg: $mj"; }
import json, re, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
m = json.loads(sys.argv[2])
assert doc.documentElement.tagName == "svg" and doc.documentElement.getAttribute("version") == "1.1"
group = {g.getAttribute("id"): g for g in doc.getElementsByTagName("g") if g.getAttribute("id")}
legend, fill = {}, {}
for t in group["legend"].getElementsByTagName("text"):
	k = re.match(r"(here|node \d+): (\d+) pages$", t.firstChild.data)
	if k:
		legend[k.group(1)] = int(k.group(2))
		swatch = t.previousSibling
		while swatch.nodeType != swatch.ELEMENT_NODE:
			swatch = swatch.previousSibling
		fill[k.group(1)] = swatch.getAttribute("fill")
want = {f"node {n}": v for n, v in m["remote"].items()}
want["here"] = m["local"]
assert legend == want, f"legend {legend}, map -j {want}"
assert m["remote"] == {"2": 1024, "3": 1024}, m["remote"]
assert len(set(fill.values())) == 3, f"colours not distinct: {fill}"
cells = {r.getAttribute("fill") for r in group["rows"].getElementsByTagName("rect")}
for n in "node 2", "node 3":
	assert fill[n] in cells, f"no cell in the colour of {n}"
PY
rm -f "$svg"

# Done: both exit, and their pages on the members go with them.
on 1 sh -c 'kill $(cat /tmp/tm-busy.pid)'
out=$(hold_finish 1 tm-hold)
grep -qx "ok 2048 sigbus 0 bad 0" <<<"$out" || fail "memtouch hold: $out"
for i in 2 3; do
	wait_counter "$i" hosted_pages 0 10
done
wait_counter 1 remote_pages 0 10
