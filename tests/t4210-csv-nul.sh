# t4210 (issue 11, finding 14): a NUL byte in a CSV value (or a header) is
# refused with its row and field, never stored cut at the NUL.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
printf 'fileCode,title,maintenance,mode,paperFileCode\nH49.64.33.2001.160,Hồ sơ\000 phần ẩn,01,01,LT.1.160\n' > nul.csv
"$SOHOA" -C ws meta import nul.csv 2> err; rc=$?
expect_eq "$rc" 65 "exit status"
expect_grep "row 2: field 'title': holds a NUL byte" err
expect_eq "$(sq ws 'SELECT count(*) FROM files')" 0 "nothing imported"
printf 'fileCode,ti\000tle\nH49.64.33.2001.160,x\n' > nulhdr.csv
expect_fail "$SOHOA" -C ws meta import nulhdr.csv 2> err
expect_grep "row 1: column 2 holds a NUL byte" err
printf 'fileCode,title,maintenance,mode,paperFileCode\nH49.64.33.2001.160,Hồ sơ đủ,01,01,LT.1.160\n' > ok.csv
expect_ok "$SOHOA" -C ws meta import ok.csv > /dev/null
expect_eq "$(sq ws 'SELECT title FROM files')" "Hồ sơ đủ" "a good title"
exit 0
