# test: guests see the host's files read-only below a private writable overlay
. tests/cluster/lib.sh
cluster_setup
mark=spotos-overlay-$$
on 1 sh -c "echo one > /etc/$mark && echo one > $top/build/$mark" || fail "overlay not writable"
[ ! -e "/etc/$mark" ] && [ ! -e "$top/build/$mark" ] || fail "a guest's write reached the host"
on 2 test ! -e "/etc/$mark" || fail "node2 sees node1's file"
[ "$(on 1 cat /etc/$mark)" = one ] || fail "node1 lost its own file"
# The host's programs and the project's build are there at the same paths.
on 2 test -x "$top/userspace/elasticctl/elasticctl" || fail "project tree not visible"
on 2 mountpoint -q / || fail "no root mount"
on 2 grep -q ' / overlay ' /proc/mounts || fail "root is not the overlay"
