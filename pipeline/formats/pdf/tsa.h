/*
 * tsa.h - the RFC 3161 time-stamp client used by the PAdES signature (B-T).
 */
#ifndef SOHOA_TSA_H
#define SOHOA_TSA_H

#include <stddef.h>

#include "engine/util.h"

/* Ask the time-stamp authority at url (http or https; timeout in seconds,
 * 0 = 30) for a token over data[0..len).  On success *tok (caller frees with
 * OPENSSL_free) holds the DER of the token's ContentInfo and *toklen its
 * length; returns 0, or -1 with err set. */
int tsa_request(const char *url, long timeout, const unsigned char *data, size_t len, unsigned char **tok, int *toklen, struct errbuf *err);

#endif
