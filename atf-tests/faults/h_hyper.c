/*
 * h_hyper: a small rump "kernel" program for t_faults.  It boots the
 * recording test kernel (../rumpuser/h_testkern.c) on librumpuser, makes
 * one kind of hypercall a number of times, and prints one line with the
 * outcome of each call, so the test can see faults arrive exactly where
 * the spec in RUMPUS_FAULTS puts them.  Built twice: linked with
 * librumpuser.so.0 (also run under the LD_PRELOAD interposer) and with
 * librumpuser.a.
 *
 *	h_hyper engine			which engine is installed
 *	h_hyper malloc N		N allocations: "0 ENOMEM 0 ..."
 *	h_hyper bio read|write FILE N	N 4 KiB block transfers at block i,
 *	h_hyper iov read|write FILE N	each waited for: "moved:ERR ..."; a
 *					write fills block i with 0xa0 + i; a
 *					read adds "/flips@bit" against the file
 *	h_hyper sync FILE N		N syncfd calls
 *	h_hyper random N		N getrandom calls of 64 bytes
 *	h_hyper yield N			N mutex_enter calls: "yields K"
 *	h_hyper pause N			at most N mutex_enter calls, until a
 *					thread made first has run: "ran after
 *					K in Tns" (T: the monotonic clock's
 *					advance)
 *	h_hyper each N			N rounds of open, thread_create,
 *					clock_sleep, cv_timedwait and
 *					rw_enter: "open:E,E ... rw.enter:
 *					yields K" (the errors of each round)
 *
 * With H_HYPER_OVERLAY=FD in the environment, bio and iov work on FILE
 * attached as an image (rumpus_overlay.h) whose overlay is descriptor
 * FD: FILE is the pristine image, never written; reads are checked
 * against it.
 *
 * Exit status: 0, or 2 when rumpuser_init fails ("init: EINVAL").
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumperrno.h>
#include <rump/rumpuser.h>

#include "fault_engine.h"
#include "h_testkern.h"
#include "rumpus_overlay.h"

#define BLK	4096

static unsigned long nyields;

/* Count the host yields librumpuser or the interposer make. */
int
sched_yield(void)
{
	static int (*real)(void);

	__atomic_add_fetch(&nyields, 1, __ATOMIC_RELAXED);
	if (real == NULL)
		real = (int (*)(void))dlsym(RTLD_NEXT, "sched_yield");
	return real();
}

static const char *
ename(int error)
{
	const char *n;

	if (error == 0)
		return "0";
	return (n = rump_errno_name(error)) != NULL ? n : "E?";
}

/* One block transfer's completion, handed from biodone to the caller. */
static pthread_mutex_t bio_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_cv = PTHREAD_COND_INITIALIZER;
static int bio_isdone;
static size_t bio_moved;
static int bio_error;

static void
bio_done(void *arg, size_t moved, int error)
{

	pthread_mutex_lock(&bio_lock);
	bio_moved = moved;
	bio_error = error;
	bio_isdone = 1;
	pthread_cond_broadcast(&bio_cv);
	pthread_mutex_unlock(&bio_lock);
}

/* Print "/flips@firstbit" of what was read at block i against the file. */
static void
print_flips(const char *file, const unsigned char *got, size_t len, int i)
{
	unsigned char want[BLK];
	size_t j, flips = 0, first = 0;
	int fd, b;

	if ((fd = open(file, O_RDONLY)) == -1 ||
	    pread(fd, want, len, (off_t)i * BLK) != (ssize_t)len) {
		printf("/unreadable");
		return;
	}
	close(fd);
	for (j = 0; j < len; j++)
		for (b = 0; b < 8; b++)
			if (((got[j] ^ want[j]) >> b) & 1)
				if (flips++ == 0)
					first = j * 8 + (size_t)b;
	printf("/%zu@%zu", flips, first);
}

/*
 * Attach file as an image over the overlay H_HYPER_OVERLAY names: the
 * host name to open, or NULL after saying why.
 */
static const char *
attach(const char *file)
{
	static const char name[] = "/dev/null/h_hyper-image";
	struct stat sb;
	void *map;
	int fd, error;

	if ((fd = open(file, O_RDONLY)) == -1 || fstat(fd, &sb) == -1 ||
	    (map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		printf("attach: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	close(fd);
	if ((error = rumpus_overlay_attach(atoi(getenv("H_HYPER_OVERLAY")),
	    name, file, map, (uint64_t)sb.st_size)) != 0) {
		printf("attach: %s\n", strerror(error));
		return NULL;
	}
	return name;
}

/* bio or iov transfers of block 0 .. n-1 of file. */
static void
transfers(int bio, int write, const char *file, int n)
{
	unsigned char buf[BLK];
	struct rumpuser_iovec iov = { buf, sizeof(buf) };
	const char *name = file;
	size_t moved;
	int fd, i, error;

	if (getenv("H_HYPER_OVERLAY") != NULL && (name = attach(file)) ==
	    NULL)
		return;
	if ((error = rumpuser_open(name, RUMPUSER_OPEN_RDWR |
	    (bio ? RUMPUSER_OPEN_BIO : 0), &fd)) != 0) {
		printf("open:%s\n", ename(error));
		return;
	}
	for (i = 0; i < n; i++) {
		memset(buf, write ? 0xa0 + i : 0, sizeof(buf));
		if (bio) {
			bio_isdone = 0;
			rumpuser_bio(fd, write ? RUMPUSER_BIO_WRITE :
			    RUMPUSER_BIO_READ, buf, sizeof(buf),
			    (int64_t)i * BLK, bio_done, NULL);
			/* biodone may come from an I/O thread. */
			tk_setcpu(0);
			pthread_mutex_lock(&bio_lock);
			while (!bio_isdone)
				pthread_cond_wait(&bio_cv, &bio_lock);
			pthread_mutex_unlock(&bio_lock);
			tk_setcpu(1);
			moved = bio_moved;
			error = bio_error;
		} else if (write)
			error = rumpuser_iovwrite(fd, &iov, 1, (int64_t)i * BLK,
			    &moved);
		else
			error = rumpuser_iovread(fd, &iov, 1, (int64_t)i * BLK,
			    &moved);
		printf("%s%zu:%s", i > 0 ? " " : "", moved, ename(error));
		if (!write && error == 0)
			print_flips(file, buf, moved, i);
		fflush(stdout);
	}
	printf("\n");
	rumpuser_close(fd);
}

/* A thread that does nothing (thread_create). */
static void *
nothing(void *arg)
{

	return arg;
}

/*
 * n rounds of the hypercall points h_hyper has no command of its own for,
 * each printed with the error of every round; then the host yields of
 * n rw_enter calls.
 */
static void
each(int n)
{
	struct rumpuser_mtx *mtx;
	struct rumpuser_cv *cv;
	struct rumpuser_rw *rw;
	void *cookie;
	int i, k, fd, error;

	for (k = 0; k < 4; k++) {
		printf("%s%s:", k > 0 ? " " : "", k == 0 ? "open" : k == 1 ?
		    "thread_create" : k == 2 ? "clock_sleep" : "cv_timedwait");
		for (i = 0; i < n; i++) {
			switch (k) {
			case 0:
				error = rumpuser_open("/dev/null",
				    RUMPUSER_OPEN_RDONLY, &fd);
				if (error == 0)
					rumpuser_close(fd);
				break;
			case 1:
				error = rumpuser_thread_create(nothing, NULL,
				    "each", 1, -1, -1, &cookie);
				if (error == 0)
					rumpuser_thread_join(cookie);
				break;
			case 2:
				error = rumpuser_clock_sleep(
				    RUMPUSER_CLOCK_RELWALL, 0, 1000);
				break;
			default:
				rumpuser_mutex_init(&mtx, 0);
				rumpuser_cv_init(&cv);
				rumpuser_mutex_enter(mtx);
				error = rumpuser_cv_timedwait(cv, mtx, 0,
				    1000000);
				rumpuser_mutex_exit(mtx);
				rumpuser_cv_destroy(cv);
				rumpuser_mutex_destroy(mtx);
			}
			printf("%s%s", i > 0 ? "," : "", ename(error));
		}
	}
	rumpuser_rw_init(&rw);
	nyields = 0;
	for (i = 0; i < n; i++) {
		rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw);
		rumpuser_rw_exit(rw);
	}
	rumpuser_rw_destroy(rw);
	printf(" rw.enter:yields %lu\n", nyields);
}

static int pause_ran;

/* The thread pause_calls waits for. */
static void *
pause_thread(void *arg)
{

	__atomic_store_n(&pause_ran, 1, __ATOMIC_RELAXED);
	return arg;
}

/* ABSMONO in ns. */
static int64_t
mono_ns(void)
{
	int64_t sec;
	long nsec;

	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec);
	return sec * 1000000000 + nsec;
}

/*
 * Make a thread, then make up to n mutex_enter calls until it has run
 * (in serial mode it runs only when this thread gives up the turn).
 */
static void
pause_calls(int n)
{
	struct rumpuser_mtx *mtx;
	void *cookie;
	int64_t t0;
	int i, error;

	rumpuser_mutex_init(&mtx, 0);
	t0 = mono_ns();
	if ((error = rumpuser_thread_create(pause_thread, NULL, "pause", 1,
	    -1, -1, &cookie)) != 0) {
		printf("thread_create: %s\n", ename(error));
		return;
	}
	for (i = 0; i < n && !__atomic_load_n(&pause_ran, __ATOMIC_RELAXED);
	    i++) {
		rumpuser_mutex_enter(mtx);
		rumpuser_mutex_exit(mtx);
	}
	printf("ran after %d in %jdns\n", i, (intmax_t)(mono_ns() - t0));
	rumpuser_thread_join(cookie);
	rumpuser_mutex_destroy(mtx);
}

int
main(int argc, char **argv)
{
	struct rumpuser_mtx *mtx;
	unsigned char rnd[64];
	size_t got;
	void *p;
	int error, i, n, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: h_hyper command [args]\n");
		return 1;
	}
	if ((error = tk_boot()) != 0) {
		printf("init: %s\n", ename(error));
		return 2;
	}
	n = argc > 2 ? atoi(argv[argc - 1]) : 0;
	if (strcmp(argv[1], "engine") == 0)
		printf("engine: %s\n", rumpus_faults_engine() != NULL ?
		    "librumpuser" : "none");
	else if (strcmp(argv[1], "malloc") == 0) {
		for (i = 0; i < n; i++) {
			error = rumpuser_malloc(64, 0, &p);
			printf("%s%s", i > 0 ? " " : "", ename(error));
			if (error == 0)
				rumpuser_free(p, 64);
		}
		printf("\n");
	} else if ((strcmp(argv[1], "bio") == 0 ||
	    strcmp(argv[1], "iov") == 0) && argc == 5)
		transfers(argv[1][0] == 'b', strcmp(argv[2], "write") == 0,
		    argv[3], n);
	else if (strcmp(argv[1], "sync") == 0 && argc == 4) {
		if ((error = rumpuser_open(argv[2], RUMPUSER_OPEN_RDWR,
		    &fd)) != 0) {
			printf("open:%s\n", ename(error));
			return 0;
		}
		for (i = 0; i < n; i++)
			printf("%s%s", i > 0 ? " " : "", ename(rumpuser_syncfd(
			    fd, RUMPUSER_SYNCFD_WRITE, 0, 0)));
		printf("\n");
	} else if (strcmp(argv[1], "random") == 0) {
		for (i = 0; i < n; i++) {
			error = rumpuser_getrandom(rnd, sizeof(rnd),
			    RUMPUSER_RANDOM_NOWAIT, &got);
			printf("%s%zu:%s", i > 0 ? " " : "", got, ename(error));
		}
		printf("\n");
	} else if (strcmp(argv[1], "yield") == 0) {
		rumpuser_mutex_init(&mtx, 0);
		nyields = 0;
		for (i = 0; i < n; i++) {
			rumpuser_mutex_enter(mtx);
			rumpuser_mutex_exit(mtx);
		}
		printf("yields %lu\n", nyields);
		rumpuser_mutex_destroy(mtx);
	} else if (strcmp(argv[1], "pause") == 0)
		pause_calls(n);
	else if (strcmp(argv[1], "each") == 0)
		each(n);
	else {
		fprintf(stderr, "h_hyper: bad command\n");
		return 1;
	}
	fflush(stdout);
	return 0;
}
