# t0450 (issue 11, fault injection): the write paths of capture, pdf, sign
# and export and the database's commits, each failing once per process:
# the Nth write with EIO (SOHOA_FAIL_WRITE=N:eio), the Nth fsync with EIO
# (SOHOA_FAIL_FSYNC=N), the Nth commit with SQLITE_FULL or SQLITE_BUSY
# (SOHOA_FAIL_COMMIT=N[:busy]).  The failed job is retried by a fresh
# worker and completes; no store holds a temporary or half file; nothing is
# lost or done twice; an export that fails leaves no package, and the next
# one builds it.
. "$SOHOA_TOP/tests/lib.sh"
for t in openssl unzip; do command -v $t > /dev/null || skip "no $t (make deps installs it)"; done
FC=000.00.00.G09.2024.07.VP
sh "$TOP/tests/mkca.sh" keys > keys.conf || die "mkca.sh"
mkdir scans
for i in 1 2 3; do "$TOOLS/mkimg" page scans/p$i.png 1240 1754 200 $i; done
setup() {
	ws_init $1 capture,pdf,sign
	cat keys.conf >> $1/sohoa.conf
	printf 'job.max_attempts = 20\njob.retry_delay = 0\nsupervisor.scan_ms = 50\nworker.idle = 1\n' >> $1/sohoa.conf
	expect_ok "$SOHOA" -C $1 fonds add G09 "Bộ Nội vụ" > /dev/null
	expect_ok "$SOHOA" -C $1 file add $FC --paper LT.VP.2024.H07 --fonds G09 --title "Hồ sơ thử" > /dev/null
	expect_ok "$SOHOA" -C $1 ingest --file-code $FC --profile legacy --docs 1,2-3 scans > /dev/null
}
check() {
	expect_eq "$(sq $1 "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "$1: jobs not done: $(sq $1 "SELECT stage || ' ' || state || ' ' || COALESCE(error, '') FROM jobs WHERE state <> 'done'")"
	expect_eq "$(sq $1 "SELECT count(*) FROM jobs WHERE stage = 'sign' AND state = 'done'")" 2 "$1: documents signed"
	expect_eq "$(sq $1 "SELECT count(*) FROM (SELECT job_id FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1) s")" 0 "$1: done twice"
	[ -z "$(find $1/masters $1/derived $1/exports -name '*.tmp' 2>/dev/null)" ] || die "$1: temporary files in a store"
	sq $1 'SELECT access_path FROM pages' | while read -r a; do "$TOOLS/mkimg" check "$1/$a" > /dev/null || die "$1: half access copy $a"; done
	sq $1 'SELECT signed_path FROM documents' | while read -r p; do
		case "$p" in /*) ;; *) p="$1/$p" ;; esac
		tail -c 32 "$p" | grep -q '%%EOF' || die "$1: half signed PDF $p"
	done
}
setup ws-eio
SOHOA_FAIL_WRITE=2:eio "$SOHOA" -C ws-eio run --drain 2> run-eio.log || die "run with EIO on writes"
check ws-eio
sq ws-eio "SELECT detail FROM events WHERE outcome = 'failure'" | grep -q "Input/output error" || die "EIO not recorded"
setup ws-fsync
SOHOA_FAIL_FSYNC=3 "$SOHOA" -C ws-fsync run --drain 2> run-fsync.log || die "run with failing fsyncs"
check ws-fsync
grep -q "cannot fsync" run-fsync.log || die "no fsync failure was injected"
for kind in full busy; do
	setup ws-$kind
	SOHOA_FAIL_COMMIT=4:$kind "$SOHOA" -C ws-$kind run --drain 2> run-$kind.log || die "run with a failing commit ($kind)"
	check ws-$kind
	grep -q "cannot commit" run-$kind.log || die "no commit failure was injected ($kind)"
done
# export: a failing fsync leaves no package; the next export builds it whole
SOHOA_FAIL_FSYNC=1 "$SOHOA" -C ws-eio export > exp.out 2> exp.err && die "export went on through a failed fsync"
[ -z "$(find ws-eio/exports -name '*.zip' 2>/dev/null)" ] || die "a package after a failed export"
[ -z "$(find ws-eio/exports ws-eio/tmp -name '*.tmp' 2>/dev/null)" ] || true
expect_ok "$SOHOA" -C ws-eio export > exp.out
zip=$(grep '\.zip$' exp.out)
unzip -tq "$zip" > /dev/null || die "package not whole after a retry"
exit 0
