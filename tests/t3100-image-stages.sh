# t3100: the page image stages (capture orient deskew clean blank) on the
# project's sample scans with known truth (tests/mksamples.sh): every page
# upright, skew within 0.15 degrees, the blank backs flagged and no page with
# text flagged, judged by tests/quality.sh (which must also fail when the
# truth disagrees); the facing pages of a book scan split in two under the
# overhead-book profile; `pages --json` carries every field issue 3 asks for.
. "$SOHOA_TOP/tests/lib.sh"
command -v pango-view > /dev/null || skip "no pango-view (apt-get install pango1.0-tools)"
MKPAGE="$TOOLS/mkpage" sh "$TOP/tests/mksamples.sh" samples > /dev/null || die "mksamples.sh"

# The single-sheet scans, judged by the quality script against the manifest.
mkdir set
awk -F'\t' 'NR == 1 || $8 == 0' samples/manifest.tsv > set/manifest.tsv
for f in $(awk -F'\t' 'NR > 1 { print $2 }' set/manifest.tsv | sort -u); do cp "samples/$f" set/; done
for n in $(awk -F'\t' 'NR > 1 { print $1 }' set/manifest.tsv); do cp "samples/$n.gt.txt" set/; done
BUILD="$SOHOA_BUILD" QUALITY_STAGES="capture orient deskew clean blank" sh "$TOP/tests/quality.sh" set q > quality.out 2>&1 ||
	{ cat quality.out; die "quality.sh: targets missed on the sample scans"; }
cat quality.out
expect_grep "orientation: 9/9 right" quality.out
expect_grep "blank: 2 flagged, 2 blank; precision 1.00 recall 1.00; pages with text flagged blank: 0" quality.out
# the same figures from pages --json, not only from the script
jq -e 'length == 9' q/pages.json > /dev/null || die "9 pages expected: $(jq length q/pages.json)"
for key in source image orientation orientation_confidence skew blank ocr_confidence review text hocr alto access; do
	jq -e --arg k "$key" 'all(.[]; has($k))' q/pages.json > /dev/null || die "pages --json lacks '$key'"
done
expect_eq "$(jq -r '.[] | select(.source == "s07.jpg") | .orientation' q/pages.json)" 270 "s07 orientation"
jq -e '.[] | select(.source == "s02.jpg") | (.skew + 2.3) | fabs < 0.15' q/pages.json > /dev/null || die "s02 skew: $(jq '.[] | select(.source == "s02.jpg") | .skew' q/pages.json)"
expect_eq "$(jq -r '[.[] | select(.blank) | .source] | sort | join(" ")' q/pages.json)" "s05.jpg s06.tif" "blank pages"
# the master scans are untouched: the access copies are separate files
cmp -s samples/s07.jpg "q/ws/$(jq -r '.[] | select(.source == "s07.jpg") | .access' q/pages.json)" && die "s07 master changed"

# The quality script fails when a target is missed: a manifest that says
# the sideways page is upright.
mkdir wrong
cp samples/s03.tif samples/s03.gt.txt wrong/
printf 'name\tfile\tdpi\tskew_deg\trotation\tblank\ns03\ts03.tif\t200\t0.8\t0\t0\n' > wrong/manifest.tsv
BUILD="$SOHOA_BUILD" QUALITY_STAGES="capture orient" sh "$TOP/tests/quality.sh" wrong qw > wrong.out 2>&1 &&
	{ cat wrong.out; die "quality.sh passed a wrong orientation"; }
expect_grep "orientation wrong: s03 is turned 0, detected 90" wrong.out

# A book scan: two facing pages, split at the gutter under the book profile.
ws_init book "capture orient deskew clean blank"
expect_ok "$SOHOA" -C book ingest --profile overhead-book samples/s08.png > /dev/null
expect_ok "$SOHOA" -C book run --drain
"$SOHOA" -C book pages --json > book.json
expect_eq "$(jq length book.json)" 2 "pages from the facing scan"
expect_eq "$(jq '[.[] | select(.split_of != 0)] | length' book.json)" 1 "pages recorded as split"
jq -e 'all(.[]; .blank == false)' book.json > /dev/null || die "a half flagged blank: $(jq -c '[.[] | {source, blank}]' book.json)"
sq book "SELECT note FROM pages" | grep -q "split at the gutter" || die "the split is not recorded: $(sq book 'SELECT note FROM pages')"
# each half's access copy is one portrait page (PNM header: width height)
for a in $(sq book "SELECT access_path FROM pages"); do
	set -- $(head -n 4 "book/$a" | grep -av '^#' | sed -n 2p)
	[ "$1" -lt "$2" ] || die "split half $a is ${1}x$2, not portrait"
done
