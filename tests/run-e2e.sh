#!/bin/sh
# run-e2e.sh BUILD - run the numbered end-to-end tests tests/tNNNN-*.sh, each
# in its own temporary folder; print the total.  T=pattern runs a subset,
# E2E_LIST="tNNNN-a tNNNN-b" the tests named.
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0; skip=0
for t in "$top"/tests/t[0-9][0-9][0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in ${T:-*}) ;; *) continue ;; esac
	case " ${E2E_LIST:-$name} " in *" $name "*) ;; *) continue ;; esac
	dir=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-$name.XXXXXX")
	start=$(date +%s)
	( cd "$dir" && SOHOA_BUILD="$build" SOHOA_TOP="$top" sh "$t" ) > "$dir/.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		echo "ok   $name (${secs}s)"; pass=$((pass + 1)); rm -rf "$dir"
	elif [ $rc = 77 ]; then
		echo "skip $name: $(tail -n 1 "$dir/.log")"; skip=$((skip + 1)); rm -rf "$dir"
	else
		echo "FAIL $name (${secs}s), log in $dir/.log:"; tail -n 25 "$dir/.log" | sed 's/^/     /'; fail=$((fail + 1))
	fi
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
