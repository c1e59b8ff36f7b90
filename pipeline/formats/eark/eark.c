/*
 * eark.c - E-ARK CSIP transfer packages: build (eark_build), check
 * (eark_verify), and the Mục lục / Biên bản that go beside them.
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
 * folder.  Verification reports problems as lines, not errors: an error is
 * only "cannot open the package at all".  Out of memory is fatal (util.h).
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

#define NS_METS "http://www.loc.gov/METS/"
#define NS_XLINK "http://www.w3.org/1999/xlink"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define NS_CSIP "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
#define NS_SIP "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
#define NS_PREMIS "http://www.loc.gov/premis/v3"
#define NS_EAD "urn:isbn:1-931666-22-9"
#define SIP_PROFILE "https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml"
#define REP "representations/rep1/"
#define XML_MAX ((size_t)64 << 20)

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

/* ------------------------------------------------------------------ */
/* Verification                                                        */

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

/* ------------------------------------------------------------------ */
/* Mục lục and Biên bản                                                */

static const char *const muc_luc_header[] = {
	"STT", "Mã hồ sơ/tài liệu", "Tiêu đề hồ sơ/trích yếu", "Thời gian bắt đầu", "Thời gian kết thúc",
	"Thời hạn bảo quản", "Mức độ tiếp cận", "Số lượng tài liệu", "Số lượng tờ", "Số lượng trang",
	"Mã hồ sơ giấy", "Ghi chú", "Gói SIP", "OBJID", "SHA-256 của gói",
};
#define MUC_LUC_COLS (sizeof(muc_luc_header) / sizeof(muc_luc_header[0]))

size_t eark_muc_luc_rows(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, char ****rowsp, size_t *ncols)
{
	char ***rows = NULL;
	size_t nrows = 0, stt = 0;
#define ROW() do { \
		rows = xrealloc(rows, (nrows + 1) * sizeof(*rows)); \
		rows[nrows] = xcalloc(MUC_LUC_COLS, sizeof(char *)); \
		nrows++; \
	} while (0)
#define SET(c, s) (rows[nrows - 1][c] = xstrdup(nz(s)))
	ROW();
	for (size_t c = 0; c < MUC_LUC_COLS; c++)
		SET(c, muc_luc_header[c]);
	for (size_t k = 0; k < n; k++) {
		const struct eark_pkg *p = pkgs[k];
		char *objid = xasprintf("uuid-%s", res[k].uuid);
		if (p->type == EARK_SIP_HOSO) {
			const struct eark_field *f = p->fields;
			size_t nf = p->nfields;
			const char *v;
			ROW();
			rows[nrows - 1][0] = xasprintf("%zu", ++stt);
			SET(1, p->file_code);
			SET(2, (v = eark_field_get(f, nf, "title")) && *v ? v : p->title);
			SET(3, eark_field_get(f, nf, "startDate"));
			SET(4, eark_field_get(f, nf, "endDate"));
			SET(5, eark_field_get(f, nf, "maintenance"));
			SET(6, eark_field_get(f, nf, "mode"));
			if ((v = eark_field_get(f, nf, "totalDoc")) && *v)
				SET(7, v);
			else
				rows[nrows - 1][7] = xasprintf("%zu", p->ndocs);
			SET(8, eark_field_get(f, nf, "numberOfPaper"));
			SET(9, eark_field_get(f, nf, "numberOfPage"));
			SET(10, eark_field_get(f, nf, "paperFileCode"));
			SET(11, eark_field_get(f, nf, "description"));
			SET(12, zips[k]);
			SET(13, objid);
			SET(14, res[k].sha256);
		} else {
			for (size_t i = 0; i < p->ndocs; i++) {
				const struct eark_doc *d = &p->docs[i];
				const struct eark_field *f = d->fields;
				size_t nf = d->nfields;
				const char *v;
				ROW();
				rows[nrows - 1][0] = xasprintf("%zu", ++stt);
				SET(1, (v = eark_field_get(f, nf, "docCode")) && *v ? v : d->name);
				SET(2, eark_field_get(f, nf, "subject"));
				SET(3, eark_field_get(f, nf, "issuedDate"));
				SET(4, eark_field_get(f, nf, "issuedDate"));
				SET(5, eark_field_get(f, nf, "maintenance"));
				SET(6, eark_field_get(f, nf, "mode"));
				SET(7, "1");
				SET(8, "");
				SET(9, eark_field_get(f, nf, "numberOfPage"));
				SET(10, "");
				SET(11, eark_field_get(f, nf, "description"));
				SET(12, zips[k]);
				SET(13, objid);
				SET(14, res[k].sha256);
			}
		}
		free(objid);
	}
#undef ROW
#undef SET
	*rowsp = rows;
	*ncols = MUC_LUC_COLS;
	return nrows;
}

void eark_table_free(char ***rows, size_t nrows, size_t ncols)
{
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++)
			free(rows[r][c]);
		free(rows[r]);
	}
	free(rows);
}

static void csv_cell(struct strbuf *sb, const char *s)
{
	/* A cell Excel would take for a formula gets a leading apostrophe. */
	bool quote = strpbrk(s, ",\"\r\n;") != NULL;
	if (quote)
		sb_addc(sb, '"');
	if (strchr("=+-@", s[0]) && s[0])
		sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *s);
	}
	if (quote)
		sb_addc(sb, '"');
}

void eark_muc_luc_csv(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb)
{
	char ***rows;
	size_t ncols, nrows = eark_muc_luc_rows(pkgs, res, zips, n, &rows, &ncols);
	sb_adds(sb, "\xEF\xBB\xBF");
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				sb_addc(sb, ',');
			csv_cell(sb, rows[r][c]);
		}
		sb_adds(sb, "\r\n");
	}
	eark_table_free(rows, nrows, ncols);
}

static void md_cell(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

void eark_bien_ban_md(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb)
{
	size_t nfiles = 0, ndocs = 0;
	long npages = 0, nsheets = 0;
	int64_t bytes = 0;
	const char *giver = n ? pkgs[0]->creator_name : NULL, *giver_code = n ? pkgs[0]->creator_code : NULL;
	const char *taker = n ? pkgs[0]->archive_name : NULL;
	for (size_t k = 0; k < n; k++) {
		const struct eark_pkg *p = pkgs[k];
		const char *v;
		if (p->type == EARK_SIP_HOSO) {
			nfiles++;
			if ((v = eark_field_get(p->fields, p->nfields, "numberOfPaper")))
				nsheets += atol(v);
		}
		ndocs += p->ndocs;
		for (size_t i = 0; i < p->ndocs; i++)
			if ((v = eark_field_get(p->docs[i].fields, p->docs[i].nfields, "numberOfPage")))
				npages += atol(v);
		bytes += res[k].data_bytes;
	}
	sb_adds(sb, "# BIÊN BẢN THU NỘP HỒ SƠ, TÀI LIỆU (dự thảo)\n\n");
	sb_adds(sb, "Hôm nay, ngày ...... tháng ...... năm .........., tại ..........................................................\n\n");
	sb_adds(sb, "**Bên giao nộp:** ");
	md_cell(sb, giver && *giver ? giver : "..........................................................");
	if (giver_code && *giver_code) {
		sb_adds(sb, " (mã: ");
		md_cell(sb, giver_code);
		sb_adds(sb, ")");
	}
	sb_adds(sb, "\n\nĐại diện: ...................................................... Chức vụ: ..................................\n\n");
	sb_adds(sb, "**Bên nhận:** ");
	md_cell(sb, taker && *taker ? taker : "..........................................................");
	sb_adds(sb, "\n\nĐại diện: ...................................................... Chức vụ: ..................................\n\n");
	sb_adds(sb, "Hai bên thống nhất giao nhận tài liệu lưu trữ số dưới dạng gói thông tin nộp lưu (E-ARK CSIP SIP) như sau:\n\n");
	sb_addf(sb, "- Số gói: %zu\n", n);
	sb_addf(sb, "- Số hồ sơ: %zu\n", nfiles);
	sb_addf(sb, "- Số tài liệu: %zu\n", ndocs);
	sb_addf(sb, "- Số tờ (theo hồ sơ): %ld\n", nsheets);
	sb_addf(sb, "- Số trang (theo tài liệu): %ld\n", npages);
	sb_addf(sb, "- Dung lượng tài liệu (tệp PDF/A đã ký và tệp kèm theo): %lld byte\n\n", (long long)bytes);
	sb_adds(sb, "Kèm theo: Mục lục hồ sơ, tài liệu nộp lưu.\n\n");
	sb_adds(sb, "| STT | Gói | OBJID | Số tài liệu | Dung lượng gói (byte) | SHA-256 |\n");
	sb_adds(sb, "|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < n; k++) {
		sb_addf(sb, "| %zu | ", k + 1);
		md_cell(sb, zips[k]);
		sb_addf(sb, " | uuid-%s | %zu | %lld | %s |\n", res[k].uuid, pkgs[k]->ndocs, (long long)res[k].size, res[k].sha256);
	}
	sb_adds(sb, "\nBên nhận đã kiểm tra tính toàn vẹn của các gói (mã SHA-256, chữ ký số của cơ quan, tổ chức) bằng `sohoa verify`: ........................\n\n");
	sb_adds(sb, "Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.\n\n");
	sb_adds(sb, "| ĐẠI DIỆN BÊN GIAO NỘP | ĐẠI DIỆN BÊN NHẬN |\n");
	sb_adds(sb, "|:---:|:---:|\n");
	sb_adds(sb, "| (Ký, ghi rõ họ tên, đóng dấu) | (Ký, ghi rõ họ tên, đóng dấu) |\n");
	sb_adds(sb, "| | |\n| | |\n");
	sb_adds(sb, "| .................................... | .................................... |\n");
}
