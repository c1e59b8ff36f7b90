#!/bin/sh
# pdfcheck.sh PDF [EXPECTED_TEXT] - check a sohoa PDF/A-2b:
#   qpdf --check is clean; pdffonts lists every font as embedded;
#   pdftotext output contains EXPECTED_TEXT (NFC, whitespace collapsed);
#   the XMP says pdfaid:part 2 and pdfaid:conformance B; no /Encrypt,
#   /JavaScript or /SMask.
# Prints "pdfcheck: ok 'PDF'" or the first failure; exit 0 or 1.
set -u
pdf=${1:?usage: pdfcheck.sh PDF [EXPECTED_TEXT]}
want=${2-}
fail() { echo "pdfcheck: '$pdf': $*" >&2; exit 1; }

[ -r "$pdf" ] || fail "cannot read file"
head -c 8 "$pdf" | grep -q '^%PDF-1\.[4-7]' || fail "no PDF header"
out=$(qpdf --check "$pdf" 2>&1) || fail "qpdf --check failed: $out"
echo "$out" | grep -q 'No syntax or stream encoding errors' || fail "qpdf --check: $out"
fonts=$(pdffonts "$pdf" 2>&1) || fail "pdffonts failed: $fonts"
# columns: name type encoding emb sub uni object ID; emb is 5th from the end
notemb=$(echo "$fonts" | awk 'NR > 2 && $(NF-4) != "yes" { print $1 }')
[ -z "$notemb" ] || fail "fonts not embedded: $notemb"
if [ -n "$want" ]; then
	text=$(pdftotext -enc UTF-8 "$pdf" - 2>/dev/null) || fail "pdftotext failed"
	python3 - "$want" "$text" <<'PY' || fail "pdftotext does not contain '$want'"
import sys, unicodedata
n = lambda s: " ".join(unicodedata.normalize("NFC", s).split())
sys.exit(0 if n(sys.argv[1]) in n(sys.argv[2]) else 1)
PY
fi
# The XMP packet is an uncompressed stream: read it straight from the file.
xmp=$(sed -n '/<x:xmpmeta/,/<\/x:xmpmeta>/p' "$pdf" | tr -d '\r')
echo "$xmp" | grep -q '<pdfaid:part>2</pdfaid:part>' || fail "XMP lacks pdfaid:part 2"
echo "$xmp" | grep -q '<pdfaid:conformance>B</pdfaid:conformance>' || fail "XMP lacks pdfaid:conformance B"
if command -v xmllint >/dev/null 2>&1; then
	echo "$xmp" | xmllint --noout - 2>/dev/null || fail "XMP is not well-formed XML"
fi
LC_ALL=C grep -aq '/Encrypt' "$pdf" && fail "encrypted"
LC_ALL=C grep -aq '/JavaScript' "$pdf" && fail "has JavaScript"
LC_ALL=C grep -aq '/SMask' "$pdf" && fail "has a soft mask (transparency)"
pdfinfo "$pdf" 2>/dev/null | grep -q '^Metadata Stream: *yes' || fail "pdfinfo sees no metadata stream"
echo "pdfcheck: ok '$pdf'"
