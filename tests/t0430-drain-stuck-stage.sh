# t0430: finding 18 of issue 11, `run --drain` with a stage that cannot
# start (sign without sign.org_name): every other stage is drained, then
# the supervisor exits 78 naming the stage, the reason and how many jobs
# wait for it.  Before, it stopped every stage as soon as sign failed to
# start, leaving the second batch's capture unfinished.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws "capture sign"
"$TOOLS/mkimg" page a1.png 1654 2339 200 1
mkdir b
i=1
while [ $i -le 4 ]; do "$TOOLS/mkimg" page b/p$i.png 1654 2339 200 $((i + 1)); i=$((i + 1)); done
expect_ok "$SOHOA" -C ws ingest a1.png > /dev/null
"$SOHOA" -C ws run --drain 2> first.err
expect_eq $? 78 "exit status with sign unable to start"
expect_grep "stage 'sign' cannot start: sign.org_name is not set; 1 jobs wait for it" first.err
# A sign job is waiting from the start now: the second batch must still be
# captured whole before the supervisor gives up.
expect_ok "$SOHOA" -C ws ingest b > /dev/null
"$SOHOA" -C ws run --drain 2> second.err
expect_eq $? 78 "exit status, second run"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'capture' AND state = 'done'")" 5 "pages captured"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'sign' AND state = 'ready'")" 2 "sign jobs waiting"
expect_grep "stage 'sign' cannot start: sign.org_name is not set; 2 jobs wait for it" second.err
# With the setting, the same workspace drains to the end... up to the key,
# which is the next thing sign needs: named the same way.
echo "sign.org_name = Sở Nội vụ" >> ws/sohoa.conf
"$SOHOA" -C ws run --drain 2> third.err
expect_eq $? 78 "exit status, third run"
expect_grep "stage 'sign' cannot start: sign.key is not set; 2 jobs wait for it" third.err
