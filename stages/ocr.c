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
 * one by tone marks on circumflex vowels alone.  At most
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
 * Invariants: run() only writes files under the page's folder with
 * fsio_write_atomic(), so repeating it is harmless.
 * Error policy: an access copy that cannot be read is STAGE_RETRY (capture
 * wrote it: the cause is the file system) and a page with none STAGE_BAD;
 * a failing write or a Tesseract failure is STAGE_RETRY; a model that does
 * not load is fatal for the worker (init returns -1).
 */
#include "ocr.h"

#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/config.h"
#include "engine/fsio.h"
#include "formats/image/pageimg.h"
#include "engine/stage.h"

struct ocr_engine {
	TessBaseAPI *api;
	struct ocr_opts opts;
	char *lang;
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

struct ocr_engine *ocr_engine_new(const struct ocr_opts *opts, struct errbuf *err)
{
	struct ocr_engine *e = xcalloc(1, sizeof *e);
	ocr_one_thread();
	e->opts = *opts;
	e->lang = xstrdup(opts->lang);
	e->opts.lang = e->lang;
	e->opts.datapath = NULL;
	e->api = TessBaseAPICreate();
	if (TessBaseAPIInit3(e->api, opts->datapath, e->lang) != 0) {
		err_set(err, "cannot load Tesseract model '%s'", e->lang);
		ocr_engine_free(e);
		return NULL;
	}
	/* Tesseract's progress chatter ("Detected 118 diacritics") would fill
	 * the supervisor's log; sohoa reports what went wrong itself. */
	TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
	if (opts->thresholding) {
		char v[16];
		snprintf(v, sizeof v, "%d", opts->thresholding);
		if (!TessBaseAPISetVariable(e->api, "thresholding_method", v)) {
			err_set(err, "cannot set Tesseract variable 'thresholding_method'");
			ocr_engine_free(e);
			return NULL;
		}
	}
	if (opts->vars && set_vars(e->api, opts->vars, err) < 0) {
		ocr_engine_free(e);
		return NULL;
	}
	e->opts.vars = NULL;
	TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)opts->psm);
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
	free(e->lang);
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
};

struct line {
	char *text;        /* a line re-read as a whole (ocr.line_retry), else NULL */
	bool para;         /* first line of a paragraph */
	float conf;
	int l, t, r, b;
	struct word *words;
	size_t nwords;
};

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
	TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)psm);
	TessBaseAPISetImage2(e->api, cut);
	if (dpi > 0)
		TessBaseAPISetSourceResolution(e->api, dpi);
	if (TessBaseAPIRecognize(e->api, NULL) == 0) {
		size_t n;
		*conf = TessBaseAPIMeanTextConf(e->api);
		text = tess_take(TessBaseAPIGetUTF8Text(e->api));
		for (n = text ? strlen(text) : 0; n > 0 && strchr(" \t\n", text[n - 1]); n--)
			text[n - 1] = '\0';
	}
	TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)e->opts.psm);
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
	TessResultIterator *ri = TessBaseAPIGetIterator(e->api);
	TessPageIterator *pi;
	struct Pix *bin = NULL;
	struct line *lines = NULL, *ln = NULL;
	size_t alloc = 0;
	*n = 0;
	if (!ri)
		return NULL;
	if (e->opts.retry_circumflex)
		bin = TessBaseAPIGetThresholdedImage(e->api);
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
		TessPageIteratorBoundingBox(pi, RIL_WORD, &w->l, &w->t, &w->r, &w->b);
		/* Without the binarized page every toneless circumflex is suspect. */
		w->suspect = e->opts.retry_circumflex && bare_circumflex(w->text) && (!bin || ink_above_circumflex(ri, bin));
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
		char *text, *had, *got;
		int conf = 0;
		if (!w->suspect)
			continue;
		(*budget)--;
		tried = true;
		text = reread(e, pix, dpi, box, PSM_SINGLE_WORD, &conf);
		had = circumflex_skeleton(w->text);
		got = text ? circumflex_skeleton(text) : NULL;
		if (had && got && !strcmp(had, got) && strcmp(text, w->text)) {
			free(w->text);
			w->text = text;
			text = NULL;
			changed[i] = any = true;
		}
		free(text);
		free(had);
		free(got);
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
	if (!grey || pixGetRankValue(grey, 4, 0.02f, &ink) || pixGetRankValue(grey, 4, 0.9f, &paper) ||
	    (int)paper - (int)ink >= OCR_STRETCH_BELOW || paper <= ink + 16) {
		pixDestroy(&grey);
		return pixClone(pix);
	}
	out = pixGammaTRC(NULL, grey, 1.0f, (l_int32)ink, (l_int32)paper);
	pixDestroy(&grey);
	return out ? out : pixClone(pix);
}

int ocr_engine_page(struct ocr_engine *e, struct Pix *page, int dpi, struct ocr_result *res, struct errbuf *err)
{
	PIX *pix = ocr_stretch(e, page);
	struct line *lines = NULL;
	size_t nlines = 0, i, j;
	struct strbuf sb;
	int *confs, k, budget = OCR_MAX_WORD_RETRIES;
	long sum = 0;
	int rc = -1;

	memset(res, 0, sizeof *res);
	res->mean_conf = -1;
	sb_init(&sb, 0);
	TessBaseAPISetImage2(e->api, pix);
	if (dpi > 0)
		TessBaseAPISetSourceResolution(e->api, dpi);
	if (TessBaseAPIRecognize(e->api, NULL) != 0) {
		err_set(err, "tesseract cannot recognize the page");
		goto out;
	}
	confs = TessBaseAPIAllWordConfidences(e->api);
	for (k = 0; confs && confs[k] >= 0; k++)
		sum += confs[k];
	res->words = k;
	if (k > 0)
		res->mean_conf = (double)sum / k;
	if (confs)
		TessDeleteIntArray(confs);
	if (e->opts.want_hocr)
		res->hocr = tess_take(TessBaseAPIGetHOCRText(e->api, 0));
	if (e->opts.want_alto)
		res->alto = tess_take(TessBaseAPIGetAltoText(e->api, 0));
	lines = page_lines(e, &nlines);

	/* Re-reading replaces the engine's page results: all is taken above. */
	for (i = 0; i < nlines; i++) {
		if (e->opts.line_retry > 0 && lines[i].conf < e->opts.line_retry)
			retry_line(e, pix, dpi, &lines[i], res);
		if (!lines[i].text)
			retry_words(e, pix, dpi, &lines[i], res, &budget);
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
			sb_adds(&sb, lines[i].words[j].text);
			sb_addc(&sb, j + 1 < lines[i].nwords ? ' ' : '\n');
		}
	}
	res->text = ocr_nfc(sb.buf ? sb.buf : "");
	if (!res->text) {
		err_set(err, "tesseract returned invalid UTF-8");
		goto out;
	}
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
	TessBaseAPIClear(e->api);
	pixDestroy(&pix);
	return rc;
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
	{ "ocr.retry_circumflex", CONF_BOOL, "yes", 0, 0, "read words with a toneless circumflex vowel and ink above it again (fixes khẩu read as khâu; measured CER 2.02% -> 0.63% on gazette pages for about 5% more CPU time)" },
	{ "ocr.line_retry", CONF_DOUBLE, "0", 0, 100, "also read lines under this confidence again as single lines (0 = off)" },
	{ "ocr.retry_margin", CONF_DOUBLE, "3", 0, 100, "keep a line's second reading unless its confidence is this much lower" },
	{ "ocr.vars", CONF_STR, "", 0, 0, "extra Tesseract variables, \"name=value name=value\"" },
	{ 0 }
};

static int ocr_init(struct stage_ctx *ctx, struct errbuf *err)
{
	struct ocr_opts opts;
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
	ctx->priv = ocr_engine_new(&opts, err);
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
	if (ocr_engine_page(ctx->priv, pix, pg->dpi, &res, err) < 0)
		goto out;
	if (put(ctx, "text.txt", "text_path", res.text, err) < 0 ||
	    put(ctx, "page.hocr", "hocr_path", res.hocr ? res.hocr : "", err) < 0 ||
	    put(ctx, "page.alto.xml", "alto_path", res.alto ? res.alto : "", err) < 0)
		goto out;
	if (res.words > 0)
		stage_set_double(ctx, "ocr_conf", res.mean_conf);
	if (res.words == 0) {
		stage_set_int(ctx, "review", 1);
		stage_set_text(ctx, "note", "ocr: no text found on a page not marked blank");
	} else if (res.mean_conf < min_conf) {
		char *note = xasprintf("ocr: mean confidence %.1f under %.1f", res.mean_conf, min_conf);
		stage_set_int(ctx, "review", 1);
		stage_set_text(ctx, "note", note);
		free(note);
	} else {
		stage_set_int(ctx, "review", 0);
	}
	detail = xasprintf("tesseract %s %s: %d words, mean confidence %.1f", TessVersion(), stage_conf(ctx, "lang"), res.words, res.mean_conf);
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
