# t0510 (issue 11, finding 1): the hot folder takes only regular files of
# station folders that are real folders of the workspace.  A symbolic link
# dropped into inbox/STATION/ (to the signing key, anything the watcher can
# read) is not followed, nor is a FIFO opened, nor a symlinked station
# walked; the log says what was skipped and why, once; .done/ is never
# created outside the workspace.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
echo "ingest.stable_seconds = 1" >> ws/sohoa.conf
mkdir -p ws/inbox/may-1 outside
echo "a secret not for the watcher" > secret.key
"$TOOLS/mkimg" page ok.png 1240 1754 150 1
"$TOOLS/mkimg" page outside/elsewhere.png 1240 1754 150 2
cp ok.png ws/inbox/may-1/ok.png
ln -s "$PWD/secret.key" ws/inbox/may-1/key.png
ln -s "$PWD/ok.png" ws/inbox/may-1/ok-link.png
mkfifo ws/inbox/may-1/pipe.tif
mkdir ws/inbox/may-1/sub.png
ln -s "$PWD/outside" ws/inbox/evil
timeout 60 "$SOHOA" -C ws watch --once > out 2> err || die "watch failed or hung (a FIFO opened?)"
expect_grep "1 files taken" out
expect_eq "$(sq ws 'SELECT src_name FROM masters')" ok.png "only the regular file was ingested"
[ -e ws/inbox/may-1/key.png ] || die "the link was moved"
[ ! -e outside/.done ] || die ".done created outside the workspace"
[ -f outside/elsewhere.png ] || die "a file of a symlinked station was taken"
grep -r -l "not for the watcher" ws/masters ws/quarantine 2>/dev/null && die "the key's content was copied into the workspace"
expect_grep "skipped 'key.png': a symbolic link (not followed)" err
expect_grep "skipped 'ok-link.png': a symbolic link (not followed)" err
expect_grep "skipped 'pipe.tif': not a regular file" err
expect_grep "skipped 'sub.png': a folder" err
expect_grep "skipped 'evil': a symbolic link (not followed)" err
# a second pass says nothing new about them
timeout 60 "$SOHOA" -C ws watch --once > out 2> err2 || die "second watch"
[ "$(grep -c "skipped 'key.png'" err2)" -le 1 ] || die "a skipped file logged at every pass"
# a .done that is a link out of the workspace is not used
mkdir -p ws/inbox/may-2 outside2
ln -s "$PWD/outside2" ws/inbox/may-2/.done
cp outside/elsewhere.png ws/inbox/may-2/e.png
timeout 60 "$SOHOA" -C ws watch --once > out 2> err || die "watch may-2"
[ -z "$(ls outside2)" ] || die "a scan was moved out of the workspace through a linked .done"
expect_grep "skipped '.done': a symbolic link" err
exit 0
