/*
 * identity.h - the identity of a workspace folder: a random id in the file
 * sohoa.id at the workspace's root, written once (write -> fsync -> rename
 * -> fsync folder) and recorded in the database (table identity, one row).
 *
 * Several nodes share one database and one workspace folder (NFS or the
 * like).  A host that mounted another folder (a stale copy, an empty mount
 * point, the wrong export) would read and write files the database does
 * not know; a node checks the two ids before it starts and refuses when
 * they differ, naming both.
 */
#ifndef SOHOA_IDENTITY_H
#define SOHOA_IDENTITY_H

#include "engine/db.h"

#include "engine/util.h"

#define IDENTITY_FILE "sohoa.id"
#define IDENTITY_HEX 32 /* 128 random bits, in hex */

/* Read ROOT/sohoa.id into id (IDENTITY_HEX + 1 bytes): 1, 0 when there is
 * no such file, -1 with err set when it is unreadable or malformed. */
int identity_read(const char *root, char *id, struct errbuf *err);
/* The id the database knows: 1, 0 when none is recorded, -1. */
int identity_known(struct db *db, char *id, struct errbuf *err);

/*
 * Before a node starts: the folder's id must be the database's.  When
 * neither has one (a workspace made before identities) a new one is made:
 * the file first, then the row; when only the file has one (a crash between
 * the two, a database just migrated) it is recorded.  -1 with err naming
 * both ids (or the missing file) when they differ.
 */
int identity_check(const char *root, struct db *db, struct errbuf *err);

#endif
