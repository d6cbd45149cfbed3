/*
 * Every bundled scenario variant as an ATF test case, so that kyua runs
 * the whole suite with its own isolation and reports it (JUnit included).
 *
 * This program speaks the ATF test-program interface by hand (the case
 * list is only known at run time): "-l" lists one case per scenario x fs
 * variant, as "rumpus list -p" reports them; "-r resfile case" runs one
 * case through "rumpus run --atf-result", which writes the ATF result.
 * The ATF timeout of a case is the scenario's own plus a margin, so the
 * runner's timeout fires first and the case reads "hang", not "broken".
 */
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RUMPUS_BIN
#error RUMPUS_BIN (the rumpus program) must be defined
#endif
#ifndef RUMPUS_SCENARIOS
#error RUMPUS_SCENARIOS (the scenario directory) must be defined
#endif
#ifndef RUMPUS_CACHE
#error RUMPUS_CACHE (the image cache) must be defined
#endif

/* Seconds the runner gets beyond the scenario's timeout. */
#define SC_MARGIN	30

/* One line of "rumpus list -p". */
struct sc_case {
	char	*c_file;
	char	*c_name;
	char	*c_fs;
	double	 c_timeout;
	char	*c_expect;
	char	*c_descr;
	char	 c_ident[256];
};

static struct sc_case *sc_cases;
static size_t sc_ncases;

static void
sc_die(const char *fmt, const char *arg)
{

	fprintf(stderr, "scenarios: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/*
 * The ATF identifier of a case: the file path below the scenario
 * directory, the scenario name and the fs variant, with every character
 * outside [A-Za-z0-9_] made '_', joined by "__".
 */
static void
sc_ident(struct sc_case *c)
{
	const char *file = c->c_file;
	size_t n, dirlen = strlen(RUMPUS_SCENARIOS);
	char *p;

	if (strncmp(file, RUMPUS_SCENARIOS, dirlen) == 0 && file[dirlen] == '/')
		file += dirlen + 1;
	n = strlen(file);
	if (n > 4 && strcmp(file + n - 4, ".lua") == 0)
		n -= 4;
	snprintf(c->c_ident, sizeof(c->c_ident), "%.*s__%s%s%s", (int)n, file,
	    c->c_name, *c->c_fs ? "__" : "", c->c_fs);
	for (p = c->c_ident; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
}

/* Split off the next tab-separated field of *s. */
static char *
sc_field(char **s)
{
	char *f = *s, *t;

	if (f == NULL)
		sc_die("%s", "rumpus list -p gave a short line");
	if ((t = strchr(f, '\t')) != NULL) {
		*t = '\0';
		*s = t + 1;
	} else
		*s = NULL;
	return f;
}

/*
 * Read every case from "rumpus list -p".
 */
static void
sc_load(void)
{
	char *line = NULL, *s;
	size_t cap = 0, len = 0;
	struct sc_case *c;
	FILE *p;
	int st;

	setenv("RUMPUS_CACHE", RUMPUS_CACHE, 1);
	if ((p = popen(RUMPUS_BIN " list -p " RUMPUS_SCENARIOS, "r")) == NULL)
		sc_die("popen: %s", strerror(errno));
	while (getline(&line, &len, p) != -1) {
		line[strcspn(line, "\n")] = '\0';
		if (sc_ncases == cap) {
			cap = cap ? 2 * cap : 64;
			if ((sc_cases = realloc(sc_cases, cap *
			    sizeof(*sc_cases))) == NULL)
				sc_die("%s", strerror(errno));
		}
		c = &sc_cases[sc_ncases++];
		if ((s = strdup(line)) == NULL)
			sc_die("%s", strerror(errno));
		c->c_file = sc_field(&s);
		c->c_name = sc_field(&s);
		c->c_fs = sc_field(&s);
		c->c_timeout = atof(sc_field(&s));
		c->c_expect = sc_field(&s);
		c->c_descr = sc_field(&s);
		sc_ident(c);
	}
	free(line);
	/* The strings stay until exit, as every case's fields point there. */
	if ((st = pclose(p)) != 0)
		sc_die("%s", RUMPUS_BIN " list -p failed");
	if (sc_ncases == 0)
		sc_die("%s", "no scenario in " RUMPUS_SCENARIOS);
}

/* -l: the test-program header and one property block per case. */
static void
sc_list(void)
{
	size_t i;

	printf("Content-Type: application/X-atf-tp; version=\"1\"\n");
	for (i = 0; i < sc_ncases; i++) {
		printf("\nident: %s\n", sc_cases[i].c_ident);
		if (*sc_cases[i].c_descr != '\0')
			printf("descr: %s\n", sc_cases[i].c_descr);
		printf("timeout: %d\n", (int)sc_cases[i].c_timeout + SC_MARGIN);
	}
}

/*
 * Run one case; the runner writes the ATF result file.
 */
static int
sc_run(const char *ident, const char *resfile)
{
	struct sc_case *c = NULL;
	char sel[1024];
	size_t i;
	pid_t pid;
	int st;

	for (i = 0; i < sc_ncases && c == NULL; i++)
		if (strcmp(sc_cases[i].c_ident, ident) == 0)
			c = &sc_cases[i];
	if (c == NULL)
		sc_die("no test case \"%s\"", ident);
	snprintf(sel, sizeof(sel), "%s%s%s%s", c->c_name, *c->c_fs ? "[" : "",
	    c->c_fs, *c->c_fs ? "]" : "");
	fflush(NULL);
	if ((pid = fork()) == -1)
		sc_die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(RUMPUS_BIN, "rumpus", "run", "-v", "-j", "1",
		    "--atf-result", resfile, "-c", sel, c->c_file, (char *)NULL);
		fprintf(stderr, "%s: %s\n", RUMPUS_BIN, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			sc_die("waitpid: %s", strerror(errno));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *resfile = "/dev/stdout";
	char *ident, *colon;
	int ch, list = 0;

	while ((ch = getopt(argc, argv, "lr:s:v:")) != -1) {
		switch (ch) {
		case 'l':
			list = 1;
			break;
		case 'r':
			resfile = optarg;
			break;
		case 's':
		case 'v':
			break;
		default:
			fprintf(stderr, "usage: scenarios -l | "
			    "scenarios [-r resfile] case[:body|:cleanup]\n");
			return 2;
		}
	}
	sc_load();
	if (list) {
		sc_list();
		return 0;
	}
	if (optind + 1 != argc)
		sc_die("%s", "want exactly one test case name");
	ident = argv[optind];
	if ((colon = strchr(ident, ':')) != NULL) {
		/* No case has a cleanup routine: nothing to do there. */
		if (strcmp(colon, ":cleanup") == 0)
			return 0;
		if (strcmp(colon, ":body") != 0)
			sc_die("unknown part \"%s\"", colon);
		*colon = '\0';
	}
	return sc_run(ident, resfile);
}
