/*
 * meta_schema.c - the TT05 schema: config/tt05-fields.tsv, the code lists
 * of config/codes/ and naming.conf, read once per command (see meta.h).
 *
 * Invariants: every field names a known type; a code field's list is
 * loaded; a field is found by level and name.  Error policy: a bad line of
 * a schema file is refused with file:line and why; nothing half-loaded is
 * returned.
 */
#include "archive/meta.h"
#include "archive/meta_impl.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/db.h"
#include "engine/events.h"

const char *meta_level_name(enum meta_level level)
{
	return level == META_FILE ? "file" : "document";
}

/* Split a line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		char *t = strchr(p, '\t');
		out[n++] = str_trim(p);
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

static int codelist_load(struct meta_codelist *cl, const char *dir, const char *name, struct errbuf *err)
{
	char *path = xasprintf("%s/codes/%s.tsv", dir, name), line[1024];
	FILE *f = fopen(path, "r");
	int lineno = 0;
	cl->name = xstrdup(name);
	if (!f) {
		err_set(err, "cannot open code list '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *col[3], *s;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		s = str_trim(line);
		if (!*s || *s == '#')
			continue;
		if (split_tabs(s, col, 3) < 2 || !*col[0]) {
			err_set(err, "%s:%d: '%s': expected code<TAB>label", path, lineno, s);
			fclose(f);
			free(path);
			return -1;
		}
		cl->v = xrealloc(cl->v, sizeof(*cl->v) * (size_t)(cl->n + 1));
		cl->v[cl->n].code = xstrdup(col[0]);
		cl->v[cl->n].label = xstrdup(col[1]);
		cl->n++;
	}
	fclose(f);
	free(path);
	return 0;
}

const struct meta_codelist *meta_codelist_find(const struct meta_schema *s, const char *name)
{
	for (int i = 0; i < s->ncl; i++)
		if (!strcmp(s->cl[i].name, name))
			return &s->cl[i];
	return NULL;
}

const char *meta_code_label(const struct meta_codelist *cl, const char *code)
{
	for (int i = 0; cl && i < cl->n; i++)
		if (!strcmp(cl->v[i].code, code))
			return cl->v[i].label;
	return NULL;
}

static const struct { const char *name; enum meta_type type; } types[] = {
	{"text", META_TEXT}, {"code", META_CODE}, {"codes", META_CODES},
	{"date", META_DATE}, {"number", META_NUMBER}, {"bool", META_BOOL},
};

struct meta_schema *meta_schema_load(const char *dir, struct errbuf *err)
{
	char *path = xasprintf("%s/tt05-fields.tsv", dir), line[4096], *npath = NULL;
	struct meta_schema *s = xcalloc(1, sizeof(*s));
	FILE *f = fopen(path, "r");
	int lineno = 0;
	char **clname = NULL; /* code list name per field, resolved at the end */
	if (!f) {
		err_set(err, "cannot open the metadata schema '%s': %s", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		char *col[9], *l;
		struct meta_field *fd;
		int ncol, t;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		l = str_trim(line);
		if (!*l || *l == '#')
			continue;
		ncol = split_tabs(l, col, 9);
		if (ncol != 8) {
			err_set(err, "%s:%d: '%s': expected 8 tab-separated columns, found %d", path, lineno, l, ncol);
			goto fail_f;
		}
		s->f = xrealloc(s->f, sizeof(*s->f) * (size_t)(s->n + 1));
		clname = xrealloc(clname, sizeof(*clname) * (size_t)(s->n + 1));
		fd = &s->f[s->n];
		memset(fd, 0, sizeof(*fd));
		clname[s->n] = NULL;
		s->n++;
		if (!strcmp(col[0], "file"))
			fd->level = META_FILE;
		else if (!strcmp(col[0], "document"))
			fd->level = META_DOCUMENT;
		else {
			err_set(err, "%s:%d: level '%s': expected 'file' or 'document'", path, lineno, col[0]);
			goto fail_f;
		}
		fd->name = xstrdup(col[1]);
		fd->label = xstrdup(col[2]);
		for (t = 0; t < (int)(sizeof(types) / sizeof(types[0])); t++)
			if (!strcmp(types[t].name, col[3]))
				break;
		if (t == (int)(sizeof(types) / sizeof(types[0]))) {
			err_set(err, "%s:%d: type '%s': expected text, code, codes, date, number or bool", path, lineno, col[3]);
			goto fail_f;
		}
		fd->type = types[t].type;
		fd->max = atoi(col[4]);
		if (!strcmp(col[5], "yes"))
			fd->req = 'y';
		else if (!strcmp(col[5], "no"))
			fd->req = 'n';
		else if (!strcmp(col[5], "digitized"))
			fd->req = 'd';
		else if (str_starts(col[5], "if:") && strchr(col[5], '=')) {
			char *eq = strchr(col[5], '=');
			fd->req = 'i';
			fd->if_field = xstrndup(col[5] + 3, (size_t)(eq - col[5] - 3));
			fd->if_value = xstrdup(eq + 1);
		} else {
			err_set(err, "%s:%d: required '%s': expected yes, no, digitized or if:FIELD=VALUE", path, lineno, col[5]);
			goto fail_f;
		}
		if ((fd->type == META_CODE || fd->type == META_CODES) != (strcmp(col[6], "-") != 0)) {
			err_set(err, "%s:%d: field '%s': a code list is needed for code and codes, and only for them", path, lineno, fd->name);
			goto fail_f;
		}
		if (strcmp(col[6], "-"))
			clname[s->n - 1] = xstrdup(col[6]);
		if (strcmp(col[7], "-"))
			fd->def = xstrdup(col[7]);
	}
	fclose(f);
	for (int i = 0; i < s->n; i++) {
		if (!clname[i])
			continue;
		if (!meta_codelist_find(s, clname[i])) {
			/* Grow first, then point fields at the lists once all are loaded. */
			s->cl = xrealloc(s->cl, sizeof(*s->cl) * (size_t)(s->ncl + 1));
			memset(&s->cl[s->ncl], 0, sizeof(s->cl[0]));
			s->ncl++;
			if (codelist_load(&s->cl[s->ncl - 1], dir, clname[i], err) < 0)
				goto fail;
		}
	}
	for (int i = 0; i < s->n; i++)
		if (clname[i])
			s->f[i].codes = meta_codelist_find(s, clname[i]);
	for (int i = 0; i < s->n; i++) {
		struct errbuf e;
		char *v;
		if (!s->f[i].def)
			continue;
		err_init(&e);
		v = meta_value_check(&s->f[i], s->f[i].def, &e);
		if (!v) {
			err_set(err, "%s: default of %s", path, e.msg);
			goto fail;
		}
		free(v);
	}
	npath = xasprintf("%s/naming.conf", dir);
	if (filecode_naming_load(npath, &s->naming, err) < 0)
		goto fail;
	free(npath);
	for (int i = 0; i < s->n; i++)
		free(clname[i]);
	free(clname);
	free(path);
	return s;
fail_f:
	fclose(f);
fail:
	for (int i = 0; clname && i < s->n; i++)
		free(clname[i]);
	free(clname);
	free(npath);
	free(path);
	meta_schema_free(s);
	return NULL;
}

void meta_schema_free(struct meta_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		free(s->f[i].name);
		free(s->f[i].label);
		free(s->f[i].if_field);
		free(s->f[i].if_value);
		free(s->f[i].def);
	}
	for (int i = 0; i < s->ncl; i++) {
		for (int j = 0; j < s->cl[i].n; j++) {
			free(s->cl[i].v[j].code);
			free(s->cl[i].v[j].label);
		}
		free(s->cl[i].v);
		free(s->cl[i].name);
	}
	free(s->f);
	free(s->cl);
	filecode_naming_release(&s->naming);
	free(s);
}

const struct meta_field *meta_field_find(const struct meta_schema *s, enum meta_level level, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (s->f[i].level == level && !strcmp(s->f[i].name, name))
			return &s->f[i];
	return NULL;
}
