# test: valid traffic is never a bad frame: a stretched process pushes itself away (a netlink push runs in the caller, whose sends then meet its signals) and pulls back, twice, over a slow link (its home's egress shaped to 4 Mbit/s inside the guest, so that a push waits seconds for the member's window) and under a stream of signals (a SIGALRM every 200 us); no send is cut part-way, no node counts a bad frame, the home no send error, every page intact
. tests/memory/lib.sh
mem_setup
mmp=$top/tests/mmpath
on 1 tc qdisc add dev eth0 root tbf rate 4mbit burst 32kb latency 2s || fail "cannot shape node1's link"
at_exit 'on 1 tc qdisc del dev eth0 root'
for i in 1 2 3; do bad0[$i]=$(counter "$i" bad_frames); done
read -r err0 res0 < <(counter 1 send_errors resends)
out=$(SPOTOS_EXEC_TIMEOUT=240 on 1 "$ctl" run --nodes 1,2,3 -- "$mmp" signals 6M 2 200) ||
	fail "mmpath signals: $out"
read -r err res < <(counter 1 send_errors resends)
echo "$out; send_errors $err0 -> $err, resends $res0 -> $res"
grep -q "^ok 1536 signals [0-9]* pushed [0-9]*$" <<<"$out" || fail "mmpath said: $out"
for i in 1 2 3; do
	[ "$(counter "$i" bad_frames)" = "${bad0[$i]}" ] ||
		fail "node$i counted $(( $(counter "$i" bad_frames) - bad0[$i] )) bad frames"
done
[ "$err" = "$err0" ] || fail "$(( err - err0 )) send errors"
# Signals arrive between system calls: one per push and pull at least.
[ "$(sed -n 's/.* signals \([0-9]*\).*/\1/p' <<<"$out")" -gt 20 ] || fail "too few signals to mean anything: $out"
[ "$(sed -n 's/.* pushed //p' <<<"$out")" -ge 2300 ] || fail "the pushes moved too little to mean anything: $out"
