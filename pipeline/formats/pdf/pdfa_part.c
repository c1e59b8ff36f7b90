/*
 * pdfa_part.c - a page's part as a file of its own (the format is drawn in
 * pdfa_part.h) and the inputs a part stands for.  Making a part's content
 * and joining it into a document are page content (pdfa_page.c).
 *
 * Invariants: the encoder writes exactly what the decoder reads; the
 * decoder never reads past the buffer (every length is checked against the
 * bytes left before it is used) and hands back a part only when the whole
 * file parsed, up to its end line.
 *
 * Error policy: 0 / -1 with the first error in errbuf, in git's wording
 * with the file quoted: "cannot read part 'p.pdfpart': truncated in image".
 */
#include "formats/pdf/pdfa_part.h"

#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "formats/image/pageimg.h"
#include "formats/pdf/pdfa_int.h"

/* ---- inputs ---- */

static int access_id(const char *image_path, char *hex, struct errbuf *err)
{
	struct stat st;
	char *id;
	if (stat(image_path, &st) < 0)
		return err_set(err, "cannot read '%s': %s", image_path, strerror(errno));
	id = xasprintf("%s\n%lld\n%lld.%09ld\n%llu", image_path, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		       (long)st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
	fsio_sha256_mem(id, strlen(id), hex, 0);
	free(id);
	return 0;
}

static int norm_quality(int q)
{
	return q > 0 && q <= 100 ? q : 85;
}

/* The hOCR's bytes (NULL when there is none) and their hash. */
static int read_hocr(const char *hocr_path, char **hocr, size_t *len, char *sha, struct errbuf *err)
{
	*hocr = NULL;
	*len = 0;
	if (!hocr_path) {
		strcpy(sha, "-");
		return 0;
	}
	if (fsio_read(hocr_path, hocr, len, PDFA_MAX_HOCR, err) < 0)
		return -1;
	fsio_sha256_mem(*hocr, *len, sha, 0);
	return 0;
}

int pdfa_part_inputs(const char *image_path, int dpi, int jpeg_quality, const char *hocr_path,
		     struct pdfa_part_inputs *in, struct errbuf *err)
{
	char *hocr;
	size_t len;
	memset(in, 0, sizeof *in);
	in->dpi = dpi;
	in->jpeg_quality = norm_quality(jpeg_quality);
	if (access_id(image_path, in->access_id, err) < 0 || read_hocr(hocr_path, &hocr, &len, in->hocr_sha, err) < 0)
		return -1;
	free(hocr);
	return 0;
}

bool pdfa_part_inputs_equal(const struct pdfa_part_inputs *a, const struct pdfa_part_inputs *b)
{
	return strcmp(a->hocr_sha, b->hocr_sha) == 0 && strcmp(a->access_id, b->access_id) == 0 && a->dpi == b->dpi &&
	       a->jpeg_quality == b->jpeg_quality;
}

int pdfa_part_make_file(const char *image_path, int dpi, int jpeg_quality, const char *hocr_path, int pageno,
			struct pdfa_part *part, struct errbuf *err)
{
	char ident[65], sha[65];
	char *hocr;
	size_t len;
	PIX *pix;
	int rc;
	memset(part, 0, sizeof *part);
	/* the identity is taken before the image is read: a copy replaced in
	 * between makes a part that no longer matches, never the reverse */
	if (access_id(image_path, ident, err) < 0)
		return -1;
	if (read_hocr(hocr_path, &hocr, &len, sha, err) < 0)
		return -1;
	pix = pageimg_read_file(image_path);
	if (!pix) {
		free(hocr);
		return err_set(err, "cannot read '%s': not an image Leptonica can read", image_path);
	}
	rc = pdfa_part_make(pix, dpi, jpeg_quality, hocr, len, pageno, part, err);
	pixDestroy(&pix);
	free(hocr);
	if (rc < 0)
		return -1;
	memcpy(part->in.access_id, ident, sizeof ident);
	memcpy(part->in.hocr_sha, sha, sizeof sha);
	return 0;
}

void pdfa_part_release(struct pdfa_part *part)
{
	free(part->img_dict);
	free(part->img);
	free(part->content);
	part->img_dict = NULL;
	part->img = part->content = NULL;
	part->img_len = part->content_len = 0;
}

/* ---- the file ---- */

void pdfa_part_encode(const struct pdfa_part *part, char **data, size_t *len)
{
	struct strbuf sb;
	size_t n = 0, i;
	sb_init(&sb, (size_t)PDFA_PART_MAX + 65536);
	sb_addf(&sb, "%s %d\n", PDFA_PART_MAGIC, PDFA_PART_VERSION);
	sb_addf(&sb, "hocr %s\naccess %s\ndpi %d\nquality %d\n", part->in.hocr_sha, part->in.access_id, part->in.dpi,
		part->in.jpeg_quality);
	sb_addf(&sb, "size %a %a\ntext %d\n", part->pw, part->ph, part->text ? 1 : 0);
	for (i = 0; i < 65536; i++)
		if (part->gl_used[i >> 3] & (1u << (i & 7)))
			n++;
	sb_addf(&sb, "glyphs %zu\n", n);
	for (i = 0; i < 65536; i++)
		if (part->gl_used[i >> 3] & (1u << (i & 7))) {
			sb_addc(&sb, (char)(i >> 8));
			sb_addc(&sb, (char)(i & 0xFF));
		}
	sb_addf(&sb, "\nimagedict %zu\n", strlen(part->img_dict));
	sb_adds(&sb, part->img_dict);
	sb_addf(&sb, "\nimage %zu\n", part->img_len);
	sb_add(&sb, part->img, part->img_len);
	sb_addf(&sb, "\ncontent %s %zu\n", part->content_flate ? "flate" : "plain", part->content_len);
	sb_add(&sb, part->content, part->content_len);
	sb_adds(&sb, "\nend\n");
	*len = sb.len;
	*data = sb_detach(&sb);
}

int pdfa_part_write(const struct pdfa_part *part, const char *path, struct errbuf *err)
{
	char *data;
	size_t len;
	int rc;
	pdfa_part_encode(part, &data, &len);
	rc = fsio_write_atomic(path, data, len, err);
	free(data);
	return rc;
}

struct cursor {
	const char *p, *end;
	const char *name;
	struct errbuf *err;
};

static int bad(struct cursor *c, const char *what)
{
	return err_set(c->err, "cannot read part '%s': %s", c->name, what);
}

/* The next line (without its newline) into buf; lines are short. */
static int line(struct cursor *c, char *buf, size_t bufsz, const char *what)
{
	const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	size_t n;
	char msg[96];
	if (!nl) {
		snprintf(msg, sizeof msg, "truncated in %s", what);
		return bad(c, msg);
	}
	n = (size_t)(nl - c->p);
	if (n >= bufsz || memchr(c->p, '\0', n)) {
		snprintf(msg, sizeof msg, "damaged %s line", what);
		return bad(c, msg);
	}
	memcpy(buf, c->p, n);
	buf[n] = '\0';
	c->p = nl + 1;
	return 0;
}

/* "KEY VALUE" with VALUE a decimal in [0, max]. */
static int number(struct cursor *c, const char *key, unsigned long long max, unsigned long long *v)
{
	char buf[128], msg[96], *endp;
	size_t k = strlen(key);
	if (line(c, buf, sizeof buf, key) < 0)
		return -1;
	/* at most 12 digits: no overflow to care about */
	if (strncmp(buf, key, k) == 0 && buf[k] == ' ' && buf[k + 1] >= '0' && buf[k + 1] <= '9' &&
	    strlen(buf + k + 1) <= 12) {
		*v = strtoull(buf + k + 1, &endp, 10);
		if (!*endp && *v <= max)
			return 0;
	}
	snprintf(msg, sizeof msg, "bad '%s' line", key);
	return bad(c, msg);
}

/* n bytes and the newline after them. */
static int bytes(struct cursor *c, size_t n, const char *what, const char **out)
{
	char msg[96];
	if ((size_t)(c->end - c->p) < n + 1) {
		snprintf(msg, sizeof msg, "truncated in %s", what);
		return bad(c, msg);
	}
	if (c->p[n] != '\n') {
		snprintf(msg, sizeof msg, "damaged %s (no newline after %zu bytes)", what, n);
		return bad(c, msg);
	}
	*out = c->p;
	c->p += n + 1;
	return 0;
}

static bool is_hex64(const char *s)
{
	size_t i;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

int pdfa_part_decode(const char *data, size_t len, const char *name, struct pdfa_part *part, struct errbuf *err)
{
	struct cursor c = { data, data + len, name, err };
	char buf[160], msg[128], kind[8], *endp;
	unsigned long long v, n;
	const char *b;
	size_t i;
	int ver;

	memset(part, 0, sizeof *part);
	if (len < strlen(PDFA_PART_MAGIC) || memcmp(data, PDFA_PART_MAGIC, strlen(PDFA_PART_MAGIC)) != 0)
		return bad(&c, "not a page part (no 'sohoa-pdfpart' line)");
	if (line(&c, buf, sizeof buf, "magic") < 0)
		return -1;
	if (sscanf(buf, PDFA_PART_MAGIC " %d", &ver) != 1 || ver != PDFA_PART_VERSION) {
		snprintf(msg, sizeof msg, "version '%.40s' (this program reads %d)", buf + strlen(PDFA_PART_MAGIC),
			 PDFA_PART_VERSION);
		return bad(&c, msg);
	}
	if (line(&c, buf, sizeof buf, "hocr") < 0)
		return -1;
	if (strncmp(buf, "hocr ", 5) != 0 || (strcmp(buf + 5, "-") != 0 && !is_hex64(buf + 5)))
		return bad(&c, "bad 'hocr' line");
	strcpy(part->in.hocr_sha, buf + 5);
	if (line(&c, buf, sizeof buf, "access") < 0)
		return -1;
	if (strncmp(buf, "access ", 7) != 0 || !is_hex64(buf + 7))
		return bad(&c, "bad 'access' line");
	strcpy(part->in.access_id, buf + 7);
	if (number(&c, "dpi", 100000, &v) < 0)
		return -1;
	part->in.dpi = (int)v;
	if (number(&c, "quality", 100, &v) < 0)
		return -1;
	part->in.jpeg_quality = (int)v;
	if (line(&c, buf, sizeof buf, "size") < 0)
		return -1;
	if (strncmp(buf, "size ", 5) != 0)
		return bad(&c, "bad 'size' line");
	part->pw = strtod(buf + 5, &endp);
	if (endp == buf + 5 || *endp != ' ')
		return bad(&c, "bad 'size' line");
	b = endp + 1;
	part->ph = strtod(b, &endp);
	if (endp == b || *endp || !(part->pw > 0 && part->pw < 1e6) || !(part->ph > 0 && part->ph < 1e6))
		return bad(&c, "bad 'size' line");
	if (number(&c, "text", 1, &v) < 0)
		return -1;
	part->text = v == 1;
	if (number(&c, "glyphs", 65536, &n) < 0 || bytes(&c, 2 * (size_t)n, "glyphs", &b) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned u = (unsigned)(uint8_t)b[2 * i] << 8 | (uint8_t)b[2 * i + 1];
		part->gl_used[u >> 3] |= (uint8_t)(1u << (u & 7));
	}
	if (number(&c, "imagedict", 4096, &n) < 0 || bytes(&c, (size_t)n, "imagedict", &b) < 0)
		return -1;
	if (memchr(b, '\0', (size_t)n))
		return bad(&c, "damaged imagedict");
	part->img_dict = xstrndup(b, (size_t)n);
	if (number(&c, "image", PDFA_PART_MAX, &n) < 0 || bytes(&c, (size_t)n, "image", &b) < 0)
		goto fail;
	part->img = xmalloc(n ? (size_t)n : 1);
	memcpy(part->img, b, (size_t)n);
	part->img_len = (size_t)n;
	if (line(&c, buf, sizeof buf, "content") < 0)
		goto fail;
	if (sscanf(buf, "content %7s %llu", kind, &n) != 2 || (strcmp(kind, "flate") && strcmp(kind, "plain")) ||
	    n > PDFA_PART_MAX) {
		bad(&c, "bad 'content' line");
		goto fail;
	}
	part->content_flate = strcmp(kind, "flate") == 0;
	if (bytes(&c, (size_t)n, "content", &b) < 0)
		goto fail;
	part->content = xmalloc(n ? (size_t)n : 1);
	memcpy(part->content, b, (size_t)n);
	part->content_len = (size_t)n;
	if (line(&c, buf, sizeof buf, "end") < 0)
		goto fail;
	if (strcmp(buf, "end") != 0 || c.p != c.end) {
		bad(&c, "damaged end");
		goto fail;
	}
	return 0;
fail:
	pdfa_part_release(part);
	return -1;
}

int pdfa_part_read(const char *path, struct pdfa_part *part, struct errbuf *err)
{
	char *data;
	size_t len;
	int rc;
	memset(part, 0, sizeof *part);
	if (fsio_read(path, &data, &len, (size_t)PDFA_PART_MAX + 65536, err) < 0)
		return -1;
	rc = pdfa_part_decode(data, len, path, part, err);
	free(data);
	return rc;
}
