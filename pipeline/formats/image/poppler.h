/*
 * poppler.h - scanner PDFs, read through Poppler's command-line tools
 * (Debian poppler-utils): by ingest (pdfinfo: the page count) and capture
 * (pdfimages, pdftoppm: the page images).  They run without a shell, so a
 * file name is never interpreted, whatever it holds.
 */
#ifndef SOHOA_POPPLER_H
#define SOHOA_POPPLER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/util.h"

/* True when the file starts with "%PDF-". */
bool poppler_is_pdf(const char *path);

/*
 * Run a poppler-utils program: argv[0] is found on PATH, argv ends with
 * NULL; stdin is /dev/null.  Its standard output goes to *out and its
 * standard error to *errout (each kept up to 1 MiB, NUL-terminated; the
 * caller frees them; either may be NULL to discard).  It is killed after
 * timeout_s seconds, with anything it started (its own process group).
 * Returns its exit status (0-255); or, with err set, POPPLER_RUN_CRASHED
 * when it was killed by a signal or the timeout (the input's fault: a
 * crafted or broken PDF), or -1 when it could not run or its end could not
 * be learnt (not installed: "'pdfimages' is not installed: install
 * poppler-utils"; the machine's fault: try again).
 */
#define POPPLER_RUN_CRASHED (-2)

int poppler_run(const char *const argv[], int timeout_s, char **out, char **errout, struct errbuf *err);

/* The last line of a poppler tool's standard error that says something,
 * without its trailing newline, in buf (empty when none). */
void poppler_msg(const char *errout, char *buf, size_t bufsz);

enum poppler_rc {
	POPPLER_OK = 0,
	POPPLER_NOTOOL = -1, /* poppler-utils missing or failing: try again later */
	POPPLER_BAD = -2     /* the file is not a PDF pdfinfo can read: err says why */
};

struct pdf_info {
	int pages;
	bool encrypted;
	double page_w, page_h;  /* the asked page's size in points (0 when none asked) */
	int rotate;             /* the asked page's /Rotate: 0, 90, 180, 270 */
};

/* pdfinfo on path; page (from 1, 0 for none) is the page whose size and
 * rotation are read.  On POPPLER_BAD and POPPLER_NOTOOL err holds
 * pdfinfo's message or why it could not run, without the file's name. */
enum poppler_rc poppler_pdfinfo(const char *path, int page, int timeout_s, struct pdf_info *info,
				   struct errbuf *err);

#endif
