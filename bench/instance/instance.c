/*
 * bench/instance: the cost of the instance the runner will use.
 *
 *	instance [rounds]
 *
 * Times, per round, a fork whose child boots the kernel, mounts a tmpfs,
 * creates a file, writes 4 KiB, reads them back, closes, unmounts, tears
 * the kernel down and exits, waited for by the parent; and a bare fork +
 * _exit + wait.  The parent is a zygote: it ran one instance in-process
 * first, so the host library is initialised and no kernel is up when it
 * forks.  The two kinds alternate so that machine noise hits both.  Prints
 * both medians in microseconds and their ratio (target: 1.5 or less),
 * then the median of the same instance run inside one process, and of a
 * bare boot + teardown there, to show where the time goes.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
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

/* One instance's job; returns 0 or the step that failed (1..). */
static int
instance(void)
{
	static char wbuf[4096], rbuf[4096];
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

/* One child: an instance if job, else nothing; ns to reap it. */
static int64_t
one_fork(int job)
{
	int64_t t0;
	int status;
	pid_t pid;

	t0 = now_ns();
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		_exit(job ? instance() : 0);
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		errx(1, "instance failed: status 0x%x (exit code = step)",
		    status);
	return now_ns() - t0;
}

int
main(int argc, char **argv)
{
	int64_t *inst, *bare, t0;
	double mi, mb;
	char *end;
	int i, n = 500, step;

	if (argc > 1) {
		n = (int)strtol(argv[1], &end, 10);
		if (*end != '\0' || n < 1 || n > 1000000)
			errx(1, "rounds: \"%s\" is not a number from 1 to "
			    "1000000", argv[1]);
	}
	if ((inst = calloc((size_t)n, sizeof(*inst))) == NULL ||
	    (bare = calloc((size_t)n, sizeof(*bare))) == NULL)
		err(1, "calloc");
	if ((step = instance()) != 0)
		errx(1, "the zygote's own instance failed at step %d", step);
	for (i = 0; i < n; i++) {
		inst[i] = one_fork(1);
		bare[i] = one_fork(0);
	}
	mi = median_us(inst, n);
	mb = median_us(bare, n);
	printf("instance: %d rounds, median per instance (fork + rump_init + "
	    "mount tmpfs + 4 KiB write/read + unmount + rumpus_teardown + "
	    "exit + wait): %.1f us\n", n, mi);
	printf("instance: median bare fork + exit + wait: %.1f us\n", mb);
	printf("instance: ratio %.2f (target <= 1.5)\n", mi / mb);
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if ((step = instance()) != 0)
			errx(1, "in-process instance %d failed at step %d", i,
			    step);
		inst[i] = now_ns() - t0;
		t0 = now_ns();
		if (rump_init() != 0 || rumpus_teardown(NULL) != 0)
			errx(1, "in-process boot %d failed", i);
		bare[i] = now_ns() - t0;
	}
	printf("instance: in one process, median instance %.1f us, "
	    "boot + teardown alone %.1f us\n", median_us(inst, n),
	    median_us(bare, n));
	free(inst);
	free(bare);
	return 0;
}
