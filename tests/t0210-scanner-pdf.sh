# t0210: scanner PDFs.  A PDF is a master like an image file (copied,
# SHA-256, read-only) and gives one page per PDF page; capture extracts a
# page's only image at its own size and resolution, renders a page that holds
# several images (MRC layers) or none, and quarantines a PDF that cannot be
# read with a reason naming it, while the rest of the batch goes on.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws "capture orient deskew clean blank"
mkdir "quét lô 1"
pdf="quét lô 1/hồ sơ 01.pdf"   # spaces and Vietnamese in the name
"$TOOLS/mkimg" pdf "$pdf" jpeg:1654:2339:200 g4:2480:3508:300 flate:1240:1754:150 || die "mkimg pdf"
"$TOOLS/mkimg" pdf "quét lô 1/mixed.pdf" jpeg:1240:1754:150 mrc:1654:2339:200 text:1240:1754:150 || die "mkimg mixed"
"$TOOLS/mkimg" pdf whole.pdf jpeg:1654:2339:200 flate:1654:2339:200 || die "mkimg whole"
head -c $(($(stat -c %s whole.pdf) / 2)) whole.pdf > "quét lô 1/cut.pdf"
echo "not a PDF, only a name" > "quét lô 1/notes.pdf"
"$TOOLS/mkimg" page "quét lô 1/p9.tif" 1654 2339 200 9
n=5
if command -v qpdf > /dev/null; then
	qpdf --encrypt user owner 256 -- whole.pdf "quét lô 1/locked.pdf" || die "qpdf"
	n=6
fi
expect_ok "$SOHOA" -C ws ingest --profile legacy --station may-2 "quét lô 1" > out 2> err
expect_grep "batch 1: $((3 + 3 + 1 + 1 + 1 + n - 5)) pages from $n files" out

# the PDF is the master: a byte copy, read-only, named and recorded by its SHA-256
sha=$(sha256sum "$pdf" | cut -d' ' -f1)
expect_eq "$(sq ws "SELECT sha256 FROM masters WHERE src_name = 'hồ sơ 01.pdf'")" "$sha" "master SHA-256"
m=$(sq ws "SELECT path FROM masters WHERE sha256 = '$sha'")
cmp "$pdf" "ws/$m" || die "master differs from the PDF"
expect_eq "$(stat -c %a "ws/$m")" 444 "master mode"
expect_eq "$(sq ws "SELECT nimages FROM masters WHERE sha256 = '$sha'")" 3 "pages counted"
expect_eq "$(sq ws "SELECT group_concat(img_index, ',') FROM (SELECT img_index FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.sha256 = '$sha' ORDER BY seq) s")" "0,1,2" "one page per PDF page"
sq ws "SELECT detail FROM events WHERE type = 'ingestion' AND object = 'master:$sha'" | grep -q "PDF, 3 pages" || die "ingestion event"

expect_ok "$SOHOA" -C ws run --drain 2> run.log
page() { sq ws "SELECT p.width || 'x' || p.height || '@' || p.dpi || ' ' || p.bits || ' ' || p.colour FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1' AND p.img_index = $2"; }
state() { sq ws "SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1' AND p.img_index = $2 AND j.stage = '$3'"; }
pid() { sq ws "SELECT p.id FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1' AND p.img_index = $2"; }
vdetail() { sq ws "SELECT detail FROM events WHERE type = 'validation' AND detail LIKE '''$1'' page $2:%'"; }

# the embedded images at their own size and resolution: JPEG, CCITT G4, Flate grey
expect_eq "$(page 'hồ sơ 01.pdf' 0)" "1654x2339@200 24 rgb" "JPEG page"
expect_eq "$(page 'hồ sơ 01.pdf' 1)" "2480x3508@300 1 bitonal" "G4 page"
expect_eq "$(page 'hồ sơ 01.pdf' 2)" "1240x1754@150 8 grey" "Flate page"
for i in 0 1 2; do
	expect_eq "$(state 'hồ sơ 01.pdf' $i blank)" done "page $i through blank"
	vdetail 'hồ sơ 01.pdf' $((i + 1)) | grep -q "image extracted" || die "page $i: $(vdetail 'hồ sơ 01.pdf' $((i + 1)))"
done
# the access copies capture wrote hold the images as they are
cap() { head -c 100 "ws/derived/pages/$(pid "$1" $2)/capture.pnm" | sed -n '/^#/d;1p;/^[0-9]/{p;q}' | tr '\n' ' ' | cut -d' ' -f1-3; }
expect_eq "$(cap 'hồ sơ 01.pdf' 0)" "P6 1654 2339" "JPEG access copy"
expect_eq "$(cap 'hồ sơ 01.pdf' 1)" "P4 2480 3508" "G4 access copy"
expect_eq "$(cap 'hồ sơ 01.pdf' 2)" "P5 1240 1754" "Flate access copy"
for i in 0 1 2; do
	a=$(sq ws "SELECT access_path FROM pages WHERE id = $(pid 'hồ sơ 01.pdf' $i)")
	[ -s "ws/$a" ] || die "no access copy for page $i: '$a'"
done
expect_eq "$(sha256sum "ws/$m" | cut -d' ' -f1)" "$sha" "master unchanged"

# a page with one image is extracted; an MRC page (two images) and a page of
# text only are rendered, at the largest image's ppi or 300, and the event says so
expect_eq "$(page mixed.pdf 0)" "1240x1754@150 24 rgb" "mixed: image page"
vdetail mixed.pdf 1 | grep -q "JPEG image extracted" || die "mixed page 1: $(vdetail mixed.pdf 1)"
expect_eq "$(page mixed.pdf 1)" "1654x2339@200 24 rgb" "mixed: MRC page rendered at its text layer's ppi"
vdetail mixed.pdf 2 | grep -q "rendered at 200 dpi.*2 images" || die "mixed page 2: $(vdetail mixed.pdf 2)"
vdetail mixed.pdf 3 | grep -q "rendered at 300 dpi: the page holds no image" || die "mixed page 3: $(vdetail mixed.pdf 3)"
for i in 0 1 2; do expect_eq "$(state mixed.pdf $i blank)" done "mixed page $i"; done

# unreadable PDFs are quarantined with a reason naming them; the rest goes on
reason() { sq ws "SELECT j.error FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1'"; }
bad="cut.pdf notes.pdf"
[ $n = 6 ] && bad="$bad locked.pdf"
for f in $bad; do
	expect_eq "$(state $f 0 capture)" quarantined "$f"
	reason $f | grep -q "'$f'" || die "the reason for $f does not name it: $(reason $f)"
	ls ws/quarantine/*"$f" > /dev/null 2>&1 || die "$f not kept in quarantine/"
	ls ws/quarantine/*"$f.reason.txt" > /dev/null 2>&1 || die "no reason file for $f"
done
reason cut.pdf | grep -q "truncated" || die "cut.pdf: $(reason cut.pdf)"
reason notes.pdf | grep -q "not a PDF" || die "notes.pdf: $(reason notes.pdf)"
[ $n = 6 ] && { reason locked.pdf | grep -q "encrypted" || die "locked.pdf: $(reason locked.pdf)"; }
expect_eq "$(state p9.tif 0 blank)" done "the TIFF of the same batch"
# no temporary file left behind (on PostgreSQL a node keeps its folder and
# the wake-up FIFOs, which another node on this host may listen on)
expect_eq "$(find ws/tmp -type f | wc -l)" 0 "files left in tmp/"

# the hot folder takes a PDF too
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-3
"$TOOLS/mkimg" pdf ws/inbox/may-3/scan.pdf jpeg:1654:2339:200 g4:1654:2339:200 || die "mkimg hot"
expect_ok "$SOHOA" -C ws watch --once > out
expect_grep "1 files taken" out
expect_eq "$(sq ws "SELECT count(*) FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'scan.pdf'")" 2 "hot folder PDF pages"

# without poppler-utils, ingest refuses a PDF (nothing recorded) and capture
# retries with a clear message (quarantined only after job.max_attempts)
mkdir nobin
ws_init ws2 capture
printf 'job.max_attempts = 2\njob.retry_delay = 0\n' >> ws2/sohoa.conf
expect_fail env PATH="$PWD/nobin" "$SOHOA" -C ws2 ingest whole.pdf 2> err
expect_grep "cannot count the pages of 'whole.pdf': 'pdfinfo' is not installed: install poppler-utils" err
expect_eq "$(sq ws2 'SELECT count(*) FROM masters')" 0 "nothing recorded"
expect_eq "$(find ws2/masters -type f | wc -l)" 0 "no master left without its record"
expect_ok "$SOHOA" -C ws2 ingest whole.pdf > /dev/null
expect_ok env PATH="$PWD/nobin" "$SOHOA" -C ws2 run --drain 2> /dev/null
expect_eq "$(sq ws2 "SELECT state || ' ' || attempts FROM jobs WHERE page_id = 1")" "quarantined 2" "retried, then quarantined"
sq ws2 "SELECT error FROM jobs WHERE page_id = 1" | grep -q "'whole.pdf' page 1: 'pdfinfo' is not installed: install poppler-utils" || die "retry reason: $(sq ws2 'SELECT error FROM jobs WHERE page_id = 1')"

# a pdfinfo that crashes on a crafted PDF: the file is registered and its
# page quarantined with the reason, not refused or retried for ever
mkdir crashbin
printf '#!/bin/sh\nkill -SEGV $$\n' > crashbin/pdfinfo && chmod +x crashbin/pdfinfo
for t in pdfimages pdftoppm; do ln -s "$(command -v $t)" crashbin/$t; done
ws_init ws3 capture
cp whole.pdf crafted.pdf && printf '%% crafted\n' >> crafted.pdf
expect_ok env PATH="$PWD/crashbin:$PATH" "$SOHOA" -C ws3 ingest crafted.pdf > /dev/null
expect_ok env PATH="$PWD/crashbin:$PATH" "$SOHOA" -C ws3 run --drain 2> /dev/null
expect_eq "$(sq ws3 "SELECT state FROM jobs WHERE page_id = 1")" quarantined "page of a PDF pdfinfo crashes on"
sq ws3 "SELECT error FROM jobs WHERE page_id = 1" | grep -q "'crafted.pdf'.*killed by signal 11" || die "crash reason: $(sq ws3 'SELECT error FROM jobs WHERE page_id = 1')"
exit 0
