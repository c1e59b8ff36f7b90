# t3120 (issue 11, finding 11): a header's claim is checked against the
# worker's memory budget (worker.max_memory) before any pixel is decoded:
# a 57-byte PNG claiming 15000 x 15000 px (under ingest.max_pixels) is
# quarantined with the reason, at once; a real page over a small budget
# too, and it passes once the budget allows it.
. "$SOHOA_TOP/tests/lib.sh"
ws_init ws capture
"$TOOLS/mkimg" bad lying-png lying.png
"$TOOLS/mkimg" page real.png 3000 4000 300 1
expect_ok "$SOHOA" -C ws ingest --profile legacy lying.png real.png > /dev/null
echo "worker.max_memory = 64" >> ws/sohoa.conf
"$SOHOA" -C ws run --drain 2> run.log || die "run"
state() { sq ws "SELECT j.state || ' ' || COALESCE(j.error, '') FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$1'"; }
state lying.png | grep -q "^quarantined .*15000x15000 px needs about [0-9]* MB, more than worker.max_memory (64 MB)" || die "lying header: $(state lying.png)"
state real.png | grep -q "^quarantined .*3000x4000 px needs about [0-9]* MB, more than worker.max_memory (64 MB)" || die "real page over budget: $(state real.png)"
[ -f "ws/quarantine/$(ls ws/quarantine | grep -m1 reason)" ] || die "no reason file in quarantine/"
# the default (1024 MB) still refuses the lying header, and takes the page
sed -i '/worker.max_memory/d' ws/sohoa.conf
ws_init ws2 capture
expect_ok "$SOHOA" -C ws2 ingest --profile legacy lying.png real.png > /dev/null
"$SOHOA" -C ws2 run --drain 2> run2.log || die "run 2"
expect_eq "$(sq ws2 "SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'real.png'")" done "real page under the default budget"
sq ws2 "SELECT j.error FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'lying.png'" | grep -q "more than worker.max_memory (1024 MB)" || die "lying header under the default budget"
exit 0
