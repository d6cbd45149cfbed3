/*
 * bench/boot: the cost of one disposable kernel instance.
 *
 *	boot [rounds]
 *
 * Times, per round, a fork whose child boots the kernel (rump_init), tears
 * it down (rumpus_teardown) and exits, waited for by the parent; the same
 * without the teardown (boot alone); and a bare fork + _exit + wait of the
 * same parent.  The parent is a zygote as the
 * runner's is: it booted and tore down one kernel first, so the host
 * library is initialised and no kernel is up when it forks.  The two kinds alternate so that
 * machine noise hits all.  Prints the medians in microseconds and their
 * ratios to the bare fork (the target, for boot alone, is 1.2 or less), then the median of a boot + teardown
 * inside one process.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rumpus_ext.h>

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_us(int64_t *v, int n)
{

	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) / 1000.0;
}

#define CHILD_BARE	0	/* fork + exit */
#define CHILD_BOOT	1	/* fork + rump_init + exit */
#define CHILD_INSTANCE	2	/* fork + rump_init + rumpus_teardown + exit */

/* One child of the given kind; ns until it is reaped. */
static int64_t
one_fork(int kind)
{
	int64_t t0;
	int status;
	pid_t pid;

	t0 = now_ns();
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if (kind != CHILD_BARE && rump_init() != 0)
			_exit(2);
		if (kind == CHILD_INSTANCE && rumpus_teardown(NULL) != 0)
			_exit(3);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		errx(1, "child failed: status 0x%x", status);
	return now_ns() - t0;
}

int
main(int argc, char **argv)
{
	int64_t *inst, *boot, *bare, *inproc, t0;
	double mi, mbo, mb;
	char *end;
	int i, n = 500;

	if (argc > 1) {
		n = (int)strtol(argv[1], &end, 10);
		if (*end != '\0' || n < 1 || n > 1000000)
			errx(1, "rounds: \"%s\" is not a number from 1 to "
			    "1000000", argv[1]);
	}
	if ((inst = calloc((size_t)n, sizeof(*inst))) == NULL ||
	    (boot = calloc((size_t)n, sizeof(*boot))) == NULL ||
	    (bare = calloc((size_t)n, sizeof(*bare))) == NULL ||
	    (inproc = calloc((size_t)n, sizeof(*inproc))) == NULL)
		err(1, "calloc");

	if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
		errx(1, "the zygote's own boot failed");
	for (i = 0; i < n; i++) {
		inst[i] = one_fork(CHILD_INSTANCE);
		boot[i] = one_fork(CHILD_BOOT);
		bare[i] = one_fork(CHILD_BARE);
	}
	mi = median_us(inst, n);
	mbo = median_us(boot, n);
	mb = median_us(bare, n);
	printf("boot: %d rounds, medians:\n", n);
	printf("boot: bare fork + exit + wait: %.1f us\n", mb);
	printf("boot: fork + rump_init + exit + wait: %.1f us, ratio %.2f "
	    "(target <= 1.2)\n", mbo, mbo / mb);
	printf("boot: fork + rump_init + rumpus_teardown + exit + wait: "
	    "%.1f us, ratio %.2f\n", mi, mi / mb);

	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
			errx(1, "in-process boot %d failed", i);
		inproc[i] = now_ns() - t0;
	}
	printf("boot: median rump_init + rumpus_teardown in one process: "
	    "%.1f us\n", median_us(inproc, n));
	return 0;
}
