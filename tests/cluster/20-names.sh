# test: every node reaches every other by name
. tests/cluster/lib.sh
cluster_setup
for i in $(nodes); do
	[ "$(on "$i" hostname)" = "node$i" ] || fail "node$i has hostname $(on "$i" hostname)"
	for j in $(nodes); do
		[ "$i" = "$j" ] && continue
		on "$i" ping -c1 -W5 "node$j" >/dev/null || fail "node$i cannot ping node$j"
	done
done
