# t4200: TT05 metadata: CSV import (BOM, quotes), every error with row and
# field, nothing written when one row is bad, legacy encodings, set/show,
# export CSV and JSON, audit events with old and new values.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
printf '\357\273\277fileCode,title,maintenance,mode,paperFileCode,startDate,endDate\r\nH49.64.33.2001.160,"Hồ sơ ""hội nghị"", 2001",1,01,LT.1.160,1/1/2001,31/12/2001\r\n' > files.csv
expect_ok "$SOHOA" -C ws meta import files.csv > out
expect_grep "1 rows imported" out
expect_eq "$(sq ws "SELECT value FROM meta WHERE field = 'maintenance'")" 01 "code padded"
expect_eq "$(sq ws "SELECT value FROM meta WHERE field = 'confidenceLevel'")" 02 "digitized"
# one broken row among good ones: every error reported, nothing written
cat > bad.csv <<'CSV'
fileCode,title,maintenance,mode,paperFileCode,endDate
G01.2023.12,Hồ sơ A,01,01,P.1,
G01.2023.13,Hồ sơ B,09,01,P.2,31/02/2023
G01.2023,Hồ sơ C,01,01,P.3,
G01.2023.15,Hồ sơ D,01,01,,
CSV
n=$(sq ws 'SELECT count(*) FROM events')
"$SOHOA" -C ws meta import bad.csv 2> err; rc=$?
expect_eq "$rc" 65 "exit status"
expect_grep "row 3: field 'maintenance': '09'" err
expect_grep "row 3: field 'endDate': '31/02/2023' is not a date" err
expect_grep "row 4: field 'fileCode'" err
expect_grep "row 5: field 'paperFileCode': required" err
expect_grep "nothing imported" err
expect_eq "$(sq ws 'SELECT count(*) FROM files')" 1 "files after a bad import"
expect_eq "$(sq ws 'SELECT count(*) FROM events')" "$n" "events after a bad import"
# too long
printf 'fileCode,inforSign\nH49.64.33.2001.160,1234567890123456789012345678901\n' > long.csv
expect_fail "$SOHOA" -C ws meta import long.csv 2> err
expect_grep "row 2: field 'inforSign': 31 characters, at most 30" err
# legacy encodings: Windows-1258 (converted on request), TCVN3, VNI font
printf 'fileCode,title\nH49.64.33.2001.160,Vi\352\362t Nam\n' > cp1258.csv
expect_fail "$SOHOA" -C ws meta import cp1258.csv 2> err
expect_grep "row 2: field 'title': not UTF-8; it looks like Windows-1258" err
expect_ok "$SOHOA" -C ws meta import --encoding windows-1258 cp1258.csv > /dev/null
expect_eq "$(sq ws "SELECT title FROM files")" "Việt Nam" "converted title"
printf 'fileCode,title\nH49.64.33.2001.160,Vi\326t Nam H\265 N\351i\n' > tcvn3.csv
expect_fail "$SOHOA" -C ws meta import tcvn3.csv 2> err
expect_grep "row 2: field 'title': not UTF-8; it looks like TCVN3" err
printf 'fileCode,title\nH49.64.33.2001.160,Vieät Nam\n' > vni.csv
expect_fail "$SOHOA" -C ws meta import vni.csv 2> err
expect_grep "VNI font" err
# set and show; a bad value changes nothing
expect_ok "$SOHOA" -C ws meta set H49.64.33.2001.160 "title=Hồ sơ hội nghị tổng kết" keyword=tổng\ kết
# search finds a value set from the command line at once, with or without diacritics
expect_eq "$("$SOHOA" -C ws search "hoi nghi tong ket" --json | jq '[.hits[] | select(.kind == "metadata")] | length')" 1 "search after meta set"
expect_fail "$SOHOA" -C ws meta set H49.64.33.2001.160 keyword=x startDate=31/02/2001 2> err
expect_grep "field 'startDate': '31/02/2001' is not a date" err
expect_fail "$SOHOA" -C ws meta set H49.64.33.2001.160 fileCode=X 2> err
"$SOHOA" -C ws meta show H49.64.33.2001.160 > show
expect_grep "keyword	tổng kết	operator" show
expect_grep 'metadata modification' "$(sq ws "SELECT 'x'" > /dev/null; "$SOHOA" -C ws log > log; echo log)"
expect_grep '"old":"Việt Nam","new":"Hồ sơ hội nghị tổng kết"' log
# export
"$SOHOA" -C ws meta export csv > f.csv
head -n 1 f.csv | grep -q '^fileCode,title,maintenance,mode,language' || die "csv header: $(head -n 1 f.csv)"
"$SOHOA" -C ws meta export json > f.json
expect_eq "$(jq -r '.[0].paperFileCode' f.json)" LT.1.160 "json export"
# round trip: the exported CSV imports again without change
expect_ok "$SOHOA" -C ws meta import f.csv > /dev/null
exit 0
