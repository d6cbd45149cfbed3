/*
 * bench/hypercall: nanoseconds per call of rumpuser_mutex_enter/exit and
 * rumpuser_malloc/free, which pass through librumpuser's fault wrapper
 * points with nothing armed, against pthread_mutex_lock/unlock and
 * malloc/free called directly; then the same hypercalls with a hook armed
 * that always passes (the cost issue 7's engine starts from).  Each
 * figure is the best of ROUNDS rounds of ITERS calls.
 *
 *	hypercall [iterations]
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rump/rumpuser.h>

#include "fault_hook.h"

#define ROUNDS	5

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

static const struct rumpuser_hyperup bench_hyp = {
	.hyp_schedule = noop,
	.hyp_unschedule = noop,
	.hyp_backend_unschedule = noop_bunsched,
	.hyp_backend_schedule = noop_bsched,
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The loops measured: one pair of calls per iteration. */
static struct rumpuser_mtx *bench_rmtx;
static pthread_mutex_t bench_pmtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t bench_emtx;	/* ERRORCHECK, like librumpuser's */

static void
loop_rumpuser_mutex(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		rumpuser_mutex_enter(bench_rmtx);
		rumpuser_mutex_exit(bench_rmtx);
	}
}

static void
loop_pthread_mutex(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&bench_pmtx);
		pthread_mutex_unlock(&bench_pmtx);
	}
}

static void
loop_pthread_errcheck(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&bench_emtx);
		pthread_mutex_unlock(&bench_emtx);
	}
}

static void
loop_rumpuser_malloc(long n)
{
	void *p;
	long i;

	for (i = 0; i < n; i++) {
		if (rumpuser_malloc(64, 0, &p) != 0)
			abort();
		rumpuser_free(p, 64);
	}
}

static void
loop_malloc(long n)
{
	void *volatile p;
	long i;

	for (i = 0; i < n; i++) {
		if ((p = malloc(64)) == NULL)
			abort();
		free(p);
	}
}

/* Best nanoseconds per iteration of loop over ROUNDS rounds. */
static double
measure(void (*loop)(long), long n)
{
	double best = 0, t0, t;
	int r;

	loop(n / 10);		/* warm up */
	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		loop(n);
		t = (now_ns() - t0) / (double)n;
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

static void
report(const char *what, double wrapped, double direct)
{

	printf("%-26s %8.2f ns  direct %8.2f ns  difference %+7.2f ns\n",
	    what, wrapped, direct, wrapped - direct);
}

/*
 * The same hypercalls with a hook armed that passes every call, against
 * the direct calls' pm and mal; nothing to arm in a build without fault
 * points.  Not inlined: "valgrind --tool=callgrind --dump-before=armed"
 * separates the calls with nothing armed from these (faultcost.sh in
 * bench/common).
 */
#ifdef RUMPUS_NOFAULTS
static void __attribute__((__noinline__))
armed(long n, double pm, double mal)
{

	printf("with a hook armed: none (built without fault points)\n");
}
#else
static void
pass_hook(const struct rumpuser_fault_call *c,
    struct rumpuser_fault_decision *d, void *arg)
{
}

static void __attribute__((__noinline__))
armed(long n, double pm, double mal)
{
	double rm, rmal;

	rumpuser_fault_sethook(pass_hook, NULL);
	rm = measure(loop_rumpuser_mutex, n);
	rmal = measure(loop_rumpuser_malloc, n);
	rumpuser_fault_sethook(NULL, NULL);
	printf("with a hook armed that passes every call:\n");
	report("mutex_enter+exit", rm, pm);
	report("malloc+free (64 B)", rmal, mal);
}
#endif

int
main(int argc, char **argv)
{
	pthread_mutexattr_t att;
	double rm, pm, em, rmal, mal;
	long n;

	n = argc > 1 ? atol(argv[1]) : 5000000;
	if (n <= 0) {
		fprintf(stderr, "usage: hypercall [iterations > 0]\n");
		return 2;
	}
	if (rumpuser_init(RUMPUSER_VERSION, &bench_hyp) != 0)
		return 1;
	rumpuser_mutex_init(&bench_rmtx, RUMPUSER_MTX_KMUTEX);
	pthread_mutexattr_init(&att);
	pthread_mutexattr_settype(&att, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&bench_emtx, &att);

	rm = measure(loop_rumpuser_mutex, n);
	pm = measure(loop_pthread_mutex, n);
	em = measure(loop_pthread_errcheck, n);
	rmal = measure(loop_rumpuser_malloc, n);
	mal = measure(loop_malloc, n);

	printf("per call pair, best of %d rounds of %ld, nothing armed:\n",
	    ROUNDS, n);
	report("mutex_enter+exit", rm, pm);
	report("  vs ERRORCHECK pthread", rm, em);
	report("malloc+free (64 B)", rmal, mal);
	fflush(stdout);
	armed(n, pm, mal);
	return 0;
}
