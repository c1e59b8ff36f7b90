# t5260: nothing inside a package covers its root METS.xml; without a
# .sha256 (or --sha256) verify says so (issue 11, finding 9).  The rule
# (README): such a package still exits 0 when nothing else is wrong, with a
# warning on stderr; with the sidecar, a changed root METS fails.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
mkpkg
cp -r "unpacked/$ROOT" "$ROOT"
sed -i 's/Hồ sơ thử/Hồ sơ thứ/' "$ROOT/METS.xml"
$PKGTOOL zip "$ROOT" changed.zip || die "zip"
"$SOHOA" verify changed.zip --no-signatures > out 2> err
expect_eq "$?" 0 "exit status without a sidecar"
expect_grep "warning: nothing covered the root METS.xml (no 'changed.zip.sha256' beside it and no --sha256)" err
expect_grep "ok: .*(root METS.xml not covered)" err
"$SOHOA" verify "$ROOT" --no-signatures > out 2> err
expect_grep "warning: nothing covered the root METS.xml (an unpacked folder" err
# with the sidecar: no warning, and the change is caught
expect_ok "$SOHOA" verify "$Z" --no-signatures > out 2> err
grep -q "nothing covered" err && die "warned although the sidecar covers the root METS"
"$SOHOA" verify changed.zip --no-signatures --sha256 "$(cut -c1-64 "$Z.sha256")" > out 2> err
expect_eq "$?" 1 "exit status with --sha256"
expect_grep "^changed.zip: checksum mismatch" out
exit 0
