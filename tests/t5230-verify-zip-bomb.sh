# t5230: zip bombs and repeated references (issue 11, finding 5).  A PDF
# member of 64 MiB of zeros (a few KiB deflated) that METS says is 21 bytes
# is refused from the sizes alone, never extracted (verify runs under a
# 4 MiB file-size limit); one PDF referenced by 300 <file> entries is read
# and its signature checked once, and the repetition is a problem.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
command -v openssl >/dev/null || skip "no openssl"
mkpkg
sh "$TOP/tests/mkca.sh" keys > /dev/null 2>&1 || die "mkca"
mkdir tmp
$PKGTOOL bomb "$Z" bomb.zip "$PDF1" 64 || die "make the bomb"
[ "$(wc -c < bomb.zip)" -lt 1000000 ] || die "the bomb is not small"
(ulimit -f 4096; TMPDIR=$PWD/tmp exec "$SOHOA" verify bomb.zip --trust keys/ca.pem) > out 2> err
expect_eq "$?" 1 "exit status (bomb)"
expect_grep "^$PDF1: size mismatch: representations/rep1/METS.xml says 21 bytes, the file has 67108864" out
grep -q "^$PDF1: signature" out && die "the bomb went to the signature check"
expect_eq "$(ls -A tmp)" "" "files left in TMPDIR"
# one PDF, 300 references
cp -r "unpacked/$ROOT" "$ROOT"
$PKGTOOL dupref "$ROOT" 300 && $PKGTOOL fixsums "$ROOT" && $PKGTOOL zip "$ROOT" dup.zip || die "make the package"
TMPDIR=$PWD/tmp "$SOHOA" verify dup.zip --trust keys/ca.pem > out 2> err
expect_eq "$?" 1 "exit status (repeated references)"
expect_grep "^$PDF1: referenced more than once (again in representations/rep1/METS.xml); checked once" out
expect_eq "$(grep -c "^$PDF1: signature" out)" 1 "signature checks of the repeated PDF"
expect_eq "$(grep -c 'referenced more than once' out)" 1 "lines about the repetition"
"$SOHOA" verify dup.zip --no-signatures > out 2> err
expect_grep "7 files checked\|problem" err
grep -q "ok:" err && die "a package with repeated references passed"
exit 0
