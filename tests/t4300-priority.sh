# t4300: selection gate and priority: explain shows each term, mật is held,
# the supervisor's override is recorded as an event.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws
expect_ok "$SOHOA" -C ws file add G01.2020.1 --paper P.1 --promote > /dev/null
expect_ok "$SOHOA" -C ws file add G01.2020.2 --paper P.2 --admin --deteriorated --requests 40 > /dev/null
expect_ok "$SOHOA" -C ws file add G01.2020.3 --paper P.3 > /dev/null
expect_ok "$SOHOA" -C ws meta set G01.2020.1 maintenance=01 format=01 mode=01
expect_ok "$SOHOA" -C ws meta set G01.2020.2 maintenance=06 format=03 mode=01
expect_ok "$SOHOA" -C ws meta set G01.2020.3 maintenance=01 mode=03
"$SOHOA" -C ws priority explain G01.2020.2 > ex
expect_grep "^value	10	maintenance 06" ex
expect_grep "^use	30	40 requests" ex
expect_grep "^condition	45	format 03, deteriorating" ex
expect_grep "^score	95" ex
"$SOHOA" -C ws priority explain G01.2020.3 > ex
expect_grep "^gate	held: mode 03 (mật)" ex
"$SOHOA" -C ws priority list | cut -f1 > order
printf 'G01.2020.2\nG01.2020.1\nG01.2020.3\n' > want
diff -u want order || die "priority order"
expect_ok "$SOHOA" -C ws priority set G01.2020.1 500 --reason "thanh tra"
"$SOHOA" -C ws priority list | head -n 1 | grep -q 'G01.2020.1	500 (override)' || die "override not first"
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'priority override' AND agent LIKE 'supervisor:%'")" 1 "override event"
expect_fail "$SOHOA" -C ws priority set G01.2020.1 lots 2> err
expect_grep "expected a number" err
expect_ok "$SOHOA" -C ws priority set G01.2020.1 clear
printf 'fileCode,requests,deteriorated,deadline\nG01.2020.3,5,1,01/01/2020\n' > req.csv
expect_ok "$SOHOA" -C ws priority import req.csv > /dev/null
"$SOHOA" -C ws priority explain G01.2020.3 > ex
expect_grep "^deadline	50	overdue" ex
expect_grep "^use	10	5 requests" ex
exit 0
