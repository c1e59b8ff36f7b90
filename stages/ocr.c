/*
 * ocr.c - the ocr stage: Vietnamese text of a page with Tesseract.
 *
 * The worker loads the model once in init() and recognizes one page per
 * run() on one thread (OMP_THREAD_LIMIT=1 is set before Tesseract starts:
 * Debian's libtesseract is built with OpenMP, and N workers times the
 * OpenMP team would oversubscribe the cores).  Per page it writes
 *   text.txt        UTF-8 NFC, lines by \n, paragraphs by a blank line
 *   page.hocr       hOCR with per-word confidences (x_wconf)
 *   page.alto.xml   ALTO
 * under the page's derived folder and records their paths, the mean word
 * confidence, and review=1 with a note when that is under
 * ocr.min_confidence (or when no text was found on a non-blank page).
 * Blank pages are skipped with an event only.
 *
 * Line retry: Tesseract's page mode drops the tone mark over a circumflex
 * (khẩu read as khâu; the mark sits above the row box it cuts words from),
 * while the same line read alone (PSM 7) keeps it.  So lines whose reading
 * has a toneless circumflex vowel (ocr.retry_circumflex), and lines under
 * ocr.line_retry confidence, are cut out with extra room above and read
 * again; the second reading is kept unless its confidence is more than
 * ocr.retry_margin lower.  The new words replace the old ones in the hOCR
 * and ALTO when the line has the same number of words (boxes are kept), so
 * the PDF text layer says what text.txt says; otherwise only text.txt
 * changes.  On the congbao pages this halves the CER (2.14 % -> 0.89 %, with
 * Sauvola binarization) for about 1.6x the CPU time.
 *
 * Invariants: run() only writes files under the page's folder with
 * fsio_write_atomic(), so repeating it is harmless.
 * Error policy: an unreadable image is STAGE_BAD (bad input, quarantined);
 * a failing write or a Tesseract failure is STAGE_RETRY; a model that does
 * not load is fatal for the worker (init returns -1).
 */
#include "ocr.h"

#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>
#include <uninorm.h>
#include <unistr.h>

#include "config.h"
#include "fsio.h"
#include "stage.h"

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

struct ocr_engine *ocr_engine_new(const struct ocr_opts *opts, struct errbuf *err)
{
	struct ocr_engine *e = xcalloc(1, sizeof *e);
	/* Before the first Tesseract call: OpenMP reads it when its runtime starts. */
	setenv("OMP_THREAD_LIMIT", "1", 0);
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

struct line {
	char *text;        /* with its trailing \n */
	bool para;         /* first line of a paragraph */
	float conf;
	int l, t, r, b;
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

/* Read a single cut-out line again; returns the new text or NULL when it is
 * not better than `conf`. */
static char *retry_line(struct ocr_engine *e, struct Pix *pix, int dpi, const struct line *ln)
{
	int h = ln->b - ln->t, pad = h / 4 + 2, top = h / 2 + 2;
	/* More room above: the tone mark over a circumflex sits above the row box. */
	BOX *box = boxCreate(ln->l - pad, ln->t - top, ln->r - ln->l + 2 * pad, h + top + pad);
	PIX *cut = pixClipRectangle(pix, box, NULL);
	char *text = NULL;
	int conf;
	boxDestroy(&box);
	if (!cut)
		return NULL;
	TessBaseAPISetPageSegMode(e->api, PSM_SINGLE_LINE);
	TessBaseAPISetImage2(e->api, cut);
	if (dpi > 0)
		TessBaseAPISetSourceResolution(e->api, dpi);
	if (TessBaseAPIRecognize(e->api, NULL) == 0) {
		conf = TessBaseAPIMeanTextConf(e->api);
		text = tess_take(TessBaseAPIGetUTF8Text(e->api));
		if (getenv("OCR_DEBUG"))
			fprintf(stderr, "retry %.0f -> %d\n  %s  %s", ln->conf, conf, ln->text, text);
		if (conf < ln->conf - e->opts.retry_margin) {
			free(text);
			text = NULL;
		}
	}
	TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)e->opts.psm);
	pixDestroy(&cut);
	if (text && (!*text || text[strlen(text) - 1] != '\n')) {
		char *t2 = xasprintf("%s\n", text);
		free(text);
		text = t2;
	}
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
 * Put the words of a re-read line into the hOCR, so that the PDF text layer
 * says what text.txt says.  The line is found by its bbox (the iterator's
 * box, which Tesseract's hOCR renderer writes too); it is patched only when
 * it has as many words as the new reading.  Returns the new hOCR or NULL.
 */
static char *patch_hocr(const char *hocr, const struct line *ln)
{
	char needle[96], **w;
	const char *at, *end, *p;
	size_t n, k = 0, cnt = 0;
	struct strbuf sb;
	snprintf(needle, sizeof needle, "bbox %d %d %d %d; baseline", ln->l, ln->t, ln->r, ln->b);
	at = strstr(hocr, needle);
	if (!at)
		return NULL;
	end = strstr(at, "class='ocr_");
	if (!end)
		end = hocr + strlen(hocr);
	for (p = at; (p = strstr(p, "class='ocrx_word'")) && p < end; p++)
		cnt++;
	n = split_words(ln->text, &w);
	if (n == 0 || n != cnt) {
		free_words(w, n);
		return NULL;
	}
	sb_init(&sb, 0);
	p = at;
	while (k < n) {
		const char *word = strstr(p, "class='ocrx_word'");
		const char *gt = strchr(word, '>'), *close = gt ? strstr(gt, "</span>") : NULL;
		if (!close) {
			sb_release(&sb);
			free_words(w, n);
			return NULL;
		}
		sb_add(&sb, p == at ? hocr : p, (size_t)(gt + 1 - (p == at ? hocr : p)));
		sb_add_xml(&sb, w[k++]);
		p = close;
	}
	sb_adds(&sb, p);
	free_words(w, n);
	return sb_detach(&sb);
}

/* The same for ALTO: TextLine by HPOS/VPOS/WIDTH/HEIGHT, String CONTENT. */
static char *patch_alto(const char *alto, const struct line *ln)
{
	char needle[128], **w;
	const char *at, *end, *p;
	size_t n, k = 0, cnt = 0;
	struct strbuf sb;
	snprintf(needle, sizeof needle, "HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" HEIGHT=\"%d\">", ln->l, ln->t, ln->r - ln->l, ln->b - ln->t);
	at = strstr(alto, needle);
	if (!at)
		return NULL;
	end = strstr(at, "</TextLine>");
	if (!end)
		return NULL;
	for (p = at; (p = strstr(p, "<String ")) && p < end; p++)
		cnt++;
	n = split_words(ln->text, &w);
	if (n == 0 || n != cnt) {
		free_words(w, n);
		return NULL;
	}
	sb_init(&sb, 0);
	p = at;
	while (k < n) {
		const char *c = strstr(strstr(p, "<String "), "CONTENT=\"");
		const char *q = c ? strchr(c + 9, '"') : NULL;
		if (!q) {
			sb_release(&sb);
			free_words(w, n);
			return NULL;
		}
		sb_add(&sb, p == at ? alto : p, (size_t)(c + 9 - (p == at ? alto : p)));
		sb_add_xml(&sb, w[k++]);
		p = q;
	}
	sb_adds(&sb, p);
	free_words(w, n);
	return sb_detach(&sb);
}

int ocr_engine_page(struct ocr_engine *e, struct Pix *pix, int dpi, struct ocr_result *res, struct errbuf *err)
{
	TessResultIterator *ri;
	struct line *lines = NULL;
	size_t nlines = 0, alloc = 0, i;
	struct strbuf sb;
	int *confs, k;
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

	ri = TessBaseAPIGetIterator(e->api);
	if (ri) {
		TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
		do {
			char *t = TessResultIteratorGetUTF8Text(ri, RIL_TEXTLINE);
			struct line *ln;
			if (!t)
				continue;
			if (nlines == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				lines = xrealloc(lines, alloc * sizeof *lines);
			}
			ln = &lines[nlines++];
			ln->text = tess_take(t);
			ln->para = TessPageIteratorIsAtBeginningOf(pi, RIL_PARA);
			ln->conf = TessResultIteratorConfidence(ri, RIL_TEXTLINE);
			TessPageIteratorBoundingBox(pi, RIL_TEXTLINE, &ln->l, &ln->t, &ln->r, &ln->b);
		} while (TessPageIteratorNext(pi, RIL_TEXTLINE));
		TessResultIteratorDelete(ri);
	}
	/* Retrying replaces the engine's page results: hOCR and ALTO are taken above. */
	for (i = 0; (e->opts.line_retry > 0 || e->opts.retry_circumflex) && i < nlines; i++) {
		char *better;
		if (lines[i].conf >= e->opts.line_retry && !(e->opts.retry_circumflex && bare_circumflex(lines[i].text)))
			continue;
		res->lines_retried++;
		better = retry_line(e, pix, dpi, &lines[i]);
		if (better) {
			char *h, *a;
			free(lines[i].text);
			lines[i].text = better;
			res->lines_replaced++;
			h = res->hocr ? patch_hocr(res->hocr, &lines[i]) : NULL;
			a = res->alto ? patch_alto(res->alto, &lines[i]) : NULL;
			if (h) {
				free(res->hocr);
				res->hocr = h;
				res->lines_patched++;
			}
			if (a) {
				free(res->alto);
				res->alto = a;
			}
		}
	}
	for (i = 0; i < nlines; i++) {
		if (lines[i].para && sb.len)
			sb_addc(&sb, '\n');
		sb_adds(&sb, lines[i].text);
	}
	res->text = ocr_nfc(sb.buf);
	if (!res->text) {
		err_set(err, "tesseract returned invalid UTF-8");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nlines; i++)
		free(lines[i].text);
	free(lines);
	sb_release(&sb);
	TessBaseAPIClear(e->api);
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
	{ "ocr.thresholding", CONF_INT, "2", 0, 2, "Tesseract binarization: 0 Otsu, 1 Leptonica Otsu, 2 Sauvola (best measured)" },
	{ "ocr.retry_circumflex", CONF_BOOL, "yes", 0, 0, "read lines with a toneless circumflex vowel again as single lines (fixes khẩu read as khâu; about 1.6x the OCR time)" },
	{ "ocr.line_retry", CONF_DOUBLE, "0", 0, 100, "also read lines under this confidence again as single lines (0 = off)" },
	{ "ocr.retry_margin", CONF_DOUBLE, "3", 0, 100, "keep a line's second reading unless its confidence is this much lower" },
	{ "ocr.vars", CONF_STR, "", 0, 0, "extra Tesseract variables, \"name=value name=value\"" },
	{ 0 }
};

static bool conf_yes(const char *v)
{
	return v && (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"));
}

static int ocr_init(struct stage_ctx *ctx, struct errbuf *err)
{
	struct ocr_opts opts;
	ocr_opts_default(&opts);
	opts.lang = stage_conf(ctx, "lang");
	opts.psm = (int)stage_conf_long(ctx, "psm");
	opts.line_retry = stage_conf_double(ctx, "line_retry");
	opts.thresholding = (int)stage_conf_long(ctx, "thresholding");
	opts.retry_margin = stage_conf_double(ctx, "retry_margin");
	opts.retry_circumflex = conf_yes(stage_conf(ctx, "retry_circumflex"));
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
	if (!pg->access_path) {
		err_set(err, "page %lld has no access copy", (long long)pg->id);
		return STAGE_BAD;
	}
	pix = pixRead(pg->access_path);
	if (!pix) {
		err_set(err, "cannot read '%s': not an image Leptonica can read", pg->access_path);
		return STAGE_BAD;
	}
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
