/*
 * fuzz_image.c - the image decode path of capture (TIFF, JPEG, PNG, PNM):
 * the same Leptonica calls as stages/capture.c's decode() (a static
 * function there), chosen by the same format detection, after the header's
 * size is read: pixReadTiff for every page of a TIFF, pixReadJpeg failing on
 * bad data, pixRead for the rest.  Images above 40 megapixels are left out
 * (capture refuses them by size; here they would only measure malloc).
 */
#include <leptonica/allheaders.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("in.img", data, size);
	l_int32 fmt = IFF_UNKNOWN, w = 0, h = 0, bps = 0, spp = 0, iscmap = 0, nwarn = 0, npages = 1;
	PIX *pix = NULL;
	setMsgSeverity(L_SEVERITY_NONE);
	if (findFileFormat(path, &fmt) != 0 || pixReadHeader(path, &fmt, &w, &h, &bps, &spp, &iscmap) != 0 ||
	    (double)w * h > 40e6)
		goto out;
	if (fmt == IFF_TIFF || fmt == IFF_TIFF_G3 || fmt == IFF_TIFF_G4 || fmt == IFF_TIFF_LZW || fmt == IFF_TIFF_ZIP ||
	    fmt == IFF_TIFF_PACKBITS || fmt == IFF_TIFF_RLE || fmt == IFF_TIFF_JPEG) {
		FILE *f = fopen(path, "rb");
		if (f) {
			if (tiffGetCount(f, &npages) != 0)
				npages = 1;
			fclose(f);
		}
		for (l_int32 i = 0; i < npages && i < 8; i++) {
			pix = pixReadTiff(path, i);
			pixDestroy(&pix);
		}
	} else if (fmt == IFF_JFIF_JPEG) {
		pix = pixReadJpeg(path, 0, 1, &nwarn, 0);
	} else {
		pix = pixRead(path);
	}
out:
	pixDestroy(&pix);
	free(path);
	return 0;
}
