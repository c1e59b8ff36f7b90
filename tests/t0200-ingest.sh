# t0200: ingest copies scans into the read-only masters store with SHA-256 and
# size, splits multi-page TIFFs, refuses the same bytes twice, and the
# capture stage records what each scan is.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
mkdir scans
"$TOOLS/mkimg" page scans/p1.tif 1654 2339 200 1
"$TOOLS/mkimg" page scans/p2.jpg 1654 2339 200 2
"$TOOLS/mkimg" page scans/p3.png 2480 3508 300 3
"$TOOLS/mkimg" bad multi-tiff scans/p4.tif
expect_ok "$SOHOA" -C ws ingest --file-code 000.00.00.G09.2010.01.TH --station may-quet-2 --operator lan scans > out
expect_grep "batch 1: 6 pages from 4 files" out
expect_eq "$(sq ws 'SELECT count(*) FROM masters')" 4 "masters"
expect_eq "$(sq ws "SELECT count(*) FROM pages WHERE master_id = (SELECT id FROM masters WHERE src_name = 'p4.tif')")" 3 "pages of the multi-page TIFF"
# the master is a byte copy, read-only, named by its SHA-256
sha=$(sha256sum scans/p1.tif | cut -d' ' -f1)
m=$(sq ws "SELECT path FROM masters WHERE sha256 = '$sha'")
cmp scans/p1.tif "ws/$m" || die "master differs from the scan"
expect_eq "$(stat -c %a "ws/$m")" 444 "master mode"
expect_eq "$(sq ws "SELECT size FROM masters WHERE sha256 = '$sha'")" "$(stat -c %s scans/p1.tif)" "size"
# the same bytes again are refused, naming the file
cp scans/p1.tif again.tif
expect_fail "$SOHOA" -C ws ingest again.tif 2> err
expect_grep "'again.tif' was already ingested (same bytes as 'p1.tif' in batch 1)" err
expect_eq "$(sq ws 'SELECT count(*) FROM batches')" 1 "no empty batch left behind"
expect_ok "$SOHOA" -C ws run --drain
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'capture' AND state = 'done'")" 6 "captured"
expect_eq "$(sq ws "SELECT width || 'x' || height || '@' || dpi || ' ' || bits || ' ' || colour FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'p3.png'")" "2480x3508@300 24 rgb" "what capture recorded"
# the master was not modified by the pipeline
expect_eq "$(sha256sum "ws/$m" | cut -d' ' -f1)" "$sha" "master unchanged"
# batch, station and operator recorded; one ingestion event per file
expect_eq "$(sq ws "SELECT station || '/' || operator FROM batches")" "may-quet-2/lan" "batch"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'ingestion'")" 4 "ingestion events"
# the audit log is append-only
expect_fail sq ws "DELETE FROM events" 2> err
expect_grep "append-only" err
