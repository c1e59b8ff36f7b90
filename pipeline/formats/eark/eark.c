/*
 * eark.c - E-ARK CSIP transfer packages: build (eark_build, eark_uuid).
 * The check is in eark_verify.c, the Mục lục / Biên bản in eark_muc_luc.c.
 *
 * Building: every file of the package is first an entry in a plan (its
 * name in the package, where its bytes are, SHA-256 and size); the XML
 * files are made with libxml2's tree API from the entries before them, so
 * that every METS reference carries the size and hash of exactly the bytes
 * that go into the zip.  The zip is written in the temporary folder, checked
 * with eark_verify() (a package that does not verify is never committed),
 * fsynced and renamed into place.
 *
 * Invariants: a package is deterministic in its description (see eark.h);
 * names inside a package are plain (no '/', "..", leading '.', control
 * characters) so that a zip never writes outside its folder when unpacked;
 * CHECKSUMs are upper-case SHA-256 and every file and mdRef has SIZE,
 * CREATED, CHECKSUM and CHECKSUMTYPE.
 *
 * Errors: the first error goes to the errbuf in git's wording and the
 * function returns -1; nothing is left at out_zip or in the temporary
 * folder.  Out of memory is fatal (util.h).
 */
#include "formats/eark/eark.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "engine/fsio.h"
#include "formats/eark/eark_int.h"

const char *const eark_file_fields[EARK_NFILE_FIELDS] = {
	"fileCode", "title", "maintenance", "mode", "language", "startDate", "endDate",
	"keyword", "totalDoc", "numberOfPaper", "numberOfPage", "format", "inforSign",
	"confidenceLevel", "paperFileCode", "riskRecovery", "riskRecoveryStatus", "description",
};

const char *const eark_doc_fields[EARK_NDOC_FIELDS] = {
	"docId", "docCode", "maintenance", "typeName", "codeNumber", "codeNotation",
	"issuedDate", "organName", "subject", "language", "numberOfPage", "inforSign",
	"keyword", "mode", "confidenceLevel", "autograph", "format", "riskRecovery",
	"riskRecoveryStatus", "process", "description",
};

const char *const eark_schema_files[] = {
	"mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd",
	"premis-v3-0.xsd", "ead2002.xsd", NULL,
};


/* ------------------------------------------------------------------ */
/* The plan: the package's files in zip order.                         */

struct entry {
	char *name;        /* path in the package, below the root folder */
	char *src;         /* file on disk, or NULL when mem holds the bytes */
	char *mem;
	size_t len;
	const char *mime;
	char sha[65];
	int64_t size;
	const struct eark_doc *doc; /* the document whose PDF this is */
};

struct plan {
	struct entry *e;
	size_t n, alloc;
};

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->e[i].name);
		free(p->e[i].src);
		free(p->e[i].mem);
	}
	free(p->e);
	memset(p, 0, sizeof(*p));
}

static struct entry *plan_new(struct plan *p, const char *name, const char *mime)
{
	struct entry *e;
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 32;
		p->e = xrealloc(p->e, p->alloc * sizeof(*p->e));
	}
	e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->mime = mime;
	return e;
}

static const struct entry *plan_find(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->e[i].name, name))
			return &p->e[i];
	return NULL;
}

/* Takes ownership of mem (from libxml or xmalloc). */
static const struct entry *plan_add_mem(struct plan *p, const char *name, char *mem, size_t len, const char *mime)
{
	struct entry *e = plan_new(p, name, mime);
	e->mem = mem;
	e->len = len;
	e->size = (int64_t)len;
	fsio_sha256_mem(mem, len, e->sha, 1);
	return e;
}

static int plan_add_file(struct plan *p, const char *name, const char *src, const char *mime, struct errbuf *err)
{
	struct entry *e;
	if (plan_find(p, name))
		return err_set(err, "two files would be named '%s' in the package", name);
	e = plan_new(p, name, mime);
	e->src = xstrdup(src);
	return fsio_sha256_file(src, e->sha, 1, &e->size, err);
}

/* A name that may become one path component inside the package. */
static bool plain_name(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) > 200)
		return false;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || *c == '/' || *c == '\\' || *c == ':')
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Small XML helpers (libxml2 tree API).                               */

static xmlNodePtr xel(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void xattr(xmlNodePtr n, const char *name, const char *value)
{
	xmlNewProp(n, BAD_CAST name, BAD_CAST value);
}

static void xnsattr(xmlNodePtr n, xmlNsPtr ns, const char *name, const char *value)
{
	xmlNewNsProp(n, ns, BAD_CAST name, BAD_CAST value);
}

static void xattr_int(xmlNodePtr n, const char *name, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	xattr(n, name, buf);
}

/* Serialise and free the document; the bytes belong to the caller. */
static char *xdump(xmlDocPtr doc, size_t *len)
{
	xmlChar *mem = NULL;
	int n = 0;
	char *out;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &n, "UTF-8", 1);
	xmlFreeDoc(doc);
	if (!mem || n <= 0) {
		fprintf(stderr, "sohoa: panic: cannot serialise XML\n");
		abort();
	}
	out = xmalloc((size_t)n);
	memcpy(out, mem, (size_t)n);
	xmlFree(mem);
	*len = (size_t)n;
	return out;
}

const char *eark_field_get(const struct eark_field *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].name && !strcmp(f[i].name, name))
			return f[i].value;
	return NULL;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* ------------------------------------------------------------------ */
/* UUID                                                                */

static void hash_str(EVP_MD_CTX *md, const char *s)
{
	/* Length-prefixed so that ("ab","c") and ("a","bc") differ. */
	uint64_t n = s ? strlen(s) : 0;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	EVP_DigestUpdate(md, len, sizeof(len));
	if (n)
		EVP_DigestUpdate(md, s, n);
}

static void hash_fields(EVP_MD_CTX *md, const struct eark_field *f, size_t n)
{
	hash_str(md, "fields");
	for (size_t i = 0; i < n; i++) {
		hash_str(md, f[i].name);
		hash_str(md, f[i].value);
	}
}

/* The plan must hold the data files (in order) when this runs. */
static void derive_uuid(const struct eark_pkg *pkg, const struct plan *data, char uuid[37])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md) {
		fprintf(stderr, "sohoa: out of memory\n");
		exit(71);
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	hash_str(md, "sohoa E-ARK SIP v1");
	hash_str(md, pkg->type == EARK_SIP_HOSO ? "SIP_hoso" : "SIP_tailieu");
	hash_str(md, pkg->file_code);
	hash_str(md, pkg->title);
	hash_fields(md, pkg->fields, pkg->nfields);
	for (size_t i = 0; i < pkg->ndocs; i++) {
		hash_str(md, pkg->docs[i].name);
		hash_fields(md, pkg->docs[i].fields, pkg->docs[i].nfields);
	}
	for (size_t i = 0; i < data->n; i++) {
		hash_str(md, data->e[i].name);
		hash_str(md, data->e[i].sha);
	}
	EVP_DigestFinal_ex(md, d, &dlen);
	EVP_MD_CTX_free(md);
	/* RFC 9562 version 8 (custom; here name-based with SHA-256), variant 10. */
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x80);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	snprintf(uuid, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15]);
}

/* ------------------------------------------------------------------ */
/* The description's checks and the data files.                        */

static int check_pkg(const struct eark_pkg *pkg, struct errbuf *err)
{
	if (pkg->ndocs == 0)
		return err_set(err, "package '%s': no documents to export", nz(pkg->file_code));
	if (pkg->type == EARK_SIP_HOSO && !plain_name(pkg->file_code))
		return err_set(err, "file code '%s': not usable as a package name", nz(pkg->file_code));
	if (!pkg->creator_name || !*pkg->creator_name)
		return err_set(err, "package '%s': the archival creator (organisation name) is not set", nz(pkg->file_code));
	for (size_t i = 0; i < pkg->ndocs; i++) {
		const struct eark_doc *d = &pkg->docs[i];
		if (!plain_name(d->name))
			return err_set(err, "document '%s': not usable as a file name in the package", nz(d->name));
		if (!d->pdf_path)
			return err_set(err, "document '%s': no signed PDF", d->name);
		for (size_t j = 0; j < d->nextras; j++)
			if (!plain_name(d->extras[j].name) || !d->extras[j].path)
				return err_set(err, "document '%s': extra file '%s': not usable as a file name in the package", d->name, nz(d->extras[j].name));
	}
	return 0;
}

static int add_data(const struct eark_pkg *pkg, struct plan *p, struct errbuf *err)
{
	for (size_t i = 0; i < pkg->ndocs; i++) {
		const struct eark_doc *d = &pkg->docs[i];
		char *name = xasprintf(REP "data/%s.pdf", d->name);
		int rc = plan_add_file(p, name, d->pdf_path, "application/pdf", err);
		free(name);
		if (rc < 0) {
			err_prefix(err, "document '%s'", d->name);
			return -1;
		}
		p->e[p->n - 1].doc = d;
		for (size_t j = 0; j < d->nextras; j++) {
			name = xasprintf(REP "data/%s", d->extras[j].name);
			rc = plan_add_file(p, name, d->extras[j].path, d->extras[j].mimetype ? d->extras[j].mimetype : "application/octet-stream", err);
			free(name);
			if (rc < 0) {
				err_prefix(err, "document '%s'", d->name);
				return -1;
			}
		}
	}
	return 0;
}

int eark_uuid(const struct eark_pkg *pkg, char uuid[37], struct errbuf *err)
{
	struct plan p = {0};
	int rc = -1;
	if (check_pkg(pkg, err) < 0 || add_data(pkg, &p, err) < 0)
		goto out;
	derive_uuid(pkg, &p, uuid);
	rc = 0;
out:
	plan_release(&p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* EAD 2002                                                            */

static char *make_ead(const char *id, const char *title, const char *level,
		      const char *const *names, size_t nnames,
		      const struct eark_field *f, size_t nf, size_t *len)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "ead");
	xmlNsPtr ns = xmlNewNs(root, BAD_CAST NS_EAD, NULL);
	xmlNodePtr hdr, fd, ts, arch, did, odd, list;
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	hdr = xel(root, ns, "eadheader", NULL);
	xel(hdr, ns, "eadid", id);
	fd = xel(hdr, ns, "filedesc", NULL);
	ts = xel(fd, ns, "titlestmt", NULL);
	xel(ts, ns, "titleproper", title);
	arch = xel(root, ns, "archdesc", NULL);
	xattr(arch, "level", level);
	did = xel(arch, ns, "did", NULL);
	xel(did, ns, "unitid", id);
	xel(did, ns, "unittitle", title);
	/* Every TT05 field in its order, present or empty: the archive's
	 * import reads them by name, so no field is left out. */
	odd = xel(arch, ns, "odd", NULL);
	xattr(odd, "type", level[0] == 'i' ? "TT05 tài liệu" : "TT05 hồ sơ");
	list = xel(odd, ns, "list", NULL);
	xattr(list, "type", "deflist");
	for (size_t i = 0; i < nnames; i++) {
		xmlNodePtr item = xel(list, ns, "defitem", NULL);
		xel(item, ns, "label", names[i]);
		xel(item, ns, "item", nz(eark_field_get(f, nf, names[i])));
	}
	/* Fields outside the TT05 list (local additions) follow, in their order. */
	for (size_t i = 0; i < nf; i++) {
		bool known = false;
		for (size_t j = 0; j < nnames && !known; j++)
			known = f[i].name && !strcmp(f[i].name, names[j]);
		if (!known && f[i].name) {
			xmlNodePtr item = xel(list, ns, "defitem", NULL);
			xel(item, ns, "label", f[i].name);
			xel(item, ns, "item", nz(f[i].value));
		}
	}
	return xdump(doc, len);
}

/* ------------------------------------------------------------------ */
/* PREMIS 3                                                            */

static void premis_id(xmlNodePtr parent, xmlNsPtr ns, const char *elem, const char *prefix, const char *type, const char *value)
{
	char n1[64], n2[64];
	xmlNodePtr id = xel(parent, ns, elem, NULL);
	snprintf(n1, sizeof(n1), "%sType", prefix);
	snprintf(n2, sizeof(n2), "%sValue", prefix);
	xel(id, ns, n1, type);
	xel(id, ns, n2, value);
}

static bool is_pdf(const char *name)
{
	return str_ends(name, ".pdf");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *make_premis(const struct eark_pkg *pkg, const struct plan *p, const char *created, size_t *len)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "premis");
	xmlNsPtr ns = xmlNewNs(root, BAD_CAST NS_PREMIS, NULL);
	xmlNsPtr xsi = xmlNewNs(root, BAD_CAST NS_XSI, BAD_CAST "xsi");
	const char **agents;
	size_t nagents = 0;
	char when[40], idbuf[48];
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	xattr(root, "version", "3.0");

	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		xmlNodePtr obj, ch, fx, fmt, fd;
		if (!str_starts(e->name, REP "data/"))
			continue;
		obj = xel(root, ns, "object", NULL);
		xnsattr(obj, xsi, "type", "file");
		premis_id(obj, ns, "objectIdentifier", "objectIdentifier", "local", e->name);
		ch = xel(obj, ns, "objectCharacteristics", NULL);
		xel(ch, ns, "compositionLevel", "0");
		fx = xel(ch, ns, "fixity", NULL);
		xel(fx, ns, "messageDigestAlgorithm", "SHA-256");
		xel(fx, ns, "messageDigest", e->sha);
		xel(fx, ns, "messageDigestOriginator", "sohoa");
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)e->size);
		xel(ch, ns, "size", idbuf);
		fmt = xel(ch, ns, "format", NULL);
		fd = xel(fmt, ns, "formatDesignation", NULL);
		if (is_pdf(e->name)) {
			xmlNodePtr reg;
			xel(fd, ns, "formatName", "PDF/A");
			xel(fd, ns, "formatVersion", "2b");
			reg = xel(fmt, ns, "formatRegistry", NULL);
			xel(reg, ns, "formatRegistryName", "PRONOM");
			xel(reg, ns, "formatRegistryKey", "fmt/477");
		} else {
			xel(fd, ns, "formatName", e->mime);
		}
		xel(obj, ns, "originalName", path_base(e->name));
		if (e->doc && e->doc->object)
			for (size_t k = 0; k < pkg->nevents; k++) {
				const struct eark_event *ev = &pkg->events[k];
				if (ev->object && !strcmp(ev->object, e->doc->object)) {
					snprintf(idbuf, sizeof(idbuf), "event-%lld", (long long)ev->id);
					premis_id(obj, ns, "linkingEventIdentifier", "linkingEventIdentifier", "local", idbuf);
				}
			}
	}

	agents = xcalloc(pkg->nevents + 1, sizeof(*agents));
	for (size_t k = 0; k < pkg->nevents; k++) {
		const struct eark_event *ev = &pkg->events[k];
		xmlNodePtr e, oi;
		snprintf(idbuf, sizeof(idbuf), "event-%lld", (long long)ev->id);
		time_iso_vn(ev->time_ms, true, when, sizeof(when));
		e = xel(root, ns, "event", NULL);
		premis_id(e, ns, "eventIdentifier", "eventIdentifier", "local", idbuf);
		xel(e, ns, "eventType", nz(ev->type));
		xel(e, ns, "eventDateTime", when);
		if (ev->detail && *ev->detail)
			xel(xel(e, ns, "eventDetailInformation", NULL), ns, "eventDetail", ev->detail);
		oi = xel(e, ns, "eventOutcomeInformation", NULL);
		xel(oi, ns, "eventOutcome", nz(ev->outcome));
		premis_id(e, ns, "linkingAgentIdentifier", "linkingAgentIdentifier", "local", nz(ev->agent));
		premis_id(e, ns, "linkingObjectIdentifier", "linkingObjectIdentifier", "local", nz(ev->object));
		/* An event of a document also names the document's file in the package. */
		for (size_t i = 0; i < p->n; i++)
			if (p->e[i].doc && p->e[i].doc->object && ev->object && !strcmp(p->e[i].doc->object, ev->object))
				premis_id(e, ns, "linkingObjectIdentifier", "linkingObjectIdentifier", "local", p->e[i].name);
		agents[nagents++] = nz(ev->agent);
	}
	qsort(agents, nagents, sizeof(*agents), cmp_str);
	for (size_t k = 0; k < nagents; k++) {
		xmlNodePtr a;
		if (k > 0 && !strcmp(agents[k], agents[k - 1]))
			continue;
		a = xel(root, ns, "agent", NULL);
		premis_id(a, ns, "agentIdentifier", "agentIdentifier", "local", agents[k]);
		xel(a, ns, "agentName", agents[k]);
		xel(a, ns, "agentType", str_starts(agents[k], "sohoa") ? "software" : "person");
	}
	{
		/* The organisation: the creator of the records and the signer. */
		xmlNodePtr a = xel(root, ns, "agent", NULL);
		premis_id(a, ns, "agentIdentifier", "agentIdentifier", "local", pkg->creator_code && *pkg->creator_code ? pkg->creator_code : pkg->creator_name);
		xel(a, ns, "agentName", pkg->creator_name);
		xel(a, ns, "agentType", "organization");
	}
	(void)created;
	free(agents);
	return xdump(doc, len);
}

/* ------------------------------------------------------------------ */
/* METS                                                                */

struct mets_ns {
	xmlNsPtr mets, xlink, xsi, csip, sip;
};

static xmlNodePtr mets_root(xmlDocPtr doc, struct mets_ns *ns, const char *objid, const char *label,
			    const char *pkgtype, const char *schema_prefix, bool local_schemas)
{
	xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "mets");
	char *loc;
	ns->mets = xmlNewNs(root, BAD_CAST NS_METS, NULL);
	ns->xlink = xmlNewNs(root, BAD_CAST NS_XLINK, BAD_CAST "xlink");
	ns->xsi = xmlNewNs(root, BAD_CAST NS_XSI, BAD_CAST "xsi");
	ns->csip = xmlNewNs(root, BAD_CAST NS_CSIP, BAD_CAST "csip");
	ns->sip = xmlNewNs(root, BAD_CAST NS_SIP, BAD_CAST "sip");
	xmlSetNs(root, ns->mets);
	xmlDocSetRootElement(doc, root);
	xattr(root, "OBJID", objid);
	xattr(root, "LABEL", label);
	xattr(root, "TYPE", "OTHER");
	xnsattr(root, ns->csip, "OTHERTYPE", pkgtype);
	xnsattr(root, ns->csip, "CONTENTINFORMATIONTYPE", "MIXED");
	xattr(root, "PROFILE", SIP_PROFILE);
	if (local_schemas)
		loc = xasprintf(NS_METS " %smets.xsd " NS_XLINK " %sxlink.xsd " NS_CSIP " %sDILCISExtensionMETS.xsd " NS_SIP " %sDILCISExtensionSIPMETS.xsd",
				schema_prefix, schema_prefix, schema_prefix, schema_prefix);
	else
		loc = xstrdup(NS_METS " http://www.loc.gov/standards/mets/mets.xsd " NS_XLINK " http://www.loc.gov/standards/xlink/xlink.xsd "
			      NS_CSIP " https://earkcsip.dilcis.eu/schema/DILCISExtensionMETS.xsd " NS_SIP " https://earksip.dilcis.eu/schema/DILCISExtensionSIPMETS.xsd");
	xnsattr(root, ns->xsi, "schemaLocation", loc);
	free(loc);
	return root;
}

static void mets_agent(xmlNodePtr hdr, const struct mets_ns *ns, const char *role, const char *type, const char *name, const char *code)
{
	xmlNodePtr a = xel(hdr, ns->mets, "agent", NULL);
	xattr(a, "ROLE", role);
	xattr(a, "TYPE", type);
	xel(a, ns->mets, "name", name);
	if (code && *code)
		xnsattr(xel(a, ns->mets, "note", code), ns->csip, "NOTETYPE", "IDENTIFICATIONCODE");
}

static xmlNodePtr mets_hdr(xmlNodePtr root, const struct mets_ns *ns, const struct eark_pkg *pkg, const char *created, bool full)
{
	xmlNodePtr hdr = xel(root, ns->mets, "metsHdr", NULL), a;
	xattr(hdr, "CREATEDATE", created);
	xattr(hdr, "RECORDSTATUS", "NEW");
	xnsattr(hdr, ns->csip, "OAISPACKAGETYPE", "SIP");
	a = xel(hdr, ns->mets, "agent", NULL);
	xattr(a, "ROLE", "CREATOR");
	xattr(a, "TYPE", "OTHER");
	xattr(a, "OTHERTYPE", "SOFTWARE");
	xel(a, ns->mets, "name", "sohoa");
	xnsattr(xel(a, ns->mets, "note", pkg->software_version ? pkg->software_version : "0"), ns->csip, "NOTETYPE", "SOFTWARE VERSION");
	if (!full)
		return hdr;
	mets_agent(hdr, ns, "ARCHIVIST", "ORGANIZATION", pkg->creator_name, pkg->creator_code);
	if (pkg->submitter_name && *pkg->submitter_name)
		mets_agent(hdr, ns, "CREATOR", "ORGANIZATION", pkg->submitter_name, pkg->submitter_code);
	else
		mets_agent(hdr, ns, "CREATOR", "ORGANIZATION", pkg->creator_name, pkg->creator_code);
	if (pkg->contact && *pkg->contact)
		mets_agent(hdr, ns, "CREATOR", "INDIVIDUAL", pkg->contact, NULL);
	if (pkg->archive_name && *pkg->archive_name)
		mets_agent(hdr, ns, "PRESERVATION", "ORGANIZATION", pkg->archive_name, pkg->archive_code);
	return hdr;
}

/* SIZE, CREATED, CHECKSUM, CHECKSUMTYPE (and MIMETYPE) of a file or mdRef. */
static void mets_fixity(xmlNodePtr n, const struct entry *e, const char *created)
{
	xattr(n, "MIMETYPE", e->mime);
	xattr_int(n, "SIZE", e->size);
	xattr(n, "CREATED", created);
	xattr(n, "CHECKSUM", e->sha);
	xattr(n, "CHECKSUMTYPE", "SHA-256");
}

/* A metadata section (dmdSec, digiprovMD) named id, with the mdRef to its file. */
static void mets_mdsec(xmlNodePtr parent, const struct mets_ns *ns, const char *section, const char *id,
		       const struct entry *e, const char *href, const char *mdtype, const char *version,
		       const char *created)
{
	xmlNodePtr sec = xel(parent, ns->mets, section, NULL), r;
	xattr(sec, "ID", id);
	xattr(sec, "CREATED", created);
	xattr(sec, "STATUS", "CURRENT");
	r = xel(sec, ns->mets, "mdRef", NULL);
	xattr(r, "LOCTYPE", "URL");
	xnsattr(r, ns->xlink, "type", "simple");
	xnsattr(r, ns->xlink, "href", href);
	xattr(r, "MDTYPE", mdtype);
	if (version)
		xattr(r, "MDTYPEVERSION", version);
	mets_fixity(r, e, created);
}

static xmlNodePtr mets_file(xmlNodePtr grp, const struct mets_ns *ns, const struct entry *e, const char *id,
			    const char *href, const char *created)
{
	xmlNodePtr f = xel(grp, ns->mets, "file", NULL), loc;
	xattr(f, "ID", id);
	mets_fixity(f, e, created);
	if (is_pdf(e->name)) {
		xnsattr(f, ns->sip, "FILEFORMATNAME", "Acrobat PDF/A - Portable Document Format");
		xnsattr(f, ns->sip, "FILEFORMATVERSION", "2b");
		xnsattr(f, ns->sip, "FORMATREGISTRY", "PRONOM");
		xnsattr(f, ns->sip, "FORMATREGISTRYKEY", "fmt/477");
	}
	loc = xel(f, ns->mets, "FLocat", NULL);
	xattr(loc, "LOCTYPE", "URL");
	xnsattr(loc, ns->xlink, "type", "simple");
	xnsattr(loc, ns->xlink, "href", href);
	return f;
}

static xmlNodePtr mets_div(xmlNodePtr parent, const struct mets_ns *ns, const char *id, const char *label)
{
	xmlNodePtr d = xel(parent, ns->mets, "div", NULL);
	xattr(d, "ID", id);
	xattr(d, "LABEL", label);
	return d;
}

static void mets_fptr(xmlNodePtr div, const struct mets_ns *ns, const char *fileid)
{
	xattr(xel(div, ns->mets, "fptr", NULL), "FILEID", fileid);
}

/* representations/rep1/METS.xml: the documents' EAD and the data files. */
static char *make_rep_mets(const struct eark_pkg *pkg, const struct plan *p, const char *objid, const char *created,
			   bool local_schemas, size_t *len)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	struct mets_ns ns;
	xmlNodePtr root, fs, grp, sm, top, mdiv, ddiv;
	struct strbuf dmdids;
	char id[32];
	size_t ndmd = 0, nfile = 0;
	const size_t plen = strlen(REP);
	char *label = xasprintf("%s rep1", objid);

	root = mets_root(doc, &ns, label, pkg->title ? pkg->title : "", pkg->type == EARK_SIP_HOSO ? "SIP_hoso" : "SIP_tailieu", "../../schemas/", local_schemas);
	free(label);
	mets_hdr(root, &ns, pkg, created, false);
	sb_init(&dmdids, 0);
	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		if (!str_starts(e->name, REP "metadata/descriptive/"))
			continue;
		snprintf(id, sizeof(id), "dmd-%04zu", ++ndmd);
		mets_mdsec(root, &ns, "dmdSec", id, e, e->name + plen, "EAD", "2002", created);
		sb_addf(&dmdids, "%s%s", dmdids.len ? " " : "", id);
	}
	fs = xel(root, ns.mets, "fileSec", NULL);
	xattr(fs, "ID", "filesec");
	grp = xel(fs, ns.mets, "fileGrp", NULL);
	xattr(grp, "ID", "grp-data");
	xattr(grp, "USE", "Data");
	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		if (!str_starts(e->name, REP "data/"))
			continue;
		snprintf(id, sizeof(id), "file-%04zu", ++nfile);
		mets_file(grp, &ns, e, id, e->name + plen, created);
	}
	sm = xel(root, ns.mets, "structMap", NULL);
	xattr(sm, "ID", "structmap-csip");
	xattr(sm, "TYPE", "PHYSICAL");
	xattr(sm, "LABEL", "CSIP");
	top = mets_div(sm, &ns, "div-rep1", "rep1");
	mdiv = mets_div(top, &ns, "div-metadata", "Metadata");
	if (dmdids.len)
		xattr(mdiv, "DMDID", dmdids.buf);
	ddiv = mets_div(top, &ns, "div-data", "Data");
	mets_fptr(ddiv, &ns, "grp-data");
	sb_release(&dmdids);
	return xdump(doc, len);
}

static char *make_root_mets(const struct eark_pkg *pkg, const struct plan *p, const char *objid, const char *created,
			    bool local_schemas, size_t *len)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	struct mets_ns ns;
	xmlNodePtr root, amd, fs, grp, sm, top, d;
	const struct entry *ead = plan_find(p, "metadata/descriptive/EAD.xml");
	const struct entry *premis = plan_find(p, "metadata/preservation/PREMIS.xml");
	const struct entry *rep = plan_find(p, REP "METS.xml");
	char *label;
	size_t nschema = 0;
	char id[32];

	if (pkg->type == EARK_SIP_HOSO)
		label = xasprintf("%s %s", pkg->file_code, nz(pkg->title));
	else
		label = xstrdup(pkg->title ? pkg->title : "Tài liệu rời");
	root = mets_root(doc, &ns, objid, label, pkg->type == EARK_SIP_HOSO ? "SIP_hoso" : "SIP_tailieu", "schemas/", local_schemas);
	free(label);
	mets_hdr(root, &ns, pkg, created, true);

	mets_mdsec(root, &ns, "dmdSec", "dmd-ead", ead, ead->name, "EAD", "2002", created);

	amd = xel(root, ns.mets, "amdSec", NULL);
	xattr(amd, "ID", "amd");
	mets_mdsec(amd, &ns, "digiprovMD", "digiprov-premis", premis, premis->name, "PREMIS", "3.0", created);

	fs = xel(root, ns.mets, "fileSec", NULL);
	xattr(fs, "ID", "filesec");
	if (local_schemas) {
		grp = xel(fs, ns.mets, "fileGrp", NULL);
		xattr(grp, "ID", "grp-schemas");
		xattr(grp, "USE", "Schemas");
		for (size_t i = 0; i < p->n; i++)
			if (str_starts(p->e[i].name, "schemas/")) {
				snprintf(id, sizeof(id), "schema-%02zu", ++nschema);
				mets_file(grp, &ns, &p->e[i], id, p->e[i].name, created);
			}
	}
	grp = xel(fs, ns.mets, "fileGrp", NULL);
	xattr(grp, "ID", "grp-rep1");
	xattr(grp, "USE", "Representations/rep1");
	mets_file(grp, &ns, rep, "file-rep1-mets", rep->name, created);

	sm = xel(root, ns.mets, "structMap", NULL);
	xattr(sm, "ID", "structmap-csip");
	xattr(sm, "TYPE", "PHYSICAL");
	xattr(sm, "LABEL", "CSIP");
	top = mets_div(sm, &ns, "div-root", objid);
	d = mets_div(top, &ns, "div-metadata", "Metadata");
	xattr(d, "DMDID", "dmd-ead");
	xattr(d, "ADMID", "digiprov-premis");
	if (local_schemas)
		mets_fptr(mets_div(top, &ns, "div-schemas", "Schemas"), &ns, "grp-schemas");
	d = mets_div(top, &ns, "div-rep1", "Representations/rep1");
	{
		/* METS wants mptr before fptr. */
		xmlNodePtr m = xel(d, ns.mets, "mptr", NULL);
		xattr(m, "LOCTYPE", "URL");
		xnsattr(m, ns.xlink, "type", "simple");
		xnsattr(m, ns.xlink, "href", rep->name);
		xnsattr(m, ns.xlink, "title", "grp-rep1");
	}
	mets_fptr(d, &ns, "grp-rep1");
	return xdump(doc, len);
}

/* ------------------------------------------------------------------ */
/* Building                                                            */

static int write_zip(const struct plan *p, const char *objid, int64_t created_ms, const char *zpath, struct errbuf *err)
{
	int zerr = 0;
	zip_t *za = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	time_t mtime = (time_t)(created_ms / 1000);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		err_set(err, "cannot create '%s': %s", zpath, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct entry *e = &p->e[i];
		char *name = xasprintf("%s/%s", objid, e->name);
		zip_source_t *src = e->src ? zip_source_file(za, e->src, 0, -1) : zip_source_buffer(za, e->mem, e->len, 0);
		zip_int64_t idx = src ? zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) : -1;
		free(name);
		if (idx < 0) {
			if (src)
				zip_source_free(src);
			err_set(err, "cannot add '%s' to '%s': %s", e->name, zpath, zip_strerror(za));
			zip_discard(za);
			unlink(zpath);
			return -1;
		}
		/* PDFs are compressed already; fixed times and modes keep the zip
		 * the same from one export to the next. */
		zip_set_file_compression(za, (zip_uint64_t)idx, is_pdf(e->name) ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 9);
		zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0);
		zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, (zip_uint32_t)0100644 << 16);
	}
	if (zip_close(za) < 0) {
		err_set(err, "cannot write '%s': %s", zpath, zip_strerror(za));
		zip_discard(za);
		unlink(zpath);
		return -1;
	}
	return 0;
}

int eark_build(const struct eark_pkg *pkg, const char *tmpdir, const char *out_zip, struct eark_result *res, struct errbuf *err)
{
	struct plan p = {0};
	char uuid[37], objid[48], created[40];
	int64_t created_ms = pkg->created_ms;
	bool local_schemas = false;
	char *mem, *zpath = NULL;
	size_t len;
	struct eark_report rep = {0};
	int rc = -1;

	if (check_pkg(pkg, err) < 0 || add_data(pkg, &p, err) < 0)
		goto out;
	derive_uuid(pkg, &p, uuid);
	snprintf(objid, sizeof(objid), "uuid-%s", uuid);
	if (!created_ms)
		for (size_t i = 0; i < pkg->nevents; i++)
			if (pkg->events[i].time_ms > created_ms)
				created_ms = pkg->events[i].time_ms;
	time_iso_vn(created_ms, true, created, sizeof(created));

	for (size_t i = 0; i < pkg->ndocs; i++) {
		const struct eark_doc *d = &pkg->docs[i];
		const char *code = eark_field_get(d->fields, d->nfields, "docCode");
		const char *subject = eark_field_get(d->fields, d->nfields, "subject");
		char *name = xasprintf(REP "metadata/descriptive/EAD_doc_%s.xml", d->name);
		mem = make_ead(code && *code ? code : d->name, subject && *subject ? subject : d->name, "item",
			       eark_doc_fields, EARK_NDOC_FIELDS, d->fields, d->nfields, &len);
		plan_add_mem(&p, name, mem, len, "application/xml");
		free(name);
	}
	if (pkg->schemas_dir) {
		struct stat st;
		for (int i = 0; eark_schema_files[i]; i++) {
			char *src = xasprintf("%s/%s", pkg->schemas_dir, eark_schema_files[i]);
			char *name = xasprintf("schemas/%s", eark_schema_files[i]);
			int frc = 0;
			if (stat(src, &st) == 0 && S_ISREG(st.st_mode)) {
				frc = plan_add_file(&p, name, src, "application/xml", err);
				local_schemas = true;
			}
			free(src);
			free(name);
			if (frc < 0)
				goto out;
		}
		/* The METS points at schemas/mets.xsd: all four or none. */
		if (local_schemas && (!plan_find(&p, "schemas/mets.xsd") || !plan_find(&p, "schemas/xlink.xsd") ||
				      !plan_find(&p, "schemas/DILCISExtensionMETS.xsd") || !plan_find(&p, "schemas/DILCISExtensionSIPMETS.xsd"))) {
			err_set(err, "schema folder '%s': needs mets.xsd, xlink.xsd, DILCISExtensionMETS.xsd and DILCISExtensionSIPMETS.xsd", pkg->schemas_dir);
			goto out;
		}
	}
	mem = make_rep_mets(pkg, &p, objid, created, local_schemas, &len);
	plan_add_mem(&p, REP "METS.xml", mem, len, "application/xml");
	if (pkg->type == EARK_SIP_HOSO)
		mem = make_ead(pkg->file_code, nz(pkg->title), "file", eark_file_fields, EARK_NFILE_FIELDS, pkg->fields, pkg->nfields, &len);
	else
		mem = make_ead(objid, pkg->title ? pkg->title : "Tài liệu rời", "collection", NULL, 0, pkg->fields, pkg->nfields, &len);
	plan_add_mem(&p, "metadata/descriptive/EAD.xml", mem, len, "application/xml");
	mem = make_premis(pkg, &p, created, &len);
	plan_add_mem(&p, "metadata/preservation/PREMIS.xml", mem, len, "application/xml");
	mem = make_root_mets(pkg, &p, objid, created, local_schemas, &len);
	plan_add_mem(&p, "METS.xml", mem, len, "application/xml");

	/* Zip order: root METS, root metadata, then the representation, schemas last. */
	{
		struct plan z = {0};
		static const char *const order[] = {"METS.xml", "metadata/", REP "METS.xml", REP "metadata/", REP "data/", "schemas/", NULL};
		z.e = xmalloc(p.n * sizeof(*z.e));
		z.alloc = p.n;
		for (int k = 0; order[k]; k++)
			for (size_t i = 0; i < p.n; i++) {
				bool exact = !str_ends(order[k], "/");
				if (exact ? !strcmp(p.e[i].name, order[k]) : str_starts(p.e[i].name, order[k]))
					z.e[z.n++] = p.e[i];
			}
		if (z.n != p.n) {
			fprintf(stderr, "sohoa: panic: eark: %zu entries planned, %zu ordered\n", p.n, z.n);
			abort();
		}
		free(p.e);
		p = z;
	}

	zpath = xasprintf("%s/.%s.%ld.zip", tmpdir ? tmpdir : ".", objid, (long)getpid());
	if (write_zip(&p, objid, created_ms, zpath, err) < 0)
		goto out;
	/* Never commit a package that does not verify (a file changed while it
	 * was being read, a bug here). */
	if (eark_verify(zpath, NULL, NULL, tmpdir, &rep, err) < 0)
		goto out_unlink;
	if (rep.n) {
		err_set(err, "package '%s' fails its own check: %s", objid, rep.lines[0]);
		goto out_unlink;
	}
	if (res) {
		memset(res, 0, sizeof(*res));
		memcpy(res->uuid, uuid, sizeof(res->uuid));
		res->nfiles = p.n;
		for (size_t i = 0; i < p.n; i++)
			if (str_starts(p.e[i].name, REP "data/"))
				res->data_bytes += p.e[i].size;
		if (fsio_sha256_file(zpath, res->sha256, 1, &res->size, err) < 0)
			goto out_unlink;
	}
	if (fsio_commit(zpath, out_zip, err) < 0)
		goto out_unlink;
	rc = 0;
	goto out;
out_unlink:
	unlink(zpath);
out:
	eark_report_release(&rep);
	free(zpath);
	plan_release(&p);
	return rc;
}
