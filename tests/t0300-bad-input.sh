# t0300: bad input is quarantined with a reason (kept, never deleted), odd but
# valid input is processed, and the rest of the batch is unaffected.  Scans
# below the profile's resolution are held for the operator.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
mkdir scans
for k in empty:png trunc-tiff:tif trunc-jpeg:jpg text-tif:tif png-alpha:png tiff16:tif tiny:png huge-header:png palette:png cmyk-jpeg:jpg; do
	"$TOOLS/mkimg" bad "${k%%:*}" "scans/${k%%:*}.${k##*:}" || die "mkimg $k"
done
"$TOOLS/mkimg" page scans/good1.tif 1654 2339 200 1
"$TOOLS/mkimg" page scans/good2.jpg 1654 2339 200 2
expect_ok "$SOHOA" -C ws ingest --profile legacy scans > /dev/null
expect_ok "$SOHOA" -C ws run --drain
state() { sq ws "SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1'"; }
reason() { sq ws "SELECT j.error FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1'"; }
for f in empty.png trunc-tiff.tif trunc-jpeg.jpg text-tif.tif tiny.png huge-header.png; do
	expect_eq "$(state $f)" quarantined "$f"
	reason $f | grep -q "$f" || die "the reason for $f does not name it: $(reason $f)"
	ls ws/quarantine/*"$f" > /dev/null 2>&1 || die "$f not kept in quarantine/"
	ls ws/quarantine/*"$f.reason.txt" > /dev/null 2>&1 || die "no reason file for $f"
done
reason empty.png | grep -q "is empty" || die "empty: $(reason empty.png)"
reason huge-header.png | grep -q "100000x100000" || die "huge: $(reason huge-header.png)"
reason tiny.png | grep -q "too small" || die "tiny: $(reason tiny.png)"
reason trunc-tiff.tif | grep -q "truncated" || die "trunc-tiff: $(reason trunc-tiff.tif)"
reason trunc-jpeg.jpg | grep -q "truncated" || die "trunc-jpeg: $(reason trunc-jpeg.jpg)"
for f in png-alpha.png tiff16.tif palette.png cmyk-jpeg.jpg good1.tif good2.jpg; do
	expect_eq "$(state $f)" done "$f"
done
# the access copies are normalized: no alpha, 8 bits per channel
expect_eq "$(sq ws "SELECT colour FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'png-alpha.png'")" rgba "alpha recorded"
head -c 2 "ws/$(sq ws "SELECT access_path FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'tiff16.tif'")" | grep -q P5 || die "16-bit not reduced to 8-bit grey"
# the supervisor survived and status counts them
"$SOHOA" -C ws status --json > s.json
expect_eq "$(jq '.stages[0].quarantined' s.json)" 6 "quarantined count"
expect_eq "$(jq '.stages[0].done' s.json)" 6 "done count"
# profile rules: a 150 dpi grey scan under the office profile is held, not passed on
ws_init ws2 capture
"$TOOLS/mkimg" bad grey-150 low.png
expect_ok "$SOHOA" -C ws2 ingest low.png > /dev/null
expect_ok "$SOHOA" -C ws2 run --drain
expect_eq "$(sq ws2 'SELECT state FROM jobs')" held "low resolution held"
sq ws2 'SELECT error FROM jobs' | grep -q "150 dpi; profile 'a4-office' needs at least 200 dpi" || die "hold reason: $(sq ws2 'SELECT error FROM jobs')"
# ... and released by the operator (e.g. after accepting the profile exception)
sed -i 's/^min_dpi = 200/min_dpi = 150/; s/^colour = colour/colour = any/; s/^min_bits = 24/min_bits = 8/' ws2/scanner-profiles/a4-office.conf
expect_ok "$SOHOA" -C ws2 jobs release 1
expect_ok "$SOHOA" -C ws2 run --drain
expect_eq "$(sq ws2 'SELECT state FROM jobs WHERE page_id IS NOT NULL')" done "released and done"
