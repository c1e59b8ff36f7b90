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

/*
 * Word-pair counts (config/viet-bigrams.tsv, made by tests/tools/mkbigrams.py
 * from public-domain legal text): "a b<TAB>N" lines, then "w<TAB>LOWER<TAB>CAP"
 * lines (how often a word starting with l stands inside a sentence in small
 * letters and capitalized, for viet_decap()), # comments.  Returns the
 * number of pairs loaded, or -1 with err set naming the file.
 */
#define VIET_PAIRS_DEFAULT "config/viet-bigrams.tsv" /* relative to the workspace */
int viet_load_pairs(struct viet *v, const char *path, struct errbuf *err);

/* How often the pair (a, b) occurs (lower-cased, punctuation taken off);
 * 0 when unknown or when no pairs are loaded. */
long viet_pair(struct viet *v, const char *a, const char *b);

/*
 * The correction step, for one word between its neighbours on the line
 * (prev, next: NULL at the line's ends).  Only where the pairs are sure:
 * the word's reading never occurs beside its neighbours, and a reading
 * that differs only by the tone mark of a circumflex or breve vowel (kiếm
 * for kiểm, Tống for Tổng), or by l read as t (tưu for lưu), occurs beside
 * them at least VIET_SURE times and is a Vietnamese syllable.  Returns the
 * corrected word (case and punctuation kept; caller frees), or NULL to
 * leave it.
 */
#define VIET_SURE 5
char *viet_correct(struct viet *v, const char *prev, const char *word, const char *next);

/*
 * A capital inside a sentence that the OCR made of a small l (typewriter
 * faces: lập read as Lập, làm as Làm): word starts with L; the word before
 * it (prev) has a letter (not a list's dash), ends in none of . : ; ! ? (
 * and is no name's word (capitalized itself, with pprev not ending a
 * sentence); and the word-pair table's case counts have it seen
 * VIET_CASE_MIN times or more inside a sentence and capitalized at most
 * VIET_CASE_CAP_PCT % of them (so Luật, Lao động stay).  Returns the word
 * in small letters (punctuation kept; caller frees), or NULL to leave it.
 */
#define VIET_CASE_MIN 20
#define VIET_CASE_CAP_PCT 3
char *viet_decap(struct viet *v, const char *pprev, const char *prev, const char *word);

/* Is the word's reading in doubt between its neighbours: the pairs never
 * have it beside them, while a reading viet_correct() would try does stand
 * beside them (any number of times, even under VIET_SURE)?  False when no
 * pairs are loaded or the word has no neighbours. */
bool viet_doubtful(struct viet *v, const char *prev, const char *word, const char *next);

/* Judge every space-separated token of text: *checked gets the tokens
 * judged, *valid the valid ones.  Either may be NULL. */
void viet_count(struct viet *v, const char *text, int *checked, int *valid);

#endif
