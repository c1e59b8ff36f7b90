# lib.sh - helpers for the numbered end-to-end tests (sourced).  Each test
# runs in its own empty temporary folder; $SOHOA_BUILD is the build folder.
set -u
SOHOA="$SOHOA_BUILD/sohoa"
TOOLS="$SOHOA_BUILD/tools"
TOP="$SOHOA_TOP"
export SOHOA_QUIET=1
# Leaks are errors too (issue 11): a process that leaks exits non-zero at its end.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

die() { echo "FAILED: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }
# under_pg SCRIPT: run the test SCRIPT (its $0) again inside a throw-away
# PostgreSQL cluster (tests/pg.sh, which sets SOHOA_PG_URL); skip without one
under_pg() {
	[ -n "${SOHOA_PG_URL:-}" ] && return 0
	ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || skip "no PostgreSQL server (apt-get install postgresql)"
	command -v psql > /dev/null || skip "no psql"
	exec sh "$TOP/tests/pg.sh" sh "$1"
}
# expect_ok CMD...: the command must succeed
expect_ok() { "$@" || die "expected success: $*"; }
# expect_fail CMD...: the command must fail
expect_fail() { if "$@"; then die "expected failure: $*"; fi; }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { [ "$1" = "$2" ] || die "$3: got '$1', expected '$2'"; }
# expect_grep PATTERN FILE
expect_grep() { grep -q -- "$1" "$2" || { echo "--- $2:"; cat "$2"; die "'$1' not in $2"; }; }
# SOHOA_TEST_BACKEND=postgresql (under tests/pg.sh): workspaces keep their
# job store in PostgreSQL, a new database each (run-e2e.sh PG=1).
# sq WS SQL: one query against a workspace's database
sq() {
	if [ -f "$1/sohoa.db" ]; then
		sqlite3 "$1/sohoa.db" "$2"
	else
		psql -X -q -At -v ON_ERROR_STOP=1 "$(sed -n 's/^db.url = //p' "$1/sohoa.conf")" -c "$2"
	fi
}
# sq_dump WS: the whole database of a workspace as SQL
sq_dump() {
	if [ -f "$1/sohoa.db" ]; then
		sqlite3 "$1/sohoa.db" .dump
	else
		pg_dump --no-owner "$(sed -n 's/^db.url = //p' "$1/sohoa.conf")"
	fi
}
# ws_init DIR [STAGES]: a workspace, optionally with a shorter pipeline
ws_init() {
	if [ "${SOHOA_TEST_BACKEND:-sqlite}" = postgresql ]; then
		url=$("$SOHOA_PG_NEWDB") || die "no PostgreSQL database for $1"
		"$SOHOA" init "$1" --db "$url" >/dev/null || die "init $1 --db $url"
	else
		"$SOHOA" init "$1" >/dev/null || die "init $1"
	fi
	[ -n "${2:-}" ] && echo "stages = $2" >> "$1/sohoa.conf"
	return 0
}
# jq_get FILE FILTER
jq_get() { jq -r "$2" "$1"; }
