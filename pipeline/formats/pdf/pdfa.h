/*
 * pdfa.h - a PDF/A-2b writer: scanned pages with an invisible OCR text
 * layer, and plain text pages for reports.
 *
 * A document is opened, pages are added in order, and pdfa_close() writes
 * the document-wide objects and commits the file (tmp -> fsync -> rename).
 * The file has a classic cross-reference table, no object streams, and one
 * plain dictionary per object, so that a signer can append an incremental
 * update with a small parser:
 *
 *     %PDF-1.7 / binary comment
 *     1 0 obj Catalog (/Metadata, /OutputIntents sRGB, /Lang)
 *     2 0 obj Pages
 *     ... per page: image XObject, content stream, Page
 *     ... fonts (written at close: they list the glyphs used), XMP, ICC, Info
 *     xref / trailer (/Root /Info /ID) / startxref / %%EOF
 *
 * Scanned pages keep the image's pixels (no downscaling): bitonal images go
 * in as CCITT G4, grey and colour as JPEG at the configured quality.  The
 * text layer comes from the page's hOCR: each ocrx_word is set in text
 * render mode 3 (invisible) with a glyphless font, scaled horizontally to
 * fill its box, so that search, selection and pdftotext follow the words.
 *
 * Text pages draw with an embedded TrueType font (Liberation Serif by
 * default): coordinates are in points from the bottom-left corner.
 */
#ifndef SOHOA_PDFA_H
#define SOHOA_PDFA_H

#include <stddef.h>
#include <stdint.h>

#include "engine/util.h"

struct Pix;
struct pdfa;

/* Document metadata: written both to the XMP packet and to /Info. */
struct pdfa_meta {
	const char *title;        /* dc:title, /Title (may be NULL) */
	const char *creator;      /* dc:creator, /Author: the organisation (may be NULL) */
	const char *description;  /* dc:description, /Subject (may be NULL) */
	const char *keywords;     /* pdf:Keywords, /Keywords (may be NULL) */
	const char *language;     /* dc:language and /Lang; "vi" when NULL */
	const char *producer;     /* pdf:Producer, /Producer; "sohoa" when NULL */
	int64_t date_ms;          /* creation time (ms since the epoch); 0 = now */
};

struct pdfa_opts {
	int jpeg_quality;         /* 1..100; 85 when 0 */
	const char *text_font;    /* TrueType for text pages; Liberation Serif when NULL */
	const char *glyphless_font; /* Tesseract's pdf.ttf when NULL */
};

/* Default font paths (Debian 12). */
#define PDFA_TEXT_FONT "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
#define PDFA_GLYPHLESS_FONT "/usr/share/tesseract-ocr/5/tessdata/pdf.ttf"

/* Start a document that pdfa_close() will commit to `path`; opts may be
 * NULL.  The metadata strings are copied.  NULL with err set on failure. */
struct pdfa *pdfa_open(const char *path, const struct pdfa_meta *meta, const struct pdfa_opts *opts, struct errbuf *err);

/*
 * Add a scanned page from an image file (anything Leptonica reads: PNM,
 * PNG, TIFF, JPEG; alpha is flattened onto white, 16-bit reduced to 8,
 * palettes expanded).  `dpi` sets the page size (0: the file's resolution,
 * else 300).  `hocr_path` may be NULL for a page without text (blank).
 */
int pdfa_add_image(struct pdfa *d, const char *image_path, int dpi, const char *hocr_path, struct errbuf *err);
/* The same from a Pix (borrowed) and hOCR text in memory (may be NULL). */
int pdfa_add_pix(struct pdfa *d, struct Pix *pix, int dpi, const char *hocr, size_t hocr_len, struct errbuf *err);

/*
 * Text pages.  pdfa_page_begin() starts a page of the given size in points
 * (A4 portrait is 595.28 x 841.89); draw on it, then pdfa_page_end().
 * Drawing calls cannot fail; characters the font lacks show as .notdef.
 */
int pdfa_page_begin(struct pdfa *d, double width_pt, double height_pt, struct errbuf *err);
/* Set a UTF-8 string with its baseline starting at (x, y), `size` points. */
void pdfa_text(struct pdfa *d, double x, double y, double size, const char *utf8);
/* A straight black line `width` points wide. */
void pdfa_line(struct pdfa *d, double x1, double y1, double x2, double y2, double width);
/* Width in points of a string set in the text font at `size` (for layout). */
double pdfa_text_width(struct pdfa *d, const char *utf8, double size);
int pdfa_page_end(struct pdfa *d, struct errbuf *err);

/* Number of pages added so far. */
int pdfa_pages(const struct pdfa *d);

/* Write fonts, metadata, cross-reference table and trailer, then commit the
 * file.  Frees d whatever the outcome; on failure nothing is left at path. */
int pdfa_close(struct pdfa *d, struct errbuf *err);
/* Give up: remove the temporary file and free d (NULL is fine). */
void pdfa_abort(struct pdfa *d);

/*
 * Helpers shared with the tests and the signer.  pdfa_date() formats a time
 * as a PDF date with the Vietnam offset, "D:20250701140322+07'00'" (out
 * holds 32 bytes); pdfa_add_text_string() appends a PDF text string for
 * /Info: (ASCII) as a literal string, anything else as <FEFF...> UTF-16BE;
 * pdfa_add_utf16_string() always appends the <FEFF...> form.
 * pdfa_add_utf16_hex() appends one code point as UTF-16BE hex digits (4,
 * or 8 for a surrogate pair), as ToUnicode CMaps want it.
 */
void pdfa_date(int64_t ms, char *out, size_t outsz);
void pdfa_add_text_string(struct strbuf *sb, const char *utf8);
void pdfa_add_utf16_string(struct strbuf *sb, const char *utf8);
void pdfa_add_utf16_hex(struct strbuf *sb, uint32_t c);

#endif
