# test: members added on every node see each other up over the transport, and leave cleanly
. tests/cluster/lib.sh
cluster_setup
all=$(nodes | tr '\n' ' ')
declare -A bad0
for i in $all; do bad0[$i]=$(counter "$i" bad_frames); done
# node-added events carry the member's id.
on 1 sh -c "$ctl -j events --count 1 --timeout 30 >/tmp/m.ev 2>/tmp/m.err &
	for i in \$(seq 100); do grep -q following /tmp/m.err && break; sleep 0.1; done
	$ctl node add 1 $net.1:7070; wait" || fail "no node-added event"
[ "$(on 1 cat /tmp/m.ev)" = '{"event":"node-added","node_id":1,"peer":1}' ] ||
	fail "event: $(on 1 cat /tmp/m.ev)"
for i in $all; do
	for j in $all; do
		[ "$i$j" = 11 ] || on "$i" "$ctl" node add "$j" "$net.$j"
	done
done
for i in $all; do
	for j in $all; do
		if [ "$i" = "$j" ]; then
			[ "$(state_of "$i" "$j")" = self ] || fail "node$i does not see itself as self"
		else
			wait_state "$i" "$j" up
		fi
	done
done
# Heartbeats keep arriving.
rx1=$(on 1 "$ctl" -j node show 2 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rx_msgs"])')
sleep 2.5
rx2=$(on 1 "$ctl" -j node show 2 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rx_msgs"])')
[ "$rx2" -gt "$rx1" ] || fail "no heartbeats from node2 in 2.5 s ($rx1 -> $rx2)"
# Refusals: a duplicate id, a taken address, an unknown member, an id change.
set +e
dup=$(on 2 "$ctl" node add 3 10.1.2.3 2>&1); [ $? -eq 1 ] || fail "duplicate id accepted"
addr=$(on 2 "$ctl" node add 9 "$net.1:7070" 2>&1); [ $? -eq 1 ] || fail "taken address accepted"
gone=$(on 2 "$ctl" node del 9 2>&1); [ $? -eq 1 ] || fail "unknown member removed"
busy=$(on 2 "$ctl" config set node-id 9 2>&1); [ $? -eq 1 ] || fail "id changed with members"
set -e
grep -q "exists already" <<<"$dup" || fail "duplicate: $dup"
grep -q "address and port" <<<"$addr" || fail "address: $addr"
grep -q "no member" <<<"$gone" || fail "unknown: $gone"
grep -q "busy" <<<"$busy" || fail "id change: $busy"
for i in $all; do leave_all "$i"; done
for i in $all; do
	[ "$(on "$i" "$ctl" -j node list)" = "[]" ] || fail "node$i still lists members"
	[ "$(counter "$i" bad_frames)" = "${bad0[$i]}" ] || fail "node$i counted bad frames"
done
