/*
 * ocr.h - the OCR stage's engine, exposed for its unit test and for the
 * tests/tools/ocreval driver (nothing in pipeline/ or another stage uses it).
 *
 * An engine is one Tesseract instance with its model loaded; it serves one
 * page at a time on one thread.  Text results are UTF-8 in NFC.
 */
#ifndef SOHOA_OCR_H
#define SOHOA_OCR_H

#include <stdbool.h>

#include "engine/util.h"

struct Pix;
struct ocr_engine;

/* The second model: vie beside Debian's script model (tesseract-ocr-script-
 * viet).  On the real scans that read poorly: CER 53.1 -> 48.8 % and
 * 39.7 -> 34.3 % (Vietnamese alone 51.3 and 33.8 %). */
#define OCR_ALT_LANG_DEFAULT "vie+Vietnamese"

struct ocr_opts {
	const char *lang;      /* Tesseract language(s), e.g. "vie" or "Vietnamese" */
	const char *datapath;  /* tessdata folder, NULL for the default */
	int psm;               /* page segmentation mode, 3 = fully automatic */
	int thresholding;      /* Tesseract thresholding_method: 0 Otsu, 1 LeptonicaOtsu, 2 Sauvola */
	double line_retry;     /* re-recognize lines under this confidence (0 = never) */
	bool retry_circumflex; /* re-read alone the words whose bare circumflex vowel has ink above it */
	double retry_margin;   /* keep the retry unless its confidence is this much lower */
	const char *vars;      /* Tesseract variables "name=value name=value", or NULL */
	bool want_hocr, want_alto;
	const char *dict;      /* hunspell dictionary (path without .aff/.dic), NULL or "" = none */
	double reread_below;   /* page confidence under which the page is read another way */
	double upscale_xheight; /* x-height in px under which the page is also read enlarged (0 = never) */
	const char *alt_lang;  /* another model tried on a poor or doubtful page (NULL or "" = none) */
	bool columns;          /* side-by-side blocks in reading order: left block, then right */
	const char *pairs;     /* word-pair counts of the correction step (NULL = no correction) */
};

/* Fill opts with the defaults the stage uses. */
void ocr_opts_default(struct ocr_opts *opts);

struct ocr_result {
	char *text;        /* NFC UTF-8, lines separated by \n, paragraphs by a blank line */
	char *hocr;        /* hOCR page (NULL unless want_hocr) */
	char *alto;        /* ALTO XML page (NULL unless want_alto) */
	double mean_conf;  /* mean word confidence 0..100, -1 when no words */
	int words;         /* number of words */
	int lines_retried;  /* lines read again (line_retry) or with a word read again (retry_circumflex) */
	int lines_replaced; /* of those, lines whose new reading was kept in text */
	int lines_patched;  /* of those, lines whose words were put in the hOCR too */
	int checked, valid; /* words judged as Vietnamese syllables, and those valid */
	int chars;          /* letters and digits in text */
	double xheight;     /* the page's x-height in px as measured on the image (0 = not found) */
	double page_conf;   /* 0..100: mean word confidence times the share of valid syllables, capped
	                       for a page with a handful of words; what the stage records */
	double score;       /* what the readings were compared by: the sum over valid words of conf/100 */
	int readings;       /* how many readings of the page were made */
	int corrected;      /* words the correction step changed */
	int doubtful;       /* words the word pairs doubt and did not correct (viet_doubtful()) */
	double pitch_spread; /* how far the width per letter spreads over words (-1: too few words) */
	int turned;         /* 180 when the page read better turned round (the text layer is of that image) */
	char reading[48];   /* the reading kept, e.g. "sauvola", "otsu", "enlarged 3.0x otsu" */
	char why[640];      /* why: the readings and their scores */
	char review[160];   /* a reason to review the page's text, "" when none */
};

/* Load the model; NULL with err set when Tesseract cannot initialise it.
 * Sets OMP_THREAD_LIMIT=1 unless already set, so that Tesseract uses one
 * thread: parallelism comes from worker processes. */
struct ocr_engine *ocr_engine_new(const struct ocr_opts *opts, struct errbuf *err);
void ocr_engine_free(struct ocr_engine *e);

/* Recognize one page image at `dpi` (0 = unknown); fills res (release it
 * with ocr_result_release even on failure).  Returns 0 or -1 with err set. */
int ocr_engine_page(struct ocr_engine *e, struct Pix *pix, int dpi, struct ocr_result *res, struct errbuf *err);
void ocr_result_release(struct ocr_result *res);

/* NFC-normalize a UTF-8 string into a new string (caller frees); invalid
 * UTF-8 makes it return NULL. */
char *ocr_nfc(const char *s);

/* The x-height of the text on pix in pixels, from the heights of its ink's
 * connected components (the most frequent letter height); 0 when there is
 * too little ink to say. */
double ocr_xheight(struct Pix *pix);

/* Scale every geometry number of an hOCR (bbox, baseline offset, x_size,
 * x_ascenders, x_descenders) or ALTO (HPOS, VPOS, WIDTH, HEIGHT) text by f,
 * in place (*doc is replaced): a page read enlarged keeps the page's
 * geometry in its text layer. */
void ocr_scale_geometry(char **doc, bool alto, double f);

/* Mean of the x_wconf values of the ocrx_word elements of an hOCR text,
 * -1 when there are none (used to check what the page records). */
double ocr_hocr_mean_conf(const char *hocr, int *nwords);

#endif
