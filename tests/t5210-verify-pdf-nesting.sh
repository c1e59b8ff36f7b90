# t5210: verify on a PDF whose trailer holds a million '[' (issue 11,
# finding 3): no stack overflow, a problem line naming the PDF, exit 1, and
# no temporary copy left behind in $TMPDIR (the copy is unnamed).
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
command -v openssl >/dev/null || skip "no openssl"
mkpkg
sh "$TOP/tests/mkca.sh" keys > /dev/null 2>&1 || die "mkca"
cp -r "unpacked/$ROOT" "$ROOT"
python3 -c '
import sys
body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
xref = len(body)
body += b"xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R /X " + b"[" * 1000000 + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
open(sys.argv[1], "wb").write(body)' "$ROOT/$PDF1"
$PKGTOOL fixsums "$ROOT" && $PKGTOOL zip "$ROOT" deep.zip || die "make the package"
mkdir tmp
TMPDIR=$PWD/tmp "$SOHOA" verify deep.zip --trust keys/ca.pem > out 2> err
rc=$?
expect_eq "$rc" 1 "exit status of verify"
expect_grep "^$PDF1: signature: .*malformed trailer" out
expect_eq "$(ls -A tmp)" "" "files left in TMPDIR"
# the unpacked folder: the same, and the file is read in place
TMPDIR=$PWD/tmp "$SOHOA" verify "$ROOT" --trust keys/ca.pem > out 2> err
expect_eq "$?" 1 "exit status of verify (folder)"
expect_grep "^$PDF1: signature: .*malformed trailer" out
exit 0
