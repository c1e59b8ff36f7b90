/*
 * test_pdfa_part.c - a page's PDF content made ahead (pdfa_part.h): the
 * round trip of a part through its file; a document joined from parts read
 * back is byte for byte the document pdfa_add_pix() writes for the same
 * pages; every truncation of a part, a wrong magic line, another version
 * and damaged lines are refused with an error naming the file; the inputs
 * a part records change with the hOCR and the access copy.
 * usage: test_pdfa_part [OUTDIR]  (default: a fresh folder under /tmp)
 */
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/pdfa_part.h"
#include "unit.h"

static const char hocr[] =
	"<div class='ocr_page' id='page_1' title='image \"x\"; bbox 0 0 800 600; ppageno 0'>\n"
	"  <span class='ocr_line' title='bbox 100 100 700 160; baseline 0 -12; x_size 50'>\n"
	"   <span class='ocrx_word' title='bbox 100 100 260 160; x_wconf 95'>Luật</span>\n"
	"   <span class='ocrx_word' title='bbox 280 100 420 160; x_wconf 91'>Hải</span>\n"
	"   <span class='ocrx_word' title='bbox 440 100 700 160; x_wconf 88'>quan 𝐀</span>\n"
	"  </span></div>\n";

static bool same_part(const struct pdfa_part *a, const struct pdfa_part *b)
{
	return pdfa_part_inputs_equal(&a->in, &b->in) && a->pw == b->pw && a->ph == b->ph && a->text == b->text &&
	       memcmp(a->gl_used, b->gl_used, sizeof a->gl_used) == 0 && strcmp(a->img_dict, b->img_dict) == 0 &&
	       a->img_len == b->img_len && memcmp(a->img, b->img, a->img_len) == 0 && a->content_len == b->content_len &&
	       a->content_flate == b->content_flate && memcmp(a->content, b->content, a->content_len) == 0;
}

/* Decoding must fail, with an error that names the file and has `want`. */
static void refused(const char *data, size_t len, const char *want)
{
	struct pdfa_part p;
	struct errbuf err;
	err_init(&err);
	CHECK(pdfa_part_decode(data, len, "p.pdfpart", &p, &err) < 0);
	CHECK(strstr(err.msg, "cannot read part 'p.pdfpart': ") == err.msg);
	if (want && !strstr(err.msg, want)) {
		fprintf(stderr, "want '%s' in: %s\n", want, err.msg);
		CHECK(0);
	}
}

/* A copy of data with the first `from` replaced by `to`. */
static char *edited(const char *data, size_t len, const char *from, const char *to, size_t *nlen)
{
	const char *at = memmem(data, len, from, strlen(from));
	size_t a, nf = strlen(from), nt = strlen(to);
	char *o;
	if (!at)
		return NULL;
	a = (size_t)(at - data);
	o = xmalloc(len - nf + nt);
	memcpy(o, data, a);
	memcpy(o + a, to, nt);
	memcpy(o + a + nt, at + nf, len - a - nf);
	*nlen = len - nf + nt;
	return o;
}

static char *make_doc(const char *path, PIX *colour, PIX *bitonal, const struct pdfa_part *parts, size_t *len)
{
	struct pdfa_meta meta = { "Hồ sơ 1", NULL, NULL, NULL, "vi", NULL, 1751353402000LL };
	struct pdfa_opts opts = { 70, NULL, NULL };
	struct errbuf err;
	struct pdfa *d;
	char *data = NULL;
	int i;
	err_init(&err);
	d = pdfa_open(path, &meta, &opts, &err);
	if (!d)
		return NULL;
	for (i = 0; i < 3; i++) {
		if (parts)
			CHECK(pdfa_add_part(d, &parts[i], &err) == 0);
		else if (i == 1)
			CHECK(pdfa_add_pix(d, bitonal, 300, NULL, 0, &err) == 0);
		else
			CHECK(pdfa_add_pix(d, colour, 200, hocr, strlen(hocr), &err) == 0);
	}
	CHECK(pdfa_close(d, &err) == 0);
	CHECK(fsio_read(path, &data, len, 1u << 26, &err) == 0);
	return data;
}

int main(int argc, char **argv)
{
	char dirbuf[] = "/tmp/test_pdfa_part.XXXXXX", *dir;
	struct pdfa_part parts[3], back;
	struct errbuf err;
	char *enc, *path, *a, *b;
	size_t elen, alen = 0, blen = 0, i;
	PIX *colour, *bitonal;

	dir = argc > 1 ? argv[1] : mkdtemp(dirbuf);
	CHECK(dir != NULL);
	if (!dir)
		return unit_done("test_pdfa_part");
	colour = pixCreate(800, 600, 32);
	pixSetAllArbitrary(colour, 0xf0e0c000);
	bitonal = pixCreate(640, 480, 1);
	pixSetOrClearBorder(bitonal, 40, 40, 40, 40, PIX_SET);

	/* parts of three pages: text, none, text again */
	err_init(&err);
	CHECK(pdfa_part_make(colour, 200, 70, hocr, strlen(hocr), 1, &parts[0], &err) == 0);
	CHECK(pdfa_part_make(bitonal, 300, 70, NULL, 0, 2, &parts[1], &err) == 0);
	CHECK(pdfa_part_make(colour, 200, 70, hocr, strlen(hocr), 3, &parts[2], &err) == 0);
	CHECK(parts[0].text && !parts[1].text);
	CHECK(parts[0].gl_used['L' >> 3] & (1u << ('L' & 7)));
	CHECK(parts[0].gl_used[0xD835 >> 3] & (1u << (0xD835 & 7))); /* U+1D400: a surrogate pair */
	CHECK(strstr(parts[1].img_dict, "/CCITTFaxDecode") != NULL);
	CHECK(strstr(parts[0].img_dict, "/DCTDecode") != NULL);
	CHECK(parts[0].pw == 800 * 72.0 / 200 && parts[0].ph == 600 * 72.0 / 200);
	for (i = 0; i < 3; i++) {
		strcpy(parts[i].in.hocr_sha, i == 1 ? "-" : "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		strcpy(parts[i].in.access_id, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	}

	/* the round trip, through a file */
	path = xasprintf("%s/p1.pdfpart", dir);
	CHECK(pdfa_part_write(&parts[0], path, &err) == 0);
	CHECK(pdfa_part_read(path, &back, &err) == 0);
	CHECK(same_part(&parts[0], &back));
	pdfa_part_release(&back);
	free(path);
	path = xasprintf("%s/nothing.pdfpart", dir);
	err_init(&err);
	CHECK(pdfa_part_read(path, &back, &err) < 0);
	CHECK(strstr(err.msg, "nothing.pdfpart") != NULL);
	free(path);

	/* joined from parts read back = written page by page, byte for byte */
	{
		struct pdfa_part rd[3];
		for (i = 0; i < 3; i++) {
			pdfa_part_encode(&parts[i], &enc, &elen);
			err_init(&err);
			CHECK(pdfa_part_decode(enc, elen, "x", &rd[i], &err) == 0);
			free(enc);
		}
		path = xasprintf("%s/doc.pdf", dir);
		a = make_doc(path, colour, bitonal, NULL, &alen);
		b = make_doc(path, colour, bitonal, rd, &blen);
		CHECK(a && b && alen == blen && alen > 0 && memcmp(a, b, alen) == 0);
		CHECK(a && memmem(a, alen, "/F0 ", 4) != NULL);
		free(a);
		free(b);
		free(path);
		for (i = 0; i < 3; i++)
			pdfa_part_release(&rd[i]);
	}

	/* every truncation of the bitonal page's part, some of the colour one's */
	pdfa_part_encode(&parts[1], &enc, &elen);
	for (i = 0; i < elen; i++)
		refused(enc, i, NULL);
	refused(enc, 5, "not a page part");
	free(enc);
	pdfa_part_encode(&parts[0], &enc, &elen);
	refused(enc, elen - 1, "truncated");
	refused(enc, elen / 2, "truncated in image");
	refused(enc, 0, "not a page part");
	{
		static const struct { const char *from, *to, *want; } cases[] = {
			{ "sohoa-pdfpart 1\n", "sohoa-pdfpurt 1\n", "not a page part" },
			{ "sohoa-pdfpart 1\n", "sohoa-pdfpart 2\n", "version ' 2'" },
			{ "\ndpi 200\n", "\ndpi -200\n", "bad 'dpi' line" },
			{ "\nquality 70\n", "\nquality 170\n", "bad 'quality' line" },
			{ "\ntext 1\n", "\ntext 7\n", "bad 'text' line" },
			{ "\nglyphs ", "\nglyphs 99999", "bad 'glyphs' line" },
			{ "\nimage ", "\nimage 9", "image" },
			{ "\nimage ", "\nimage x", "bad 'image' line" },
			{ "\ncontent flate", "\ncontent fl8te", "bad 'content' line" },
			{ "\nend\n", "\nend\nmore", "damaged end" },
			{ "access ", "access 0", "bad 'access' line" },
			{ "size ", "size -", "bad 'size' line" },
		};
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			size_t n = 0;
			char *e = edited(enc, elen, cases[i].from, cases[i].to, &n);
			CHECK(e != NULL);
			if (e)
				refused(e, n, cases[i].want);
			free(e);
		}
	}
	free(enc);

	/* inputs: the same files give the same inputs; a corrected hOCR or a
	 * new access copy do not */
	{
		char *img = xasprintf("%s/p.png", dir), *hp = xasprintf("%s/p.hocr", dir);
		struct pdfa_part_inputs now;
		struct pdfa_part f;
		CHECK(pixWrite(img, colour, IFF_PNG) == 0);
		CHECK(fsio_write_atomic(hp, hocr, strlen(hocr), &err) == 0);
		CHECK(pdfa_part_make_file(img, 200, 0, hp, 1, &f, &err) == 0);
		CHECK(f.in.jpeg_quality == 85 && f.in.dpi == 200 && f.text);
		CHECK(pdfa_part_inputs(img, 200, 85, hp, &now, &err) == 0);
		CHECK(pdfa_part_inputs_equal(&f.in, &now));
		CHECK(pdfa_part_inputs(img, 200, 84, hp, &now, &err) == 0);
		CHECK(!pdfa_part_inputs_equal(&f.in, &now));
		CHECK(pdfa_part_inputs(img, 200, 85, NULL, &now, &err) == 0);
		CHECK(!pdfa_part_inputs_equal(&f.in, &now) && strcmp(now.hocr_sha, "-") == 0);
		CHECK(fsio_write_atomic(hp, "<p>corrected</p>", 16, &err) == 0);
		CHECK(pdfa_part_inputs(img, 200, 85, hp, &now, &err) == 0);
		CHECK(!pdfa_part_inputs_equal(&f.in, &now));
		CHECK(fsio_write_atomic(hp, hocr, strlen(hocr), &err) == 0);
		CHECK(pdfa_part_inputs(img, 200, 85, hp, &now, &err) == 0);
		CHECK(pdfa_part_inputs_equal(&f.in, &now));
		CHECK(pixWrite(img, bitonal, IFF_PNG) == 0); /* a new access copy */
		CHECK(pdfa_part_inputs(img, 200, 85, hp, &now, &err) == 0);
		CHECK(!pdfa_part_inputs_equal(&f.in, &now));
		pdfa_part_release(&f);
		unlink(img);
		err_init(&err);
		CHECK(pdfa_part_make_file(img, 200, 85, hp, 1, &f, &err) < 0);
		CHECK(strstr(err.msg, "p.png") != NULL);
		free(img);
		free(hp);
	}

	for (i = 0; i < 3; i++)
		pdfa_part_release(&parts[i]);
	pixDestroy(&colour);
	pixDestroy(&bitonal);
	if (argc < 2)
		unit_rmtree(dir);
	return unit_done("test_pdfa_part");
}
