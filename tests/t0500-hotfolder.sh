# t0500: the hot folder takes a scan only once it is complete (stable size,
# not hidden or .part), and never twice, also across restarts.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-1
"$TOOLS/mkimg" page a.png 1654 2339 200 1
"$TOOLS/mkimg" page b.png 1654 2339 200 2
cp a.png ws/inbox/may-1/a.png
cp b.png ws/inbox/may-1/.b.png.part   # still being written by the scanner
expect_ok "$SOHOA" -C ws watch --once > out
expect_grep "1 files taken" out
[ -f ws/inbox/may-1/.done/a.png ] || die "a.png not moved to .done"
expect_eq "$(sq ws "SELECT station FROM batches")" may-1 "station from the folder"
# a file that grows between two looks is not taken yet
head -c 1000 b.png > ws/inbox/may-1/b.png
( sleep 0.5; cat b.png > ws/inbox/may-1/b.png ) &
expect_ok "$SOHOA" -C ws watch --once > out
wait
expect_grep "0 files taken" out
expect_ok "$SOHOA" -C ws watch --once > out
expect_grep "1 files taken" out
cmp b.png "ws/$(sq ws "SELECT path FROM masters WHERE src_name = 'b.png'")" || die "b.png taken before it was complete"
# the same scan dropped again (or after a restart) is not ingested twice
cp a.png ws/inbox/may-1/a-again.png
expect_ok "$SOHOA" -C ws watch --once > out
expect_eq "$(sq ws 'SELECT count(*) FROM masters')" 2 "masters"
[ -f ws/inbox/may-1/.done/a-again.png ] || die "duplicate not moved out of the inbox"
# run --watch ingests and processes
"$TOOLS/mkimg" page ws/inbox/may-1/c.png 1654 2339 200 3
"$SOHOA" -C ws run --watch 2> run.log &
sup=$!
n=0
while [ "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done' AND page_id IS NOT NULL")" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
kill -TERM $sup
wait $sup || die "run --watch did not stop cleanly"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done' AND page_id IS NOT NULL")" 3 "hot folder pages processed"

# a station's own settings: inbox/STATION/station.conf names its scanner
# profile, its operator and the file being scanned
mkdir -p ws/inbox/may-2
printf '# the book scanner\nprofile = legacy\noperator = hoa\nfile_code = 000.00.00.G09.2024.03.TC\n' > ws/inbox/may-2/station.conf
"$TOOLS/mkimg" page ws/inbox/may-2/d.png 1654 2339 200 4
sleep 1.2
expect_ok "$SOHOA" -C ws watch --once > out
expect_grep "1 files taken" out
expect_eq "$(sq ws "SELECT b.station || ' ' || b.operator || ' ' || b.profile || ' ' || b.file_code FROM batches b JOIN masters m ON m.batch_id = b.id WHERE m.src_name = 'd.png'")" \
	"may-2 hoa legacy 000.00.00.G09.2024.03.TC" "the station's settings"
# a wrong station.conf: nothing is taken, the warning names the file and line
printf 'profile = legacy\nscanner = x\n' > ws/inbox/may-2/station.conf
"$TOOLS/mkimg" page ws/inbox/may-2/e.png 1654 2339 200 5
sleep 1.2
expect_ok "$SOHOA" -C ws watch --once > out 2> err
expect_grep "0 files taken" out
expect_grep "station.conf:2: unknown key 'scanner'" err
[ -f ws/inbox/may-2/e.png ] || die "e.png taken under a wrong station.conf"
exit 0
