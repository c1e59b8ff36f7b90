#!/bin/sh
# utilbench.sh BUILD - core utilisation of `sohoa run --drain` (issue 12
# item 5), run by `make bench` and `make bench-util`.
#
# For each batch size in $BENCH_UTIL_PAGES ("24 200"): that many distinct
# pages (tests/mkbenchpages.sh: the shared corpus's renderer when it is
# there, else the project's own sample texts; the first output line says
# which) are ingested as one batch, so one document of N pages, into a
# fresh workspace with the stages capture orient deskew clean blank ocr
# pdfpage pdf and $BENCH_WORKERS (default: the number of cores) workers for
# every page stage; then `sohoa run --drain` runs under /usr/bin/time.
#
# Printed per size:
#   utilisation = core-seconds / (wall x cores), core-seconds being user +
#     sys of the whole process tree (the supervisor and every worker it
#     reaped); targets >= 90 % at 24 pages, >= 95 % at 200 on 2 cores;
#   the serial tail: how long the one `pdf` document job took, and the time
#     from the end of the last page job to the end of that job, beside the
#     whole drain (from the jobs table's claimed_at / finished_at);
#   the load average at the start of the run (/proc/loadavg): figures taken
#     on a busy machine are not the program's.
# A benchmark, not a test: it reports and exits 0 unless something could not
# run.  It needs an otherwise idle machine for meaningful figures.
set -u
build=${1:?usage: utilbench.sh BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd) || exit 1
sohoa=$build/sohoa
sizes=${BENCH_UTIL_PAGES:-24 200}
cores=$(nproc 2> /dev/null || echo 2)
workers=${BENCH_WORKERS:-$cores}
for c in "$sohoa" /usr/bin/time sqlite3; do
	command -v "$c" > /dev/null || { echo "utilbench.sh: no '$c' (make all; apt-get install time sqlite3)" >&2; exit 1; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sohoa-util.XXXXXX")
export SOHOA_QUIET=1
MKPAGE=${MKPAGE:-$build/tools/mkpage}
export MKPAGE
echo "utilisation: work folder $tmp; $cores cores, $workers workers per page stage"
for n in $sizes; do
	pages=$tmp/pages-$n
	sh "$here/mkbenchpages.sh" "$pages" "$n" || { echo "utilbench.sh: cannot make $n pages" >&2; exit 1; }
	ws=$tmp/ws-$n
	"$sohoa" init "$ws" > /dev/null || exit 1
	{
		echo "stages = capture orient deskew clean blank ocr pdfpage pdf"
		for s in capture orient deskew clean blank ocr pdfpage; do echo "$s.workers = $workers"; done
	} >> "$ws/sohoa.conf"
	"$sohoa" -C "$ws" ingest --profile legacy $(ls -d "$pages"/* | grep -E '\.(png|jpe?g|tiff?|pnm)$') > /dev/null || exit 1
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	/usr/bin/time -f '%e %U %S' -o "$tmp/util-$n.time" "$sohoa" -C "$ws" run --drain 2> "$tmp/util-$n.log" ||
		{ echo "utilbench.sh: sohoa run failed, see $tmp/util-$n.log" >&2; exit 1; }
	notdone=$(sqlite3 "$ws/sohoa.db" "SELECT count(*) FROM jobs WHERE state <> 'done'")
	[ "$notdone" = 0 ] || echo "utilbench.sh: $notdone jobs not done in $ws (see $tmp/util-$n.log)" >&2
	# times in ms: the drain's first claim, the last page job's end, the pdf job
	set -- $(sqlite3 -separator ' ' "$ws/sohoa.db" "SELECT (SELECT min(claimed_at) FROM jobs),
		(SELECT max(finished_at) FROM jobs WHERE page_id IS NOT NULL),
		(SELECT max(finished_at) FROM jobs WHERE stage = 'pdf'),
		(SELECT max(finished_at - claimed_at) FROM jobs WHERE stage = 'pdf'),
		(SELECT count(*) FROM documents)")
	first=$1 lastpage=$2 pdfend=$3 pdfjob=$4 ndocs=$5
	awk -v n="$n" -v cores="$cores" -v what="$(cat "$pages/SOURCE.txt")" -v load="$load" -v first="$first" \
		-v lastpage="$lastpage" -v pdfend="$pdfend" -v pdfjob="$pdfjob" -v ndocs="$ndocs" \
		-v target="$([ "$n" -ge 200 ] && echo 95 || echo 90)" '
	{
		wall = $1; cpu = $2 + $3; u = 100 * cpu / (wall * cores)
		printf "\nutilisation, %d pages in %d document(s) (%s)\n", n, ndocs, what
		printf "  load average at start: %s\n", load
		printf "  core-s %.1f / (wall %.1f s x %d cores) = %.1f %% (target >= %d %%: %s)\n", cpu, wall, cores, u, target, \
			(u >= target ? "met" : "missed")
		printf "  the pdf document job: %.2f s; from the last page job to its end: %.2f s; the drain from its first claim: %.1f s\n", \
			pdfjob / 1000, (pdfend - lastpage) / 1000, (pdfend - first) / 1000
	}' "$tmp/util-$n.time"
done
echo "utilisation: details in $tmp"
exit 0
