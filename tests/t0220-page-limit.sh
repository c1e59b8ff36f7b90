# t0220 (issue 11, finding 12): a file with more pages than
# ingest.max_pages_per_file is refused at ingest with a clear reason, and
# nothing of it is recorded or kept.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
"$TOOLS/mkimg" bad multi-tiff three.tif
expect_eq "$("$SOHOA" -C ws config --all | grep -c 'ingest.max_pages_per_file.*2000')" 1 "the key and its default"
echo "ingest.max_pages_per_file = 2" >> ws/sohoa.conf
"$SOHOA" -C ws ingest --profile legacy three.tif 2> err; rc=$?
[ "$rc" != 0 ] || die "a file over the page limit was ingested"
expect_grep "cannot ingest 'three.tif': 3 pages, more than ingest.max_pages_per_file (2)" err
expect_eq "$(sq ws 'SELECT count(*) FROM pages')" 0 "pages"
expect_eq "$(sq ws 'SELECT count(*) FROM masters')" 0 "masters"
expect_eq "$(find ws/masters -type f | wc -l)" 0 "master files"
echo "ingest.max_pages_per_file = 3" >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws ingest --profile legacy three.tif > /dev/null
expect_eq "$(sq ws 'SELECT count(*) FROM pages')" 3 "pages at the limit"
exit 0
