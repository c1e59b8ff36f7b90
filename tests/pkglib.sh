# pkglib.sh - for the verify tests (t52NN-verify-*): a small E-ARK package
# made by `sohoa export` from a workspace filled directly (two documents
# with fake signed PDFs), unpacked beside it.  Sourced after lib.sh.
#   mkpkg          makes ws/, $Z (the zip, with its .sha256), $ROOT (the
#                  package folder's name) and unpacked/$ROOT
#   PKGTOOL ...    tests/tools/pkgtool.py (see there)
PKGTOOL="python3 $TOP/tests/tools/pkgtool.py"
command -v python3 >/dev/null || skip "no python3"
mkpkg() {
	ws_init ws
	now=1781239537690
	mkdir -p ws/derived/docs/1 ws/derived/docs/2
	printf '%%PDF-1.7\nfirst\n%%%%EOF\n' > ws/derived/docs/1/signed.pdf
	printf '%%PDF-1.7\nsecond\n%%%%EOF\n' > ws/derived/docs/2/signed.pdf
	sq ws "
INSERT INTO fonds(id, code, name, archive_code, created) VALUES (1, 'G09', 'Bộ Nội vụ', '000.00.00.G09', $now);
INSERT INTO files(id, fonds_id, file_code, title, paper_file_code, created)
  VALUES (1, 1, '000.00.00.G09.2010.01.TH', 'Hồ sơ thử, năm 2010', 'H49.01.12', $now);
INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (1, '000.00.00.G09.2010.01.TH', 's1', 'lan', 'a4-office', $now);
INSERT INTO documents(id, file_id, batch_id, stt, name, title, state, signed_path, created) VALUES
  (1, 1, 1, 1, '000.00.00.G09.2010.01.TH.1', 'Quyết định', 'ready', 'derived/docs/1/signed.pdf', $now),
  (2, 1, 1, 2, '000.00.00.G09.2010.01.TH.2', 'Công văn', 'ready', 'derived/docs/2/signed.pdf', $now);
INSERT INTO jobs(stage, document_id, state, created, updated) VALUES
  ('sign', 1, 'done', $now, $now), ('sign', 2, 'done', $now, $now);" || die "fill the database"
	"$SOHOA" -C ws export --file 000.00.00.G09.2010.01.TH > /dev/null 2>&1 || die "export"
	Z=ws/exports/000.00.00.G09.2010.01.TH.zip
	ROOT=$(unzip -Z1 "$Z" | head -n 1 | cut -d/ -f1)
	mkdir unpacked && (cd unpacked && unzip -q "../$Z") || die "unzip"
	DATA=representations/rep1/data
	PDF1=$DATA/000.00.00.G09.2010.01.TH.1.pdf
}
