/*
 * meta_impl.h - what the parts of the metadata module (meta_schema.c,
 * meta_check.c, meta_store.c, meta_csv.c) share among themselves; nothing
 * outside pipeline/archive/meta_*.c includes it.
 */
#ifndef SOHOA_META_IMPL_H
#define SOHOA_META_IMPL_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "archive/meta.h"

/* The most fields a CSV row may have. */
#define ROW_MAX_FIELDS 64

/* Fill obj with the document that sql (id, file_id, name; ?1 = text or a,
 * ?2 = b) selects; returns 1 when found, 0 when not. */
int meta_store_resolve_doc(struct db *db, const char *sql, const char *text, int64_t a, int64_t b,
			   struct meta_object *obj);
/* An entered (not proposed) value of obj's field (caller frees), or NULL. */
char *meta_store_entered(struct db *db, const struct meta_object *obj, const char *field);
/* true for the fields that name an object (fileCode, docCode). */
bool meta_store_identity_field(const char *name);
/* A date DD/MM/YYYY as YYYYMMDD for comparison, or -1. */
long meta_check_date_key(const char *s);

#endif
