# t5270: control characters from a package never reach the terminal raw
# (issue 11, finding 8, the verify and export part): %0a and %1b in an href,
# CR LF (as character references) and a C1 control (U+009B, CSI) in a
# value, are printed as \x0a, \x1b, \x0d, \xc2\x9b; a forged line cannot
# appear.
. "$SOHOA_TOP/tests/lib.sh"
. "$SOHOA_TOP/tests/pkglib.sh"
mkpkg
cp -r "unpacked/$ROOT" "$ROOT"
python3 -c '
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
t = t.replace("xlink:href=\"metadata/descriptive/EAD.xml\"", "xlink:href=\"x%0aMETS.xml: ok forged%1b[2J\"", 1)
t = t.replace("csip:OAISPACKAGETYPE=\"SIP\"", "csip:OAISPACKAGETYPE=\"S&#13;&#10;METS.xml: ok\u009b2JIP\"", 1)
open(p, "w", encoding="utf-8").write(t)' "$ROOT/METS.xml"
"$SOHOA" verify "$ROOT" --no-signatures > out 2> err
expect_eq "$?" 1 "exit status"
grep -q "$(printf '\033')" out err && die "a raw ESC reached the output"
grep -q '^METS.xml: ok forged' out && die "a forged report line"
expect_grep '^x\\x0aMETS.xml: ok forged\\x1b\[2J: missing (listed in METS.xml)' out
expect_grep 'OAISPACKAGETYPE is .S\\x0d\\x0aMETS.xml: ok\\xc2\\x9b2JIP.' out
grep -q '^METS.xml: ok' out && die "a forged report line"
# export: a document name with ESC in a message
sq ws "UPDATE documents SET signed_path = 'derived/docs/1/gone$(printf '\033')[31m.pdf' WHERE id = 1"
"$SOHOA" -C ws export --file 000.00.00.G09.2010.01.TH > out 2> err
grep -q "$(printf '\033')" out err && die "a raw ESC reached export's output"
expect_grep '\\x1b\[31m' err
exit 0
