# t0530 (issue 11, finding 8): control characters of unknown origin (ESC,
# CR, newline in CSV values and in hot-folder file names) never reach the
# terminal or the log raw: `meta import` errors, log lines and `sohoa pages`
# escape them (\xNN).
. "$SOHOA_TOP/tests/lib.sh"
esc=$(printf '\033')
cr=$(printf '\r')
raw() { grep -q "[$esc$cr]" "$1" && { echo "--- $1:"; od -c "$1" | head -20; die "a raw control character in $1"; }; return 0; }
ws_init ws capture
printf 'fileCode,title\nH49.64.33.2001.160,"red \033[31mtitle\rFORGED"\n' > esc.csv
expect_fail "$SOHOA" -C ws meta import esc.csv 2> err
expect_grep "row 2: field 'title'" err
expect_grep 'red \\x1b\[31mtitle\\x0dFORGED' err
raw err
# hot-folder names: the log and `sohoa pages`
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-1
"$TOOLS/mkimg" page a.png 1240 1754 150 1
name=$(printf 'scan\033[2J\rFORGED.png')
cp a.png "ws/inbox/may-1/$name"
SOHOA_QUIET=0 "$SOHOA" -C ws watch --once > out 2> err || die "watch"
expect_grep "1 files taken" out
# the same bytes again under another hostile name: the log line names it
name2=$(printf 'again\033]0;title\007.png')
cp a.png "ws/inbox/may-1/$name2"
SOHOA_QUIET=0 "$SOHOA" -C ws watch --once > out 2> err || die "watch 2"
expect_grep 'again\\x1b\]0;title\\x07.png' err
raw err
"$SOHOA" -C ws pages > pages || die "pages"
expect_grep 'scan\\x1b\[2J\\x0dFORGED' pages
raw pages
exit 0
