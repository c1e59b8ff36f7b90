/*
 * pdfread.h - a minimal PDF reader: just enough to append an incremental
 * update (pades.c) and to find and check signatures (sigverify.c).
 *
 * It reads a whole file into memory, follows the chain of classic
 * cross-reference tables (xref ... trailer, through /Prev) and returns the
 * text of any object's value as a span into that memory.  Values are parsed
 * lazily with the small tokenizer below: look a key up in a dictionary, walk
 * an array, read an integer or an indirect reference.
 *
 * Not supported: cross-reference streams and objects inside object streams
 * (pdfread_open() says so plainly), encryption, names with # escapes in keys.
 */
#ifndef SOHOA_PDFREAD_H
#define SOHOA_PDFREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/util.h"

struct pdfread;

/* A borrowed piece of the file: a value's text, without surrounding space. */
struct pdfread_span {
	const char *s;
	size_t len;
};

/* Read `path` (at most `max` bytes) and its cross-reference tables.  Returns
 * NULL with err set when the file cannot be read or is not a PDF we handle. */
struct pdfread *pdfread_open(const char *path, size_t max, struct errbuf *err);
void pdfread_free(struct pdfread *p);

/* The whole file and its length (owned by p; NUL-terminated). */
const char *pdfread_data(const struct pdfread *p, size_t *len);
/* The name used in messages (the path given to pdfread_open). */
const char *pdfread_name(const struct pdfread *p);
/* Offset of the newest cross-reference section (the last startxref). */
size_t pdfread_startxref(const struct pdfread *p);
/* The newest trailer dictionary. */
struct pdfread_span pdfread_trailer(const struct pdfread *p);
/* One more than the highest object number in use (the trailer's /Size). */
long pdfread_size(const struct pdfread *p);

/* The value of object `num` (the dictionary of a stream), with its
 * generation in *gen when gen is not NULL.  -1 with err set when the object
 * is missing, free or malformed. */
int pdfread_object(struct pdfread *p, long num, int *gen, struct pdfread_span *val, struct errbuf *err);

/* When `val` is an indirect reference, the referenced object's value;
 * otherwise val itself.  -1 with err set when the object cannot be read. */
int pdfread_resolve(struct pdfread *p, struct pdfread_span val, struct pdfread_span *out, struct errbuf *err);

/* Look `key` (with its slash, "/Type") up in the dictionary `dict`; true and
 * the value's span in *val when found. */
bool pdfread_dict_get(struct pdfread_span dict, const char *key, struct pdfread_span *val);
/* Append the dictionary's entries (key and value text, space separated)
 * except those named in skip (a NULL-terminated list), without the << >>. */
void pdfread_dict_copy(struct strbuf *sb, struct pdfread_span dict, const char *const *skip);
/* Iterate an array: start with *pos = 0; true and the next item in *item,
 * false at the end or on malformed input. */
bool pdfread_array_next(struct pdfread_span arr, size_t *pos, struct pdfread_span *item);

/* Predicates on a value's text. */
bool pdfread_is(struct pdfread_span v, const char *text); /* exact token, e.g. "/Sig" */
bool pdfread_int(struct pdfread_span v, long *out);
bool pdfread_num(struct pdfread_span v, double *out);
bool pdfread_ref(struct pdfread_span v, long *num, int *gen);

/* The length of the value starting at s (at most n bytes), after leading
 * white space and comments have been skipped; *skip gets how many bytes were
 * skipped.  0 when there is no well-formed value. */
size_t pdfread_value_len(const char *s, size_t n, size_t *skip);

#endif
