# t0410: fault injection.  A worker kills itself between write, fsync, rename
# and commit (SOHOA_CRASH_AT); another run fails the Nth write with ENOSPC
# (SOHOA_FAIL_WRITE).  Nothing is lost, nothing is done twice.
. "$SOHOA_TOP/tests/lib.sh"
mkdir scans
i=1
while [ $i -le 8 ]; do "$TOOLS/mkimg" page "scans/p$i.png" 1240 1754 150 $i; i=$((i + 1)); done
check() {
	expect_eq "$(sq $1 "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "$1: jobs not done"
	expect_eq "$(sq $1 "SELECT count(*) FROM jobs WHERE state = 'done' AND page_id IS NOT NULL")" 8 "$1: page jobs done"
	expect_eq "$(sq $1 "SELECT count(*) FROM jobs WHERE state = 'done' AND stage = 'fanin'")" 1 "$1: fan-in job done"
	expect_eq "$(sq $1 "SELECT count(*) FROM (SELECT job_id FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1) s")" 0 "$1: done twice"
	[ -z "$(find $1/masters $1/derived -name '*.tmp')" ] || die "$1: partial files"
	sq $1 'SELECT access_path FROM pages' | while read -r a; do "$TOOLS/mkimg" check "$1/$a" > /dev/null || die "$1: partial $a"; done
}
for point in write fsync rename commit; do
	ws_init ws-$point capture
	printf 'job.max_attempts = 20\njob.retry_delay = 0\nsupervisor.scan_ms = 50\n' >> ws-$point/sohoa.conf
	expect_ok "$SOHOA" -C ws-$point ingest --profile legacy scans > /dev/null
	SOHOA_CRASH_AT=$point SOHOA_CRASH_AFTER=2 "$SOHOA" -C ws-$point run --drain 2> run-$point.log || die "run with crashes at $point"
	grep -q "died: signal 9" run-$point.log || die "no worker died at '$point'"
	check ws-$point
done
# disk full: every worker's 2nd write fails; the job fails, is retried, and completes
ws_init ws-full capture
printf 'job.max_attempts = 20\njob.retry_delay = 0\nsupervisor.scan_ms = 50\n' >> ws-full/sohoa.conf
expect_ok "$SOHOA" -C ws-full ingest --profile legacy scans > /dev/null
SOHOA_FAIL_WRITE=2 "$SOHOA" -C ws-full run --drain 2> run-full.log || die "run with a full disk"
check ws-full
sq ws-full "SELECT detail FROM events WHERE outcome = 'failure'" | grep -q "No space left on device" || die "ENOSPC not recorded"
