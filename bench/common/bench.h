/*
 * What bench/boot and bench/instance share: the clock, medians, the
 * rounds argument, and timing one forked child of a zygote.
 * Header-only (static functions): each benchmark is one program.
 */
#ifndef _BENCH_COMMON_H_
#define _BENCH_COMMON_H_

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline int64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int
bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorted in place), in microseconds. */
static inline double
bench_median_us(int64_t *v, int n)
{

	qsort(v, (size_t)n, sizeof(*v), bench_cmp_i64);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) / 1000.0;
}

/* The rounds argument (argv[1], 1 to 1000000), or def without one. */
static inline int
bench_rounds(int argc, char **argv, int def)
{
	char *end;
	long n;

	if (argc < 2)
		return def;
	n = strtol(argv[1], &end, 10);
	if (*end != '\0' || n < 1 || n > 1000000)
		errx(1, "rounds: \"%s\" is not a number from 1 to 1000000",
		    argv[1]);
	return (int)n;
}

/* n samples, or exit naming what they were for. */
static inline int64_t *
bench_samples(int n)
{
	int64_t *v;

	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		err(1, "calloc");
	return v;
}

/*
 * Fork a child that exits with job(kind); the nanoseconds until the
 * parent has reaped it.  A child that does not exit 0 ends the program,
 * its exit code named as the step of job that failed.
 */
static inline int64_t
bench_fork(int (*job)(int), int kind)
{
	int64_t t0;
	int status;
	pid_t pid;

	t0 = bench_now_ns();
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0)
		_exit(job(kind));
	if (waitpid(pid, &status, 0) != pid)
		err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		errx(1, "child of kind %d failed: status 0x%x (exit code = "
		    "the step that failed)", kind, status);
	return bench_now_ns() - t0;
}

#endif /* _BENCH_COMMON_H_ */
