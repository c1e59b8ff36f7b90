# t9200: the desk's work: the page viewer (cached scaled views, hOCR word
# boxes), search with and without diacritics (CLI, page, API; operators
# see only their stations), a word correction (text, hOCR, ALTO, index,
# audit event), the review accepted, a rescan requested, a held job
# released and a priority changed from the dashboard, /api/status equal to
# `sohoa status --json`, HTTPS with a Secure cookie.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/lib-web.sh"
ws_init ws capture
mkdir a b
"$TOOLS/mkimg" page a/p1.png 1654 2339 200 1
"$TOOLS/mkimg" page b/b1.png 1654 2339 200 2
"$TOOLS/mkimg" bad grey-150 b/low.png
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2025.01.VP --paper G09.K1.H2.01 --title "Hồ sơ lưu trữ" > /dev/null
expect_ok "$SOHOA" -C ws ingest --station st-a --operator lan --file-code 000.00.00.G09.2025.01.VP a > /dev/null
expect_ok "$SOHOA" -C ws ingest --station st-b --operator minh b > /dev/null
expect_ok "$SOHOA" -C ws run --drain
page=$(sq ws "SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id WHERE b.station = 'st-a'")
held=$(sq ws "SELECT id FROM jobs WHERE state = 'held'")
[ -n "$held" ] || die "no held job"
# the OCR outputs of the page, as the ocr stage writes them
d=ws/derived/pages/$page
printf 'BỘ NỘI VỤ\nCông tác lưu trũ tài liệu\n' > $d/text.txt
cat > $d/page.hocr <<'HOCR'
<div class='ocr_page' id='page_1' title='image "x"; bbox 0 0 1654 2339; ppageno 0'>
<span class='ocr_line' id='line_1_1' title="bbox 100 100 600 150"><span class='ocrx_word' id='word_1_1' title='bbox 100 100 180 150; x_wconf 95'>BỘ</span> <span class='ocrx_word' id='word_1_2' title='bbox 200 100 330 150; x_wconf 94'>NỘI</span> <span class='ocrx_word' id='word_1_3' title='bbox 350 100 450 150; x_wconf 93'>VỤ</span></span>
<span class='ocr_line' id='line_1_2' title="bbox 100 200 900 250"><span class='ocrx_word' id='word_1_4' title='bbox 100 200 260 250; x_wconf 91'>Công</span> <span class='ocrx_word' id='word_1_5' title='bbox 280 200 400 250; x_wconf 90'>tác</span> <span class='ocrx_word' id='word_1_6' title='bbox 420 200 520 250; x_wconf 88'>lưu</span> <span class='ocrx_word' id='word_1_7' title='bbox 540 200 640 250; x_wconf 41'>trũ</span> <span class='ocrx_word' id='word_1_8' title='bbox 660 200 760 250; x_wconf 90'>tài</span> <span class='ocrx_word' id='word_1_9' title='bbox 780 200 880 250; x_wconf 92'>liệu</span></span>
</div>
HOCR
cat > $d/page.alto.xml <<'ALTO'
<String ID="s7" HPOS="540" VPOS="200" WIDTH="100" HEIGHT="50" CONTENT="trũ" WC="0.41"/>
ALTO
sq ws "UPDATE pages SET text_path = 'derived/pages/$page/text.txt', hocr_path = 'derived/pages/$page/page.hocr', alto_path = 'derived/pages/$page/page.alto.xml', review = 1, ocr_conf = 84 WHERE id = $page"
expect_ok "$SOHOA" -C ws search --reindex > reindex.out
expect_grep "indexed 1 pages" reindex.out
# search on the command line, without and with diacritics
"$SOHOA" -C ws search "cong tac" --json > s1.json || die "search cong tac"
expect_eq "$(jq -c '[.hits[] | [.page, .snippet]]' s1.json)" "[[$page,\"BỘ NỘI VỤ [[Công]] tác lưu trũ tài liệu \"]]" "search hit"
expect_ok "$SOHOA" -C ws search "CÔNG TÁC" > /dev/null
expect_fail "$SOHOA" -C ws search "khong co" 2> none.err
expect_grep "nothing found for 'khong co'" none.err

printf 'correct horse battery\n' > pw
expect_ok "$SOHOA" -C ws user add lan --role operator --station st-a --password-file pw
expect_ok "$SOHOA" -C ws user add minh --role operator --station st-b --password-file pw
expect_ok "$SOHOA" -C ws user add sup --role supervisor --password-file pw
web_start ws
web_login lan.jar lan 'correct horse battery'; lan=$CSRF
web_login minh.jar minh 'correct horse battery'; minh=$CSRF
web_login sup.jar sup 'correct horse battery'; sup=$CSRF

# the viewer: words with their boxes, the low-confidence word marked
expect_eq "$(code -b lan.jar "$URL/page/$page")" 200 "viewer"
expect_grep 'viewBox="0 0 1654 2339"' body.out
expect_grep '<rect data-w="word_1_7" x="540" y="200" width="100" height="50" class="low">' body.out
expect_grep '<span class="w low" data-w="word_1_7" tabindex="0">trũ</span>' body.out
expect_eq "$(code -b lan.jar "$URL/page/$page?q=luu%20tru")" 200 "viewer at a hit"
expect_grep 'data-w="word_1_6" tabindex="0" id="hit">lưu</span>' body.out
# a scaled view is made once and cached; the full one on demand
expect_eq "$(curl -s -b lan.jar -o v1.jpg -w '%{http_code} %{content_type}' "$URL/page/$page/image?w=1000")" "200 image/jpeg" "view"
[ -f $d/view-1000.jpg ] || die "view not cached"
expect_eq "$(curl -s -b lan.jar -o v2.jpg -w '%{http_code}' "$URL/page/$page/image?w=1000")" 200 "cached view"
cmp v1.jpg v2.jpg || die "cached view differs"
expect_eq "$(code -b lan.jar "$URL/page/$page/image?w=0")" 200 "full view"
expect_eq "$(code -b lan.jar "$URL/page/$page/image?w=77")" 404 "odd size"
expect_eq "$(code -b minh.jar "$URL/page/$page/image?w=1000")" 403 "another station's image"

# search from the desk: operators see only their stations
expect_eq "$(curl -s -b lan.jar "$URL/api/search?q=luu+tru" | jq -c '[.hits[] | [.page, .url]]')" "[[$page,\"/page/$page\"]]" "api search"
expect_eq "$(curl -s -b minh.jar "$URL/api/search?q=luu+tru" | jq '.hits | length')" 0 "another station's hits"
expect_eq "$(code -b lan.jar "$URL/search?q=L%C6%B0u+tr%E1%BB%AF")" 200 "search page"
expect_grep "<mark>lưu</mark>" body.out
expect_eq "$(code -b lan.jar "$URL/api/search?q=%20")" 400 "empty search"

# a word correction: text, hOCR, ALTO, the index, the audit log
expect_eq "$(code -b lan.jar --data "csrf=$lan&word=word_1_7&text=trữ" "$URL/page/$page/correct")" 303 "correct"
expect_grep "id='word_1_7' title='bbox 540 200 640 250; x_wconf 41'>trữ</span>" $d/page.hocr
expect_grep 'CONTENT="trữ"' $d/page.alto.xml
expect_grep 'Công tác lưu trữ tài liệu' $d/text.txt
expect_eq "$(sq ws "SELECT old || '>' || new || ' ' || agent FROM corrections")" "trũ>trữ operator:lan" "correction"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'modification' AND object = 'page:$page'")" "operator:lan" "correction event"
"$SOHOA" -C ws search "luu tru" --json > s2.json
expect_eq "$(jq -c '[.hits[] | select(.kind == "page") | .page]' s2.json)" "[$page]" "the index follows the correction"
# two people, one page: a correction from a page read before the last one is refused
expect_eq "$(code -b lan.jar --data "csrf=$lan&v=0&word=word_1_8&text=tai" "$URL/page/$page/correct")" 409 "stale correction"
expect_grep "operator:lan" body.out
expect_eq "$(sq ws "SELECT count(*) FROM corrections")" 1 "stale correction not stored"
expect_eq "$(code -b lan.jar --data "csrf=$lan&word=word_9_9&text=x" "$URL/page/$page/correct")" 400 "no such word"
expect_grep "no word &#39;word_9_9&#39;" body.out
expect_eq "$(code -b minh.jar --data "csrf=x&word=word_1_7&text=x" "$URL/page/$page/correct")" 403 "another station's page"

# review: accepted; a rescan: requested, shown to the station
expect_eq "$(code -b lan.jar --data "csrf=$lan" "$URL/page/$page/accept")" 303 "accept"
expect_eq "$(sq ws "SELECT review FROM pages WHERE id = $page")" 0 "review cleared"
expect_eq "$(code -b lan.jar --data "csrf=$lan" "$URL/page/$page/accept")" 400 "accept twice"
expect_eq "$(code -b lan.jar --data "csrf=$lan&reason=blurred+corner" "$URL/page/$page/rescan")" 303 "rescan"
expect_eq "$(code -b lan.jar "$URL/batches")" 200 "batches"
expect_grep 'blurred corner' body.out
expect_eq "$(code -b minh.jar "$URL/batches")" 200 "other station's batches"
if grep -q 'blurred corner' body.out; then die "rescan shown to another station"; fi
# the new scan, uploaded from the station's list, replaces the page in its document
doc=$(sq ws "SELECT document_id FROM pages WHERE id = $page")
[ -n "$doc" ] || die "page $page is in no document"
"$TOOLS/mkimg" page rescan.png 1654 2339 200 7
cp rescan.png rescan.exe
expect_eq "$(code -b lan.jar "$URL/batches")" 200 "batches"
expect_grep "action=\"/page/$page/rescan-scan\" enctype=\"multipart/form-data\"" body.out
expect_eq "$(code -F "scan=@rescan.png" "$URL/page/$page/rescan-scan")" 303 "upload without a session: to the login"
expect_eq "$(code -b lan.jar -F "scan=@rescan.png" "$URL/page/$page/rescan-scan")" 403 "upload without the CSRF token"
expect_eq "$(code -b minh.jar -F "csrf=$minh" -F "scan=@rescan.png" "$URL/page/$page/rescan-scan")" 403 "upload to another station's page"
expect_eq "$(code -b lan.jar -F "csrf=$lan" -F "scan=@rescan.exe" "$URL/page/$page/rescan-scan")" 400 "upload of something that is no scan"
expect_eq "$(sq ws "SELECT count(*) FROM rescans WHERE done IS NOT NULL")" 0 "nothing taken yet"
expect_eq "$(ls ws/tmp | grep -c upload || true)" 0 "no upload left in tmp/"
expect_eq "$(code -b lan.jar -F "csrf=$lan" -F "scan=@rescan.png;filename=quet lai <1>.png" "$URL/page/$page/rescan-scan")" 303 "upload"
new=$(sq ws "SELECT new_page_id FROM rescans WHERE page_id = $page AND done IS NOT NULL")
[ -n "$new" ] || die "the rescan was not taken"
expect_eq "$(sq ws "SELECT m.src_name FROM pages p JOIN masters m ON m.id = p.master_id WHERE p.id = $new")" "quet_lai__1_.png" "the upload's name, made safe"
expect_eq "$(sq ws "SELECT document_id FROM pages WHERE id = $new")" "$doc" "the new page in the old one's document"
expect_eq "$(sq ws "SELECT dropped || ' ' || COALESCE(CAST(document_id AS TEXT), '-') FROM pages WHERE id = $page")" "1 -" "the old page out of it"
expect_eq "$(sq ws "SELECT state FROM documents WHERE id = $doc")" open "the document waits for the new page"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'rescan' AND object = 'page:$page'")" "operator:lan" "rescan event"
expect_eq "$(ls ws/tmp | grep -c upload || true)" 0 "the upload removed from tmp/"
expect_eq "$(code -b lan.jar "$URL/page/$page")" 200 "the old page"
expect_grep "href=\"/page/$new\"" body.out
expect_ok "$SOHOA" -C ws run --drain 2> run-rescan.log
expect_eq "$(sq ws "SELECT state FROM documents WHERE id = $doc")" ready "the document ready again"
expect_eq "$(sq ws "SELECT state FROM jobs WHERE page_id = $new AND stage = 'capture'")" done "the new page captured"

# the supervisor: dashboard, release, priority, status
expect_eq "$(code -b sup.jar "$URL/dashboard")" 200 "dashboard"
expect_grep '<svg class="chart"' body.out
# the bars of both charts (hours, days) add up to the pages past the last page stage
passed=$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'capture' AND state = 'done' AND page_id IS NOT NULL")
[ "$passed" -gt 0 ] || die "no page passed capture"
tr '\n' ' ' < body.out | sed 's|</figure>|\n|g' | grep '<svg class="chart"' |
	awk '{ n = 0; while (match($0, /<title>[0-9]+<\/title>/)) { n += substr($0, RSTART + 7, RLENGTH - 15); $0 = substr($0, RSTART + RLENGTH) } print n }' > bars.txt
expect_eq "$(cat bars.txt | tr '\n' ' ')" "$passed $passed " "pages in the charts"
expect_grep "/api/jobs/$held/release" body.out
expect_eq "$(code -b lan.jar -H "X-CSRF-Token: $lan" -X POST "$URL/api/jobs/$held/release")" 403 "operator may not release"
expect_eq "$(curl -s -b sup.jar -H "X-CSRF-Token: $sup" -X POST "$URL/api/jobs/$held/release" | jq -c .)" "{\"job\":$held,\"state\":\"ready\"}" "release"
expect_eq "$(sq ws "SELECT state FROM jobs WHERE id = $held")" ready "released"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'release' AND object = 'job:$held'")" "supervisor:sup" "release event"
expect_eq "$(code -b sup.jar --data "csrf=$sup&file=000.00.00.G09.2025.01.VP&value=77&reason=urgent+request" "$URL/dashboard/priority")" 303 "priority"
expect_eq "$(sq ws "SELECT CAST(priority_override AS INTEGER) FROM files")" 77 "override"
expect_eq "$(sq ws "SELECT agent FROM events WHERE type = 'priority override'")" "supervisor:sup" "override event"
expect_eq "$(code -b sup.jar --data "csrf=$sup&file=000.00.00.G09.2025.01.VP&value=77" "$URL/dashboard/priority")" 400 "override without a reason"
# what changes with the clock between the two reads (a node's heartbeat age too)
timed='del(.oldest_waiting_seconds, .throughput, .eta_seconds, .nodes[]?.heartbeat_seconds)'
curl -s -b sup.jar "$URL/api/status" | jq -S "$timed" > api.json
"$SOHOA" -C ws status --json | jq -S "$timed" > cli.json
diff -u cli.json api.json || die "/api/status differs from status --json"
web_stop

# HTTPS: the same desk, the cookie Secure
openssl req -x509 -newkey rsa:2048 -nodes -keyout ws/key.pem -out ws/cert.pem -days 2 -subj /CN=127.0.0.1 2> /dev/null || die "openssl"
printf 'serve.tls_cert = cert.pem\nserve.tls_key = key.pem\n' >> ws/sohoa.conf
web_start ws
case "$URL" in https://*) ;; *) die "not https: $URL" ;; esac
login_form lf.jar
curl -sk -b lf.jar -D hdr.txt -o /dev/null --data "csrf=$LOGIN_TOKEN" --data-urlencode 'user=lan' --data-urlencode 'password=correct horse battery' "$URL/login"
grep -i '^set-cookie: sohoa_session=' hdr.txt | grep -q 'Secure' || die "no Secure cookie under TLS"
web_stop
