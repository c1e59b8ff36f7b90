/*
 * ttf.h - a small TrueType reader: just what a PDF writer needs to embed a
 * TrueType font whole and lay out text with it.
 *
 * A font is read once (ttf_load) and then queried: code point to glyph id
 * (cmap formats 4 and 12), advance widths (hmtx), and the font-wide metrics
 * a PDF FontDescriptor wants.  Nothing is subset or rewritten; the bytes
 * returned by ttf_data() are the file as read, to embed as /FontFile2.
 *
 * Used by the PDF/A writer (pdfa.c) for report pages and by the signing stage
 * for its visible signature appearance.
 */
#ifndef SOHOA_TTF_H
#define SOHOA_TTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/util.h"

struct ttf;

/* Font-wide metrics, all in font units (divide by units_per_em). */
struct ttf_metrics {
	int units_per_em;
	int num_glyphs;
	int ascent;        /* hhea ascender (positive) */
	int descent;       /* hhea descender (negative) */
	int line_gap;
	int cap_height;    /* OS/2 sCapHeight, or ascent when the table lacks it */
	int bbox[4];       /* head xMin yMin xMax yMax */
	double italic_angle; /* post, degrees */
	bool fixed_pitch;
};

/* Read and check a TrueType file; NULL with err set when it cannot be read
 * or is not a usable TrueType font (no cmap for Unicode, bad tables). */
struct ttf *ttf_load(const char *path, struct errbuf *err);
/* The same from memory; the bytes are copied.  `name` is used in messages. */
struct ttf *ttf_from_mem(const void *data, size_t len, const char *name, struct errbuf *err);
void ttf_free(struct ttf *f);

/* The font file's bytes (owned by the font) and their length. */
const unsigned char *ttf_data(const struct ttf *f, size_t *len);
const struct ttf_metrics *ttf_metrics(const struct ttf *f);
/* The PostScript name (name table id 6), e.g. "LiberationSerif"; never NULL. */
const char *ttf_ps_name(const struct ttf *f);

/* Glyph id of a Unicode code point; 0 (.notdef) when the font lacks it. */
unsigned ttf_glyph(const struct ttf *f, uint32_t cp);
/* Advance width of a glyph in font units. */
int ttf_advance(const struct ttf *f, unsigned gid);
/* Width of a UTF-8 string set at `size` (result in the unit of size, e.g.
 * points); invalid UTF-8 counts as U+FFFD. */
double ttf_text_width(const struct ttf *f, const char *utf8, double size);

#endif
