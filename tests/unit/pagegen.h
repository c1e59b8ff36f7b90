/*
 * pagegen.h - synthetic page images for the image stages' unit tests: lines
 * of letter-like glyphs (x-height rings, ascenders, fewer descenders, and
 * diacritic dots above as in Vietnamese) on white paper, drawn with
 * Leptonica so that the tests need no fonts and no files.  Deterministic.
 */
#ifndef SOHOA_PAGEGEN_H
#define SOHOA_PAGEGEN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

static uint32_t pagegen_seed = 12345;

static inline int pagegen_rand(int n)
{
	pagegen_seed = pagegen_seed * 1103515245u + 12345u;
	return (int)((pagegen_seed >> 8) % (uint32_t)n);
}

static inline void pagegen_rect(PIX *p, int x, int y, int w, int h, int v)
{
	pixRasterop(p, x, y, w, h, v ? PIX_SET : PIX_CLR, NULL, 0, 0);
}

/*
 * A 1-bit page of w x h at `dpi` with `lines` lines of text starting at
 * (x0, y0), each at most `width` wide; 12-point-like glyphs.
 */
static inline PIX *pagegen_text1(int w, int h, int dpi, int x0, int y0, int width, int lines)
{
	PIX *p = pixCreate(w, h, 1);
	int xh = dpi * 8 / 100, st = dpi / 100 > 1 ? dpi / 100 : 1; /* x-height ~2 mm */
	int lh = xh * 3, y = y0;

	for (int l = 0; l < lines && y + 2 * xh < h; l++, y += lh) {
		int x = x0;
		while (x < x0 + width - 6 * xh) {
			int nglyph = 2 + pagegen_rand(6);
			for (int g = 0; g < nglyph; g++) {
				int gw = xh * (6 + pagegen_rand(5)) / 10;
				int r = pagegen_rand(100);
				pagegen_rect(p, x, y, gw, st, 1);
				pagegen_rect(p, x, y + xh - st, gw, st, 1);
				pagegen_rect(p, x, y, st, xh, 1);
				pagegen_rect(p, x + gw - st, y, st, xh, 1);
				if (r < 35)       /* ascender: b d h k l t */
					pagegen_rect(p, r < 18 ? x : x + gw - st, y - xh * 7 / 10, st, xh, 1);
				else if (r < 45)  /* descender: g p q y */
					pagegen_rect(p, r < 40 ? x : x + gw - st, y + xh - st, st, xh * 7 / 10, 1);
				else if (r < 65)  /* a diacritic above: â ê ô ă ơ ư with their tone marks */
					pagegen_rect(p, x + gw / 3, y - xh / 2, gw / 3, st + 1, 1);
				if (r % 7 == 0)   /* dấu nặng below */
					pagegen_rect(p, x + gw / 2 - st, y + xh + st * 2, st * 2, st * 2, 1);
				x += gw + st * 2;
			}
			x += xh;
		}
	}
	return p;
}

/*
 * A typewritten 1-bit page: glyphs of one width on a fixed pitch, so that
 * they stand in columns from line to line, each struck `jitter` px higher
 * or lower at random (the typebars of a typewriter), single-spaced lines,
 * words of 2-9 letters.
 */
static inline PIX *pagegen_typewriter(int w, int h, int dpi, int lines, int jitter)
{
	PIX *p = pixCreate(w, h, 1);
	int xh = dpi * 8 / 100, st = dpi / 100 > 1 ? dpi / 100 : 1;
	int pitch = dpi / 10, gw = pitch * 6 / 10, lh = xh * 2 + xh / 2, y = dpi;

	for (int l = 0; l < lines && y + 2 * xh < h - dpi; l++, y += lh + pagegen_rand(3 * st + 1)) {
		int col = 0, ncol = (w - 2 * dpi) / pitch;
		while (col < ncol - 10) {
			int nglyph = 2 + pagegen_rand(8);
			for (int g = 0; g < nglyph && col < ncol; g++, col++) {
				int x = dpi + col * pitch + (pitch - gw) / 2, yy = y + pagegen_rand(2 * jitter + 1) - jitter;
				int r = pagegen_rand(100);
				pagegen_rect(p, x, yy, gw, st, 1);
				pagegen_rect(p, x, yy + xh - st, gw, st, 1);
				pagegen_rect(p, x, yy, st, xh, 1);
				pagegen_rect(p, x + gw - st, yy, st, xh, 1);
				if (r < 35)
					pagegen_rect(p, r < 18 ? x : x + gw - st, yy - xh * 7 / 10, st, xh, 1);
				else if (r < 45)
					pagegen_rect(p, r < 40 ? x : x + gw - st, yy + xh - st, st, xh * 7 / 10, 1);
				else if (r < 65)
					pagegen_rect(p, x + gw / 3, yy - xh / 2, gw / 3, st + 1, 1);
			}
			col++;
		}
	}
	return p;
}

/* The same page as 8-bit grey: ink `ink`, paper `paper`. */
static inline PIX *pagegen_text8(int w, int h, int dpi, int lines, int ink, int paper)
{
	PIX *b = pagegen_text1(w, h, dpi, dpi, dpi, w - 2 * dpi, lines);
	PIX *g = pixConvert1To8(NULL, b, (l_uint8)paper, (l_uint8)ink);
	pixDestroy(&b);
	return g;
}

/* The 8-bit page g as bitonal (depth 1), grey (8, a clone) or colour (32). */
static inline PIX *pagegen_depth(PIX *g, int depth)
{
	if (depth == 1)
		return pixThresholdToBinary(g, 128);
	if (depth == 32)
		return pixConvert8To32(g);
	return pixClone(g);
}

/* Turn pix counter-clockwise by deg degrees, as a scanner would. */
static inline PIX *pagegen_skew(PIX *pix, double deg)
{
	return pixRotate(pix, (l_float32)(-deg * M_PI / 180), pixGetDepth(pix) == 1 ? L_ROTATE_SHEAR : L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
}

/* Add grey noise (uniform, +-amp) and n dark specks of 1-3 pixels. */
static inline void pagegen_soil(PIX *g, int amp, int n)
{
	int w = pixGetWidth(g), h = pixGetHeight(g);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			l_uint32 v;
			int nv;
			pixGetPixel(g, x, y, &v);
			nv = (int)v + pagegen_rand(2 * amp + 1) - amp;
			pixSetPixel(g, x, y, nv < 0 ? 0 : nv > 255 ? 255 : nv);
		}
	for (int i = 0; i < n; i++) {
		int s = 1 + pagegen_rand(3);
		pixRasterop(g, pagegen_rand(w - 4), pagegen_rand(h - 4), s, s, PIX_CLR, NULL, 0, 0);
	}
}

/* One page of a samples folder (tests/mksamples.sh): its manifest row. */
struct pagegen_sample {
	char name[64], file[64];
	int index, dpi, rotation, blank, facing;
	double skew;
};

/*
 * Call fn for every page of the samples folder dir (DIR/manifest.tsv, as
 * tests/mksamples.sh writes it) with its image (NULL when unreadable; fn
 * checks) and its row.  Returns the number of pages, -1 without a manifest.
 */
static inline int pagegen_samples(const char *dir, void (*fn)(PIX *pix, const struct pagegen_sample *s, void *arg), void *arg)
{
	char *path = xasprintf("%s/manifest.tsv", dir), line[512];
	FILE *f = fopen(path, "r");
	struct pagegen_sample s;
	int n = 0;

	free(path);
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		PIX *pix;

		if (sscanf(line, "%63s %63s %d %d %lf %d %d %d", s.name, s.file, &s.index, &s.dpi, &s.skew, &s.rotation, &s.blank, &s.facing) != 8)
			continue;
		path = xasprintf("%s/%s", dir, s.file);
		pix = s.index ? pixReadTiff(path, s.index) : pixRead(path);
		free(path);
		fn(pix, &s, arg);
		pixDestroy(&pix);
		n++;
	}
	fclose(f);
	return n;
}

#endif
