# t4110 (issue 11, finding 15): the names of files and documents never
# collide: `file add CODE.N` is refused while file CODE exists (its document
# N is named CODE.N) or a document of that name exists, and the reverse.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2024.07.VP --paper P.1 > /dev/null
expect_fail "$SOHOA" -C ws file add 000.00.00.G09.2024.07.VP.1 --paper P.2 2> err
expect_grep "the name of document 1 of file '000.00.00.G09.2024.07.VP'" err
# the reverse: file CODE.N first, then CODE
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2024.08.VP.3 --paper P.3 > /dev/null
expect_fail "$SOHOA" -C ws file add 000.00.00.G09.2024.08.VP --paper P.4 2> err
expect_grep "file '000.00.00.G09.2024.08.VP.3' has the name of its document 3" err
# a document that exists (from an ingest into a file not registered yet)
ws_init ws2 capture
"$TOOLS/mkimg" page p.png 1240 1754 150 1
expect_ok "$SOHOA" -C ws2 ingest --profile legacy --file-code 000.00.00.G09.2024.09.VP p.png > /dev/null 2>&1
expect_ok "$SOHOA" -C ws2 run --drain 2> /dev/null
doc=$(sq ws2 "SELECT name FROM documents LIMIT 1")
[ -n "$doc" ] || die "no document"
expect_fail "$SOHOA" -C ws2 file add "$doc" --paper P.5 2> err
grep -q "cannot share a name" err || { cat err; die "a file named as an existing document was accepted"; }
expect_eq "$(sq ws2 "SELECT count(*) FROM files WHERE file_code = '$doc'")" 0 "no such file"
exit 0
