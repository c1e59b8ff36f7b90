/*
 * stage_result.h - what a stage recorded during run() (stage_set_*(),
 * stage_event(), stage_page_split()), as the worker reads it to commit.
 * Internal to the engine: stages see only the opaque pointer in stage.h.
 */
#ifndef SOHOA_STAGE_RESULT_H
#define SOHOA_STAGE_RESULT_H

#include <stdint.h>

enum stage_val_type { STAGE_V_INT, STAGE_V_DOUBLE, STAGE_V_TEXT };

struct stage_result_val {
	const char *col;   /* one of the allowed column names (stage.h) */
	enum stage_val_type type;
	int64_t i;
	double d;
	char *s;
};

struct stage_result_event {
	char *type, *outcome, *detail;
};

struct stage_result {
	struct stage_result_val *v;
	int nv;
	struct stage_result_event *e;
	int ne;
	char *split_path, *split_note;
};

/* Free what the result holds and empty it (the struct itself is the caller's). */
void stage_result_release(struct stage_result *r);
/* Drop the scanner profile cached by stage_profile() (at worker exit). */
void stage_profile_release(void);

#endif
