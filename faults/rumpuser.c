/*
 * librumpuser: initialization and mode, host parameters, errno, signals,
 * termination, console, entropy, clocks, memory, dynamic loading and
 * daemonizing.  Locks and threads are in rumpuser_pth.c, files in
 * rumpuser_file.c, block I/O in rumpuser_bio.c.
 *
 * Modes (RUMPUS_MODE): "threads" (the default) is the plain pthread
 * backend; "serial" reports one CPU, completes block I/O in the caller,
 * draws getrandom() from a PRNG seeded by RUMPUS_SEED and runs both clocks
 * from fixed epochs, so that a program makes the same hypercalls each run.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumperrno.h>

#include "fault_engine.h"
#include "rumpuser_int.h"

struct rumpuser_hyperup rumpuser__hyp;
int rumpuser__serial;

/* Serial mode's wall clock: the schedule's virtual time from this epoch. */
#define SERIAL_WALL_EPOCH	946684800	/* 2000-01-01 00:00:00 UTC */

/* Serial mode PRNG (xoshiro256**), seeded by RUMPUS_SEED. */
static uint64_t prng_state[4];
static pthread_mutex_t prng_lock = PTHREAD_MUTEX_INITIALIZER;

/* The console: one line at a time to fd 1. */
static char console_buf[1024];
static size_t console_len;
static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;

/* Daemonizing: the parent's end of the socket pair, in the child. */
static int daemon_fd = -1;

/* A host call that cannot fail without a bug: abort, naming it. */
void
rumpuser__nofail(int rv, const char *what)
{

	if (rv == 0)
		return;
	fprintf(stderr, "librumpuser: %s failed: %s\n", what, strerror(rv));
	abort();
}

/* splitmix64: spreads the seed over the PRNG state. */
static uint64_t
prng_splitmix(uint64_t *x)
{
	uint64_t z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
prng_rotl(uint64_t x, int k)
{

	return (x << k) | (x >> (64 - k));
}

/* Seed the state s[4] of a generator: splitmix64 spreads seed over it. */
void
rumpuser__prng_seed(uint64_t *s, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		s[i] = prng_splitmix(&seed);
}

/* Next 64 bits of xoshiro256** from state s[4]. */
uint64_t
rumpuser__prng_next(uint64_t *s)
{
	uint64_t result, t;

	result = prng_rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = prng_rotl(s[3], 45);
	return result;
}

/* Fill buf from the seeded generator, under prng_lock. */
static void
prng_fill(void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;
	size_t n;

	pthread_mutex_lock(&prng_lock);
	while (len > 0) {
		v = rumpuser__prng_next(prng_state);
		n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&prng_lock);
}

/*
 * Read RUMPUS_MODE and RUMPUS_SEED (*seedp).  Returns 0, or EINVAL after
 * saying on stderr which variable holds what.
 */
static int
rumpuser_mode_init(uint64_t *seedp)
{
	const char *mode, *seedstr;
	uint64_t seed;

	mode = getenv("RUMPUS_MODE");
	if (mode == NULL || strcmp(mode, "threads") == 0)
		rumpuser__serial = 0;
	else if (strcmp(mode, "serial") == 0)
		rumpuser__serial = 1;
	else {
		fprintf(stderr, "librumpuser: RUMPUS_MODE=\"%s\": "
		    "use \"threads\" or \"serial\"\n", mode);
		return RUMP_EINVAL;
	}

	seed = 0;
	seedstr = getenv("RUMPUS_SEED");
	if (seedstr != NULL && fe_seed_parse(seedstr, &seed) != 0) {
		fprintf(stderr, "librumpuser: RUMPUS_SEED=\"%s\": "
		    "not a decimal number below 2^64\n", seedstr);
		return RUMP_EINVAL;
	}
	*seedp = seed;
	rumpuser__prng_seed(prng_state, seed);
	return 0;
}

/*
 * Check the interface version, save the upcalls, read the mode and the
 * fault environment.  Creates no host thread: the block I/O threads start
 * with the first bio.
 */
int
rumpuser_init(int version, const struct rumpuser_hyperup *hyp)
{
	uint64_t seed;
	int error;

	if (version != RUMPUSER_VERSION) {
		fprintf(stderr, "librumpuser: kernel asks for rumpuser "
		    "version %d, this library implements %d\n",
		    version, RUMPUSER_VERSION);
		return RUMP_EINVAL;
	}
	if (hyp == NULL || hyp->hyp_schedule == NULL ||
	    hyp->hyp_unschedule == NULL ||
	    hyp->hyp_backend_unschedule == NULL ||
	    hyp->hyp_backend_schedule == NULL) {
		fprintf(stderr, "librumpuser: rumpuser_init: the upcall "
		    "table lacks one of the four scheduling upcalls\n");
		return RUMP_EINVAL;
	}
	if ((error = rumpuser_mode_init(&seed)) != 0 ||
	    (error = rumpuser__faults_init(seed)) != 0)
		return error;
	rumpuser__hyp = *hyp;
	if (rumpuser__serial)
		rumpuser__sched_init(seed);
	return 0;
}

/*
 * The host's CPUs online, counted and formatted once when the library
 * is loaded: sysconf reads /sys (tens of microseconds in a fresh
 * process), and a forked instance inherits the answer from its zygote.
 */
static char host_ncpu_online[24] = "1";

__attribute__((__constructor__))
static void
host_ncpu_probe(void)
{
	long n;

	if ((n = sysconf(_SC_NPROCESSORS_ONLN)) > 0)
		snprintf(host_ncpu_online, sizeof(host_ncpu_online), "%ld", n);
}

/* Copy a parameter's value; E2BIG when it does not fit with its NUL. */
static int
getparam_copy(void *buf, size_t buflen, const char *value)
{
	size_t len;

	len = strlen(value) + 1;
	if (buf == NULL || len > buflen)
		return RUMP_E2BIG;
	memcpy(buf, value, len);
	return 0;
}

/*
 * A host parameter.  _RUMPUSER_NCPU: 1 in serial mode, else RUMP_NCPU
 * from the environment or the host's CPUs online (at library load).  _RUMPUSER_HOSTNAME:
 * RUMP_HOSTNAME or the host's name ("rumpus" in serial mode).  Any other
 * name is an environment variable: ENOENT when unset.
 */
int
rumpuser_getparam(const char *name, void *buf, size_t buflen)
{
	char tmp[HOST_NAME_MAX + 1];
	const char *value;

	if (name == NULL)
		return RUMP_EINVAL;
	if (strcmp(name, RUMPUSER_PARAM_NCPU) == 0) {
		if (rumpuser__serial)
			return getparam_copy(buf, buflen, "1");
		if ((value = getenv("RUMP_NCPU")) != NULL)
			return getparam_copy(buf, buflen, value);
		return getparam_copy(buf, buflen, host_ncpu_online);
	}
	if (strcmp(name, RUMPUSER_PARAM_HOSTNAME) == 0) {
		if ((value = getenv("RUMP_HOSTNAME")) != NULL)
			return getparam_copy(buf, buflen, value);
		if (rumpuser__serial)
			return getparam_copy(buf, buflen, "rumpus");
		if (gethostname(tmp, sizeof(tmp)) == -1)
			return rumpuser__errtrans(errno);
		tmp[sizeof(tmp) - 1] = '\0';
		return getparam_copy(buf, buflen, tmp);
	}
	if ((value = getenv(name)) == NULL)
		return RUMP_ENOENT;
	return getparam_copy(buf, buflen, value);
}

/*
 * The errno of a rump syscall, for the calling thread: stored in the
 * host's errno variable, as a NetBSD number (rump_sys_*() callers compare
 * it with RUMP_E*, not with the host's E*).
 */
void
rumpuser_seterrno(int error)
{

	errno = error;
}

/* NetBSD signal numbers that differ from Linux's, and their host ones. */
static int
sig_rump2host(int sig)
{

	switch (sig) {
	case 10: return SIGBUS;
	case 12: return SIGSYS;
	case 16: return SIGURG;
	case 17: return SIGSTOP;
	case 18: return SIGTSTP;
	case 19: return SIGCONT;
	case 20: return SIGCHLD;
	case 23: return SIGIO;
	case 30: return SIGUSR1;
	case 31: return SIGUSR2;
	case 32: return SIGPWR;
	default:
		/* 1-9, 11, 13-15, 21-22, 24-29 share their numbers. */
		if (sig >= 1 && sig <= 29)
			return sig;
		return -1;
	}
}

/*
 * Raise NetBSD signal sig in this process (pid is a hint; other pids are
 * refused with ESRCH).
 */
int
rumpuser_kill(int64_t pid, int sig)
{
	int hostsig;

	if (pid != RUMPUSER_PID_SELF && pid != (int64_t)getpid())
		return RUMP_ESRCH;
	if ((hostsig = sig_rump2host(sig)) == -1)
		return RUMP_EINVAL;
	if (raise(hostsig) != 0)
		return rumpuser__errtrans(errno);
	return 0;
}

/*
 * End the process: abort() for RUMPUSER_PANIC, so the signal (and a core)
 * is seen, after the fault engine's trace is dumped; else exit(value)
 * (which dumps it at exit).
 */
void
rumpuser_exit(int value)
{

	rumpuser__console_flush();
	if (value == RUMPUSER_PANIC) {
		rumpuser__faults_stop("panic");
		abort();
	}
	exit(value);
}

/*
 * Write the buffered console line to fd 1.  Must be called with
 * console_lock held, or from rumpuser_exit.
 */
static void
console_write(void)
{
	size_t done;
	ssize_t n;

	for (done = 0; done < console_len; done += (size_t)n) {
		n = write(STDOUT_FILENO, console_buf + done,
		    console_len - done);
		if (n <= 0 && errno != EINTR)
			break;
		if (n < 0)
			n = 0;
	}
	console_len = 0;
}

/* Flush what the console holds (before the process ends). */
void
rumpuser__console_flush(void)
{

	pthread_mutex_lock(&console_lock);
	console_write();
	pthread_mutex_unlock(&console_lock);
}

/*
 * One console character.  Lines go to fd 1 whole, unbuffered by stdio, so
 * that a crash loses at most the current line.
 */
void
rumpuser_putchar(int ch)
{

	pthread_mutex_lock(&console_lock);
	console_buf[console_len++] = (char)ch;
	if (ch == '\n' || console_len == sizeof(console_buf))
		console_write();
	pthread_mutex_unlock(&console_lock);
}

/* Debug output that bypasses the kernel: straight to stderr. */
void
rumpuser_dprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * Entropy.  Threads mode: the host's getrandom(2) (NOWAIT: never block,
 * EAGAIN if the pool is not ready).  Serial mode: the seeded PRNG.
 * *retp gets the bytes written (fewer after a SHORT fault).
 */
int
rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp)
{
	ssize_t n;

	*retp = 0;
	switch (RUMPUSER_FAULT(RUMPUSER_FP_GETRANDOM, -1, 0, buflen, NULL)) {
	case RUMPUSER_FA_ERROR:
		return rumpuser__fault_last.fd_error;
	case RUMPUSER_FA_SHORT:
		buflen = rumpuser__fault_last.fd_length;
		break;
	}
	if (rumpuser__serial) {
		prng_fill(buf, buflen);
		*retp = buflen;
		return 0;
	}
	if (flags & RUMPUSER_RANDOM_NOWAIT)
		n = getrandom(buf, buflen, GRND_NONBLOCK);
	else
		RUMPUSER_BLOCKING(NULL, n = getrandom(buf, buflen, 0));
	if (n == -1)
		return rumpuser__errtrans(errno);
	*retp = (size_t)n;
	return 0;
}

/*
 * Read a clock.  Threads mode: CLOCK_REALTIME and CLOCK_MONOTONIC.
 * Serial mode: the schedule's virtual time since rumpuser_init, added to
 * 2000-01-01 (RELWALL) or to 0 (ABSMONO).
 */
int
rumpuser_clock_gettime(int which, int64_t *sec, long *nsec)
{
	struct timespec ts;

	switch (which) {
	case RUMPUSER_CLOCK_RELWALL:
	case RUMPUSER_CLOCK_ABSMONO:
		break;
	default:
		return RUMP_EINVAL;
	}
	if (rumpuser__serial) {
		rumpuser__ns2ts(rumpuser__sched_now(), &ts);
		if (which == RUMPUSER_CLOCK_RELWALL)
			ts.tv_sec += SERIAL_WALL_EPOCH;
	} else if (clock_gettime(which == RUMPUSER_CLOCK_RELWALL ?
	    CLOCK_REALTIME : CLOCK_MONOTONIC, &ts) == -1)
		return rumpuser__errtrans(errno);
	*sec = ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}

/*
 * Sleep without a vCPU: RELWALL for a relative duration, ABSMONO until a
 * deadline on the monotonic clock (serial mode: on the virtual clock that
 * rumpuser_clock_gettime reports, in the schedule).
 */
int
rumpuser_clock_sleep(int which, int64_t sec, long nsec)
{
	struct timespec ts, now;
	int rv, flags;

	if (nsec < 0 || nsec >= 1000000000L || sec < 0)
		return RUMP_EINVAL;
	if (RUMPUSER_FAULT(RUMPUSER_FP_CLOCK_SLEEP, -1, 0, 0, NULL)
	    == RUMPUSER_FA_ERROR)
		return rumpuser__fault_last.fd_error;
	switch (which) {
	case RUMPUSER_CLOCK_RELWALL:
		ts.tv_sec = (time_t)sec;
		ts.tv_nsec = nsec;
		flags = 0;
		break;
	case RUMPUSER_CLOCK_ABSMONO:
		ts.tv_sec = (time_t)sec;
		ts.tv_nsec = nsec;
		flags = TIMER_ABSTIME;
		break;
	default:
		return RUMP_EINVAL;
	}
	if (rumpuser__serial) {
		if (flags == 0) {
			rumpuser__ns2ts(rumpuser__sched_now(), &now);
			rumpuser__timespec_add(&ts, now.tv_sec, now.tv_nsec);
		}
		/* A wait on its own stack: nothing but the deadline ends it. */
		RUMPUSER_BLOCKING(NULL, (void)rumpuser__sched_wait(&ts, NULL,
		    0, rumpuser__ts2ns(&ts)));
		return 0;
	}
	RUMPUSER_BLOCKING(NULL,
	    while ((rv = clock_nanosleep(CLOCK_MONOTONIC, flags, &ts, &ts))
		== EINTR)
		    continue);
	return rumpuser__errtrans(rv);
}

/*
 * Allocate len bytes aligned to alignment (0: pointer alignment; a power
 * of two otherwise).  ENOMEM when the host has none.
 */
int
rumpuser_malloc(size_t len, int alignment, void **memp)
{
	size_t align;
	int rv;

	if (RUMPUSER_FAULT(RUMPUSER_FP_MALLOC, -1, 0, len, NULL)
	    == RUMPUSER_FA_ERROR) {
		*memp = NULL;
		return rumpuser__fault_last.fd_error;
	}
	align = alignment <= 0 ? sizeof(void *) : (size_t)alignment;
	if ((align & (align - 1)) != 0)
		return RUMP_EINVAL;
	/* malloc's own alignment suffices for most requests. */
	if (align <= _Alignof(max_align_t)) {
		if ((*memp = malloc(len)) == NULL)
			return rumpuser__errtrans(errno);
		return 0;
	}
	rv = posix_memalign(memp, align, len);
	if (rv != 0) {
		*memp = NULL;
		return rumpuser__errtrans(rv);
	}
	return 0;
}

/* Free memory from rumpuser_malloc. */
void
rumpuser_free(void *mem, size_t len)
{

	free(mem);
}

/*
 * Anonymous memory, read-write (and executable if exec), aligned to
 * 2^alignbit bytes (0: page alignment).  prefaddr is only a hint.
 */
int
rumpuser_anonmmap(void *prefaddr, size_t size, int alignbit, int exec,
    void **memp)
{
	size_t align, pagesz, maplen, head, tail;
	uintptr_t start;
	void *mem;
	int prot;

	pagesz = (size_t)sysconf(_SC_PAGESIZE);
	if (alignbit < 0 || alignbit >= 48 || size == 0)
		return RUMP_EINVAL;
	align = (size_t)1 << alignbit;
	if (align < pagesz)
		align = pagesz;
	if (size > SIZE_MAX - align)
		return RUMP_ENOMEM;
	size = (size + pagesz - 1) & ~(pagesz - 1);
	maplen = size + (align > pagesz ? align : 0);
	prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
	mem = mmap(prefaddr, maplen, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return rumpuser__errtrans(errno);
	/* Trim the surplus before and after the aligned part. */
	start = ((uintptr_t)mem + align - 1) & ~(uintptr_t)(align - 1);
	head = start - (uintptr_t)mem;
	tail = maplen - head - size;
	if (head > 0)
		munmap(mem, head);
	if (tail > 0)
		munmap((char *)start + size, tail);
	*memp = (void *)start;
	return 0;
}

/* Unmap memory from rumpuser_anonmmap. */
void
rumpuser_unmap(void *addr, size_t len)
{

	munmap(addr, len);
}

/*
 * Report modules, symbols and components of dynamically loaded kernel
 * objects.  rumpus's kernel is linked statically and registers its
 * components itself, so there is nothing to report: the callbacks are
 * never called.
 */
void
rumpuser_dl_bootstrap(rump_modinit_fn domodinit, rump_symload_fn symload,
    rump_compload_fn compload)
{
}

/*
 * Fork before rump_init: the parent waits for the child's
 * rumpuser_daemonize_done() and exits with its error; the child returns 0.
 */
int
rumpuser_daemonize_begin(void)
{
	int fds[2], error;
	ssize_t n;
	pid_t pid;

	if (daemon_fd != -1)
		return RUMP_EBUSY;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1)
		return rumpuser__errtrans(errno);
	fflush(stdout);
	fflush(stderr);
	switch ((pid = fork())) {
	case -1:
		error = rumpuser__errtrans(errno);
		close(fds[0]);
		close(fds[1]);
		return error;
	case 0:
		close(fds[0]);
		daemon_fd = fds[1];
		if (setsid() == -1)
			return rumpuser__errtrans(errno);
		return 0;
	default:
		close(fds[1]);
		do
			n = read(fds[0], &error, sizeof(error));
		while (n == -1 && errno == EINTR);
		_exit(n == (ssize_t)sizeof(error) ? error : RUMP_EIO);
	}
}

/*
 * The child tells the waiting parent how its set-up went (it exits with
 * error); on success stdio is detached to /dev/null.
 */
int
rumpuser_daemonize_done(int error)
{
	int fd, rv = 0;

	if (daemon_fd == -1)
		return RUMP_ENOENT;
	if (error == 0) {
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			rv = rumpuser__errtrans(errno);
		else {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
	}
	if (write(daemon_fd, &error, sizeof(error)) != (ssize_t)sizeof(error)
	    && rv == 0)
		rv = rumpuser__errtrans(errno);
	close(daemon_fd);
	daemon_fd = -1;
	return rv;
}
