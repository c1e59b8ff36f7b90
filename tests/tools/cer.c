/*
 * cer.c - character and word error rates of OCR output against ground truth,
 * for tests/quality.sh, tests/bench.sh and the OCR tests.
 *
 * usage: cer [-q] [-e EXT] [-n NAME...] GTDIR OUTDIR
 *
 * For every GTDIR/NAME.gt.txt (sorted; with -n only the NAMEs given, which
 * then are the remaining arguments after GTDIR OUTDIR), reads OUTDIR/NAME.txt
 * (-e changes ".txt"; a missing file counts as empty output and as
 * "missing").  Both texts are NFC-normalized (libunistring) and their
 * whitespace collapsed to single spaces; CER is the Levenshtein distance over
 * Unicode code points divided by the ground truth's length, WER the same over
 * words.  An empty ground truth (a blank page) counts its output's length as
 * errors over zero characters: it adds to the total's errors only.
 *
 * BOW, the bag-of-words error, ignores reading order (two-column headers
 * of real letters can be read either way): over the multisets of words,
 * max(words of the truth not in the output, words of the output not in
 * the truth) divided by the truth's word count, so that a misread word
 * counts once, as in WER.
 *
 * Prints one line per page (unless -q)
 *   NAME<TAB>chars N<TAB>CER x.xx%<TAB>WER x.xx%<TAB>BOW x.xx%
 * and the total line
 *   CER x.xx WER x.xx pages N missing M BOW x.xx
 * the format of ../shared/corpus/cer.py, which it must agree with on CER
 * and WER, with BOW appended.
 *
 * Error policy: an unreadable ground truth or invalid UTF-8 in it is fatal
 * (exit 1, naming the file); invalid UTF-8 in the OCR output is read as
 * U+FFFD per bad byte, like Python's errors="replace", since OCR output is
 * what is being judged.  Usage errors exit 2.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uninorm.h>
#include <unistr.h>
#include <unictype.h>

#include "engine/util.h"

static int cer_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole of a file, NUL-terminated; NULL when it cannot be opened. */
static char *cer_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	if (!f)
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Decode UTF-8 into code points, bad bytes as U+FFFD; returns the count. */
static size_t cer_decode(const char *s, size_t len, uint32_t **out)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	uint32_t *cp = xcalloc(len + 1, sizeof *cp);
	size_t n = 0;
	while (p < end) {
		ucs4_t uc;
		int k = u8_mbtouc(&uc, p, end - p);
		cp[n++] = uc;
		p += k > 0 ? k : 1;
	}
	*out = cp;
	return n;
}

static bool cer_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f) ||
	       uc_is_property_white_space(c);
}

/*
 * Text as NFC code points with whitespace collapsed, as cer.py does:
 * " ".join(unicodedata.normalize("NFC", t).split()).
 */
static size_t cer_norm(const char *s, size_t len, uint32_t **out)
{
	uint32_t *raw, *nfc, *res;
	size_t n = cer_decode(s, len, &raw), m = 0, i, k = 0;
	nfc = u32_normalize(UNINORM_NFC, raw, n, NULL, &m);
	free(raw);
	if (!nfc && m == 0)
		nfc = xcalloc(1, sizeof *nfc);
	if (!nfc) {
		fprintf(stderr, "cer: out of memory normalizing text\n");
		exit(1);
	}
	res = xcalloc(m + 1, sizeof *res);
	for (i = 0; i < m; i++) {
		if (cer_space(nfc[i])) {
			if (k > 0 && res[k - 1] != ' ')
				res[k++] = ' ';
		} else {
			res[k++] = nfc[i];
		}
	}
	if (k > 0 && res[k - 1] == ' ')
		k--;
	free(nfc);
	*out = res;
	return k;
}

/* Levenshtein distance of two sequences, two rows of memory. */
static size_t cer_lev(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t *prev = xcalloc(nb + 1, sizeof *prev), *cur = xcalloc(nb + 1, sizeof *cur), *t, i, j, d;
	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++) {
		cur[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	d = prev[nb];
	free(prev);
	free(cur);
	return d;
}

/* A word vocabulary shared by both texts, so words compare as integers. */
struct cer_vocab {
	uint32_t **w;
	size_t *len, n;
};

static uint32_t cer_word_id(struct cer_vocab *v, const uint32_t *w, size_t len)
{
	size_t i;
	for (i = 0; i < v->n; i++)
		if (v->len[i] == len && memcmp(v->w[i], w, len * sizeof *w) == 0)
			return (uint32_t)i;
	v->w = xrealloc(v->w, (v->n + 1) * sizeof *v->w);
	v->len = xrealloc(v->len, (v->n + 1) * sizeof *v->len);
	v->w[v->n] = (uint32_t *)w;  /* borrowed from the normalized text */
	v->len[v->n] = len;
	return (uint32_t)v->n++;
}

/* Words of a normalized text (single spaces) as vocabulary ids. */
static size_t cer_words(struct cer_vocab *v, const uint32_t *s, size_t n, uint32_t **out)
{
	uint32_t *ids = xcalloc(n + 1, sizeof *ids);
	size_t k = 0, i = 0, start;
	while (i < n) {
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		ids[k++] = cer_word_id(v, s + start, i - start);
		i++;
	}
	*out = ids;
	return k;
}

/* Bag-of-words errors of the output ids `o` against the truth ids `g`
 * (ids below nvocab): max(missing, extra). */
static size_t cer_bow(const uint32_t *g, size_t ng, const uint32_t *o, size_t no, size_t nvocab)
{
	long *count = xcalloc(nvocab + 1, sizeof *count);
	size_t i, missing = 0, extra = 0;
	for (i = 0; i < ng; i++)
		count[g[i]]++;
	for (i = 0; i < no; i++)
		count[o[i]]--;
	for (i = 0; i < nvocab; i++) {
		if (count[i] > 0)
			missing += (size_t)count[i];
		else
			extra += (size_t)-count[i];
	}
	free(count);
	return missing > extra ? missing : extra;
}

int main(int argc, char **argv)
{
	const char *ext = ".txt", *gtdir, *outdir;
	char **names = NULL;
	size_t nnames = 0, i;
	size_t ce = 0, cn = 0, we = 0, wn = 0, be = 0;
	int quiet = 0, only = 0, missing = 0, c;

	while ((c = getopt(argc, argv, "qe:n")) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'e': ext = optarg; break;
		case 'n': only = 1; break;
		default:
			fprintf(stderr, "usage: cer [-q] [-e EXT] [-n NAME...] GTDIR OUTDIR\n");
			return 2;
		}
	}
	if (argc - optind < 2 || (!only && argc - optind != 2)) {
		fprintf(stderr, "usage: cer [-q] [-e EXT] [-n NAME...] GTDIR OUTDIR\n");
		return 2;
	}
	gtdir = argv[optind];
	outdir = argv[optind + 1];
	if (only) {
		for (i = optind + 2; i < (size_t)argc; i++) {
			names = xrealloc(names, (nnames + 1) * sizeof *names);
			names[nnames++] = xstrdup(argv[i]);
		}
	} else {
		DIR *d = opendir(gtdir);
		struct dirent *de;
		if (!d) {
			fprintf(stderr, "cer: cannot open folder '%s'\n", gtdir);
			return 1;
		}
		while ((de = readdir(d)) != NULL) {
			size_t l = strlen(de->d_name);
			if (l <= 7 || strcmp(de->d_name + l - 7, ".gt.txt"))
				continue;
			names = xrealloc(names, (nnames + 1) * sizeof *names);
			names[nnames++] = xstrndup(de->d_name, l - 7);
		}
		closedir(d);
	}
	qsort(names, nnames, sizeof *names, cer_cmp);
	for (i = 0; i < nnames; i++) {
		char *gp = xasprintf("%s/%s.gt.txt", gtdir, names[i]);
		char *op = xasprintf("%s/%s%s", outdir, names[i], ext);
		size_t glen, olen = 0, ng, no, nwg, nwo, d, wd, bd;
		char *graw = cer_slurp(gp, &glen), *oraw;
		uint32_t *g, *o, *wg, *wo;
		struct cer_vocab v = { 0 };
		if (!graw) {
			fprintf(stderr, "cer: cannot read '%s': %m\n", gp);
			return 1;
		}
		if (u8_check((const uint8_t *)graw, glen)) {
			fprintf(stderr, "cer: '%s': invalid UTF-8\n", gp);
			return 1;
		}
		oraw = cer_slurp(op, &olen);
		if (!oraw) {
			missing++;
			oraw = xstrdup("");
			olen = 0;
		}
		ng = cer_norm(graw, glen, &g);
		no = cer_norm(oraw, olen, &o);
		d = cer_lev(g, ng, o, no);
		nwg = cer_words(&v, g, ng, &wg);
		nwo = cer_words(&v, o, no, &wo);
		wd = cer_lev(wg, nwg, wo, nwo);
		bd = cer_bow(wg, nwg, wo, nwo, v.n);
		be += bd;
		ce += d;
		cn += ng;
		we += wd;
		wn += nwg;
		if (!quiet)
			printf("%s\tchars %zu\tCER %.2f%%\tWER %.2f%%\tBOW %.2f%%\n", names[i], ng,
			       100.0 * d / (ng ? ng : 1), 100.0 * wd / (nwg ? nwg : 1), 100.0 * bd / (nwg ? nwg : 1));
		free(v.w);
		free(v.len);
		free(g);
		free(o);
		free(wg);
		free(wo);
		free(graw);
		free(oraw);
		free(gp);
		free(op);
		free(names[i]);
	}
	free(names);
	printf("CER %.2f WER %.2f pages %zu missing %d BOW %.2f\n", 100.0 * ce / (cn ? cn : 1),
	       100.0 * we / (wn ? wn : 1), nnames, missing, 100.0 * be / (wn ? wn : 1));
	return 0;
}
