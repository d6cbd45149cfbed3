/*
 * librumpus_faults.so: the fault engine as an LD_PRELOAD interposer for
 * any rump kernel program over any librumpuser.so.  It defines the
 * faultable hypercalls (and rumpuser_init, rumpuser_exit), decides each
 * call with the engine, applies the decision itself, and forwards to the
 * next definition (dlsym(RTLD_NEXT)): the real librumpuser.  Configured
 * by the environment as librumpuser is (RUMPUS_FAULTS, RUMPUS_SEED,
 * RUMPUS_TRACE), read when the kernel calls rumpuser_init.  rumpus's own
 * librumpuser sees rumpus_faults_interposer and leaves those variables
 * to it.
 *
 * Fast path: a point whose gate is closed costs one load and one branch,
 * then the forwarding call.  The I/O points (bio, iovread, iovwrite,
 * syncfd) take the slow path while any gate is open, to count transfers
 * in flight: a power cut stops new transfers, waits for those in flight,
 * writes the trace file and ends the process with
 * _exit(RUMPUS_POWERCUT_STATUS), so the image holds exactly the writes
 * that completed before it.  The thread that cuts, and any thread that
 * would start a transfer after the cut, give up their virtual CPU
 * (hyp_backend_unschedule) so that the biodone of a transfer in flight
 * can still get one.
 *
 * Lock order: ip_iolock is a leaf (never held across a forwarded call or
 * an upcall, except the cut's wait, which releases it).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumperrno.h>
#include <rump/rumpuser.h>

#include "fe_rumpuser.h"

#define IP_BIT(pt)	((uint64_t)1 << (pt))
#define IP_CLOSED(pt)	__builtin_expect((ip_gate & IP_BIT(pt)) == 0, 1)
#define IP_QUIET	__builtin_expect(ip_gate == 0, 1)

/* The marker rumpus's librumpuser looks for (fault_env.c). */
const int rumpus_faults_interposer = 1;

/* The gate word, mirrored from the engine's gate; 0: nothing installed. */
static uint64_t ip_gate;
static struct fe_engine *ip_engine;
/* The kernel's upcalls, from rumpuser_init. */
static struct rumpuser_hyperup ip_hyp;
static int ip_hashyp;
static int ip_configured;

/* Transfers in flight, and the power cut's flag. */
static pthread_mutex_t ip_iolock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ip_iocv = PTHREAD_COND_INITIALIZER;
static unsigned ip_inflight;
static int ip_cutting;

/* The next definitions of the wrapped hypercalls. */
static struct {
	int	(*init)(int, const struct rumpuser_hyperup *);
	int	(*malloc)(size_t, int, void **);
	void	(*bio)(int, int, void *, size_t, int64_t, rump_biodone_fn,
		    void *);
	int	(*iovread)(int, struct rumpuser_iovec *, size_t, int64_t,
		    size_t *);
	int	(*iovwrite)(int, const struct rumpuser_iovec *, size_t, int64_t,
		    size_t *);
	int	(*open)(const char *, int, int *);
	int	(*syncfd)(int, int, uint64_t, uint64_t);
	int	(*thread_create)(void *(*)(void *), void *, const char *, int,
		    int, int, void **);
	int	(*getrandom)(void *, size_t, int, size_t *);
	int	(*clock_sleep)(int, int64_t, long);
	int	(*cv_timedwait)(struct rumpuser_cv *, struct rumpuser_mtx *,
		    int64_t, int64_t);
	void	(*mutex_enter)(struct rumpuser_mtx *);
	void	(*rw_enter)(int, struct rumpuser_rw *);
	void	(*cv_wait)(struct rumpuser_cv *, struct rumpuser_mtx *);
	void	(*exit)(int);
} ip_next;

/* The next definition of name; abort if there is none and need is set. */
static void *
ip_lookup(const char *name, int need)
{
	void *fn;

	if ((fn = dlsym(RTLD_NEXT, name)) == NULL && need) {
		fprintf(stderr, "librumpus_faults: no %s to forward to (is "
		    "librumpuser a shared library of this program?)\n", name);
		abort();
	}
	return fn;
}

/*
 * Find what the wrappers forward to.  need clear: quietly nothing if this
 * program has no librumpuser (LD_PRELOAD reaches every program a rump
 * program starts, such as mke2fs).
 */
static void
ip_resolve(int need)
{

	if ((ip_next.init = ip_lookup("rumpuser_init", need)) == NULL)
		return;
	ip_next.malloc = ip_lookup("rumpuser_malloc", 1);
	ip_next.bio = ip_lookup("rumpuser_bio", 1);
	ip_next.iovread = ip_lookup("rumpuser_iovread", 1);
	ip_next.iovwrite = ip_lookup("rumpuser_iovwrite", 1);
	ip_next.open = ip_lookup("rumpuser_open", 1);
	ip_next.syncfd = ip_lookup("rumpuser_syncfd", 1);
	ip_next.thread_create = ip_lookup("rumpuser_thread_create", 1);
	ip_next.getrandom = ip_lookup("rumpuser_getrandom", 1);
	ip_next.clock_sleep = ip_lookup("rumpuser_clock_sleep", 1);
	ip_next.cv_timedwait = ip_lookup("rumpuser_cv_timedwait", 1);
	ip_next.mutex_enter = ip_lookup("rumpuser_mutex_enter", 1);
	ip_next.rw_enter = ip_lookup("rumpuser_rw_enter", 1);
	ip_next.cv_wait = ip_lookup("rumpuser_cv_wait", 1);
	ip_next.exit = ip_lookup("rumpuser_exit", 1);
}

/* Runs when the interposer is loaded. */
__attribute__((__constructor__))
static void
ip_init(void)
{

	ip_resolve(0);
}

/* The engine's gate mirrored into ip_gate (engine lock held). */
static void
ip_setgate(void *arg, uint64_t mask)
{

	__atomic_store_n(&ip_gate, mask & (IP_BIT(FE_PT_NHYPER) - 1),
	    __ATOMIC_SEQ_CST);
}

/* Make the wrappers consult engine e (NULL: none). */
static void
ip_install(struct fe_engine *e)
{

	if (e == NULL) {
		__atomic_store_n(&ip_gate, 0, __ATOMIC_SEQ_CST);
		ip_engine = NULL;
		return;
	}
	ip_engine = e;
	fe_engine_watch_gate(e, ip_setgate, NULL);
}

/*
 * Give up this thread's virtual CPU for good (the process is about to
 * end by a power cut).
 */
static void
ip_release_cpu(void)
{
	int nlocks;

	if (ip_hashyp)
		ip_hyp.hyp_backend_unschedule(0, &nlocks, NULL);
}

/* A transfer would start after a power cut: never return. */
static void __dead
ip_park(void)
{

	ip_release_cpu();
	for (;;)
		pause();
}

/*
 * A transfer is about to be forwarded while a gate is open: count it in
 * flight (a power cut waits for it); after a cut, never return.
 */
static void
ip_io_begin(void)
{

	pthread_mutex_lock(&ip_iolock);
	if (ip_cutting) {
		pthread_mutex_unlock(&ip_iolock);
		ip_park();
	}
	ip_inflight++;
	pthread_mutex_unlock(&ip_iolock);
}

/* A counted transfer is over. */
static void
ip_io_end(void)
{

	pthread_mutex_lock(&ip_iolock);
	if (--ip_inflight == 0)
		pthread_cond_broadcast(&ip_iocv);
	pthread_mutex_unlock(&ip_iolock);
}

/*
 * Start a power cut: from now on no transfer starts but, with torn set,
 * the torn write the caller is about to forward (counted in flight).
 */
static void
ip_cut_begin(int torn)
{

	pthread_mutex_lock(&ip_iolock);
	ip_cutting = 1;
	if (torn)
		ip_inflight++;
	pthread_mutex_unlock(&ip_iolock);
}

/*
 * End a power cut: wait without a vCPU until no counted transfer is in
 * flight, write the trace file, end the process.
 */
static void __dead
ip_cut_end(int status)
{

	ip_release_cpu();
	pthread_mutex_lock(&ip_iolock);
	while (ip_inflight > 0)
		pthread_cond_wait(&ip_iocv, &ip_iolock);
	pthread_mutex_unlock(&ip_iolock);
	fe_host_dump("powercut");
	_exit(status);
}

/*
 * Decide one call at point pt into *d.  Serves delay, yield and power
 * cut here; returns the action left for the wrapper (RUMPUSER_FA_PASS,
 * _ERROR, _SHORT, _TORN or _BITFLIP).
 */
static int
ip_decide(int pt, int fd, int64_t off, size_t len, const char *name,
    void *caller, struct rumpuser_fault_decision *d)
{
	struct rumpuser_fault_call c;
	int action;

	memset(d, 0, sizeof(*d));
	d->fd_action = RUMPUSER_FA_PASS;
	if ((ip_gate & IP_BIT(pt)) == 0 || ip_engine == NULL)
		return RUMPUSER_FA_PASS;
	c.fc_point = pt;
	c.fc_fd = fd;
	c.fc_off = off;
	c.fc_len = len;
	c.fc_name = name;
	c.fc_caller = caller;
	(void)fe_rumpuser_ask(fe_rumpuser_hook, ip_engine, &c, d);
	action = fe_rumpuser_serve(d);
	if (action == RUMPUSER_FA_POWERCUT) {
		ip_cut_begin(0);
		ip_cut_end(d->fd_status);
	}
	return action;
}

/*
 * The kernel starts (before any other hypercall): keep its upcalls,
 * configure the engine from the environment (once per process) with the
 * kernel's named points when its rumpus_ext entry points are in the
 * dynamic symbol table (a kernel that is a shared object, or a program
 * that exports them: a static kernel in a program linked without
 * -rdynamic and without rumpus's librumpuser.so is not), then start the
 * real library.  A bad
 * spec fails with EINVAL after a message naming the position.
 */
int
rumpuser_init(int version, const struct rumpuser_hyperup *hyp)
{
	const char *s = getenv("RUMPUS_SEED");
	struct fe_kernel kern;
	uint64_t seed = 0;
	int error;

	/* librumpuser may have come with dlopen(), after ip_init. */
	if (ip_next.init == NULL)
		ip_resolve(1);
	if (hyp != NULL) {
		ip_hyp = *hyp;
		ip_hashyp = hyp->hyp_backend_unschedule != NULL;
	}
	if (!ip_configured) {
		if (s != NULL && fe_seed_parse(s, &seed) != 0) {
			fprintf(stderr, "librumpus_faults: RUMPUS_SEED=\"%s\": "
			    "not a decimal number below 2^64\n", s);
			return RUMP_EINVAL;
		}
		kern.fk_points = dlsym(RTLD_DEFAULT, "rumpus_fault_points");
		kern.fk_sethook = dlsym(RTLD_DEFAULT, "rumpus_fault_set_hook");
		kern.fk_ident = dlsym(RTLD_DEFAULT, "rumpus_curlwp_ident");
		error = fe_host_configure_env("librumpus_faults", seed,
		    fe_kernel_attach(&kern), ip_install);
		if (error != 0)
			return error == EINVAL ? RUMP_EINVAL : RUMP_ENOMEM;
		ip_configured = 1;
	}
	return ip_next.init(version, hyp);
}

/* Panic: write the trace file first.  Exit: atexit writes it. */
void
rumpuser_exit(int value)
{

	if (value == RUMPUSER_PANIC)
		fe_host_dump("panic");
	ip_next.exit(value);
	abort();
}

/* malloc: ERROR fails the allocation. */
int
rumpuser_malloc(size_t len, int alignment, void **memp)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_MALLOC) || ip_decide(FE_PT_MALLOC, -1, 0, len,
	    NULL, __builtin_return_address(0), &d) != RUMPUSER_FA_ERROR)
		return ip_next.malloc(len, alignment, memp);
	*memp = NULL;
	return d.fd_error;
}

/* open: ERROR fails it. */
int
rumpuser_open(const char *name, int mode, int *fdp)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_OPEN) || ip_decide(FE_PT_OPEN, -1, 0, 0, name,
	    __builtin_return_address(0), &d) != RUMPUSER_FA_ERROR)
		return ip_next.open(name, mode, fdp);
	return d.fd_error;
}

/* thread_create: ERROR fails it. */
int
rumpuser_thread_create(void *(*f)(void *), void *arg, const char *name,
    int joinable, int pri, int cpu, void **cookie)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_THREAD_CREATE) || ip_decide(FE_PT_THREAD_CREATE,
	    -1, 0, 0, name, __builtin_return_address(0), &d) !=
	    RUMPUSER_FA_ERROR)
		return ip_next.thread_create(f, arg, name, joinable, pri, cpu,
		    cookie);
	return d.fd_error;
}

/* clock_sleep: ERROR fails it (EINTR: woken early). */
int
rumpuser_clock_sleep(int which, int64_t sec, long nsec)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_CLOCK_SLEEP) || ip_decide(FE_PT_CLOCK_SLEEP, -1, 0,
	    0, NULL, __builtin_return_address(0), &d) != RUMPUSER_FA_ERROR)
		return ip_next.clock_sleep(which, sec, nsec);
	return d.fd_error;
}

/* cv_timedwait: ERROR fails it (ETIMEDOUT: timed out early). */
int
rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    int64_t sec, int64_t nsec)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_CV_TIMEDWAIT) || ip_decide(FE_PT_CV_TIMEDWAIT, -1,
	    0, 0, NULL, __builtin_return_address(0), &d) != RUMPUSER_FA_ERROR)
		return ip_next.cv_timedwait(cv, mtx, sec, nsec);
	return d.fd_error;
}

/* getrandom: ERROR fails it, SHORT gives fewer bytes. */
int
rumpuser_getrandom(void *buf, size_t buflen, int flags, size_t *retp)
{
	struct rumpuser_fault_decision d;

	if (IP_CLOSED(FE_PT_GETRANDOM))
		return ip_next.getrandom(buf, buflen, flags, retp);
	switch (ip_decide(FE_PT_GETRANDOM, -1, 0, buflen, NULL,
	    __builtin_return_address(0), &d)) {
	case RUMPUSER_FA_ERROR:
		*retp = 0;
		return d.fd_error;
	case RUMPUSER_FA_SHORT:
		buflen = d.fd_length;
		break;
	}
	return ip_next.getrandom(buf, buflen, flags, retp);
}

/* mutex.enter: delay, yield, panic (ip_decide serves them). */
void
rumpuser_mutex_enter(struct rumpuser_mtx *mtx)
{
	struct rumpuser_fault_decision d;

	if (!IP_CLOSED(FE_PT_MUTEX_ENTER))
		(void)ip_decide(FE_PT_MUTEX_ENTER, -1, 0, 0, NULL,
		    __builtin_return_address(0), &d);
	ip_next.mutex_enter(mtx);
}

/* rw.enter: delay, yield, panic. */
void
rumpuser_rw_enter(int op, struct rumpuser_rw *rw)
{
	struct rumpuser_fault_decision d;

	if (!IP_CLOSED(FE_PT_RW_ENTER))
		(void)ip_decide(FE_PT_RW_ENTER, -1, 0, 0, NULL,
		    __builtin_return_address(0), &d);
	ip_next.rw_enter(op, rw);
}

/* cv.wait: delay, yield, panic. */
void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{
	struct rumpuser_fault_decision d;

	if (!IP_CLOSED(FE_PT_CV_WAIT))
		(void)ip_decide(FE_PT_CV_WAIT, -1, 0, 0, NULL,
		    __builtin_return_address(0), &d);
	ip_next.cv_wait(cv, mtx);
}

/* syncfd: ERROR fails it, POWERCUT cuts instead; a counted transfer. */
int
rumpuser_syncfd(int fd, int flags, uint64_t start, uint64_t len)
{
	struct rumpuser_fault_decision d;
	int error;

	if (IP_QUIET)
		return ip_next.syncfd(fd, flags, start, len);
	if (ip_decide(FE_PT_SYNCFD, fd, (int64_t)start, len, NULL,
	    __builtin_return_address(0), &d) == RUMPUSER_FA_ERROR)
		return d.fd_error;
	ip_io_begin();
	error = ip_next.syncfd(fd, flags, start, len);
	ip_io_end();
	return error;
}

/*
 * iovread and iovwrite (pt): SHORT and TORN clip the vector, TORN then
 * cuts the power, BITFLIP flips a bit of what was read.
 */
static int
ip_iov(int pt, int fd, struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retv, void *caller)
{
	struct rumpuser_iovec clipped[IOV_MAX];
	struct rumpuser_fault_decision d;
	size_t i, total = 0;
	int action, error;

	for (i = 0; i < iovlen; i++)
		total += iov[i].iov_len;
	action = ip_decide(pt, fd, off, total, NULL, caller, &d);
	if (action == RUMPUSER_FA_TORN && pt != FE_PT_IOVWRITE)
		action = RUMPUSER_FA_PASS;
	if (action == RUMPUSER_FA_BITFLIP && pt != FE_PT_IOVREAD)
		action = RUMPUSER_FA_PASS;
	switch (action) {
	case RUMPUSER_FA_ERROR:
		*retv = 0;
		return d.fd_error;
	case RUMPUSER_FA_SHORT:
	case RUMPUSER_FA_TORN:
		if (iovlen > IOV_MAX)
			break;
		iovlen = fe_rumpuser_clip(iov, iovlen, clipped, d.fd_length);
		iov = clipped;
		break;
	}
	if (action == RUMPUSER_FA_TORN)
		ip_cut_begin(1);
	else
		ip_io_begin();
	if (pt == FE_PT_IOVREAD)
		error = ip_next.iovread(fd, iov, iovlen, off, retv);
	else
		error = ip_next.iovwrite(fd, iov, iovlen, off, retv);
	ip_io_end();
	if (action == RUMPUSER_FA_TORN)
		ip_cut_end(d.fd_status);
	if (action == RUMPUSER_FA_BITFLIP && error == 0)
		fe_rumpuser_flip(iov, iovlen, *retv, d.fd_bit);
	return error;
}

/* iovread: counted while any gate is open (ip_iov). */
int
rumpuser_iovread(int fd, struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retv)
{

	if (IP_QUIET)
		return ip_next.iovread(fd, iov, iovlen, off, retv);
	return ip_iov(FE_PT_IOVREAD, fd, iov, iovlen, off, retv,
	    __builtin_return_address(0));
}

/* iovwrite: counted while any gate is open (ip_iov). */
int
rumpuser_iovwrite(int fd, const struct rumpuser_iovec *iov, size_t iovlen,
    int64_t off, size_t *retv)
{

	if (IP_QUIET)
		return ip_next.iovwrite(fd, iov, iovlen, off, retv);
	/* The vector is only read, also when clipped. */
	return ip_iov(FE_PT_IOVWRITE, fd, (struct rumpuser_iovec *)(uintptr_t)
	    iov, iovlen, off, retv, __builtin_return_address(0));
}

/* A block transfer forwarded while a gate is open, until its biodone. */
struct ip_bio {
	rump_biodone_fn	ib_done;	/* the kernel's */
	void		*ib_donearg;
	void		*ib_data;
	size_t		ib_len;		/* asked for */
	int		ib_action;	/* PASS, SHORT, TORN or BITFLIP */
	uint64_t	ib_bit;
};

/*
 * The real library's biodone for a counted transfer: apply the decision
 * (a short transfer is EIO, as librumpuser reports one; a bit flip), end
 * the count, then the kernel's biodone.  A torn write's biodone only ends
 * the count: the power is being cut.
 */
static void
ip_biodone(void *arg, size_t moved, int error)
{
	struct ip_bio *ib = arg, b = *ib;
	struct rumpuser_iovec v;

	free(ib);
	if (b.ib_action == RUMPUSER_FA_TORN) {
		ip_io_end();
		return;
	}
	if (b.ib_action == RUMPUSER_FA_BITFLIP && error == 0) {
		v.iov_base = b.ib_data;
		v.iov_len = moved;
		fe_rumpuser_flip(&v, 1, moved, b.ib_bit);
	}
	if (b.ib_action == RUMPUSER_FA_SHORT && error == 0 && moved < b.ib_len)
		error = RUMP_EIO;
	ip_io_end();
	b.ib_done(b.ib_donearg, moved, error);
}

/*
 * bio: ERROR completes it at once through biodone, and LOST (a write)
 * with the whole length and no error, never reaching the host; otherwise,
 * while any
 * gate is open, it is counted in flight until the real library's biodone
 * (ip_biodone) and SHORT, TORN or BITFLIP apply there.
 */
void
rumpuser_bio(int fd, int op, void *data, size_t dlen, int64_t off,
    rump_biodone_fn biodone, void *donearg)
{
	struct rumpuser_fault_decision d;
	struct ip_bio *ib;
	size_t len = dlen;
	int pt, action;

	if (IP_QUIET) {
		ip_next.bio(fd, op, data, dlen, off, biodone, donearg);
		return;
	}
	pt = op & RUMPUSER_BIO_WRITE ? FE_PT_BIO_WRITE : FE_PT_BIO_READ;
	action = ip_decide(pt, fd, off, dlen, NULL,
	    __builtin_return_address(0), &d);
	if (action == RUMPUSER_FA_TORN && pt != FE_PT_BIO_WRITE)
		action = RUMPUSER_FA_PASS;
	if (action == RUMPUSER_FA_BITFLIP && pt != FE_PT_BIO_READ)
		action = RUMPUSER_FA_PASS;
	if (action == RUMPUSER_FA_ERROR) {
		biodone(donearg, 0, d.fd_error);
		return;
	}
	if (action == RUMPUSER_FA_LOST && pt == FE_PT_BIO_WRITE) {
		biodone(donearg, dlen, 0);
		return;
	}
	if ((ib = malloc(sizeof(*ib))) == NULL) {
		biodone(donearg, 0, RUMP_ENOMEM);
		return;
	}
	ib->ib_done = biodone;
	ib->ib_donearg = donearg;
	ib->ib_data = data;
	ib->ib_len = dlen;
	ib->ib_action = action;
	ib->ib_bit = d.fd_bit;
	if (action == RUMPUSER_FA_SHORT || action == RUMPUSER_FA_TORN)
		len = d.fd_length;
	if (action == RUMPUSER_FA_TORN)
		ip_cut_begin(1);
	else
		ip_io_begin();
	ip_next.bio(fd, op, data, len, off, ip_biodone, ib);
	if (action == RUMPUSER_FA_TORN)
		ip_cut_end(d.fd_status);
}
