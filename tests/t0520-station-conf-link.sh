# t0520 (issue 11, finding 2): a station.conf that is a symbolic link is not
# followed, and no message quotes a line of a station.conf (content of
# unknown origin): a link to a secret must not print the secret's first line.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-1 ws/inbox/may-2
printf 'TOPSECRET-first-line\nmore\n' > secret.txt
ln -s "$PWD/secret.txt" ws/inbox/may-1/station.conf
"$TOOLS/mkimg" page ws/inbox/may-1/a.png 1240 1754 150 1
"$SOHOA" -C ws watch --once > out 2> err || die "watch"
expect_grep "0 files taken" out
expect_grep "station.conf' is a symbolic link (not followed)" err
grep -q TOPSECRET err && die "the secret's first line was printed"
# a regular station.conf with a line that is not key = value: file and
# line named, the line itself not quoted
printf 'TOPSECRET-in-a-file\n' > ws/inbox/may-2/station.conf
"$TOOLS/mkimg" page ws/inbox/may-2/b.png 1240 1754 150 2
"$SOHOA" -C ws watch --once > out 2> err || die "watch 2"
expect_grep "station.conf:1: expected 'key = value'" err
grep -q TOPSECRET err && die "a station.conf line was quoted"
exit 0
