# t0460: a rescan replaces its page.  A page its stage held (under the
# profile's dpi) blocks its batch; the operator asks for a rescan and
# ingests the new scan with `ingest --rescan PAGE FILE`: the new page takes
# the old one's place (same batch, same place), the old page and its master
# are kept out of every document, the request is closed with the new page,
# and the batch goes on into documents with the new page in them.  A rescan
# nobody asked for, a file of two pages and the same bytes again are refused
# with the reason, and nothing is changed by them.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
mkdir s
"$TOOLS/mkimg" page s/a.png 1654 2339 200 1
"$TOOLS/mkimg" bad grey-150 s/b.png
"$TOOLS/mkimg" page s/c.png 1654 2339 200 3
"$TOOLS/mkimg" page new.png 1654 2339 200 2
"$TOOLS/mkimg" page other.png 1654 2339 200 4
expect_ok "$SOHOA" -C ws ingest --station st-a --operator lan s > /dev/null
expect_ok "$SOHOA" -C ws run --drain 2> run1.log
old=$(sq ws "SELECT p.id FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'b.png'")
job=$(sq ws "SELECT id FROM jobs WHERE page_id = $old AND state = 'held'")
[ -n "$job" ] || die "the low-dpi page is not held"
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE document_id IS NOT NULL")" 0 "no documents while a page is held"

# not asked for: refused, nothing written
expect_fail "$SOHOA" -C ws ingest --rescan $old new.png 2> err1.txt
expect_grep "page $old: no rescan was requested" err1.txt
expect_eq "$(sq ws "SELECT count(*) FROM masters")" 3 "masters after a refused rescan"

SOHOA_OPERATOR=lan expect_ok "$SOHOA" -C ws jobs rescan $job --reason "the page was scanned at 150 dpi"
expect_eq "$(sq ws "SELECT count(*) FROM rescans WHERE page_id = $old AND done IS NULL")" 1 "rescan request"

# a file of two pages is no rescan of one page
"$TOOLS/mkimg" page two1.tif 800 1100 200 5
"$TOOLS/mkimg" page two2.tif 800 1100 200 6
tiffcp two1.tif two2.tif two.tif || die "tiffcp"
expect_fail "$SOHOA" -C ws ingest --rescan $old two.tif 2> err2.txt
expect_grep "it holds 2 pages, and a rescan replaces one page" err2.txt
expect_eq "$(sq ws "SELECT count(*) FROM masters")" 3 "masters after a refused two-page rescan"
# the same bytes as a page already ingested
expect_fail "$SOHOA" -C ws ingest --rescan $old s/a.png 2> err3.txt
expect_grep "was already ingested" err3.txt

expect_ok "$SOHOA" -C ws ingest --rescan $old --operator minh new.png > out.txt
new=$(sq ws "SELECT new_page_id FROM rescans WHERE page_id = $old AND done IS NOT NULL")
[ -n "$new" ] || die "the request is not closed with the new page"
expect_grep "page $old: replaced by its rescan, page $new" out.txt
expect_eq "$(sq ws "SELECT batch_id || ' ' || seq FROM pages WHERE id = $new")" "$(sq ws "SELECT batch_id || ' ' || seq FROM pages WHERE id = $old")" "the new page's place"
expect_eq "$(sq ws "SELECT dropped FROM pages WHERE id = $old")" 1 "the old page left its batch's documents"
expect_eq "$(sq ws "SELECT state || ' ' || error_code FROM jobs WHERE id = $job")" "done dropped" "the old page's held job"
expect_eq "$(sq ws "SELECT count(*) FROM masters")" 4 "both masters kept"
old_master=$(sq ws "SELECT m.path FROM pages p JOIN masters m ON m.id = p.master_id WHERE p.id = $old")
[ -f "ws/$old_master" ] || die "the old master is gone"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'rescan' AND object = 'page:$old'")" "operator:minh" "rescan event"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'ingestion' AND detail LIKE '%the rescan of page $old%'")" 1 "ingestion event of the new scan"
# asked once, taken once
expect_fail "$SOHOA" -C ws ingest --rescan $old other.png 2> err4.txt
expect_grep "already replaced" err4.txt

expect_ok "$SOHOA" -C ws run --drain 2> run2.log
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE document_id IS NOT NULL")" 3 "the batch made into documents"
expect_eq "$(sq ws "SELECT group_concat(src_name, ' ') FROM (SELECT m.src_name FROM pages p JOIN masters m ON m.id = p.master_id WHERE p.document_id IS NOT NULL ORDER BY p.seq) s")" "a.png new.png c.png" "the documents' pages, in order"
expect_eq "$(sq ws "SELECT CAST(document_id IS NULL AS INTEGER) FROM pages WHERE id = $old")" 1 "the old page in no document"
"$SOHOA" -C ws status --json > st.json
expect_eq "$(jq '.waiting | length' st.json)" 0 "nothing waits"
