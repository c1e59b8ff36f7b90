/*
 * registry.h - the stages this program knows (generated from stages/ by the
 * Makefile) and the pipeline a workspace runs (its `stages` config key).
 */
#ifndef SOHOA_REGISTRY_H
#define SOHOA_REGISTRY_H

#include "engine/stage.h"

#define PIPELINE_MAX 32

struct pipeline {
	int n;
	const struct stage *stage[PIPELINE_MAX];
	int last_page;      /* index of the last page stage, -1 if none */
	int fanin;          /* index of the batch stage (the fan-in), right after the last page stage; -1 if none */
	int first_doc;      /* index of the first document stage, -1 if none */
};

extern const struct stage *const stage_list[];

const struct stage *registry_find(const char *name);
/* Build the pipeline from the config; every name must be a known stage,
 * page stages come first, then the batch stage (the fan-in), then document
 * stages.  The batch stage is put after the last page stage when the list
 * leaves it out: the fan-in is what forms documents, with or without
 * document stages. */
int registry_pipeline(const struct config *cfg, struct pipeline *pl, struct errbuf *err);
/* Index of a stage in the pipeline, -1 if it is not in it. */
int registry_index(const struct pipeline *pl, const char *name);

#endif
