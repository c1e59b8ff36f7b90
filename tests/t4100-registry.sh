# t4100: fonds and files: mã hồ sơ validated, duplicates refused, legacy
# alias accepted, documents named <mã hồ sơ>.<STT> with a 7-digit docCode.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
expect_ok "$SOHOA" -C ws fonds add F01 "Phông Ủy ban nhân dân huyện" > /dev/null
expect_fail "$SOHOA" -C ws fonds add F01 "again" 2> err
expect_grep "fonds 'F01': already exists" err
expect_ok "$SOHOA" -C ws file add 000.00.00.G09.2010.01.TH --paper LT.12.345 --fonds F01 --alias Q3-5-1-10 > out
expect_grep "000.00.00.G09.2010.01.TH" out
# malformed codes: exit 65 and a message naming the code
for bad in 000.00.00.G09.10.TH 12345678901234.2010.1 A.2024.123456789012345678901 "A.2024.1/2" "A.2024.1..2"; do
	"$SOHOA" -C ws file add "$bad" --paper P 2> err; rc=$?
	expect_eq "$rc" 65 "exit status for '$bad'"
	expect_grep "file code '$bad'" err
done
expect_fail "$SOHOA" -C ws file add 000.00.00.G09.2010.01.TH --paper P 2> err
expect_grep "already exists" err
expect_fail "$SOHOA" -C ws file add G01.2020.7 2> err
expect_grep "paperFileCode" err
expect_fail "$SOHOA" -C ws file add G01.2020.8 --paper P --alias Q3-5-1-10 2> err
expect_grep "alias 'Q3-5-1-10' is already" err
expect_eq "$(sq ws 'SELECT count(*) FROM files')" 1 "files after the refused adds"
# documents by docCode and by legacy alias
printf 'docCode,typeName,issuedDate,organName,subject\n000.00.00.G09.2010.01.TH.0000001,22,27/09/2021,UBND huyện,V/v a\nQ3-5-1-10-2,02,28/09/2021,UBND huyện,Quyết định b\n' > d.csv
expect_ok "$SOHOA" -C ws meta import d.csv > /dev/null
"$SOHOA" -C ws doc list 000.00.00.G09.2010.01.TH | cut -f2,3 > got
printf '1\t000.00.00.G09.2010.01.TH.1\n2\t000.00.00.G09.2010.01.TH.2\n' > want
diff -u want got || die "document names"
expect_eq "$("$SOHOA" -C ws meta show Q3-5-1-10-2 | awk -F'\t' '$1 == "docCode" {print $2}')" 000.00.00.G09.2010.01.TH.0000002 "docCode"
# names are unique: the database refuses a second document with the same name
expect_fail sq ws "INSERT INTO documents(name, created) VALUES ('000.00.00.G09.2010.01.TH.1', 0)" 2> /dev/null
exit 0
