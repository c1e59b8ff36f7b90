/*
 * proposeeval.c - measure the precision and recall of OCR-assisted metadata
 * (propose.c) per field.
 *
 *   proposeeval CONFIG_DIR DIR [EXT]
 *
 * For every DIR/NAME.fields.json (known fields: typeName, codeNumber,
 * codeNotation, issuedDate, organName, subject) reads the OCR text
 * DIR/NAME<EXT> (default ".ocr.txt"), and DIR/NAME.hocr when there is one
 * (ocreval -H: the word confidences), and compares the proposals: a value is
 * correct when it equals the truth after NFC, collapsing spaces and, for
 * organName and subject, ignoring case and a leading "V/v"/"Về việc".
 * Prints one line per field: proposed, correct, truth count, precision,
 * recall, and wrong proposals with a confidence of 0.8 or more; with -v
 * also every miss with its confidence.  The word pairs of
 * CONFIG_DIR/viet-bigrams.tsv doubt a value's words as in a workspace
 * (propose_use_pairs()); -n leaves them out.  Exit 0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>

#include "engine/fsio.h"
#include "archive/meta.h"
#include "archive/propose.h"

/* The string value of "key" in a flat JSON object; caller frees. */
static char *json_get(const char *j, const char *key)
{
	char *pat = xasprintf("\"%s\"", key);
	const char *p = strstr(j, pat);
	struct strbuf sb;
	free(pat);
	if (!p)
		return NULL;
	p = strchr(p + strlen(key) + 2, '"');
	if (!p)
		return NULL;
	sb_init(&sb, 0);
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			if (*p == 'n')
				sb_addc(&sb, '\n');
			else
				sb_addc(&sb, *p);
		} else {
			sb_addc(&sb, *p);
		}
	}
	return sb_detach(&sb);
}

static char *norm(const char *s, int fold)
{
	size_t n = 0;
	uint8_t *r;
	char *o, *w;
	const char *q = s;
	if (fold) {
		if (!strncasecmp(q, "V/v ", 4))
			q += 4;
		else if (!strncmp(q, "Về việc ", strlen("Về việc ")))
			q += strlen("Về việc ");
		r = u8_tolower((const uint8_t *)q, strlen(q), NULL, UNINORM_NFC, NULL, &n);
	} else {
		r = u8_normalize(UNINORM_NFC, (const uint8_t *)q, strlen(q), NULL, &n);
	}
	o = xstrndup((const char *)r, n);
	free(r);
	w = o;
	for (char *p = o; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			if (w > o && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *p;
		}
	}
	while (w > o && (w[-1] == ' ' || w[-1] == '.'))
		w--;
	*w = '\0';
	return o;
}

int main(int argc, char **argv)
{
	struct errbuf err;
	struct meta_schema *s;
	const char *ext = ".ocr.txt";
	int verbose = 0, nopairs = 0, ai = 1, ndocs = 0;
	int prop[PROPOSE_NFIELDS] = {0}, ok[PROPOSE_NFIELDS] = {0}, truth[PROPOSE_NFIELDS] = {0}, sure_wrong[PROPOSE_NFIELDS] = {0};
	DIR *d;
	struct dirent *e;
	for (; ai < argc && argv[ai][0] == '-' && argv[ai][1]; ai++) {
		if (!strcmp(argv[ai], "-v"))
			verbose = 1;
		else if (!strcmp(argv[ai], "-n"))
			nopairs = 1;
		else
			break;
	}
	if (argc - ai < 2) {
		fprintf(stderr, "usage: proposeeval [-v] [-n] CONFIG_DIR DIR [EXT]\n");
		return 2;
	}
	if (argc - ai > 2)
		ext = argv[ai + 2];
	err_init(&err);
	s = meta_schema_load(argv[ai], &err);
	if (!s) {
		fprintf(stderr, "proposeeval: %s\n", err.msg);
		return 1;
	}
	if (!nopairs) {
		char *pp = xasprintf("%s/viet-bigrams.tsv", argv[ai]);
		if (propose_use_pairs(pp, &err) < 0) {
			fprintf(stderr, "proposeeval: %s\n", err.msg);
			return 1;
		}
		free(pp);
	}
	d = opendir(argv[ai + 1]);
	if (!d) {
		fprintf(stderr, "proposeeval: cannot open '%s'\n", argv[ai + 1]);
		return 1;
	}
	while ((e = readdir(d))) {
		char *jp, *tp, *json = NULL, *text = NULL, *base;
		size_t len;
		struct proposal p;
		if (!str_ends(e->d_name, ".fields.json"))
			continue;
		base = xstrndup(e->d_name, strlen(e->d_name) - strlen(".fields.json"));
		jp = xasprintf("%s/%s", argv[ai + 1], e->d_name);
		tp = xasprintf("%s/%s%s", argv[ai + 1], base, ext);
		err_init(&err);
		if (fsio_read(jp, &json, &len, 1 << 20, &err) == 0 && fsio_read(tp, &text, &len, 1 << 24, &err) == 0) {
			ndocs++;
			char *hp = xasprintf("%s/%s.hocr", argv[ai + 1], base), *hocr = NULL;
			struct errbuf herr;
			err_init(&herr);
			if (fsio_read(hp, &hocr, &len, 1 << 26, &herr) < 0)
				hocr = NULL; /* no word confidences: the text alone */
			free(hp);
			propose_text(text, hocr, meta_codelist_find(s, "typeName"), &p);
			free(hocr);
			for (int k = 0; k < PROPOSE_NFIELDS; k++) {
				char *t = json_get(json, p.item[k].field);
				int fold = k == PROPOSE_ORGAN_NAME || k == PROPOSE_SUBJECT;
				if (t && *t)
					truth[k]++;
				if (p.item[k].value) {
					char *a = norm(p.item[k].value, fold), *b = t ? norm(t, fold) : xstrdup("");
					prop[k]++;
					if (!strcmp(a, b))
						ok[k]++;
					else if (p.item[k].confidence >= 0.8)
						sure_wrong[k]++;
					if (strcmp(a, b) && verbose)
						printf("%s %s: proposed '%s' (confidence %.2f) truth '%s'\n", base, p.item[k].field, p.item[k].value,
						       p.item[k].confidence, t ? t : "");
					free(a);
					free(b);
				} else if (verbose && t && *t) {
					printf("%s %s: none, truth '%s'\n", base, p.item[k].field, t);
				}
				free(t);
			}
			propose_release(&p);
		}
		free(json);
		free(text);
		free(jp);
		free(tp);
		free(base);
	}
	closedir(d);
	printf("%d documents\n%-14s %8s %8s %8s %9s %7s %9s\n", ndocs, "field", "proposed", "correct", "truth", "precision", "recall", "wrong>=.8");
	for (int k = 0; k < PROPOSE_NFIELDS; k++) {
		static const char *const names[] = {"codeNumber", "codeNotation", "issuedDate", "organName", "typeName", "subject"};
		printf("%-14s %8d %8d %8d %9.3f %7.3f %9d\n", names[k], prop[k], ok[k], truth[k],
		       prop[k] ? (double)ok[k] / prop[k] : 0.0, truth[k] ? (double)ok[k] / truth[k] : 0.0, sure_wrong[k]);
	}
	meta_schema_free(s);
	return 0;
}
