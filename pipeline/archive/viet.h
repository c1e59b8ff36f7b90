/*
 * viet.h - Vietnamese language knowledge for judging OCR text without
 * ground truth: is a token a valid Vietnamese syllable (or a known word)?
 *
 * The syllables come from Debian's hunspell-vi dictionary (vi_VN.aff and
 * vi_VN.dic, 6 600 syllables, through libhunspell, which also accepts them
 * capitalised and in capitals).  A token is judged after its leading and
 * trailing punctuation is taken off; one with a digit in it (numbers, dates,
 * 54/2014/QH13) is not judged at all.
 */
#ifndef SOHOA_VIET_H
#define SOHOA_VIET_H

#include <stdbool.h>

#include "engine/util.h"

struct viet;

/* The default dictionary: DIR/NAME without .aff / .dic. */
#define VIET_DICT_DEFAULT "/usr/share/hunspell/vi_VN"

/* Load the dictionary `dict` (a path without its .aff/.dic ending).
 * Returns NULL with err set when either file cannot be read. */
struct viet *viet_open(const char *dict, struct errbuf *err);
void viet_free(struct viet *v);

enum viet_kind {
	VIET_SKIP,    /* nothing to judge: punctuation only, or has a digit */
	VIET_VALID,   /* a Vietnamese syllable or a word the dictionary knows */
	VIET_INVALID, /* letters that are no Vietnamese syllable */
};

/* Judge one token (UTF-8, any normalisation form; NFC is expected). */
enum viet_kind viet_check(struct viet *v, const char *token);

/* Judge every space-separated token of text: *checked gets the tokens
 * judged, *valid the valid ones.  Either may be NULL. */
void viet_count(struct viet *v, const char *text, int *checked, int *valid);

#endif
