/*
 * orient.h - the pure functions of the orient stage, exposed for its unit
 * test and for tests/tools/imgeval.c.  Only those include this header.
 */
#ifndef SOHOA_ORIENT_H
#define SOHOA_ORIENT_H

#include <stdbool.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

/* How orientation is detected: Leptonica's ascender/descender counts, or
 * Tesseract's OSD (osd.traineddata). */
enum orient_method { ORIENT_LEPTONICA, ORIENT_OSD };

struct orient;

/*
 * Make a detector.  For ORIENT_OSD this loads Tesseract's OSD model (once
 * per process: keep the detector) and limits it to one thread.  Returns NULL
 * with err set when the model cannot be loaded.
 */
struct orient *orient_new(enum orient_method method, struct errbuf *err);
void orient_free(struct orient *o);

/*
 * Detect how the page in pix (any depth, scanned at `dpi`; under 50 means
 * unknown, and the short side is then taken for A4's 8.27 inches) was
 * turned: *rotation is the counter-clockwise rotation in degrees that
 * was applied to an upright page (0, 90, 180 or 270), *conf the detector's
 * confidence (0 when there is no text to judge; *rotation is then 0).
 * Returns 0, or -1 with err set.
 */
int orient_detect(struct orient *o, PIX *pix, int dpi, int *rotation, double *conf, struct errbuf *err);

/* true when the page of the last orient_detect() was small (short side
 * under 1000 px) or had small text (x-height under 12 px, enlarged to be
 * judged): its confidence is weaker evidence. */
bool orient_was_small(const struct orient *o);

/* Return a new image turned clockwise by `rotation` degrees (a multiple of
 * 90), which makes upright a page orient_detect() found at `rotation`. */
PIX *orient_upright(PIX *pix, int rotation);

#endif
