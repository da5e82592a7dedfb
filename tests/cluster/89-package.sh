# test: the spotos Debian package (elasticd, its unit, elasticctl) installs on a node, its programs reach the module, and it removes cleanly
. tests/cluster/lib.sh
cluster_setup
at_exit "on 1 sh -c 'dpkg -s spotos >/dev/null 2>&1 && dpkg -r spotos >/dev/null; true'"
deb=$(scripts/build-tools-deb "$top/build/cluster/$SPOTOS_CLUSTER")
info=$(dpkg-deb -f "$deb" Package Depends)
grep -q "^Package: spotos$" <<<"$info" || fail "control: $info"
# dpkg-shlibdeps named the libraries the programs are linked against.
for lib in libcurl4 libjson-c5 libnl-genl-3-200; do
	grep -q "$lib" <<<"$info" || fail "Depends lacks $lib: $info"
done
# The node's root is a writable overlay: dpkg installs into it.
on 1 dpkg -i "$deb" >/dev/null || fail "dpkg -i failed"
[ "$(on 1 dpkg-query -W -f '${Status}' spotos)" = "install ok installed" ] || fail "not installed"
on 1 test -f /lib/systemd/system/elasticd.service || fail "no unit"
grep -q "^ExecStart=/usr/sbin/elasticd --config /etc/spotos/elasticd.conf --foreground$" \
	<<<"$(on 1 cat /lib/systemd/system/elasticd.service)" || fail "unit runs something else"
[ "$(on 1 /usr/sbin/elasticd --version)" = "elasticd $(dpkg-deb -f "$deb" Version)" ] ||
	fail "elasticd --version"
on 1 /usr/sbin/elasticd --config /usr/share/doc/spotos/elasticd.example.conf --check-config |
	grep -q ": ok" || fail "the shipped example does not check"
[ "$(on 1 /usr/sbin/elasticctl -j status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["node_id"])')" = 1 ] ||
	fail "elasticctl from the package cannot reach the module"
on 1 dpkg -r spotos >/dev/null || fail "dpkg -r failed"
on 1 test ! -e /usr/sbin/elasticd || fail "elasticd left behind"
