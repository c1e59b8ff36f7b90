# t5200: the whole pipeline with a real organisation key (tests/mkca.sh):
# every document is signed (PAdES B-B) and the third-party verifiers agree
# (tests/tools/sigcheck.sh: pdfsig valid and trusted, openssl cms -verify
# over the ByteRange, qpdf --check, and one changed byte fails both); the
# signed file is still the PDF/A with its text; the visible signature is on
# page 1 with the organisation's name and a +07:00 time; export builds the
# SIP of the signed documents and `verify --trust` passes it, fails it
# against another CA, and names the file when one byte of a PDF changes; a
# key that others can read stops the sign worker and `run --drain` says so.
. "$SOHOA_TOP/tests/lib.sh"
for t in pango-view pdfsig pdftotext qpdf openssl python3 unzip zip; do
	command -v $t > /dev/null || skip "no $t (make deps installs it)"
done
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || skip "no Tesseract vie model (apt-get install tesseract-ocr-vie)"
FC=000.00.00.G09.2024.07.VP
ORG="Sở Nội vụ tỉnh Quảng Nam"

# 1. two pages, two documents, a throw-away CA and organisation key
mkdir scans
pango-view --font='Liberation Serif 13' --dpi=200 --margin=0 --width=450 --background=white -q \
	-o qd.png "$TOP/tests/samples/quyetdinh.txt" || die "pango-view"
expect_ok "$TOOLS/mkpage" --dpi 200 --skew 0.7 --noise 0.02 --seed 51 -o scans/p1.png qd.png
expect_ok "$TOOLS/mkpage" --dpi 200 --skew -0.9 --rotate 180 --noise 0.02 --seed 52 -o scans/p2.jpg qd.png
sh "$TOP/tests/mkca.sh" keys "$ORG" > keys.conf || die "mkca.sh"
sh "$TOP/tests/mkca.sh" other > /dev/null || die "mkca.sh other"
ws_init ws
cat keys.conf >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws file add $FC --paper LT.VP.2024.H07 --fonds G09 --title "Hồ sơ thử ký số" > /dev/null
expect_ok "$SOHOA" -C ws ingest --file-code $FC --profile legacy --docs 1,2 scans > /dev/null
expect_ok "$SOHOA" -C ws run --drain
"$SOHOA" -C ws status --json > status.json
expect_eq "$(jq '.stages[] | select(.name == "sign") | .done' status.json)" 2 "documents signed"
expect_eq "$(jq '[.stages[] | .failed + .quarantined + .held] | add' status.json)" 0 "jobs failed, quarantined or held"

# 2. each signed PDF: third-party verification, still the PDF/A with text
for stt in 1 2; do
	pdf=$(find ws/derived/docs -name "$FC.$stt.pdf" | head -n 1)
	[ -f "$pdf" ] || die "no signed $FC.$stt.pdf"
	sh "$TOP/tests/tools/sigcheck.sh" "$pdf" keys/ca.pem > sig.out 2>&1 || { cat sig.out; die "sigcheck.sh $pdf"; }
	expect_grep "certificate is trusted" sig.out
	expect_ok sh "$TOP/tests/tools/pdfcheck.sh" "$pdf" "Hội đồng" > /dev/null
	pdfsig "$pdf" > pdfsig.out 2>&1
	expect_grep "Signer Certificate Common Name: $ORG" pdfsig.out
	expect_grep "Signature Type: ETSI.CAdES.detached" pdfsig.out
	# the unsigned PDF/A is kept beside it, and is a prefix of the signed file
	unsigned=$(dirname "$pdf")/unsigned/$FC.$stt.pdf
	[ -f "$unsigned" ] || die "no unsigned PDF beside $pdf"
	cmp -s -n "$(wc -c < "$unsigned")" "$unsigned" "$pdf" || die "the signature is not an incremental update of $unsigned"
done
# the visible appearance: the name and an ISO 8601 time at +07:00, in an
# embedded font, at the top right of page 1
python3 - "$pdf" "$ORG" <<'PY' || die "visible signature"
import re, sys, zlib
d = open(sys.argv[1], "rb").read()
m = re.search(rb"/Subtype\s*/Widget.*?/Rect\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", d, re.S)
assert m, "no signature widget"
x0, y0, x1, y1 = map(float, m.groups())
mb = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", d)
w, h = map(float, mb.groups())
assert x0 > w / 2 and y0 > h * 2 / 3, "widget at %r on a %gx%g page: not top right" % (m.groups(), w, h)
assert re.search(rb"/M\s*\(D:\d{14}\+07'00'?\)", d), "no /M signing time at +07:00"
assert b"/FontFile2" in d and b"LiberationSerif" in d, "no embedded Liberation Serif"
PY

# 3. a key that group or others can read stops the sign worker
ws_init bad
cat keys.conf >> bad/sohoa.conf
cp keys/org.key open.key && chmod 644 open.key
sed -i "s|^sign.key = .*|sign.key = $PWD/open.key|" bad/sohoa.conf
expect_ok "$SOHOA" -C bad ingest --profile legacy scans/p1.png > /dev/null
"$SOHOA" -C bad run --drain > bad.out 2>&1 && die "run --drain went on with a key others can read"
expect_grep "open.key" bad.out
expect_grep "sign" bad.out

# 4. export and verify the transfer package
expect_ok "$SOHOA" -C ws export --file $FC > export.out
Z=ws/exports/$FC.zip
[ -f "$Z" ] || die "no package $Z"
expect_ok "$SOHOA" verify "$Z" --trust keys/ca.pem > verify.out 2>&1
expect_grep "2 signature(s) valid" verify.out
"$SOHOA" verify "$Z" --trust other/ca.pem > other.out 2>&1 && die "verify trusted a signature from another CA"
expect_grep "$FC.1.pdf" other.out
# one byte changed in a signed PDF inside the package
mkdir t && (cd t && unzip -q "../$Z") || die "unzip"
f=$(find t -name "$FC.2.pdf" | head -n 1)
python3 - "$f" <<'PY' || die "tamper"
import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[len(d) // 3] ^= 0x01; open(p, "wb").write(bytes(d))
PY
"$SOHOA" verify "$(dirname "$(dirname "$(dirname "$(dirname "$f")")")")" --trust keys/ca.pem > tamper.out 2>&1 && die "verify passed a changed PDF"
expect_grep "$FC.2.pdf" tamper.out
exit 0
