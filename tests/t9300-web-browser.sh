# t9300: a real headless Chromium goes through an operator's and a
# supervisor's day on a workspace built here (tests/web/desk_day.py): log
# in, open a low-confidence page from the review queue, correct a word,
# accept the page, accept metadata proposals and fix a field after an
# inline error, split a document, request a rescan, search without
# diacritics, release a held page, change a priority, switch to English,
# print the Biên bản giao nhận (a PDF: its text checked with pdftotext).
# Then the rebuilt PDF's text layer must hold the corrected word.
# Screenshots: build/web-screenshots/.  Skipped (77) where Chromium,
# chromedriver or python3-selenium is missing or Chromium cannot start.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/lib-web.sh"
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || skip "no chromium/chromedriver (make deps installs chromium chromium-driver)"
/usr/bin/python3 -c 'import selenium' 2> /dev/null || skip "no python3-selenium (make deps installs it)"
command -v pango-view > /dev/null || skip "no pango-view (pango1.0-tools) to render the sample pages"
command -v pdftotext > /dev/null || skip "no pdftotext (poppler-utils)"
FC=000.00.00.G09.2025.01.VP
ws_init ws "capture orient deskew clean blank ocr pdf"
pango-view --font='Liberation Serif 13' --dpi=200 --margin=0 --width=450 --background=white -q -o qd.png "$TOP/tests/samples/quyetdinh.txt"
pango-view --font='Liberation Serif 13' --dpi=200 --margin=0 --width=450 --background=white -q -o tb.png "$TOP/tests/samples/thongbao.txt"
mkdir scans held
"$TOOLS/mkpage" --dpi 200 --yellow --noise 0.01 --seed 1 -o scans/a.png qd.png || die "mkpage"
"$TOOLS/mkpage" --dpi 200 --yellow --noise 0.01 --seed 2 -o scans/b.png tb.png || die "mkpage"
"$TOOLS/mkimg" bad grey-150 held/low.png
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws file add $FC --paper LT.VP.2025.H01.01 --fonds G09 --title "Hồ sơ tổ chức số hóa tài liệu lưu trữ" > /dev/null
expect_ok "$SOHOA" -C ws ingest --station may-1 --operator lan --file-code $FC --docs 1-2 scans > /dev/null
expect_ok "$SOHOA" -C ws ingest --station may-2 --operator minh held > /dev/null
expect_ok "$SOHOA" -C ws run --drain
doc=$(sq ws "SELECT id FROM documents WHERE name = '$FC.1'")
[ -n "$doc" ] || die "no document $FC.1"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'pdf' AND state = 'done'")" 1 "pdf built"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'held'")" 1 "one held page"
"$SOHOA" -C ws meta propose $FC.1 > /dev/null || die "meta propose"
# the first page goes to review (the samples OCR too well to need it)
sq ws "UPDATE pages SET review = 1, note = 'ocr: mean confidence under the threshold (test)' WHERE seq = (SELECT min(seq) FROM pages WHERE document_id = $doc)"
expect_ok "$SOHOA" -C ws search --reindex > /dev/null
printf 'correct horse battery\n' > pw
expect_ok "$SOHOA" -C ws user add lan --role operator --station may-1 --password-file pw
expect_ok "$SOHOA" -C ws user add sup --role supervisor --password-file pw
shots="$TOP/build/web-screenshots"
rm -rf "$shots"
mkdir -p "$shots"
web_start ws
"$TOOLS/mkimg" page rescan.png 1654 2339 200 9
/usr/bin/python3 "$TOP/tests/web/desk_day.py" "$URL" "$shots" 'correct horse battery' "$PWD/rescan.png"
rc=$?
[ $rc = 77 ] && skip "Chromium cannot start here (see the line above)"
[ $rc = 0 ] || die "the browser's day failed (screenshots in $shots)"
# the Biên bản giao nhận of the batch, printable
web_login lan.jar lan 'correct horse battery'
# two people, one document: a save from a form older than the last change is refused
v=$(curl -s -b lan.jar "$URL/api/documents/$doc" | jq .v)
expect_eq "$(curl -s -b lan.jar "$URL/api/documents/$doc" | jq -r '.fields[] | select(.name == "issuedDate") | .value + " " + .source')" "01/07/2025 operator" "api document"
expect_eq "$(code -b lan.jar --data "csrf=$CSRF&v=$((v - 1))&f.codeNumber=10" "$URL/document/$doc/meta")" 409 "stale save"
expect_grep "supervisor:sup\|operator:lan" body.out
expect_grep 'value="09"' body.out
expect_eq "$(code -b lan.jar --data "csrf=$CSRF&v=$v&f.codeNumber=10" "$URL/document/$doc/meta")" 303 "fresh save"
expect_eq "$(sq ws "SELECT value FROM meta WHERE object = 'document' AND object_id = $doc AND field = 'codeNumber'")" 10 "saved"
batch=$(sq ws "SELECT batch_id FROM documents WHERE id = $doc")
expect_eq "$(curl -s -b lan.jar -o bienban.pdf -w '%{http_code} %{content_type}' "$URL/batch/$batch/bienban.pdf")" "200 application/pdf" "biên bản"
pdftotext -layout bienban.pdf bienban.txt || die "pdftotext bienban"
expect_grep "BIÊN BẢN GIAO NHẬN TÀI LIỆU" bienban.txt
expect_grep "$FC.1" bienban.txt
expect_grep "ĐẠI DIỆN BÊN NHẬN" bienban.txt
web_stop
# what the day left in the workspace
expect_eq "$(sq ws "SELECT new || ' ' || agent FROM corrections")" "SOHOATEST operator:lan" "correction"
expect_eq "$(sq ws "SELECT count(*) FROM documents d JOIN files f ON f.id = d.file_id WHERE f.file_code = '$FC'")" 2 "split"
expect_eq "$(sq ws "SELECT count(*) FROM rescans WHERE done IS NOT NULL AND new_page_id IS NOT NULL")" 1 "rescan taken"
rescanned=$(sq ws "SELECT page_id FROM rescans")
new=$(sq ws "SELECT new_page_id FROM rescans")
expect_eq "$(sq ws "SELECT dropped FROM pages WHERE id = $rescanned")" 1 "the old page dropped"
expect_eq "$(sq ws "SELECT value FROM meta WHERE object = 'document' AND object_id = $doc AND field = 'issuedDate'")" "01/07/2025" "issuedDate"
expect_eq "$(sq ws "SELECT count(*) FROM meta WHERE object = 'document' AND object_id = $doc AND source = 'proposed'")" 0 "proposals accepted"
expect_eq "$(sq ws "SELECT CAST(priority_override AS INTEGER) FROM files")" 50 "priority"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'release'")" "supervisor:sup" "release"
# the corrected word reaches the PDF text layer when the document is rebuilt
expect_ok "$SOHOA" -C ws run --drain
pdf=$(sq ws "SELECT pdf_path FROM documents WHERE id = $doc")
[ -n "$pdf" ] || die "document $doc not rebuilt"
pdftotext "ws/$pdf" text.txt || die "pdftotext"
expect_grep SOHOATEST text.txt
# and the rescan's document is rebuilt with the new page in the old one's place
expect_eq "$(sq ws "SELECT count(*) FROM jobs j JOIN pages p ON p.document_id = j.document_id WHERE p.id = $new AND j.stage = 'pdf' AND j.state = 'done'")" 1 "the rescan's document rebuilt"
ls "$shots" | wc -l
