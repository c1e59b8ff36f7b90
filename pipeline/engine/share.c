/*
 * share.c - find the shipped data folder (see share.h).
 */
#include "engine/share.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *share_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return xstrdup("sohoa");
	buf[n] = '\0';
	return xstrdup(buf);
}

static bool has_profiles(const char *dir)
{
	struct stat st;
	char *p = xasprintf("%s/scanner-profiles", dir);
	bool ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return ok;
}

char *share_dir(struct errbuf *err)
{
	const char *env = getenv("SOHOA_SHARE");
	char *exe, *slash, *cand;
	if (env && *env)
		return xstrdup(env);
	exe = share_self_exe();
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	cand = xasprintf("%s/..", exe);
	if (has_profiles(cand))
		goto found;
	free(cand);
	cand = xasprintf("%s/../share/sohoa", exe);
	if (has_profiles(cand))
		goto found;
	free(cand);
	err_set(err, "cannot find the scanner profiles next to '%s'; set SOHOA_SHARE", exe);
	free(exe);
	return NULL;
found:
	free(exe);
	return cand;
}
