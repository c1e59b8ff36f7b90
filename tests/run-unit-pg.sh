#!/bin/sh
# run-unit-pg.sh BIN... - run unit test programs against PostgreSQL, each on
# a new empty database (SOHOA_TEST_DB); run under tests/pg.sh, which starts
# the server and sets SOHOA_PG_NEWDB.
[ -n "${SOHOA_PG_NEWDB:-}" ] || { echo "run-unit-pg.sh: run me under tests/pg.sh" >&2; exit 1; }
pass=0; fail=0
for t in "$@"; do
	url=$("$SOHOA_PG_NEWDB") || { echo "run-unit-pg.sh: cannot make a database" >&2; exit 1; }
	if out=$(SOHOA_TEST_DB=$url "$t" 2>&1); then
		echo "ok   $(basename "$t") (postgresql): $(echo "$out" | tail -n 1)"
		pass=$((pass + 1))
	else
		echo "FAIL $(basename "$t") (postgresql)"
		echo "$out" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
done
echo "unit on postgresql: $pass passed, $fail failed"
[ "$fail" = 0 ]
