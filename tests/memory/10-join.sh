# test: the home and two members join each other and see each other up
. tests/memory/lib.sh
# From no membership at all.
mem_reset
for i in $(nodes); do leave_all "$i"; done
console_mark
teardown mem_reset
all=$(nodes | tr '\n' ' ')
join_all $all
for i in $all; do
	for j in $all; do
		if [ "$i" = "$j" ]; then
			[ "$(state_of "$i" "$j")" = self ] || fail "node$i does not see itself as self"
		else
			wait_state "$i" "$j" up
		fi
	done
done
