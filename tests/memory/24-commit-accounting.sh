# test: commit accounting counts the cluster: with vm.overcommit_memory at its default, a stretched process maps 400 MiB in one call on a 128 MiB home (its members' room counts) where an unstretched one cannot; with strict accounting (2) too; no test sets overcommit_memory to 1 to get by
. tests/memory/lib.sh
mem_setup
mmp=$top/tests/mmpath
[ "$(on 1 cat /proc/sys/vm/overcommit_memory)" = 0 ] || fail "overcommit_memory is not at its default"
# Not stretched: more than the home's RAM and swap is refused at mmap().
out=$(on 1 "$mmp" bigmap 400M 8) && fail "400 MiB mapped without the cluster: $out"
grep -q "^mmap: Cannot allocate memory$" <<<"$out" || fail "mmpath said: $out"
# Stretched over two members with room: the mapping is taken, and used.
out=$(on 1 "$ctl" run --nodes 1,2,3 -- "$mmp" bigmap 400M 8) || fail "stretched: $out"
[ "$out" = "ok 2048" ] || fail "stretched, mmpath said: $out"
# Strict accounting: the commit limit is the home's, plus what members can take.
guest_set 1 /proc/sys/vm/overcommit_ratio 100
guest_set 1 /proc/sys/vm/overcommit_memory 2
out=$(on 1 "$mmp" bigmap 200M 8) && fail "200 MiB mapped under strict accounting: $out"
grep -q "^mmap: Cannot allocate memory$" <<<"$out" || fail "strict, mmpath said: $out"
out=$(on 1 "$ctl" run --nodes 1,2,3 -- "$mmp" bigmap 400M 8) || fail "strict, stretched: $out"
[ "$out" = "ok 2048" ] || fail "strict, stretched, mmpath said: $out"
