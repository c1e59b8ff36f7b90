#!/bin/sh
# run-unit.sh BIN... - run every unit test program; print the total.
# UNIT_PG=1 (under tests/pg.sh, which sets SOHOA_PG_NEWDB): each program
# runs against PostgreSQL, on a new empty database (SOHOA_TEST_DB).
pass=0; fail=0; on=
if [ -n "${UNIT_PG:-}" ]; then
	[ -n "${SOHOA_PG_NEWDB:-}" ] || { echo "run-unit.sh: UNIT_PG needs tests/pg.sh" >&2; exit 1; }
	on=" (postgresql)"
fi
for t in "$@"; do
	if [ -n "$on" ]; then
		SOHOA_TEST_DB=$("$SOHOA_PG_NEWDB") || { echo "run-unit.sh: cannot make a database" >&2; exit 1; }
		export SOHOA_TEST_DB
	fi
	if out=$("$t" 2>&1); then
		echo "ok   $(basename "$t")$on: $(echo "$out" | tail -n 1)"
		pass=$((pass + 1))
	else
		echo "FAIL $(basename "$t")$on"
		echo "$out" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
done
echo "unit${on:+ on postgresql}: $pass passed, $fail failed"
[ "$fail" = 0 ]
