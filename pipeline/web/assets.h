/*
 * assets.h - the desk's static files (pipeline/web/assets/), embedded into
 * the program by the Makefile (xxd -i): nothing is read from the disk or the
 * network to serve them.
 */
#ifndef SOHOA_ASSETS_H
#define SOHOA_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name;            /* "style.css" */
	const unsigned char *data;
	size_t len;
};

/* Ends with a row whose name is NULL (generated: build/web_assets.c). */
extern const struct asset assets_table[];

#endif
