#!/bin/sh
# replay.sh BUILD NAME... - `make check`: give every file of
# tests/fuzz/corpus/<target>/ (NAME without "fuzz_") once to BUILD/fuzz/NAME,
# the gcc + ASan/UBSan build of the target; any sanitizer report fails.
build=$1; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
export SOHOA_TOP="$top"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
pass=0; fail=0
for name in "$@"; do
	corpus="$top/tests/fuzz/corpus/${name#fuzz_}"
	if [ ! -d "$corpus" ]; then
		echo "FAIL $name: no corpus folder $corpus"; fail=$((fail + 1)); continue
	fi
	if out=$("$build/fuzz/$name" "$corpus" 2>&1); then
		echo "ok   $name: $(echo "$out" | tail -n 1)"; pass=$((pass + 1))
	else
		echo "FAIL $name"; echo "$out" | tail -n 30 | sed 's/^/     /'; fail=$((fail + 1))
	fi
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" = 0 ]
