#!/bin/sh
# bench-scale.sh BUILD - `make bench-scale` (issue 12 item 7): the same
# pages through sohoa with 1, 2, 4, 8 and 16 workers per page stage (those
# not above the number of cores, and the number of cores itself), beside
# Tesseract alone at the same parallelism.
#
# Pages: $BENCH_SCALE_PAGES (24) distinct pages of tests/mkbenchpages.sh
# (the shared corpus's renderer when it is there, else the project's own
# sample texts; the output says which).  $BENCH_SCALE_WORKERS overrides the
# list of worker counts (e.g. "1 2").
#
#  sohoa      a fresh workspace per count W: stages capture orient deskew
#             clean blank ocr pdfpage pdf, W workers for every page stage
#             (ocr.workers = W), `run --drain`; the one document job joins.
#  tesseract  the tesseract CLI alone, one process per page and W at a time
#             (xargs -P W), OMP_THREAD_LIMIT=1, `-l vie`, on the access
#             copies sohoa made in its first run (straightened, cleaned),
#             so both read the same pixels.
#
# Printed per W: pages/min (wall) and the speed-up over W = 1 for each side,
# and sohoa's pages/min as a share of Tesseract's (target >= 0.9 at 16
# workers, where a 16-core machine is at hand); the load average at the
# start of each run.  A benchmark, not a test: it exits 0 unless something
# could not run; wall figures need an otherwise idle machine.
set -u
build=${1:?usage: bench-scale.sh BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd) || exit 1
sohoa=$build/sohoa
n=${BENCH_SCALE_PAGES:-24}
cores=$(nproc 2> /dev/null || echo 2)
if [ -n "${BENCH_SCALE_WORKERS:-}" ]; then
	counts=$BENCH_SCALE_WORKERS
else
	counts=
	for w in 1 2 4 8 16; do [ "$w" -le "$cores" ] && counts="$counts $w"; done
	case " $counts " in *" $cores "*) ;; *) [ "$cores" -le 16 ] && counts="$counts $cores" ;; esac
fi
for c in "$sohoa" /usr/bin/time sqlite3 tesseract xargs; do
	command -v "$c" > /dev/null || { echo "bench-scale.sh: no '$c' (make all; make deps)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-scale.XXXXXX")
export SOHOA_QUIET=1
MKPAGE=${MKPAGE:-$build/tools/mkpage}
export MKPAGE
pages=$tmp/pages
sh "$here/mkbenchpages.sh" "$pages" "$n" || { echo "bench-scale.sh: cannot make $n pages" >&2; exit 1; }
echo "bench-scale: work folder $tmp"
echo "bench-scale: $n pages ($(cat "$pages/SOURCE.txt")); $cores cores; workers:$counts; $(tesseract --version 2>&1 | head -n 1)"

# sohoa W: one drain with W workers per page stage; prints its wall seconds
sohoa_run() {
	ws=$tmp/ws-$1
	"$sohoa" init "$ws" > /dev/null || return 1
	{
		echo "stages = capture orient deskew clean blank ocr pdfpage pdf"
		for s in capture orient deskew clean blank ocr pdfpage; do echo "$s.workers = $1"; done
	} >> "$ws/sohoa.conf"
	"$sohoa" -C "$ws" ingest --profile legacy $(ls -d "$pages"/* | grep -E '\.(png|jpe?g|tiff?|pnm)$') > /dev/null || return 1
	/usr/bin/time -f '%e' -o "$tmp/sohoa-$1.time" "$sohoa" -C "$ws" run --drain 2> "$tmp/sohoa-$1.log" || return 1
	[ "$(sqlite3 "$ws/sohoa.db" "SELECT count(*) FROM jobs WHERE state <> 'done'")" = 0 ] ||
		echo "bench-scale.sh: jobs not done in $ws" >&2
	cat "$tmp/sohoa-$1.time"
}
# tess W: the access copies of the first run through tesseract, W at a time
tess_run() {
	out=$tmp/tess-$1
	mkdir -p "$out"
	/usr/bin/time -f '%e' -o "$tmp/tess-$1.time" \
		sh -c 'OMP_THREAD_LIMIT=1 xargs -d "\n" -n 2 -P "$1" sh "$2" "$3" < "$4"' - "$1" "$tmp/tess1.sh" "$out" "$tmp/access.list" ||
		return 1
	[ "$(ls "$out" | wc -l)" -eq "$n" ] || { echo "bench-scale.sh: tesseract read $(ls "$out" | wc -l) of $n pages" >&2; return 1; }
	cat "$tmp/tess-$1.time"
}
# one page: tess1.sh OUTDIR PAGE_ID ACCESS_COPY
cat > "$tmp/tess1.sh" <<'EOF2'
tesseract "$3" "$1/$2" -l vie > /dev/null 2>&1
EOF2

: > "$tmp/table"
for w in $counts; do
	l1=$(cut -d' ' -f1 /proc/loadavg)
	s=$(sohoa_run "$w") || { echo "bench-scale.sh: sohoa with $w workers failed, see $tmp/sohoa-$w.log" >&2; exit 1; }
	if [ ! -f "$tmp/access.list" ]; then
		# page id and access copy, a line each, for xargs -n 2
		sqlite3 -separator ' ' "$tmp/ws-$w/sohoa.db" "SELECT id, access_path FROM pages ORDER BY id" |
			while read -r id a; do
				case $a in /*) ;; *) a=$tmp/ws-$w/$a ;; esac
				printf '%s\n%s\n' "$id" "$a"
			done > "$tmp/access.list"
	fi
	l2=$(cut -d' ' -f1 /proc/loadavg)
	t=$(tess_run "$w") || { echo "bench-scale.sh: tesseract with $w processes failed" >&2; exit 1; }
	echo "$w $s $t $l1 $l2" >> "$tmp/table"
done
awk -v n="$n" '
	{ w[NR] = $1; s[NR] = 60 * n / $2; t[NR] = 60 * n / $3; l1[NR] = $4; l2[NR] = $5 }
	END {
		printf "\n%7s %15s %9s %19s %9s %15s %13s\n", "workers", "sohoa pages/min", "speed-up", "tesseract pages/min", "speed-up", "sohoa/tesseract", "load at start"
		for (i = 1; i <= NR; i++)
			printf "%7d %15.1f %8.2fx %19.1f %8.2fx %15.2f %6s %6s\n", w[i], s[i], s[i] / s[1], t[i], t[i] / t[1], s[i] / t[i], l1[i], l2[i]
		printf "\n(speed-up: over the first row; sohoa/tesseract: target >= 0.9 at 16 workers; load: 1-min load\n"
		printf " average before the sohoa run and before the tesseract run)\n"
	}' "$tmp/table"
exit 0
