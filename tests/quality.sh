#!/bin/sh
# quality.sh DIR [WORKDIR] - measure sohoa's page stages and OCR on any
# folder of page images with ground truth, against the targets of issue 3.
#
# DIR holds the images (png jpg jpeg tif tiff pnm), NAME.gt.txt for each
# page (an empty one for a blank page), and optionally a manifest of known
# truth, DIR/manifest.tsv (else DIR/angles.tsv): tab-separated with a header;
# columns used by name: name, file, index (image of a multi-page TIFF, from
# 0), skew_deg (or angle_deg_ccw), rotation, blank.  That is the format of
# ../shared/corpus/make-dev-pages.sh, tests/mksamples.sh and the congbao
# skew/angles.tsv.  skew_deg is the counter-clockwise turn given to the sheet
# and rotation the counter-clockwise quarter turn applied after it, so a
# right answer is: detected skew = skew_deg, detected orientation = rotation.
# Without a manifest NAME is the file name without its extension, and a page
# is expected blank when its NAME.gt.txt is empty.
#
# The pages are ingested into a fresh workspace WORKDIR/ws (WORKDIR: a new
# temporary folder unless given; kept, and named at the end) under the
# profile `quality` written into that workspace (the legacy profile's keys
# with min_dpi 1: real scans tagged 72 or 96 dpi are read, not held, since
# the OCR stage judges resolution from the text itself), run through
# capture orient deskew clean blank ocr pdf ($QUALITY_STAGES to change), and
# judged from `sohoa pages --json`.  The OCR text of each page is copied to
# WORKDIR/out/NAME.txt and scored by build/tools/cer.
#
# Prints orientation accuracy, mean and max |skew residual| (pages with text
# only), blank precision and recall, pages flagged blank that have text,
# review count, CER and WER, and the wall time.  Exits 1 when a target is
# missed: every orientation right; mean |skew residual| <= 0.05 deg, max <=
# 0.15 deg; every blank page flagged; no page with text flagged blank; and,
# when $QUALITY_MAX_CER is set, CER (%) at most that.  Exits 2 on a usage or
# set-up error.
#
# Environment: BUILD (build folder, default build), QUALITY_STAGES,
# QUALITY_PROFILE (scanner profile, default quality; overhead-book splits
# facing pages),
# QUALITY_WORKERS (ocr workers, default the number of cores),
# QUALITY_CONF ("key = value" lines added to sohoa.conf, e.g.
# "ocr.retry_circumflex = no").
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${1:-}
[ -n "$dir" ] && [ -d "$dir" ] || { echo "usage: quality.sh DIR [WORKDIR]" >&2; exit 2; }
dir=$(cd "$dir" && pwd)
build=${BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
sohoa=$build/sohoa
cer=$build/tools/cer
for t in "$sohoa" "$cer"; do
	[ -x "$t" ] || { echo "quality.sh: no '$t': run make" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "quality.sh: no jq: apt-get install jq" >&2; exit 2; }
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/sohoa-quality.XXXXXX")}
mkdir -p "$work" || exit 2
work=$(cd "$work" && pwd)
ws=$work/ws
out=$work/out
[ -e "$ws" ] && { echo "quality.sh: '$ws' exists: give an empty WORKDIR" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out"/*.txt

manifest=
for m in "$dir/manifest.tsv" "$dir/angles.tsv"; do
	[ -f "$m" ] && { manifest=$m; break; }
done

export SOHOA_QUIET=1
"$sohoa" init "$ws" >/dev/null || { echo "quality.sh: cannot make a workspace in '$ws'" >&2; exit 2; }
{
	echo "stages = ${QUALITY_STAGES:-capture orient deskew clean blank ocr pdf}"
	echo "ocr.workers = ${QUALITY_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
	[ -n "${QUALITY_CONF:-}" ] && printf '%s\n' "$QUALITY_CONF"
} >> "$ws/sohoa.conf"
sed -e 's/^min_dpi = .*/min_dpi = 1/' -e 's/^description = .*/description = measuring: any resolution/' \
	"$ws/scanner-profiles/legacy.conf" > "$ws/scanner-profiles/quality.conf" || exit 2

# Only the images: the ground truth and manifest are not scans.
find "$dir" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' -o -name '*.tif' \
	-o -name '*.tiff' -o -name '*.pnm' \) | sort > "$work/files"
[ -s "$work/files" ] || { echo "quality.sh: no images in '$dir'" >&2; exit 2; }
# shellcheck disable=SC2046
"$sohoa" -C "$ws" ingest --profile "${QUALITY_PROFILE:-quality}" $(cat "$work/files") > "$work/ingest.log" ||
	{ echo "quality.sh: ingest failed (see $work/ingest.log)" >&2; exit 2; }
t0=$(date +%s.%N)
"$sohoa" -C "$ws" run --drain 2> "$work/run.log" || { echo "quality.sh: run failed (see $work/run.log)" >&2; exit 2; }
t1=$(date +%s.%N)
"$sohoa" -C "$ws" pages --json > "$work/pages.json" || exit 2
"$sohoa" -C "$ws" status --json > "$work/status.json" || exit 2

# One row per page: source, image, orientation, skew, blank, review, text path.
jq -r '.[] | [.source, .image, .orientation, .skew, (if .blank then 1 else 0 end),
	(if .review then 1 else 0 end), (.text // "-"), .split_of] | @tsv' "$work/pages.json" > "$work/pages.tsv"

# Join the truth and the pages by (file, index); copy the text to out/NAME.txt.
# Emits "name exp_rot got_rot exp_skew got_skew exp_blank got_blank has_text review"
# per truth row, "unmatched FILE INDEX" for pages with no truth row.
awk -F'\t' -v manifest="$manifest" -v dir="$dir" -v out="$out" '
function stem(f) { sub(/\.[^.]*$/, "", f); return f }
function gt_has_text(name,   line, f, r) {
	f = dir "/" name ".gt.txt"; r = 0
	while ((getline line < f) > 0) if (line ~ /[^ \t\r]/) r = 1
	close(f); return r
}
BEGIN {
	n = 0
	if (manifest != "") {
		getline hdr < manifest
		k = split(hdr, h, "\t")
		for (i = 1; i <= k; i++) col[h[i]] = i
		while ((getline line < manifest) > 0) {
			split(line, c, "\t")
			file = c[col["file"]]
			if (file == "") continue
			idx = ("index" in col) ? c[col["index"]] + 0 : 0
			name = ("name" in col) ? c[col["name"]] : stem(file)
			skew = ("skew_deg" in col) ? c[col["skew_deg"]] : (("angle_deg_ccw" in col) ? c[col["angle_deg_ccw"]] : 0)
			rot = ("rotation" in col) ? c[col["rotation"]] + 0 : 0
			key = file SUBSEP idx
			tname[key] = name; tskew[key] = skew + 0; trot[key] = rot
			tblank[key] = ("blank" in col) ? c[col["blank"]] + 0 : !gt_has_text(name)
			order[++n] = key
		}
	}
}
{
	file = $1; idx = $2 + 0; key = file SUBSEP idx
	if (manifest == "" && !(key in tname)) {
		name = idx ? stem(file) "-" (idx + 1) : stem(file)
		tname[key] = name; tskew[key] = 0; trot[key] = -1; tblank[key] = !gt_has_text(name)
		order[++n] = key
	}
	if (!(key in tname)) { print "unmatched", file, idx; next }
	seen[key]++
	got_rot[key] = $3 + 0; got_skew[key] = $4 + 0; got_blank[key] = $5 + 0; review[key] = $6 + 0
	# The text of the page; a split page (facing) appends its second half.
	if ($7 != "-") {
		dst = out "/" tname[key] ".txt"
		while ((getline line < $7) > 0) print line >> dst
		close($7); close(dst)
	} else if ($5 + 0) {
		printf "" >> (out "/" tname[key] ".txt")
	}
}
END {
	for (i = 1; i <= n; i++) {
		key = order[i]
		if (!(key in seen)) { print "missing", tname[key]; continue }
		print tname[key], trot[key], got_rot[key], tskew[key], got_skew[key], tblank[key], got_blank[key], gt_has_text(tname[key]), review[key]
	}
}' "$work/pages.tsv" > "$work/joined.txt"

case " ${QUALITY_STAGES:-ocr} " in
*" ocr "*) "$cer" "$dir" "$out" > "$work/cer.txt" || { echo "quality.sh: cer failed" >&2; exit 2; } ;;
*) echo "not measured: no ocr stage" > "$work/cer.txt" ;;
esac

awk -v t0="$t0" -v t1="$t1" -v maxcer="${QUALITY_MAX_CER:-}" -v cerline="$(tail -n 1 "$work/cer.txt")" '
function abs(x) { return x < 0 ? -x : x }
$1 == "unmatched" { unmatched++; print "  page without truth: " $2 " image " $3; next }
$1 == "missing" { missing++; print "  no page for " $2 " (quarantined or failed?)"; next }
{
	pages++
	name = $1; er = $2; gr = $3; es = $4; gs = $5; eb = $6; gb = $7; txt = $8; rv = $9
	if (er >= 0) {
		orient_n++
		if ((gr - er) % 360 == 0) orient_ok++
		else print "  orientation wrong: " name " is turned " er ", detected " gr
	}
	if (!eb && txt) {
		r = abs(gs - es); skew_n++; skew_sum += r
		if (r > skew_max) { skew_max = r; skew_worst = name }
		if (r > 0.15) printf "  skew residual %.3f deg on %s (truth %s, detected %s)\n", r, name, es, gs
	}
	if (eb) blanks++
	if (gb) flagged++
	if (eb && gb) blank_hit++
	if (eb && !gb) print "  blank page not flagged: " name
	if (gb && txt) { text_blank++; print "  page with text flagged blank: " name }
	if (rv) reviews++
}
END {
	fail = 0; secs = t1 - t0
	printf "pages %d (wall %.1f s, %.1f pages/min)\n", pages, secs, (secs > 0 ? 60 * pages / secs : 0)
	if (orient_n) {
		printf "orientation: %d/%d right\n", orient_ok, orient_n
		if (orient_ok < orient_n) fail = 1
	} else print "orientation: no truth (no manifest)"
	if (skew_n) {
		printf "skew residual: mean %.3f deg, max %.3f deg (%s), %d pages\n", skew_sum / skew_n, skew_max, skew_worst, skew_n
		if (skew_sum / skew_n > 0.05 || skew_max > 0.15) fail = 1
	}
	printf "blank: %d flagged, %d blank; precision %s recall %s; pages with text flagged blank: %d\n", flagged, blanks,
		flagged ? sprintf("%.2f", blank_hit / flagged) : "-", blanks ? sprintf("%.2f", blank_hit / blanks) : "-", text_blank
	if (blank_hit < blanks || text_blank > 0) fail = 1
	printf "review: %d pages\n", reviews
	print "ocr: " cerline
	split(cerline, c, " ")
	if (maxcer != "" && c[1] == "CER" && c[2] + 0 > maxcer + 0) { printf "CER %s above the target %s\n", c[2], maxcer; fail = 1 }
	if (missing || unmatched) fail = 1
	print fail ? "RESULT: target missed" : "RESULT: all targets met"
	exit fail
}' "$work/joined.txt"
rc=$?
echo "per page: $work/cer.txt; workspace: $ws"
exit $rc
