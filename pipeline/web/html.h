/*
 * html.h - every value that reaches a page goes through these (cgit's
 * html.c): text and attributes are escaped and made valid UTF-8, URLs are
 * percent-encoded.  A page never writes a value with sb_add*() itself.
 */
#ifndef SOHOA_HTML_H
#define SOHOA_HTML_H

#include <stdint.h>

#include "engine/util.h"

/* Text between tags: & < > " ' escaped, invalid UTF-8 replaced. */
void html_txt(struct strbuf *sb, const char *s);
/* An attribute value (written inside double quotes by the caller). */
void html_attr(struct strbuf *sb, const char *s);
/* One URL path segment or query value, percent-encoded (RFC 3986
 * unreserved characters kept). */
void html_url_arg(struct strbuf *sb, const char *s);
/* printf for the page's own markup; %s arguments are NOT escaped, so only
 * constants and numbers go through it. */
void html_raw(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A time as DD/MM/YYYY HH:MM in Vietnam's time (+07:00), "–" for 0. */
void html_time(struct strbuf *sb, int64_t ms);
/* A number of seconds as "3 h 20 min", "45 s". */
void html_duration(struct strbuf *sb, int64_t seconds);

#endif
