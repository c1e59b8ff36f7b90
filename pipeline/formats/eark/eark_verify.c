/*
 * eark_verify.c - check an E-ARK CSIP package (zip or unpacked folder):
 * eark_verify().
 *
 * Every METS reference (file, mdRef, mptr) must name a member that exists,
 * with the SIZE and SHA-256 CHECKSUM it states; every member must be
 * referenced; the PDFs of a representation go to the caller's signature
 * check.  Problems are report lines "<path in package>: <why>", not errors:
 * an error is only "cannot open the package at all".  Out of memory is fatal
 * (util.h).
 *
 * The package is outside input, built to hurt (issue 11):
 *  - a METS (or EAD, PREMIS) with a DOCTYPE is refused before it is parsed,
 *    so no entity is ever defined or expanded; the network is never used;
 *  - a member's size in the zip's directory is compared with the METS SIZE
 *    before it is read, no more bytes than declared are ever read, and each
 *    member is read (hashed, and copied for the signature check) once, in
 *    one pass, however often METS references it;
 *  - only regular files are members: a symbolic link stored in the zip, or
 *    a FIFO, device or link in a folder, is reported and never opened; a
 *    folder's files are opened with O_NOFOLLOW | O_NONBLOCK and checked
 *    with fstat, so nothing can make verify block;
 *  - the copy of a PDF for the signature check is an unnamed temporary file
 *    (O_TMPFILE), handed over as /proc/self/fd/N: nothing is left behind,
 *    even when the process is killed;
 *  - report lines have control characters escaped (\xNN) and are cut at
 *    EARK_MAX_LINE bytes, an href is at most EARK_MAX_HREF bytes, and at
 *    most EARK_MAX_LINES lines are kept (the rest are counted in `more`).
 */
#include "formats/eark/eark.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "engine/fsio.h"
#include "formats/eark/eark_int.h"

#define EARK_MAX_LINE 1024     /* bytes of one report line */
#define EARK_MAX_LINES 1000    /* report lines kept; the rest are counted */
#define EARK_MAX_HREF 4096     /* bytes of one xlink:href */

struct vsrc {
	zip_t *za;
	char *dir;          /* unpacked folder */
	char *prefix;       /* zip: the root folder with its '/', or "" */
	char **names;       /* package paths, sorted */
	zip_int64_t *idx;   /* zip index of names[i] */
	int64_t *declared;  /* the size the zip's directory (or the folder) gives */
	size_t n, alloc;
	bool *used;
	unsigned *refs;     /* file and mdRef references seen */
	char (*sha)[65];
	int64_t *size;
	bool *hashed;
	const char *tmpdir;
	eark_sig_fn sig;
	void *ctx;
	struct eark_report *rep;
};

/* One report line: control characters escaped, the length capped. */
static void problem(struct eark_report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct eark_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *raw;
	if (rep->n >= EARK_MAX_LINES) {
		rep->more++;
		return;
	}
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	rep->lines = xrealloc(rep->lines, (rep->n + 1) * sizeof(*rep->lines));
	rep->lines[rep->n++] = str_printable(raw, EARK_MAX_LINE);
	free(raw);
}

void eark_report_release(struct eark_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->lines[i]);
	free(rep->lines);
	memset(rep, 0, sizeof(*rep));
}

static void vsrc_add(struct vsrc *v, const char *name, zip_int64_t idx, int64_t declared)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? 2 * v->alloc : 64;
		v->names = xrealloc(v->names, v->alloc * sizeof(*v->names));
		v->idx = xrealloc(v->idx, v->alloc * sizeof(*v->idx));
		v->declared = xrealloc(v->declared, v->alloc * sizeof(*v->declared));
	}
	v->names[v->n] = xstrdup(name);
	v->idx[v->n] = idx;
	v->declared[v->n] = declared;
	v->n++;
}

static void vsrc_release(struct vsrc *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->names[i]);
	free(v->names);
	free(v->idx);
	free(v->declared);
	free(v->used);
	free(v->refs);
	free(v->sha);
	free(v->size);
	free(v->hashed);
	free(v->dir);
	free(v->prefix);
	if (v->za)
		zip_discard(v->za);
}

static ssize_t vsrc_find(const struct vsrc *v, const char *name)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v->names[mid], name);
		if (!c)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* nftw has no context argument: one walk at a time. */
static struct vsrc *walk_v;
static size_t walk_base;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	/* FTW_F is anything that is not a folder or a link: a FIFO or a device
	 * is reported and never opened. */
	if (type == FTW_F && S_ISREG(st->st_mode))
		vsrc_add(walk_v, path + walk_base, -1, (int64_t)st->st_size);
	else if (type == FTW_F || type == FTW_SL || type == FTW_NS || type == FTW_DNR || type == FTW_SLN)
		problem(walk_v->rep, "%s: not a regular file or folder", path + walk_base);
	return 0;
}

static int name_cmp(const void *a, const void *b, void *arg)
{
	const struct vsrc *v = arg;
	return strcmp(v->names[*(const size_t *)a], v->names[*(const size_t *)b]);
}

static void vsrc_sort(struct vsrc *v)
{
	size_t *ord = xmalloc((v->n + 1) * sizeof(*ord));
	char **names = xmalloc((v->n + 1) * sizeof(*names));
	zip_int64_t *idx = xmalloc((v->n + 1) * sizeof(*idx));
	int64_t *declared = xmalloc((v->n + 1) * sizeof(*declared));
	for (size_t i = 0; i < v->n; i++)
		ord[i] = i;
	qsort_r(ord, v->n, sizeof(*ord), name_cmp, v);
	for (size_t i = 0; i < v->n; i++) {
		names[i] = v->names[ord[i]];
		idx[i] = v->idx[ord[i]];
		declared[i] = v->declared[ord[i]];
	}
	free(v->names);
	free(v->idx);
	free(v->declared);
	free(ord);
	v->names = names;
	v->idx = idx;
	v->declared = declared;
	v->used = xcalloc(v->n + 1, sizeof(*v->used));
	v->refs = xcalloc(v->n + 1, sizeof(*v->refs));
	v->sha = xcalloc(v->n + 1, sizeof(*v->sha));
	v->size = xcalloc(v->n + 1, sizeof(*v->size));
	v->hashed = xcalloc(v->n + 1, sizeof(*v->hashed));
}

/* Only regular files are members: a symbolic link (or a device, FIFO) stored
 * in a zip by a Unix zipper has its type in the external attributes. */
static bool zip_entry_regular(zip_t *za, zip_uint64_t i, const char *nm, unsigned *mode)
{
	zip_uint8_t opsys;
	zip_uint32_t attr;
	*mode = 0;
	if (zip_file_get_external_attributes(za, i, 0, &opsys, &attr) < 0 || opsys != ZIP_OPSYS_UNIX)
		return true;
	*mode = (attr >> 16) & S_IFMT;
	return *mode == 0 || *mode == S_IFREG || (*mode == S_IFDIR && str_ends(nm, "/"));
}

static int vsrc_open(struct vsrc *v, const char *path, struct errbuf *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return err_set(err, "cannot open '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		v->dir = xstrdup(path);
		v->prefix = xstrdup("");
		walk_v = v;
		walk_base = strlen(path) + 1;
		if (nftw(path, walk_cb, 16, FTW_PHYS) < 0)
			return err_set(err, "cannot read folder '%s': %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		return err_set(err, "cannot open '%s': not a zip file or a folder", path);
	} else {
		int zerr = 0;
		zip_int64_t n;
		const char *top = NULL;
		size_t toplen = 0;
		bool one_root = true, has_mets = false;
		v->za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
		if (!v->za) {
			zip_error_t ze;
			zip_error_init_with_code(&ze, zerr);
			err_set(err, "cannot open '%s' as a zip: %s", path, zip_error_strerror(&ze));
			zip_error_fini(&ze);
			return -1;
		}
		n = zip_get_num_entries(v->za, 0);
		for (zip_int64_t i = 0; i < n; i++) {
			const char *nm = zip_get_name(v->za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
			const char *slash;
			if (!nm)
				continue;
			if (!strcmp(nm, "METS.xml"))
				has_mets = true;
			slash = strchr(nm, '/');
			if (!slash)
				one_root = false;
			else if (!top) {
				top = nm;
				toplen = (size_t)(slash - nm) + 1;
			} else if (strncmp(nm, top, toplen) != 0)
				one_root = false;
		}
		v->prefix = (!has_mets && one_root && top) ? xstrndup(top, toplen) : xstrdup("");
		for (zip_int64_t i = 0; i < n; i++) {
			const char *nm = zip_get_name(v->za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
			size_t pl = strlen(v->prefix);
			zip_stat_t zs;
			unsigned mode;
			if (!nm)
				continue;
			if (!zip_entry_regular(v->za, (zip_uint64_t)i, nm, &mode)) {
				problem(v->rep, "%s: not a regular file in the zip (%s)", nm, mode == S_IFLNK ? "a symbolic link" : "a special file");
				continue;
			}
			if (str_ends(nm, "/"))
				continue;
			if (strncmp(nm, v->prefix, pl) != 0 || nm[0] == '/' || strstr(nm, "../") || strstr(nm, "\\")) {
				problem(v->rep, "%s: unsafe or stray name in the zip", nm);
				continue;
			}
			zip_stat_init(&zs);
			if (zip_stat_index(v->za, (zip_uint64_t)i, 0, &zs) < 0 || !(zs.valid & ZIP_STAT_SIZE) || zs.size > INT64_MAX) {
				problem(v->rep, "%s: no size in the zip's directory", nm);
				continue;
			}
			vsrc_add(v, nm + pl, i, (int64_t)zs.size);
		}
	}
	vsrc_sort(v);
	for (size_t i = 1; i < v->n; i++)
		if (!strcmp(v->names[i], v->names[i - 1]))
			problem(v->rep, "%s: present twice", v->names[i]);
	return 0;
}

/*
 * A member opened for reading: a zip member, or a regular file of the folder
 * opened without following a link and without blocking (a FIFO put there
 * after the walk is refused by fstat, never read).  Never more bytes than
 * declared are read: a member with more is an error, not a bigger file.
 */
struct member {
	zip_file_t *zf;
	int fd;
	int64_t left;
};

static int member_open(struct vsrc *v, size_t i, struct member *m, struct errbuf *err)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->left = v->declared[i];
	if (v->dir) {
		char *p = xasprintf("%s/%s", v->dir, v->names[i]);
		struct stat st;
		m->fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		free(p);
		if (m->fd < 0)
			return err_set(err, "cannot open: %s", errno == ELOOP ? "a symbolic link" : strerror(errno));
		if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(m->fd);
			m->fd = -1;
			return err_set(err, "not a regular file");
		}
		m->left = (int64_t)st.st_size;
		return 0;
	}
	m->zf = zip_fopen_index(v->za, (zip_uint64_t)v->idx[i], 0);
	if (!m->zf)
		return err_set(err, "cannot read: %s", zip_strerror(v->za));
	return 0;
}

/* Up to n bytes; 0 at the declared end; -1 with err set on a read error or
 * when the member holds more than it declares. */
static ssize_t member_read(struct member *m, void *buf, size_t n, struct errbuf *err)
{
	ssize_t got;
	if (m->left == 0) {
		char extra;
		got = m->zf ? (ssize_t)zip_fread(m->zf, &extra, 1) : read(m->fd, &extra, 1);
		if (got > 0)
			return err_set(err, "more data than the %s declares", m->zf ? "zip's directory" : "folder");
		return got < 0 ? err_set(err, "cannot read: %s", m->zf ? "corrupt zip member (CRC or data error)" : strerror(errno)) : 0;
	}
	if ((int64_t)n > m->left)
		n = (size_t)m->left;
	got = m->zf ? (ssize_t)zip_fread(m->zf, buf, n) : read(m->fd, buf, n);
	if (got < 0)
		return err_set(err, "cannot read: %s", m->zf ? "corrupt zip member (CRC or data error)" : strerror(errno));
	if (got == 0)
		return err_set(err, "cannot read: truncated");
	m->left -= got;
	return got;
}

static void member_close(struct member *m)
{
	if (m->zf)
		zip_fclose(m->zf);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

/* Read a whole member (METS files). */
static int vsrc_read(struct vsrc *v, size_t i, char **data, size_t *len, struct errbuf *err)
{
	struct member m;
	size_t have = 0;
	ssize_t got;
	if (v->declared[i] > (int64_t)XML_MAX)
		return err_set(err, "too large (%lld bytes, at most %zu)", (long long)v->declared[i], XML_MAX);
	if (member_open(v, i, &m, err) < 0)
		return -1;
	if (m.left > (int64_t)XML_MAX) {
		member_close(&m);
		return err_set(err, "too large (%lld bytes, at most %zu)", (long long)m.left, XML_MAX);
	}
	*data = xmalloc((size_t)m.left + 1);
	while ((got = member_read(&m, *data + have, (size_t)m.left + 1 - have, err)) > 0)
		have += (size_t)got;
	member_close(&m);
	if (got < 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	(*data)[have] = '\0';
	*len = have;
	return 0;
}

static bool has_doctype(const char *s, size_t n)
{
	return memmem(s, n, "<!DOCTYPE", 9) || memmem(s, n, "<!ENTITY", 8);
}

/* A private temporary file: unnamed (O_TMPFILE) where the file system
 * allows, so that nothing is left behind whatever happens to this process;
 * else named, and *name set for the caller to unlink. */
static int tmp_open(const struct vsrc *v, char **name, struct errbuf *err)
{
	const char *dir = v->tmpdir ? v->tmpdir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	*name = NULL;
	if (fd >= 0 && access("/proc/self/fd", X_OK) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	*name = xasprintf("%s/sohoa-verify.XXXXXX", dir);
	fd = mkstemp(*name);
	if (fd < 0) {
		err_set(err, "cannot create '%s': %s", *name, strerror(errno));
		free(*name);
		*name = NULL;
	}
	return fd;
}

/*
 * Hash member i once (its SHA-256 and the bytes read are kept).  With copy
 * set the bytes also go to a temporary file in the same pass: *copy gets its
 * descriptor (or the member's own, for a folder) for the signature check.
 * An XML member under metadata/ with a DOCTYPE is reported here.
 */
static int vsrc_hash(struct vsrc *v, size_t i, int *copy, char **copyname, struct errbuf *err)
{
	unsigned char buf[65536], d[EVP_MAX_MD_SIZE];
	char edge[16];
	size_t edgelen = 0;
	unsigned int dlen = 0;
	EVP_MD_CTX *md;
	struct member m;
	ssize_t got;
	int64_t total = 0;
	int out = -1;
	bool xml = str_ends(v->names[i], ".xml"), doctype = false;
	if (copy) {
		*copy = -1;
		*copyname = NULL;
	}
	if (member_open(v, i, &m, err) < 0)
		return -1;
	if (copy && m.zf && (out = tmp_open(v, copyname, err)) < 0) {
		member_close(&m);
		return -1;
	}
	md = EVP_MD_CTX_new();
	if (!md) {
		fprintf(stderr, "sohoa: out of memory\n");
		exit(71);
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((got = member_read(&m, buf, sizeof(buf), err)) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)got);
		total += got;
		if (xml && !doctype) {
			/* across the buffer boundary too */
			size_t k = (size_t)got < 8 ? (size_t)got : 8;
			memcpy(edge + edgelen, buf, k);
			doctype = has_doctype(edge, edgelen + k) || has_doctype((const char *)buf, (size_t)got);
			memcpy(edge, (size_t)got >= 8 ? buf + got - 8 : buf, (size_t)got >= 8 ? 8 : (size_t)got);
			edgelen = (size_t)got >= 8 ? 8 : (size_t)got;
		}
		if (out >= 0 && write(out, buf, (size_t)got) != got) {
			err_set(err, "cannot write a temporary copy: %s", strerror(errno));
			got = -1;
			break;
		}
	}
	EVP_DigestFinal_ex(md, d, &dlen);
	EVP_MD_CTX_free(md);
	if (got < 0) {
		member_close(&m);
		goto fail;
	}
	for (unsigned k = 0; k < dlen; k++)
		snprintf(v->sha[i] + 2 * k, 3, "%02X", d[k]);
	v->size[i] = total;
	v->hashed[i] = true;
	if (doctype && str_starts(v->names[i], "metadata/"))
		problem(v->rep, "%s: has a DOCTYPE: refused (a package's XML needs no DTD or entities)", v->names[i]);
	if (copy && !m.zf) {
		/* the folder's own file, already checked to be regular */
		out = m.fd;
		m.fd = -1;
	}
	member_close(&m);
	if (copy) {
		if (lseek(out, 0, SEEK_SET) < 0) {
			err_set(err, "cannot read a temporary copy: %s", strerror(errno));
			goto fail;
		}
		*copy = out;
	}
	return 0;
fail:
	if (out >= 0)
		close(out);
	if (copy && *copyname) {
		unlink(*copyname);
		free(*copyname);
		*copyname = NULL;
	}
	return -1;
}

static char *xprop(xmlNodePtr n, const char *name, const char *nsuri)
{
	xmlChar *s = nsuri ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST nsuri) : xmlGetNoNsProp(n, BAD_CAST name);
	char *r = s ? xstrdup((const char *)s) : NULL;
	xmlFree(s);
	return r;
}

static bool is_mets(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && !strcmp((const char *)n->ns->href, NS_METS) &&
	       !strcmp((const char *)n->name, name);
}

/* Resolve an href against the METS file's folder: "" or "representations/rep1/".
 * Returns NULL (and reports) when it leaves the package. */
static char *resolve(struct vsrc *v, const char *mets, const char *base, const char *href)
{
	struct strbuf sb;
	if (!href || !*href) {
		problem(v->rep, "%s: a reference without xlink:href", mets);
		return NULL;
	}
	if (strlen(href) > EARK_MAX_HREF) {
		problem(v->rep, "%s: a reference of %zu bytes (at most %d)", mets, strlen(href), EARK_MAX_HREF);
		return NULL;
	}
	if (href[0] == '/' || strstr(href, "://") || !strcmp(href, "..") || str_starts(href, "../") || strstr(href, "/../") ||
	    str_ends(href, "/..")) {
		problem(v->rep, "%s: reference '%s' points outside the package", mets, href);
		return NULL;
	}
	sb_init(&sb, 0);
	sb_adds(&sb, base);
	/* Percent-encoding (commons-ip writes it) */
	for (const char *s = href; *s; s++) {
		if (*s == '%' && s[1] && s[2] && strchr("0123456789abcdefABCDEF", s[1]) && strchr("0123456789abcdefABCDEF", s[2])) {
			char hex[3] = {s[1], s[2], 0};
			sb_addc(&sb, (char)strtol(hex, NULL, 16));
			s += 2;
		} else if (str_starts(s, "./") && (s == href || s[-1] == '/')) {
			s++;
		} else {
			sb_addc(&sb, *s);
		}
	}
	return sb_detach(&sb);
}

static void check_rep_mets(struct vsrc *v, const char *path);

/* A SIZE attribute: decimal digits only. */
static bool parse_size(const char *s, int64_t *out)
{
	int64_t x = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10)
			return false;
		x = 10 * x + (*s - '0');
	}
	*out = x;
	return true;
}

/*
 * One file or mdRef: present, SIZE, CHECKSUM, signature.  The SIZE is
 * compared with what the zip's directory declares before a byte is read, so
 * a member that is not what METS describes is never extracted; each member
 * is read once, however often it is referenced (a second reference is a
 * problem of its own, and is not counted again).
 */
static void check_ref(struct vsrc *v, const char *mets, const char *base, xmlNodePtr n, const char *href)
{
	char *path = NULL, *size = NULL, *sum = NULL, *type = NULL, *copyname = NULL;
	struct errbuf err;
	ssize_t i;
	int64_t want = -1;
	int copy = -1;
	bool pdf, good = true;
	path = resolve(v, mets, base, href);
	if (!path)
		goto out;
	size = xprop(n, "SIZE", NULL);
	sum = xprop(n, "CHECKSUM", NULL);
	type = xprop(n, "CHECKSUMTYPE", NULL);
	i = vsrc_find(v, path);
	if (i < 0) {
		problem(v->rep, "%s: missing (listed in %s)", path, mets);
		goto out;
	}
	v->used[i] = true;
	if (++v->refs[i] > 1) {
		if (v->refs[i] == 2)
			problem(v->rep, "%s: referenced more than once (again in %s); checked once", path, mets);
		goto out;
	}
	if (!size)
		problem(v->rep, "%s: no SIZE in %s", path, mets);
	else if (!parse_size(size, &want))
		problem(v->rep, "%s: SIZE '%s' in %s is not a number of bytes", path, size, mets);
	if (want >= 0 && want != v->declared[i]) {
		/* not read at all: its bytes are not the ones METS describes */
		problem(v->rep, "%s: size mismatch: %s says %s bytes, the file has %lld", path, mets, size, (long long)v->declared[i]);
		v->rep->nchecked++;
		goto out;
	}
	pdf = v->sig && str_starts(path, "representations/") && strstr(path, "/data/") && str_ends(path, ".pdf");
	err_init(&err);
	if (vsrc_hash(v, (size_t)i, pdf ? &copy : NULL, &copyname, &err) < 0) {
		problem(v->rep, "%s: %s", path, err.msg);
		goto out;
	}
	v->rep->nchecked++;
	if (want >= 0 && want != v->size[i]) {
		problem(v->rep, "%s: size mismatch: %s says %s bytes, the file has %lld", path, mets, size, (long long)v->size[i]);
		good = false;
	}
	if (!sum || !type) {
		problem(v->rep, "%s: no CHECKSUM or CHECKSUMTYPE in %s", path, mets);
		good = false;
	} else if (strcmp(type, "SHA-256") != 0) {
		problem(v->rep, "%s: CHECKSUMTYPE '%s' in %s, expected SHA-256", path, type, mets);
		good = false;
	} else if (strcasecmp(sum, v->sha[i]) != 0) {
		problem(v->rep, "%s: checksum mismatch: %s says %s, the file has %s", path, mets, sum, v->sha[i]);
		good = false;
	}
	if (!strcmp(base, "") && str_starts(path, "representations/") && str_ends(path, "/METS.xml") &&
	    strchr(path + strlen("representations/"), '/') == strrchr(path, '/'))
		check_rep_mets(v, path);
	if (pdf && good) {
		char why[512] = "";
		char *disk = copyname ? xstrdup(copyname) : xasprintf("/proc/self/fd/%d", copy);
		v->rep->nsigs++;
		if (v->sig(v->ctx, disk, why, sizeof(why)) < 0)
			problem(v->rep, "%s: signature: %s", path, why[0] ? why : "not valid");
		free(disk);
	}
out:
	if (copy >= 0)
		close(copy);
	if (copyname) {
		unlink(copyname);
		free(copyname);
	}
	free(path);
	free(size);
	free(sum);
	free(type);
}

static void walk_refs(struct vsrc *v, const char *mets, const char *base, xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_mets(n, "mdRef")) {
			char *href = xprop(n, "href", NS_XLINK);
			check_ref(v, mets, base, n, href);
			free(href);
		} else if (is_mets(n, "file")) {
			xmlNodePtr c;
			bool found = false;
			for (c = n->children; c; c = c->next)
				if (is_mets(c, "FLocat")) {
					char *href = xprop(c, "href", NS_XLINK);
					check_ref(v, mets, base, n, href);
					free(href);
					found = true;
				}
			if (!found) {
				char *id = xprop(n, "ID", NULL);
				problem(v->rep, "%s: file '%s' has no FLocat", mets, id ? id : "?");
				free(id);
			}
		} else if (is_mets(n, "mptr")) {
			char *href = xprop(n, "href", NS_XLINK);
			char *path = resolve(v, mets, base, href);
			if (path && vsrc_find(v, path) < 0)
				problem(v->rep, "%s: missing (pointed to by %s)", path, mets);
			free(path);
			free(href);
		} else {
			walk_refs(v, mets, base, n->children);
		}
	}
}

static xmlDocPtr parse_mets(struct vsrc *v, const char *path)
{
	ssize_t i = vsrc_find(v, path);
	struct errbuf err;
	char *data = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	xmlNodePtr root;
	if (i < 0) {
		problem(v->rep, "%s: missing", path);
		return NULL;
	}
	v->used[i] = true;
	err_init(&err);
	if (vsrc_read(v, (size_t)i, &data, &len, &err) < 0) {
		problem(v->rep, "%s: %s", path, err.msg);
		return NULL;
	}
	/* A received METS has no business with a DTD: no entity is ever
	 * defined, so none is expanded (libxml2 2.9 has no switch for that). */
	if (has_doctype(data, len)) {
		problem(v->rep, "%s: has a DOCTYPE: refused (a package's XML needs no DTD or entities)", path);
		free(data);
		return NULL;
	}
	doc = xmlReadMemory(data, (int)len, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(data);
	if (!doc) {
		const xmlError *xe = xmlGetLastError();
		char msg[256];
		snprintf(msg, sizeof(msg), "%s", xe && xe->message ? xe->message : "parse error");
		msg[strcspn(msg, "\n")] = '\0';
		problem(v->rep, "%s: not well-formed XML: line %d: %s", path, xe ? xe->line : 0, msg);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is_mets(root, "mets")) {
		problem(v->rep, "%s: not a METS document (root element is not mets in %s)", path, NS_METS);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static void check_rep_mets(struct vsrc *v, const char *path)
{
	char *base = xstrndup(path, (size_t)(strrchr(path, '/') - path) + 1);
	xmlDocPtr doc = parse_mets(v, path);
	if (doc) {
		walk_refs(v, path, base, xmlDocGetRootElement(doc)->children);
		xmlFreeDoc(doc);
	}
	/* Every PDF of the representation has its EAD_doc_<name>.xml. */
	for (size_t i = 0; i < v->n; i++) {
		const char *nm = v->names[i];
		if (str_starts(nm, base) && str_starts(nm + strlen(base), "data/") && str_ends(nm, ".pdf") &&
		    !strchr(nm + strlen(base) + 5, '/')) {
			const char *file = nm + strlen(base) + 5;
			char *ead = xasprintf("%smetadata/descriptive/EAD_doc_%.*s.xml", base, (int)(strlen(file) - 4), file);
			if (vsrc_find(v, ead) < 0)
				problem(v->rep, "%s: missing (required for %s)", ead, nm);
			free(ead);
		}
	}
	free(base);
}

int eark_verify(const char *path, eark_sig_fn sig, void *ctx, const char *tmpdir, struct eark_report *rep, struct errbuf *err)
{
	struct vsrc v;
	xmlDocPtr doc;
	static const char *const required[] = {"METS.xml", "metadata/descriptive/EAD.xml", "metadata/preservation/PREMIS.xml",
					       REP "METS.xml", NULL};
	memset(rep, 0, sizeof(*rep));
	memset(&v, 0, sizeof(v));
	v.rep = rep;
	v.sig = sig;
	v.ctx = ctx;
	v.tmpdir = tmpdir;
	if (vsrc_open(&v, path, err) < 0) {
		vsrc_release(&v);
		return -1;
	}
	for (int k = 0; required[k]; k++)
		if (vsrc_find(&v, required[k]) < 0)
			problem(rep, "%s: missing (required by E-ARK CSIP and TT05)", required[k]);
	doc = vsrc_find(&v, "METS.xml") >= 0 ? parse_mets(&v, "METS.xml") : NULL;
	if (doc) {
		xmlNodePtr root = xmlDocGetRootElement(doc), c;
		char *objid = xprop(root, "OBJID", NULL);
		bool hdr = false, repdata = false;
		if (!objid || !str_starts(objid, "uuid-"))
			problem(rep, "METS.xml: OBJID '%s' is not uuid-<UUID>", objid ? objid : "");
		else if (*v.prefix && strncmp(v.prefix, objid, strlen(v.prefix) - 1) != 0)
			problem(rep, "METS.xml: OBJID '%s' differs from the package folder '%.*s'", objid, (int)strlen(v.prefix) - 1, v.prefix);
		free(objid);
		for (c = root->children; c; c = c->next)
			if (is_mets(c, "metsHdr")) {
				char *t = xprop(c, "OAISPACKAGETYPE", NS_CSIP);
				hdr = true;
				if (!t || strcmp(t, "SIP") != 0)
					problem(rep, "METS.xml: csip:OAISPACKAGETYPE is '%s', expected SIP", t ? t : "");
				free(t);
			}
		if (!hdr)
			problem(rep, "METS.xml: no metsHdr");
		walk_refs(&v, "METS.xml", "", root->children);
		xmlFreeDoc(doc);
		for (size_t i = 0; i < v.n; i++)
			if (str_starts(v.names[i], REP "data/"))
				repdata = true;
		if (!repdata)
			problem(rep, "%s: no data files", REP "data/");
	}
	for (size_t i = 0; i < v.n; i++)
		if (!v.used[i])
			problem(rep, "%s: not referenced by any METS file", v.names[i]);
	vsrc_release(&v);
	return 0;
}
