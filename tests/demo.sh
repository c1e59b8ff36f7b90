#!/bin/sh
# demo.sh BUILD - `make demo`: the whole pipeline on the project's own sample
# scans.  Renders the samples, makes a throw-away CA and organisation key,
# a workspace with a fonds, a file and its TT05 metadata, ingests two batches
# (one of them a bound volume on the overhead profile), runs every stage,
# shows the status, the pages, the OCR-assisted metadata and the priority
# order, exports the transfer package and verifies it.  Everything is in
# demo/ at the top of the tree and is made anew on each run.
set -eu
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
S="$build/sohoa"
D="$top/demo"
W="$D/ws"
FC=000.00.00.G09.2025.01.VP
export MKPAGE="$build/tools/mkpage"
step() { printf '\n== %s\n' "$*"; }

rm -rf "$D"
mkdir -p "$D"
step "sample scans (rendered from tests/samples/*.txt with pango-view)"
sh "$top/tests/mksamples.sh" "$D/scans" > /dev/null
cut -f1-7 "$D/scans/manifest.tsv"

step "a throw-away CA and organisation certificate (never use these for real records)"
sh "$top/tests/mkca.sh" "$D/keys" > "$D/keys.conf"
cat "$D/keys.conf"

step "workspace"
"$S" init "$W"
cat "$D/keys.conf" >> "$W/sohoa.conf"
cat >> "$W/sohoa.conf" <<CONF
ingest.station = may-quet-1
ingest.operator = lan
export.archive_name = Trung tâm Lưu trữ lịch sử tỉnh (demo)
export.archive_code = TTLT-DEMO
CONF
"$S" -C "$W" config

step "fonds, files and their TT05 metadata (CSV as exported from Excel, with a BOM)"
FC2=000.00.00.G09.2025.02.VP
"$S" -C "$W" fonds add G09 "Bộ Nội vụ"
"$S" -C "$W" file add $FC --paper LT.VP.2025.H01.01 --fonds G09 --title "Hồ sơ tổ chức số hóa tài liệu lưu trữ" --admin
"$S" -C "$W" file add $FC2 --paper LT.VP.2025.H01.02 --fonds G09 --title "Hồ sơ sửa chữa kho lưu trữ" --promote
"$S" -C "$W" meta import "$top/tests/samples/metadata-hoso.csv"
"$S" -C "$W" meta import "$top/tests/samples/metadata.csv"
"$S" -C "$W" priority import "$top/tests/samples/requests.csv"

step "ingest: a batch of office scans (3 documents), and a bound register on the overhead scanner"
mkdir -p "$D/batch1" "$D/batch2"
for n in s01.png s02.jpg s03.tif s04.tif s05.jpg s06.tif s07.jpg s09.tif; do cp "$D/scans/$n" "$D/batch1/"; done
cp "$D/scans/s08.png" "$D/batch2/"
"$S" -C "$W" ingest --file-code $FC --profile legacy --docs 1-2,3-5,6- "$D/batch1"
"$S" -C "$W" ingest --file-code $FC2 --profile overhead-book "$D/batch2"

step "priority: the order the queues follow (the worn, often-requested file first)"
"$S" -C "$W" priority list
"$S" -C "$W" priority explain $FC2

step "run every stage until the queue is empty"
start=$(date +%s)
SOHOA_QUIET=1 "$S" -C "$W" run --drain
echo "took $(( $(date +%s) - start )) s"

step "status"
"$S" -C "$W" status
step "pages"
"$S" -C "$W" pages
step "documents"
"$S" -C "$W" doc list $FC
step "OCR-assisted metadata for the first document: the proposals beside the values entered from the CSV (proposals never overwrite them)"
"$S" -C "$W" meta propose $FC.1 || true
"$S" -C "$W" meta show $FC.1

step "export and verify the transfer packages"
"$S" -C "$W" export
for z in "$W"/exports/*.zip; do
	"$S" verify "$z" --trust "$D/keys/ca.pem" && echo "verified: $z"
done

step "where the results are"
echo "workspace:          $W"
echo "signed PDF/A:       $(ls "$W"/derived/docs/*/*.pdf | head -n 3 | tr '\n' ' ')"
echo "transfer packages:  $(ls "$W"/exports/*.zip | tr '\n' ' ')"
echo "Mục lục, Biên bản:  $(ls "$W"/exports/muc-luc-* "$W"/exports/bien-ban-* 2>/dev/null | tr '\n' ' ')"
echo "audit log:          $S -C $W log"
echo "CA for verifying:   $D/keys/ca.pem"

step "the desk in the browser: users for an operator and a supervisor"
pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$pw" > "$D/desk-password.txt"
chmod 600 "$D/desk-password.txt"
"$S" -C "$W" user add lan --role operator --station may-quet-1 --password-file "$D/desk-password.txt"
"$S" -C "$W" user add hoa --role supervisor --password-file "$D/desk-password.txt"
"$S" -C "$W" search --reindex
echo "start the desk:     $S -C $W serve"
echo "then open:          http://127.0.0.1:8080/"
echo "log in as:          lan (operator, station may-quet-1) or hoa (supervisor), password $pw"
echo "                    (also in $D/desk-password.txt)"
