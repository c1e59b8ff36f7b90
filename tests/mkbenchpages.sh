#!/bin/sh
# mkbenchpages.sh OUTDIR N - N distinct A4 "scanned" pages for the
# utilisation and scaling benchmarks (tests/bench.sh, tests/bench-scale.sh),
# each with NAME.gt.txt; OUTDIR/SOURCE.txt says in one line what they are.
#
#   ../shared/corpus present (with python3-pil and python3-numpy): its
#     renderer, `mkpages.py OUTDIR vie-text/legal/*.txt --pages N --seed 11
#     --formats jpg,jpg,tif-g4,tif,png` (the dev pages' mix, N of them);
#   otherwise: the project's own sample texts (tests/samples) rendered by
#     pango-view and laid on paper by mkpage, page i with seed i, a skew
#     from -2 to +2 degrees, every fifth one bitonal, as JPEG, TIFF and PNG.
# Both are synthetic pages (rendered text with known truth), not scans.
# The pages are all different files: ingest refuses the same bytes twice.
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${1:?usage: mkbenchpages.sh OUTDIR N}
n=${2:?usage: mkbenchpages.sh OUTDIR N}
corpus=$root/../shared/corpus
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/mkbenchpages.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Debian's python3 (the corpus's make-dev-pages.sh uses it too), not one first on PATH
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if [ -f "$corpus/mkpages.py" ] && "$py" -c 'import PIL, numpy' 2> /dev/null; then
	"$py" "$corpus/mkpages.py" "$out" "$corpus"/vie-text/legal/*.txt --pages "$n" --seed 11 \
		--formats jpg,jpg,tif-g4,tif,png > "$work/mkpages.log" 2>&1 || { cat "$work/mkpages.log" >&2; exit 1; }
	echo "synthetic: $n pages of ../shared/corpus/mkpages.py (Vietnamese legal text, seed 11, the dev pages' formats)" > "$out/SOURCE.txt"
	exit 0
fi
mkpage=${MKPAGE:-}
for m in "$root/build/tools/mkpage" "$root/build-san/tools/mkpage"; do
	[ -z "$mkpage" ] && [ -x "$m" ] && mkpage=$m
done
[ -x "$mkpage" ] || { echo "mkbenchpages.sh: no mkpage: run make or set MKPAGE" >&2; exit 1; }
command -v pango-view > /dev/null || { echo "mkbenchpages.sh: no pango-view: apt-get install pango1.0-tools" >&2; exit 1; }
texts="congvan thongbao quyetdinh bienban"
for t in $texts; do
	pango-view --font='Liberation Serif 13' --dpi=300 --margin=0 --width=450 --background=white -q \
		-o "$work/$t.png" "$here/samples/$t.txt"
done
jobs=$(nproc 2> /dev/null || echo 2)
i=1
while [ "$i" -le "$n" ]; do
	set -- $texts
	shift $(( (i - 1) % 4 ))
	t=$1
	name=$(printf 'b%04d' "$i")
	skew=$(awk -v i="$i" 'BEGIN { printf "%.1f", (i * 37 % 41) / 10 - 2 }')
	case $((i % 5)) in
	0) ext=tif; extra=--bitonal ;;
	1|3) ext=jpg; extra= ;;
	2) ext=tif; extra= ;;
	*) ext=png; extra= ;;
	esac
	cp "$here/samples/$t.txt" "$out/$name.gt.txt"
	"$mkpage" --dpi 300 --skew "$skew" --noise 0.02 --seed "$i" $extra -o "$out/$name.$ext" "$work/$t.png" &
	[ $((i % jobs)) -eq 0 ] && wait
	i=$((i + 1))
done
wait
got=$(ls "$out" | grep -Ec '\.(png|jpe?g|tiff?|pnm)$')
[ "$got" -eq "$n" ] || { echo "mkbenchpages.sh: made $got pages of $n" >&2; exit 1; }
echo "synthetic: $n pages of tests/samples texts through mkpage (300 dpi A4, skew -2..2 degrees, JPEG/TIFF/PNG, every fifth bitonal)" > "$out/SOURCE.txt"
