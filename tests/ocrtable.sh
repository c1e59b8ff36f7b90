#!/bin/sh
# ocrtable.sh [DIR...] - the OCR quality table of `make bench` (issue 10):
# sohoa, plain `tesseract -l vie` on the original image, and OCRmyPDF
# (`ocrmypdf -l vie --jobs 1`, its sidecar text) side by side on folders of
# page images with NAME.gt.txt, per folder, per page class and, with
# OCRTABLE_PAGES=1 (the default for a folder named real), per page.
#
# Without arguments the folders are those of ../shared/corpus that exist:
# real/, the REAL=1 real-like pages and the dev pages of make-dev-pages.sh
# (rendered into the work folder, the first $OCRTABLE_MAX of each, default
# 8), congbao/pages, congbao/skew, congbao/degraded.  Without the corpus it
# says so and exits 77.
#
#  sohoa      tests/quality.sh on the folder (capture .. ocr, one worker);
#  tesseract  `tesseract IMAGE - -l vie`, one page at a time;
#  ocrmypdf   `ocrmypdf -l vie --jobs 1 --image-dpi 300 --sidecar` per image
#             (--image-dpi only applies to an image without a resolution).
# OMP_THREAD_LIMIT=1 for all.  Scores by build/tools/cer: CER and BOW (the
# bag-of-words error, blind to reading order: two-column headers), in %,
# over all characters (words) of the folder.  core-s/page: user + system
# seconds of the whole run (sohoa: ingest, the stages and its workers) over
# the pages.  Page classes: for a folder with real.tsv (mkpages.py --real),
# one row per degradation family present on a page.  Last, how well sohoa's
# page confidence predicts its CER: Spearman's rank correlation over all
# pages.
#
# A benchmark: it reports and exits 0 unless something could not run (1),
# or 77 when there is nothing to measure.  Environment: BUILD (default
# build), OCRTABLE_MAX, OCRTABLE_WORK (work folder, default a new one),
# OCRTABLE_TOOLS ("sohoa tesseract ocrmypdf" to choose), QUALITY_CONF
# (passed to quality.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
cer=$build/tools/cer
corpus=$root/../shared/corpus
max=${OCRTABLE_MAX:-8}
tools=${OCRTABLE_TOOLS:-sohoa tesseract ocrmypdf}
[ -x "$cer" ] && [ -x "$build/sohoa" ] || { echo "ocrtable.sh: no '$cer' or '$build/sohoa': run make" >&2; exit 1; }
# only the tools asked for (OCRTABLE_TOOLS="sohoa tesseract" runs without OCRmyPDF)
for c in tesseract /usr/bin/time $(echo "$tools" | grep -ow ocrmypdf); do
	command -v $c > /dev/null || { echo "ocrtable.sh: no '$c': make bench installs it" >&2; exit 1; }
done
work=${OCRTABLE_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/sohoa-ocrtable.XXXXXX")}
mkdir -p "$work" || exit 1
export OMP_THREAD_LIMIT=1 SOHOA_QUIET=1

# subset SRC DST N: the first N images of SRC that have ground truth, with
# their truth, manifest and real.tsv.
subset() {
	mkdir -p "$2"
	k=0
	for f in $(ls "$1" | grep -E '\.(png|jpe?g|tiff?|pnm)$' | sort); do
		[ $k -ge "$3" ] && break
		s=${f%.*}
		[ -f "$1/$s.gt.txt" ] || continue
		# a blank page says nothing about OCR
		grep -q '[^[:space:]]' "$1/$s.gt.txt" || continue
		cp "$1/$f" "$1/$s.gt.txt" "$2/"
		k=$((k + 1))
	done
	for m in manifest.tsv angles.tsv real.tsv; do [ -f "$1/$m" ] && cp "$1/$m" "$2/"; done
}

folders=
if [ $# -gt 0 ]; then
	for d in "$@"; do
		[ -d "$d" ] || { echo "ocrtable.sh: no folder '$d'" >&2; exit 1; }
		folders="$folders $(cd "$d" && pwd)"
	done
elif [ -d "$corpus" ]; then
	[ -d "$corpus/real" ] && folders="$folders $corpus/real"
	if [ -f "$corpus/make-dev-pages.sh" ]; then
		# make-dev-pages.sh needs Debian's python3 (python3-pil)
		if [ ! -d "$work/dev" ]; then
			PATH=/usr/bin:$PATH REAL=1 sh "$corpus/make-dev-pages.sh" "$work/dev" > "$work/dev.log" 2>&1 ||
				echo "ocrtable.sh: make-dev-pages.sh failed, see $work/dev.log" >&2
		fi
		[ -d "$work/dev/real" ] && subset "$work/dev/real" "$work/real-like" "$max" && folders="$folders $work/real-like"
		[ -d "$work/dev" ] && subset "$work/dev" "$work/dev-pages" "$max" && folders="$folders $work/dev-pages"
	fi
	for d in pages skew degraded; do
		[ -d "$corpus/congbao/$d" ] && subset "$corpus/congbao/$d" "$work/congbao-$d" "$max" && folders="$folders $work/congbao-$d"
	done
fi
[ -n "$folders" ] || { echo "ocrtable.sh: no corpus at '$corpus' and no folder given: nothing measured (skip)"; exit 77; }

# cpu TIMEFILE: user + system seconds
cpu() { awk '{ s += $1 + $2 } END { printf "%.2f", s }' "$1"; }

for d in $folders; do
	name=$(basename "$d")
	o=$work/$name
	mkdir -p "$o"
	ls "$d" | grep -E '\.(png|jpe?g|tiff?|pnm)$' | sort > "$o/images"
	n=$(wc -l < "$o/images")
	echo "ocrtable: $name: $n pages" >&2
	for t in $tools; do
		rm -rf "$o/$t.out" "$o/$t.q"; mkdir -p "$o/$t.out"; : > "$o/$t.time"
		case $t in
		sohoa)
			/usr/bin/time -f '%U %S' -o "$o/$t.time" env QUALITY_WORKERS=1 QUALITY_STAGES="capture orient deskew clean blank ocr" \
				BUILD="$build" sh "$here/quality.sh" "$d" "$o/$t.q" > "$o/$t.log" 2>&1
			cp "$o/$t.q/out/"*.txt "$o/$t.out/" 2> /dev/null ;;
		tesseract)
			while read -r f; do
				/usr/bin/time -f '%U %S' -a -o "$o/$t.time" tesseract "$d/$f" "$o/$t.out/${f%.*}" -l vie > /dev/null 2>> "$o/$t.log"
			done < "$o/images" ;;
		ocrmypdf)
			while read -r f; do
				/usr/bin/time -f '%U %S' -a -o "$o/$t.time" ocrmypdf -q -l vie --jobs 1 --image-dpi 300 \
					--sidecar "$o/$t.out/${f%.*}.txt" "$d/$f" "$o/$t.pdf" 2>> "$o/$t.log" ||
					echo "ocrtable: ocrmypdf failed on '$f' (counted as no text)" >&2
			done < "$o/images" ;;
		esac
		"$cer" "$d" "$o/$t.out" > "$o/$t.cer"
		echo "$(cpu "$o/$t.time") $n" > "$o/$t.cpu"
	done
done

# ---- the table ----
printf '\n%-24s %5s' "folder" "pages"
for t in $tools; do printf ' | %-9s %6s %6s %6s' "$t" "CER%" "BOW%" "core-s"; done
echo
for d in $folders; do
	name=$(basename "$d"); o=$work/$name
	printf '%-24s %5s' "$name" "$(wc -l < "$o/images")"
	for t in $tools; do
		tail -n 1 "$o/$t.cer" | awk -v c="$(cat "$o/$t.cpu")" '{ split(c, a, " "); printf " | %-9s %6.2f %6.2f %6.2f", "", $2, $10, a[2] ? a[1] / a[2] : 0 }'
	done
	echo
done

# Per page class (real.tsv families) and per page.
for d in $folders; do
	name=$(basename "$d"); o=$work/$name
	if [ -f "$d/real.tsv" ]; then
		echo; echo "$name by page class (pages with the family; CER% / BOW%, weighted by characters / words):"
		# shellcheck disable=SC2086
		awk -F'\t' -v tools="$tools" -v o="$o" '
		FNR == 1 && FILENAME ~ /real.tsv$/ { for (i = 1; i <= NF; i++) col[i] = $i; next }
		FILENAME ~ /real.tsv$/ { for (i = 5; i <= NF; i++) if ($i != "-" && $i != "") { fam[col[i]] = 1; has[$1, col[i]] = 1 }; next }
		{
			# cer lines: NAME chars N CER x% WER y% BOW z%
			split(FILENAME, p, "/"); t = p[length(p)]; sub(/\.cer$/, "", t)
			if ($1 == "CER") next
			split($0, f, "\t"); nm = f[1]; split(f[2], a, " "); ch = a[2]
			split(f[3], b, " "); ce = b[2] + 0; split(f[5], w, " "); bo = w[2] + 0
			chars[t, nm] = ch; cerv[t, nm] = ce; bow[t, nm] = bo; names[nm] = 1
		}
		END {
			nt = split(tools, T, " ")
			for (fm in fam) {
				line = sprintf("  %-12s", fm); np = 0
				for (k = 1; k <= nt; k++) {
					e = 0; c = 0; be = 0
					for (nm in names) if ((nm, fm) in has) { e += cerv[T[k], nm] * chars[T[k], nm]; be += bow[T[k], nm] * chars[T[k], nm]; c += chars[T[k], nm]; if (k == 1) np++ }
					line = line sprintf(" | %-9s %6.2f %6.2f", T[k], c ? e / c : 0, c ? be / c : 0)
				}
				print line sprintf("  (%d pages)", np)
			}
		}' "$d/real.tsv" $(for t in $tools; do echo "$o/$t.cer"; done) | sort
	fi
	if [ "$name" = real ] || [ "${OCRTABLE_PAGES:-0}" = 1 ]; then
		echo; echo "$name per page (CER% / BOW%):"
		# shellcheck disable=SC2086
		awk -F'\t' -v tools="$tools" '
		{ split(FILENAME, p, "/"); t = p[length(p)]; sub(/\.cer$/, "", t) }
		$1 ~ /^CER / { next }
		{ split($3, b, " "); split($5, w, " "); v[t, $1] = sprintf("%6.2f %6.2f", b[2], w[2]); if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
		END {
			nt = split(tools, T, " ")
			for (i = 1; i <= n; i++) {
				line = sprintf("  %-40s", order[i])
				for (k = 1; k <= nt; k++) line = line sprintf(" | %-9s %s", T[k], v[T[k], order[i]])
				print line
			}
		}' $(for t in $tools; do echo "$o/$t.cer"; done)
	fi
done
# rho DIR...: Spearman rank correlation of page confidence and CER over the
# pages of the quality.sh work folders DIR (pages.json, cer.txt).
rho() {
	for q in "$@"; do
		[ -f "$q/pages.json" ] && [ -f "$q/cer.txt" ] || continue
		jq -r '.[] | [(.source | sub("\\.[^.]*$"; "")), (.ocr_confidence // 0)] | @tsv' "$q/pages.json" |
			awk -F'\t' -v cer="$q/cer.txt" 'BEGIN { while ((getline l < cer) > 0) { split(l, f, "\t"); if (f[3] ~ /^CER /) { split(f[3], c, " "); e[f[1]] = c[2] + 0 } } }
				($1 in e) { print $2 "\t" e[$1] }'
	done | awk -F'\t' '
	function rank(v, r, n,   i, j, k, t, idx) {
		for (i = 1; i <= n; i++) idx[i] = i
		for (i = 2; i <= n; i++) { t = idx[i]; for (j = i - 1; j >= 1 && v[idx[j]] > v[t]; j--) idx[j + 1] = idx[j]; idx[j + 1] = t }
		for (i = 1; i <= n; i = k) { for (k = i; k <= n && v[idx[k]] == v[idx[i]]; k++); for (j = i; j < k; j++) r[idx[j]] = (i + k - 1) / 2 }
	}
	{ n++; a[n] = $1; b[n] = $2 }
	END {
		if (n < 3) { print "page confidence vs CER: too few pages"; exit }
		rank(a, ra, n); rank(b, rb, n)
		for (i = 1; i <= n; i++) { ma += ra[i]; mb += rb[i] }
		ma /= n; mb /= n
		for (i = 1; i <= n; i++) { sab += (ra[i] - ma) * (rb[i] - mb); saa += (ra[i] - ma) ^ 2; sbb += (rb[i] - mb) ^ 2 }
		printf "page confidence vs CER: Spearman rank correlation %.2f over %d pages (negative: lower confidence, more errors)\n", (saa && sbb) ? sab / sqrt(saa * sbb) : 0, n
	}'
}
echo
# shellcheck disable=SC2046
rho $(for d in $folders; do echo "$work/$(basename "$d")/sohoa.q"; done)
echo "ocrtable: details in $work"
exit 0
