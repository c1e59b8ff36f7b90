/*
 * registry.c - find stages by name and order them into the pipeline.
 */
#include "engine/registry.h"

#include <stdlib.h>
#include <string.h>

#include "engine/config.h"

/* The usual order of the built-in stages, used when `stages` is empty. */
static const char *const usual_order[] = {
	"capture", "orient", "deskew", "clean", "blank", "ocr", "pdfpage", "pdf", "sign", NULL,
};

const struct stage *registry_find(const char *name)
{
	for (int i = 0; stage_list[i]; i++)
		if (strcmp(stage_list[i]->name, name) == 0)
			return stage_list[i];
	return NULL;
}

static int add(struct pipeline *pl, const char *name, struct errbuf *err)
{
	const struct stage *s = registry_find(name);
	if (!s)
		return err_set(err, "stages: unknown stage '%s'", name);
	if (pl->n == PIPELINE_MAX)
		return err_set(err, "stages: more than %d stages", PIPELINE_MAX);
	if (registry_index(pl, name) >= 0)
		return err_set(err, "stages: '%s' is listed twice", name);
	if (s->unit == STAGE_PAGE && pl->n > 0 && pl->stage[pl->n - 1]->unit == STAGE_DOC)
		return err_set(err, "stages: page stage '%s' comes after a document stage", name);
	pl->stage[pl->n++] = s;
	if (s->unit == STAGE_PAGE)
		pl->last_page = pl->n - 1;
	return 0;
}

int registry_pipeline(const struct config *cfg, struct pipeline *pl, struct errbuf *err)
{
	const char *list = config_str(cfg, "stages");
	memset(pl, 0, sizeof(*pl));
	pl->last_page = -1;
	if (!*list) {
		for (int i = 0; usual_order[i]; i++)
			if (registry_find(usual_order[i]) && add(pl, usual_order[i], err) < 0)
				return -1;
	} else {
		char *copy = xstrdup(list), *save = NULL;
		for (char *t = strtok_r(copy, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save))
			if (add(pl, t, err) < 0) {
				free(copy);
				return -1;
			}
		free(copy);
	}
	if (pl->n == 0 || pl->stage[0]->unit != STAGE_PAGE)
		return err_set(err, "stages: the pipeline must start with a page stage (capture)");
	return 0;
}

int registry_index(const struct pipeline *pl, const char *name)
{
	for (int i = 0; i < pl->n; i++)
		if (strcmp(pl->stage[i]->name, name) == 0)
			return i;
	return -1;
}
