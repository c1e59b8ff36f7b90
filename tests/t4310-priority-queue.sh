# t4310: the queues follow the files' priority and gate.  A mixed backlog is
# ingested (a file of high value in bad condition, one of ordinary value, a
# mật file, a batch with no file); one worker takes them by priority; the
# mật file's jobs are held by the gate from the moment they are queued and
# run once the head of the agency approves.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
echo "capture.workers = 1" >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws file add G01.2020.1 --paper P.1 --promote > /dev/null
expect_ok "$SOHOA" -C ws file add G01.2020.2 --paper P.2 --admin --deteriorated --requests 40 --alias Q3-5-1-2 > /dev/null
expect_ok "$SOHOA" -C ws file add G01.2020.3 --paper P.3 > /dev/null
expect_ok "$SOHOA" -C ws meta set G01.2020.1 maintenance=01 format=01 mode=01
expect_ok "$SOHOA" -C ws meta set G01.2020.2 maintenance=06 format=03 mode=01
expect_ok "$SOHOA" -C ws meta set G01.2020.3 maintenance=01 mode=03
for b in none low high secret; do
	mkdir $b
	for i in 1 2; do "$TOOLS/mkimg" page $b/p$i.png 600 840 150 "$(printf '%s%d' "$b" $i | cksum | cut -c1-6)" || die "mkimg"; done
done
# ingested in the worst order: no file first, the most urgent last
expect_ok "$SOHOA" -C ws ingest --profile legacy none > /dev/null
expect_ok "$SOHOA" -C ws ingest --profile legacy --file-code G01.2020.1 low > /dev/null
expect_ok "$SOHOA" -C ws ingest --profile legacy --file-code G01.2020.3 secret > /dev/null
expect_ok "$SOHOA" -C ws ingest --profile legacy --file-code Q3-5-1-2 high > /dev/null
prio() { sq ws "SELECT group_concat(s, ',') FROM (SELECT DISTINCT CAST(j.priority AS INTEGER) || ':' || j.state AS s FROM jobs j JOIN pages p ON p.id = j.page_id JOIN batches b ON b.id = p.batch_id WHERE COALESCE(b.file_code, '') = '$1') d"; }
expect_eq "$(prio G01.2020.2)" "95:ready" "jobs of the urgent file (ingested by its legacy alias)"
expect_eq "$(prio '')" "0:ready" "jobs of the batch with no file"
expect_eq "$(prio G01.2020.3)" "40:held" "jobs of the mật file"
expect_grep "priority gate: held: mode 03" /dev/stdin <<EOF2
$(sq ws "SELECT DISTINCT error FROM jobs WHERE state = 'held'")
EOF2
expect_ok "$SOHOA" -C ws run --drain
sq ws "SELECT COALESCE(b.file_code, '-') FROM jobs j JOIN pages p ON p.id = j.page_id JOIN batches b ON b.id = p.batch_id
	WHERE j.state = 'done' ORDER BY j.finished_at, j.id" > order
printf 'G01.2020.2\nG01.2020.2\nG01.2020.1\nG01.2020.1\n-\n-\n' > want
diff -u want order || die "claim order"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'held'")" 2 "held jobs after the drain"
# the head of the agency approves: released, and done at the next run
expect_ok "$SOHOA" -C ws file set G01.2020.3 --approved-by "Giám đốc" > /dev/null
expect_eq "$(prio G01.2020.3)" "40:ready" "jobs of the approved mật file"
expect_ok "$SOHOA" -C ws run --drain
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs not done"
exit 0
