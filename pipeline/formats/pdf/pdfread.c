/*
 * pdfread.c - a minimal PDF reader for signing and signature checks (see
 * pdfread.h).
 *
 * Invariants: the file is held whole in memory with a NUL after its last
 * byte; every span handed out lies inside it; every scan is bounded by the
 * span's length, never by the NUL, because PDFs are outside input.  The
 * newest cross-reference entry for an object wins (sections are read newest
 * first, following /Prev, and an entry already known is not replaced); a
 * /Prev loop or more than PDFREAD_MAX_SECTIONS sections is an error.  No
 * value nests deeper than PDFREAD_MAX_DEPTH arrays and dictionaries (the
 * count runs through every recursive call), so no input can exhaust the
 * stack: a deeper value is malformed.
 *
 * Error policy: pdfread_open() and the object readers report through errbuf
 * ("'x.pdf': object 12: not found") and return NULL or -1; the tokenizer
 * functions do not fail, they answer false or 0 on malformed text.
 */
#include "formats/pdf/pdfread.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fsio.h"

#define PDFREAD_MAX_SECTIONS 256
#define PDFREAD_MAX_OBJECTS 8000000L
#define PDFREAD_MAX_DEPTH 64

struct pdfread_entry {
	size_t off;
	int gen;
	char kind; /* 0 unknown, 'n' in use, 'f' free */
};

struct pdfread {
	char *name;
	char *data;
	size_t len;
	size_t startxref;
	struct pdfread_span trailer;
	long size;
	struct pdfread_entry *obj;
	long nobj;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

static bool is_delim(char c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%';
}

/* Skip white space and comments; returns the new index. */
static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n) {
		if (is_space(s[i])) {
			i++;
		} else if (s[i] == '%') {
			while (i < n && s[i] != '\n' && s[i] != '\r')
				i++;
		} else {
			break;
		}
	}
	return i;
}

/* Length of a regular token (number, keyword) at s[i]. */
static size_t regular_len(const char *s, size_t n, size_t i)
{
	size_t j = i;
	while (j < n && !is_space(s[j]) && !is_delim(s[j]))
		j++;
	return j - i;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static size_t value_len(const char *s, size_t n, size_t *skip, int depth);

/* Length of one token-level value at s[i] (no reference folding); 0 if bad.
 * depth counts the arrays and dictionaries around it: the whole chain of
 * simple_len and value_len carries it, so no nesting restarts the count. */
static size_t simple_len(const char *s, size_t n, size_t i, int depth)
{
	size_t j;
	if (i >= n || depth > PDFREAD_MAX_DEPTH)
		return 0;
	switch (s[i]) {
	case '/':
		return 1 + regular_len(s, n, i + 1);
	case '(': {
		int nest = 0;
		for (j = i; j < n; j++) {
			if (s[j] == '\\') {
				j++;
			} else if (s[j] == '(') {
				nest++;
			} else if (s[j] == ')') {
				if (--nest == 0)
					return j + 1 - i;
			}
		}
		return 0;
	}
	case '<':
		if (i + 1 < n && s[i + 1] == '<') {
			j = skip_ws(s, n, i + 2);
			while (j < n && !(s[j] == '>' && j + 1 < n && s[j + 1] == '>')) {
				size_t skip, l = value_len(s + j, n - j, &skip, depth + 1);
				if (l == 0)
					return 0;
				j = skip_ws(s, n, j + skip + l);
			}
			return j < n ? j + 2 - i : 0;
		}
		for (j = i + 1; j < n && s[j] != '>'; j++)
			;
		return j < n ? j + 1 - i : 0;
	case '[':
		j = skip_ws(s, n, i + 1);
		while (j < n && s[j] != ']') {
			size_t skip, l = value_len(s + j, n - j, &skip, depth + 1);
			if (l == 0)
				return 0;
			j = skip_ws(s, n, j + skip + l);
		}
		return j < n ? j + 1 - i : 0;
	case ')': case '>': case ']': case '{': case '}':
		return 0;
	default:
		return regular_len(s, n, i);
	}
}

static size_t value_len(const char *s, size_t n, size_t *skip, int depth)
{
	size_t i = skip_ws(s, n, 0), l, j, l2, k, l3;
	*skip = i;
	l = simple_len(s, n, i, depth);
	if (l == 0 || !all_digits(s + i, l))
		return l;
	/* "N G R" is one value */
	j = skip_ws(s, n, i + l);
	l2 = j < n ? regular_len(s, n, j) : 0;
	if (!all_digits(s + j, l2))
		return l;
	k = skip_ws(s, n, j + l2);
	l3 = k < n ? regular_len(s, n, k) : 0;
	if (l3 == 1 && s[k] == 'R')
		return k + 1 - i;
	return l;
}

size_t pdfread_value_len(const char *s, size_t n, size_t *skip)
{
	return value_len(s, n, skip, 0);
}

bool pdfread_is(struct pdfread_span v, const char *text)
{
	return v.len == strlen(text) && memcmp(v.s, text, v.len) == 0;
}

bool pdfread_int(struct pdfread_span v, long *out)
{
	char buf[32], *end;
	long x;
	if (v.len == 0 || v.len >= sizeof buf)
		return false;
	memcpy(buf, v.s, v.len);
	buf[v.len] = '\0';
	errno = 0;
	x = strtol(buf, &end, 10);
	if (*end || errno)
		return false;
	*out = x;
	return true;
}

bool pdfread_num(struct pdfread_span v, double *out)
{
	char buf[48], *end;
	if (v.len == 0 || v.len >= sizeof buf)
		return false;
	memcpy(buf, v.s, v.len);
	buf[v.len] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0';
}

bool pdfread_ref(struct pdfread_span v, long *num, int *gen)
{
	size_t i = 0, a, b;
	long n, g;
	struct pdfread_span t;
	a = regular_len(v.s, v.len, 0);
	if (!all_digits(v.s, a))
		return false;
	t.s = v.s;
	t.len = a;
	if (!pdfread_int(t, &n))
		return false;
	i = skip_ws(v.s, v.len, a);
	b = regular_len(v.s, v.len, i);
	t.s = v.s + i;
	t.len = b;
	if (!all_digits(t.s, b) || !pdfread_int(t, &g) || g > 65535)
		return false;
	i = skip_ws(v.s, v.len, i + b);
	if (i + 1 != v.len || v.s[i] != 'R')
		return false;
	*num = n;
	if (gen)
		*gen = (int)g;
	return true;
}

bool pdfread_array_next(struct pdfread_span arr, size_t *pos, struct pdfread_span *item)
{
	size_t i = *pos, skip, l;
	if (arr.len < 2 || arr.s[0] != '[')
		return false;
	if (i == 0)
		i = 1;
	i = skip_ws(arr.s, arr.len - 1, i);
	if (i >= arr.len - 1)
		return false;
	l = pdfread_value_len(arr.s + i, arr.len - 1 - i, &skip);
	if (l == 0)
		return false;
	item->s = arr.s + i + skip;
	item->len = l;
	*pos = i + skip + l;
	return true;
}

/* Walk a dictionary's entries: *pos starts at 0. */
static bool dict_next(struct pdfread_span dict, size_t *pos, struct pdfread_span *key, struct pdfread_span *val)
{
	size_t i = *pos, skip, l, end;
	if (dict.len < 4 || memcmp(dict.s, "<<", 2) != 0)
		return false;
	end = dict.len - 2;
	if (i == 0)
		i = 2;
	i = skip_ws(dict.s, end, i);
	if (i >= end || dict.s[i] != '/')
		return false;
	key->s = dict.s + i;
	key->len = 1 + regular_len(dict.s, end, i + 1);
	i += key->len;
	l = pdfread_value_len(dict.s + i, end - i, &skip);
	if (l == 0)
		return false;
	val->s = dict.s + i + skip;
	val->len = l;
	*pos = i + skip + l;
	return true;
}

bool pdfread_dict_get(struct pdfread_span dict, const char *key, struct pdfread_span *val)
{
	size_t pos = 0;
	struct pdfread_span k, v;
	while (dict_next(dict, &pos, &k, &v)) {
		if (pdfread_is(k, key)) {
			*val = v;
			return true;
		}
	}
	return false;
}

void pdfread_dict_copy(struct strbuf *sb, struct pdfread_span dict, const char *const *skip)
{
	size_t pos = 0;
	struct pdfread_span k, v;
	while (dict_next(dict, &pos, &k, &v)) {
		const char *const *s;
		bool drop = false;
		for (s = skip; s && *s; s++)
			if (pdfread_is(k, *s))
				drop = true;
		if (drop)
			continue;
		sb_addc(sb, ' ');
		sb_add(sb, k.s, k.len);
		sb_addc(sb, ' ');
		sb_add(sb, v.s, v.len);
	}
}

/* Read one classic xref section at off; fills unknown entries, sets *prev
 * (or -1) and the trailer span when it is the first section read. */
static int read_section(struct pdfread *p, size_t off, long *prev, bool first, struct errbuf *err)
{
	const char *s = p->data;
	size_t n = p->len, i = off, l, skip;
	struct pdfread_span trailer, v;
	long size;

	if (off >= n)
		return err_set(err, "'%s': cross-reference offset %zu is past the end of the file", p->name, off);
	if (n - i < 4 || memcmp(s + i, "xref", 4) != 0) {
		if (s[i] >= '0' && s[i] <= '9')
			return err_set(err, "'%s': uses a cross-reference stream; only classic xref tables are supported", p->name);
		return err_set(err, "'%s': no cross-reference table at offset %zu", p->name, off);
	}
	i = skip_ws(s, n, i + 4);
	/* find the trailer first: it sets the table size */
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		char *end;
		unsigned long start = strtoul(s + i, &end, 10), count, k;
		i = (size_t)(end - s);
		count = strtoul(s + i, &end, 10);
		i = skip_ws(s, n, (size_t)(end - s));
		if (start > (unsigned long)PDFREAD_MAX_OBJECTS || count > (unsigned long)PDFREAD_MAX_OBJECTS - start)
			return err_set(err, "'%s': cross-reference subsection %lu %lu is too large", p->name, start, count);
		for (k = 0; k < count; k++) {
			unsigned long o, g;
			char kind;
			long num = (long)(start + k);
			if (n - i < 18)
				return err_set(err, "'%s': cross-reference table is truncated", p->name);
			o = strtoul(s + i, &end, 10);
			g = strtoul(end, &end, 10);
			while (*end == ' ')
				end++;
			kind = *end;
			if (kind != 'n' && kind != 'f')
				return err_set(err, "'%s': bad cross-reference entry for object %ld", p->name, num);
			i = skip_ws(s, n, (size_t)(end - s) + 1);
			if (num >= p->nobj) {
				long nn = p->nobj ? p->nobj : 64;
				while (nn <= num)
					nn *= 2;
				p->obj = xrealloc(p->obj, (size_t)nn * sizeof *p->obj);
				memset(p->obj + p->nobj, 0, (size_t)(nn - p->nobj) * sizeof *p->obj);
				p->nobj = nn;
			}
			if (p->obj[num].kind == 0) {
				p->obj[num].kind = kind;
				p->obj[num].off = o;
				p->obj[num].gen = (int)g;
			}
		}
	}
	if (n - i < 7 || memcmp(s + i, "trailer", 7) != 0)
		return err_set(err, "'%s': no trailer after the cross-reference table at offset %zu", p->name, off);
	i += 7;
	l = pdfread_value_len(s + i, n - i, &skip);
	if (l < 4 || s[i + skip] != '<')
		return err_set(err, "'%s': malformed trailer at offset %zu", p->name, off);
	trailer.s = s + i + skip;
	trailer.len = l;
	if (first) {
		p->trailer = trailer;
		if (!pdfread_dict_get(trailer, "/Size", &v) || !pdfread_int(v, &size) || size < 1 || size > PDFREAD_MAX_OBJECTS)
			return err_set(err, "'%s': trailer has no valid /Size", p->name);
		p->size = size;
	}
	if (pdfread_dict_get(trailer, "/XRefStm", &v))
		return err_set(err, "'%s': uses a cross-reference stream; only classic xref tables are supported", p->name);
	*prev = -1;
	if (pdfread_dict_get(trailer, "/Prev", &v) && (!pdfread_int(v, prev) || *prev < 0))
		return err_set(err, "'%s': trailer has a bad /Prev", p->name);
	return 0;
}

struct pdfread *pdfread_open(const char *path, size_t max, struct errbuf *err)
{
	struct pdfread *p = xcalloc(1, sizeof *p);
	size_t i, visited[PDFREAD_MAX_SECTIONS];
	long off;
	int nsec = 0, k;
	const char *tail;

	p->name = xstrdup(path);
	if (fsio_read(path, &p->data, &p->len, max, err) < 0)
		goto fail;
	if (p->len < 32 || memcmp(p->data, "%PDF-", 5) != 0) {
		err_set(err, "'%s': not a PDF file", path);
		goto fail;
	}
	/* the last startxref within the final 1 KiB */
	i = p->len > 1024 ? p->len - 1024 : 0;
	tail = NULL;
	for (; i + 9 <= p->len; i++)
		if (memcmp(p->data + i, "startxref", 9) == 0)
			tail = p->data + i + 9;
	if (!tail) {
		err_set(err, "'%s': no startxref at the end of the file", path);
		goto fail;
	}
	off = strtol(tail, NULL, 10);
	if (off <= 0 || (size_t)off >= p->len) {
		err_set(err, "'%s': bad startxref", path);
		goto fail;
	}
	p->startxref = (size_t)off;
	while (off >= 0) {
		if (nsec == PDFREAD_MAX_SECTIONS) {
			err_set(err, "'%s': too many cross-reference sections", path);
			goto fail;
		}
		for (k = 0; k < nsec; k++) {
			if (visited[k] == (size_t)off) {
				err_set(err, "'%s': cross-reference /Prev loop", path);
				goto fail;
			}
		}
		visited[nsec] = (size_t)off;
		if (read_section(p, (size_t)off, &off, nsec == 0, err) < 0)
			goto fail;
		nsec++;
	}
	return p;
fail:
	pdfread_free(p);
	return NULL;
}

void pdfread_free(struct pdfread *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->data);
	free(p->obj);
	free(p);
}

const char *pdfread_data(const struct pdfread *p, size_t *len)
{
	*len = p->len;
	return p->data;
}

const char *pdfread_name(const struct pdfread *p)
{
	return p->name;
}

size_t pdfread_startxref(const struct pdfread *p)
{
	return p->startxref;
}

struct pdfread_span pdfread_trailer(const struct pdfread *p)
{
	return p->trailer;
}

long pdfread_size(const struct pdfread *p)
{
	return p->size;
}

int pdfread_object(struct pdfread *p, long num, int *gen, struct pdfread_span *val, struct errbuf *err)
{
	const char *s = p->data;
	size_t n = p->len, i, l, skip;
	char *end;
	long got;

	if (num <= 0 || num >= p->nobj || p->obj[num].kind != 'n')
		return err_set(err, "'%s': object %ld: not found", p->name, num);
	i = p->obj[num].off;
	if (i >= n)
		return err_set(err, "'%s': object %ld: offset past the end of the file", p->name, num);
	got = strtol(s + i, &end, 10);
	if (got != num)
		return err_set(err, "'%s': object %ld: cross-reference offset %zu points elsewhere", p->name, num, i);
	i = skip_ws(s, n, (size_t)(end - s));
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	i = skip_ws(s, n, i);
	if (n - i < 3 || memcmp(s + i, "obj", 3) != 0)
		return err_set(err, "'%s': object %ld: no 'obj' keyword", p->name, num);
	i += 3;
	l = pdfread_value_len(s + i, n - i, &skip);
	if (l == 0)
		return err_set(err, "'%s': object %ld: malformed value", p->name, num);
	val->s = s + i + skip;
	val->len = l;
	if (gen)
		*gen = p->obj[num].gen;
	return 0;
}

int pdfread_resolve(struct pdfread *p, struct pdfread_span val, struct pdfread_span *out, struct errbuf *err)
{
	long num;
	int depth;
	for (depth = 0; depth < 8; depth++) {
		if (!pdfread_ref(val, &num, NULL)) {
			*out = val;
			return 0;
		}
		if (pdfread_object(p, num, NULL, &val, err) < 0)
			return -1;
	}
	return err_set(err, "'%s': reference chain too long", p->name);
}
