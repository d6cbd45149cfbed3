/*
 * rumpus sweep: fail every call at a point, one disposable instance per
 * (case, point, n).  A counting run per case first (no rule armed; every
 * instance counts its calls at every point), then one instance per call
 * n of each swept point with the plan "POINT:nth=n:ERRNO" (ENOMEM at the
 * allocation points, EIO elsewhere; with --powercut, "powercut" at a
 * write point: the instance stops after write n-1 and the power-cut
 * oracle, harness/oracle.c, decides).  Each outcome is classified (pass:
 * the fault was absorbed; clean: the injected error reached the scenario
 * and the kernel freed everything; fail, panic, crash, hang, leak,
 * corrupt, ...); everything but pass and clean is a finding, deduplicated
 * by class, fault site and kernel stack, and shown with its token.
 *
 * rumpus replay: run the case a token names again, after checking that
 * this is the same build and the scenario file has the same content.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault_engine.h"
#include "harness.h"

/* Sweep classes beyond the runner's outcomes. */
#define SWEEP_CLEAN	RUMPUS_NOUTCOMES	/* error returned, books empty */
#define SWEEP_NCLASSES	(RUMPUS_NOUTCOMES + 1)
/* Seconds an instance may take (-t): a hang costs a slot this long. */
#define SWEEP_TIMEOUT	10.0

/* One finding: a class at a site with a stack, and how often. */
struct finding {
	int	 f_class;
	char	*f_site;
	char	*f_stack;
	char	*f_plan;
	char	*f_case;
	char	*f_token;
	char	*f_reason;		/* the first instance's */
	size_t	 f_count;
};

/* One swept point. */
struct spoint {
	const char *sp_name;
	size_t	 sp_idx;		/* index in rr_calls */
	const char *sp_errno;		/* "ENOMEM", "EIO" or "powercut" */
	size_t	 sp_runs;
	size_t	 sp_by[SWEEP_NCLASSES];
};

struct sweep {
	struct hcase	*sw_cases;	/* the cases given */
	size_t		 sw_ncases;
	uint64_t	(*sw_calls)[RUMPUS_FAULT_MAXPOINTS]; /* per case */
	int		*sw_counted;	/* counting run passed */
	struct spoint	*sw_pts;
	size_t		 sw_npts;
	struct finding	*sw_f;
	size_t		 sw_nf;
	size_t		 sw_by[SWEEP_NCLASSES];
};

static void *
sweep_alloc(size_t n)
{
	void *p;

	if ((p = calloc(1, n ? n : 1)) == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(ENOMEM));
		exit(1);
	}
	return p;
}

static char *
sweep_strdup(const char *s)
{
	char *p = sweep_alloc(strlen(s) + 1);

	memcpy(p, s, strlen(s) + 1);
	return p;
}

static const char *
sweep_class_name(int c)
{

	return c == SWEEP_CLEAN ? "clean" : rumpus_outcome_name(c);
}

/* The counting run of a case ended: keep its counts. */
static void
sweep_counted(void *arg, const struct hcase *hc, const struct hverdict *hv)
{
	struct sweep *sw = arg;
	size_t i = (size_t)(hc - sw->sw_cases);
	char id[1024];

	snprintf(id, sizeof(id), "%s:%s%s%s%s", hc->hc_path, hc->hc_name,
	    *hc->hc_fs ? "[" : "", hc->hc_fs, *hc->hc_fs ? "]" : "");
	if (!hv->hv_ok || !hv->hv_counted) {
		printf("not swept: %s: the counting run ended %s: %s\n", id,
		    rumpus_outcome_name(hv->hv_outcome), hv->hv_reason);
		return;
	}
	memcpy(sw->sw_calls[i], hv->hv_calls, sizeof(sw->sw_calls[i]));
	sw->sw_counted[i] = 1;
}

/*
 * Did a case run under plan end "clean": a failure or error after the
 * injected errno (the plan's last action) reached the scenario (a kernel
 * call returned it, or the reason names it), with the books empty?
 */
int
harness_clean(const char *plan, const struct hverdict *hv)
{
	const char *e = strrchr(plan, ':');

	return (hv->hv_outcome == RUMPUS_FAIL ||
	    hv->hv_outcome == RUMPUS_ERROR) && e != NULL &&
	    (hv->hv_books == NULL || hv->hv_books[0] == '\0') &&
	    (hv->hv_surfaced > 0 || strstr(hv->hv_reason, e + 1) != NULL);
}

/*
 * The class of one instance: pass when the case ended as it wants to (a
 * pass, or the outcome it declares) with empty books; else its outcome,
 * except that a clean end (harness_clean) is "clean", and books that
 * are not empty make a failure or error a leak.
 */
static int
sweep_classify(const struct hcase *hc, const struct hverdict *hv)
{

	/* The case's own wanted outcome (a declared "fail" too). */
	if (hv->hv_ok && (hv->hv_books == NULL || hv->hv_books[0] == '\0'))
		return RUMPUS_PASS;
	if (harness_clean(hc->hc_plan, hv))
		return SWEEP_CLEAN;
	if ((hv->hv_outcome == RUMPUS_FAIL || hv->hv_outcome == RUMPUS_ERROR) &&
	    hv->hv_books != NULL && hv->hv_books[0] != '\0')
		return RUMPUS_LEAK;
	return hv->hv_outcome;
}

/* One instance ended: class, tally, finding. */
static void
sweep_done(void *arg, const struct hcase *hc, const struct hverdict *hv)
{
	struct sweep *sw = arg;
	struct finding *f;
	struct spoint *sp;
	size_t i, len;
	char id[1024];
	int c = sweep_classify(hc, hv);

	for (i = 0; i < sw->sw_npts; i++) {
		len = strlen(sw->sw_pts[i].sp_name);
		if (strncmp(hc->hc_plan, sw->sw_pts[i].sp_name, len) == 0 &&
		    hc->hc_plan[len] == ':')
			break;
	}
	sp = &sw->sw_pts[i];
	sp->sp_runs++;
	sp->sp_by[c]++;
	sw->sw_by[c]++;
	if (c == RUMPUS_PASS || c == SWEEP_CLEAN)
		return;
	for (i = 0; i < sw->sw_nf; i++) {
		f = &sw->sw_f[i];
		if (f->f_class == c && strcmp(f->f_site, hv->hv_site) == 0 &&
		    strcmp(f->f_stack, hv->hv_stack) == 0) {
			f->f_count++;
			return;
		}
	}
	if ((f = realloc(sw->sw_f, (sw->sw_nf + 1) * sizeof(*f))) == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(ENOMEM));
		exit(1);
	}
	sw->sw_f = f;
	f = &sw->sw_f[sw->sw_nf++];
	snprintf(id, sizeof(id), "%s:%s%s%s%s", hc->hc_path, hc->hc_name,
	    *hc->hc_fs ? "[" : "", hc->hc_fs, *hc->hc_fs ? "]" : "");
	f->f_class = c;
	f->f_site = sweep_strdup(hv->hv_site);
	f->f_stack = sweep_strdup(hv->hv_stack);
	f->f_plan = sweep_strdup(hc->hc_plan);
	f->f_case = sweep_strdup(id);
	f->f_token = sweep_strdup(hv->hv_token);
	f->f_reason = sweep_strdup(hv->hv_reason);
	f->f_count = 1;
	fprintf(stderr, "%s%s %s %s: %s\n  at %s\n  token: %s\n",
	    isatty(2) ? "\r\033[K" : "", sweep_class_name(c), id,
	    hc->hc_plan, hv->hv_reason, hv->hv_site[0] ? hv->hv_site :
	    "(no fault was injected)", hv->hv_token);
}

/* The summary: a table per point, then the findings. */
static void
sweep_summary(struct sweep *sw, size_t ninst, double secs)
{
	struct finding *f;
	size_t i, done;
	int c;

	printf("%-14s %9s", "point", "instances");
	for (c = 0; c < SWEEP_NCLASSES; c++)
		if (sw->sw_by[c] > 0 || c == RUMPUS_PASS || c == SWEEP_CLEAN)
			printf(" %8s", sweep_class_name(c));
	printf("\n");
	for (i = 0; i < sw->sw_npts; i++) {
		printf("%-14s %9zu", sw->sw_pts[i].sp_name,
		    sw->sw_pts[i].sp_runs);
		for (c = 0; c < SWEEP_NCLASSES; c++)
			if (sw->sw_by[c] > 0 || c == RUMPUS_PASS ||
			    c == SWEEP_CLEAN)
				printf(" %8zu", sw->sw_pts[i].sp_by[c]);
		printf("\n");
	}
	for (i = 0, done = 0; i < sw->sw_npts; i++)
		done += sw->sw_pts[i].sp_runs;
	if (done < ninst)
		printf("%zu of %zu instances (interrupted)", done, ninst);
	else
		printf("%zu instances", done);
	printf(" in %.1fs (%.1f/s), %zu findings\n", secs,
	    secs > 0 ? done / secs : 0.0, sw->sw_nf);
	for (i = 0; i < sw->sw_nf; i++) {
		f = &sw->sw_f[i];
		printf("finding %zu: %s x%zu, first %s with %s\n  why %s\n"
		    "  at %s\n  stack %s\n  token %s\n", i + 1,
		    sweep_class_name(f->f_class), f->f_count, f->f_case,
		    f->f_plan, f->f_reason, f->f_site[0] ? f->f_site :
		    "(none)", f->f_stack[0] ? f->f_stack : "(none)",
		    f->f_token);
	}
}

/* Add point name to the sweep, or usage. */
static void
sweep_point(struct sweep *sw, const char *name)
{
	struct spoint *sp;
	const char *n;
	size_t i;

	for (i = 0; (n = rumpus_fault_point_name(i)) != NULL; i++)
		if (strcmp(n, name) == 0)
			break;
	if (n == NULL) {
		fprintf(stderr, "rumpus: --point: no fault point \"%s\" "
		    "(points:", name);
		for (i = 0; (n = rumpus_fault_point_name(i)) != NULL; i++)
			fprintf(stderr, " %s", n);
		fprintf(stderr, ")\n");
		usage();
	}
	sp = realloc(sw->sw_pts, (sw->sw_npts + 1) * sizeof(*sp));
	if (sp == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(ENOMEM));
		exit(1);
	}
	sw->sw_pts = sp;
	sp = &sw->sw_pts[sw->sw_npts++];
	memset(sp, 0, sizeof(*sp));
	sp->sp_name = n;
	sp->sp_idx = i;
	sp->sp_errno = strcmp(n, "malloc") == 0 ||
	    strcmp(n, "kmem.alloc") == 0 || strstr(n, "alloc") != NULL ?
	    "ENOMEM" : "EIO";
}

/*
 * --powercut: every swept point cuts the power instead of failing; only
 * the points whose writes can be cut take it.
 */
static void
sweep_powercut(struct sweep *sw)
{
	size_t i;

	for (i = 0; i < sw->sw_npts; i++) {
		if (strcmp(sw->sw_pts[i].sp_name, "bio.write") != 0 &&
		    strcmp(sw->sw_pts[i].sp_name, "iovwrite") != 0 &&
		    strcmp(sw->sw_pts[i].sp_name, "syncfd") != 0) {
			fprintf(stderr, "rumpus: --powercut: point \"%s\" "
			    "cannot cut the power (bio.write, iovwrite and "
			    "syncfd can)\n", sw->sw_pts[i].sp_name);
			usage();
		}
		sw->sw_pts[i].sp_errno = "powercut";
	}
}

int
harness_sweep(int argc, char **argv)
{
	static const struct option longopts[] = {
		HARNESS_LONGOPTS,
		{ "point",	required_argument,	NULL,	'P' },
		{ "shard",	required_argument,	NULL,	'S' },
		{ "powercut",	no_argument,		NULL,	'C' },
		{ NULL,		0,			NULL,	0 }
	};
	struct sweep sw;
	struct hcase *inst = NULL;
	struct hopts ho;
	const char *sel = NULL, *out = NULL;
	char *pts = NULL, *p, *plan, *end;
	size_t i, j, k, n, ninst = 0, cap = 0, global = 0;
	unsigned long shard = 1, nshards = 1;
	uint64_t calls;
	double t0;
	long ncpu;
	int ch, status, powercut = 0;
	char err[512];

	/* The empty plan: what a build without fault points refuses. */
	if (rumpus_faults_check("", err, sizeof(err)) != 0) {
		fprintf(stderr, "rumpus: sweep: %s\n", err);
		return 2;
	}
	memset(&sw, 0, sizeof(sw));
	memset(&ho, 0, sizeof(ho));
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ho.ho_jobs = ncpu > 0 ? (int)ncpu : 1;
	ho.ho_mode = "serial";
	ho.ho_seed = 1;
	ho.ho_timeout = SWEEP_TIMEOUT;
	while ((ch = getopt_long(argc, argv, "j:m:s:t:o:c:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'P':
			if ((pts = strdup(optarg)) == NULL) {
				fprintf(stderr, "rumpus: %s\n",
				    strerror(ENOMEM));
				exit(1);
			}
			for (p = strtok(pts, ","); p != NULL;
			    p = strtok(NULL, ","))
				sweep_point(&sw, p);
			free(pts);
			break;
		case 'C':
			powercut = 1;
			break;
		case 'S':
			errno = 0;
			shard = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '/' || shard == 0 ||
			    (nshards = strtoul(end + 1, &end, 10)) == 0 ||
			    *end != '\0' || shard > nshards) {
				fprintf(stderr, "rumpus: --shard: \"%s\" is "
				    "not i/n with 1 <= i <= n\n", optarg);
				usage();
			}
			break;
		default:
			if (!harness_opt(ch, optarg, &ho, &out, &sel))
				usage();
		}
	}
	if (sw.sw_npts == 0) {
		fprintf(stderr, "rumpus: sweep: no --point given\n");
		usage();
	}
	if (powercut)
		sweep_powercut(&sw);
	if (optind == argc) {
		fprintf(stderr, "rumpus: sweep: no scenario file or "
		    "directory\n");
		usage();
	}
	if ((sw.sw_cases = harness_load(argv + optind, argc - optind, sel,
	    ho.ho_timeout, &sw.sw_ncases)) == NULL) {
		status = 2;
		goto out;
	}
	/* A sweep's plans replace the scenarios' own. */
	for (i = 0; i < sw.sw_ncases; i++) {
		sw.sw_cases[i].hc_plan = NULL;
		sw.sw_cases[i].hc_declplan = 0;
	}
	sw.sw_calls = sweep_alloc(sw.sw_ncases * sizeof(*sw.sw_calls));
	sw.sw_counted = sweep_alloc(sw.sw_ncases * sizeof(int));
	if (out != NULL && (ho.ho_out = fopen(out, "w")) == NULL) {
		fprintf(stderr, "rumpus: %s: %s\n", out, strerror(errno));
		status = 2;
		goto out;
	}

	/* Count: every case once, nothing armed. */
	t0 = harness_now();
	ho.ho_quiet = 1;
	ho.ho_trace = 1;		/* the counting runs count */
	ho.ho_done = sweep_counted;
	ho.ho_donearg = &sw;
	fprintf(stderr, "rumpus: sweep: counting runs of %zu cases\n",
	    sw.sw_ncases);
	if (harness_run(sw.sw_cases, sw.sw_ncases, &ho) == 130) {
		status = 130;
		goto out;
	}

	/* One instance per (case, point, n) of this shard. */
	for (i = 0; i < sw.sw_ncases; i++) {
		if (!sw.sw_counted[i])
			continue;
		for (j = 0; j < sw.sw_npts; j++) {
			calls = sw.sw_calls[i][sw.sw_pts[j].sp_idx];
			for (k = 1; k <= calls; k++, global++) {
				if (global % nshards != shard - 1)
					continue;
				if (ninst == cap) {
					cap = cap ? 2 * cap : 256;
					if ((inst = realloc(inst, cap *
					    sizeof(*inst))) == NULL) {
						fprintf(stderr, "rumpus: %s\n",
						    strerror(ENOMEM));
						exit(1);
					}
				}
				n = strlen(sw.sw_pts[j].sp_name) + 48;
				plan = sweep_alloc(n);
				snprintf(plan, n, "%s:nth=%zu:%s",
				    sw.sw_pts[j].sp_name, k,
				    sw.sw_pts[j].sp_errno);
				inst[ninst] = sw.sw_cases[i];
				inst[ninst++].hc_plan = plan;
			}
		}
	}
	fprintf(stderr, "rumpus: sweep: %zu instances (shard %lu/%lu of "
	    "%zu)\n", ninst, shard, nshards, global);
	ho.ho_done = sweep_done;
	status = harness_run(inst, ninst, &ho);
	sweep_summary(&sw, ninst, harness_now() - t0);
	if (status != 130)
		status = sw.sw_nf > 0 ? 1 : 0;
	for (i = 0; i < ninst; i++)
		free((char *)inst[i].hc_plan);
	for (i = 0; i < sw.sw_nf; i++) {
		free(sw.sw_f[i].f_site);
		free(sw.sw_f[i].f_stack);
		free(sw.sw_f[i].f_plan);
		free(sw.sw_f[i].f_case);
		free(sw.sw_f[i].f_token);
		free(sw.sw_f[i].f_reason);
	}
out:
	if (ho.ho_out != NULL && fclose(ho.ho_out) != 0) {
		fprintf(stderr, "rumpus: %s: %s\n", out, strerror(errno));
		status = 1;
	}
	free(inst);
	free(sw.sw_f);
	free(sw.sw_pts);
	free(sw.sw_calls);
	free(sw.sw_counted);
	free(sw.sw_cases);
	harness_unload();
	return status;
}

/* The replayed case ended: keep its verdict for the last line. */
static void
harness_replay_done(void *arg, const struct hcase *hc,
    const struct hverdict *hv)
{

	memcpy(arg, hv, sizeof(*hv));
}

/*
 * rumpus replay TOKEN: decode, refuse another build or a changed
 * scenario (saying what differs), then run the case with the token's
 * plan, seed and mode, and print its outcome and trace digest.  With
 * --save FILE, write the token's case as a scenario file instead
 * (harness_save).
 */
int
harness_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout",	required_argument,	NULL,	't' },
		{ "output",	required_argument,	NULL,	'o' },
		{ "verbose",	no_argument,		NULL,	'v' },
		{ "save",	required_argument,	NULL,	'S' },
		{ NULL,		0,			NULL,	0 }
	};
	struct fe_token tok, now;
	struct hcase *cases;
	struct hopts ho;
	struct hverdict *last;
	const char *out = NULL, *save = NULL;
	char err[512], hash[17];
	size_t n;
	int ch, status;

	memset(&ho, 0, sizeof(ho));
	ho.ho_jobs = 1;
	ho.ho_verbose = 1;
	ho.ho_trace = 1;
	while ((ch = getopt_long(argc, argv, "t:o:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			ho.ho_timeout = optnum("--timeout", optarg, 0.001);
			break;
		case 'o':
			out = optarg;
			break;
		case 'v':
			break;
		case 'S':
			save = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "rumpus: replay: one token wanted\n");
		usage();
	}
	if (fe_token_decode(argv[optind], &tok, err, sizeof(err)) != 0) {
		fprintf(stderr, "rumpus: replay: %s\n", err);
		return 2;
	}
	if (save != NULL) {
		status = harness_save(&tok, argv[optind], save);
		goto out;
	}
	/* Before the build's: a plan is refused by a build without faults. */
	if (*tok.ft_plan != '\0' &&
	    rumpus_faults_check(tok.ft_plan, err, sizeof(err)) != 0) {
		fprintf(stderr, "rumpus: replay: the token's plan: %s\n", err);
		status = 2;
		goto out;
	}
	/* The token as this build and this scenario file would make it. */
	now = tok;
	now.ft_build = (char *)record_buildid();
	if (harness_hash(tok.ft_scenario, hash) != 0) {
		fprintf(stderr, "rumpus: replay: refused: scenario %s: %s\n",
		    tok.ft_scenario, strerror(errno));
		status = 2;
		goto out;
	}
	now.ft_scenhash = hash;
	if (fe_token_compare(&tok, &now, err, sizeof(err)) != 0) {
		fprintf(stderr, "rumpus: replay: refused: %s\n", err);
		status = 2;
		goto out;
	}
	ho.ho_mode = strcmp(tok.ft_mode, "threads") == 0 ? "threads" :
	    "serial";
	ho.ho_seed = tok.ft_seed;
	if ((cases = harness_load(&tok.ft_scenario, 1, tok.ft_variant,
	    ho.ho_timeout, &n)) == NULL) {
		status = 2;
		harness_unload();
		goto out;
	}
	/* The token's plan, seed and mode, whatever the scenario declares. */
	cases[0].hc_declplan = cases[0].hc_declplan &&
	    strcmp(cases[0].hc_plan, tok.ft_plan) == 0;
	cases[0].hc_plan = *tok.ft_plan != '\0' ? tok.ft_plan : NULL;
	cases[0].hc_mode = NULL;
	cases[0].hc_hasseed = 0;
	if (out != NULL && (ho.ho_out = fopen(out, "w")) == NULL) {
		fprintf(stderr, "rumpus: %s: %s\n", out, strerror(errno));
		status = 2;
	} else {
		last = sweep_alloc(sizeof(*last));
		ho.ho_done = harness_replay_done;
		ho.ho_donearg = last;
		status = harness_run(cases, 1, &ho);
		if (last->hv_counted)
			printf("trace digest %016llx, %llu faults injected%s%s\n",
			    (unsigned long long)last->hv_digest,
			    (unsigned long long)last->hv_hits,
			    last->hv_site[0] ? ", first at " : "",
			    last->hv_site);
		free(last);
		if (ho.ho_out != NULL)
			fclose(ho.ho_out);
	}
	free(cases);
	harness_unload();
out:
	fe_token_free(&tok);
	return status;
}
