#!/bin/sh
# soak.sh BUILD - the soak of issue 11: SOAK_PAGES pages (default 2000)
# through every stage including sign, with SOAK_KILLS random worker kills
# (default 50) and SOAK_SUPKILLS supervisor kills (default 3); then a last
# run drains what is left.  Asserts nothing lost (every job done, every
# document signed) and nothing done twice (one success event per job and
# type), and samples every worker's RSS once a second into
# $SOAK_DIR/rss.csv (seconds,pid,stage,rss_kb), summarised per stage at the
# end (first and last minute's mean: flat means no growth).  Too heavy for
# `make check`: `make soak` runs it; SOAK_PAGES=40 SOAK_KILLS=5 SOAK_SUPKILLS=1
# is the reduced run.
set -u
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
pages=${SOAK_PAGES:-2000}
kills=${SOAK_KILLS:-50}
supkills=${SOAK_SUPKILLS:-3}
dir=${SOAK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/sohoa-soak.XXXXXX")}
sohoa="$build/sohoa"
fail() { echo "soak: FAILED: $*" >&2; exit 1; }
mkdir -p "$dir/scans" && cd "$dir" || fail "no folder $dir"
echo "soak: $pages pages, $kills worker kills, $supkills supervisor kills, in $dir"
sh "$top/tests/mkca.sh" keys > keys.conf || fail "mkca.sh"
i=1
while [ $i -le $pages ]; do "$build/tools/mkimg" page "scans/p$(printf %05d $i).png" 1240 1754 200 $i || fail "mkimg"; i=$((i + 1)); done
"$sohoa" init ws > /dev/null || fail "init"
cat keys.conf >> ws/sohoa.conf
printf 'job.max_attempts = 100\njob.retry_delay = 0\nworker.idle = 2\n' >> ws/sohoa.conf
FC=000.00.00.G09.2024.07.VP
"$sohoa" -C ws fonds add G09 "Bộ Nội vụ" > /dev/null && "$sohoa" -C ws file add $FC --paper LT.1 --fonds G09 --title "Soak" > /dev/null || fail "file add"
# one document per 20 pages
docs=$(awk -v n=$pages 'BEGIN { for (s = 1; s <= n; s += 20) { e = s + 19; if (e > n) e = n; printf "%s%d-%d", (s > 1 ? "," : ""), s, e } }')
"$sohoa" -C ws ingest --file-code $FC --profile legacy --docs "$docs" scans > /dev/null 2>&1 || fail "ingest"
start=$(date +%s)
echo "seconds,pid,stage,rss_kb" > rss.csv
sample() {
	for p in $(pgrep -f "sohoa -C $dir/ws worker"); do
		st=$(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | awk '{print $5}')
		rss=$(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null)
		[ -n "$rss" ] && echo "$(( $(date +%s) - start )),$p,$st,$rss" >> rss.csv
	done
}
left=$kills
round=0
while [ $round -le $supkills ]; do
	"$sohoa" -C ws run --drain 2>> run.log &
	sup=$!
	per=$(( (kills + supkills) / (supkills + 1) + 1 ))
	n=0
	while kill -0 $sup 2>/dev/null; do
		sample
		if [ $left -gt 0 ] && [ $n -lt $per ] && [ $(awk 'BEGIN { srand(); print int(rand() * 4) }') = 0 ]; then
			w=$(pgrep -f "sohoa -C $dir/ws worker" | shuf -n 1)
			[ -n "$w" ] && kill -KILL $w 2>/dev/null && { left=$((left - 1)); n=$((n + 1)); }
		fi
		if [ $round -lt $supkills ] && [ $n -ge $per ]; then kill -KILL $sup; break; fi
		sleep 1
	done
	wait $sup 2>/dev/null
	round=$((round + 1))
done
"$sohoa" -C ws run --drain 2>> run.log || fail "last drain"
q() { sqlite3 ws/sohoa.db "$1"; }
notdone=$(q "SELECT count(*) FROM jobs WHERE state <> 'done'")
signed=$(q "SELECT count(*) FROM documents WHERE signed_path IS NOT NULL")
ndocs=$(q "SELECT count(*) FROM documents")
twice=$(q "SELECT count(*) FROM (SELECT job_id FROM events WHERE job_id IS NOT NULL AND outcome = 'success' GROUP BY job_id, type HAVING count(*) > 1)")
died=$(grep -c 'died: signal 9' run.log)
echo "soak: $(( $(date +%s) - start )) s; $(q 'SELECT count(*) FROM pages') pages, $ndocs documents, $signed signed; jobs not done: $notdone; done twice: $twice; workers killed: $((kills - left)) ($died deaths logged)"
awk -F, 'NR == FNR { if (FNR > 1 && $1 > last) last = $1; next }
	FNR > 1 { s[$3] = 1; if ($1 < 60) { a[$3] += $4; na[$3]++ } if ($1 >= last - 60) { b[$3] += $4; nb[$3]++ } }
	END { for (k in s) printf "soak: rss %-8s first minute %8s kB, last minute %8s kB\n", k, na[k] ? sprintf("%.0f", a[k] / na[k]) : "-", nb[k] ? sprintf("%.0f", b[k] / nb[k]) : "-" }' rss.csv rss.csv
[ "$notdone" = 0 ] && [ "$twice" = 0 ] && [ "$signed" = "$ndocs" ] || fail "lost or doubled work"
echo "soak: ok (rss samples in $dir/rss.csv)"
