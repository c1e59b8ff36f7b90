# t3210: the pdfpage stage makes each page's PDF content ahead (a part:
# derived/pages/ID/page.pdfpart) and the pdf stage only joins the parts;
# a word corrected at the desk after the part was made (the document is
# built again) gives a PDF whose text is the corrected word, the part being
# made again by the pdf stage (stale); a damaged part is made again too.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/lib-web.sh"
command -v pango-view > /dev/null || skip "no pango-view (apt-get install pango1.0-tools)"
command -v pdftotext > /dev/null || skip "no pdftotext (apt-get install poppler-utils)"
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || skip "no Tesseract vie model (apt-get install tesseract-ocr-vie)"
mkdir scans
printf 'CÔNG VĂN\nVề việc lưu trữ hồ sơ\n' > text.txt
pango-view --font='Liberation Serif 24' --dpi=200 --margin=0 --width=900 --background=white -q -o t.png text.txt || die "pango-view"
expect_ok "$TOOLS/mkpage" --dpi 200 --seed 7 -o scans/p1.png t.png
expect_ok "$TOOLS/mkimg" page scans/p2.png 1654 2339 200 3
ws_init ws "capture orient deskew clean blank ocr pdfpage pdf"
expect_ok "$SOHOA" -C ws ingest --profile legacy --station st-a --operator lan scans > /dev/null
expect_ok "$SOHOA" -C ws run --drain
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'pdfpage' AND state = 'done'")" 2 "pdfpage jobs done"
page=$(sq ws "SELECT p.id FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'p1.png'")
[ -n "$page" ] || die "no page p1.png"
part=ws/derived/pages/$page/page.pdfpart
[ -f "$part" ] || die "no part $part"
expect_eq "$(head -n 1 "$part")" "sohoa-pdfpart 1" "part magic line"
# the document was joined from the parts: none made in the pdf stage
expect_eq "$(sq ws "SELECT detail FROM events WHERE type = 'creation' ORDER BY id DESC LIMIT 1")" \
	"PDF/A-2b with an OCR text layer" "creation event"
pdf=$(find ws/derived/docs -name '*.pdf' | head -n 1)
[ -n "$pdf" ] || die "no document PDF"
pdftotext "$pdf" before.txt || die "pdftotext"
expect_grep "lưu trữ" before.txt
expect_eq "$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')" 2 "PDF pages"
hocr=$(sq ws "SELECT hocr_path FROM pages WHERE id = $page")
word=$(grep -o "id='word_[0-9_]*'[^>]*>lưu<" "ws/$hocr" | sed "s/^id='\([^']*\)'.*/\1/" | head -n 1)
[ -n "$word" ] || { cat "ws/$hocr"; die "no word 'lưu' in the hOCR"; }

# a correction at the desk after the parts were made: the document is built
# again and its text layer is the corrected one
printf 'correct horse battery\n' > pw
expect_ok "$SOHOA" -C ws user add lan --role operator --station st-a --password-file pw
web_start ws
web_login lan.jar lan 'correct horse battery'
expect_eq "$(code -b lan.jar --data "csrf=$CSRF&word=$word&text=Lưuhồsơ" "$URL/page/$page/correct")" 303 "correct"
web_stop
expect_eq "$(sq ws "SELECT state FROM jobs WHERE stage = 'pdf'")" ready "pdf queued again"
cp "$part" part.before
expect_ok "$SOHOA" -C ws run --drain
cmp -s "$part" part.before || die "the pdf stage rewrote the page stage's part"
expect_eq "$(sq ws "SELECT detail FROM events WHERE type = 'creation' ORDER BY id DESC LIMIT 1")" \
	"PDF/A-2b with an OCR text layer; 1 of 2 pages made here (1 stale, 0 missing, 0 damaged parts)" "creation event after the correction"
pdftotext "$pdf" after.txt || die "pdftotext"
expect_grep "Lưuhồsơ" after.txt
if grep -q "lưu trữ" after.txt; then die "the old text is still in the PDF"; fi

# a damaged part (cut short) and a missing one are made again, with a warning
head -c $(($(wc -c < "$part") / 2)) "$part" > ws/cut && mv ws/cut "$part"
rm ws/derived/pages/$(sq ws "SELECT p.id FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'p2.png'")/page.pdfpart
web_start ws
web_login lan.jar lan 'correct horse battery'
expect_eq "$(code -b lan.jar --data "csrf=$CSRF&word=$word&text=Hồsơmới" "$URL/page/$page/correct")" 303 "correct again"
web_stop
expect_ok "$SOHOA" -C ws run --drain 2> drain.err
expect_grep "cannot read part '.*page.pdfpart': truncated in image; made again" drain.err
expect_eq "$(sq ws "SELECT detail FROM events WHERE type = 'creation' ORDER BY id DESC LIMIT 1")" \
	"PDF/A-2b with an OCR text layer; 2 of 2 pages made here (0 stale, 1 missing, 1 damaged parts)" "creation event, damaged part"
pdftotext "$pdf" again.txt || die "pdftotext"
expect_grep "Hồsơmới" again.txt
expect_ok sh "$TOP/tests/tools/pdfcheck.sh" "$pdf" "Hồsơmới"
