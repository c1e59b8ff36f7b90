/*
 * cmd_search.c - `sohoa search QUERY [--json] [--limit N]`: full text over
 * OCR text and metadata, with or without Vietnamese diacritics;
 * `sohoa search --reindex` rebuilds the index (engine/search.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/search.h"
#include "engine/workspace.h"
#include "web/json.h"

int cmd_search(struct workspace *ws, int argc, char **argv)
{
	const char *query = NULL;
	bool json_out = false, reindex = false;
	int limit = 50, n;
	struct search_hit *hits;
	struct errbuf err;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json_out = true;
		else if (!strcmp(argv[i], "--reindex"))
			reindex = true;
		else if (!strcmp(argv[i], "--limit") && i + 1 < argc)
			limit = atoi(argv[++i]);
		else if (!query && argv[i][0] != '-')
			query = argv[i];
		else
			query = NULL, i = argc, reindex = false, json_out = false, limit = -1;
	}
	if (limit < 1 || (!query && !reindex)) {
		fprintf(stderr, "usage: sohoa search QUERY [--json] [--limit N] | search --reindex\n");
		return EXIT_USAGE;
	}
	err_init(&err);
	if (reindex) {
		int64_t np, nm;
		if (search_reindex(ws->db, ws->root, &np, &nm, &err) < 0) {
			fprintf(stderr, "sohoa: search: %s\n", err.msg);
			return EXIT_SOFTWARE;
		}
		printf("indexed %lld pages and the metadata of %lld objects\n", (long long)np, (long long)nm);
		if (!query)
			return 0;
	}
	n = search_query(ws->db, ws->root, query, limit, &hits, &err);
	if (n < 0) {
		fprintf(stderr, "sohoa: search: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	if (json_out) {
		struct strbuf sb;
		struct json j;
		sb_init(&sb, 0);
		json_init(&j, &sb);
		json_obj(&j);
		json_kstr(&j, "query", query);
		json_key(&j, "hits");
		json_arr(&j);
		for (int i = 0; i < n; i++) {
			json_obj(&j);
			json_kstr(&j, "kind", hits[i].page_id ? "page" : "metadata");
			json_kint(&j, "page", hits[i].page_id);
			json_kint(&j, "seq", hits[i].seq);
			json_kint(&j, "batch", hits[i].batch_id);
			json_kint(&j, "document_id", hits[i].document_id);
			json_kstr(&j, "document", hits[i].document);
			json_kstr(&j, "snippet", hits[i].snippet);
			json_end(&j);
		}
		json_end(&j);
		json_end(&j);
		printf("%s\n", sb.buf);
		sb_release(&sb);
	} else {
		for (int i = 0; i < n; i++) {
			if (hits[i].page_id)
				printf("page %lld (batch %lld, page %d%s%s): %s\n", (long long)hits[i].page_id, (long long)hits[i].batch_id,
				       hits[i].seq, hits[i].document ? ", " : "", hits[i].document ? hits[i].document : "", hits[i].snippet);
			else
				printf("metadata of %s: %s\n", hits[i].document ? hits[i].document : "a file", hits[i].snippet);
		}
		if (n == 0)
			fprintf(stderr, "sohoa: search: nothing found for '%s'\n", query);
	}
	search_hits_free(hits, n);
	return n ? 0 : 1;
}
