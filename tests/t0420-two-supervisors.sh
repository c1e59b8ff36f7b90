# t0420: finding 13 of issue 11, two supervisors on one workspace: the
# second `sohoa run` is refused (exit 75) with a message naming the first
# (pid and host), and leaves the first one's claimed jobs, tmp/ and the
# queue alone; once the first has stopped, a new one starts.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
i=1
while [ $i -le 6 ]; do "$TOOLS/mkimg" page p$i.png 1654 2339 200 $i; i=$((i + 1)); done
expect_ok "$SOHOA" -C ws ingest p1.png p2.png p3.png p4.png p5.png p6.png > /dev/null
"$SOHOA" -C ws run 2> first.log &
first=$!
n=0
while ! grep -q "pid $first" ws/sohoa.lock 2> /dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.5
touch ws/tmp/first-owns-this # as a worker's file in flight would be
"$SOHOA" -C ws run --drain > second.out 2> second.err
rc=$?
expect_eq $rc 75 "second run's exit status"
expect_grep "in use by another 'sohoa run'" second.err
expect_grep "pid $first on host" second.err
[ -e ws/tmp/first-owns-this ] || die "the second supervisor emptied tmp/"
expect_grep "pid $first" ws/sohoa.lock
kill -TERM $first
wait $first || die "first supervisor's exit status"
# The refused one put no job back.
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE error LIKE 'the worker died%'")" 0 "jobs put back"
expect_ok "$SOHOA" -C ws run --drain 2> third.log
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done' AND page_id IS NOT NULL")" 6 "done after the third run"
