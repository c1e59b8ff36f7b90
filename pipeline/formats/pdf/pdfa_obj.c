/*
 * pdfa_obj.c - the object writer of the PDF/A writer (see pdfa_int.h):
 * every byte goes through pdfa_obj_out(), which counts it, so each
 * object's offset and the cross-reference table are exact by
 * construction.  A write error is remembered in the document and reported
 * by pdfa_close().
 */
#include "formats/pdf/pdfa_int.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void pdfa_obj_out(struct pdfa *d, const void *data, size_t len)
{
	if (d->werrno)
		return;
	if (len && fwrite(data, 1, len, d->fp) != len) {
		d->werrno = errno ? errno : EIO;
		return;
	}
	d->off += len;
}

void pdfa_obj_outf(struct pdfa *d, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	pdfa_obj_out(d, s, strlen(s));
	free(s);
}

int pdfa_obj_new(struct pdfa *d)
{
	if (d->nobj + 1 >= d->aobj) {
		d->aobj = d->aobj ? 2 * d->aobj : 64;
		d->offsets = xrealloc(d->offsets, (size_t)d->aobj * sizeof *d->offsets);
	}
	d->nobj++;
	d->offsets[d->nobj] = 0;
	return d->nobj;
}

void pdfa_obj_begin(struct pdfa *d, int num)
{
	d->offsets[num] = d->off;
	pdfa_obj_outf(d, "%d 0 obj\n", num);
}

/* A whole stream object; `dict` holds the keys other than /Length. */
void pdfa_obj_stream(struct pdfa *d, int num, const char *dict, const void *data, size_t len)
{
	pdfa_obj_begin(d, num);
	pdfa_obj_outf(d, "<< %s /Length %zu >>\nstream\n", dict, len);
	pdfa_obj_out(d, data, len);
	pdfa_obj_outf(d, "\nendstream\nendobj\n");
}

/* A Flate-compressed stream object. */
void pdfa_obj_flate(struct pdfa *d, int num, const char *dict, const void *data, size_t len)
{
	size_t n = 0;
	l_uint8 *z = zlibCompress((const l_uint8 *)data, len, &n);
	if (!z) { /* Leptonica failed to allocate: store it plain */
		pdfa_obj_stream(d, num, dict, data, len);
		return;
	}
	pdfa_obj_zstream(d, num, dict, z, n);
	lept_free(z);
}

/* A stream object of data already Flate-compressed. */
void pdfa_obj_zstream(struct pdfa *d, int num, const char *dict, const void *z, size_t n)
{
	char *dict2 = xasprintf("%s /Filter /FlateDecode", dict);
	pdfa_obj_stream(d, num, dict2, z, n);
	free(dict2);
}
