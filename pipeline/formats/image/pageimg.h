/*
 * pageimg.h - what the page image stages (orient, deskew, clean, blank)
 * share: reading the page's access copy, writing a new one, the page's
 * resolution, and the binarization they measure on.  capture writes the
 * first access copy, ocr and the PDF/A writer read the last, through the
 * same functions: Leptonica's own PNM I/O goes a byte at a time.
 */
#ifndef SOHOA_PAGEIMG_H
#define SOHOA_PAGEIMG_H

#include <leptonica/allheaders.h>

#include "engine/stage.h"
#include "engine/util.h"

/*
 * Read the page's current access copy.  Returns the image, or NULL with err
 * set and *rc the job's outcome: STAGE_BAD when the page has no access copy,
 * STAGE_RETRY when it cannot be read (capture wrote it, so the cause is the
 * file system).  Binary PNM (P4, P5, P6 with maxval 255) is decoded here a
 * row at a time; other files go through pixRead().
 */
PIX *pageimg_read(struct stage_ctx *ctx, enum stage_rc *rc, struct errbuf *err);

/* Read an image file as pageimg_read() does: NULL when it cannot. */
PIX *pageimg_read_file(const char *path);

/*
 * Write pix as binary PNM (the same bytes as Leptonica's pixWriteMem) to
 * the page's output `leaf` (e.g. "deskew.pnm") atomically with
 * fsio_write_atomic().  *path gets the absolute path (caller frees; set
 * even on failure).  Returns 0, or -1 with err set.
 */
int pageimg_write(struct stage_ctx *ctx, PIX *pix, const char *leaf, char **path, struct errbuf *err);

/*
 * Make pix the page's new access copy: pageimg_write() it to `leaf`, set
 * access_path and record a "migration" event with `detail`.  Returns 0, or
 * -1 with err set.
 */
int pageimg_replace(struct stage_ctx *ctx, PIX *pix, const char *leaf, const char *detail, struct errbuf *err);

/* The resolution to work with: dpi, or when it is under 50 (unknown) the
 * resolution that makes the short side of pix A4's 8.27 inches. */
int pageimg_dpi(PIX *pix, int dpi);

/*
 * The grey copy of pix that pixConvertTo8(pix, 0) makes (luminance 0.3 R +
 * 0.5 G + 0.2 B on colour), in integer arithmetic on colour: about a third
 * of Leptonica's time.  NULL on failure.
 */
PIX *pageimg_grey(PIX *pix);

/*
 * Ink (1) of pix at its full resolution: pix itself (a clone) when it is
 * bitonal, else its grey copy thresholded at Otsu's threshold kept below
 * 3/4 of the paper's brightness, so that paper texture and noise on a page
 * without ink do not turn black.  *paper (when not NULL) gets the paper's
 * brightness (255 for a bitonal image).  NULL on failure.
 */
PIX *pageimg_ink(PIX *pix, l_uint32 *paper);

/*
 * A copy of the 8-bit grey g with its paper made even (Leptonica's
 * background normalisation, paper at 200), when the paper of its left,
 * right, top and bottom thirds (the 90 % rank of each, on a copy reduced
 * 8 times) differs by more than 15 % of the brightest: light falling off
 * towards a side, a camera's vignette.  NULL when the paper is even (or on
 * failure).  pageimg_ink() thresholds this copy when there is one.
 */
PIX *pageimg_even(PIX *g);

/*
 * The grey copy of the colour page pix (as pageimg_grey()) with coloured
 * ink lifted out: a pixel whose colour is strongly saturated (a red or blue
 * seal, a blue pen) takes its brightest channel, so the seal turns pale
 * and the black print under and beside it stays.  For the OCR image only.
 * NULL when pix is not 32-bit colour (or on failure).
 */
PIX *pageimg_noseal(PIX *pix);
/* The x-height (px) of the text of the binary image bin: the most frequent
 * height of its letter-like components (not specks, rules, pictures or
 * merged words), smoothed over its neighbours, so the body of the
 * lower-case letters (a, n, o ...) rather than marks and ascenders; 0 when
 * there are fewer than 50 such components.  The clean and ocr stages both
 * measure it. */
int pageimg_xheight(PIX *bin);

/*
 * Image `index` of a TIFF through libtiff's RGBA interface
 * (TIFFReadRGBAImageOriented), for what Leptonica refuses but libtiff
 * reads: tiled images (JPEG YCbCr, LZW, with SubIFDs), old-style JPEG.  A
 * one-sample image comes back 8-bit grey (1-bit when it was bitonal), the
 * rest 32-bit RGB; the resolution is kept.  The raster is decoded into the
 * PIX's own memory, so it costs one image, not two.  NULL when libtiff
 * cannot read it either (its messages go to the caller's TIFF handlers).
 */
PIX *pageimg_tiff_rgba(const char *path, int index);

/*
 * Halve the binary b (taking it; rank 1, so thin strokes stay) while *dpi
 * is at least `limit`, halving *dpi with it.  Returns the reduced image
 * (NULL on failure, b freed either way).
 */
PIX *pageimg_reduce(PIX *b, int *dpi, int limit);

#endif
