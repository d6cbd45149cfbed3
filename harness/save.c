/*
 * rumpus replay --save FILE TOKEN: a finding kept as a regression
 * scenario.  FILE is a scenario file of its own: the token's scenario
 * file as the token knew it (the content hash must match), after a
 * prologue that narrows its scenario{} declarations to the token's case
 * and gives that case the token's fault plan, seed and mode (the
 * scenario{} fields faults=, seed=, mode=).  So `rumpus run FILE` makes
 * the token's run again, under kyua too, on any later build: the build
 * that found the bug is not asked for (the fix is a new build).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_engine.h"
#include "harness.h"

/* s as a Lua string literal. */
static void
save_quote(FILE *f, const char *s)
{

	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fprintf(f, "\\%03u", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * Read path whole into *textp (NUL-terminated, *lenp bytes), hashing it
 * as harness_hash() does, into hash.  0, or -1 with errno set.
 */
static int
save_read(const char *path, char **textp, size_t *lenp, char *hash)
{
	char *text = NULL, *nt;
	size_t len = 0;
	uint64_t h = 0;
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		if ((nt = realloc(text, len + 65536 + 1)) == NULL) {
			errno = ENOMEM;
			n = -1;
			break;
		}
		text = nt;
		if ((n = read(fd, text + len, 65536)) <= 0)
			break;
		h = fe_hash64(text + len, (size_t)n, h);
		len += (size_t)n;
	}
	e = errno;
	close(fd);
	if (n == -1) {
		free(text);
		errno = e;
		return -1;
	}
	text[len] = '\0';
	*textp = text;
	*lenp = len;
	snprintf(hash, 17, "%016" PRIx64, h);
	return 0;
}

/*
 * Write the regression scenario of token text (decoded: tok) to file.
 * Refuses (2) when the scenario file is gone or has changed since the
 * token was made, saying why; 0 once written.
 */
int
harness_save(const struct fe_token *tok, const char *text0,
    const char *file)
{
	const char *fs;
	char hash[17], *text, name[512];
	size_t len, nlen;
	FILE *f;

	if (save_read(tok->ft_scenario, &text, &len, hash) != 0) {
		fprintf(stderr, "rumpus: replay --save: refused: scenario %s: "
		    "%s\n", tok->ft_scenario, strerror(errno));
		return 2;
	}
	if (strcmp(hash, tok->ft_scenhash) != 0) {
		fprintf(stderr, "rumpus: replay --save: refused: scenario %s "
		    "has changed since the token was made (content %s, now "
		    "%s)\n", tok->ft_scenario, tok->ft_scenhash, hash);
		free(text);
		return 2;
	}
	/* The variant: "name[fs]" or "name". */
	snprintf(name, sizeof(name), "%s", tok->ft_variant);
	fs = NULL;
	if ((nlen = strlen(name)) > 0 && name[nlen - 1] == ']' &&
	    strchr(name, '[') != NULL) {
		name[nlen - 1] = '\0';
		*strrchr(name, '[') = '\0';
		fs = name + strlen(name) + 1;
	}
	if ((f = fopen(file, "w")) == NULL) {
		fprintf(stderr, "rumpus: replay --save: %s: %s\n", file,
		    strerror(errno));
		free(text);
		return 2;
	}
	fprintf(f, "-- Saved by `rumpus replay --save` from the token\n"
	    "-- %s\n"
	    "-- The case %s of %s (content %s) with the token's fault plan,\n"
	    "-- seed and mode: that file as it was, below, its scenario{}\n"
	    "-- declarations narrowed to the case.  A clean error (the injected\n"
	    "-- errno reaching the body, the books empty) counts as passing.\n"
	    "do\n"
	    "\tlocal declare = scenario\n"
	    "\tscenario = function(t)\n"
	    "\t\tif t.name ~= ", text0, tok->ft_variant, tok->ft_scenario,
	    tok->ft_scenhash);
	save_quote(f, name);
	fputs(" then\n\t\t\treturn\n\t\tend\n", f);
	if (fs != NULL) {
		fputs("\t\tt.fs = { ", f);
		save_quote(f, fs);
		fputs(" }\n", f);
	}
	if (*tok->ft_plan != '\0') {
		fputs("\t\tt.faults = ", f);
		save_quote(f, tok->ft_plan);
		fputc('\n', f);
	}
	fprintf(f, "\t\tt.seed = %" PRIu64 "\n\t\tt.mode = ", tok->ft_seed);
	save_quote(f, tok->ft_mode);
	fputs("\n\t\treturn declare(t)\n\tend\nend\n\n", f);
	fwrite(text, 1, len, f);
	free(text);
	if (fclose(f) != 0) {
		fprintf(stderr, "rumpus: replay --save: %s: %s\n", file,
		    strerror(errno));
		return 2;
	}
	return 0;
}
