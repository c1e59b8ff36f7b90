# t4400: pages to documents at the fan-in: the operator's mapping given at
# ingest (`--docs`), applied when the batch closes; the file code checked
# before anything is copied (a legacy 169/HD alias resolved to its code);
# then a correction with `sohoa doc map`; names by file code.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2010.01.TH --paper LT.1 --alias Q3-5-1-10 > /dev/null
mkdir scans
for i in 1 2 3 4 5; do "$TOOLS/mkimg" page scans/p$i.tif 1654 2339 200 $i || die "mkimg"; done
masters() { find ws/masters -type f 2>/dev/null | wc -l; }

# refused before anything is copied: a malformed code, a legacy name that is
# no file's alias, a legacy document name, a map that does not fit the pages
"$SOHOA" -C ws ingest --file-code 000.00.00.G09.10.TH scans 2> err; rc=$?
expect_eq "$rc" 65 "exit status for a malformed file code"
expect_grep "file code '000.00.00.G09.10.TH'" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-11 scans 2> err
expect_grep "alias of no file" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-10-2 scans 2> err
expect_grep "legacy 169/HD name of a document" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-10 --docs 1-2,3-4 scans 2> err
expect_grep "pages 5-5 are in no document" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-10 --docs 1-2,4-5 scans 2> err
expect_grep "range 4-5: expected ranges in order from page 3" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-10 --docs 1-9 scans 2> err
expect_grep "within the batch's 5 pages" err
expect_fail "$SOHOA" -C ws ingest --file-code Q3-5-1-10 --docs 'a-2' scans 2> err
expect_grep "expected page ranges like" err
expect_eq "$(masters)" 0 "masters copied by refused ingests"
expect_eq "$(sq ws 'SELECT count(*) FROM batches')" 0 "batches left by refused ingests"

# the legacy alias is resolved: the batch records the file's code
expect_ok "$SOHOA" -C ws ingest --file-code Q3-5-1-10 --docs 1-2,3- scans > /dev/null
expect_eq "$(sq ws 'SELECT file_code FROM batches')" 000.00.00.G09.2010.01.TH "batch file code"
expect_eq "$(sq ws "SELECT detail FROM events WHERE type = 'document mapping'")" "1-2,3-" "mapping event"
expect_ok "$SOHOA" -C ws run --drain
"$SOHOA" -C ws doc list 000.00.00.G09.2010.01.TH | cut -f3,5 > got
printf '000.00.00.G09.2010.01.TH.1\t2\n000.00.00.G09.2010.01.TH.2\t3\n' > want
diff -u want got || die "operator mapping"
# move the third page into document 1; a new document 3 takes page 5
p3=$(sq ws "SELECT id FROM pages ORDER BY seq LIMIT 1 OFFSET 2")
p5=$(sq ws "SELECT id FROM pages ORDER BY seq LIMIT 1 OFFSET 4")
expect_ok "$SOHOA" -C ws doc map 000.00.00.G09.2010.01.TH.1 "$p3" > /dev/null
expect_ok "$SOHOA" -C ws doc map 000.00.00.G09.2010.01.TH.3 "$p5" > /dev/null
"$SOHOA" -C ws doc list 000.00.00.G09.2010.01.TH | cut -f3,5 > got
printf '000.00.00.G09.2010.01.TH.1\t3\n000.00.00.G09.2010.01.TH.2\t1\n000.00.00.G09.2010.01.TH.3\t1\n' > want
diff -u want got || die "corrected mapping"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'document mapping' AND object LIKE 'page:%'")" 2 "page mapping events"

# a file refused while the batch is ingested: the map no longer fits the
# pages that came in; the batch is kept, mapped by the profile's rules
# (one document), and the operator is told to correct it
mkdir scans2
for i in 6 7 8; do "$TOOLS/mkimg" page scans2/p$i.tif 1654 2339 200 $i || die "mkimg"; done
cp scans/p1.tif scans2/p0.tif   # the same bytes as an ingested page: refused
"$SOHOA" -C ws ingest --file-code 000.00.00.G09.2010.01.TH --docs 1,2,3-4 scans2 > out 2> err; rc=$?
expect_eq "$rc" 65 "exit status when the map was not applied"
expect_grep "the map was not applied" err
expect_grep "sohoa doc map" err
expect_grep "batch 2: 3 pages" out
expect_ok "$SOHOA" -C ws run --drain
expect_eq "$(sq ws 'SELECT count(DISTINCT document_id) FROM pages WHERE batch_id = 2')" 1 "documents of the unmapped batch"
expect_eq "$(sq ws 'SELECT count(*) FROM pages WHERE batch_id = 2 AND document_id IS NULL')" 0 "pages left out"
exit 0
