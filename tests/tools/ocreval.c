/*
 * ocreval.c - OCR a folder of page images with the ocr stage's engine, for
 * measuring quality and speed (`make bench`, and by hand with
 * ../shared/corpus/cer.py).
 *
 * usage: ocreval [-l LANG] [-a ALT_LANG] [-R REREAD_BELOW] [-u UPSCALE_XHEIGHT] [-p PSM] [-t THRESHOLDING] [-r LINE_RETRY] [-s SCALE] [-n] [-m MARGIN] [-v 'VAR=VAL ...'] [-H] [-C] [-P PAIRS.tsv] INDIR OUTDIR
 * Defaults are the ocr stage's (Sauvola, circumflex word retry); -n turns
 * the retry off, -t 0 gives Tesseract's Otsu, -r re-reads lines under a
 * confidence, -v sets Tesseract variables, -s scales the image first;
 * -a, -R, -u set ocr.alt_lang, ocr.reread_below, ocr.upscale_xheight;
 * -C turns ocr.columns off; -P PAIRS.tsv turns the correction step on
 * (ocr.pairs, e.g. config/viet-bigrams.tsv).
 * Every *.png, *.jpg, *.tif, *.pnm in INDIR (sorted) is recognized into
 * OUTDIR/NAME.txt (NAME: the file name without its extension), and with -H
 * the hOCR into OUTDIR/NAME.hocr.  Prints on stdout one line per page
 * "NAME SECONDS CPU_SECONDS CONF retried N replaced N patched N page_conf P
 * xheight X readings N corrected N doubtful N pitch S kept READING" (lines with a
 * word or the whole line read again, changed, patched into the hOCR; the
 * page confidence, the measured x-height, how many readings, the words
 * the correction step changed and those the word pairs doubt, the spread
 * of the width per letter, and which reading was kept)
 * and the closing line "pages N seconds/page S.SS cpu/page C.CC mean_conf M".
 * Exits 1 when a page fails.
 *
 * Error policy: a page that cannot be read or recognized is reported on
 * stderr and counted; the run goes on.
 */
#include <dirent.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../stages/ocr.h"
#include "engine/fsio.h"

static int ocreval_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static double ocreval_clock(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ocr_opts opts;
	struct ocr_engine *eng;
	struct errbuf err;
	double scale = 1, total = 0, cpu = 0, confsum = 0;
	char **names = NULL;
	size_t n = 0, i;
	int c, failed = 0, done = 0;
	DIR *d;
	struct dirent *de;

	ocr_opts_default(&opts);
	opts.want_alto = false;
	opts.want_hocr = false;
	while ((c = getopt(argc, argv, "l:a:R:u:p:t:r:s:nm:v:HCP:")) != -1) {
		switch (c) {
		case 'l': opts.lang = optarg; break;
		case 'a': opts.alt_lang = optarg; break;
		case 'R': opts.reread_below = atof(optarg); break;
		case 'u': opts.upscale_xheight = atof(optarg); break;
		case 'p': opts.psm = atoi(optarg); break;
		case 't': opts.thresholding = atoi(optarg); break;
		case 'r': opts.line_retry = atof(optarg); break;
		case 's': scale = atof(optarg); break;
		case 'n': opts.retry_circumflex = false; break;
		case 'v': opts.vars = optarg; break;
		case 'H': opts.want_hocr = true; break;
		case 'C': opts.columns = false; break;
		case 'P': opts.pairs = optarg; break;
		case 'm': opts.retry_margin = atof(optarg); break;
		default:
			fprintf(stderr, "usage: ocreval [-l LANG] [-a ALT_LANG] [-R REREAD_BELOW] [-u UPSCALE_XHEIGHT] [-p PSM] [-t THRESHOLDING] [-r LINE_RETRY] [-s SCALE] [-n] [-m MARGIN] [-v 'VAR=VAL ...'] [-H] [-C] [-P PAIRS.tsv] INDIR OUTDIR\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: ocreval [-l LANG] [-a ALT_LANG] [-R REREAD_BELOW] [-u UPSCALE_XHEIGHT] [-p PSM] [-t THRESHOLDING] [-r LINE_RETRY] [-s SCALE] [-n] [-m MARGIN] [-v 'VAR=VAL ...'] [-H] [-C] [-P PAIRS.tsv] INDIR OUTDIR\n");
		return 2;
	}
	err_init(&err);
	if (fsio_mkdirs(argv[optind + 1], 0755, &err) < 0) {
		fprintf(stderr, "ocreval: %s\n", err.msg);
		return 1;
	}
	d = opendir(argv[optind]);
	if (!d) {
		fprintf(stderr, "ocreval: cannot open folder '%s'\n", argv[optind]);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		const char *ext = path_ext(de->d_name);
		if (strcmp(ext, "png") && strcmp(ext, "jpg") && strcmp(ext, "jpeg") && strcmp(ext, "tif") &&
		    strcmp(ext, "tiff") && strcmp(ext, "pnm") && strcmp(ext, "pgm") && strcmp(ext, "ppm") && strcmp(ext, "pbm"))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, ocreval_cmp);
	eng = ocr_engine_new(&opts, &err);
	if (!eng) {
		fprintf(stderr, "ocreval: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		char *in = xasprintf("%s/%s", argv[optind], names[i]);
		char *stem = xstrndup(names[i], strrchr(names[i], '.') - names[i]);
		char *out = xasprintf("%s/%s.txt", argv[optind + 1], stem);
		struct ocr_result res;
		PIX *pix = pixRead(in);
		int dpi;
		double t0 = ocreval_clock(CLOCK_MONOTONIC), c0 = ocreval_clock(CLOCK_PROCESS_CPUTIME_ID), dt, dc;
		err_init(&err);
		memset(&res, 0, sizeof res);
		if (!pix) {
			fprintf(stderr, "ocreval: cannot read '%s'\n", in);
			failed++;
			goto next;
		}
		dpi = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 300;
		if (scale != 1) {
			PIX *s = pixScale(pix, (float)scale, (float)scale);
			pixDestroy(&pix);
			pix = s;
			dpi = (int)(dpi * scale + 0.5);
		}
		if (ocr_engine_page(eng, pix, dpi, &res, &err) < 0 ||
		    fsio_write_atomic(out, res.text, strlen(res.text), &err) < 0) {
			fprintf(stderr, "ocreval: '%s': %s\n", in, err.msg);
			failed++;
			goto next;
		}
		if (res.hocr) {
			char *hp = xasprintf("%s/%s.hocr", argv[optind + 1], stem);
			if (fsio_write_atomic(hp, res.hocr, strlen(res.hocr), &err) < 0)
				fprintf(stderr, "ocreval: %s\n", err.msg);
			free(hp);
		}
		dt = ocreval_clock(CLOCK_MONOTONIC) - t0;
		dc = ocreval_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
		total += dt;
		cpu += dc;
		confsum += res.mean_conf;
		done++;
		printf("%s %.2f %.2f %.1f retried %d replaced %d patched %d page_conf %.1f xheight %.0f readings %d corrected %d doubtful %d pitch %.3f kept %s\n", stem, dt, dc,
		       res.mean_conf, res.lines_retried, res.lines_replaced, res.lines_patched, res.page_conf, res.xheight, res.readings,
		       res.corrected, res.doubtful, res.pitch_spread, res.reading);
		if (getenv("OCREVAL_WHY"))
			printf("  %s%s%s\n", res.why, res.review[0] ? "; review: " : "", res.review);
		fflush(stdout);
next:
		ocr_result_release(&res);
		pixDestroy(&pix);
		free(in);
		free(stem);
		free(out);
		free(names[i]);
	}
	free(names);
	ocr_engine_free(eng);
	printf("pages %d seconds/page %.2f cpu/page %.2f mean_conf %.1f\n", done, done ? total / done : 0, done ? cpu / done : 0,
	       done ? confsum / done : 0);
	return failed ? 1 : 0;
}
