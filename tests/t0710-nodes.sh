# t0710: nodes (issue 13).  `run --node NAME` records the node (nodes
# table) and every job its workers claim (jobs.node); `status` shows per
# node what it runs, its claimed jobs and heartbeat, and names a node that
# died as stale; another node then drains the queue with every page done
# exactly once.  The workspace's identity file (sohoa.id) matches the
# database; a folder with another identity, or none, is refused naming
# both; `fscheck` passes on a local file system.  On SQLite one supervisor
# per workspace still holds (t0420): the nodes take turns.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws "capture orient deskew"
cat >> ws/sohoa.conf <<CONF
supervisor.scan_ms = 100
worker.scan_ms = 100
capture.workers = 2
orient.workers = 2
deskew.workers = 2
CONF
id=$(cat ws/sohoa.id)
expect_eq "$(printf %s "$id" | wc -c)" 32 "identity length"
expect_eq "$(sq ws "SELECT identity FROM identity")" "$id" "identity in the database"
mkdir scans
i=1
while [ $i -le 24 ]; do
	"$TOOLS/mkimg" page "scans/p$(printf %03d $i).png" 1240 1754 150 $i || die "mkimg"
	i=$((i + 1))
done
expect_ok "$SOHOA" -C ws ingest --profile legacy scans > /dev/null
root=$(cd ws && pwd)

# node alpha runs, and is killed with its workers mid-batch
"$SOHOA" -C ws run --node alpha > alpha.log 2>&1 &
alpha=$!
gamma=
trap 'kill -9 $alpha $gamma 2> /dev/null' EXIT
n=0
while [ "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done' AND node = 'alpha'")" -lt 6 ] && [ $n -lt 600 ]; do
	sleep 0.05; n=$((n + 1))
done
expect_eq "$(sq ws "SELECT count(*) FROM nodes WHERE name = 'alpha' AND stopped IS NULL AND pid = $alpha")" 1 "alpha recorded"
n=0 # the heartbeat, once a second, names the workers started
while "$SOHOA" -C ws status --json > running.json && ! jq -e '.nodes[0].workers | length > 0' running.json > /dev/null && [ $n -lt 30 ]; do
	sleep 0.1; n=$((n + 1))
done
expect_eq "$(jq_get running.json '.nodes[0].name + " " + .nodes[0].state')" "alpha running" "alpha in status"
jq -e '.nodes[0].workers | test("(capture|orient|deskew) [12]")' running.json > /dev/null || die "alpha's workers: $(jq -c .nodes running.json)"
expect_grep "pid $alpha on host .*, node alpha, since" ws/sohoa.lock
kill -9 $alpha
wait $alpha 2> /dev/null
n=0 # its workers die with it (PR_SET_PDEATHSIG)
while pgrep -f -- "-C $root worker" > /dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
pgrep -f -- "-C $root worker" > /dev/null && die "alpha's workers still running 30 s after it was killed"
# and the jobs stay as they left them: under load (make -j2 check) a last
# commit was seen landing after the workers had gone from pgrep's view
n=0 prev= now=
while [ $n -lt 30 ]; do
	now=$(sq ws "SELECT sum(state = 'claimed') || ' ' || sum(state = 'done') FROM jobs")
	[ "$now" = "$prev" ] && break
	prev=$now; sleep 1; n=$((n + 1))
done
[ "$now" = "$prev" ] || die "the jobs still change 30 s after alpha was killed: $now"
done_alpha=$(sq ws "SELECT count(*) FROM jobs WHERE state = 'done' AND node = 'alpha'")
claimed=$(sq ws "SELECT count(*) FROM jobs WHERE state = 'claimed'")
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state = 'claimed' AND node IS NOT 'alpha'")" 0 "claims of another node"
sleep 3.5 # node_stale_ms(100): 3 s without a heartbeat
"$SOHOA" -C ws status > stale.txt || die "status after the kill"
expect_grep "alpha (host .*, pid $alpha): .*$claimed jobs claimed.*STALE" stale.txt
"$SOHOA" -C ws status --json > stale.json
expect_eq "$(jq_get stale.json '.nodes[0].state')" stale "alpha stale in JSON"
expect_eq "$(jq_get stale.json '.nodes[0].claimed')" "$claimed" "alpha's claimed jobs in JSON"

# node beta drains what is left (on SQLite its start returns every claim)
expect_ok "$SOHOA" -C ws run --node beta --drain 2> beta.log
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE page_id IS NOT NULL AND (stage <> 'deskew' OR state <> 'done')")" 48 "jobs of the first two stages"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'deskew' AND state = 'done'")" 24 "pages through the last stage"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs not done"
[ "$(sq ws "SELECT count(*) FROM jobs WHERE node = 'beta'")" -gt 0 ] || die "beta did nothing"
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE node = 'alpha' AND state = 'done'")" "$done_alpha" "alpha's done jobs kept"
# every job done exactly once: one success event per job and stage event type
expect_eq "$(sq ws "SELECT count(*) FROM (SELECT job_id FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1) s")" 0 "jobs done twice"
expect_eq "$(sq ws "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.job_id = j.id AND e.outcome = 'success')")" 0 "jobs done without their event"
"$SOHOA" -C ws status --json > after.json
expect_eq "$(jq -r '[.nodes[] | .name + ":" + .state] | join(" ")' after.json)" "alpha:stale beta:stopped" "nodes after"

# a second supervisor of one live node is refused by the lock (SQLite) first
"$SOHOA" -C ws run --node beta > gamma.log 2>&1 &
gamma=$!
n=0
while ! grep -q "pid $gamma on host .*, node beta" ws/sohoa.lock 2> /dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$SOHOA" -C ws run --node beta --drain 2> twice.err
expect_eq $? 75 "second supervisor's exit status"
expect_grep "in use by another 'sohoa run' (pid $gamma on host .*, node beta" twice.err
kill -TERM $gamma
wait $gamma || die "gamma's exit status"

# the identity: a wrong folder or an empty mount is refused, naming both
cp ws/sohoa.id id.keep
echo 0123456789abcdef0123456789abcdef > ws/sohoa.id
"$SOHOA" -C ws run --node beta --drain 2> wrong.err && die "a folder of another identity was accepted"
expect_grep "has identity 0123456789abcdef0123456789abcdef ('sohoa.id'), but the database knows identity $id" wrong.err
rm ws/sohoa.id
"$SOHOA" -C ws run --node beta --drain 2> none.err && die "a folder without identity was accepted"
expect_grep "has no identity file 'sohoa.id', but the database knows identity $id: is the shared folder mounted there?" none.err
"$SOHOA" -C ws fscheck > nofile.out && die "fscheck passed without the identity file"
expect_grep "FAILED: identity: the folder's 'sohoa.id' says none, the database $id" nofile.out
cp id.keep ws/sohoa.id

# bad node names
"$SOHOA" -C ws run --node "a b" --drain 2> badname.err && die "a bad node name was accepted"
expect_grep "node name 'a b' is not 1 to 64 of" badname.err

# the file system check
expect_ok "$SOHOA" -C ws fscheck > fscheck.out
expect_grep "^ok: write, fsync, rename, fsync folder" fscheck.out
expect_grep "^ok: rename replaces atomically" fscheck.out
expect_grep "^ok: exclusive create" fscheck.out
expect_grep "^ok: close-to-open" fscheck.out
expect_grep "^ok: identity: $id" fscheck.out
expect_grep "fscheck: $root: 0 checks failed" fscheck.out
[ -z "$(ls -A ws | grep fscheck)" ] || die "fscheck left its file"
# a workspace made before identities gets one at its first run
rm ws/sohoa.id
sq ws "DELETE FROM identity"
expect_ok "$SOHOA" -C ws run --drain 2> first.log
[ -s ws/sohoa.id ] || die "no identity made"
expect_eq "$(sq ws "SELECT identity FROM identity")" "$(cat ws/sohoa.id)" "the new identity recorded"
trap - EXIT
exit 0
