/*
 * What bench/boot and bench/instance share: the clock, medians, the
 * rounds and sets arguments, the spread of ratios over sets, and timing
 * one forked child of a zygote.
 * Header-only (static functions): each benchmark is one program.
 */
#ifndef _BENCH_COMMON_H_
#define _BENCH_COMMON_H_

#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
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

/* Argument argv[i], named what, a number from 1 to max; def without it. */
static inline int
bench_arg(int argc, char **argv, int i, const char *what, int def, long max)
{
	char *end;
	long n;

	if (argc <= i)
		return def;
	n = strtol(argv[i], &end, 10);
	if (*end != '\0' || n < 1 || n > max)
		errx(1, "%s: \"%s\" is not a number from 1 to %ld", what,
		    argv[i], max);
	return (int)n;
}

/* The rounds argument (argv[1], 1 to 1000000), or def without one. */
static inline int
bench_rounds(int argc, char **argv, int def)
{

	return bench_arg(argc, argv, 1, "rounds", def, 1000000);
}

/*
 * The sets argument (argv[2], 1 to 1000), or 1 without one: how many
 * times the whole measurement is repeated, so that a shared machine's
 * noise shows as the spread of the ratios (bench_ratios).
 */
static inline int
bench_sets(int argc, char **argv)
{

	return bench_arg(argc, argv, 2, "sets", 1, 1000);
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the minimum, median and maximum of the ratios r[0..n) (sorted). */
static inline void
bench_ratios(const char *what, double *r, int n)
{

	qsort(r, (size_t)n, sizeof(*r), bench_cmp_double);
	printf("%s: ratio over %d sets: min %.2f, median %.2f, max %.2f\n",
	    what, n, r[0], n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2,
	    r[n - 1]);
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
