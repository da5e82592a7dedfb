# test: every node runs the SpotOS kernel that was just built
. tests/cluster/lib.sh
cluster_setup
want=$(cat build/kernel/include/config/kernel.release)
case $want in *-spotos) ;; *) fail "built release '$want' lacks -spotos" ;; esac
for i in $(nodes); do
	got=$(on "$i" uname -r)
	[ "$got" = "$want" ] || fail "node$i runs '$got', not '$want'"
done
