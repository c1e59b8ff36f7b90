# t5310 (issue 11, fixity): `sohoa fixity` re-hashes masters, signed PDFs
# and exported packages against the recorded SHA-256, records a PREMIS
# "fixity check" event per object, and after one byte of a master and of a
# signed PDF changed names both with the expected and found digests and
# exits 1 (for cron); --json and --since.
. "$SOHOA_TOP/tests/lib.sh"
for t in openssl pango-view jq python3; do command -v $t > /dev/null || skip "no $t (make deps installs it)"; done
FC=000.00.00.G09.2024.07.VP
sh "$TOP/tests/mkca.sh" keys > keys.conf || die "mkca.sh"
ws_init ws capture,pdf,sign
cat keys.conf >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws file add $FC --paper LT.VP.2024.H07 --fonds G09 --title "Hồ sơ thử" > /dev/null
"$TOOLS/mkimg" page p1.png 1240 1754 200 1
expect_ok "$SOHOA" -C ws ingest --file-code $FC --profile legacy p1.png > /dev/null
expect_ok "$SOHOA" -C ws run --drain 2> run.log
pdf=$(sq ws "SELECT signed_path FROM documents WHERE signed_path IS NOT NULL LIMIT 1")
[ -n "$pdf" ] || die "no signed PDF"
case "$pdf" in /*) ;; *) pdf="ws/$pdf" ;; esac
"$SOHOA" -C ws export > export.out 2>&1; npkg=$(grep -c '\.zip$' export.out)
expect_ok "$SOHOA" -C ws fixity > out
nobj=$((2 + npkg))
expect_grep "fixity: $nobj objects checked, 0 changed, 0 missing" out
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'fixity check' AND outcome = 'success'")" $nobj "success events"
# one byte of the master and of the signed PDF
master="ws/$(sq ws 'SELECT path FROM masters LIMIT 1')"
msha=$(sq ws 'SELECT sha256 FROM masters LIMIT 1')
psha=$(sq ws "SELECT signed_sha256 FROM documents WHERE signed_sha256 IS NOT NULL LIMIT 1")
[ -n "$psha" ] || die "no recorded digest of the signed PDF"
flip() { chmod u+w "$1"; python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "$1"; }
flip "$master"
flip "$pdf"
"$SOHOA" -C ws fixity > out; rc=$?
expect_eq "$rc" 1 "exit status after a change"
expect_grep "master:$msha '.*$(basename "$master")': expected sha256 $msha, found $(sha256sum "$master" | cut -c1-64)" out
expect_grep "document:.* '.*$(basename "$pdf")': expected sha256 $psha, found $(sha256sum "$pdf" | cut -c1-64)" out
expect_grep "fixity: $nobj objects checked, 2 changed, 0 missing" out
expect_eq "$(sq ws "SELECT count(*) FROM events WHERE type = 'fixity check' AND outcome = 'failure'")" 2 "failure events"
"$SOHOA" -C ws fixity --json > out.json; rc=$?
expect_eq "$rc" 1 "exit status, json"
expect_eq "$(jq -r '[.objects[] | select(.outcome == "changed") | .object] | sort | join(" ")' out.json | tr ' ' '\n' | cut -d: -f1 | sort | tr '\n' ' ')" "document master " "changed objects"
expect_eq "$(jq '.changed' out.json)" 2 "json changed"
# a missing file is a failure too
rm -f "$pdf"
"$SOHOA" -C ws fixity > out; rc=$?
expect_eq "$rc" 1 "exit status, missing"
expect_grep "fixity: $nobj objects checked, 1 changed, 1 missing" out
# --since: nothing stored since the day after tomorrow (Vietnam time)
expect_ok "$SOHOA" -C ws fixity --since "$(date -d '+2 days' +%Y-%m-%d)" > out
expect_grep "fixity: 0 objects checked" out
expect_fail "$SOHOA" -C ws fixity --since yesterday 2> err
expect_grep "'yesterday' is not a date" err
exit 0
