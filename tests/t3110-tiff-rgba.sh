# t3110 (issue 11, finding 19): valid TIFFs that Leptonica refuses but
# libtiff reads (tiled JPEG YCbCr, tiled LZW, tiled LZW with a SubIFD, an
# old-style JPEG TIFF of the kind 1990s scanners wrote, made by hand by
# mkimg because libtiff cannot write one) are read through libtiff's RGBA
# interface, not quarantined as damaged; a truncated tiled TIFF still is.
. "$SOHOA_TOP/tests/lib.sh"
command -v tiffcp > /dev/null || skip "tiffcp (libtiff-tools) is not installed: make deps"
"$TOOLS/mkimg" page a.tif 1240 1754 200 1
tiffcp -t -w 256 -l 256 -c jpeg a.tif tiled-jpeg.tif || die "tiffcp jpeg"
tiffinfo tiled-jpeg.tif 2>/dev/null | grep -q YCbCr || die "not a YCbCr TIFF"
tiffcp -t -w 256 -l 256 -c lzw a.tif tiled-lzw.tif || die "tiffcp lzw"
"$TOOLS/mkimg" subifd a.tif subifd.tif || die "mkimg subifd"
"$TOOLS/mkimg" ojpeg a.tif ojpeg.tif || die "mkimg ojpeg"
tiffinfo ojpeg.tif 2>/dev/null | grep -q "Old-style JPEG" || die "not an old-style JPEG TIFF"
head -c 60000 tiled-lzw.tif > trunc.tif
ws_init ws capture
expect_ok "$SOHOA" -C ws ingest --profile legacy tiled-jpeg.tif tiled-lzw.tif subifd.tif ojpeg.tif trunc.tif > /dev/null
"$SOHOA" -C ws run --drain 2> run.log || die "run"
for f in tiled-jpeg.tif tiled-lzw.tif subifd.tif ojpeg.tif; do
	expect_eq "$(sq ws "SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$f'")" done "$f"
	expect_eq "$(sq ws "SELECT p.width || 'x' || p.height || ' ' || p.dpi FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = '$f'")" "1240x1754 200" "$f size and dpi"
done
expect_eq "$(sq ws "SELECT count(*) FROM pages p JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'subifd.tif'")" 1 "a SubIFD is not a page"
expect_eq "$(sq ws "SELECT j.state FROM jobs j JOIN pages p ON p.id = j.page_id JOIN masters m ON m.id = p.master_id WHERE m.src_name = 'trunc.tif'")" quarantined "truncated tiled TIFF"
exit 0
