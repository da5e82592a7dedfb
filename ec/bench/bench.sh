#!/bin/sh
# make -C ec bench: forecast errors, decision time, a backtest per policy, and the
# acceptance table over 20 seeds, on the SpotWeb 2018 data (not shipped with the project).
#   DATA   folder with spot-prices-hourly.csv, interruption-bands.csv, instance-types.csv,
#          wikipedia-hourly-requests.csv (default: <repo>/../shared/data/spotweb-2018)
#   SPLIT  first hour of the hold-out (default 2018-10-26T00:00:00Z)
#   SEEDS  number of seeds for the acceptance table (default 20)
#   JOBS   parallel backtests (default: number of CPUs)
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-../../shared/data/spotweb-2018}
SPLIT=${SPLIT:-2018-10-26T00:00:00Z}
SEEDS=${SEEDS:-20}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
for f in spot-prices-hourly.csv interruption-bands.csv instance-types.csv; do
    if [ ! -r "$DATA/$f" ]; then
        echo "bench: SKIP: $DATA/$f not found (set DATA=/path/to/spotweb-2018)"
        exit 0
    fi
done
OUT=bench/out
mkdir -p "$OUT"
EC=./ec
D="--prices $DATA/spot-prices-hourly.csv --interruptions $DATA/interruption-bands.csv --instance-types $DATA/instance-types.csv"
ACC="--memory-gib 512 --hot-gib 48 --horizon 24 --notice 120 --bandwidth-gbps 5"
echo "bench: data $DATA, hold-out from $SPLIT, $SEEDS seeds, $JOBS jobs, results in ec/$OUT"

echo "== forecast errors: development period (up to $SPLIT)"
demand=""
[ -r "$DATA/wikipedia-hourly-requests.csv" ] && demand="--demand $DATA/wikipedia-hourly-requests.csv"
$EC forecast $D --quiet --end "$SPLIT" $demand | tee "$OUT/forecast-dev.txt"
echo "== forecast errors: hold-out (from $SPLIT)"
$EC forecast $D --quiet --start "$SPLIT" | tee "$OUT/forecast-holdout.txt"

echo "== decision time: mpo plan, all markets, horizon 24, 24 different hours"
: >"$OUT/decision.txt"
for h in 00 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do
    $EC plan $D $ACC --quiet --json --at "2018-11-05T$h:00:00Z" 2>/dev/null |
        grep -o '"decision_ms":[0-9.]*' | cut -d: -f2 >>"$OUT/decision.txt" || true
done
awk '{s+=$1; if($1>m)m=$1} END {printf "decisions %d, mean %.1f ms, max %.1f ms\n", NR, s/NR, m}' \
    "$OUT/decision.txt" | tee "$OUT/decision-summary.txt"

echo "== one backtest per policy (seed 1, development period): wall time"
for p in mpo on-demand lowest-price price-capacity oracle; do
    t0=$(date +%s.%N)
    $EC backtest $D $ACC --quiet --json --policy $p --seed 1 --end "$SPLIT" >"$OUT/bt-$p.json"
    t1=$(date +%s.%N)
    printf '%-15s %6.1f s  ' $p "$(awk "BEGIN{print $t1 - $t0}")"
    cat "$OUT/bt-$p.json"
done | tee "$OUT/per-policy.txt"

echo "== acceptance table over $SEEDS seeds"
: >"$OUT/jobs.txt"
s=1
while [ $s -le "$SEEDS" ]; do
    for p in mpo price-capacity lowest-price oracle; do
        echo "dev $p $s --end $SPLIT" >>"$OUT/jobs.txt"
        echo "hold $p $s --start $SPLIT" >>"$OUT/jobs.txt"
    done
    s=$((s + 1))
done
# one JSON line per job: period policy seed json
xargs -P "$JOBS" -L 1 sh -c '
    period=$0 p=$1 seed=$2; shift 2
    j=$('"$EC"' backtest '"$D $ACC"' --quiet --json --policy $p --seed $seed "$@") &&
    echo "$period $p $seed $j" >>'"$OUT"'/runs.tmp.$$
' <"$OUT/jobs.txt"
cat "$OUT"/runs.tmp.* >"$OUT/runs.txt" && rm -f "$OUT"/runs.tmp.*
awk -f bench/table.awk "$OUT/runs.txt" | tee "$OUT/acceptance.md"
