#!/bin/sh
# bench-web.sh BUILD - `make bench`, the desk's figures (issue 9): with
# WEB_BENCH_PAGES (1 000 000) pages in a workspace (synthetic rows: 100
# batches on 10 stations and 20 operators, two page stages of jobs in mixed
# states, every page's OCR text in the search index from 100 Vietnamese
# texts), the time of GET /api/status and of the dashboard, and of a search
# for a rare and a common word; and the first and the cached view of a
# 400 dpi A4 colour page.  Each HTTP figure is the median of 5 requests
# (curl's time_total, on 127.0.0.1).  Targets: status and dashboard data
# < 100 ms, search < 200 ms, page view first < 500 ms and cached < 50 ms;
# a document of 1 000 pages opens in the viewer, moves to a page of it and
# saves a field in well under a second.
set -eu
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
S="$build/sohoa"
N=${WEB_BENCH_PAGES:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-bench-web.XXXXXX")
trap 'kill $pid 2> /dev/null; rm -rf "$work"' EXIT
cd "$work"
"$S" init ws > /dev/null
echo 'stages = capture ocr' >> ws/sohoa.conf
mkdir -p ws/texts
i=0
for f in "$top"/tests/samples/*.txt; do
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		[ $i -lt 100 ] || break
		{ cat "$f"; echo "mẫu$i"; } > ws/texts/$i.txt
		i=$((i + 1))
	done
done
echo "bench-web: $N synthetic pages ..."
start=$(date +%s)
sqlite3 ws/sohoa.db <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE b(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM b WHERE i < 100)
INSERT INTO batches(id, station, operator, profile, started, finished, npages)
	SELECT i, 'may-' || (i % 10), 'nv' || (i % 20), 'a4-office', 0, 1, $N / 100 FROM b;
INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created)
	SELECT id, printf('%064d', id), 1, 'x', 'scan.tif', id, $N / 100, 0 FROM batches;
WITH RECURSIVE p(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM p WHERE i < $N)
INSERT INTO pages(id, batch_id, master_id, seq, text_path, created)
	SELECT i, 1 + (i - 1) % 100, 1 + (i - 1) % 100, (i - 1) / 100 + 1, 'texts/' || (i % 100) || '.txt',
	       strftime('%s', 'now') * 1000 - (i % 604800) * 1000 FROM p;
INSERT INTO jobs(stage, page_id, state, created, updated, finished_at)
	SELECT 'capture', id, 'done', created, created, created FROM pages;
INSERT INTO jobs(stage, page_id, state, created, updated, finished_at, error)
	SELECT 'ocr', id, CASE WHEN id % 1000 = 0 THEN 'held' WHEN id % 10 = 0 THEN 'ready' ELSE 'done' END,
	       created, created, CASE WHEN id % 10 = 0 THEN NULL ELSE created END,
	       CASE WHEN id % 1000 = 0 THEN 'held for the bench' END FROM pages;
COMMIT;
SQL
echo "bench-web: rows in $(( $(date +%s) - start )) s; indexing ..."
start=$(date +%s)
if [ "${WEB_BENCH_REINDEX:-0}" = 1 ] || [ "$N" -le 100 ]; then
	"$S" -C ws search --reindex
else
	# sohoa indexes the 100 texts (pages 1..100); every other page gets the
	# folded body of the page with its text, so the index is the one
	# `search --reindex` makes, in minutes instead of a quarter of an hour
	# of reading and folding the same 100 files a million times
	sqlite3 ws/sohoa.db "UPDATE pages SET text_path = NULL WHERE id > 100"
	"$S" -C ws search --reindex
	sqlite3 ws/sohoa.db "PRAGMA synchronous=OFF; BEGIN;
UPDATE pages SET text_path = 'texts/' || (id % 100) || '.txt' WHERE id > 100;
INSERT INTO search_fts(rowid, body) SELECT p.id, (SELECT body FROM search_fts WHERE rowid = CASE WHEN p.id % 100 = 0 THEN 100 ELSE p.id % 100 END)
	FROM pages p WHERE p.id > 100;
COMMIT;"
fi
echo "bench-web: index of $(sqlite3 ws/sohoa.db "SELECT count(*) FROM search_fts") rows in $(( $(date +%s) - start )) s"
# a hồ sơ of 1 000 pages: the first 1 000 pages of batch 1 in one document
"$S" -C ws file add 000.00.00.G09.2025.01.VP --paper G09.K1.H2.01 --title "Hồ sơ 1000 trang" > /dev/null
sqlite3 ws/sohoa.db "UPDATE batches SET file_code = '000.00.00.G09.2025.01.VP' WHERE id = 1;
INSERT INTO documents(id, file_id, batch_id, stt, name, state, created)
	SELECT 1, id, 1, 1, file_code || '.1', 'ready', 0 FROM files;
UPDATE pages SET document_id = 1 WHERE batch_id = 1 AND seq <= 1000;"
printf 'correct horse battery\n' > pw
"$S" -C ws user add sup --role supervisor --password-file pw
"$S" -C ws serve --listen 127.0.0.1:0 > serve.out 2> serve.err &
pid=$!
for i in $(seq 1 100); do
	url=$(sed -n 's|^listening on \(http://[0-9.:]*\)/$|\1|p' serve.out)
	[ -n "$url" ] && break
	sleep 0.1
done
token=$(curl -s -c jar "$url/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
curl -s -b jar -c jar -o /dev/null --data "csrf=$token" --data-urlencode user=sup --data-urlencode 'password=correct horse battery' "$url/login"
# median of 5 timed requests, in ms
t() {
	for k in 1 2 3 4 5; do curl -s -b jar -o /dev/null -w '%{time_total}\n' "$url$1"; done |
		sort -n | sed -n 3p | awk '{ printf "%.1f", $1 * 1000 }'
}
printf '%-44s %10s  %s\n' "request ($N pages)" "median ms" "target"
printf '%-44s %10s  %s\n' "GET /api/status" "$(t /api/status)" "< 100"
printf '%-44s %10s  %s\n' "GET /dashboard" "$(t /dashboard)" "< 100"
printf '%-44s %10s  %s\n' "GET /api/search?q=mau7 (1 % of the pages)" "$(t '/api/search?q=mau7')" "< 200"
printf '%-44s %10s  %s\n' "GET /api/search?q=luu+tru (most pages)" "$(t '/api/search?q=luu+tru')" "< 200"
ndoc=$(sqlite3 ws/sohoa.db "SELECT count(*) FROM pages WHERE document_id = 1")
pmid=$(sqlite3 ws/sohoa.db "SELECT id FROM pages WHERE document_id = 1 ORDER BY seq LIMIT 1 OFFSET $((ndoc / 2))")
printf '%-44s %10s  %s\n' "document of $ndoc pages, viewer" "$(t /document/1)" "< 1000"
printf '%-44s %10s  %s\n' "its page $((ndoc / 2 + 1)), viewer HTML" "$(t "/page/$pmid")" "< 1000"
csrf=$(curl -s -b jar "$url/api/whoami" | jq -r .csrf)
v=$(curl -s -b jar "$url/api/documents/1" | jq .v)
save=$(curl -s -b jar -o /dev/null -w '%{http_code} %{time_total}' --data "csrf=$csrf&v=$v&f.codeNumber=10" "$url/document/1/meta" |
	awk '{ printf "%.1f (HTTP %s)", $2 * 1000, $1 }')
printf '%-44s %10s  %s\n' "save a field of it (one request)" "$save" "< 1000"
# a 400 dpi A4 colour page through capture
"$build/tools/mkimg" page a4-400.png 3307 4677 400 1
"$S" -C ws ingest --station may-1 --operator nv1 a4-400.png > /dev/null
id=$(sqlite3 ws/sohoa.db "SELECT max(id) FROM pages")
echo 'stages = capture' >> ws/sohoa.conf
SOHOA_QUIET=1 "$S" -C ws run --drain
first=$(curl -s -b jar -o /dev/null -w '%{time_total}' "$url/page/$id/image?w=1000" | awk '{ printf "%.1f", $1 * 1000 }')
printf '%-44s %10s  %s\n' "page view 400 dpi A4, first (scaled, cached)" "$first" "< 500"
printf '%-44s %10s  %s\n' "page view 400 dpi A4, cached" "$(t "/page/$id/image?w=1000")" "< 50"
printf '%-44s %10s  %s\n' "page viewer HTML of that page" "$(t "/page/$id")" "-"
