#!/bin/sh
# run-unit.sh BIN... - run every unit test program; print the total.
pass=0; fail=0
for t in "$@"; do
	if out=$("$t" 2>&1); then
		echo "ok   $(basename "$t"): $(echo "$out" | tail -n 1)"
		pass=$((pass + 1))
	else
		echo "FAIL $(basename "$t")"
		echo "$out" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" = 0 ]
