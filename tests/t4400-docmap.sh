# t4400: pages to documents at the fan-in: the operator's mapping given at
# ingest, then a correction with `sohoa doc map`; names by file code.
# DRAFT: needs `sohoa ingest --docs RANGES` (the lead stores it with
# docmap_operator_map()); skipped until ingest knows the option.
. "$SOHOA_TOP/tests/lib.sh"
"$SOHOA" ingest --help 2>&1 | grep -q -- '--docs' || skip "ingest --docs not yet available"
ws_init ws capture
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2010.01.TH --paper LT.1 > /dev/null
mkdir scans
for i in 1 2 3 4 5; do "$TOOLS/mkimg" page scans/p$i.tif 1654 2339 200 $i; done
expect_ok "$SOHOA" -C ws ingest --file-code 000.00.00.G09.2010.01.TH --docs 1-2,3-5 scans > /dev/null
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
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'document mapping'")" 2 "mapping events"
exit 0
