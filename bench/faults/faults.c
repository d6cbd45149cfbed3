/*
 * bench/faults: what the fault engine costs a hypercall.  One hypercall,
 * rumpuser_malloc(64) and its rumpuser_free, measured with librumpuser's
 * engine (rumpus_faults_configure) in four states: nothing installed; 10
 * rules armed at other points (malloc's gate stays shut); 10 rules armed
 * at malloc whose lwp filter never matches (every call is decided); one
 * probability rule at malloc that fires (p=0.01, a draw on every call).
 * Host malloc/free without a hypercall is the baseline.
 *
 * Time: best of ROUNDS rounds of ITERS calls, in ns per call.
 * Instructions: the program runs itself under valgrind --tool=callgrind
 * for CG_SMALL and CG_LARGE calls of each state; the difference of the two
 * totals over the difference of the counts is the Ir per call (start-up
 * cancels out).  Without valgrind that column says so.
 *
 *	faults [iterations]		the table
 *	faults -d STATE N		N calls in STATE (callgrind's driver)
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

/* Put librumpuser's engine in state st; exit on failure. */
static void
state_set(const struct state *st)
{
	struct fe_error err;

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
	rumpus_faults_unconfigure();
	return best;
}

/*
 * Total instructions (Ir) of this program run as "-d state n" under
 * callgrind; -1 if that failed.
 */
static long long
callgrind_ir(const char *self, size_t state, long n)
{
	char out[64], st[16], cnt[32], line[512];
	long long ir = -1;
	FILE *f;
	pid_t pid;
	int status, fd;

	snprintf(out, sizeof(out), "/tmp/bench-faults.%ld.cg", (long)getpid());
	snprintf(st, sizeof(st), "%zu", state);
	snprintf(cnt, sizeof(cnt), "%ld", n);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		char of[128];

		snprintf(of, sizeof(of), "--callgrind-out-file=%s", out);
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("valgrind", "valgrind", "--tool=callgrind", of, self,
		    "-d", st, cnt, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		goto out;
	if ((f = fopen(out, "r")) == NULL)
		goto out;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "summary: ", 9) == 0 ||
		    strncmp(line, "totals: ", 8) == 0)
			ir = strtoll(strchr(line, ' ') + 1, NULL, 10);
	fclose(f);
out:
	unlink(out);
	return ir;
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
	long iters = 2000000;
	long long small, large;
	int vg;
	size_t i;

	if (argc == 4 && strcmp(argv[1], "-d") == 0) {
		i = (size_t)strtoul(argv[2], NULL, 10);
		if (i >= NSTATES)
			return 1;
		state_set(&states[i]);
		calls(&states[i], strtol(argv[3], NULL, 10));
		rumpus_faults_unconfigure();
		return 0;
	}
	if (argc > 1 && (iters = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: faults [iterations]\n");
		return 1;
	}
	vg = have_valgrind();
	printf("rumpuser_malloc(64) + rumpuser_free per call, librumpuser's "
	    "engine; best of %d x %ld calls%s\n", ROUNDS, iters,
	    vg ? "; Ir from callgrind" : "");
	printf("%-38s %10s %10s\n", "state", "ns/call", "Ir/call");
	for (i = 0; i < NSTATES; i++) {
		printf("%-38s %10.1f ", states[i].st_name,
		    time_state(&states[i], iters));
		if (!vg)
			printf("%10s\n", "-");
		else {
			small = callgrind_ir(argv[0], i, CG_SMALL);
			large = callgrind_ir(argv[0], i, CG_LARGE);
			if (small < 0 || large < 0)
				printf("%10s\n", "failed");
			else
				printf("%10.1f\n", (double)(large - small) /
				    (CG_LARGE - CG_SMALL));
		}
		fflush(stdout);
	}
	if (!vg)
		printf("(Ir/call skipped: valgrind is not installed)\n");
	return 0;
}
