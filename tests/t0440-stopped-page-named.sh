# t0440: finding 17 of issue 11, a held or quarantined page blocks its whole
# batch (its documents are formed only when every page passed): status names
# each batch and document that waits and the job it waits for, and the
# operator answers from the command line, each answer an audit event with
# who and why: accept as is (the held page passes the rule it broke instead
# of the same check running again), rescan request, drop the page from its
# document (the batch then goes on without it); retry is `jobs retry`.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
mkdir s1 s2
"$TOOLS/mkimg" page s1/a.png 1654 2339 200 1
"$TOOLS/mkimg" page s1/b.png 1654 2339 200 2
"$TOOLS/mkimg" bad grey-150 s1/low.png
"$TOOLS/mkimg" page s2/c.png 1654 2339 200 3
"$TOOLS/mkimg" bad empty s2/empty.png
expect_ok "$SOHOA" -C ws ingest s1 > /dev/null
expect_ok "$SOHOA" -C ws ingest s2 > /dev/null
expect_ok "$SOHOA" -C ws run --drain 2> run1.log
"$SOHOA" -C ws status --json > st1.json
expect_eq "$(jq '.backlog' st1.json)" 0 "backlog"
expect_eq "$(jq -c '[.waiting[] | [.batch, .pages, (.waits_for | length)]]' st1.json)" '[[1,3,1],[2,2,1]]' "what waits"
low=$(sq ws "SELECT j.id FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'low.png'")
empty=$(sq ws "SELECT j.id FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'empty.png'")
expect_eq "$(jq -c ".waiting[0].waits_for[0] | [.job, .stage, .state]" st1.json)" "[$low,\"capture\",\"held\"]" "batch 1 waits for"
jq -r '.waiting[0].waits_for[0].reason' st1.json | grep -q "dpi" || die "the reason names the dpi rule"
expect_eq "$(jq -c ".waiting[1].waits_for[0] | [.job, .state]" st1.json)" "[$empty,\"quarantined\"]" "batch 2 waits for"
"$SOHOA" -C ws status > st1.txt
expect_grep "batch 1 (file '', 3 pages) is not made into documents until these pages pass" st1.txt
expect_grep "job $low capture held" st1.txt
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE document_id IS NOT NULL")" 0 "pages in documents before"

# accept as is: a reason is required; the held page passes the dpi rule
expect_fail "$SOHOA" -C ws jobs accept $low
SOHOA_OPERATOR=lan expect_ok "$SOHOA" -C ws jobs accept $low --reason "the only copy of this page"
expect_eq "$(sq ws "SELECT accepted FROM jobs WHERE id = $low")" "operator:lan: the only copy of this page" "accepted by"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'accept as is' AND agent = 'operator:lan' AND object = 'job:$low'")" 1 "accept event"
expect_fail "$SOHOA" -C ws jobs accept $empty --reason "bad input cannot be accepted"
expect_ok "$SOHOA" -C ws run --drain 2> run2.log
expect_eq "$(sq ws "SELECT state FROM jobs WHERE id = $low")" done "accepted page's capture"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'validation' AND outcome = 'accepted as is' AND detail LIKE 'operator:lan:%'")" 1 "capture says it let the rule pass"
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE batch_id = 1 AND document_id IS NOT NULL")" 3 "batch 1 made into documents"

# rescan request: stays held, says so; then drop the page from its document
SOHOA_OPERATOR=minh expect_ok "$SOHOA" -C ws jobs rescan $empty --reason "the sheet was torn"
expect_eq "$(sq ws "SELECT state || ' ' || error_code FROM jobs WHERE id = $empty")" "held rescan_requested" "after the rescan request"
expect_eq "$(sq ws "SELECT group_concat(CASE WHEN object LIKE 'page:%' THEN 'page:' WHEN object LIKE 'job:%' THEN 'job:' ELSE object END, ' ') FROM events WHERE type = 'rescan request' AND agent = 'operator:minh'")" "page: job:" "rescan events (the page's request, the job's state)"
expect_eq "$(sq ws "SELECT count(*) FROM rescans WHERE done IS NULL AND reason = 'the sheet was torn'")" 1 "the station's rescan list"
SOHOA_OPERATOR=minh expect_ok "$SOHOA" -C ws jobs drop $empty --reason "a blank cover sheet"
expect_eq "$(sq ws "SELECT state || ' ' || error_code FROM jobs WHERE id = $empty")" "done dropped" "dropped page's job"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'page dropped' AND detail LIKE '%a blank cover sheet'")" 1 "drop event"
# the drop queues the batch's fan-in job; a worker forms the documents
expect_eq "$(sq ws "SELECT state FROM jobs WHERE stage = 'fanin' AND batch_id = 2")" ready "batch 2's fan-in job"
expect_ok "$SOHOA" -C ws run --drain 2> run3.log
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE batch_id = 2 AND document_id IS NOT NULL")" 1 "batch 2 made into documents without it"
expect_eq "$(sq ws "SELECT CAST(document_id IS NULL AND dropped = 1 AS INTEGER) FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'empty.png'")" 1 "dropped page"
"$SOHOA" -C ws status --json > st2.json
expect_eq "$(jq '.waiting | length' st2.json)" 0 "nothing waits"
expect_fail "$SOHOA" -C ws jobs drop $low --reason "already in a document"
