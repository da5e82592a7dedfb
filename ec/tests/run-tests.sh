#!/bin/sh
# Runs the test binaries given as arguments, renumbers their "ok"/"not ok" lines into one
# TAP stream with one plan line, and exits non-zero if any test failed or a binary crashed.
n=0
failed=0
out=$(mktemp)
for t in "$@"; do
    "$t" >"$out" 2>"$out.err"
    rc=$?
    while IFS= read -r line; do
        case $line in
        "ok "[0-9]*) n=$((n + 1)); echo "ok $n - ${line#ok * - }" ;;
        "not ok "[0-9]*) n=$((n + 1)); failed=1; echo "not ok $n - ${line#not ok * - }" ;;
        1..*) ;;
        *) echo "$line" ;;
        esac
    done <"$out"
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        n=$((n + 1)); failed=1
        echo "not ok $n - $(basename "$t") exited with status $rc"
        sed 's/^/# /' "$out.err"
    elif [ $rc -eq 1 ] && ! grep -q '^not ok' "$out"; then
        n=$((n + 1)); failed=1
        echo "not ok $n - $(basename "$t") failed without a failing test"
    fi
done
rm -f "$out" "$out.err"
echo "1..$n"
exit $failed
