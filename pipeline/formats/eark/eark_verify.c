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

struct vsrc {
	zip_t *za;
	char *dir;          /* unpacked folder */
	char *prefix;       /* zip: the root folder with its '/', or "" */
	char **names;       /* package paths, sorted */
	zip_int64_t *idx;   /* zip index of names[i] */
	size_t n, alloc;
	bool *used;
	char (*sha)[65];
	int64_t *size;
	bool *hashed;
	const char *tmpdir;
	eark_sig_fn sig;
	void *ctx;
	struct eark_report *rep;
};

static void problem(struct eark_report *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct eark_report *rep, const char *fmt, ...)
{
	va_list ap;
	rep->lines = xrealloc(rep->lines, (rep->n + 1) * sizeof(*rep->lines));
	va_start(ap, fmt);
	rep->lines[rep->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void eark_report_release(struct eark_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->lines[i]);
	free(rep->lines);
	memset(rep, 0, sizeof(*rep));
}

static void vsrc_add(struct vsrc *v, const char *name, zip_int64_t idx)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? 2 * v->alloc : 64;
		v->names = xrealloc(v->names, v->alloc * sizeof(*v->names));
		v->idx = xrealloc(v->idx, v->alloc * sizeof(*v->idx));
	}
	v->names[v->n] = xstrdup(name);
	v->idx[v->n] = idx;
	v->n++;
}

static void vsrc_release(struct vsrc *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->names[i]);
	free(v->names);
	free(v->idx);
	free(v->used);
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
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		vsrc_add(walk_v, path + walk_base, -1);
	else if (type == FTW_SL || type == FTW_NS || type == FTW_DNR || type == FTW_SLN)
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
	for (size_t i = 0; i < v->n; i++)
		ord[i] = i;
	qsort_r(ord, v->n, sizeof(*ord), name_cmp, v);
	for (size_t i = 0; i < v->n; i++) {
		names[i] = v->names[ord[i]];
		idx[i] = v->idx[ord[i]];
	}
	free(v->names);
	free(v->idx);
	free(ord);
	v->names = names;
	v->idx = idx;
	v->used = xcalloc(v->n + 1, sizeof(*v->used));
	v->sha = xcalloc(v->n + 1, sizeof(*v->sha));
	v->size = xcalloc(v->n + 1, sizeof(*v->size));
	v->hashed = xcalloc(v->n + 1, sizeof(*v->hashed));
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
			if (!nm || str_ends(nm, "/"))
				continue;
			if (strncmp(nm, v->prefix, pl) != 0 || nm[0] == '/' || strstr(nm, "../") || strstr(nm, "\\")) {
				problem(v->rep, "%s: unsafe or stray name in the zip", nm);
				continue;
			}
			vsrc_add(v, nm + pl, i);
		}
	}
	vsrc_sort(v);
	for (size_t i = 1; i < v->n; i++)
		if (!strcmp(v->names[i], v->names[i - 1]))
			problem(v->rep, "%s: present twice", v->names[i]);
	return 0;
}

/* Read a whole member (METS files). */
static int vsrc_read(struct vsrc *v, size_t i, char **data, size_t *len, struct errbuf *err)
{
	if (v->dir) {
		char *p = xasprintf("%s/%s", v->dir, v->names[i]);
		int rc = fsio_read(p, data, len, XML_MAX, err);
		free(p);
		return rc;
	} else {
		zip_stat_t zs;
		zip_file_t *zf;
		zip_int64_t got;
		if (zip_stat_index(v->za, (zip_uint64_t)v->idx[i], 0, &zs) < 0 || zs.size > XML_MAX)
			return err_set(err, "too large or unreadable");
		zf = zip_fopen_index(v->za, (zip_uint64_t)v->idx[i], 0);
		if (!zf)
			return err_set(err, "cannot read: %s", zip_strerror(v->za));
		*data = xmalloc(zs.size + 1);
		got = zip_fread(zf, *data, zs.size);
		zip_fclose(zf);
		if (got < 0 || (zip_uint64_t)got != zs.size) {
			free(*data);
			*data = NULL;
			return err_set(err, "cannot read: truncated or corrupt");
		}
		*len = (size_t)got;
		return 0;
	}
}

static int vsrc_hash(struct vsrc *v, size_t i, struct errbuf *err)
{
	unsigned char buf[65536], d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *md;
	zip_file_t *zf;
	zip_int64_t got;
	int64_t total = 0;
	if (v->hashed[i])
		return 0;
	if (v->dir) {
		char *p = xasprintf("%s/%s", v->dir, v->names[i]);
		int rc = fsio_sha256_file(p, v->sha[i], 1, &v->size[i], err);
		free(p);
		if (rc == 0)
			v->hashed[i] = true;
		return rc;
	}
	zf = zip_fopen_index(v->za, (zip_uint64_t)v->idx[i], 0);
	if (!zf)
		return err_set(err, "cannot read: %s", zip_strerror(v->za));
	md = EVP_MD_CTX_new();
	if (!md) {
		fprintf(stderr, "sohoa: out of memory\n");
		exit(71);
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		EVP_DigestUpdate(md, buf, (size_t)got);
		total += got;
	}
	zip_fclose(zf);
	EVP_DigestFinal_ex(md, d, &dlen);
	EVP_MD_CTX_free(md);
	if (got < 0)
		return err_set(err, "cannot read: corrupt zip member (CRC or data error)");
	for (unsigned k = 0; k < dlen; k++)
		snprintf(v->sha[i] + 2 * k, 3, "%02X", d[k]);
	v->size[i] = total;
	v->hashed[i] = true;
	return 0;
}

/* The member as a file on disk; *tmp is set when the caller must unlink it. */
static char *vsrc_path(struct vsrc *v, size_t i, bool *tmp, struct errbuf *err)
{
	char buf[65536];
	char *path;
	zip_file_t *zf;
	zip_int64_t got;
	int fd;
	*tmp = false;
	if (v->dir)
		return xasprintf("%s/%s", v->dir, v->names[i]);
	path = xasprintf("%s/sohoa-verify.XXXXXX", v->tmpdir ? v->tmpdir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		err_set(err, "cannot create '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	*tmp = true;
	zf = zip_fopen_index(v->za, (zip_uint64_t)v->idx[i], 0);
	if (!zf) {
		err_set(err, "cannot read: %s", zip_strerror(v->za));
		goto fail;
	}
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)got) != (ssize_t)got) {
			err_set(err, "cannot write '%s': %s", path, strerror(errno));
			zip_fclose(zf);
			goto fail;
		}
	zip_fclose(zf);
	if (got < 0) {
		err_set(err, "cannot read: corrupt zip member");
		goto fail;
	}
	close(fd);
	return path;
fail:
	close(fd);
	unlink(path);
	free(path);
	*tmp = false;
	return NULL;
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

/* One file or mdRef: present, SIZE, CHECKSUM, signature. */
static void check_ref(struct vsrc *v, const char *mets, const char *base, xmlNodePtr n, const char *href)
{
	char *path = resolve(v, mets, base, href);
	char *size = xprop(n, "SIZE", NULL), *sum = xprop(n, "CHECKSUM", NULL), *type = xprop(n, "CHECKSUMTYPE", NULL);
	struct errbuf err;
	ssize_t i;
	if (!path)
		goto out;
	i = vsrc_find(v, path);
	if (i < 0) {
		problem(v->rep, "%s: missing (listed in %s)", path, mets);
		goto out;
	}
	v->used[i] = true;
	err_init(&err);
	if (vsrc_hash(v, (size_t)i, &err) < 0) {
		problem(v->rep, "%s: %s", path, err.msg);
		goto out;
	}
	v->rep->nchecked++;
	if (!size)
		problem(v->rep, "%s: no SIZE in %s", path, mets);
	else if (strtoll(size, NULL, 10) != v->size[i] || !*size)
		problem(v->rep, "%s: size mismatch: %s says %s bytes, the file has %lld", path, mets, size, (long long)v->size[i]);
	if (!sum || !type)
		problem(v->rep, "%s: no CHECKSUM or CHECKSUMTYPE in %s", path, mets);
	else if (strcmp(type, "SHA-256") != 0)
		problem(v->rep, "%s: CHECKSUMTYPE '%s' in %s, expected SHA-256", path, type, mets);
	else if (strcasecmp(sum, v->sha[i]) != 0)
		problem(v->rep, "%s: checksum mismatch: %s says %s, the file has %s", path, mets, sum, v->sha[i]);
	if (!strcmp(base, "") && str_starts(path, "representations/") && str_ends(path, "/METS.xml") &&
	    strchr(path + strlen("representations/"), '/') == strrchr(path, '/'))
		check_rep_mets(v, path);
	if (v->sig && str_starts(path, "representations/") && strstr(path, "/data/") && str_ends(path, ".pdf")) {
		char why[512] = "";
		bool tmp;
		char *disk;
		err_init(&err);
		disk = vsrc_path(v, (size_t)i, &tmp, &err);
		if (!disk) {
			problem(v->rep, "%s: signature not checked: %s", path, err.msg);
		} else {
			v->rep->nsigs++;
			if (v->sig(v->ctx, disk, why, sizeof(why)) < 0)
				problem(v->rep, "%s: signature: %s", path, why[0] ? why : "not valid");
			if (tmp)
				unlink(disk);
			free(disk);
		}
	}
out:
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
