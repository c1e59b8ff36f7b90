# t0720: `sohoa db migrate --to postgresql://...` (issue 13) moves a stopped
# SQLite workspace to PostgreSQL with every row, the audit log and the job
# states intact, and proves it: per table the rows and a checksum on both
# sides, the same; the workspace then runs on PostgreSQL (the audit log
# still append-only there, the counters right, the rest of the work done).
# Refused while a supervisor runs, with a password in the URL, into a
# database that holds work; a copy that differs (a rule on the target
# changes a row) is named and exits 1, leaving the workspace on SQLite.
. "$SOHOA_TOP/tests/lib.sh"
under_pg "$0"
url=$SOHOA_PG_URL
psql_() { psql -X -q -t -A "$1" -c "$2"; }
ws_init ws "capture orient"
echo "supervisor.scan_ms = 100" >> ws/sohoa.conf
i=1
while [ $i -le 8 ]; do "$TOOLS/mkimg" page p$i.png 1240 1754 150 $i; i=$((i + 1)); done
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws ingest --profile legacy p1.png p2.png p3.png p4.png p5.png > /dev/null
expect_ok "$SOHOA" -C ws run --drain --node before 2> /dev/null
expect_ok "$SOHOA" -C ws ingest --profile legacy p6.png p7.png p8.png > /dev/null
held=$(sq ws "SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1")
expect_ok "$SOHOA" -C ws jobs hold "$held" > /dev/null

# refused: a supervisor runs; a password in the URL; not a URL
"$SOHOA" -C ws run --node busy > busy.log 2>&1 &
busy=$!
n=0
while ! grep -q "pid $busy" ws/sohoa.lock 2> /dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$SOHOA" -C ws db migrate --to "$url" > /dev/null 2> busy.err
expect_eq $? 75 "migrate while a supervisor runs"
expect_grep "in use by another 'sohoa run' (pid $busy" busy.err
kill -TERM $busy
wait $busy
# what the move must keep (the busy supervisor above did some work)
"$SOHOA" -C ws status --json | jq -c '.stages, .pages' > before.json
sq ws "SELECT stage, state, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 1, 2" > states.before
events=$(sq ws "SELECT count(*) FROM events")
"$SOHOA" -C ws db migrate --to "postgresql://u:secret@localhost/x" 2> pw.err && die "a password in the URL was taken"
expect_grep "the database URL holds a password" pw.err
expect_fail "$SOHOA" -C ws db migrate --to sohoa2.db 2> /dev/null

# a target whose copy differs: named, exit 1, the workspace stays on SQLite
bad=$("$SOHOA_PG_NEWDB")
"$SOHOA" init other --db "$bad" > /dev/null || die "init other"
psql_ "$bad" "DELETE FROM identity; CREATE RULE meddle AS ON INSERT TO fonds DO ALSO UPDATE fonds SET name = 'changed' WHERE id = NEW.id"
"$SOHOA" -C ws db migrate --to "$bad" > bad.out 2> bad.err
expect_eq $? 1 "migrate with a difference"
expect_grep "^fonds .*DIFFERENT" bad.out
expect_grep "1 tables differ; the workspace stays on sohoa.db" bad.err
grep -q "^db.url" ws/sohoa.conf && die "the workspace switched after a bad copy"
# a target that holds work is refused
"$SOHOA" -C ws db migrate --to "$bad" > /dev/null 2> full.err && die "a database with work was taken"
expect_grep "the target database is not empty" full.err

# the move
expect_ok "$SOHOA" -C ws db migrate --to "$url" > good.out 2> good.err
expect_grep "every row the same; the workspace now uses $url" good.out
grep -q DIFFERENT good.out && die "a table differs: $(cat good.out)"
for t in fonds batches masters pages jobs events identity job_counts batch_counts throughput jobq_params nodes; do
	grep -q "^$t " good.out || die "no line for table $t"
done
expect_eq "$(awk '$1 == "events" { print $2 " " $4 }' good.out)" "$events $events" "events rows on both sides"
expect_eq "$(grep -c '^db.url = ' ws/sohoa.conf)" 1 "db.url in the config"
expect_eq "$(psql_ "$url" "SELECT count(*) FROM events")" "$events" "events on PostgreSQL"
psql_ "$url" "SELECT stage, state, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 1, 2" | sed 's/|/|/g' > states.after
diff -u states.before states.after || die "job states changed"
"$SOHOA" -C ws status --json | jq -c '.stages, .pages' > after.json
diff -u before.json after.json || die "status changed"
# the rules are back: the audit log refuses a change, the counters follow
psql_ "$url" "UPDATE events SET agent = 'x' WHERE id = 1" 2> upd.err && die "the audit log took an UPDATE after the move"
expect_ok "$SOHOA" -C ws jobs release "$held" > /dev/null
expect_ok "$SOHOA" -C ws run --drain --node after 2> after.log
expect_eq "$(psql_ "$url" "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs left after the move"
expect_eq "$(psql_ "$url" "SELECT sum(n) FROM job_counts WHERE stage = 'orient' AND state = 'done'")" 8 "the counter of orient done"
expect_eq "$(psql_ "$url" "SELECT max(id) > $events FROM events")" t "new events after the copied ones"
exit 0
