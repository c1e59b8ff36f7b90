/*
 * pdfa_int.h - what the parts of the PDF/A writer share (formats/pdf/):
 * the document being written, and the object writer (pdfa_obj.c).  Not
 * for use outside the writer; its interface is pdfa.h.
 *
 *   pdfa.c       the document: open, strings, fonts, metadata, close
 *   pdfa_obj.c   the object writer: bytes, numbered objects, streams
 *   pdfa_page.c  page content: scanned pages with their invisible text
 *                layer from hOCR (made as a part, pdfa_part.h, and
 *                joined), and drawn text pages
 *   pdfa_part.c  a page's part as a file of its own, and its inputs
 */
#ifndef SOHOA_PDFA_INT_H
#define SOHOA_PDFA_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/util.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/ttf.h"

#define PDFA_MAX_HOCR (64u << 20)
#define PDFA_GLYPHLESS_WIDTH 500 /* the glyph's advance in 1/1000 em (pdf.ttf) */

struct pdfa {
	char *path, *tmp;
	FILE *fp;
	uint64_t off;
	int werrno;               /* first write error */
	uint64_t *offsets;        /* by object number; 0 = not written yet */
	int nobj, aobj;
	int *kids;
	int nkids, akids;
	char *title, *creator, *description, *keywords, *language, *producer;
	int64_t date_ms;
	int jpeg_quality;
	char *text_font_path, *glyphless_path;
	/* glyphless font: object number once used, and the codes used */
	int gl_obj;
	uint8_t gl_used[65536 / 8];
	/* text font */
	struct ttf *font;
	int font_obj;
	uint32_t *gid_uni;        /* per glyph: a code point it shows, 0 = unused */
	uint8_t *gid_used;
	/* the text page being drawn */
	bool in_page;
	double pw, ph;
	struct strbuf content;
};

/* Bytes to the file (a write error is remembered, reported at close). */
void pdfa_obj_out(struct pdfa *d, const void *data, size_t len);
void pdfa_obj_outf(struct pdfa *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new object number (its offset is recorded when it is written). */
int pdfa_obj_new(struct pdfa *d);
/* Record object num's offset and write "num 0 obj". */
void pdfa_obj_begin(struct pdfa *d, int num);
/* A whole stream object; `dict` holds the keys other than /Length. */
void pdfa_obj_stream(struct pdfa *d, int num, const char *dict, const void *data, size_t len);
/* The same, Flate-compressed. */
void pdfa_obj_flate(struct pdfa *d, int num, const char *dict, const void *data, size_t len);
/* The same of data already Flate-compressed (z, n bytes). */
void pdfa_obj_zstream(struct pdfa *d, int num, const char *dict, const void *z, size_t n);
/* A string in Unicode NFC (caller frees). */
char *pdfa_nfc(const char *s);

#endif
