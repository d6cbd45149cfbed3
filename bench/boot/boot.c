/*
 * bench/boot: the cost of one disposable kernel instance.
 *
 *	boot [rounds [sets]]
 *
 * Times, per round, a fork whose child boots the kernel (rump_init), tears
 * it down (rumpus_teardown) and exits, waited for by the parent; the same
 * without the teardown (boot alone); and a bare fork + _exit + wait of the
 * same parent.  The parent is a zygote as the
 * runner's is: it booted and tore down one kernel first, so the host
 * library is initialised and no kernel is up when it forks.  The two kinds alternate so that
 * machine noise hits all.  Prints the medians in microseconds and their
 * ratios to the bare fork (the target, for boot alone, is 1.2 or less),
 * then the median of a boot + teardown inside one process.  With sets,
 * the forks are measured that many times over (rounds each) and the
 * minimum, median and maximum of each ratio follow.
 */
#include <stdint.h>
#include <stdio.h>

#include <rump/rump.h>
#include <rump/rumpus_ext.h>

#include "bench.h"

#define CHILD_BARE	0	/* fork + exit */
#define CHILD_BOOT	1	/* fork + rump_init + exit */
#define CHILD_INSTANCE	2	/* fork + rump_init + rumpus_teardown + exit */

/* A child's job by kind; 0, or the step that failed. */
static int
child(int kind)
{

	if (kind != CHILD_BARE && rump_init() != 0)
		return 2;
	if (kind == CHILD_INSTANCE && rumpus_teardown(NULL) != 0)
		return 3;
	return 0;
}

int
main(int argc, char **argv)
{
	int64_t *inst, *boot, *bare, *inproc, t0;
	double mi, mbo, mb, *rboot, *rinst;
	int i, n, set, sets;

	n = bench_rounds(argc, argv, 500);
	sets = bench_sets(argc, argv);
	inst = bench_samples(n);
	boot = bench_samples(n);
	bare = bench_samples(n);
	inproc = bench_samples(n);
	if ((rboot = calloc((size_t)sets, sizeof(*rboot))) == NULL ||
	    (rinst = calloc((size_t)sets, sizeof(*rinst))) == NULL)
		err(1, "calloc");

	if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
		errx(1, "the zygote's own boot failed");
	for (set = 0; set < sets; set++) {
		for (i = 0; i < n; i++) {
			inst[i] = bench_fork(child, CHILD_INSTANCE);
			boot[i] = bench_fork(child, CHILD_BOOT);
			bare[i] = bench_fork(child, CHILD_BARE);
		}
		mi = bench_median_us(inst, n);
		mbo = bench_median_us(boot, n);
		mb = bench_median_us(bare, n);
		rboot[set] = mbo / mb;
		rinst[set] = mi / mb;
		printf("boot: %d rounds, medians:\n", n);
		printf("boot: bare fork + exit + wait: %.1f us\n", mb);
		printf("boot: fork + rump_init + exit + wait: %.1f us, "
		    "ratio %.2f (target <= 1.2)\n", mbo, rboot[set]);
		printf("boot: fork + rump_init + rumpus_teardown + exit + "
		    "wait: %.1f us, ratio %.2f\n", mi, rinst[set]);
	}
	if (sets > 1) {
		bench_ratios("boot: boot alone", rboot, sets);
		bench_ratios("boot: boot + teardown", rinst, sets);
	}

	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
			errx(1, "in-process boot %d failed", i);
		inproc[i] = bench_now_ns() - t0;
	}
	printf("boot: median rump_init + rumpus_teardown in one process: "
	    "%.1f us\n", bench_median_us(inproc, n));
	return 0;
}
