/*
 * test_ocr.c - the OCR engine: NFC normalisation (table), the hOCR mean
 * confidence (table), and a golden OCR test: short Vietnamese sentences
 * rendered with pango-view at 300 dpi are read back within a CER bound,
 * the same twice (deterministic), with every word of the text in the hOCR
 * and ALTO too (re-read words are patched in); and the engine runs
 * Tesseract's OpenMP on one thread.  Real-scan classes: the same sentence
 * at a third of the resolution, tagged 300 dpi (the x-height is measured,
 * the page read enlarged, and the hOCR keeps the small page's geometry);
 * the same small page read enlarged because of its size alone (issue 10);
 * a page of two words (low confidence, review with the reason); the hOCR
 * and ALTO geometry scaling (table); a two-column letter header (issuer |
 * national motto) read left block first, then right block.
 * usage: test_ocr [FOLDER]  FOLDER holds NAME.png + NAME.gt.txt pages to
 * use instead of rendering (the bound then applies to each page).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unistr.h>

#include "../../stages/ocr.h"
#include "engine/fsio.h"
#include "unit.h"

#define CER_BOUND 0.03

/* Code points of s, NFC, whitespace collapsed to single spaces. */
static uint32_t *norm_cps(const char *s, size_t *n)
{
	char *t = ocr_nfc(s);
	size_t len = strlen(t), i = 0, k = 0;
	uint32_t *cp = xcalloc(len + 1, sizeof *cp);
	const uint8_t *p = (const uint8_t *)t;
	bool space = true;
	while (i < len) {
		ucs4_t c;
		int m = u8_mbtouc(&c, p + i, len - i);
		i += (size_t)m;
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			space = true;
			continue;
		}
		if (space && k)
			cp[k++] = ' ';
		space = false;
		cp[k++] = c;
	}
	free(t);
	*n = k;
	return cp;
}

/* Character error rate of got against want (Levenshtein / len(want)). */
static double cer(const char *want, const char *got)
{
	size_t na, nb, i, j;
	uint32_t *a = norm_cps(want, &na), *b = norm_cps(got, &nb);
	size_t *row = xcalloc(nb + 1, sizeof *row);
	double r;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	r = na ? (double)row[nb] / (double)na : (nb ? 1.0 : 0.0);
	free(a);
	free(b);
	free(row);
	return r;
}

static const char *const sentences[] = {
	"Luật này quy định về thủ tục hải quan, kiểm tra, giám sát hải quan đối với hàng hóa xuất khẩu, nhập khẩu.",
	"Tổ chức, cá nhân có quyền và nghĩa vụ liên quan đến hoạt động xuất khẩu, nhập khẩu, quá cảnh hàng hóa.",
};

/* Every word of the text is a word of the hOCR and of the ALTO: the PDF
 * text layer says what text.txt says. */
static void check_layers(const struct ocr_result *res)
{
	char *copy = xstrdup(res->text), *save = NULL, *tok;
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *h = xasprintf(">%s</span>", tok), *a = xasprintf("CONTENT=\"%s\"", tok);
		if (strchr(tok, '&') || strchr(tok, '<') || strchr(tok, '"') || strchr(tok, '\'')) {
			free(h);
			free(a);
			continue; /* escaped in the XML */
		}
		CHECK(strstr(res->hocr, h) != NULL);
		CHECK(strstr(res->alto, a) != NULL);
		if (!strstr(res->hocr, h) || !strstr(res->alto, a))
			fprintf(stderr, "word '%s' not in the hOCR or ALTO\n", tok);
		free(h);
		free(a);
	}
	free(copy);
}

static void ocr_one(struct ocr_engine *e, const char *img, const char *want)
{
	struct errbuf err;
	struct ocr_result res, again;
	PIX *pix = pixRead(img);
	double c;
	int nw;
	CHECK(pix != NULL);
	if (!pix)
		return;
	err_init(&err);
	CHECK(ocr_engine_page(e, pix, 300, &res, &err) == 0);
	CHECK(ocr_engine_page(e, pix, 300, &again, &err) == 0);
	if (res.text && again.text && res.hocr && again.hocr && res.alto && again.alto) {
		CHECK_STR(again.text, res.text);
		CHECK(strcmp(again.hocr, res.hocr) == 0);
		CHECK(strcmp(again.alto, res.alto) == 0);
		check_layers(&res);
	}
	ocr_result_release(&again);
	if (res.text) {
		c = cer(want, res.text);
		printf("%s: CER %.2f%% conf %.1f, lines retried %d replaced %d patched %d\n", img, 100 * c, res.mean_conf,
		       res.lines_retried, res.lines_replaced, res.lines_patched);
		CHECK(c <= CER_BOUND);
		if (c > CER_BOUND)
			fprintf(stderr, "want: %s\ngot:  %s\n", want, res.text);
	}
	CHECK(res.words > 5 && res.mean_conf > 50);
	CHECK(res.hocr && strstr(res.hocr, "ocrx_word"));
	CHECK(res.alto && strstr(res.alto, "<String"));
	if (res.hocr) {
		double hc = ocr_hocr_mean_conf(res.hocr, &nw);
		CHECK(nw == res.words);
		CHECK(hc > res.mean_conf - 1 && hc < res.mean_conf + 1);
	}
	ocr_result_release(&res);
	pixDestroy(&pix);
}

/* The same page in pale ink on yellowed paper (ink 150, paper 213):
 * Sauvola alone reads nothing there; the page is stretched before reading
 * and must read as well. */
static void ocr_low_contrast(struct ocr_engine *e, const char *img, const char *want)
{
	struct errbuf err;
	struct ocr_result res;
	PIX *pix = pixRead(img), *grey = NULL, *bin = NULL;
	BOX *box = NULL;
	/* the text's box with a margin: ink as dense as on a page of text
	 * (pango-view renders one long line on a wide white strip) */
	if (pix && (bin = pixConvertTo1(pix, 128)) && pixClipToForeground(bin, NULL, &box) == 0) {
		PIX *t = pixClipRectangle(pix, box, NULL), *t8 = t ? pixConvertTo8(t, 0) : NULL;
		grey = t8 ? pixAddBorder(t8, 30, 255) : NULL;
		pixDestroy(&t8);
		pixDestroy(&t);
	}
	boxDestroy(&box);
	pixDestroy(&bin);
	CHECK(grey != NULL);
	if (!grey) {
		pixDestroy(&pix);
		return;
	}
	pixMultConstantGray(grey, 63.0f / 255.0f);
	pixAddConstantGray(grey, 150);
	err_init(&err);
	CHECK(ocr_engine_page(e, grey, 300, &res, &err) == 0);
	if (res.text) {
		double c = cer(want, res.text);
		printf("%s, low contrast: CER %.2f%% conf %.1f\n", img, 100 * c, res.mean_conf);
		CHECK(c <= CER_BOUND);
		if (c > CER_BOUND)
			fprintf(stderr, "want: %s\ngot:  %s\n", want, res.text);
	}
	ocr_result_release(&res);
	pixDestroy(&grey);
	pixDestroy(&pix);
}

/* The sentence at a quarter of its resolution (x-height about 5 px) with a
 * wrong 300 dpi tag: read enlarged, within the bound, with the geometry of
 * the small image in the hOCR; and without enlarging it reads worse. */
static void ocr_low_resolution(struct ocr_engine *e, const char *img, const char *want)
{
	struct errbuf err;
	struct ocr_result res;
	PIX *pix = pixRead(img), *small = pix ? pixScaleAreaMap(pix, 0.25f, 0.25f) : NULL;
	CHECK(small != NULL);
	if (!small) {
		pixDestroy(&pix);
		return;
	}
	err_init(&err);
	CHECK(ocr_engine_page(e, small, 300, &res, &err) == 0);
	if (res.text) {
		double c = cer(want, res.text);
		const char *bb = res.hocr ? strstr(res.hocr, "ocr_page") : NULL;
		int pw = 0, ph = 0;
		printf("%s at 1/4: CER %.2f%% page conf %.1f x-height %.0f px, %d readings, kept %s (%s)\n", img, 100 * c, res.page_conf,
		       res.xheight, res.readings, res.reading, res.why);
		CHECK(c <= 0.05);
		CHECK(res.xheight >= 4 && res.xheight <= 7);
		CHECK(res.readings >= 2 && !strncmp(res.reading, "enlarged", 8));
		bb = bb ? strstr(bb, "bbox ") : NULL;
		CHECK(bb && sscanf(bb, "bbox 0 0 %d %d", &pw, &ph) == 2);
		CHECK(pw == pixGetWidth(small) && ph == pixGetHeight(small));
		if (c > 0.05)
			fprintf(stderr, "want: %s\ngot:  %s\n", want, res.text);
	}
	ocr_result_release(&res);
	pixDestroy(&small);
	pixDestroy(&pix);
}

/* Issue 10: a small page (short side under 1000 px) that reads poorly is
 * also read enlarged by its size, even when its measured x-height says the
 * letters are large enough (blur merges letters: the x-height measured is
 * that of words).  Here the x-height rule is set to 3 px so that only the
 * page's size can call for the enlarged reading; it is kept, with the small
 * page's geometry in the hOCR. */
static void ocr_small_page(const char *img, const char *want)
{
	struct errbuf err;
	struct ocr_result res;
	struct ocr_opts opts;
	struct ocr_engine *e;
	PIX *pix = pixRead(img), *small = pix ? pixScaleAreaMap(pix, 0.25f, 0.25f) : NULL;
	CHECK(small != NULL);
	ocr_opts_default(&opts);
	opts.upscale_xheight = 3;
	err_init(&err);
	e = ocr_engine_new(&opts, &err);
	CHECK(e != NULL);
	if (e && small && ocr_engine_page(e, small, 300, &res, &err) == 0) {
		double c = cer(want, res.text);
		const char *bb = res.hocr ? strstr(res.hocr, "ocr_page") : NULL;
		int pw = 0, ph = 0;
		printf("%s at 1/4, x-height rule off: CER %.2f%% page conf %.1f, %d readings, kept %s (%s)\n", img, 100 * c, res.page_conf,
		       res.readings, res.reading, res.why);
		CHECK(c <= 0.05);
		CHECK(res.readings >= 2 && !strncmp(res.reading, "enlarged", 8));
		bb = bb ? strstr(bb, "bbox ") : NULL;
		CHECK(bb && sscanf(bb, "bbox 0 0 %d %d", &pw, &ph) == 2);
		CHECK(pw == pixGetWidth(small) && ph == pixGetHeight(small));
		ocr_result_release(&res);
	}
	ocr_engine_free(e);
	pixDestroy(&small);
	pixDestroy(&pix);
}

/* Two words on a page: whatever Tesseract's confidence, the page's is low
 * and the reason says why. */
static void ocr_few_words(struct ocr_engine *e, const char *img)
{
	struct errbuf err;
	struct ocr_result res;
	PIX *pix = pixRead(img);
	BOX *box = boxCreate(0, 0, 300, pix ? pixGetHeight(pix) : 1);
	PIX *cut = pix ? pixClipRectangle(pix, box, NULL) : NULL;
	boxDestroy(&box);
	CHECK(cut != NULL);
	err_init(&err);
	if (cut && ocr_engine_page(e, cut, 300, &res, &err) == 0) {
		printf("%s, first inch: '%s' mean conf %.1f page conf %.1f review '%s'\n", img, res.text, res.mean_conf, res.page_conf, res.review);
		CHECK(res.page_conf <= 30);
		CHECK(strstr(res.review, "only") != NULL);
		ocr_result_release(&res);
	}
	pixDestroy(&cut);
	pixDestroy(&pix);
}

/* Render text (lines by \n) with pango-view at 300 dpi; NULL when it
 * cannot. */
static PIX *render(const char *dir, const char *name, const char *text)
{
	char *txt = xasprintf("%s/%s.txt", dir, name), *img = xasprintf("%s/%s.png", dir, name);
	char *cmd = xasprintf("pango-view -q --font='Liberation Serif 13' --dpi=300 --margin=20 --align=center "
	                      "--antialias=gray -o '%s' '%s' 2>/dev/null", img, txt);
	struct errbuf err;
	PIX *pix = NULL;
	err_init(&err);
	if (fsio_write_atomic(txt, text, strlen(text), &err) == 0 && system(cmd) == 0)
		pix = pixRead(img);
	unlink(txt);
	unlink(img);
	free(txt);
	free(img);
	free(cmd);
	return pix;
}

/* Issuer block | national motto side by side, with the số line under the
 * issuer: the text has the left block, then the right. */
static void ocr_two_columns(struct ocr_engine *e, const char *dir)
{
	static const char left[] = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 574/UBND-KTTH\nV/v tham gia ý kiến";
	static const char right[] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nQuảng Ngãi, ngày 04 tháng 02 năm 2025";
	static const char want[] = "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI Số: 574/UBND-KTTH V/v tham gia ý kiến "
	                           "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc Quảng Ngãi, ngày 04 tháng 02 năm 2025";
	PIX *l = render(dir, "left", left), *r = render(dir, "right", right), *page = NULL, *l8 = NULL, *r8 = NULL;
	struct errbuf err;
	struct ocr_result res;
	CHECK(l && r);
	if (l && r) {
		l8 = pixConvertTo8(l, 0);
		r8 = pixConvertTo8(r, 0);
		page = pixCreate(2480, 900, 8);
		pixSetAll(page);
		pixRasterop(page, 100, 100, pixGetWidth(l8), pixGetHeight(l8), PIX_SRC, l8, 0, 0);
		pixRasterop(page, 1150, 100, pixGetWidth(r8), pixGetHeight(r8), PIX_SRC, r8, 0, 0);
		err_init(&err);
		CHECK(ocr_engine_page(e, page, 300, &res, &err) == 0);
		if (res.text) {
			double c = cer(want, res.text);
			printf("two-column header: CER %.2f%%\n", 100 * c);
			CHECK(c <= 0.03);
			if (c > 0.03)
				fprintf(stderr, "want: %s\ngot:  %s\n", want, res.text);
		}
		ocr_result_release(&res);
	}
	pixDestroy(&page);
	pixDestroy(&l8);
	pixDestroy(&r8);
	pixDestroy(&l);
	pixDestroy(&r);
}

int main(int argc, char **argv)
{
	static const struct { const char *in, *want; } nfc[] = {
		{ "kha\xcc\x82\xcc\x89u", "khẩu" },      /* a + circumflex + hook above */
		{ "Vie\xcc\xa3\xcc\x82t", "Việt" },       /* dot below before circumflex */
		{ "ho\xcc\x82\xcc\x80 so\xcc\x9b", "hồ sơ" },
		{ "plain", "plain" },
	};
	static const struct { const char *hocr; double mean; int n; } confs[] = {
		{ "<span class='ocrx_word' title='bbox 1 2 3 4; x_wconf 90'>a</span><span class='ocrx_word' title='bbox 1 2 3 4; x_wconf 70'>b</span>", 80, 2 },
		{ "<div class='ocr_page'></div>", -1, 0 },
	};
	struct ocr_opts opts;
	struct ocr_engine *e;
	struct errbuf err;
	size_t i;
	char *bad;

	for (i = 0; i < sizeof nfc / sizeof nfc[0]; i++) {
		char *s = ocr_nfc(nfc[i].in);
		CHECK_STR(s, nfc[i].want);
		free(s);
	}
	bad = ocr_nfc("\xff\xfe");
	CHECK(bad == NULL);
	for (i = 0; i < sizeof confs / sizeof confs[0]; i++) {
		int n;
		double m = ocr_hocr_mean_conf(confs[i].hocr, &n);
		CHECK(n == confs[i].n);
		CHECK(m > confs[i].mean - 0.01 && m < confs[i].mean + 0.01);
	}
	{
		static const struct { const char *in, *want; bool alto; double f; } geo[] = {
			{ "title='bbox 30 60 90 120; baseline 0.012 -9; x_size 30; x_descenders 6.5; x_ascenders 9'",
			  "title='bbox 10 20 30 40; baseline 0.012 -3; x_size 10; x_descenders 2.167; x_ascenders 3'", false, 1.0 / 3 },
			{ "<String ID=\"s1\" HPOS=\"10\" VPOS=\"20\" WIDTH=\"31\" HEIGHT=\"8\" WC=\"0.96\" CONTENT=\"bbox 1 2\"/>",
			  "<String ID=\"s1\" HPOS=\"20\" VPOS=\"40\" WIDTH=\"62\" HEIGHT=\"16\" WC=\"0.96\" CONTENT=\"bbox 1 2\"/>", true, 2 },
		};
		for (i = 0; i < sizeof geo / sizeof geo[0]; i++) {
			char *d = xstrdup(geo[i].in);
			ocr_scale_geometry(&d, geo[i].alto, geo[i].f);
			CHECK_STR(d, geo[i].want);
			free(d);
		}
	}
	CHECK(cer("abc", "abc") == 0);
	CHECK(cer("khẩu", "khâu") > 0.24 && cer("khẩu", "khâu") < 0.26);

	ocr_opts_default(&opts);
	opts.lang = "nosuchlang";
	err_init(&err);
	e = ocr_engine_new(&opts, &err);
	CHECK(e == NULL && strstr(err.msg, "'nosuchlang'"));

	ocr_opts_default(&opts);
	err_init(&err);
	e = ocr_engine_new(&opts, &err);
	CHECK(e != NULL);
	if (!e) {
		fprintf(stderr, "%s\n", err.msg);
		return unit_done("test_ocr");
	}
	{
		/* One thread: OMP_THREAD_LIMIT=1 from the caller, or what the
		 * engine did (max-active-levels 0); no libgomp, nothing to limit. */
		int (*limit)(void), (*levels)(void);
		*(void **)&limit = dlsym(RTLD_DEFAULT, "omp_get_thread_limit");
		*(void **)&levels = dlsym(RTLD_DEFAULT, "omp_get_max_active_levels");
		CHECK(!limit || !levels || limit() == 1 || levels() == 0);
	}
	if (argc > 1) {
		DIR *d = opendir(argv[1]);
		struct dirent *de;
		CHECK(d != NULL);
		while (d && (de = readdir(d)) != NULL) {
			char *img, *gt, *want = NULL;
			size_t len;
			if (!str_ends(de->d_name, ".png"))
				continue;
			img = xasprintf("%s/%s", argv[1], de->d_name);
			gt = xasprintf("%s/%.*s.gt.txt", argv[1], (int)strlen(de->d_name) - 4, de->d_name);
			if (fsio_read(gt, &want, &len, 1 << 20, &err) == 0)
				ocr_one(e, img, want);
			free(want);
			free(img);
			free(gt);
		}
		if (d)
			closedir(d);
	} else {
		char dir[] = "/tmp/test_ocr.XXXXXX";
		CHECK(mkdtemp(dir) != NULL);
		for (i = 0; i < sizeof sentences / sizeof sentences[0]; i++) {
			char *img = xasprintf("%s/s%zu.png", dir, i);
			char *txt = xasprintf("%s/s%zu.txt", dir, i);
			char *cmd = xasprintf("pango-view -q --font='Liberation Serif 12' --dpi=300 --margin=60 --width=1800 --wrap=word "
					      "--antialias=gray --hinting=full -o '%s' '%s' 2>/dev/null", img, txt);
			CHECK(fsio_write_atomic(txt, sentences[i], strlen(sentences[i]), &err) == 0);
			if (system(cmd) != 0) {
				fprintf(stderr, "test_ocr: pango-view failed (package pango1.0-tools)\n");
				CHECK(0);
			} else {
				ocr_one(e, img, sentences[i]);
				ocr_low_contrast(e, img, sentences[i]);
				ocr_low_resolution(e, img, sentences[i]);
				if (i == 0) {
					ocr_few_words(e, img);
					ocr_small_page(img, sentences[i]);
				}
			}
			unlink(img);
			unlink(txt);
			free(img);
			free(txt);
			free(cmd);
		}
		ocr_two_columns(e, dir);
		rmdir(dir);
	}
	ocr_engine_free(e);
	return unit_done("test_ocr");
}
