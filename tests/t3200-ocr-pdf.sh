# t3200: pages through ocr and pdf.  A Vietnamese page (turned upside down
# and skewed) is read into NFC text with its tone marks, within a CER bound
# (build/tools/cer against the sample's text), with hOCR and ALTO beside it;
# pages under ocr.min_confidence are on the review list of `status --json`;
# the document is a PDF/A-2b that tests/tools/pdfcheck.sh accepts (qpdf
# --check, fonts embedded, pdftotext returns the words, XMP pdfaid part 2 B).
# The inputs ocrmypdf refuses or mishandles (PNG with alpha, multi-page
# TIFF, CMYK JPEG, 16-bit TIFF, palette PNG) end as pages of that PDF.
. "$SOHOA_TOP/tests/lib.sh"
command -v pango-view > /dev/null || skip "no pango-view (apt-get install pango1.0-tools)"
command -v pdftotext > /dev/null || skip "no pdftotext (apt-get install poppler-utils)"
command -v qpdf > /dev/null || skip "no qpdf (apt-get install qpdf)"
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || skip "no Tesseract vie model (apt-get install tesseract-ocr-vie)"
mkdir scans gt
pango-view --font='Liberation Serif 13' --dpi=200 --margin=0 --width=450 --background=white -q \
	-o qd.png "$TOP/tests/samples/quyetdinh.txt" || die "pango-view"
expect_ok "$TOOLS/mkpage" --dpi 200 --skew -1.3 --rotate 180 --noise 0.02 --seed 31 -o scans/a-quyetdinh.jpg qd.png
cp "$TOP/tests/samples/quyetdinh.txt" gt/a-quyetdinh.gt.txt
for k in png-alpha:png multi-tiff:tif cmyk-jpeg:jpg tiff16:tif palette:png; do
	expect_ok "$TOOLS/mkimg" bad "${k%%:*}" "scans/b-${k%%:*}.${k##*:}"
done
ws_init ws "capture orient deskew clean blank ocr pdfpage pdf"
# the word-like blocks of mkimg's pages read as nothing much: below 40
echo "ocr.min_confidence = 40" >> ws/sohoa.conf
echo "ocr.workers = 2" >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws ingest --profile legacy scans > /dev/null
expect_ok "$SOHOA" -C ws run --drain
"$SOHOA" -C ws pages --json > pages.json
"$SOHOA" -C ws status --json > status.json
npages=$(jq length pages.json)
[ "$npages" -ge 7 ] || die "expected at least 7 pages (the multi-page TIFF has several), got $npages"
expect_eq "$(jq '[.stages[] | .failed + .quarantined + .held] | add' status.json)" 0 "jobs failed, quarantined or held"

# The text page: upright, NFC, the tone marks over circumflexes kept.
txt=$(jq -r '.[] | select(.source == "a-quyetdinh.jpg") | .text' pages.json)
[ -f "$txt" ] || die "no text file for the text page: '$txt'"
expect_eq "$(jq -r '.[] | select(.source == "a-quyetdinh.jpg") | .orientation' pages.json)" 180 "orientation"
for w in "QUYẾT ĐỊNH" "Hội đồng" "xác định giá trị tài liệu" "Điều 3" "Quyết định này có hiệu lực"; do
	grep -q "$w" "$txt" || { cat "$txt"; die "'$w' not in the text"; }
done
python3 -c 'import sys,unicodedata; t=open(sys.argv[1],encoding="utf-8").read(); sys.exit(t != unicodedata.normalize("NFC", t))' "$txt" ||
	die "the text is not NFC"
mkdir out
cp "$txt" out/a-quyetdinh.txt
"$TOOLS/cer" gt out > cer.txt || die "cer"
cat cer.txt
awk '$1 == "CER" && $2 + 0 <= 2.0 { ok = 1 } END { exit !ok }' cer.txt || die "CER above 2 %: $(tail -n 1 cer.txt)"
# cer must see errors where there are: one wrong tone mark is one error
mkdir one
sed 's/QUYẾT/QUYÊT/' gt/a-quyetdinh.gt.txt > one/a-quyetdinh.txt
n=$("$TOOLS/cer" gt one | awk '$1 == "a-quyetdinh" { print $3 }')
expect_eq "$("$TOOLS/cer" -q gt one | cut -d' ' -f1,2)" "CER $(awk -v n="$n" 'BEGIN { printf "%.2f", 100 / n }')" "cer on one error in $n characters"
hocr=$(jq -r '.[] | select(.source == "a-quyetdinh.jpg") | .hocr' pages.json)
alto=$(jq -r '.[] | select(.source == "a-quyetdinh.jpg") | .alto' pages.json)
expect_grep "ocrx_word" "$hocr"
expect_grep "x_wconf" "$hocr"
xmllint --noout "$alto" 2> /dev/null || die "ALTO '$alto' is not well-formed"
expect_grep "<String " "$alto"
jq -e '.[] | select(.source == "a-quyetdinh.jpg") | .ocr_confidence > 70 and .review == false' pages.json > /dev/null ||
	die "text page: $(jq -c '.[] | select(.source == "a-quyetdinh.jpg") | {ocr_confidence, review}' pages.json)"

# The review list: every page under the confidence floor, none above it.
jq -e '[.[] | select(.review) | .id] | length > 0' pages.json > /dev/null || die "no page went to review"
expect_eq "$(jq -c '[.review[].page] | sort' status.json)" "$(jq -c '[.[] | select(.review) | .id] | sort' pages.json)" "review list"
jq -e 'all(.[]; (.ocr_confidence == null) or (.ocr_confidence >= 40) == (.review | not))' pages.json > /dev/null ||
	die "review flags disagree with ocr.min_confidence 40: $(jq -c '[.[] | {source, ocr_confidence, review}]' pages.json)"
jq -e '.review | all(.note | test("ocr: "))' status.json > /dev/null || die "review notes: $(jq -c .review status.json)"

# One document PDF/A holding every page, the odd inputs included.
pdf=$(find ws/derived/docs -name '*.pdf' | head -n 1)
[ -n "$pdf" ] || die "no document PDF under ws/derived/docs"
expect_ok sh "$TOP/tests/tools/pdfcheck.sh" "$pdf" "xác định giá trị tài liệu"
expect_eq "$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')" "$npages" "PDF pages"
