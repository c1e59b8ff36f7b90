# t0460: the fan-in as its own step (issue 12, item 4).  A batch's pages
# become documents in a job of its own (stage 'fanin', one per batch),
# queued once every page passed the page stages, visible in `sohoa jobs`
# and `sohoa status`, with its audit event; a batch whose last page is
# dropped still forms its documents; a fan-in worker SIGKILLed in the middle
# of its commit (SOHOA_CRASH_AT=fanin) loses nothing and doubles nothing.
. "$SOHOA_TOP/tests/lib.sh"
mkdir s1 s2 s3
for i in 1 2 3; do "$TOOLS/mkimg" page s1/p$i.png 1240 1754 150 $i || die "mkimg"; done
"$TOOLS/mkimg" page s2/a.png 1240 1754 150 4 || die "mkimg"
"$TOOLS/mkimg" page s2/b.png 1240 1754 150 5 || die "mkimg"
"$TOOLS/mkimg" bad empty s2/c.png || die "mkimg"
for i in 1 2 3 4 5; do "$TOOLS/mkimg" page s3/q$i.png 1240 1754 150 $((i + 5)) || die "mkimg"; done

# (a) the fan-in runs as its own job, after the pages, before documents
ws_init ws capture
printf 'supervisor.scan_ms = 50\n' >> ws/sohoa.conf
"$SOHOA" -C ws stages > stages.txt
expect_eq "$(awk '{ printf "%s:%s ", $1, $2 }' stages.txt)" "capture:page fanin:batch " "the pipeline"
expect_ok "$SOHOA" -C ws ingest --profile legacy --docs 1,2-3 s1 > /dev/null
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'fanin'")" 0 "fan-in job before the pages passed"
expect_ok "$SOHOA" -C ws run --drain 2> run1.log
expect_eq "$(sq ws "SELECT state || ' ' || batch_id || ' ' || CAST(page_id IS NULL AS INTEGER) || CAST(document_id IS NULL AS INTEGER) FROM jobs WHERE stage = 'fanin'")" \
	"done 1 11" "the fan-in job"
fanin=$(sq ws "SELECT id FROM jobs WHERE stage = 'fanin'")
"$SOHOA" -C ws jobs > jobs.txt
awk -v id="$fanin" '$1 == id { print $2, $5, $6 }' jobs.txt > got
echo "fanin 1 done" > want
diff -u want got || die "sohoa jobs shows the fan-in job with its batch"
"$SOHOA" -C ws status --json > st.json
expect_eq "$(jq -c '[.stages[] | select(.name == "fanin") | .unit]' st.json)" '["batch"]' "status names the fan-in stage"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE job_id = $fanin AND object = 'batch:1' AND type = 'document formation' AND outcome = 'success'")" 1 "the fan-in's event"
sq ws "SELECT detail FROM events WHERE job_id = $fanin" | grep -q "^2 documents: batch-1.1 (1 pages), batch-1.2 (2 pages)" || die "the event names the documents"
expect_eq "$(sq ws "SELECT count(*) FROM documents WHERE state = 'ready'")" 2 "documents ready"
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE document_id IS NULL")" 0 "pages left out"

# (b) a batch whose last page is dropped still forms its documents
expect_ok "$SOHOA" -C ws ingest --profile legacy s2 > /dev/null
expect_ok "$SOHOA" -C ws run --drain 2> run2.log
bad=$(sq ws "SELECT j.id FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'c.png'")
expect_eq "$(sq ws "SELECT state FROM jobs WHERE id = $bad")" quarantined "the bad last page"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'fanin' AND batch_id = 2")" 0 "fan-in job while a page waits"
expect_ok "$SOHOA" -C ws jobs drop "$bad" --reason "an empty file" 2> drop.err
expect_eq "$(sq ws "SELECT state FROM jobs WHERE stage = 'fanin' AND batch_id = 2")" ready "fan-in job queued by the drop"
expect_ok "$SOHOA" -C ws run --drain 2> run3.log
expect_eq "$(sq ws "SELECT state FROM jobs WHERE stage = 'fanin' AND batch_id = 2")" done "batch 2's fan-in"
expect_eq "$(sq ws "SELECT count(*) || ' ' || count(DISTINCT document_id) FROM pages WHERE batch_id = 2 AND document_id IS NOT NULL")" "2 1" "batch 2's document"
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE batch_id = 2 AND dropped = 1 AND document_id IS NULL")" 1 "the dropped page"

# (c) the fan-in worker killed in its commit, twice: the job is quarantined
# (the worker died too often) and nothing of the documents is written; a
# retry forms them exactly once
ws_init wk capture
printf 'supervisor.scan_ms = 50\njob.max_attempts = 2\n' >> wk/sohoa.conf
expect_ok "$SOHOA" -C wk ingest --profile legacy --docs 1-2,3,4- s3 > /dev/null
SOHOA_CRASH_AT=fanin "$SOHOA" -C wk run --drain 2> runk1.log || die "run with the fan-in killed"
grep -q "(fanin) died: signal 9" runk1.log || die "no fan-in worker died"
expect_eq "$(sq wk "SELECT state || ' ' || attempts || ' ' || error_code FROM jobs WHERE stage = 'fanin'")" "quarantined 2 worker_died" "the killed fan-in"
expect_eq "$(sq wk "SELECT count(*) FROM documents")" 0 "documents written by a killed fan-in"
expect_eq "$(sq wk "SELECT count(*) FROM pages WHERE document_id IS NOT NULL OR separator <> 0")" 0 "pages mapped by a killed fan-in"
expect_eq "$(sq wk "SELECT count(*) FROM events WHERE type = 'document formation'")" 0 "events of a killed fan-in"
expect_ok "$SOHOA" -C wk jobs retry "$(sq wk "SELECT id FROM jobs WHERE stage = 'fanin'")" > /dev/null
expect_ok "$SOHOA" -C wk run --drain 2> runk2.log
expect_eq "$(sq wk "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs not done"
expect_eq "$(sq wk "SELECT group_concat(name || ':' || state || ':' || (SELECT count(*) FROM pages p WHERE p.document_id = d.id), ' ') FROM (SELECT * FROM documents ORDER BY stt) d")" \
	"batch-1.1:ready:2 batch-1.2:ready:1 batch-1.3:ready:2" "documents formed once"
expect_eq "$(sq wk "SELECT count(*) FROM events WHERE type = 'document formation'")" 1 "one fan-in event"
expect_eq "$(sq wk "SELECT count(*) FROM jobs WHERE stage = 'fanin'")" 1 "one fan-in job"
