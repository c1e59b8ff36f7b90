# t5220: a METS, EAD or PREMIS with a DOCTYPE is refused before it is parsed
# (issue 11, finding 4): an internal entity expanded thousands of times in
# one xlink:href never becomes a multi-megabyte value or report line; and an
# over-long href is refused with its length, on a line of bounded length.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
mkpkg
# 1. the root METS with an entity bomb in one href
cp -r "unpacked/$ROOT" "$ROOT"
python3 -c '
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
ent = "<!DOCTYPE mets [<!ENTITY a \"" + "A" * 1000 + "\">]>\n"
t = t.replace("?>\n", "?>\n" + ent, 1)
t = t.replace("xlink:href=\"metadata/descriptive/EAD.xml\"", "xlink:href=\"" + "&a;" * 4000 + "\"", 1)
open(p, "w", encoding="utf-8").write(t)' "$ROOT/METS.xml"
$PKGTOOL zip "$ROOT" bomb.zip || die "zip"
"$SOHOA" verify bomb.zip --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (entity bomb)"
expect_grep "^METS.xml: has a DOCTYPE: refused" out
long=$(awk 'length($0) > 1100' out err | wc -l)
expect_eq "$long" 0 "report lines longer than 1100 bytes"
# 2. a DOCTYPE in the representation METS and in the EAD (checksums fixed)
rm -rf "$ROOT" && cp -r "unpacked/$ROOT" "$ROOT"
for f in representations/rep1/METS.xml metadata/descriptive/EAD.xml; do
	sed -i '1a <!DOCTYPE x [<!ENTITY e "e">]>' "$ROOT/$f"
done
$PKGTOOL fixsums "$ROOT" && $PKGTOOL zip "$ROOT" dt.zip || die "make the package"
"$SOHOA" verify dt.zip --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (DOCTYPE)"
expect_grep "^representations/rep1/METS.xml: has a DOCTYPE: refused" out
expect_grep "^metadata/descriptive/EAD.xml: has a DOCTYPE: refused" out
# 3. an href of 20 000 bytes: refused with its length, the line stays short
rm -rf "$ROOT" && cp -r "unpacked/$ROOT" "$ROOT"
python3 -c '
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
t = t.replace("xlink:href=\"metadata/descriptive/EAD.xml\"", "xlink:href=\"" + "x" * 20000 + "\"", 1)
open(p, "w", encoding="utf-8").write(t)' "$ROOT/METS.xml"
"$SOHOA" verify "$ROOT" --no-signatures > out 2> err
expect_eq "$?" 1 "exit status (long href)"
expect_grep "^METS.xml: a reference of 20000 bytes" out
expect_eq "$(awk 'length($0) > 1100' out err | wc -l)" 0 "report lines longer than 1100 bytes"
exit 0
