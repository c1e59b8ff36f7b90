/*
 * replay.c - the driver `make check` links each fuzz target with (gcc, ASan
 * + UBSan): every file named, or every file in every folder named, is given
 * once to LLVMFuzzerTestOneInput.  So the corpora (and every crash found,
 * once saved there) are replayed without clang or long fuzzing.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			struct dirent **ents;
			int k = scandir(argv[i], &ents, NULL, alphasort);
			for (int j = 0; j < k; j++) {
				if (ents[j]->d_name[0] != '.') {
					char path[4096];
					snprintf(path, sizeof path, "%s/%s", argv[i], ents[j]->d_name);
					bad += replay_file(path) < 0;
					n++;
				}
				free(ents[j]);
			}
			free(ents);
		} else {
			bad += replay_file(argv[i]) < 0;
			n++;
		}
	}
	printf("%d input(s) replayed\n", n);
	return bad ? 1 : 0;
}
