/*
 * rumpus: run Lua scenarios, each case in its own disposable rump kernel
 * instance.  This file reads the command line, finds the scenario files,
 * loads them (the zygote's work) and hands the cases to the runner.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_engine.h"
#include "harness.h"

/* The scenario files named on the command line, in order. */
struct files {
	char	**f_path;
	struct rumpus_file **f_rf;	/* each file loaded, or NULL */
	size_t	  f_n;
	size_t	  f_cap;
};

static struct files harness_files;

void
usage(void)
{

	fprintf(stderr,
	    "usage: rumpus run [-v] [-j jobs] [-m serial|threads] [-s seed]\n"
	    "                  [-t seconds] [-o results.jsonl] [-c case]\n"
	    "                  [-k artifacts] [--atf-result file]\n"
	    "                  [--faults spec] [--trace] file|dir ...\n"
	    "       rumpus list [-p] [-c case] file|dir ...\n"
	    "       rumpus sweep --point point[,point...] [-j jobs] "
	    "[--shard i/n]\n"
	    "                  [-m serial|threads] [-s seed] [-t seconds] "
	    "[-o results.jsonl]\n"
	    "                  [-c case] [--powercut] file|dir ...\n"
	    "       rumpus replay [-v] [-t seconds] [-o results.jsonl] "
	    "token\n"
	    "       rumpus replay --save file token\n");
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{

	if ((p = realloc(p, n)) == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

static void
files_add(struct files *f, const char *path)
{

	if (f->f_n == f->f_cap) {
		f->f_cap = f->f_cap ? 2 * f->f_cap : 16;
		f->f_path = xrealloc(f->f_path, f->f_cap * sizeof(char *));
		f->f_rf = xrealloc(f->f_rf, f->f_cap * sizeof(*f->f_rf));
	}
	f->f_rf[f->f_n] = NULL;
	if ((f->f_path[f->f_n++] = strdup(path)) == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(errno));
		exit(1);
	}
}

/*
 * Add path: a file as it is, a directory as every *.lua below it, in name
 * order.  A path that does not exist is named and stops the command.
 */
static void
files_collect(struct files *f, const char *path)
{
	struct dirent **ents;
	char sub[PATH_MAX];
	struct stat sb;
	size_t len;
	int i, n;

	if (stat(path, &sb) == -1) {
		fprintf(stderr, "rumpus: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(sb.st_mode)) {
		files_add(f, path);
		return;
	}
	if ((n = scandir(path, &ents, NULL, alphasort)) == -1) {
		fprintf(stderr, "rumpus: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (i = 0; i < n; i++) {
		len = strlen(ents[i]->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", path,
		    path[strlen(path) - 1] == '/' ? "" : "/", ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' &&
		    stat(sub, &sb) == 0 && (S_ISDIR(sb.st_mode) ||
		    (len > 4 && strcmp(ents[i]->d_name + len - 4, ".lua") == 0)))
			files_collect(f, sub);
		free(ents[i]);
	}
	free(ents);
}

/*
 * Whether case hc matches the selector sel: "name" (every variant) or
 * "name[fs]".
 */
static int
case_selected(const struct hcase *hc, const char *sel)
{
	size_t n = strlen(hc->hc_name);
	const char *b;

	if (sel == NULL)
		return 1;
	if ((b = strchr(sel, '[')) == NULL)
		return strcmp(sel, hc->hc_name) == 0;
	return (size_t)(b - sel) == n && strncmp(sel, hc->hc_name, n) == 0 &&
	    strncmp(b + 1, hc->hc_fs, strlen(hc->hc_fs)) == 0 &&
	    strcmp(b + 1 + strlen(hc->hc_fs), "]") == 0;
}

/*
 * Load every file (the zygote's work) and list its cases, keeping those
 * the selector names.  A file that does not load is one "error" case.
 */
static struct hcase *
cases_load(struct files *f, const char *sel, double timeout, size_t *np)
{
	const struct rumpus_case *rc;
	struct rumpus_file *rf;
	struct hcase *cases = NULL, *hc;
	size_t i, j, n = 0, cap = 0;
	char err[1024], hash[17];

	for (i = 0; i < f->f_n; i++) {
		rf = f->f_rf[i] = rumpus_file_load(f->f_path[i], err,
		    sizeof(err));
		if (harness_hash(f->f_path[i], hash) != 0)
			snprintf(hash, sizeof(hash), "unreadable");
		for (j = 0; rf == NULL || j < rumpus_file_ncases(rf); j++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				cases = xrealloc(cases, cap * sizeof(*cases));
			}
			hc = &cases[n];
			memset(hc, 0, sizeof(*hc));
			hc->hc_file = rf;
			hc->hc_path = f->f_path[i];
			memcpy(hc->hc_hash, hash, sizeof(hc->hc_hash));
			hc->hc_name = "";
			hc->hc_fs = "";
			hc->hc_timeout = timeout > 0 ? timeout :
			    HARNESS_DEFAULT_TIMEOUT;
			if (rf == NULL) {
				snprintf(hc->hc_loaderr,
				    sizeof(hc->hc_loaderr), "%s", err);
				if (sel == NULL)
					n++;
				break;
			}
			rc = rumpus_file_case(rf, j);
			hc->hc_idx = j;
			hc->hc_name = rc->rc_name;
			hc->hc_fs = rc->rc_fs;
			hc->hc_expect = rc->rc_expect;
			hc->hc_plan = rc->rc_faults;
			hc->hc_declplan = rc->rc_faults != NULL;
			hc->hc_mode = rc->rc_mode;
			hc->hc_hasseed = rc->rc_hasseed;
			hc->hc_seed = rc->rc_seed;
			if (timeout <= 0 && rc->rc_timeout > 0)
				hc->hc_timeout = rc->rc_timeout;
			if (case_selected(hc, sel))
				n++;
		}
	}
	*np = n;
	return cases;
}

/* Unload every file and free the list. */
static void
files_free(struct files *f)
{
	size_t i;

	for (i = 0; i < f->f_n; i++) {
		rumpus_file_free(f->f_rf[i]);
		free(f->f_path[i]);
	}
	free(f->f_rf);
	free(f->f_path);
}

/*
 * The content hash of file path as 16 hex digits into hash[17]; 0, or -1
 * (errno) when it cannot be read.
 */
int
harness_hash(const char *path, char *hash)
{
	char buf[65536];
	uint64_t h = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		h = fe_hash64(buf, (size_t)n, h);
	close(fd);
	if (n == -1)
		return -1;
	snprintf(hash, 17, "%016llx", (unsigned long long)h);
	return 0;
}

/*
 * Where images are cached: $RUMPUS_CACHE, else $XDG_CACHE_HOME/rumpus,
 * else $HOME/.cache/rumpus.
 */
static void
cache_setup(void)
{
	char dir[PATH_MAX];
	const char *e;

	if ((e = getenv("RUMPUS_CACHE")) != NULL && *e != '\0')
		snprintf(dir, sizeof(dir), "%s", e);
	else if ((e = getenv("XDG_CACHE_HOME")) != NULL && *e != '\0')
		snprintf(dir, sizeof(dir), "%s/rumpus", e);
	else if ((e = getenv("HOME")) != NULL && *e != '\0')
		snprintf(dir, sizeof(dir), "%s/.cache/rumpus", e);
	else
		snprintf(dir, sizeof(dir), "/tmp/rumpus-cache-%ld",
		    (long)getuid());
	rumpus_image_cachedir(dir);
}

/*
 * One line of "rumpus list -p": file, name, fs, timeout, wanted outcome
 * and description, separated by tabs.
 */
static void
list_parseable(const struct hcase *hc)
{
	const char *descr = "the file does not load";

	if (hc->hc_file != NULL)
		descr = rumpus_file_case(hc->hc_file, hc->hc_idx)->rc_descr;
	printf("%s\t%s\t%s\t%g\t%s\t%s\n", hc->hc_path, hc->hc_name,
	    hc->hc_fs, hc->hc_timeout, hc->hc_expect ? hc->hc_expect : "pass",
	    descr);
}

/* A number option, or usage. */
double
optnum(const char *opt, const char *arg, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || *end != '\0' || end == arg || v < min) {
		fprintf(stderr, "rumpus: %s: \"%s\" is not a number >= %g\n",
		    opt, arg, min);
		usage();
	}
	return v;
}

/*
 * Collect and load the scenario files named by args (n of them), list
 * their cases (those sel names); *np cases.  Returns NULL, after saying
 * so, when sel names no case.  harness_unload() frees what this loaded.
 */
struct hcase *
harness_load(char **args, int n, const char *sel, double timeout,
    size_t *np)
{
	struct hcase *cases;
	int i;

	memset(&harness_files, 0, sizeof(harness_files));
	for (i = 0; i < n; i++)
		files_collect(&harness_files, args[i]);
	cache_setup();
	cases = cases_load(&harness_files, sel, timeout, np);
	if (sel != NULL && *np == 0) {
		fprintf(stderr, "rumpus: no case \"%s\" in the files given\n",
		    sel);
		free(cases);
		return NULL;
	}
	return cases;
}

void
harness_unload(void)
{

	files_free(&harness_files);
}

/*
 * The options run and sweep share: -j, -m, -s, -t, -o, -c.  Returns 1 when
 * ch was one of them (ho, *out or *sel set from arg), 0 otherwise.
 */
int
harness_opt(int ch, const char *arg, struct hopts *ho, const char **out,
    const char **sel)
{

	switch (ch) {
	case 'j':
		ho->ho_jobs = (int)optnum("-j", arg, 1);
		return 1;
	case 'm':
		ho->ho_mode = harness_mode(arg);
		return 1;
	case 's':
		ho->ho_seed = harness_seed(arg);
		return 1;
	case 't':
		ho->ho_timeout = optnum("--timeout", arg, 0.001);
		return 1;
	case 'o':
		*out = arg;
		return 1;
	case 'c':
		if (*sel != NULL) {
			fprintf(stderr, "rumpus: -c given twice (\"%s\", "
			    "\"%s\"): one case selector per run\n", *sel, arg);
			exit(2);
		}
		*sel = arg;
		return 1;
	}
	return 0;
}

/* --mode's argument, or usage. */
const char *
harness_mode(const char *arg)
{

	if (strcmp(arg, "serial") != 0 && strcmp(arg, "threads") != 0) {
		fprintf(stderr, "rumpus: --mode: \"%s\" is neither serial nor "
		    "threads\n", arg);
		usage();
	}
	return arg;
}

/* --seed's argument (decimal, below 2^64), or usage. */
uint64_t
harness_seed(const char *arg)
{
	uint64_t seed;

	if (fe_seed_parse(arg, &seed) != 0) {
		fprintf(stderr, "rumpus: --seed: \"%s\" is not a decimal "
		    "number below 2^64\n", arg);
		usage();
	}
	return seed;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		HARNESS_LONGOPTS,
		{ "verbose",	no_argument,		NULL,	'v' },
		{ "parseable",	no_argument,		NULL,	'p' },
		{ "atf-result",	required_argument,	NULL,	'A' },
		{ "artifacts",	required_argument,	NULL,	'k' },
		{ "faults",	required_argument,	NULL,	'F' },
		{ "trace",	no_argument,		NULL,	'T' },
		{ NULL,		0,			NULL,	0 }
	};
	struct hcase *cases;
	struct hopts ho;
	const char *cmd, *sel = NULL, *out = NULL, *plan = NULL;
	char err[512];
	int ch, parseable = 0, status;
	long ncpu;
	size_t i, n;

	if (argc < 2)
		usage();
	/*
	 * Under a file-size limit (ulimit -f), a write past it fails with
	 * EFBIG, named where it happens, instead of killing the runner.
	 */
	signal(SIGXFSZ, SIG_IGN);
	cmd = argv[1];
	if (strcmp(cmd, "sweep") == 0)
		return harness_sweep(argc - 1, argv + 1);
	if (strcmp(cmd, "replay") == 0)
		return harness_replay(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "list") != 0) {
		fprintf(stderr, "rumpus: unknown command \"%s\"\n", cmd);
		usage();
	}
	memset(&ho, 0, sizeof(ho));
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ho.ho_jobs = ncpu > 0 ? (int)ncpu : 1;
	ho.ho_mode = "threads";
	ho.ho_seed = 1;
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "j:m:s:t:o:c:k:vp", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'v':
			ho.ho_verbose = 1;
			break;
		case 'p':
			parseable = 1;
			break;
		case 'A':
			ho.ho_atf_result = optarg;
			break;
		case 'k':
			ho.ho_artifacts = optarg;
			break;
		case 'F':
			plan = optarg;
			break;
		case 'T':
			ho.ho_trace = 1;
			break;
		default:
			if (!harness_opt(ch, optarg, &ho, &out, &sel))
				usage();
		}
	}
	if (optind == argc) {
		fprintf(stderr, "rumpus: %s: no scenario file or directory\n",
		    cmd);
		usage();
	}
	/* --trace needs the engine as a plan does (a build may lack it). */
	if ((plan != NULL || ho.ho_trace) && rumpus_faults_check(plan != NULL ?
	    plan : "", err, sizeof(err)) != 0) {
		fprintf(stderr, "rumpus: %s: %s\n", plan != NULL ? "--faults" :
		    "--trace", err);
		return 2;
	}
	if ((cases = harness_load(argv + optind, argc - optind, sel,
	    ho.ho_timeout, &n)) == NULL) {
		status = 2;
		goto out;
	}
	for (i = 0; plan != NULL && i < n; i++) {
		cases[i].hc_plan = plan;
		cases[i].hc_declplan = 0;
	}

	if (strcmp(cmd, "list") == 0) {
		for (i = 0; i < n; i++) {
			if (parseable)
				list_parseable(&cases[i]);
			else
				printf("%s:%s%s%s%s\n", cases[i].hc_path,
				    cases[i].hc_name, *cases[i].hc_fs ? "[" : "",
				    cases[i].hc_fs, *cases[i].hc_fs ? "]" : "");
		}
		status = 0;
		goto out;
	}

	if (ho.ho_atf_result != NULL && n != 1) {
		fprintf(stderr, "rumpus: --atf-result wants exactly one case, "
		    "%zu selected\n", n);
		status = 2;
		goto out;
	}
	if (out != NULL && (ho.ho_out = fopen(out, "w")) == NULL) {
		fprintf(stderr, "rumpus: %s: %s\n", out, strerror(errno));
		status = 2;
		goto out;
	}
	status = harness_run(cases, n, &ho);
	if (ho.ho_out != NULL && fclose(ho.ho_out) != 0) {
		fprintf(stderr, "rumpus: %s: %s\n", out, strerror(errno));
		status = 1;
	}
out:
	free(cases);
	harness_unload();
	return status;
}
