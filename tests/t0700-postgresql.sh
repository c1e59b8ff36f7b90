# t0700: the job store on PostgreSQL (issue 13).  In a throw-away cluster
# (tests/pg.sh): `init --db URL` writes db.url and migrates the schema; a
# URL with a password is refused and never echoed; two scanned pages go
# through every stage (run --drain) to signed PDFs and an export that
# verify passes; search finds the OCR text; the rows are in PostgreSQL (no sohoa.db), the audit log
# there refuses UPDATE and DELETE, status reads the counters; db.passfile
# reaches libpq (a missing file is a refused password).
. "$SOHOA_TOP/tests/lib.sh"
under_pg "$0"
for t in pango-view pdftotext openssl unzip; do
	command -v $t > /dev/null || skip "no $t (make deps installs it)"
done
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || skip "no Tesseract vie model (apt-get install tesseract-ocr-vie)"
FC=000.00.00.G09.2024.08.VP
url=$("$SOHOA_PG_NEWDB") || die "no database"
pq() { psql -X -q -At -v ON_ERROR_STOP=1 "$url" -c "$1"; }

# 1. a password in the URL is refused, and not repeated
host=${url#*host=}
expect_fail "$SOHOA" init nopw --db "postgresql://u:secret-pw@localhost/x" > out 2> err
expect_grep "holds a password" err
grep -q secret-pw err out && die "the password was echoed"
expect_fail "$SOHOA" init bad --db "sqlite:/x" 2> err
expect_grep "postgresql://" err

# 2. init --db: the config names the store, the schema is there
expect_ok "$SOHOA" init ws --db "$url" > /dev/null
expect_grep "^db.url = $url" ws/sohoa.conf
[ -e ws/sohoa.db ] && die "a SQLite file beside a PostgreSQL store"
expect_eq "$(pq "SELECT version FROM sohoa_schema")" "$(pq "SELECT version FROM sohoa_schema")" "schema version"
[ "$(pq "SELECT version FROM sohoa_schema")" -ge 12 ] || die "schema not migrated"

# 3. two pages, two documents, through every stage to signed PDFs
mkdir scans
pango-view --font='Liberation Serif 13' --dpi=200 --margin=0 --width=450 --background=white -q \
	-o qd.png "$TOP/tests/samples/quyetdinh.txt" || die "pango-view"
expect_ok "$TOOLS/mkpage" --dpi 200 --skew 0.7 --noise 0.02 --seed 71 -o scans/p1.png qd.png
expect_ok "$TOOLS/mkpage" --dpi 200 --skew -0.9 --rotate 180 --noise 0.02 --seed 72 -o scans/p2.jpg qd.png
sh "$TOP/tests/mkca.sh" keys "Sở Nội vụ tỉnh Quảng Nam" > keys.conf || die "mkca.sh"
cat keys.conf >> ws/sohoa.conf
expect_ok "$SOHOA" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null
expect_ok "$SOHOA" -C ws file add $FC --paper LT.VP.2024.H08 --fonds G09 --title "Hồ sơ thử PostgreSQL" > /dev/null
expect_ok "$SOHOA" -C ws ingest --file-code $FC --profile legacy --docs 1,2 scans > /dev/null
expect_eq "$(pq "SELECT count(*) FROM pages")" 2 "pages in PostgreSQL"
expect_ok "$SOHOA" -C ws run --drain
expect_eq "$(pq "SELECT count(*) FROM jobs WHERE state <> 'done'")" 0 "jobs not done"
expect_eq "$(pq "SELECT count(*) FROM jobs WHERE stage = 'sign' AND state = 'done'")" 2 "documents signed"
expect_eq "$(pq "SELECT count(*) FROM documents WHERE signed_path IS NOT NULL AND signed_sha256 IS NOT NULL")" 2 "signed documents"
expect_eq "$(pq "SELECT sum(n) FROM job_counts WHERE stage = 'sign' AND state = 'done'")" 2 "counter of signed"
"$SOHOA" -C ws status --json > status.json || die "status"
expect_eq "$(jq '.stages[] | select(.name == "sign") | .done' status.json)" 2 "status: documents signed"
expect_eq "$(jq '.pages.total' status.json)" 2 "status: pages"
"$SOHOA" -C ws status > status.txt || die "status (text)"
pdf=$(find ws/derived/docs -name "$FC.1.pdf" | head -n 1)
[ -f "$pdf" ] || die "no signed $FC.1.pdf"
pdftotext "$pdf" - | grep -q "Hội đồng" || die "no OCR text in the signed PDF"

# 4. full-text search on PostgreSQL (the GIN index): the OCR text is found
expect_ok "$SOHOA" -C ws search "hội đồng" > hits
grep -q "$FC" hits || { cat hits; die "search found no document of $FC"; }
expect_fail "$SOHOA" -C ws search "xyzzyqqq" > hits 2> err
expect_grep "nothing found" err

# 5. export and verify
expect_ok "$SOHOA" -C ws export --file $FC > out
expect_ok "$SOHOA" verify ws/exports/$FC.zip --trust keys/ca.pem > /dev/null
expect_eq "$(pq "SELECT count(*) FROM events WHERE type = 'transfer'")" 1 "transfer event"

# 6. the audit log is append-only in PostgreSQL too
n=$(pq "SELECT count(*) FROM events")
[ "$n" -gt 10 ] || die "only $n events"
pq "UPDATE events SET agent = 'x'" 2> err && die "an event was changed"
expect_grep "append-only" err
pq "DELETE FROM events" 2> err && die "an event was deleted"
expect_grep "append-only" err
expect_eq "$(pq "SELECT count(*) FROM events")" "$n" "events after the attempts"
# ... and `sohoa log` reads it, unfiltered (its optional filters are NULL
# parameters PostgreSQL must be able to type) and filtered
expect_ok "$SOHOA" -C ws log --limit 1000 > out
expect_eq "$(wc -l < out)" "$n" "lines of sohoa log"
expect_ok "$SOHOA" -C ws log --type transfer > out
expect_eq "$(wc -l < out)" 1 "transfer lines of sohoa log"
expect_ok "$SOHOA" -C ws jobs > out
expect_grep "sign" out

# 7. a role that must give a password: none without db.passfile; with it
# (a .pgpass file, relative to the workspace) init, ingest and status work;
# the password is in no config, log or message
PGPASSFILE=/nonexistent expect_fail "$SOHOA" init pw --db "$SOHOA_PG_PWURL" > out 2> err
expect_grep "password" err
mkdir pw
printf '*:*:sohoa_pw:sohoa_pw:pw-only-in-a-file\n' > pw/db.pgpass
chmod 600 pw/db.pgpass
PGPASSFILE=$PWD/pw/db.pgpass expect_ok "$SOHOA" init pw --db "$SOHOA_PG_PWURL" > /dev/null
echo "db.passfile = db.pgpass" >> pw/sohoa.conf
PGPASSFILE=/nonexistent expect_ok "$SOHOA" -C pw fonds add G09 "Bộ Nội vụ" > /dev/null
PGPASSFILE=/nonexistent expect_ok "$SOHOA" -C pw status > /dev/null
sed -i '/^db.passfile/d' pw/sohoa.conf
PGPASSFILE=/nonexistent expect_fail "$SOHOA" -C pw status > /dev/null 2> err
expect_grep "password" err
grep -rq "pw-only-in-a-file" pw/sohoa.conf pw/log err out 2> /dev/null && die "the password went into the config, a log or a message"
exit 0
