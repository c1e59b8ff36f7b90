/*
 * ocr.c - the ocr stage: Vietnamese text of a page with Tesseract.
 *
 * The worker loads the model once in init() and recognizes one page per
 * run() on one thread (see ocr_one_thread(): Debian's libtesseract is built
 * with OpenMP, and N workers times the OpenMP team would oversubscribe the
 * cores).  Per page it writes
 *   text.txt        UTF-8 NFC, lines by \n, paragraphs by a blank line
 *   page.hocr       hOCR with per-word confidences (x_wconf)
 *   page.alto.xml   ALTO
 * under the page's derived folder and records their paths, the mean word
 * confidence, and review=1 with a note when that is under
 * ocr.min_confidence (or when no text was found on a non-blank page).
 * Blank pages are skipped with an event only.
 *
 * Circumflex retry: Tesseract's page mode drops the tone mark over a
 * circumflex (khẩu read as khâu; the mark sits above the box the word is cut
 * from), while the same word read alone with room above keeps it.  So a
 * word with a toneless circumflex vowel (ocr.retry_circumflex) that has ink
 * just above that vowel on the page's binarized image is cut out and read
 * again (PSM 8); the new reading is kept only when it differs from the old
 * one by tone marks on circumflex vowels alone.  The numbers of a date
 * ("ngày 22 tháng 8 năm 2023") are read again the same way: an italic 3
 * read as 5 at confidence 96 on the page is a 3 read alone; the new
 * reading is kept when it has as many digits and a confidence at most
 * ocr.retry_margin lower (a 22 read alone as 55 at 19 is not).  At most
 * OCR_MAX_WORD_RETRIES words are read again per page.  Lines under
 * ocr.line_retry confidence (off by default) are read again whole; that
 * reading is kept unless its confidence is more than ocr.retry_margin lower.
 * Changed words are put in the hOCR and ALTO by their boxes, so the PDF text
 * layer says what text.txt says (a line re-read whole with another number
 * of words changes text.txt only).  Measured with tests/tools/ocreval
 * (Sauvola, one thread): congbao pages CER 2.02 % -> 0.63 % for about 5 %
 * more CPU time; dev pages unchanged (0.30 %), no slower.
 *
 * Low contrast: under Sauvola a page whose ink and paper are closer than
 * Sauvola's dynamic range (yellowed paper, pale ink, a pale stamp) is
 * stretched for reading (ocr_stretch()); congbao degraded copies CER
 * 2.80 % -> 1.88 %, other pages unchanged.
 *
 * Readings (issue 10: never worse than plain Tesseract on real scans).
 * The page is first read as before (Sauvola, stretched when pale).  When
 * the text is small (the x-height measured on the image, ocr_xheight(),
 * under ocr.upscale_xheight px: real scans are tagged 72 or 96 dpi, or not
 * at all) it is also read enlarged to about 24 px x-height on grey with
 * Otsu, at the resolution that x-height implies, and the hOCR and ALTO are
 * scaled back to the page's geometry.  A small page (short side under
 * OCR_SMALL_PAGE px) that still reads poorly is also read enlarged to a
 * short side of about OCR_SMALL_PAGE_TARGET px, whatever its x-height
 * measured (on a blurred page letters merge into words and the measure is
 * that of words).  When the best reading so far has a
 * page confidence under ocr.reread_below, it is read as plain Tesseract
 * reads it (Otsu, no stretch).  A page still under OCR_TURN_BELOW is read
 * turned round as well (the orient stage's ascender count is fooled by
 * small or blurred text, and by typewriter faces); when that reads clearly
 * better, the access copy is turned 180 degrees and the orient recorded
 * turned with it, so that the text layer fits the image.  Last, when the
 * reading kept is still under ocr.reread_below, its image is read with
 * ocr.alt_lang (default vie+Vietnamese, Debian's script model beside vie).
 * The reading kept is the one with the highest sum of word confidences
 * over the words that are Vietnamese syllables (archive/viet:
 * hunspell-vi), a measure that needs no ground truth: a reading that loses
 * a block, or turns paper into letter soup, scores less.  The event names
 * the reading kept and the scores of all, with the words the word pairs
 * doubt (viet_doubtful()).  A clean page reads once, as before.
 * Page confidence: mean word confidence times the share of Vietnamese
 * syllables; at most 30 when only a handful of words or letters were read;
 * such a page, one with no text, and one whose words are mostly not
 * Vietnamese go to review with the reason.
 *
 * Correction step (ocr.pairs): a word whose reading never stands beside
 * its neighbours in the word-pair table (config/viet-bigrams.tsv, counted
 * in public-domain legal text) while a reading that differs only by the
 * tone mark of a circumflex or breve vowel, or by l read as t, stands there
 * VIET_SURE times or more is corrected (kiếm tra -> kiểm tra, Tống kết ->
 * Tổng kết), in the text, hOCR and ALTO (archive/viet.c).  Measured on 4
 * real-like pages (mkpages.py --real, typewriter and others; ocreval):
 * CER 1.70 -> 1.40 % and 1.20 -> 1.00 % on the two legible ones, no page
 * worse.
 *
 * Invariants: run() only writes files under the page's folder with
 * fsio_write_atomic(), so repeating it is harmless.
 * Error policy: an access copy that cannot be read is STAGE_RETRY (capture
 * wrote it: the cause is the file system) and a page with none STAGE_BAD;
 * a failing write or a Tesseract failure is STAGE_RETRY; a model that does
 * not load is fatal for the worker (init returns -1).
 */
#include "ocr.h"

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/config.h"
#include "engine/fsio.h"
#include "formats/image/pageimg.h"
#include "archive/viet.h"
#include "engine/stage.h"

struct ocr_engine {
	TessBaseAPI *api;
	TessBaseAPI *alt;      /* opts.alt_lang, loaded when first needed */
	TessBaseAPI *cur;      /* the one the reading in progress uses */
	bool alt_failed;       /* ... and not tried again when it did not load */
	struct ocr_opts opts;
	char *lang, *alt_lang;
	struct viet *viet;     /* NULL: no dictionary, every word counts as valid */
	bool pairs;            /* word pairs loaded: the correction step is on */
};

void ocr_opts_default(struct ocr_opts *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->lang = "vie";
	opts->psm = PSM_AUTO;
	opts->thresholding = 2;
	opts->line_retry = 0;
	opts->retry_circumflex = true;
	opts->retry_margin = 3;
	opts->want_hocr = true;
	opts->want_alto = true;
	opts->dict = VIET_DICT_DEFAULT;
	opts->reread_below = 80;
	opts->upscale_xheight = 14;
	opts->alt_lang = OCR_ALT_LANG_DEFAULT;
	opts->columns = true;
}

char *ocr_nfc(const char *s)
{
	size_t n = 0;
	uint8_t *r;
	char *out;
	if (u8_check((const uint8_t *)s, strlen(s)))
		return NULL;
	r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &n);
	if (!r)
		return NULL;
	out = xstrndup((const char *)r, n);
	free(r);
	return out;
}

/* Set "name=value name=value" variables. */
static int set_vars(TessBaseAPI *api, const char *vars, struct errbuf *err)
{
	char *copy = xstrdup(vars), *save = NULL, *tok;
	int rc = 0;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = err_set(err, "bad Tesseract variable '%s': expected name=value", tok);
			break;
		}
		*eq = '\0';
		if (!TessBaseAPISetVariable(api, tok, eq + 1)) {
			rc = err_set(err, "cannot set Tesseract variable '%s'", tok);
			break;
		}
	}
	free(copy);
	return rc;
}

/*
 * One thread.  libgomp (Debian's libtesseract is built with OpenMP) reads
 * OMP_THREAD_LIMIT once, in its constructor, which runs when the program is
 * loaded, before main(): a setenv() here comes too late (measured: the
 * engine then ran two threads and used 2.5x the CPU time of one).  So the
 * limit is set through the OpenMP API instead: with max-active-levels 0
 * every parallel region runs on the thread that meets it.  The function is
 * looked up at run time (libgomp is loaded with libtesseract; sohoa does not
 * link it itself); a Tesseract without OpenMP has nothing to limit.  An
 * OMP_THREAD_LIMIT set by the user is left to OpenMP.
 */
static void ocr_one_thread(void)
{
	void (*set_levels)(int);
	if (getenv("OMP_THREAD_LIMIT"))
		return;
	*(void **)&set_levels = dlsym(RTLD_DEFAULT, "omp_set_max_active_levels");
	if (set_levels)
		set_levels(0);
	/* For the programs this process may start. */
	setenv("OMP_THREAD_LIMIT", "1", 0);
}

/* A Tesseract instance for `lang` with the engine's settings; NULL with
 * err set. */
static TessBaseAPI *ocr_api_new(const struct ocr_opts *opts, const char *lang, struct errbuf *err)
{
	TessBaseAPI *api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, opts->datapath, lang) != 0) {
		err_set(err, "cannot load Tesseract model '%s'", lang);
		goto fail;
	}
	/* Tesseract's progress chatter ("Detected 118 diacritics") would fill
	 * the supervisor's log; sohoa reports what went wrong itself. */
	TessBaseAPISetVariable(api, "debug_file", "/dev/null");
	if (opts->thresholding) {
		char v[16];
		snprintf(v, sizeof v, "%d", opts->thresholding);
		if (!TessBaseAPISetVariable(api, "thresholding_method", v)) {
			err_set(err, "cannot set Tesseract variable 'thresholding_method'");
			goto fail;
		}
	}
	if (opts->vars && set_vars(api, opts->vars, err) < 0)
		goto fail;
	TessBaseAPISetPageSegMode(api, (TessPageSegMode)opts->psm);
	return api;
fail:
	TessBaseAPIEnd(api);
	TessBaseAPIDelete(api);
	return NULL;
}

struct ocr_engine *ocr_engine_new(const struct ocr_opts *opts, struct errbuf *err)
{
	struct ocr_engine *e = xcalloc(1, sizeof *e);
	ocr_one_thread();
	e->opts = *opts;
	e->lang = xstrdup(opts->lang);
	e->opts.lang = e->lang;
	e->opts.datapath = NULL;
	e->api = ocr_api_new(opts, e->lang, err);
	if (!e->api) {
		ocr_engine_free(e);
		return NULL;
	}
	e->alt_lang = opts->alt_lang && *opts->alt_lang ? xstrdup(opts->alt_lang) : NULL;
	e->opts.alt_lang = e->alt_lang;
	e->opts.vars = NULL;
	e->opts.dict = NULL;
	if (opts->dict && *opts->dict) {
		struct errbuf derr;
		err_init(&derr);
		/* Without it readings are compared by confidence alone. */
		e->viet = viet_open(opts->dict, &derr);
		if (!e->viet)
			fprintf(stderr, "sohoa: ocr: %s; readings compared by confidence alone\n", derr.msg);
	}
	if (e->viet && opts->pairs && *opts->pairs) {
		struct errbuf perr;
		err_init(&perr);
		if (viet_load_pairs(e->viet, opts->pairs, &perr) > 0)
			e->pairs = true;
		else
			fprintf(stderr, "sohoa: ocr: %s; no correction step\n", perr.msg);
	}
	e->opts.pairs = NULL;
	return e;
}

void ocr_engine_free(struct ocr_engine *e)
{
	if (!e)
		return;
	if (e->api) {
		TessBaseAPIEnd(e->api);
		TessBaseAPIDelete(e->api);
	}
	if (e->alt) {
		TessBaseAPIEnd(e->alt);
		TessBaseAPIDelete(e->alt);
	}
	viet_free(e->viet);
	free(e->lang);
	free(e->alt_lang);
	free(e);
}

void ocr_result_release(struct ocr_result *res)
{
	free(res->text);
	free(res->hocr);
	free(res->alto);
	memset(res, 0, sizeof *res);
}

/* Copy a Tesseract string into our allocator. */
static char *tess_take(char *t)
{
	char *s;
	if (!t)
		return NULL;
	s = xstrdup(t);
	TessDeleteText(t);
	return s;
}

struct word {
	char *text;        /* as read on the page, then possibly as re-read */
	int l, t, r, b;    /* its box, as the hOCR and ALTO renderers write it */
	bool suspect;      /* has a toneless circumflex with ink above it */
	bool date_number;  /* digits after ngày, tháng or năm */
	float conf;        /* Tesseract's word confidence */
};

struct line {
	char *text;        /* a line re-read as a whole (ocr.line_retry), else NULL */
	bool para;         /* first line of a paragraph */
	float conf;
	int l, t, r, b;
	struct word *words;
	size_t nwords;
};

/* true when word is the number of a date ("ngày 22 tháng 8 năm 2023": 1
 * to 4 digits) and prev the word before it. */
static bool date_number(const char *prev, const char *word)
{
	size_t n = strlen(word);
	return n >= 1 && n <= 4 && strspn(word, "0123456789") == n &&
	       (!strcmp(prev, "ngày") || !strcmp(prev, "tháng") || !strcmp(prev, "năm"));
}

/* true when the text has a circumflex vowel without a tone mark (â ê ô):
 * the reading Tesseract's page mode gets wrong most (khẩu read as khâu). */
static bool bare_circumflex(const char *s)
{
	static const char *const v[] = { "\xc3\xa2", "\xc3\xaa", "\xc3\xb4", "\xc3\x82", "\xc3\x8a", "\xc3\x94" };
	size_t i;
	for (i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strstr(s, v[i]))
			return true;
	return false;
}

/*
 * The word with the tone marks of its circumflex vowels removed (ấ ầ ẩ ẫ ậ
 * -> â, and the same for ê and ô, both cases), NFC; NULL for invalid UTF-8.
 * A re-read word is kept only when this is what the page reading said: the
 * re-read may add a lost tone mark and change nothing else.
 */
static char *circumflex_skeleton(const char *s)
{
	char *nfc = ocr_nfc(s);
	const uint8_t *p;
	struct strbuf sb;
	size_t len, i = 0;
	if (!nfc)
		return NULL;
	p = (const uint8_t *)nfc;
	len = strlen(nfc);
	sb_init(&sb, 0);
	while (i < len) {
		ucs4_t c;
		uint8_t buf[6];
		int k = u8_mbtouc(&c, p + i, len - i), m;
		if ((c >= 0x1EA4 && c <= 0x1EAD) || (c >= 0x1EBE && c <= 0x1EC7) || (c >= 0x1ED0 && c <= 0x1ED9)) {
			ucs4_t base = c <= 0x1EAD ? 0xC2 : c <= 0x1EC7 ? 0xCA : 0xD4;
			c = (c & 1) ? base + 0x20 : base;
		}
		m = u8_uctomb(buf, c, sizeof buf);
		if (m > 0)
			sb_add(&sb, buf, (size_t)m);
		i += (size_t)k;
	}
	free(nfc);
	return sb_detach(&sb);
}

/*
 * Read the box (l t r b) of the page image again on its own with `psm`,
 * with extra room above: the tone mark over a circumflex sits above the box
 * the page reading cut the word or line from.  Returns the text (trailing
 * white space removed) and its confidence, or NULL.
 */
static char *reread(struct ocr_engine *e, struct Pix *pix, int dpi, const int box[4], int psm, int *conf)
{
	int h = box[3] - box[1], pad = h / 4 + 2, top = h / 2 + 2;
	BOX *bx = boxCreate(box[0] - pad, box[1] - top, box[2] - box[0] + 2 * pad, h + top + pad);
	PIX *cut = pixClipRectangle(pix, bx, NULL);
	char *text = NULL;
	boxDestroy(&bx);
	if (!cut)
		return NULL;
	TessBaseAPISetPageSegMode(e->cur, (TessPageSegMode)psm);
	TessBaseAPISetImage2(e->cur, cut);
	if (dpi > 0)
		TessBaseAPISetSourceResolution(e->cur, dpi);
	if (TessBaseAPIRecognize(e->cur, NULL) == 0) {
		size_t n;
		*conf = TessBaseAPIMeanTextConf(e->cur);
		text = tess_take(TessBaseAPIGetUTF8Text(e->cur));
		for (n = text ? strlen(text) : 0; n > 0 && strchr(" \t\n", text[n - 1]); n--)
			text[n - 1] = '\0';
	}
	TessBaseAPISetPageSegMode(e->cur, (TessPageSegMode)e->opts.psm);
	pixDestroy(&cut);
	return text;
}

/* Split a line of text into words (spaces); returns the count. */
static size_t split_words(const char *text, char ***words)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	size_t n = 0;
	*words = NULL;
	for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		*words = xrealloc(*words, (n + 1) * sizeof **words);
		(*words)[n++] = xstrdup(tok);
	}
	free(copy);
	return n;
}

static void free_words(char **w, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/*
 * Put a re-read word into the hOCR or ALTO text *doc, so that the PDF text
 * layer says what text.txt says.  The word's element is found by its box
 * (hOCR "bbox l t r b; x_wconf", ALTO "HPOS=.. VPOS=.. WIDTH=.. HEIGHT=..":
 * the renderers write the iterator's word box); its content runs from
 * `open` to `close`.  Returns false when the element is not found.
 */
static bool patch_word(char **doc, bool alto, const struct word *w)
{
	char key[128];
	const char *open = alto ? "CONTENT=\"" : ">", *close = alto ? "\"" : "</span>";
	const char *at, *s, *end;
	struct strbuf sb;
	if (alto)
		snprintf(key, sizeof key, "HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" HEIGHT=\"%d\" ", w->l, w->t, w->r - w->l, w->b - w->t);
	else
		snprintf(key, sizeof key, "bbox %d %d %d %d; x_wconf", w->l, w->t, w->r, w->b);
	at = strstr(*doc, key);
	s = at ? strstr(at, open) : NULL;
	end = s ? strstr(s + strlen(open), close) : NULL;
	if (!end)
		return false;
	s += strlen(open);
	sb_init(&sb, 0);
	sb_add(&sb, *doc, (size_t)(s - *doc));
	sb_add_xml(&sb, w->text);
	sb_adds(&sb, end);
	free(*doc);
	*doc = sb_detach(&sb);
	return true;
}

/* Patch the changed words of a line into the hOCR and ALTO; returns true
 * when the hOCR has them all. */
static bool patch_words(struct ocr_result *res, const struct word *w, const bool *changed, size_t n)
{
	bool all = true;
	size_t i;
	for (i = 0; i < n; i++) {
		if (!changed[i])
			continue;
		if (res->hocr && !patch_word(&res->hocr, false, &w[i]))
			all = false;
		if (res->alto)
			patch_word(&res->alto, true, &w[i]);
	}
	return all && res->hocr;
}

/*
 * true when the binarized page has ink just above one of the word's
 * toneless circumflex vowels: the tone mark the page reading lost.  Most
 * toneless circumflexes are right (không, công, liên), and this check keeps
 * them from being read again.  The symbol boxes of Tesseract's LSTM
 * reading span the word's height, so the place looked at is above the word,
 * over the vowel.  `ri` is at the word.
 */
static bool ink_above_circumflex(TessResultIterator *ri, struct Pix *bin)
{
	TessResultIterator *s = TessResultIteratorCopy(ri);
	TessPageIterator *pi = TessResultIteratorGetPageIterator(s);
	bool found = false;
	do {
		char *sym = TessResultIteratorGetUTF8Text(s, RIL_SYMBOL);
		int l, t, r, b;
		if (sym && bare_circumflex(sym) && TessPageIteratorBoundingBox(pi, RIL_SYMBOL, &l, &t, &r, &b)) {
			int w = r - l, h = b - t, count = 0;
			BOX *box = boxCreate(l - w / 4, t - (2 * h) / 3, w + w / 4 + w / 3, (2 * h) / 3);
			if (box && pixCountPixelsInRect(bin, box, &count, NULL) == 0 && count >= h * h / 128 + 1)
				found = true;
			boxDestroy(&box);
		}
		TessDeleteText(sym);
	} while (!found && !TessPageIteratorIsAtFinalElement(pi, RIL_WORD, RIL_SYMBOL) && TessPageIteratorNext(pi, RIL_SYMBOL));
	TessResultIteratorDelete(s);
	return found;
}

/* The lines of the page reading with their words; *n gets the count. */
static struct line *page_lines(struct ocr_engine *e, size_t *n)
{
	TessResultIterator *ri = TessBaseAPIGetIterator(e->cur);
	TessPageIterator *pi;
	struct Pix *bin = NULL;
	struct line *lines = NULL, *ln = NULL;
	size_t alloc = 0;
	*n = 0;
	if (!ri)
		return NULL;
	if (e->opts.retry_circumflex)
		bin = TessBaseAPIGetThresholdedImage(e->cur);
	pi = TessResultIteratorGetPageIterator(ri);
	do {
		char *t = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
		struct word *w;
		if (!t)
			continue;
		if (!ln || TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE)) {
			if (*n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				lines = xrealloc(lines, alloc * sizeof *lines);
			}
			ln = &lines[(*n)++];
			memset(ln, 0, sizeof *ln);
			ln->para = TessPageIteratorIsAtBeginningOf(pi, RIL_PARA);
			ln->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
			TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &ln->l, &ln->t, &ln->r, &ln->b);
		}
		ln->words = xrealloc(ln->words, (ln->nwords + 1) * sizeof *ln->words);
		w = &ln->words[ln->nwords++];
		w->text = tess_take(t);
		w->conf = TessResultIteratorConfidence(ri, RIL_WORD);
		TessPageIteratorBoundingBox(pi, RIL_WORD, &w->l, &w->t, &w->r, &w->b);
		/* Without the binarized page every toneless circumflex is suspect. */
		w->suspect = e->opts.retry_circumflex && bare_circumflex(w->text) && (!bin || ink_above_circumflex(ri, bin));
		w->date_number = e->opts.retry_circumflex && ln->nwords > 1 && date_number(ln->words[ln->nwords - 2].text, w->text);
	} while (TessResultIteratorNext(ri, RIL_WORD));
	TessResultIteratorDelete(ri);
	pixDestroy(&bin);
	return lines;
}

/* Read a low-confidence line again as a whole (ocr.line_retry); its new
 * words replace the old ones in the hOCR and ALTO when they are as many. */
static void retry_line(struct ocr_engine *e, struct Pix *pix, int dpi, struct line *ln, struct ocr_result *res)
{
	const int box[4] = { ln->l, ln->t, ln->r, ln->b };
	char *text, **w;
	int conf = 0;
	size_t n, i;
	res->lines_retried++;
	text = reread(e, pix, dpi, box, PSM_SINGLE_LINE, &conf);
	if (!text || conf < ln->conf - e->opts.retry_margin) {
		free(text);
		return;
	}
	ln->text = xasprintf("%s\n", text);
	free(text);
	res->lines_replaced++;
	n = split_words(ln->text, &w);
	if (n > 0 && n == ln->nwords) {
		bool *changed = xcalloc(n, sizeof *changed);
		for (i = 0; i < n; i++) {
			changed[i] = strcmp(w[i], ln->words[i].text) != 0;
			free(ln->words[i].text);
			ln->words[i].text = w[i];
			w[i] = NULL;
		}
		if (patch_words(res, ln->words, changed, n))
			res->lines_patched++;
		free(changed);
	}
	free_words(w, n);
}

/* Read a line's suspect words again one by one (ocr.retry_circumflex);
 * `*budget` counts down the re-reads left for the page. */
static void retry_words(struct ocr_engine *e, struct Pix *pix, int dpi, struct line *ln, struct ocr_result *res, int *budget)
{
	bool *changed = xcalloc(ln->nwords, sizeof *changed), any = false, tried = false;
	size_t i;
	for (i = 0; i < ln->nwords && *budget > 0; i++) {
		struct word *w = &ln->words[i];
		const int box[4] = { w->l, w->t, w->r, w->b };
		char *text;
		int conf = 0;
		bool ok;
		if (!w->suspect && !w->date_number)
			continue;
		(*budget)--;
		tried = true;
		text = reread(e, pix, dpi, box, PSM_SINGLE_WORD, &conf);
		if (w->date_number) {
			/* as many digits, nearly as sure */
			ok = text && strlen(text) == strlen(w->text) && strspn(text, "0123456789") == strlen(text) &&
			     conf >= w->conf - e->opts.retry_margin;
		} else {
			char *had = circumflex_skeleton(w->text), *got = text ? circumflex_skeleton(text) : NULL;
			ok = had && got && !strcmp(had, got);
			free(had);
			free(got);
		}
		if (ok && strcmp(text, w->text)) {
			free(w->text);
			w->text = text;
			text = NULL;
			changed[i] = any = true;
		}
		free(text);
	}
	if (tried)
		res->lines_retried++;
	if (any) {
		res->lines_replaced++;
		if (patch_words(res, ln->words, changed, ln->nwords))
			res->lines_patched++;
	}
	free(changed);
}

/* At most this many words are read again per page (a word costs about
 * 5 ms): a page full of specks above its circumflexes costs little more.
 * The congbao pages need 7 to 20. */
#define OCR_MAX_WORD_RETRIES 60
/* Pages whose paper and ink are closer than Sauvola's R are stretched. */
#define OCR_STRETCH_BELOW 128

/*
 * Sauvola's threshold, m * (1 + k * (s / R - 1)) with Tesseract's R = 128,
 * assumes ink and paper about a full grey range apart: on a low-contrast
 * page (yellowed, faded, a pale stamp) the threshold falls under the pale
 * strokes and drops them.  Such a page is stretched for reading so that
 * its ink (the 2 % darkest: a page of text has more) is black and its
 * paper (the 90 % rank) white.  Returns a new reference: the stretched
 * copy, or pix itself.
 */
static PIX *ocr_stretch(const struct ocr_engine *e, PIX *pix)
{
	l_uint32 ink = 0, paper = 255;
	PIX *grey, *out;
	int d = pixGetDepth(pix);
	if (e->opts.thresholding != 2 || (d != 8 && d != 32) || pixGetColormap(pix))
		return pixClone(pix);
	grey = d == 8 ? pixClone(pix) : pageimg_grey(pix);
	if (grey) {
		/* uneven paper: Sauvola's window sees the dark side's paper as
		 * ink-like grey; read the page made even instead */
		PIX *even = pageimg_even(grey);
		if (even) {
			pixDestroy(&grey);
			return even;
		}
	}
	if (!grey || pixGetRankValue(grey, 4, 0.02f, &ink) || pixGetRankValue(grey, 4, 0.9f, &paper) ||
	    (int)paper - (int)ink >= OCR_STRETCH_BELOW || paper <= ink + 16) {
		pixDestroy(&grey);
		return pixClone(pix);
	}
	out = pixGammaTRC(NULL, grey, 1.0f, (l_int32)ink, (l_int32)paper);
	pixDestroy(&grey);
	return out ? out : pixClone(pix);
}

/*
 * Reading order of side-by-side blocks.  Tesseract's page mode often reads
 * the two-column header of an administrative letter (issuer | national
 * motto; Nơi nhận | signature) across, one row at a time, or one column's
 * line between the other's.  A reader, and the archive's transcriptions,
 * take the left block and then the right one.  So the lines are put into
 * rows by their height on the page (lines side by side make one row); a
 * run of rows that all leave a common gap of OCR_COLUMN_GAP line heights
 * free, at least two of them with words on both sides, is written left
 * side first, then right side, where its first line stood; every other
 * line as Tesseract wrote it, in its order.
 */
#define OCR_COLUMN_GAP 3

struct ocr_row {
	int t, b, h;              /* vertical extent; a line's height */
	bool para;
	const struct word **w;    /* its words, left to right */
	size_t n;
	const struct line **ln;   /* its lines, in Tesseract's order */
	size_t nl;
	int g0, g1;               /* its widest gap between words (g0 = g1 = 0: none) */
};

static int ocr_line_cmp(const void *a, const void *b)
{
	const struct line *x = *(const struct line *const *)a, *y = *(const struct line *const *)b;
	return (x->t + x->b) - (y->t + y->b);
}

static int ocr_word_cmp(const void *a, const void *b)
{
	const struct word *x = *(const struct word *const *)a, *y = *(const struct word *const *)b;
	return x->l - y->l;
}

static void ocr_row_words(struct strbuf *sb, const struct ocr_row *r, int from, int to)
{
	size_t j;
	bool any = false;
	for (j = 0; j < r->n; j++) {
		int c = (r->w[j]->l + r->w[j]->r) / 2;
		if (c < from || c >= to)
			continue;
		if (any)
			sb_addc(sb, ' ');
		sb_adds(sb, r->w[j]->text);
		any = true;
	}
	if (any)
		sb_addc(sb, '\n');
}

static void ocr_column_text(const struct line *lines, size_t n, struct strbuf *sb)
{
	const struct line **ord = xcalloc(n + 1, sizeof *ord);
	struct ocr_row *rows = xcalloc(n + 1, sizeof *rows);
	struct ocr_run { size_t from, to; int mid; bool done; } *runs = NULL;
	size_t nr = 0, nruns = 0, i, j, k;
	int *run;
	for (i = 0; i < n; i++)
		ord[i] = &lines[i];
	qsort(ord, n, sizeof *ord, ocr_line_cmp);
	for (i = 0; i < n; i++) {
		const struct line *ln = ord[i];
		struct ocr_row *r = nr ? &rows[nr - 1] : NULL;
		int h = ln->b - ln->t;
		if (ln->nwords == 0)
			continue;
		/* side by side: each one's centre within the other's extent (the
		 * row's first line), of like height; a tall line (a signature
		 * block's seal) does not swallow the small lines beside it */
		if (!r || (ln->t + ln->b) / 2 > r->b || (ln->t + ln->b) / 2 < r->t || (r->t + r->b) / 2 < ln->t ||
		    (r->t + r->b) / 2 > ln->b || h > 2 * r->h || 2 * h < r->h) {
			r = &rows[nr++];
			r->t = ln->t;
			r->b = ln->b;
			r->h = h;
			r->para = ln->para;
		} else if (h < r->h) {
			r->h = h;
		}
		r->w = xrealloc(r->w, (r->n + ln->nwords) * sizeof *r->w);
		for (j = 0; j < ln->nwords; j++)
			r->w[r->n++] = &ln->words[j];
		r->ln = xrealloc(r->ln, (r->nl + 1) * sizeof *r->ln);
		r->ln[r->nl++] = ln;
	}
	for (i = 0; i < nr; i++) {
		struct ocr_row *r = &rows[i];
		qsort(r->w, r->n, sizeof *r->w, ocr_word_cmp);
		for (j = 1; j < r->n; j++) {
			int g = r->w[j]->l - r->w[j - 1]->r;
			if (g > r->g1 - r->g0 && g > OCR_COLUMN_GAP * r->h) {
				r->g0 = r->w[j - 1]->r;
				r->g1 = r->w[j]->l;
			}
		}
	}
	run = xcalloc(n + 1, sizeof *run);
	for (i = 0; i < nr;) {
		/* A run starts at a row with a gap and goes on while the rows
		 * leave part of that gap free. */
		int g0 = rows[i].g0, g1 = rows[i].g1, split = 0;
		size_t end = i + 1;
		if (g1 > g0) {
			split = 1;
			for (; end < nr; end++) {
				const struct ocr_row *r = &rows[end];
				int l = r->w[0]->l, rr = r->w[r->n - 1]->r, a = g0, b = g1;
				if (r->g1 > r->g0 && r->g0 < g1 && r->g1 > g0) {
					a = r->g0 > g0 ? r->g0 : g0; /* both sides */
					b = r->g1 < g1 ? r->g1 : g1;
					split++;
				} else if (rr < g1) {
					a = rr > g0 ? rr : g0;       /* the left side only */
				} else if (l > g0) {
					b = l < g1 ? l : g1;         /* the right side only */
				} else {
					break;                       /* across the gap */
				}
				if (b - a < r->h)
					break;
				g0 = a;
				g1 = b;
			}
		}
		if (split < 2) {
			i++;
			continue;
		}
		runs = xrealloc(runs, (nruns + 1) * sizeof *runs);
		runs[nruns].from = i;
		runs[nruns].to = end;
		runs[nruns].mid = (g0 + g1) / 2;
		runs[nruns].done = false;
		nruns++;
		for (k = i; k < end; k++)
			for (j = 0; j < rows[k].nl; j++)
				run[rows[k].ln[j] - lines] = (int)nruns; /* run number + 1 */
		i = end;
	}
	/* Lines in Tesseract's order; a run in place of its first line. */
	for (i = 0; i < n; i++) {
		const struct line *ln = &lines[i];
		if (run[i] > 0) {
			struct ocr_run *ru = &runs[run[i] - 1];
			if (ru->done)
				continue;
			ru->done = true;
			if (sb->len)
				sb_addc(sb, '\n');
			for (k = ru->from; k < ru->to; k++)
				ocr_row_words(sb, &rows[k], INT_MIN, ru->mid);
			sb_addc(sb, '\n');
			for (k = ru->from; k < ru->to; k++)
				ocr_row_words(sb, &rows[k], ru->mid, INT_MAX);
			continue;
		}
		if (ln->para && sb->len)
			sb_addc(sb, '\n');
		for (j = 0; j < ln->nwords; j++) {
			sb_adds(sb, ln->words[j].text);
			sb_addc(sb, j + 1 < ln->nwords ? ' ' : '\n');
		}
	}
	free(run);
	free(runs);
	for (i = 0; i < nr; i++) {
		free(rows[i].w);
		free(rows[i].ln);
	}
	free(rows);
	free(ord);
}

/* Under this spread of the width per letter (ocr_pitch_spread()) a page
 * is in a typewriter face, which the second model reads better whatever
 * the confidence (mkpages.py --real typewriter pages, plain engine: p001
 * 1.40 -> 0.64 %, p005 0.87 -> 0.60 %, p012 4.25 -> 2.32 % CER). */
#define OCR_MONO_SPREAD 0.03

static bool ocr_monospace(const struct ocr_result *res)
{
	return res->pitch_spread >= 0 && res->pitch_spread < OCR_MONO_SPREAD;
}

/* The correction step (archive/viet.c, ocr.pairs): words whose reading
 * never stands beside its neighbours where a tone-mark or l/t variant
 * often does, and, on a page in a typewriter face, a capital L inside a
 * sentence where the text has the word small (viet_decap(); on pages in
 * other faces such capitals were right: "vào Lưu trữ cơ quan"); changed
 * words are patched into the hOCR and ALTO. */
static void ocr_correct_line(struct ocr_engine *e, struct line *ln, struct ocr_result *res)
{
	bool *changed = xcalloc(ln->nwords + 1, sizeof *changed), any = false;
	size_t j;
	for (j = 0; j < ln->nwords; j++) {
		char *fix = viet_correct(e->viet, j ? ln->words[j - 1].text : NULL, ln->words[j].text,
		                         j + 1 < ln->nwords ? ln->words[j + 1].text : NULL);
		if (!fix && j && ocr_monospace(res))
			fix = viet_decap(e->viet, j > 1 ? ln->words[j - 2].text : NULL, ln->words[j - 1].text, ln->words[j].text);
		if (!fix)
			continue;
		free(ln->words[j].text);
		ln->words[j].text = fix;
		changed[j] = any = true;
		res->corrected++;
	}
	/* What the pairs doubt and could not settle, for the record (the
	 * event): on the pages measured it never told a reading worth another
	 * model's from one that was not. */
	for (j = 0; j < ln->nwords; j++)
		if (!changed[j] && viet_doubtful(e->viet, j ? ln->words[j - 1].text : NULL, ln->words[j].text,
		                                 j + 1 < ln->nwords ? ln->words[j + 1].text : NULL))
			res->doubtful++;
	if (any)
		patch_words(res, ln->words, changed, ln->nwords);
	free(changed);
}

/* Thresholding methods of a reading. */
#define OCR_SAUVOLA 2
#define OCR_OTSU 0

/* Letters and digits of a UTF-8 text (not spaces or punctuation). */
static int ocr_count_chars(const char *s)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
	int n = 0;
	while (p < end) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, end - p);
		if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
			n++;
		p += k > 0 ? k : 1;
	}
	return n;
}

static int ocr_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* How far the width per letter of a page's words spreads: the median
 * absolute deviation over the median, over words of four letters or more
 * read at confidence 80 or more; -1 under OCR_PITCH_WORDS such words.  A
 * typewriter face has one pitch (6 mkpages.py --real typewriter pages:
 * 0.008-0.022), a proportional face does not (mkadmin pages 0.073-0.150,
 * real scans 0.048 and more). */
#define OCR_PITCH_WORDS 20
static double ocr_pitch_spread(const struct line *lines, size_t nlines)
{
	double *p = NULL, med, *dev, spread;
	size_t n = 0, cap = 0, i, j;
	for (i = 0; i < nlines; i++)
		for (j = 0; j < lines[i].nwords; j++) {
			const struct word *w = &lines[i].words[j];
			const uint8_t *s = (const uint8_t *)w->text, *end = s + strlen(w->text);
			int letters = 0;
			bool all = true;
			while (s < end) {
				ucs4_t c;
				int k = u8_mbtouc(&c, s, end - s);
				if (uc_is_alpha(c) || (c >= 0x300 && c < 0x370))
					letters += !(c >= 0x300 && c < 0x370);
				else
					all = false;
				s += k > 0 ? k : 1;
			}
			if (!all || letters < 4 || w->conf < 80 || w->r <= w->l)
				continue;
			if (n == cap)
				p = xrealloc(p, (cap = cap ? 2 * cap : 256) * sizeof *p);
			p[n++] = (double)(w->r - w->l) / letters;
		}
	if (n < OCR_PITCH_WORDS) {
		free(p);
		return -1;
	}
	qsort(p, n, sizeof *p, ocr_cmp_double);
	med = p[n / 2];
	dev = xmalloc(n * sizeof *dev);
	for (i = 0; i < n; i++)
		dev[i] = fabs(p[i] - med);
	qsort(dev, n, sizeof *dev, ocr_cmp_double);
	spread = med > 0 ? dev[n / 2] / med : -1;
	free(dev);
	free(p);
	return spread;
}

/*
 * One reading of pix (at dpi, binarized by `thresh`, with e->cur): the
 * page recognition, the circumflex and line re-reads, text, hOCR and ALTO,
 * and the measures readings are compared by.  `stretch` stretches a
 * low-contrast page first (under Sauvola only).
 */
static int ocr_read(struct ocr_engine *e, PIX *page, int dpi, int thresh, struct ocr_result *res, struct errbuf *err)
{
	PIX *pix;
	struct line *lines = NULL;
	size_t nlines = 0, i, j;
	struct strbuf sb;
	int *confs, k, budget = OCR_MAX_WORD_RETRIES;
	long sum = 0;
	int rc = -1, checked = 0, valid = 0;
	double score = 0;
	char v[16];

	memset(res, 0, sizeof *res);
	res->mean_conf = -1;
	sb_init(&sb, 0);
	snprintf(v, sizeof v, "%d", thresh);
	TessBaseAPISetVariable(e->cur, "thresholding_method", v);
	pix = thresh == OCR_SAUVOLA ? ocr_stretch(e, page) : pixClone(page);
	TessBaseAPISetImage2(e->cur, pix);
	if (dpi > 0)
		TessBaseAPISetSourceResolution(e->cur, dpi);
	if (TessBaseAPIRecognize(e->cur, NULL) != 0) {
		err_set(err, "tesseract cannot recognize the page");
		goto out;
	}
	confs = TessBaseAPIAllWordConfidences(e->cur);
	for (k = 0; confs && confs[k] >= 0; k++)
		sum += confs[k];
	res->words = k;
	if (k > 0)
		res->mean_conf = (double)sum / k;
	if (confs)
		TessDeleteIntArray(confs);
	if (e->opts.want_hocr)
		res->hocr = tess_take(TessBaseAPIGetHOCRText(e->cur, 0));
	if (e->opts.want_alto)
		res->alto = tess_take(TessBaseAPIGetAltoText(e->cur, 0));
	lines = page_lines(e, &nlines);
	res->pitch_spread = ocr_pitch_spread(lines, nlines);

	/* Re-reading replaces the engine's page results: all is taken above. */
	for (i = 0; i < nlines; i++) {
		if (e->opts.line_retry > 0 && lines[i].conf < e->opts.line_retry)
			retry_line(e, pix, dpi, &lines[i], res);
		if (!lines[i].text)
			retry_words(e, pix, dpi, &lines[i], res, &budget);
		if (!lines[i].text && e->pairs)
			ocr_correct_line(e, &lines[i], res);
	}
	for (i = 0; i < nlines; i++) {
		if (lines[i].para && sb.len)
			sb_addc(&sb, '\n');
		if (lines[i].text) {
			sb_adds(&sb, lines[i].text);
			continue;
		}
		/* As Tesseract writes a line: words by one space, then \n. */
		for (j = 0; j < lines[i].nwords; j++) {
			const struct word *w = &lines[i].words[j];
			enum viet_kind kind = e->viet ? viet_check(e->viet, w->text) : VIET_VALID;
			sb_adds(&sb, w->text);
			sb_addc(&sb, j + 1 < lines[i].nwords ? ' ' : '\n');
			if (kind == VIET_SKIP || (!e->viet && ocr_count_chars(w->text) == 0))
				continue;
			checked++;
			if (kind == VIET_VALID) {
				valid++;
				score += w->conf / 100.0;
			}
		}
	}
	if (e->opts.columns) {
		bool whole = false;
		for (i = 0; i < nlines; i++)
			whole |= lines[i].text != NULL;
		if (!whole) {
			sb_reset(&sb);
			ocr_column_text(lines, nlines, &sb);
		}
	}
	res->text = ocr_nfc(sb.buf ? sb.buf : "");
	if (!res->text) {
		err_set(err, "tesseract returned invalid UTF-8");
		goto out;
	}
	res->checked = checked;
	res->valid = valid;
	res->score = score;
	res->chars = ocr_count_chars(res->text);
	rc = 0;
out:
	for (i = 0; i < nlines; i++) {
		for (j = 0; j < lines[i].nwords; j++)
			free(lines[i].words[j].text);
		free(lines[i].words);
		free(lines[i].text);
	}
	free(lines);
	sb_release(&sb);
	TessBaseAPIClear(e->cur);
	pixDestroy(&pix);
	return rc;
}

/* Under this many judged words, or letters, a page's text is "a handful":
 * its confidence says little, and the page is reviewed. */
#define OCR_FEW_WORDS 5
#define OCR_FEW_CHARS 30
/* A text with fewer valid syllables than this share is not Vietnamese. */
#define OCR_MIN_VIET 0.5

/* The page confidence and review reason of a reading (see ocr.h). */
static void ocr_judge(const struct ocr_engine *e, struct ocr_result *res)
{
	double share = res->checked ? (double)res->valid / res->checked : (res->words ? 0 : 1);
	res->review[0] = '\0';
	if (res->words == 0) {
		res->page_conf = 0;
		snprintf(res->review, sizeof res->review, "no text found");
		return;
	}
	if (!e->viet)
		share = 1;
	res->page_conf = res->mean_conf * share;
	if (res->checked < OCR_FEW_WORDS || res->chars < OCR_FEW_CHARS) {
		if (res->page_conf > 30)
			res->page_conf = 30;
		snprintf(res->review, sizeof res->review, "only %d words (%d letters) read", res->words, res->chars);
	} else if (share < OCR_MIN_VIET) {
		snprintf(res->review, sizeof res->review, "text does not read as Vietnamese: %d of %d words are Vietnamese syllables", res->valid, res->checked);
	}
}

/* Swap b into a when it is the better reading (a higher score; at a tie
 * the first stays); append b's line to the account `why`. */
static void ocr_keep_best(struct ocr_result *best, struct ocr_result *cand, const char *name, struct strbuf *why)
{
	sb_addf(why, "; %s %.1f (%d/%d valid, %d doubted, conf %.0f)", name, cand->score, cand->valid, cand->checked, cand->doubtful, cand->mean_conf);
	if (cand->score > best->score + 0.5 || (best->words == 0 && cand->words > 0)) {
		struct ocr_result t = *best;
		*best = *cand;
		*cand = t;
		best->readings = cand->readings;
		snprintf(best->reading, sizeof best->reading, "%s", name);
	}
	ocr_result_release(cand);
}

/* A grey copy of pix enlarged by f (linear interpolation). */
static PIX *ocr_enlarge(PIX *pix, double f)
{
	PIX *g = pixGetDepth(pix) == 8 && !pixGetColormap(pix) ? pixClone(pix) : pixConvertTo8(pix, 0), *out;
	if (!g)
		return NULL;
	out = pixScale(g, (float)f, (float)f);
	pixDestroy(&g);
	return out;
}

/* The model of alt_lang, loaded the first time it is wanted. */
static TessBaseAPI *ocr_alt(struct ocr_engine *e)
{
	struct errbuf err;
	if (e->alt || e->alt_failed || !e->alt_lang)
		return e->alt;
	err_init(&err);
	e->alt = ocr_api_new(&e->opts, e->alt_lang, &err);
	if (!e->alt) {
		e->alt_failed = true;
		fprintf(stderr, "sohoa: ocr: %s; not used\n", err.msg);
	}
	return e->alt;
}

/* Under this page confidence the page is also read turned round. */
#define OCR_TURN_BELOW 50

/* Effective resolution from the x-height: 12 pt type has an x-height of
 * about 0.075 inch (Times: 0.45 em). */
#define OCR_XHEIGHT_IN 0.075
/* Read enlarged to this x-height (px): Tesseract's LSTM models read best
 * with an x-height of 20-30 px. */
#define OCR_XHEIGHT_TARGET 24.0

/* A page whose short side is under this (px) is a low-resolution page
 * (A4 under 120 dpi); when it reads poorly it is also read enlarged so
 * that its short side is about OCR_SMALL_PAGE_TARGET px, whatever its
 * measured x-height says (blur merges letters, and the x-height measured
 * is then that of words).  Plain Tesseract on the real low-resolution
 * pages, enlarged: 367 px short side 60 % CER at 1x, 49 % at 2x, 41 % at
 * 3x; 600 px 48 % at 1x, 39 % at 2x, 44 % at 3x, 49 % at 4x. */
#define OCR_SMALL_PAGE 1000
#define OCR_SMALL_PAGE_TARGET 1200.0

/* Read `page` enlarged f times (Otsu, at bdpi) into cand, its geometry
 * scaled back to the page's; 1 when read, 0 when it could not be enlarged,
 * -1 with err set. */
static int ocr_read_enlarged(struct ocr_engine *e, PIX *page, double f, int bdpi, struct ocr_result *cand, PIX **big, struct errbuf *err)
{
	*big = ocr_enlarge(page, f);
	if (!*big)
		return 0;
	if (ocr_read(e, *big, bdpi, OCR_OTSU, cand, err) < 0)
		return -1;
	if (e->opts.want_hocr && cand->hocr)
		ocr_scale_geometry(&cand->hocr, false, 1 / f);
	if (e->opts.want_alto && cand->alto)
		ocr_scale_geometry(&cand->alto, true, 1 / f);
	return 1;
}

int ocr_engine_page(struct ocr_engine *e, struct Pix *page, int dpi, struct ocr_result *res, struct errbuf *err)
{
	struct ocr_result cand;
	struct strbuf why;
	double xh, f = 1;
	int thresh = e->opts.thresholding, bigdpi = 0, shortside;
	PIX *big = NULL, *turned = NULL;
	int rc;

	e->cur = e->api;
	memset(&cand, 0, sizeof cand);
	sb_init(&why, 0);
	/* The first reading, as on a clean page: the only one when it reads
	 * well and its letters are large enough. */
	rc = ocr_read(e, page, dpi, thresh, res, err);
	if (rc < 0)
		goto out;
	res->readings = 1;
	snprintf(res->reading, sizeof res->reading, "%s", thresh == OCR_SAUVOLA ? "sauvola" : "otsu");
	sb_addf(&why, "%s %.1f (%d/%d valid, %d doubted, conf %.0f)", res->reading, res->score, res->valid, res->checked, res->doubtful, res->mean_conf);
	ocr_judge(e, res);
	xh = ocr_xheight(page);
	if (e->opts.upscale_xheight > 0 && xh > 0 && xh < e->opts.upscale_xheight) {
		int bdpi;
		f = OCR_XHEIGHT_TARGET / xh;
		if (f > 4)
			f = 4;
		f = floor(f * 2 + 0.5) / 2;
		bdpi = (int)(f * xh / OCR_XHEIGHT_IN + 0.5);
		rc = ocr_read_enlarged(e, page, f, bdpi, &cand, &big, err);
		if (rc < 0)
			goto out;
		if (rc > 0) {
			char name[48];
			snprintf(name, sizeof name, "enlarged %.1fx otsu", f);
			res->readings++;
			bigdpi = bdpi;
			ocr_keep_best(res, &cand, name, &why);
		}
		rc = 0;
	}
	ocr_judge(e, res);
	shortside = pixGetWidth(page) < pixGetHeight(page) ? pixGetWidth(page) : pixGetHeight(page);
	if (e->opts.upscale_xheight > 0 && res->page_conf < e->opts.reread_below && shortside < OCR_SMALL_PAGE) {
		double g = floor(OCR_SMALL_PAGE_TARGET / shortside + 0.5);
		PIX *big2 = NULL;
		if (g < 2)
			g = 2;
		if (g > 4)
			g = 4;
		if (!big || fabs(g - f) >= 1) {
			/* an A4 page's short side is 8.27 inches */
			int bdpi = (int)(g * shortside / 8.27 + 0.5);
			char name[48];
			rc = ocr_read_enlarged(e, page, g, bdpi, &cand, &big2, err);
			if (rc < 0) {
				pixDestroy(&big2);
				goto out;
			}
			if (rc > 0) {
				snprintf(name, sizeof name, "enlarged %.1fx otsu", g);
				res->readings++;
				ocr_keep_best(res, &cand, name, &why);
				if (!strcmp(res->reading, name)) {
					/* the enlarged image the alt_lang reading uses */
					pixDestroy(&big);
					big = big2;
					big2 = NULL;
					f = g;
					bigdpi = bdpi;
				}
			}
			pixDestroy(&big2);
			rc = 0;
			ocr_judge(e, res);
		}
	}
	if (res->page_conf < e->opts.reread_below && thresh != OCR_OTSU) {
		if (ocr_read(e, page, dpi, OCR_OTSU, &cand, err) < 0)
			goto out;
		res->readings++;
		ocr_keep_best(res, &cand, "otsu", &why);
		ocr_judge(e, res);
	}
	/* Still poor: a page the orient stage left upside down (small or faint
	 * text fools its ascender count) reads well turned round. */
	if (res->page_conf < e->opts.reread_below && res->page_conf < OCR_TURN_BELOW) {
		turned = pixRotate180(NULL, page);
		if (turned) {
			e->cur = e->api;
			rc = ocr_read(e, turned, dpi, thresh, &cand, err);
			if (rc < 0)
				goto out;
			res->readings++;
			if (cand.score > 2 * res->score + 5) {
				int readings = res->readings;
				ocr_result_release(res);
				*res = cand;
				memset(&cand, 0, sizeof cand);
				res->readings = readings;
				res->turned = 180;
				snprintf(res->reading, sizeof res->reading, "turned 180 %s", thresh == OCR_SAUVOLA ? "sauvola" : "otsu");
				sb_addf(&why, "; turned 180 %.1f (%d/%d valid, %d doubted, conf %.0f): kept", res->score, res->valid, res->checked, res->doubtful, res->mean_conf);
			} else {
				sb_addf(&why, "; turned 180 %.1f", cand.score);
				ocr_result_release(&cand);
			}
			ocr_judge(e, res);
		}
	}
	/* Another model (ocr.alt_lang) on the image of the reading kept, when
	 * that is still poor or in a typewriter face. */
	if ((res->page_conf < e->opts.reread_below || ocr_monospace(res)) && ocr_alt(e)) {
		char name[128];
		bool enlarged = !strncmp(res->reading, "enlarged", 8);
		int was = res->turned;
		e->cur = e->alt;
		snprintf(name, sizeof name, "%s %s", e->alt_lang, res->reading);
		if (ocr_read(e, was ? turned : enlarged ? big : page, enlarged ? bigdpi : dpi,
		             strstr(res->reading, "otsu") ? OCR_OTSU : thresh, &cand, err) < 0)
			goto out;
		res->readings++;
		if (enlarged) {
			if (cand.hocr)
				ocr_scale_geometry(&cand.hocr, false, 1 / f);
			if (cand.alto)
				ocr_scale_geometry(&cand.alto, true, 1 / f);
		}
		cand.turned = was;
		ocr_keep_best(res, &cand, name, &why);
		ocr_judge(e, res);
	}
	res->xheight = xh;
	if (res->readings > 1)
		snprintf(res->why, sizeof res->why, "x-height %.1f px, pitch spread %.3f%s; %s", xh, res->pitch_spread,
		         ocr_monospace(res) ? " (typewriter)" : "", why.buf);
	else
		snprintf(res->why, sizeof res->why, "x-height %.1f px, pitch spread %.3f; read once: confidence %.0f", xh, res->pitch_spread, res->page_conf);
out:
	e->cur = e->api;
	{
		char v[16];
		snprintf(v, sizeof v, "%d", thresh);
		TessBaseAPISetVariable(e->api, "thresholding_method", v);
		if (e->alt)
			TessBaseAPISetVariable(e->alt, "thresholding_method", v);
	}
	ocr_result_release(&cand);
	sb_release(&why);
	pixDestroy(&big);
	pixDestroy(&turned);
	return rc;
}

double ocr_xheight(struct Pix *pix)
{
	PIX *ink = pageimg_ink(pix, NULL);
	int xh = ink ? pageimg_xheight(ink) : 0;
	pixDestroy(&ink);
	return xh;
}

/* Geometry keys of hOCR titles and ALTO attributes: the key, how many
 * numbers follow, which of them are scaled (bit i: the i-th). */
static const struct { const char *key; int count, mask; } ocr_geometry[] = {
	{ "bbox ", 4, 15 },
	{ "baseline ", 2, 2 },
	{ "x_size ", 1, 1 },
	{ "x_descenders ", 1, 1 },
	{ "x_ascenders ", 1, 1 },
	{ " HPOS=\"", 1, 1 },
	{ " VPOS=\"", 1, 1 },
	{ " WIDTH=\"", 1, 1 },
	{ " HEIGHT=\"", 1, 1 },
};

void ocr_scale_geometry(char **doc, bool alto, double f)
{
	const char *p = *doc;
	struct strbuf sb;
	sb_init(&sb, strlen(*doc) + 64);
	while (*p) {
		size_t i, klen = 0;
		int which = -1;
		for (i = 0; i < sizeof ocr_geometry / sizeof ocr_geometry[0]; i++) {
			if ((ocr_geometry[i].key[0] == ' ') != alto)
				continue;
			klen = strlen(ocr_geometry[i].key);
			if (!strncmp(p, ocr_geometry[i].key, klen)) {
				which = (int)i;
				break;
			}
		}
		if (which < 0) {
			sb_addc(&sb, *p++);
			continue;
		}
		sb_add(&sb, p, klen);
		p += klen;
		for (i = 0; i < (size_t)ocr_geometry[which].count; i++) {
			char *end;
			double x = strtod(p, &end);
			bool frac = memchr(p, '.', (size_t)(end - p)) != NULL;
			if (end == p)
				break;
			if (ocr_geometry[which].mask & (1 << i))
				x *= f;
			if (frac)
				sb_addf(&sb, "%.3f", x);
			else
				sb_addf(&sb, "%ld", lround(x));
			p = end;
			if (i + 1 < (size_t)ocr_geometry[which].count && *p == ' ')
				sb_addc(&sb, *p++);
		}
	}
	free(*doc);
	*doc = sb_detach(&sb);
}

double ocr_hocr_mean_conf(const char *hocr, int *nwords)
{
	const char *p = hocr;
	long sum = 0;
	int n = 0;
	while ((p = strstr(p, "x_wconf ")) != NULL) {
		p += 8;
		sum += strtol(p, NULL, 10);
		n++;
	}
	if (nwords)
		*nwords = n;
	return n ? (double)sum / n : -1;
}

/* ---- the stage ---- */

static const struct conf_key ocr_keys[] = {
	{ "ocr.min_confidence", CONF_DOUBLE, "70", 0, 100, "pages whose mean word confidence is under this go to the review list" },
	{ "ocr.lang", CONF_STR, "vie", 0, 0, "Tesseract model(s), e.g. vie, Vietnamese, vie+eng" },
	{ "ocr.psm", CONF_INT, "3", 1, 13, "Tesseract page segmentation mode (3 automatic, 4 single column, 6 one block)" },
	{ "ocr.thresholding", CONF_INT, "2", 0, 2, "Tesseract binarization: 0 Otsu, 1 Leptonica Otsu, 2 Sauvola (best measured; low-contrast pages are stretched first)" },
	{ "ocr.retry_circumflex", CONF_BOOL, "yes", 0, 0, "read words with a toneless circumflex vowel and ink above it again (fixes khẩu read as khâu; measured CER 2.02% -> 0.63% on gazette pages for about 5% more CPU time), and the numbers of a date (ngày, tháng, năm)" },
	{ "ocr.line_retry", CONF_DOUBLE, "0", 0, 100, "also read lines under this confidence again as single lines (0 = off)" },
	{ "ocr.retry_margin", CONF_DOUBLE, "3", 0, 100, "keep a line's second reading unless its confidence is this much lower" },
	{ "ocr.vars", CONF_STR, "", 0, 0, "extra Tesseract variables, \"name=value name=value\"" },
	{ "ocr.dict", CONF_STR, VIET_DICT_DEFAULT, 0, 0, "hunspell dictionary (path without .aff/.dic) that judges readings by their share of Vietnamese syllables; empty = confidence alone" },
	{ "ocr.reread_below", CONF_DOUBLE, "80", 0, 100, "a page whose first reading's confidence (mean word confidence times the share of Vietnamese syllables) is under this is read again other ways, and the best reading kept" },
	{ "ocr.upscale_xheight", CONF_DOUBLE, "14", 0, 100, "a page whose measured x-height (px) is under this is also read enlarged to about 24 px (0 = never)" },
	{ "ocr.pairs", CONF_STR, VIET_PAIRS_DEFAULT, 0, 0, "word-pair counts for the correction step (tone marks on circumflex and breve vowels, l read as t), relative to the workspace; empty = no correction" },
	{ "ocr.columns", CONF_BOOL, "yes", 0, 0, "write side-by-side blocks (two-column letter headers, Nơi nhận | signature) left block first, then right" },
	{ "ocr.alt_lang", CONF_STR, OCR_ALT_LANG_DEFAULT, 0, 0, "another Tesseract model tried last on a page still under reread_below (vie+Vietnamese: Debian's tesseract-ocr-script-viet beside vie; empty = none)" },
	{ 0 }
};

static int ocr_init(struct stage_ctx *ctx, struct errbuf *err)
{
	struct ocr_opts opts;
	char *pairs;
	ocr_opts_default(&opts);
	opts.lang = stage_conf(ctx, "lang");
	opts.psm = (int)stage_conf_long(ctx, "psm");
	opts.line_retry = stage_conf_double(ctx, "line_retry");
	opts.thresholding = (int)stage_conf_long(ctx, "thresholding");
	opts.retry_margin = stage_conf_double(ctx, "retry_margin");
	opts.retry_circumflex = config_bool(ctx->cfg, "ocr.retry_circumflex");
	opts.vars = stage_conf(ctx, "vars");
	if (opts.vars && !*opts.vars)
		opts.vars = NULL;
	opts.dict = stage_conf(ctx, "dict");
	opts.reread_below = stage_conf_double(ctx, "reread_below");
	opts.upscale_xheight = stage_conf_double(ctx, "upscale_xheight");
	opts.alt_lang = stage_conf(ctx, "alt_lang");
	opts.columns = config_bool(ctx->cfg, "ocr.columns");
	{
		const char *pp = stage_conf(ctx, "pairs");
		pairs = pp && *pp ? (pp[0] == '/' ? xstrdup(pp) : xasprintf("%s/%s", ctx->workspace, pp)) : NULL;
		opts.pairs = pairs;
	}
	ctx->priv = ocr_engine_new(&opts, err);
	free(pairs);
	return ctx->priv ? 0 : -1;
}

static void ocr_fini(struct stage_ctx *ctx)
{
	ocr_engine_free(ctx->priv);
	ctx->priv = NULL;
}

/* Write one output and record its path under `col`. */
static int put(struct stage_ctx *ctx, const char *leaf, const char *col, const char *data, struct errbuf *err)
{
	char *path = stage_page_path(ctx, leaf);
	int rc = fsio_write_atomic(path, data, strlen(data), err);
	if (rc == 0)
		stage_set_text(ctx, col, path);
	free(path);
	return rc;
}

static enum stage_rc ocr_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct stage_page *pg = ctx->page;
	struct ocr_result res;
	enum stage_rc rc = STAGE_RETRY;
	double min_conf = stage_conf_double(ctx, "min_confidence");
	PIX *pix;
	char *detail;

	if (pg->blank) {
		stage_event(ctx, "metadata extraction", "skipped", "blank page: no OCR");
		return STAGE_OK;
	}
	pix = pageimg_read(ctx, &rc, err);
	if (!pix)
		return rc;
	{
		/* a colour page is read with its seals and pen strokes lifted out */
		PIX *noseal = pageimg_noseal(pix);
		int r = ocr_engine_page(ctx->priv, noseal ? noseal : pix, pg->dpi, &res, err);
		pixDestroy(&noseal);
		if (r < 0)
			goto out;
	}
	if (res.turned == 180) {
		/* The text layer's boxes are those of the page turned round: so is
		 * the access copy from now on. */
		PIX *up = pixRotate180(NULL, pix);
		if (!up || pageimg_replace(ctx, up, "ocr-upright.pnm", "access copy turned 180 degrees: the page reads upright so (the orient stage had it the other way)", err) < 0) {
			pixDestroy(&up);
			goto out;
		}
		pixDestroy(&up);
		if (pg->orient >= 0)
			stage_set_int(ctx, "orient", (pg->orient + 180) % 360);
	}
	if (put(ctx, "text.txt", "text_path", res.text, err) < 0 ||
	    put(ctx, "page.hocr", "hocr_path", res.hocr ? res.hocr : "", err) < 0 ||
	    put(ctx, "page.alto.xml", "alto_path", res.alto ? res.alto : "", err) < 0)
		goto out;
	if (res.words > 0)
		stage_set_double(ctx, "ocr_conf", res.page_conf);
	if (res.review[0]) {
		char *note = xasprintf("ocr: %s", res.review);
		stage_set_int(ctx, "review", 1);
		stage_set_text(ctx, "note", note);
		free(note);
	} else if (res.page_conf < min_conf) {
		char *note = xasprintf("ocr: confidence %.1f under %.1f (mean word confidence %.1f, %d of %d words Vietnamese syllables)",
		                       res.page_conf, min_conf, res.mean_conf, res.valid, res.checked);
		stage_set_int(ctx, "review", 1);
		stage_set_text(ctx, "note", note);
		free(note);
	}
	/* a page that reads well keeps a review flag an earlier stage set
	 * (deskew: rescan flat) */
	detail = xasprintf("tesseract %s %s: %d words, mean confidence %.1f, %d of %d Vietnamese syllables, page confidence %.1f; reading kept: %s (%s)",
	                   TessVersion(), stage_conf(ctx, "lang"), res.words, res.mean_conf, res.valid, res.checked, res.page_conf, res.reading, res.why);
	stage_event(ctx, "metadata extraction", "success", detail);
	free(detail);
	rc = STAGE_OK;
out:
	ocr_result_release(&res);
	pixDestroy(&pix);
	return rc;
}

const struct stage stage_ocr = {
	.name = "ocr",
	.unit = STAGE_PAGE,
	.summary = "Vietnamese OCR with Tesseract: NFC text, hOCR, ALTO, confidence and review flag",
	.keys = ocr_keys,
	.init = ocr_init,
	.run = ocr_run,
	.fini = ocr_fini,
};
