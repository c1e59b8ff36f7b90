/*
 * share.h - where the program's shipped data lives (scanner-profiles/,
 * config/, tests' samples): $SOHOA_SHARE, else the source tree the binary
 * was built in (build/sohoa → ..), else PREFIX/share/sohoa next to bin/.
 */
#ifndef SOHOA_SHARE_H
#define SOHOA_SHARE_H

#include "engine/util.h"

/* The share folder (caller frees), or NULL with err set. */
char *share_dir(struct errbuf *err);
/* The path of the running executable (caller frees). */
char *share_self_exe(void);

#endif
