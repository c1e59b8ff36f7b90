# t0100: init makes a documented workspace; commands find it; config errors say file:line.
. "$SOHOA_TOP/tests/lib.sh"
expect_ok "$SOHOA" init ws > out
expect_grep "workspace ready" out
for d in inbox masters derived/pages derived/docs exports quarantine tmp scanner-profiles config; do
	[ -d "ws/$d" ] || die "no store $d"
done
for p in a4-office sheetfed-duplex overhead-book map-300 legacy; do
	[ -f "ws/scanner-profiles/$p.conf" ] || die "no profile $p"
done
expect_eq "$(sq ws 'PRAGMA journal_mode')" wal "journal mode"
[ "$(sq ws 'PRAGMA user_version')" -ge 1 ] || die "schema version"
# every key documented with default and bounds
expect_grep "^#job.max_attempts = 3" ws/sohoa.conf
expect_grep "1 to 100; default: 3" ws/sohoa.conf
# init refuses to overwrite
expect_fail "$SOHOA" init ws 2> err
expect_grep "already holds a workspace" err
# found by -C, by SOHOA_DIR, by the current folder and its parents
expect_ok "$SOHOA" -C ws stages > /dev/null
SOHOA_DIR=ws expect_ok "$SOHOA" stages > /dev/null
(cd ws/masters && expect_ok "$SOHOA" stages > /dev/null) || exit 1
expect_fail "$SOHOA" -C nowhere stages 2> err
expect_grep "nowhere" err
# `sohoa config` prints only what differs
expect_eq "$("$SOHOA" -C ws config)" "" "config with defaults"
echo "job.max_attempts = 5" >> ws/sohoa.conf
expect_eq "$("$SOHOA" -C ws config)" "job.max_attempts = 5" "changed keys"
# parse errors: file:line, the line, and why
echo "job.max_attempts = 500" >> ws/sohoa.conf
expect_fail "$SOHOA" -C ws stages 2> err
expect_grep "sohoa.conf:[0-9]*: 'job.max_attempts = 500': 'job.max_attempts' must be between 1 and 100" err
sed -i '$d' ws/sohoa.conf
echo "no.such.key = 1" >> ws/sohoa.conf
expect_fail "$SOHOA" -C ws stages 2> err
expect_grep "unknown key 'no.such.key'" err
sed -i '$d' ws/sohoa.conf
echo "stages = capture nosuchstage" >> ws/sohoa.conf
expect_fail "$SOHOA" -C ws stages 2> err
expect_grep "unknown stage 'nosuchstage'" err
