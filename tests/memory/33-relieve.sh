# test: a member short of memory asks the homes of the pages it hosts to move some elsewhere (RELIEVE): a process growing on it past its free memory completes without the OOM killer, the pages go to the third node, and the stretched process's data stays intact
. tests/memory/lib.sh
mem_setup
oom0=$(ooms 2)

# A stretched process on the home keeps 48 MiB, all of it pushed to node2.
mib=48
keep_start r ${mib}M 31
pid=$(on 1 pgrep -nx memtouch) || fail "no memtouch on node1"
on 1 "$ctl" push "$pid" --to 2 --pages $(( mib * 256 )) >/dev/null || fail "push to node2"
# Most of it: a home short of memory (the debug kernel's 192 MiB one) may
# have pushed some pages to node3 already, under pressure.
h2=$(counter 2 hosted_pages) h3=$(counter 3 hosted_pages)
echo "node2 hosts $h2 pages, node3 $h3"
[ "$h2" -ge $(( mib * 256 * 2 / 3 )) ] || fail "node2 hosts only $h2 pages (node3 $h3)"
r0=$(counter 2 relieve_requests) m0=$(counter 1 relieved)

# On node2, a process that is not stretched grows at 16 MiB/s to 16 MiB
# more than node2 has available: only if hosted pages leave can it finish.
grow=$(( $(avail_mib 2) + 16 ))
out=$(SPOTOS_EXEC_TIMEOUT=$(( ${SPOTOS_EXEC_TIMEOUT:-60} * 4 )) on 2 \
	"$top/tests/memtouch" fill "${grow}M" 37 1 16) || fail "the growing process: $out"
[ "$out" = "ok $(( grow * 256 ))" ] || fail "the growing process said: $out"
[ "$(ooms 2)" = "$oom0" ] || fail "the OOM killer ran on node2: $(on 2 sh -c 'dmesg | grep -A3 "Out of memory"')"
r1=$(counter 2 relieve_requests) m1=$(counter 1 relieved)
[ "$r1" -gt "$r0" ] || fail "node2 sent no RELIEVE (relieve_requests $r0 -> $r1)"
[ "$m1" -gt "$m0" ] || fail "node1 moved nothing for node2 (relieved $m0 -> $m1)"
[ "$(counter 3 hosted_pages)" -gt "$h3" ] || fail "node3 took no pages"
[ "$(counter 2 hosted_pages)" -lt "$h2" ] || fail "node2 still hosts $(counter 2 hosted_pages) pages"

# Every page of the stretched process, wherever it is now, is intact.
out=$(keep_finish r)
[ "$out" = "$(printf 'ready\nok %d' $(( mib * 256 )))" ] || fail "the stretched process said: $out"
for i in 2 3; do wait_counter "$i" hosted_pages 0; done
wait_counter 1 remote_pages 0
