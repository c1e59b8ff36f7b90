# t0400: the crash test.  100 pages go through every page stage but OCR
# while workers are killed with SIGKILL at random moments (at least 10
# times) and the supervisor once; after a restart every page is done exactly
# once, no store holds a partial file, and the audit log is consistent.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
stages=$("$SOHOA" -C ws stages | awk '$2 == "page" && $1 != "ocr" { printf "%s ", $1 }')
cat >> ws/sohoa.conf <<CONF
stages = $stages
job.max_attempts = 50
job.retry_delay = 0
worker.max_jobs = 25
supervisor.scan_ms = 50
CONF
for s in $stages; do echo "$s.workers = 2" >> ws/sohoa.conf; done
mkdir scans
i=1
while [ $i -le 100 ]; do
	"$TOOLS/mkimg" page "scans/p$(printf %03d $i).png" 1240 1754 150 $i || die "mkimg"
	i=$((i + 1))
done
expect_ok "$SOHOA" -C ws ingest --profile legacy scans > /dev/null
root=$(cd ws && pwd)
"$SOHOA" -C ws run > run1.log 2>&1 &
sup=$!
kills=0; tries=0
while [ $kills -lt 12 ] && [ $tries -lt 600 ]; do
	sleep "0.$(od -An -N1 -tu1 /dev/urandom | awk '{ printf "%02d", $1 % 40 + 5 }')"
	pid=$(pgrep -f -- "-C $root worker" | shuf -n 1)
	if [ -n "$pid" ] && kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
	tries=$((tries + 1))
done
[ $kills -ge 10 ] || die "only $kills workers killed"
kill -9 $sup
wait $sup 2> /dev/null
n=0
while pgrep -f -- "-C $root worker" > /dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
pgrep -f -- "-C $root worker" > /dev/null && die "workers outlived their supervisor"
done_before=$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done'")
expect_ok "$SOHOA" -C ws run --drain 2> run2.log
echo "killed $kills workers and the supervisor; $done_before jobs were done before the restart"
npages=$(sq ws 'SELECT count(*) FROM pages')
nstages=$(echo $stages | wc -w)
expect_eq "$npages" 100 "pages"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE page_id IS NOT NULL AND state = 'done'")" $((npages * nstages)) "every page through every stage"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "nothing left"
# exactly once: no job committed its results twice
expect_eq "$(sq ws "SELECT count(*) FROM (SELECT job_id, type FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1) s")" 0 "duplicate commits"
expect_eq "$(sq ws "SELECT count(*) FROM (SELECT page_id FROM jobs WHERE page_id IS NOT NULL GROUP BY page_id, stage HAVING count(*) > 1) s")" 0 "duplicate jobs"
# the kills were noticed and retried
[ "$(sq ws 'SELECT count(*) FROM jobs WHERE attempts > 0')" -gt 0 ] || die "no job shows a worker death"
# no partial file in any store; every access copy is whole
[ -z "$(find ws/masters ws/derived ws/exports ws/quarantine -name '*.tmp')" ] || die "temporary files in a store"
# (on PostgreSQL a node keeps its folder and the wake-up FIFOs, which
# another node on this host may listen on)
[ -z "$(find ws/tmp -type f)" ] || die "tmp/ not emptied"
sq ws 'SELECT access_path FROM pages' | while read -r a; do
	"$TOOLS/mkimg" check "ws/$a" > /dev/null || die "partial access copy $a"
done || exit 1
# masters: every file has its row and its name is its SHA-256
for f in ws/masters/*/*; do
	s=$(sha256sum "$f" | cut -d' ' -f1)
	expect_eq "$(basename "$f" .png)" "$s" "master name"
	expect_eq "$(sq ws "SELECT count(*) FROM masters WHERE sha256 = '$s'")" 1 "master row"
done
# audit log: one ingestion per master, no event about an unknown page
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'ingestion'")" 100 "ingestion events"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE object LIKE 'page:%' AND CAST(substr(object, 6) AS INTEGER) NOT IN (SELECT id FROM pages)")" 0 "events about unknown pages"
# the documents were formed once all pages were through (the fan-in)
expect_eq "$(sq ws 'SELECT count(*) FROM pages WHERE document_id IS NULL')" 0 "pages without a document"
