# t5240: a symbolic link stored in the zip (EAD.xml -> /etc/passwd, its
# checksum that of the link text) is not a valid member (issue 11,
# finding 6); in an unpacked folder a link is refused the same way.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
mkpkg
cp -r "unpacked/$ROOT" "$ROOT"
rm "$ROOT/metadata/descriptive/EAD.xml"
ln -s /etc/passwd "$ROOT/metadata/descriptive/EAD.xml"
$PKGTOOL fixsums "$ROOT" && $PKGTOOL zip "$ROOT" link.zip || die "make the package"
unzip -Z -l link.zip | grep -q '^l' || die "the zip holds no link"
"$SOHOA" verify link.zip --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (link in the zip)"
expect_grep "^$ROOT/metadata/descriptive/EAD.xml: not a regular file in the zip (a symbolic link)" out
grep -q "ok:" err && die "verify passed a link"
"$SOHOA" verify "$ROOT" --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (link in the folder)"
expect_grep "^metadata/descriptive/EAD.xml: not a regular file or folder" out
exit 0
