/*
 * stage.h - the interface between the engine and a stage.
 *
 * A stage is one file in stages/ that defines
 *
 *     const struct stage stage_<name> = { .name = "<name>", ... };
 *
 * The Makefile collects every stages/NAME.c into the stage registry, and the
 * `stages` key of the workspace config orders them into the pipeline, so a new
 * stage is a file plus a line of configuration.  A stage never includes
 * another stage; it uses pipeline/ only.
 *
 * A worker process serves one stage.  It calls init() once (load models,
 * read keys), then run() once per claimed job, then fini() before it exits.
 * run() reads its input from the context, writes its outputs with
 * fsio_write_atomic() (or a temporary file renamed by stage_commit_file()),
 * records results with stage_set_*(), and returns a stage_rc.  The engine
 * then commits the results and the job's new state in one transaction, so a
 * crash anywhere in run() leaves the job claimed and it is simply redone:
 * run() must be harmless to repeat.
 *
 * A batch stage (STAGE_BATCH: the fan-in, stages/fanin.c) runs once per
 * batch, after every page of it passed the page stages.  Its run() reads
 * and plans outside any write transaction; its commit() then writes the
 * plan inside the worker's transaction, with the job's new state.
 */
#ifndef SOHOA_STAGE_H
#define SOHOA_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct config;
struct conf_key;
struct db;

enum stage_unit {
	STAGE_PAGE,  /* one job per page */
	STAGE_DOC,   /* one job per document, after all its pages passed the page stages */
	STAGE_BATCH  /* one job per batch, between the page and the document stages (the fan-in) */
};

enum stage_rc {
	STAGE_OK = 0,    /* done: the next stage is queued */
	STAGE_RETRY,     /* transient failure: retried later, quarantined after N tries */
	STAGE_BAD,       /* bad input: quarantined at once, with the reason */
	STAGE_HOLD       /* needs the operator (e.g. under 200 dpi): held, with the reason */
};

/* What a page stage sees of its page (read from the database before run()). */
struct stage_page {
	int64_t id;
	int64_t batch_id;
	int64_t document_id;
	int seq;                  /* position in its batch, from 1 */
	const char *src_name;     /* the file name the operator scanned */
	const char *master_path;  /* absolute path of the master scan: never modify */
	int img_index;            /* image index inside the master (multi-page TIFF) */
	const char *access_path;  /* current access copy (NULL before capture) */
	const char *profile;      /* scanner profile name */
	int width, height, dpi, bits;
	const char *colour;       /* "bitonal", "grey", "rgb", ... (capture sets it) */
	bool blank;
	double ocr_conf;          /* -1 when unknown */
	int orient;               /* 0, 90, 180, 270 as detected; -1 unknown */
	double skew;              /* degrees, as detected */
	const char *text_path, *hocr_path, *alto_path;
};

/* What a document stage sees of one page of its document, in order. */
struct stage_doc_page {
	int64_t id;
	const char *access_path;
	const char *hocr_path;   /* may be NULL (blank page, OCR skipped) */
	const char *text_path;   /* may be NULL */
	int width, height, dpi;
	const char *colour;
	bool blank;
};

struct stage_doc {
	int64_t id;
	const char *name;         /* e.g. 000.00.00.G09.2010.01.TH.1 (without .pdf) */
	const char *file_code;    /* mã hồ sơ, may be empty */
	const char *title;        /* trích yếu or file title, may be empty */
	const char *pdf_path;     /* current PDF (NULL before the pdf stage) */
	int npages;
	struct stage_doc_page *pages;
};

/* What a batch stage sees of its batch. */
struct stage_batch {
	int64_t id;
	const char *file_code;    /* as given at ingest, may be empty */
	const char *profile;      /* scanner profile name */
	int npages;
};

struct stage_ctx {
	const struct config *cfg;
	const char *workspace;    /* absolute workspace root */
	int64_t job_id;
	const char *stage;        /* this stage's name */
	struct stage_page *page;  /* for STAGE_PAGE jobs */
	struct stage_doc *doc;    /* for STAGE_DOC jobs */
	struct stage_batch *batch; /* for STAGE_BATCH jobs */
	const char *next_stage;   /* the stage after this one in the pipeline, NULL if none */
	void *priv;               /* the stage's own per-process state (from init) */
	struct db *db;       /* read-only use by stages that need more (metadata) */
	struct stage_result *res; /* opaque: filled by stage_set_*() */
	/* The operator's "who: why" when they accepted this held job as is
	 * (jobq_accept()): the stage lets the rule that held it pass, and says
	 * so in an event; NULL otherwise. */
	const char *accepted;
};

struct stage {
	const char *name;
	enum stage_unit unit;
	const char *summary;      /* one line for `sohoa stages` */
	const struct conf_key *keys; /* this stage's config keys, "<name>.<key>", ended by {0} */
	/* Once per worker process; return 0 or -1 with err set (fatal for the worker). */
	int (*init)(struct stage_ctx *ctx, struct errbuf *err);
	enum stage_rc (*run)(struct stage_ctx *ctx, struct errbuf *err);
	/* Batch stages: after run() returned STAGE_OK, inside the worker's
	 * commit transaction (the job still this worker's), write what run()
	 * planned.  STAGE_OK commits it with the job; any other result rolls
	 * it back and the job takes that result (STAGE_RETRY when what run()
	 * read changed meanwhile). */
	enum stage_rc (*commit)(struct stage_ctx *ctx, struct db *db, struct errbuf *err);
	void (*fini)(struct stage_ctx *ctx);
};

/*
 * Results.  A page stage records page attributes by column name; allowed
 * names: width height dpi bits colour access_path orient orient_conf skew
 * blank ocr_conf review text_path hocr_path alto_path note.  A document
 * stage records: pdf_path signed_path note.  Unknown names are a bug (panic).
 * Values are committed with the job's new state.
 */
void stage_set_int(struct stage_ctx *ctx, const char *col, int64_t v);
void stage_set_double(struct stage_ctx *ctx, const char *col, double v);
void stage_set_text(struct stage_ctx *ctx, const char *col, const char *v);

/*
 * Facing-page split (book profile): the current page keeps the left half
 * (its access_path set with stage_set_text) and a new page is inserted right
 * after it with `right_access_path` as its access copy; the new page goes on
 * from the next stage.  `note` says how the split was found.
 */
void stage_page_split(struct stage_ctx *ctx, const char *right_access_path, const char *note);

/* The page's scanner profile: the value of `key` (see scanner-profiles/README)
 * or NULL when the profile does not set it. */
const char *stage_profile(struct stage_ctx *ctx, const char *key);
bool stage_profile_bool(struct stage_ctx *ctx, const char *key, bool def);

/* Record an audit event (PREMIS event type, e.g. "validation", "migration")
 * committed with the job. */
void stage_event(struct stage_ctx *ctx, const char *type, const char *outcome, const char *detail);

/*
 * Paths.  stage_page_path() returns (caller frees) an absolute path for an
 * output of this page under derived/pages/<id>/, e.g. "deskew.pnm";
 * stage_doc_path() the same under derived/docs/<id>/.  The leaf may name
 * sub-folders ("unsigned/x.pdf"); the folders exist on return.
 */
char *stage_page_path(struct stage_ctx *ctx, const char *leaf);
char *stage_doc_path(struct stage_ctx *ctx, const char *leaf);
/* Where a page stage's output `leaf` of page page_id is (a document stage
 * reading what a page stage made); no folder is made. */
char *stage_page_file(struct stage_ctx *ctx, int64_t page_id, const char *leaf);

/* Config access for stages: the value of key "<stage>.<key>" or the global
 * key; see config.h for the table of keys. */
const char *stage_conf(struct stage_ctx *ctx, const char *key);
long stage_conf_long(struct stage_ctx *ctx, const char *key);
double stage_conf_double(struct stage_ctx *ctx, const char *key);

#endif
