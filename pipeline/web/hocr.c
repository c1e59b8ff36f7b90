/*
 * hocr.c - read the words of an hOCR page (hocr.h).  Invariant: every
 * word's text is valid UTF-8 without markup; boxes are clamped to be
 * non-negative.
 */
#include "web/hocr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/util.h"
#include "web/json.h"

static void decode_into(struct strbuf *sb, const char *s, size_t n)
{
	static const struct { const char *ent; char c; } ents[] = {
		{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''},
	};
	struct strbuf raw;
	size_t i = 0;
	int depth = 0;
	sb_init(&raw, 0);
	while (i < n) {
		if (s[i] == '<') {
			depth++;
		} else if (s[i] == '>') {
			if (depth)
				depth--;
		} else if (!depth && s[i] == '&') {
			size_t k;
			for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
				size_t el = strlen(ents[k].ent);
				if (i + el <= n && !strncmp(s + i, ents[k].ent, el)) {
					sb_addc(&raw, ents[k].c);
					i += el;
					break;
				}
			}
			if (k < sizeof(ents) / sizeof(ents[0]))
				continue;
			sb_addc(&raw, '&');
		} else if (!depth) {
			sb_addc(&raw, s[i]);
		}
		i++;
	}
	json_utf8_clean(sb, raw.buf, raw.len);
	sb_release(&raw);
}

static bool bbox(const char *title_start, const char *limit, int *l, int *t, int *r, int *b)
{
	const char *bb = strstr(title_start, "bbox ");
	if (!bb || bb > limit)
		return false;
	return sscanf(bb, "bbox %d %d %d %d", l, t, r, b) == 4;
}

void hocr_parse(const char *doc, struct hocr_page *p)
{
	const char *s = doc, *pagebox = doc ? strstr(doc, "ocr_page") : NULL;
	int line = -1;
	size_t alloc = 0;
	memset(p, 0, sizeof(*p));
	if (!doc)
		return;
	if (pagebox) {
		const char *gt = strchr(pagebox, '>');
		int l, t, r, b;
		if (gt && bbox(pagebox, gt, &l, &t, &r, &b) && r > 0 && b > 0) {
			p->width = r;
			p->height = b;
		}
	}
	while ((s = strstr(s, "class='ocr")) != NULL) {
		const char *tag_end = strchr(s, '>'), *idp, *close;
		bool is_line = !strncmp(s, "class='ocr_line'", 16) || !strncmp(s, "class='ocr_caption'", 19) ||
			       !strncmp(s, "class='ocr_header'", 18) || !strncmp(s, "class='ocr_textfloat'", 21);
		bool is_word = !strncmp(s, "class='ocrx_word'", 17);
		struct hocr_word *w;
		struct strbuf sb;
		if (!tag_end)
			break;
		if (is_line) {
			line++;
			s = tag_end;
			continue;
		}
		if (!is_word) {
			s = tag_end;
			continue;
		}
		if (p->n == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			p->w = xrealloc(p->w, alloc * sizeof(*p->w));
		}
		w = &p->w[p->n];
		memset(w, 0, sizeof(*w));
		w->conf = -1;
		w->line = line < 0 ? 0 : line;
		idp = strstr(s, "id='");
		if (idp && idp < tag_end) {
			const char *q = strchr(idp + 4, '\'');
			if (q && q < tag_end && (size_t)(q - idp - 4) < sizeof(w->id))
				memcpy(w->id, idp + 4, (size_t)(q - idp - 4));
		}
		if (!bbox(s, tag_end, &w->l, &w->t, &w->r, &w->b) || !w->id[0]) {
			s = tag_end;
			continue;
		}
		{
			const char *c = strstr(s, "x_wconf ");
			if (c && c < tag_end)
				w->conf = atoi(c + 8);
		}
		close = strstr(tag_end, "</span>");
		if (!close)
			break;
		sb_init(&sb, 0);
		decode_into(&sb, tag_end + 1, (size_t)(close - tag_end - 1));
		w->text = sb_detach(&sb);
		if (w->l < 0)
			w->l = 0;
		if (w->t < 0)
			w->t = 0;
		p->n++;
		s = close;
	}
}

void hocr_release(struct hocr_page *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->w[i].text);
	free(p->w);
	memset(p, 0, sizeof(*p));
}

const struct hocr_word *hocr_find(const struct hocr_page *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->w[i].id, id))
			return &p->w[i];
	return NULL;
}
