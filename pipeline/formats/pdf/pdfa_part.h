/*
 * pdfa_part.h - one scanned page's PDF content, made ahead of its document
 * (the pdfpage stage) and joined into it later (the pdf stage), so that the
 * costly work of a page (JPEG or CCITT G4 encoding of its image, the text
 * layer from its hOCR) runs in parallel, page by page, and the document
 * stage only copies bytes.
 *
 * A part holds what pdfa_add_pix() writes for a page: the image XObject's
 * dictionary and encoded data, the page size, the content stream (image and
 * invisible text, Flate-compressed) and the glyphless-font codes the text
 * uses.  Joining parts with pdfa_add_part() gives the same file, byte for
 * byte, as adding the same pages with pdfa_add_pix() (pdfa_add_pix() is
 * pdfa_part_make() then pdfa_add_part()).
 *
 * A part records the inputs it was made from (struct pdfa_part_inputs): the
 * SHA-256 of the hOCR, the identity of the access copy (path, size, time,
 * inode), the dpi and the JPEG quality.  A part is only used when these
 * match the page's inputs now: a word corrected at the desk changes the
 * hOCR, and the document stage then makes the part again.
 *
 * The file (written by pdfa_part_write() through fsio: tmp, fsync, rename):
 *
 *     sohoa-pdfpart 1\n
 *     hocr <64 hex | ->\n
 *     access <64 hex>\n
 *     dpi <int>\n
 *     quality <int>\n
 *     size <width pt> <height pt>\n      (C99 hexadecimal floats: exact)
 *     text <0|1>\n
 *     glyphs <n>\n <n code units, 2 bytes each, big-endian>\n
 *     imagedict <n>\n <n bytes>\n
 *     image <n>\n <n bytes>\n
 *     content <flate|plain> <n>\n <n bytes>\n
 *     end\n
 *
 * Reading checks every length against the bytes left, every number's range
 * and the end line: a truncated or damaged part is an error naming the file
 * and what is wrong, never a crash.
 */
#ifndef SOHOA_PDFA_PART_H
#define SOHOA_PDFA_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/util.h"
#include "formats/pdf/pdfa.h"

#define PDFA_PART_MAGIC "sohoa-pdfpart"
#define PDFA_PART_VERSION 1
#define PDFA_PART_MAX (1024u << 20) /* the largest part read back */
#define PDFA_PART_LEAF "page.pdfpart" /* its name in a page's derived folder */

/* What a part was made from. */
struct pdfa_part_inputs {
	char hocr_sha[65];   /* SHA-256 (lower-case hex) of the hOCR, "-" without one */
	char access_id[65];  /* SHA-256 of the access copy's path, size, mtime (ns), inode */
	int dpi;             /* as asked (0: the image's own resolution) */
	int jpeg_quality;    /* 1..100 */
};

struct pdfa_part {
	struct pdfa_part_inputs in;
	double pw, ph;            /* page size in points */
	bool text;                /* the content sets text in the glyphless font /F0 */
	uint8_t gl_used[65536 / 8]; /* the glyphless-font codes used, a bit each */
	char *img_dict;           /* the image XObject's keys but /Length */
	uint8_t *img;             /* the encoded image (DCT or CCITT G4 data) */
	size_t img_len;
	uint8_t *content;         /* the content stream */
	size_t content_len;
	bool content_flate;       /* content is Flate-compressed (else plain) */
};

/*
 * The inputs of a page as they are now: hocr_path may be NULL (a blank
 * page, no OCR); jpeg_quality out of 1..100 means 85.  0, or -1 with err
 * naming the file that cannot be read.
 */
int pdfa_part_inputs(const char *image_path, int dpi, int jpeg_quality, const char *hocr_path,
		     struct pdfa_part_inputs *in, struct errbuf *err);
/* Whether a part made from `a` may stand for a page whose inputs are `b`. */
bool pdfa_part_inputs_equal(const struct pdfa_part_inputs *a, const struct pdfa_part_inputs *b);

/*
 * Make a page's part from a Pix (borrowed) and hOCR in memory (may be
 * NULL): what pdfa_add_pix() writes for it.  pageno names the page in
 * errors.  The caller fills part->in (pdfa_part_make_file() does).  0, or
 * -1 with err set and nothing to release.
 */
int pdfa_part_make(struct Pix *pix, int dpi, int jpeg_quality, const char *hocr, size_t hocr_len, int pageno,
		   struct pdfa_part *part, struct errbuf *err);
/* The same from files, with part->in recorded (the hOCR hashed as read). */
int pdfa_part_make_file(const char *image_path, int dpi, int jpeg_quality, const char *hocr_path, int pageno,
			struct pdfa_part *part, struct errbuf *err);
void pdfa_part_release(struct pdfa_part *part);

/* Write a part durably to path (fsio_write_atomic); read one back.  Each 0,
 * or -1 with err naming the file and the reason; a failed read leaves
 * nothing to release. */
int pdfa_part_write(const struct pdfa_part *part, const char *path, struct errbuf *err);
int pdfa_part_read(const char *path, struct pdfa_part *part, struct errbuf *err);
/* The same on bytes in memory; name is for errors. */
int pdfa_part_decode(const char *data, size_t len, const char *name, struct pdfa_part *part, struct errbuf *err);
/* The file's bytes (caller frees *data). */
void pdfa_part_encode(const struct pdfa_part *part, char **data, size_t *len);

/* Add a scanned page to the document from its part (its objects: image
 * stream copied, content stream, Page; the glyph use joined to the
 * document's glyphless font). */
int pdfa_add_part(struct pdfa *d, const struct pdfa_part *part, struct errbuf *err);

#endif
