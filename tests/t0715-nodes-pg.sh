# t0715: several nodes on PostgreSQL (issue 13).  Three `run --node`
# processes drain one batch from one workspace and one database while one
# node is SIGKILLed (its workers die with it) and another has its database
# connections cut (pg_terminate_backend): the dead node's claimed jobs come
# back after their lease through another node's scan, the cut node gets
# its connection back or is replaced, and every page is done exactly once
# (one success event per job and event type), nothing lost; no process
# aborts, a worker that lost its connection exits with one line, and no
# transaction deadlocks on the counters.  Runs in a
# throw-away cluster (tests/pg.sh).
. "$SOHOA_TOP/tests/lib.sh"
under_pg "$0"
url=$SOHOA_PG_URL
psql_() { psql -X -q -t -A "$url" -c "$1"; }
"$SOHOA" init ws --db "$url" > /dev/null || die "init --db"
cat >> ws/sohoa.conf <<CONF
stages = capture orient deskew
supervisor.scan_ms = 100
worker.scan_ms = 100
capture.workers = 2
orient.workers = 2
deskew.workers = 2
job.lease = 10
job.max_attempts = 50
job.retry_delay = 0
CONF
mkdir scans
i=1
while [ $i -le 40 ]; do
	"$TOOLS/mkimg" page "scans/p$(printf %03d $i).png" 1240 1754 150 $i || die "mkimg"
	i=$((i + 1))
done
expect_ok "$SOHOA" -C ws ingest --profile legacy scans > /dev/null
root=$(cd ws && pwd)
PGAPPNAME=sohoa-n1 "$SOHOA" -C ws run --node n1 > n1.log 2>&1 &
n1=$!
# all three at the same instant: their set-up and migrations take turns
# (the schema lock of db_backend.h) instead of failing
PGAPPNAME=sohoa-n2 "$SOHOA" -C ws run --node n2 > n2.log 2>&1 &
n2=$!
PGAPPNAME=sohoa-n3 "$SOHOA" -C ws run --node n3 > n3.log 2>&1 &
n3=$!
trap 'kill -9 $n1 $n2 $n3 2> /dev/null' EXIT
n=0
while [ "$(psql_ "SELECT count(DISTINCT node) FROM jobs WHERE state = 'done'")" -lt 3 ] && [ $n -lt 600 ]; do
	sleep 0.05; n=$((n + 1))
done
[ $n -lt 600 ] || die "the three nodes did not all work: $(psql_ "SELECT node, count(*) FROM jobs GROUP BY node")"
"$SOHOA" -C ws status --json > three.json || die "status"
expect_eq "$(jq -r '[.nodes[] | .name + ":" + .state] | join(" ")' three.json)" "n1:running n2:running n3:running" "three nodes"
# n1 dies with what it holds; n2 loses the database
kill -9 $n1
psql_ "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'sohoa-n2'" > cut.out
[ "$(cat cut.out)" -gt 0 ] || die "no connection of n2 to cut"
held=$(psql_ "SELECT string_agg(id::text, ',') FROM jobs WHERE state = 'claimed' AND node = 'n1'")
# everything is done, by n2 and n3, within the lease and a little
n=0
while { [ "$(psql_ "SELECT count(*) FROM jobs WHERE stage = 'deskew' AND state = 'done'")" -lt 40 ] ||
	[ "$(psql_ "SELECT count(*) FROM jobs WHERE state <> 'done'")" -gt 0 ]; } && [ $n -lt 1200 ]; do
	sleep 0.1; n=$((n + 1))
done
"$SOHOA" -C ws status > after.txt
[ $n -lt 1200 ] || { cat after.txt; die "not drained: $(psql_ "SELECT stage, state, node, count(*) FROM jobs GROUP BY 1, 2, 3")"; }
expect_eq "$(psql_ "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs not done"
expect_eq "$(psql_ "SELECT count(*) FROM jobs WHERE page_id IS NOT NULL")" 120 "page jobs"
expect_eq "$(psql_ "SELECT count(*) FROM (SELECT job_id FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1) x")" 0 "jobs done twice"
expect_eq "$(psql_ "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.job_id = j.id AND e.outcome = 'success')")" 0 "jobs done without their event"
# what n1 held came back (one more attempt) and another node did it
[ -n "$held" ] || die "n1 held no job when it was killed"
expect_eq "$(psql_ "SELECT count(*) FROM jobs WHERE id IN ($held) AND (state <> 'done' OR node = 'n1' OR attempts < 1)")" 0 "n1's jobs $held done by another node"
expect_grep "n1 (host .*): .*STALE" after.txt
# n2 has its database back: its heartbeat goes on
"$SOHOA" -C ws status --json > after.json
expect_eq "$(jq -r '[.nodes[] | .name + ":" + .state] | join(" ")' after.json)" "n1:stale n2:running n3:running" "nodes after the drain"
kill -TERM $n2 $n3
wait $n2
wait $n3 || die "n3's exit status"
"$SOHOA" -C ws status --json > end.json
expect_eq "$(jq -r '[.nodes[] | .name + ":" + .state] | join(" ")' end.json)" "n1:stale n2:stopped n3:stopped" "nodes at the end"
# a cut connection is a clean exit (one line that names the database),
# never an abort, a sanitizer's report or a deadlock on the counters
for f in n1.log n2.log n3.log; do
	if grep -E "panic:|Assertion|AddressSanitizer|runtime error|died: signal (6|11)|deadlock detected" $f; then
		die "$f: a process aborted or deadlocked"
	fi
done
expect_grep "worker .*fatal: .*lost the connection to database 'sohoa'" n2.log
trap - EXIT
exit 0
