# t0540 (issue 11, finding 16): a scan that pauses longer than
# ingest.stable_seconds mid-write is taken half written (capture
# quarantines it) and moved to .done/, where the scanner finishes it.  The
# complete file is then taken as a new version: its own master and page,
# and the log and the ingestion event say what happened.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-1
printf "profile = legacy\n" > ws/inbox/may-1/station.conf
"$TOOLS/mkimg" page full.png 1240 1754 150 1
size=$(wc -c < full.png)
head -c 3000 full.png > ws/inbox/may-1/scan.png
# the scanner keeps the file open and writes the rest after a long pause
exec 3>> ws/inbox/may-1/scan.png
expect_ok "$SOHOA" -C ws watch --once > out 2> err
expect_grep "1 files taken" out
[ -f ws/inbox/may-1/.done/scan.png ] || die "the half file was not moved to .done"
tail -c +3001 full.png >&3
exec 3>&-
cmp full.png ws/inbox/may-1/.done/scan.png || die "the scanner's write did not reach the moved file"
expect_ok "$SOHOA" -C ws watch --once > out 2> err
expect_grep "1 files taken" out
expect_grep "a new version of 'scan.png': it changed from 3000 to $size bytes after it was taken" err
expect_eq "$(sq ws "SELECT count(*) FROM masters WHERE src_name = 'scan.png'")" 2 "masters of scan.png"
expect_eq "$(sq ws "SELECT size FROM masters WHERE src_name = 'scan.png' ORDER BY id DESC LIMIT 1")" "$size" "the complete file"
sq ws "SELECT detail FROM events WHERE type = 'ingestion' ORDER BY id DESC LIMIT 1" | grep -q "a new version of 'scan.png'" || die "no ingestion event says so"
"$SOHOA" -C ws run --drain 2> run.log || die "run"
expect_eq "$(sq ws "SELECT group_concat(state, ' ') FROM (SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'scan.png' ORDER BY m.id) s")" "quarantined done" "half file quarantined, complete file captured"
# taken once: another pass takes nothing
expect_ok "$SOHOA" -C ws watch --once > out 2> err
expect_grep "0 files taken" out
exit 0
