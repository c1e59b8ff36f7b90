/*
 * hocr.h - the words of a page's hOCR (what Tesseract wrote): each word's
 * id, line, box and text, for the viewer's boxes and the corrections.
 * A reader for our own derived files; anything it does not understand is
 * skipped, never trusted as markup (the text is entity-decoded and shown
 * through html.c).
 */
#ifndef SOHOA_HOCR_H
#define SOHOA_HOCR_H

#include <stddef.h>

struct hocr_word {
	char id[32];        /* "word_1_23" */
	int line;           /* 0-based line number on the page */
	int l, t, r, b;     /* box in image pixels */
	int conf;           /* x_wconf, -1 when absent */
	char *text;         /* decoded UTF-8 */
};

struct hocr_page {
	int width, height;  /* the ocr_page bbox */
	struct hocr_word *w;
	size_t n;
};

/* Parse an hOCR document; never fails (an empty page for junk). */
void hocr_parse(const char *doc, struct hocr_page *p);
void hocr_release(struct hocr_page *p);
/* The word with this id, or NULL. */
const struct hocr_word *hocr_find(const struct hocr_page *p, const char *id);

#endif
