# t0600: `sohoa status --json` parses and counts right; `sohoa log` filters;
# SIGTERM stops the supervisor cleanly with nothing left claimed.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
mkdir s1 s2
"$TOOLS/mkimg" page s1/a.png 1654 2339 200 1
"$TOOLS/mkimg" page s1/b.png 1654 2339 200 2
"$TOOLS/mkimg" bad grey-150 s2/low.png
"$TOOLS/mkimg" bad empty s2/empty.png
expect_ok "$SOHOA" -C ws ingest --station st-a --operator lan s1 > /dev/null
expect_ok "$SOHOA" -C ws ingest --station st-b --operator minh s2 > /dev/null
"$SOHOA" -C ws status --json > before.json
expect_eq "$(jq -c '.stages[0] | [.name, .ready, .claimed, .done, .failed, .quarantined, .held]' before.json)" '["capture",4,0,0,0,0,0]' "before"
expect_eq "$(jq '.pages.total' before.json)" 4 "total"
expect_ok "$SOHOA" -C ws run --drain
"$SOHOA" -C ws status --json > after.json
expect_eq "$(jq -c '.stages[0] | [.ready, .claimed, .done, .failed, .quarantined, .held]' after.json)" '[0,0,2,0,1,1]' "after"
expect_eq "$(jq -c '.pages | [.total, .done]' after.json)" '[4,2]' "pages"
expect_eq "$(jq -c '[.stations[] | [.name, .pages, .done]]' after.json)" '[["st-a",2,2],["st-b",2,0]]' "per station"
expect_eq "$(jq -c '[.operators[] | .name]' after.json)" '["lan","minh"]' "per operator"
expect_eq "$(jq '.attention | length' after.json)" 2 "needs attention"
jq -e '.throughput.pages_per_min_5 > 0' after.json > /dev/null || die "throughput"
"$SOHOA" -C ws status > status.txt
expect_grep "needs attention" status.txt
expect_grep "station" status.txt
# log filters
"$SOHOA" -C ws log --type ingestion > log.txt
expect_eq "$(wc -l < log.txt)" 4 "ingestion events"
"$SOHOA" -C ws log --outcome failure --json > log.json
expect_eq "$(jq length log.json)" 2 "failures"
# SIGTERM: clean stop, nothing left claimed
"$TOOLS/mkimg" page more.png 1654 2339 200 9
expect_ok "$SOHOA" -C ws ingest more.png > /dev/null
"$SOHOA" -C ws run 2> run.log &
sup=$!
sleep 1
kill -TERM $sup
wait $sup || die "supervisor exit status after SIGTERM"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'claimed'")" 0 "claimed after stop"
