#!/bin/sh
# proposetable.sh [SEED...] - OCR-assisted metadata (issue 10, must have 7),
# measured on ../shared/corpus/mkadmin.py documents: for each seed (default
# 9191 and 8282), PROPOSE_DOCS (30) documents are rendered, the top
# PROPOSE_TOP (40) % of each page (where số, ký hiệu, date, issuing body, type
# and trích yếu stand) is read by build/tools/ocreval with the ocr stage's
# defaults and the word pairs of config/viet-bigrams.tsv, and
# build/tools/proposeeval prints per field proposed, correct, truth,
# precision, recall and wrong proposals at confidence >= 0.8.
# A seed is only a fair measure of rules written without looking at it:
# README says which seeds were used to write them.
# PROPOSE_WORK=DIR keeps the pages and their OCR there, and reads them again
# next time (the rules changed, not the OCR).
# A benchmark: exits 0, 1 when something could not run, 77 without the corpus.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
mkadmin=$root/../shared/corpus/mkadmin.py
body=$root/../shared/corpus/vie-text/legal
docs=${PROPOSE_DOCS:-30}
top=${PROPOSE_TOP:-40}
[ -f "$mkadmin" ] || { echo "proposetable: $mkadmin: not found; skipped"; exit 77; }
for t in ocreval proposeeval; do
	[ -x "$build/tools/$t" ] || { echo "proposetable: $build/tools/$t: not built" >&2; exit 1; }
done
if [ -n "${PROPOSE_WORK:-}" ]; then
	work=$PROPOSE_WORK # kept, and its OCR text used again
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/proposetable.XXXXXX") || exit 1
	trap 'rm -rf "$work"' EXIT
fi
export OMP_THREAD_LIMIT=1
# Debian's python3 (python3-pil), not one first on PATH
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# pages SEED D: render D/img, crop into D/top, OCR it there
pages() {
	mkdir -p "$2/img" "$2/top" || return 1
	"$py" "$mkadmin" "$2/img" "$body"/*.txt --docs "$docs" --seed "$1" >/dev/null ||
		{ echo "proposetable: mkadmin.py --seed $1 failed" >&2; return 1; }
	"$py" - "$2/img" "$2/top" "$top" <<'PY' || { echo "proposetable: cropping failed" >&2; return 1; }
import os, sys
from PIL import Image
src, dst, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
for f in sorted(os.listdir(src)):
    if f.endswith((".png", ".jpg")):
        im = Image.open(os.path.join(src, f))
        im.crop((0, 0, im.width, im.height * top // 100)).save(os.path.join(dst, f.rsplit(".", 1)[0] + ".png"))
PY
	"$build/tools/ocreval" -H -P "$root/config/viet-bigrams.tsv" "$2/top" "$2/top" >/dev/null ||
		{ echo "proposetable: ocreval failed on seed $1" >&2; return 1; }
	cp "$2/img"/*.fields.json "$2/top"/ && : >"$2/done"
}
[ $# -gt 0 ] || set -- 9191 8282 # unseen while the rules were written
for seed in "$@"; do
	d=$work/$seed-$docs-$top
	[ -f "$d/done" ] || pages "$seed" "$d" || exit 1
	echo "seed $seed, $docs documents, OCR of the top $top % (ocreval -P config/viet-bigrams.tsv):"
	"$build/tools/proposeeval" ${PROPOSE_VERBOSE:+-v} "$root/config" "$d/top" .txt || exit 1
done
