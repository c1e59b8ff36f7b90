# t5250: a FIFO in a package folder (METS.xml, a data file) or in place of
# the zip's .sha256 is reported and never opened (issue 11, finding 7):
# verify ends at once instead of waiting for a writer.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
command -v mkfifo >/dev/null && command -v timeout >/dev/null || skip "no mkfifo or timeout"
mkpkg
cp -r "unpacked/$ROOT" f1
rm f1/METS.xml && mkfifo f1/METS.xml
timeout 20 "$SOHOA" verify f1 --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (FIFO as METS.xml)"
expect_grep "^METS.xml: not a regular file or folder" out
cp -r "unpacked/$ROOT" f2
rm "f2/$PDF1" && mkfifo "f2/$PDF1"
timeout 20 "$SOHOA" verify f2 --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (FIFO as a PDF)"
expect_grep "^$PDF1: not a regular file or folder" out
cp "$Z" p.zip && mkfifo p.zip.sha256
timeout 20 "$SOHOA" verify p.zip --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (FIFO as the .sha256)"
expect_grep "^p.zip.sha256: not a regular file" out
mkfifo pipe.zip
timeout 20 "$SOHOA" verify pipe.zip --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (FIFO as the package)"
expect_grep "not a zip file or a folder" err
exit 0
