/*
 * bench/instance: the cost of the instance the runner will use.
 *
 *	instance [rounds [sets]]
 *
 * Times, per round, a fork whose child boots the kernel, mounts a tmpfs,
 * creates a file, writes 4 KiB, reads them back, closes, unmounts, tears
 * the kernel down and exits, waited for by the parent; and a bare fork +
 * _exit + wait.  The parent is a zygote: it ran one instance in-process
 * first, so the host library is initialised and no kernel is up when it
 * forks.  The two kinds alternate so that machine noise hits both.  Prints
 * both medians in microseconds and their ratio (target: 1.5 or less),
 * then the median of the same instance run inside one process, and of a
 * bare boot + teardown there, to show where the time goes.  With sets,
 * the forks are measured that many times over (rounds each) and the
 * minimum, median and maximum of the ratio follow.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpus_ext.h>

#include "bench.h"

/* One instance's job; returns 0 or the step that failed (1..). */
static int
instance(void)
{
	/* Page-aligned: one page each, whatever the program's layout. */
	static char wbuf[4096] __attribute__((__aligned__(4096)));
	static char rbuf[4096] __attribute__((__aligned__(4096)));
	struct rump_tmpfs_args args;
	int fd;

	memset(wbuf, 'i', sizeof(wbuf));
	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_root_mode = 0777;
	if (rump_init() != 0)
		return 1;
	if (rump_sys_mkdir("/mnt", 0777) == -1 ||
	    rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args,
	    sizeof(args)) == -1)
		return 2;
	if ((fd = rump_sys_open("/mnt/file", RUMP_O_RDWR | RUMP_O_CREAT,
	    0644)) == -1)
		return 3;
	if (rump_sys_write(fd, wbuf, sizeof(wbuf)) != sizeof(wbuf) ||
	    rump_sys_pread(fd, rbuf, sizeof(rbuf), 0) != sizeof(rbuf) ||
	    memcmp(wbuf, rbuf, sizeof(rbuf)) != 0)
		return 4;
	if (rump_sys_close(fd) == -1 || rump_sys_unmount("/mnt", 0) == -1)
		return 5;
	if (rumpus_teardown(NULL) != 0)
		return 6;
	return 0;
}

/* A child's job: an instance (kind 1) or nothing (0). */
static int
child(int kind)
{

	return kind ? instance() : 0;
}

int
main(int argc, char **argv)
{
	int64_t *inst, *bare, t0;
	double mi, mb, *ratio;
	int i, n, set, sets, step;

	n = bench_rounds(argc, argv, 500);
	sets = bench_sets(argc, argv);
	inst = bench_samples(n);
	bare = bench_samples(n);
	if ((ratio = calloc((size_t)sets, sizeof(*ratio))) == NULL)
		err(1, "calloc");
	if ((step = instance()) != 0)
		errx(1, "the zygote's own instance failed at step %d", step);
	for (set = 0; set < sets; set++) {
		for (i = 0; i < n; i++) {
			inst[i] = bench_fork(child, 1);
			bare[i] = bench_fork(child, 0);
		}
		mi = bench_median_us(inst, n);
		mb = bench_median_us(bare, n);
		ratio[set] = mi / mb;
		printf("instance: %d rounds, median per instance (fork + "
		    "rump_init + mount tmpfs + 4 KiB write/read + unmount + "
		    "rumpus_teardown + exit + wait): %.1f us\n", n, mi);
		printf("instance: median bare fork + exit + wait: %.1f us\n",
		    mb);
		printf("instance: ratio %.2f (target <= 1.5)\n", ratio[set]);
	}
	if (sets > 1)
		bench_ratios("instance", ratio, sets);
	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if ((step = instance()) != 0)
			errx(1, "in-process instance %d failed at step %d", i,
			    step);
		inst[i] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
			errx(1, "in-process boot %d failed", i);
		bare[i] = bench_now_ns() - t0;
	}
	printf("instance: in one process, median instance %.1f us, "
	    "boot + teardown alone %.1f us\n", bench_median_us(inst, n),
	    bench_median_us(bare, n));
	free(inst);
	free(bare);
	free(ratio);
	return 0;
}
