#!/bin/sh
# mksamples.sh OUTDIR - render tests/samples/*.txt into sample scans with
# known truth: OUTDIR/NAME.{png,jpg,tif}, OUTDIR/NAME.gt.txt and
# OUTDIR/manifest.tsv (name, file, index, dpi, skew_deg, rotation, blank,
# facing).  skew_deg is the counter-clockwise turn given to the sheet,
# rotation the counter-clockwise quarter turn after it; index is the image's
# position in a multi-page TIFF (from 0); facing=1 marks a scan of two book
# pages (its gt is the left page's text, then the right page's).
# Needs pango-view (pango1.0-tools) and mkpage: $MKPAGE, else build/tools/mkpage
# or build-san/tools/mkpage.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:?usage: mksamples.sh OUTDIR}
mkpage=${MKPAGE:-}
if [ -z "$mkpage" ]; then
	for m in "$root/build/tools/mkpage" "$root/build-san/tools/mkpage"; do
		[ -x "$m" ] && { mkpage=$m; break; }
	done
fi
[ -x "$mkpage" ] || { echo "mksamples.sh: no mkpage: run make or set MKPAGE" >&2; exit 1; }
command -v pango-view >/dev/null || { echo "mksamples.sh: no pango-view: apt-get install pango1.0-tools" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/mksamples.XXXXXX")
trap 'rm -rf "$work"' EXIT
s=$here/samples

# render TEXT DPI: text as a PNG column 160 mm wide ($work/TEXT-DPI.png)
render() {
	[ -f "$work/$1-$2.png" ] && return 0
	pango-view --font='Liberation Serif 13' --dpi="$2" --margin=0 --width=450 \
		--background=white -q -o "$work/$1-$2.png" "$s/$1.txt"
}

printf 'name\tfile\tindex\tdpi\tskew_deg\trotation\tblank\tfacing\n' > "$out/manifest.tsv"
# page NAME FILE INDEX DPI SKEW ROT BLANK FACING GT-TEXTS...
page() {
	n=$1 f=$2 i=$3 d=$4 k=$5 r=$6 b=$7 fa=$8
	shift 8
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$f" "$i" "$d" "$k" "$r" "$b" "$fa" >> "$out/manifest.tsv"
	if [ $# -eq 0 ]; then echo > "$out/$n.gt.txt"; else
		for t in "$@"; do cat "$s/$t.txt"; done > "$out/$n.gt.txt"
	fi
}

render congvan 300; render thongbao 300; render quyetdinh 200; render bienban 300
render sach-trai 200; render sach-phai 200; render quyetdinh 300; render thongbao 200

"$mkpage" --dpi 300 --skew 1.5 --noise 0.03 --speckle 200 --seed 1 -o "$out/s01.png" "$work/congvan-300.png" &
"$mkpage" --dpi 300 --skew -2.3 --rotate 180 --noise 0.02 --seed 2 -o "$out/s02.jpg" "$work/thongbao-300.png" &
"$mkpage" --dpi 200 --skew 0.8 --rotate 90 --yellow --noise 0.02 --seed 3 -o "$out/s03.tif" "$work/quyetdinh-200.png" &
"$mkpage" --dpi 300 --skew -0.6 --bitonal --speckle 400 --seed 4 -o "$out/s04.tif" "$work/bienban-300.png" &
wait
"$mkpage" --dpi 300 --blank --holes --noise 0.03 --speckle 150 --seed 5 -o "$out/s05.jpg" "$work/congvan-300.png" &
"$mkpage" --dpi 200 --blank --yellow --noise 0.04 --skew 1.1 --seed 6 -o "$out/s06.tif" &
"$mkpage" --dpi 300 --skew 3.2 --rotate 270 --border 8 --noise 0.02 --seed 7 -o "$out/s07.jpg" "$work/congvan-300.png" &
"$mkpage" --dpi 200 --skew 0.4 --facing --yellow --noise 0.02 --margin 20,20 --seed 8 -o "$out/s08.png" "$work/sach-trai-200.png" "$work/sach-phai-200.png" &
"$mkpage" --dpi 200 --skew -1.2 --noise 0.02 --seed 9 -o "$out/s09.tif" "$work/thongbao-200.png" "$work/quyetdinh-200.png" &
wait

page s01 s01.png 0 300 1.5 0 0 0 congvan
page s02 s02.jpg 0 300 -2.3 180 0 0 thongbao
page s03 s03.tif 0 200 0.8 90 0 0 quyetdinh
page s04 s04.tif 0 300 -0.6 0 0 0 bienban
page s05 s05.jpg 0 300 0 0 1 0
page s06 s06.tif 0 200 1.1 0 1 0
page s07 s07.jpg 0 300 3.2 270 0 0 congvan
page s08 s08.png 0 200 0.4 0 0 1 sach-trai sach-phai
page s09-1 s09.tif 0 200 -1.2 0 0 0 thongbao
page s09-2 s09.tif 1 200 -1.2 0 0 0 quyetdinh
