#!/bin/sh
# run.sh FUZZBUILD SECONDS NAME... - `make fuzz`: run each libFuzzer target
# for SECONDS over its seeds (tests/fuzz/corpus/<target>/, read only) and
# what earlier runs found (FUZZBUILD/corpus/NAME/, written); crashes go to
# FUZZBUILD/crashes/NAME-*.  FUZZ_JOBS=N runs N processes per target.
# Prints per target the executions and the crashes; exit 1 if any crashed.
fb=$1; secs=$2; shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
export SOHOA_TOP="$top"
jobs=${FUZZ_JOBS:-1}
bad=0
mkdir -p "$fb/crashes" "$fb/logs"
for name in "$@"; do
	t=${name#fuzz_}
	mkdir -p "$fb/corpus/$name"
	log="$fb/logs/$name.log"
	# the targets' scratch folders: libFuzzer may end without atexit()
	export TMPDIR="$fb/tmp/$name"
	rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
	if [ "$jobs" -gt 1 ]; then
		set -- -fork="$jobs" -ignore_crashes=1
	else
		set --
	fi
	"$fb/bin/$name" "$@" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=30 -max_len=262144 \
		-print_final_stats=1 -artifact_prefix="$fb/crashes/$name-" \
		"$fb/corpus/$name" "$top/tests/fuzz/corpus/$t" > "$log" 2>&1
	rc=$?
	rm -rf "$TMPDIR"
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s += $2} END {print s + 0}')
	[ "$execs" = 0 ] && execs=$(grep -o '#[0-9]*' "$log" | tail -n 1 | tr -d '#')
	crashes=$(ls "$fb/crashes" 2>/dev/null | grep -c "^$name-")
	echo "$name: ${secs}s, ${execs:-0} executions, corpus $(ls "$fb/corpus/$name" | wc -l) files, $crashes crash file(s), exit $rc"
	[ "$rc" = 0 ] && [ "$crashes" = 0 ] || bad=1
done
exit $bad
