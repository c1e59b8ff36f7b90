#!/bin/sh
# bench-nodes.sh BUILD [PAGES] [STAGES] - pages/min with 1, 2 and 3 nodes
# (`run --node`) on this machine against one PostgreSQL (a throw-away
# cluster, tests/pg.sh) and one workspace each time: PAGES pages (default
# 60) through STAGES (default "capture orient deskew clean blank"), one
# worker per stage per node.  Prints one line per node count.  A benchmark,
# not a test: its figures depend on the machine.
set -eu
build=$(cd "$1" && pwd)
pages=${2:-60}
stages=${3:-capture orient deskew clean blank}
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SOHOA_PG_URL:-}" ]; then
	exec sh "$top/tests/pg.sh" sh "$0" "$@"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-nodes.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/scans"
i=1
while [ $i -le "$pages" ]; do
	"$build/tools/mkimg" page "$work/scans/p$(printf %04d $i).png" 1654 2339 200 $i
	i=$((i + 1))
done
last=${stages##* }
for n in 1 2 3; do
	url=$("$SOHOA_PG_NEWDB")
	ws="$work/ws$n"
	"$build/sohoa" init "$ws" --db "$url" > /dev/null
	{ echo "stages = $stages"; echo "supervisor.scan_ms = 200"; echo "worker.scan_ms = 200"; } >> "$ws/sohoa.conf"
	for s in $stages; do echo "$s.workers = 1" >> "$ws/sohoa.conf"; done
	"$build/sohoa" -C "$ws" ingest --profile legacy "$work/scans" > /dev/null
	start=$(date +%s.%N)
	pids=
	k=1
	while [ $k -le $n ]; do
		SOHOA_QUIET=1 "$build/sohoa" -C "$ws" run --node "bench-$k" 2> "$work/node$n-$k.log" &
		pids="$pids $!"
		k=$((k + 1))
	done
	while [ "$(psql -X -q -t -A "$url" -c "SELECT count(*) FROM jobs WHERE stage = '$last' AND state = 'done'")" -lt "$pages" ]; do
		sleep 0.2
	done
	end=$(date +%s.%N)
	kill -TERM $pids
	wait $pids || true
	echo "$n $pages $start $end" | awk '{ s = $4 - $3; printf "%d node(s): %d pages in %.1f s, %.1f pages/min\n", $1, $2, s, $2 / s * 60 }'
done
