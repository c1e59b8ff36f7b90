/*
 * pades.h - the organisation's PAdES signature (REGULATIONS.md §4).
 *
 * pades_sign() appends one incremental update to a finished PDF/A-2b: a
 * signature field whose widget sits at the top right of page 1 with a
 * visible, text-only appearance (the organisation's name and the signing
 * time as 2025-07-01T14:03:22+07:00, 10 pt, black, Liberation Serif embedded
 * as a Type0/Identity-H font with ToUnicode), the AcroForm in an updated
 * Catalog (SigFlags 3), and a /Sig dictionary (/Filter /Adobe.PPKLite,
 * /SubFilter /ETSI.CAdES.detached, /M) whose /Contents holds a detached CMS
 * SignedData over the /ByteRange: SHA-256, signed attributes contentType,
 * messageDigest and signing-certificate-v2, no signing-time attribute (PAdES
 * baseline B-B puts the claimed time in /M).  With a TSA URL the signature
 * value is time-stamped (RFC 3161, HTTP POST) and the token embedded as the
 * unsigned attribute id-aa-signatureTimeStampToken (B-T).
 *
 * The input must use classic cross-reference tables (any number of earlier
 * incremental updates is fine); a cross-reference stream is refused with a
 * clear message.  The input file is not changed.
 */
#ifndef SOHOA_PADES_H
#define SOHOA_PADES_H

#include <stddef.h>
#include <stdint.h>

#include "formats/pdf/sigkey.h"
#include "engine/util.h"

struct ttf;

/* Default appearance font (Debian package fonts-liberation2). */
#define PADES_FONT "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
/* Largest input PDF accepted. */
#define PADES_MAX_PDF ((size_t)1 << 31)

struct pades_opts {
	const char *org_name;   /* UTF-8, required: the first line(s) of the appearance */
	const char *prefix;     /* optional line above the name (ND30 copy type, "SAO Y"); NULL for none */
	int64_t time_ms;        /* the claimed signing time, ms since the epoch; 0 = now */
	const char *tsa_url;    /* RFC 3161 time-stamp authority; NULL or "" for none */
	long tsa_timeout;       /* seconds for the TSA request; 0 = 30 */
	const struct ttf *font; /* appearance font; NULL = load font_path */
	const char *font_path;  /* NULL = PADES_FONT */
	size_t reserve;         /* bytes reserved for the CMS; 0 = estimated */
};

/* pades_sign()'s result when the input PDF itself cannot be signed
 * (unreadable, malformed, cross-reference stream, encrypted, rotated page 1):
 * repeating will not help.  Other failures (key, TSA, disk) return -1. */
#define PADES_EINPUT (-2)

/* Sign in_pdf into out_pdf (written atomically; in_pdf is unchanged).
 * Returns 0, PADES_EINPUT or -1, with err set ("'x.pdf': uses a
 * cross-reference stream; ...", "time-stamp from 'http://...': HTTP 500"). */
int pades_sign(const char *in_pdf, const char *out_pdf, const struct sigkey *key, const struct pades_opts *opts, struct errbuf *err);

#endif
