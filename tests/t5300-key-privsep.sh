# t5300 (issue 11, finding 10): only the signer can open the signing key.
# Started as root on a workspace owned by an unprivileged account (here
# nobody), the supervisor runs as that account, the watcher, `ingest` and
# every worker drop to it with no supplementary group, and the signer alone
# gets the key file's group (root:KEYGROUP 0440); the signer is not
# dumpable and has a core limit of 0.  SOHOA_PRIVSEP_PROBE=PATH makes each
# process say whether it can open PATH once its ids are set.
. "$SOHOA_TOP/tests/lib.sh"
# LeakSanitizer stops the world with ptrace, which the non-dumpable signer
# refuses to an unprivileged account: no leak check in this test.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
[ "$(id -u)" = 0 ] || skip "not root: privilege separation needs a supervisor started as root"
id nobody > /dev/null 2>&1 || skip "no 'nobody' account"
for t in openssl pango-view; do command -v $t > /dev/null || skip "no $t (make deps installs it)"; done
# a group of the system's that nobody is not in stands for the key group
grp=
for g in sys adm daemon bin; do
	getent group $g > /dev/null && ! id -Gn nobody | tr ' ' '\n' | grep -qx $g && { grp=$g; break; }
done
[ -n "$grp" ] || skip "no group to stand for the key group"
chmod 755 .
sh "$TOP/tests/mkca.sh" keys > keys.conf || die "mkca.sh"
chmod 755 keys
mkdir kd && chmod 755 kd
cp keys/org.key kd/org.key && chown root:$grp kd/org.key && chmod 0440 kd/org.key
ws_init ws capture,pdf,sign
cat keys.conf >> ws/sohoa.conf
sed -i "s|^sign.key = .*|sign.key = $PWD/kd/org.key|" ws/sohoa.conf
printf 'job.max_attempts = 1\n' >> ws/sohoa.conf
"$TOOLS/mkimg" page p1.png 1240 1754 200 1
chmod 644 p1.png
chown -R nobody: ws
probe() { SOHOA_QUIET=0 SOHOA_PRIVSEP_PROBE="$PWD/kd/org.key" "$@"; }
probe "$SOHOA" -C ws ingest --profile legacy p1.png > /dev/null 2> ingest.log || { cat ingest.log; die "ingest"; }
expect_grep "privsep: ingest (uid $(id -u nobody), euid $(id -u nobody)): '.*org.key': Permission denied" ingest.log
probe "$SOHOA" -C ws run --drain 2> run.log || { cat run.log; die "run --drain"; }
expect_grep "privsep: supervisor (uid 0, euid $(id -u nobody)): '.*org.key': Permission denied" run.log
expect_grep "privsep: capture (uid $(id -u nobody), euid $(id -u nobody)): '.*org.key': Permission denied" run.log
expect_grep "privsep: pdf (uid $(id -u nobody), euid $(id -u nobody)): '.*org.key': Permission denied" run.log
expect_grep "privsep: sign (uid $(id -u nobody), euid $(id -u nobody)): '.*org.key': can open" run.log
expect_grep "privsep: key holder: dumpable 0, core limit 0" run.log
expect_eq "$(sq ws "SELECT count(*) FROM jobs WHERE stage = 'sign' AND state = 'done'")" 1 "document signed by the separated signer"
mkdir -p ws/inbox/may-1 && cp p1.png ws/inbox/may-1/again.png && chown -R nobody: ws/inbox
probe "$SOHOA" -C ws watch --once > /dev/null 2> watch.log || { cat watch.log; die "watch"; }
expect_grep "privsep: watch (uid $(id -u nobody), euid $(id -u nobody)): '.*org.key': Permission denied" watch.log
[ -z "$(find ws ! -user nobody)" ] || { find ws ! -user nobody -ls; die "files in the workspace not owned by its account"; }
exit 0
