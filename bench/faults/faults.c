/*
 * bench/faults: what the fault engine costs a hypercall.  One hypercall,
 * rumpuser_malloc(64) and its rumpuser_free, measured in four states:
 * nothing installed; 10 rules armed at other points (malloc's gate stays
 * shut); 10 rules armed at malloc whose lwp filter never matches (every
 * call is decided); one probability rule at malloc that fires (p=0.01, a
 * draw on every call).  Host malloc/free without a hypercall is the
 * baseline.  Each state twice: librumpuser's own engine
 * (rumpus_faults_configure, this program linked with librumpuser.a), and
 * the LD_PRELOAD interposer over librumpuser.so.0 (faults_dyn, the same
 * program linked with it, run with RUMPUS_FAULTS).
 *
 * Time: best of ROUNDS rounds of ITERS calls, in ns per call.
 * Instructions: the program runs itself under valgrind --tool=callgrind
 * for CG_SMALL and CG_LARGE calls of each state; the difference of the two
 * totals over the difference of the counts is the Ir per call (start-up
 * cancels out).  Without valgrind that column says so.
 *
 *	faults [iterations [instances]]	the table, then sweep
 *					throughput (faults-sweep, about
 *					instances instances, at -j1 and -j2)
 *	faults -d STATE N		N calls in STATE (callgrind's driver)
 *	faults -t STATE N		ns per call of N calls in STATE
 *	faults -e -d|-t STATE N		the same, the engine from RUMPUS_FAULTS
 *					(under the interposer)
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#include "fault_engine.h"

#define ROUNDS		5
#define CG_SMALL	20000
#define CG_LARGE	220000

/* The states, as specs for rumpus_faults_configure. */
static const struct state {
	const char	*st_name;
	const char	*st_spec;	/* NULL: nothing installed */
	int		 st_host;	/* host malloc/free, no hypercall */
} states[] = {
	{ "host malloc+free (no hypercall)", NULL, 1 },
	{ "no rule (nothing installed)", NULL, 0 },
	{ "10 rules at other points", "bio.write:nth=1:EIO; "
	    "bio.read:nth=2:EIO; iovread:nth=3:EIO; iovwrite:nth=4:EIO; "
	    "open:nth=5:EIO; syncfd:nth=6:EIO; thread_create:nth=7:EAGAIN; "
	    "getrandom:nth=8:EIO; clock_sleep:nth=9:EINTR; "
	    "cv_timedwait:nth=10:ETIMEDOUT", 0 },
	{ "10 rules at malloc, none matching", "malloc:lwp=1:ENOMEM; "
	    "malloc:lwp=2:ENOMEM; malloc:lwp=3:ENOMEM; malloc:lwp=4:ENOMEM; "
	    "malloc:lwp=5:ENOMEM; malloc:lwp=6:ENOMEM; malloc:lwp=7:ENOMEM; "
	    "malloc:lwp=8:ENOMEM; malloc:lwp=9:ENOMEM; malloc:lwp=10:ENOMEM",
	    0 },
	{ "malloc:p=0.01:ENOMEM (matching)", "malloc:p=0.01:ENOMEM", 0 },
};
#define NSTATES	(sizeof(states) / sizeof(states[0]))

static void
noop(void)
{
}

static void
noop_bunsched(int n, int *np, void *il)
{

	*np = n;
}

static void
noop_bsched(int n, void *il)
{
}

/* Upcalls for rumpuser_init, which the interposer configures at. */
static const struct rumpuser_hyperup bench_hyp = {
	.hyp_schedule = noop,
	.hyp_unschedule = noop,
	.hyp_backend_unschedule = noop_bunsched,
	.hyp_backend_schedule = noop_bsched,
};

/* The engine comes from RUMPUS_FAULTS at rumpuser_init (-e). */
static int from_env;

/* Put the engine in state st; exit on failure. */
static void
state_set(const struct state *st)
{
	struct fe_error err;

	if (from_env) {
		if (rumpuser_init(RUMPUSER_VERSION, &bench_hyp) != 0)
			exit(1);
		return;
	}
	rumpus_faults_unconfigure();
	if (st->st_spec == NULL)
		return;
	if (rumpus_faults_configure(st->st_spec, 1, NULL, NULL, &err) != 0) {
		fprintf(stderr, "faults: %s: %s\n", st->st_spec, err.fe_msg);
		exit(1);
	}
}

/* n calls in state st. */
static void
calls(const struct state *st, long n)
{
	void *p;
	long i;

	for (i = 0; i < n; i++) {
		if (st->st_host) {
			if ((p = malloc(64)) != NULL)
				free(p);
			/* Keep the compiler from pairing them away. */
			__asm__ __volatile__("" : : "r"(p) : "memory");
		} else if (rumpuser_malloc(64, 0, &p) == 0)
			rumpuser_free(p, 64);
	}
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Best ns per call of ROUNDS rounds of iters calls in state st. */
static double
time_state(const struct state *st, long iters)
{
	double best = 0, t0, ns;
	int r;

	state_set(st);
	calls(st, iters / 10);
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		calls(st, iters);
		ns = (now_ns() - t0) / (double)iters;
		if (r == 0 || ns < best)
			best = ns;
	}
	if (!from_env)
		rumpus_faults_unconfigure();
	return best;
}

/*
 * Run "prog [-e] what state n" (dyn: faults_dyn under the interposer,
 * with the state's spec in RUMPUS_FAULTS; else this program), under
 * callgrind when what is "-d".  Returns the total Ir (-d) or the ns per
 * call it printed (-t); -1 if that failed.
 */
static double
driver(const char *self, int dyn, const char *what, size_t state, long n)
{
	char out[64], st[16], cnt[32], line[512], of[128];
	const char *argv[12];
	double v = -1;
	int fds[2], status, fd, argc = 0;
	FILE *f;
	pid_t pid;

	snprintf(out, sizeof(out), "/tmp/bench-faults.%ld.cg", (long)getpid());
	snprintf(of, sizeof(of), "--callgrind-out-file=%s", out);
	snprintf(st, sizeof(st), "%zu", state);
	snprintf(cnt, sizeof(cnt), "%ld", n);
	if (strcmp(what, "-d") == 0) {
		argv[argc++] = "valgrind";
		argv[argc++] = "--tool=callgrind";
		argv[argc++] = of;
	}
	argv[argc++] = dyn ? FAULTS_DYN : self;
	if (dyn)
		argv[argc++] = "-e";
	argv[argc++] = what;
	argv[argc++] = st;
	argv[argc++] = cnt;
	argv[argc] = NULL;
	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 2);
		if (dyn) {
			setenv("LD_PRELOAD", INTERPOSER, 1);
			if (states[state].st_spec != NULL)
				setenv("RUMPUS_FAULTS", states[state].st_spec,
				    1);
		}
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	if ((f = fdopen(fds[0], "r")) != NULL) {
		if (strcmp(what, "-t") == 0 && fgets(line, sizeof(line), f))
			v = strtod(line, NULL);
		fclose(f);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		v = -1;
	else if (strcmp(what, "-d") == 0 && (f = fopen(out, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "summary: ", 9) == 0 ||
			    strncmp(line, "totals: ", 8) == 0)
				v = strtod(strchr(line, ' ') + 1, NULL);
		fclose(f);
	}
	unlink(out);
	return v;
}

/* Ir per call in state (dyn: under the interposer); -1 on failure. */
static double
ir_per_call(const char *self, int dyn, size_t state)
{
	double small, large;

	small = driver(self, dyn, "-d", state, CG_SMALL);
	large = driver(self, dyn, "-d", state, CG_LARGE);
	if (small < 0 || large < 0)
		return -1;
	return (large - small) / (CG_LARGE - CG_SMALL);
}

/* Print a figure, or "failed", or "-" for a column not measured. */
static void
figure(double v, int measured)
{

	if (!measured)
		printf(" %9s", "-");
	else if (v < 0)
		printf(" %9s", "failed");
	else
		printf(" %9.1f", v);
}

/* Is valgrind there to run? */
static int
have_valgrind(void)
{

	return system("valgrind --version >/dev/null 2>&1") == 0;
}

int
main(int argc, char **argv)
{
	long iters = 2000000, n;
	char cmd[1024];
	int vg, dyn;
	size_t i;

	if (argc > 1 && strcmp(argv[1], "-e") == 0) {
		from_env = 1;
		argc--;
		argv++;
	}
	if (argc == 4 && (strcmp(argv[1], "-d") == 0 ||
	    strcmp(argv[1], "-t") == 0)) {
		i = (size_t)strtoul(argv[2], NULL, 10);
		n = strtol(argv[3], NULL, 10);
		if (i >= NSTATES || n <= 0)
			return 1;
		if (argv[1][1] == 't')
			printf("%.1f\n", time_state(&states[i], n));
		else {
			state_set(&states[i]);
			calls(&states[i], n);
		}
		return 0;
	}
	if ((argc > 1 && (iters = strtol(argv[1], NULL, 10)) <= 0) ||
	    (argc > 2 && strtol(argv[2], NULL, 10) <= 0)) {
		fprintf(stderr, "usage: faults [iterations [instances]]\n");
		return 1;
	}
	vg = have_valgrind();
	printf("rumpuser_malloc(64) + rumpuser_free per call; best of %d x "
	    "%ld calls%s\n", ROUNDS, iters, vg ? "; Ir from callgrind" : "");
	printf("%-34s %19s %19s\n", "", "librumpuser.a", "interposer");
	printf("%-34s %9s %9s %9s %9s\n", "state", "ns/call", "Ir/call",
	    "ns/call", "Ir/call");
	for (i = 0; i < NSTATES; i++) {
		printf("%-34s", states[i].st_name);
		figure(time_state(&states[i], iters), 1);
		figure(vg ? ir_per_call(argv[0], 0, i) : 0, vg);
		dyn = !states[i].st_host;
		figure(dyn ? driver(argv[0], 1, "-t", i, iters) : 0, dyn);
		figure(dyn && vg ? ir_per_call(argv[0], 1, i) : 0, dyn && vg);
		printf("\n");
		fflush(stdout);
	}
	if (!vg)
		printf("(Ir/call skipped: valgrind is not installed)\n");
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "%s %ld", FAULTS_SWEEP,
	    argc > 2 ? strtol(argv[2], NULL, 10) : 1000);
	return system(cmd) == 0 ? 0 : 1;
}
