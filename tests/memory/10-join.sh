# test: the home and two members join each other and see each other up
. tests/cluster/lib.sh
all=$(nodes | tr '\n' ' ')
join_all $all
for i in $all; do
	for j in $all; do
		[ "$i" = "$j" ] || wait_state "$i" "$j" up
	done
done
