/*
 * stage.c - the functions a stage calls (stage.h): results recorded for
 * the worker to commit with the job, derived paths, config and scanner
 * profile look-ups.  Nothing here touches the database: results are kept
 * in the job's stage_result until the worker commits them in one
 * transaction with the job's new state.  A column name a stage is not
 * allowed to set is our bug (panic).
 */
#include "engine/stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/profile.h"
#include "engine/config.h"
#include "engine/fsio.h"
#include "engine/log.h"
#include "engine/stage_result.h"
#include "engine/workspace.h"

static const char *const page_cols[] = {
	"width", "height", "dpi", "bits", "colour", "access_path", "orient", "orient_conf", "skew",
	"blank", "ocr_conf", "review", "text_path", "hocr_path", "alto_path", "note", NULL,
};
static const char *const doc_cols[] = {"pdf_path", "signed_path", "signed_sha256", "note", NULL};

static struct profile *cur_profile; /* the last page's scanner profile, cached per process */

static const char *check_col(struct stage_ctx *ctx, const char *col)
{
	const char *const *cols = ctx->page ? page_cols : doc_cols;
	for (int i = 0; cols[i]; i++)
		if (strcmp(cols[i], col) == 0)
			return cols[i];
	log_panic("stage '%s' set unknown column '%s'", ctx->stage, col);
}

static struct stage_result_val *add_val(struct stage_ctx *ctx, const char *col, enum stage_val_type t)
{
	struct stage_result *r = ctx->res;
	const char *c = check_col(ctx, col);
	r->v = xrealloc(r->v, sizeof(*r->v) * (size_t)(r->nv + 1));
	memset(&r->v[r->nv], 0, sizeof(r->v[0]));
	r->v[r->nv].col = c;
	r->v[r->nv].type = t;
	return &r->v[r->nv++];
}

void stage_set_int(struct stage_ctx *ctx, const char *col, int64_t v)
{
	add_val(ctx, col, STAGE_V_INT)->i = v;
}

void stage_set_double(struct stage_ctx *ctx, const char *col, double v)
{
	add_val(ctx, col, STAGE_V_DOUBLE)->d = v;
}

void stage_set_text(struct stage_ctx *ctx, const char *col, const char *v)
{
	add_val(ctx, col, STAGE_V_TEXT)->s = xstrdup(v);
}

void stage_event(struct stage_ctx *ctx, const char *type, const char *outcome, const char *detail)
{
	struct stage_result *r = ctx->res;
	r->e = xrealloc(r->e, sizeof(*r->e) * (size_t)(r->ne + 1));
	r->e[r->ne].type = xstrdup(type);
	r->e[r->ne].outcome = xstrdup(outcome);
	r->e[r->ne].detail = detail ? xstrdup(detail) : NULL;
	r->ne++;
}

void stage_page_split(struct stage_ctx *ctx, const char *right_access_path, const char *note)
{
	if (!ctx->page)
		log_panic("stage '%s' split a document", ctx->stage);
	free(ctx->res->split_path);
	free(ctx->res->split_note);
	ctx->res->split_path = xstrdup(right_access_path);
	ctx->res->split_note = xstrdup(note ? note : "");
}

/* derived/KIND/ID/LEAF; LEAF may hold folders, which are made. */
static char *derived_path(struct stage_ctx *ctx, const char *kind, int64_t id, const char *leaf)
{
	char *p = xasprintf("%s/derived/%s/%lld/%s", ctx->workspace, kind, (long long)id, leaf);
	char *dir = xstrndup(p, (size_t)(strrchr(p, '/') - p));
	struct errbuf err;
	err_init(&err);
	if (fsio_mkdirs(dir, 0755, &err) < 0)
		log_fatal(74, "job %lld: %s", (long long)ctx->job_id, err.msg);
	free(dir);
	return p;
}

char *stage_page_path(struct stage_ctx *ctx, const char *leaf)
{
	return derived_path(ctx, "pages", ctx->page->id, leaf);
}

char *stage_doc_path(struct stage_ctx *ctx, const char *leaf)
{
	return derived_path(ctx, "docs", ctx->doc->id, leaf);
}

char *stage_page_file(struct stage_ctx *ctx, int64_t page_id, const char *leaf)
{
	return xasprintf("%s/derived/pages/%lld/%s", ctx->workspace, (long long)page_id, leaf);
}

const char *stage_conf(struct stage_ctx *ctx, const char *key)
{
	char full[128];
	snprintf(full, sizeof(full), "%s.%s", ctx->stage, key);
	if (config_has(ctx->cfg, full))
		return config_str(ctx->cfg, full);
	return config_str(ctx->cfg, key);
}

long stage_conf_long(struct stage_ctx *ctx, const char *key)
{
	return strtol(stage_conf(ctx, key), NULL, 10);
}

double stage_conf_double(struct stage_ctx *ctx, const char *key)
{
	return strtod(stage_conf(ctx, key), NULL);
}

const char *stage_profile(struct stage_ctx *ctx, const char *key)
{
	struct errbuf err;
	const char *name = ctx->page ? ctx->page->profile : NULL;
	if (!name)
		return NULL;
	if (!cur_profile || strcmp(profile_name(cur_profile), name) != 0) {
		profile_free(cur_profile);
		err_init(&err);
		cur_profile = profile_load(ctx->workspace, name, &err);
		if (!cur_profile) {
			log_warn("job %lld: %s", (long long)ctx->job_id, err.msg);
			return NULL;
		}
	}
	return profile_get(cur_profile, key);
}

bool stage_profile_bool(struct stage_ctx *ctx, const char *key, bool def)
{
	const char *v = stage_profile(ctx, key);
	if (!v || !*v)
		return def;
	return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
}

void stage_profile_release(void)
{
	profile_free(cur_profile);
	cur_profile = NULL;
}

void stage_result_release(struct stage_result *r)
{
	for (int i = 0; i < r->nv; i++)
		free(r->v[i].s);
	for (int i = 0; i < r->ne; i++) {
		free(r->e[i].type);
		free(r->e[i].outcome);
		free(r->e[i].detail);
	}
	free(r->v);
	free(r->e);
	free(r->split_path);
	free(r->split_note);
	memset(r, 0, sizeof(*r));
}
