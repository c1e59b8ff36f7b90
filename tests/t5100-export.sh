# t5100: export builds E-ARK SIPs (SIP_hoso, SIP_tailieu) of the documents
# that passed every stage, beside them the Mục lục (CSV, PDF) and the Biên
# bản; exporting twice gives the same bytes; verify passes, and catches a
# changed byte, a removed, an added and two swapped files; usage errors.
# The documents are put into the database directly (fake signed PDFs), so
# signatures are checked with --no-signatures here; the demo and the sign
# tests cover real signatures.  The METS/PREMIS are validated offline when
# ../shared/schemas (or $SOHOA_SCHEMAS) is there; else that check is skipped.
. "$SOHOA_TOP/tests/lib.sh"
"$SOHOA" --help 2>&1 | grep -q '^  export' || skip "sohoa has no export command yet"

# 1. a workspace with one file (two finished documents, one unfinished)
#    and one loose document
ws_init ws
now=1781239537690
mkdir -p ws/derived/docs/1 ws/derived/docs/2 ws/derived/docs/4
printf '%%PDF-1.7\nfirst\n%%%%EOF\n' > ws/derived/docs/1/signed.pdf
printf '%%PDF-1.7\nsecond\n%%%%EOF\n' > ws/derived/docs/2/signed.pdf
printf '%%PDF-1.7\nloose\n%%%%EOF\n' > ws/derived/docs/4/signed.pdf
sq ws "
INSERT INTO fonds(id, code, name, archive_code, created) VALUES (1, 'G09', 'Bộ Nội vụ', '000.00.00.G09', $now);
INSERT INTO files(id, fonds_id, file_code, title, paper_file_code, created)
  VALUES (1, 1, '000.00.00.G09.2010.01.TH', 'Hồ sơ thử, năm 2010', 'H49.01.12', $now);
INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (1, '000.00.00.G09.2010.01.TH', 's1', 'lan', 'a4-office', $now);
INSERT INTO documents(id, file_id, batch_id, stt, name, title, state, signed_path, created) VALUES
  (1, 1, 1, 1, '000.00.00.G09.2010.01.TH.1', 'Quyết định', 'ready', 'derived/docs/1/signed.pdf', $now),
  (2, 1, 1, 2, '000.00.00.G09.2010.01.TH.2', 'Công văn', 'ready', 'derived/docs/2/signed.pdf', $now),
  (3, 1, 1, 3, '000.00.00.G09.2010.01.TH.3', 'Chưa ký', 'ready', NULL, $now),
  (4, NULL, 1, NULL, 'roi-1', 'Tờ rời', 'ready', 'derived/docs/4/signed.pdf', $now);
INSERT INTO jobs(stage, document_id, state, created, updated) VALUES
  ('sign', 1, 'done', $now, $now), ('sign', 2, 'done', $now, $now), ('sign', 4, 'done', $now, $now);
INSERT INTO meta(object, object_id, field, value) VALUES ('file', 1, 'maintenance', '01'), ('document', 1, 'typeName', '02');
INSERT INTO events(time, agent, type, object, outcome, detail) VALUES
  ($now, 'operator:lan', 'capture', 'batch:1', 'success', '2 pages'),
  ($now + 1000, 'sohoa/sign', 'digital signature', 'document:1', 'success', NULL);" || die "fill the database"

# 2. export one file: the package, its .sha256, the Mục lục and the Biên bản
expect_ok "$SOHOA" -C ws export --file 000.00.00.G09.2010.01.TH > out 2> err
expect_grep "exports/000.00.00.G09.2010.01.TH.zip$" out
expect_grep "muc-luc-000.00.00.G09.2010.01.TH.csv$" out
expect_grep "muc-luc-000.00.00.G09.2010.01.TH.pdf$" out
expect_grep "bien-ban-000.00.00.G09.2010.01.TH.md$" out
expect_grep "1 document(s) not through every stage, left out" err
Z=ws/exports/000.00.00.G09.2010.01.TH.zip
[ -f "$Z.sha256" ] || die "no sidecar"
(cd ws/exports && sha256sum -c 000.00.00.G09.2010.01.TH.zip.sha256 >/dev/null) || die "sidecar does not match"
ls ws/tmp | grep -q . && die "temporary files left in tmp/"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'transfer' AND object = 'file:000.00.00.G09.2010.01.TH'")" 1 "transfer events"

# 3. the layout, the OBJID, checksums upper case, only finished documents
unzip -Z1 "$Z" > list
root=$(head -n 1 list | cut -d/ -f1)
case "$root" in uuid-[0-9A-F]*-*-*-*-*) ;; *) die "root folder '$root'";; esac
for f in METS.xml metadata/descriptive/EAD.xml metadata/preservation/PREMIS.xml representations/rep1/METS.xml \
	representations/rep1/metadata/descriptive/EAD_doc_000.00.00.G09.2010.01.TH.1.xml \
	representations/rep1/data/000.00.00.G09.2010.01.TH.1.pdf representations/rep1/data/000.00.00.G09.2010.01.TH.2.pdf; do
	grep -qx "$root/$f" list || die "no $f in the package"
done
grep -q 'TH.3' list && die "an unfinished document was exported"
unzip -p "$Z" "$root/METS.xml" > METS.xml
expect_grep "OBJID=\"$root\"" METS.xml
expect_grep 'xmlns:csip="https://DILCIS.eu/XML/METS/CSIPExtensionMETS"' METS.xml
expect_grep 'CHECKSUMTYPE="SHA-256"' METS.xml
grep -o 'CHECKSUM="[^"]*"' METS.xml | grep -q '[a-f]' && die "lower-case checksum"
expect_grep 'CREATEDATE="2026-06-12T11:45:38.690+07:00"' METS.xml
head -c 3 ws/exports/muc-luc-000.00.00.G09.2010.01.TH.csv | od -An -tx1 | grep -q 'ef bb bf' || die "CSV without BOM"
expect_grep "Hồ sơ thử, năm 2010" ws/exports/muc-luc-000.00.00.G09.2010.01.TH.csv
expect_grep "Số tài liệu: 2" ws/exports/bien-ban-000.00.00.G09.2010.01.TH.md
if command -v pdftotext >/dev/null; then
	pdftotext ws/exports/muc-luc-000.00.00.G09.2010.01.TH.pdf muc-luc.txt
	expect_grep "MỤC LỤC HỒ SƠ" muc-luc.txt
fi

# 4. exporting twice gives the same bytes
sha1=$(sha256sum < "$Z")
touch ws/derived/docs/1/signed.pdf
expect_ok "$SOHOA" -C ws export --file 000.00.00.G09.2010.01.TH > /dev/null 2>&1
expect_eq "$(sha256sum < "$Z")" "$sha1" "second export"

# 5. verify: good package, zip and unpacked
expect_ok "$SOHOA" verify "$Z" --no-signatures > out 2> err
expect_eq "$(cat out)" "" "problems of a good package"
expect_grep "ok: 7 files checked" err
mkdir unpacked && (cd unpacked && unzip -q "../$Z")
expect_ok "$SOHOA" verify "unpacked/$root" --no-signatures > /dev/null 2>&1

# 6. tampering, each caught with the file named (exit 1)
tamper() { # tamper NAME: copy of the unpacked package to change
	rm -rf "t-$1"; cp -r "unpacked/$root" "t-$1"
}
data="representations/rep1/data"
tamper byte
printf '\001' | dd of="t-byte/$data/000.00.00.G09.2010.01.TH.1.pdf" bs=1 seek=10 conv=notrunc 2>/dev/null
expect_fail "$SOHOA" verify t-byte --no-signatures > out 2>/dev/null
expect_grep "^$data/000.00.00.G09.2010.01.TH.1.pdf: checksum mismatch" out
tamper meta
sed -i 's/Quyết định/Quyết định!/' "t-meta/representations/rep1/metadata/descriptive/EAD_doc_000.00.00.G09.2010.01.TH.1.xml"
expect_fail "$SOHOA" verify t-meta --no-signatures > out 2>/dev/null
# a changed length is caught from the sizes, before the bytes are read
expect_grep "EAD_doc_000.00.00.G09.2010.01.TH.1.xml: size mismatch" out
tamper removed
rm "t-removed/$data/000.00.00.G09.2010.01.TH.2.pdf"
expect_fail "$SOHOA" verify t-removed --no-signatures > out 2>/dev/null
expect_grep "^$data/000.00.00.G09.2010.01.TH.2.pdf: missing" out
tamper added
echo extra > "t-added/$data/extra.pdf"
expect_fail "$SOHOA" verify t-added --no-signatures > out 2>/dev/null
expect_grep "^$data/extra.pdf: not referenced by any METS file" out
tamper swapped
mv "t-swapped/$data/000.00.00.G09.2010.01.TH.1.pdf" swap.tmp
mv "t-swapped/$data/000.00.00.G09.2010.01.TH.2.pdf" "t-swapped/$data/000.00.00.G09.2010.01.TH.1.pdf"
mv swap.tmp "t-swapped/$data/000.00.00.G09.2010.01.TH.2.pdf"
expect_fail "$SOHOA" verify t-swapped --no-signatures > out 2>/dev/null
expect_grep "^$data/000.00.00.G09.2010.01.TH.1.pdf: \(size\|checksum\) mismatch" out
expect_grep "^$data/000.00.00.G09.2010.01.TH.2.pdf: \(size\|checksum\) mismatch" out
# the root METS.xml is covered by the zip's .sha256
cp "$Z" root.zip
cp "$Z.sha256" root.zip.sha256
sed -i 's/000.00.00.G09.2010.01.TH.zip/root.zip/' root.zip.sha256
expect_ok "$SOHOA" verify root.zip --no-signatures > /dev/null 2>&1
(cd unpacked && sed -i 's/Hồ sơ thử/Hồ sơ thứ/' "$root/METS.xml" && rm -f ../root.zip && zip -q -r -X ../root.zip "$root")
expect_fail "$SOHOA" verify root.zip --no-signatures > out 2>/dev/null
expect_grep "^root.zip: checksum mismatch" out

# 7. the loose documents: SIP_tailieu
expect_ok "$SOHOA" -C ws export --loose > out 2>/dev/null
L=$(grep 'tai-lieu-roi-.*\.zip$' out)
[ -f "$L" ] || die "no loose package"
unzip -p "$L" '*/METS.xml' | head -c 4000 | grep -q 'csip:OTHERTYPE="SIP_tailieu"' || die "not SIP_tailieu"
expect_ok "$SOHOA" verify "$L" --no-signatures > /dev/null 2>&1

# 8. offline schema validation with the public schemas
schemas=${SOHOA_SCHEMAS:-$TOP/../shared/schemas}
if [ -f "$schemas/mets-csip-sip.xsd" ] && command -v xmllint >/dev/null; then
	export XML_CATALOG_FILES="$schemas/catalog.xml"
	for m in "$root/METS.xml" "$root/representations/rep1/METS.xml"; do
		xmllint --nonet --noout --schema "$schemas/mets-csip-sip.xsd" "unpacked/$m" 2>/dev/null || die "$m does not validate"
	done
	xmllint --nonet --noout --schema "$schemas/premis-v3-0.xsd" "unpacked/$root/metadata/preservation/PREMIS.xml" 2>/dev/null || die "PREMIS does not validate"
	xmllint --nonet --noout --schema "$schemas/ead2002.xsd" "unpacked/$root/metadata/descriptive/EAD.xml" 2>/dev/null || die "EAD does not validate"
else
	echo "skipped the schema check: no $schemas"
fi

# 9. usage and refusals
expect_fail "$SOHOA" -C ws export --file 000.00.00.G09.2010.01.TH --loose 2> /dev/null
expect_fail "$SOHOA" -C ws export --file NO.SUCH.FILE 2> err
expect_grep "file 'NO.SUCH.FILE': not in the workspace" err
"$SOHOA" verify > /dev/null 2>&1; expect_eq $? 2 "verify without a package"
"$SOHOA" verify "$Z" > /dev/null 2>&1; expect_eq $? 2 "verify without a trust store"
"$SOHOA" verify nothing.zip --no-signatures > /dev/null 2>&1; expect_eq $? 1 "verify of a missing package"
exit 0
