#!/bin/sh
# idlebench.sh BUILD [SECONDS] - the CPU an idle pipeline uses with its
# workers alive: a workspace, two pages through capture with two workers
# that stay (worker.idle = 3600), then the supervisor and its workers are
# left alone for SECONDS (default 60) and their utime + stime is read from
# /proc/PID/stat before and after.  Prints core-seconds per minute on its
# last line (target: under 0.05).  `make bench-idle` runs it.
set -u
build=$(cd "$1" && pwd)
secs=${2:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
export SOHOA_SHARE="$top" SOHOA_QUIET=1
dir=$(mktemp -d "${TMPDIR:-/tmp}/idlebench.XXXXXX")
trap 'kill $sup 2> /dev/null; wait 2> /dev/null; rm -rf "$dir"' EXIT
"$build/sohoa" init "$dir/ws" > /dev/null || exit 1
printf 'stages = capture\ncapture.workers = 2\nworker.idle = 3600\n' >> "$dir/ws/sohoa.conf"
"$build/tools/mkimg" page "$dir/a.png" 1654 2339 200 1
"$build/tools/mkimg" page "$dir/b.png" 1654 2339 200 2
"$build/sohoa" -C "$dir/ws" ingest "$dir/a.png" "$dir/b.png" > /dev/null || exit 1
"$build/sohoa" -C "$dir/ws" run 2> "$dir/run.log" &
sup=$!
n=0
while [ "$(sqlite3 "$dir/ws/sohoa.db" "SELECT count(*) FROM jobs WHERE state = 'done' AND page_id IS NOT NULL")" != 2 ] && [ $n -lt 600 ]; do
	sleep 0.1; n=$((n + 1))
done
sleep 2
ticks() { # utime + stime of the supervisor and its children, in clock ticks
	t=0
	for p in $sup $(ps -o pid= --ppid $sup); do
		[ -r /proc/$p/stat ] || continue
		v=$(sed 's/^.*) //' /proc/$p/stat | awk '{print $12 + $13}')
		t=$((t + v))
	done
	echo $t
}
nproc_alive=$(ps -o pid= --ppid $sup | wc -l)
t0=$(ticks)
sleep "$secs"
t1=$(ticks)
hz=$(getconf CLK_TCK)
echo "idle pipeline: supervisor and $nproc_alive workers alive, ${secs} s"
awk -v d=$((t1 - t0)) -v hz=$hz -v s=$secs 'BEGIN { printf "idle CPU: %.3f core-s per minute\n", d / hz * 60 / s }'
