/*
 * librumpuser, pthread backend: threads, the current-lwp database, mutexes,
 * reader/writer locks and condition variables.
 *
 * Lock rules (rumpuser(3)):
 *  - a non-spin mutex_enter, rw_enter, cv_wait and cv_timedwait give the
 *    vCPU up (RUMPUSER_BLOCKING) only when they have to wait; a free lock
 *    is taken without an upcall;
 *  - a RUMPUSER_MTX_SPIN mutex and the *_nowrap calls never give it up;
 *  - a RUMPUSER_MTX_KMUTEX mutex records its owner lwp;
 *  - on wakeup from a cv wait, a SPIN+KMUTEX interlock is taken back after
 *    the vCPU (so the thread never holds the mutex while waiting for a
 *    CPU, which the CPU's holder may need); any other interlock is taken
 *    back first (pthread_cond_wait does it) and the vCPU after.
 *
 * Serial mode: every host wait here (a contended mutex, a cv or rw wait,
 * a join) is the schedule's (rumpuser__h*, rumpuser_sched.c), and made
 * threads take part in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rumperrno.h>

#include "rumpuser_int.h"

struct rumpuser_mtx {
	pthread_mutex_t	 m_pthmtx;
	struct lwp	*m_owner;	/* KMUTEX: the holder; else NULL */
	int		 m_flags;	/* RUMPUSER_MTX_* */
};

/*
 * A reader/writer lock of our own (pthread_rwlock cannot upgrade):
 * rw_lock guards the state and is held only for a few instructions, so it
 * is taken without giving up the vCPU; waiting happens on the two cvs.
 * Waiting writers keep new readers out.
 */
struct rumpuser_rw {
	pthread_mutex_t	 rw_lock;
	pthread_cond_t	 rw_rcv;	/* readers wait here */
	pthread_cond_t	 rw_wcv;	/* writers wait here */
	unsigned	 rw_readers;	/* shared holders */
	unsigned	 rw_wwaiting;	/* writers waiting */
	int		 rw_wheld;	/* held exclusive */
	struct lwp	*rw_writer;	/* the exclusive holder's lwp */
};

struct rumpuser_cv {
	pthread_cond_t	 cv_pthcv;
	int		 cv_nwaiters;	/* guarded by the interlock */
};

/*
 * The lwp bound to this host thread (RUMPUSER_LWP_SET / CLEAR).  Initial
 * exec TLS: read without a __tls_get_addr call from librumpuser.so too.
 */
static __thread struct lwp *rumpuser_curlwp_tls
    __attribute__((__tls_model__("initial-exec")));

/* Allocate a lock's memory; a void hypercall may not fail, so abort. */
static void *
pth_alloc(size_t len, const char *what)
{
	void *p;

	if ((p = malloc(len)) == NULL) {
		fprintf(stderr, "librumpuser: %s: out of memory\n", what);
		abort();
	}
	return p;
}

/*
 * Start a host thread for a kernel thread.  Joinable only if mustjoin, in
 * which case *cookie is what rumpuser_thread_join wants.  priority and
 * cpuidx are hints the host ignores.
 */
int
rumpuser_thread_create(void *(*f)(void *), void *arg, const char *thrname,
    int mustjoin, int priority, int cpuidx, void **cookie)
{
	pthread_attr_t attr;
	pthread_t *pt;
	char name[16];
	int rv;

	if (RUMPUSER_FAULT(RUMPUSER_FP_THREAD_CREATE, -1, 0, 0, thrname)
	    == RUMPUSER_FA_ERROR)
		return rumpuser__fault_last.fd_error;
	if ((pt = malloc(sizeof(*pt))) == NULL)
		return RUMP_ENOMEM;
	if (_RUMPUSER_SERIAL)
		rv = rumpuser__sched_create(pt, mustjoin, f, arg);
	else {
		rumpuser__nofail(pthread_attr_init(&attr),
		    "pthread_attr_init");
		rumpuser__nofail(pthread_attr_setdetachstate(&attr, mustjoin ?
		    PTHREAD_CREATE_JOINABLE : PTHREAD_CREATE_DETACHED),
		    "pthread_attr_setdetachstate");
		rv = pthread_create(pt, &attr, f, arg);
		pthread_attr_destroy(&attr);
	}
	if (rv != 0) {
		free(pt);
		return rumpuser__errtrans(rv);
	}
	if (thrname != NULL) {
		/* Linux keeps 15 characters; a failure only loses the name. */
		strncpy(name, thrname, sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		(void)pthread_setname_np(*pt, name);
	}
	if (mustjoin)
		*cookie = pt;
	else
		free(pt);
	return 0;
}

/* The calling (hypervisor-created) thread ends. */
void
rumpuser_thread_exit(void)
{

	if (_RUMPUSER_SERIAL)
		rumpuser__sched_exit();
	pthread_exit(NULL);
}

/* Wait, without a vCPU, for a mustjoin thread to end. */
int
rumpuser_thread_join(void *cookie)
{
	pthread_t *pt = cookie;
	int rv;

	RUMPUSER_BLOCKING(NULL, rv = _RUMPUSER_SERIAL ?
	    rumpuser__sched_join(*pt) : pthread_join(*pt, NULL));
	if (rv == 0)
		free(pt);
	return rumpuser__errtrans(rv);
}

/*
 * Maintain the host-thread-to-lwp mapping: SET binds l to the calling
 * thread, CLEAR unbinds it; CREATE and DESTROY need no host state.
 */
void
rumpuser_curlwpop(int op, struct lwp *l)
{

	switch (op) {
	case RUMPUSER_LWP_CREATE:
	case RUMPUSER_LWP_DESTROY:
		break;
	case RUMPUSER_LWP_SET:
		if (rumpuser_curlwp_tls != NULL && rumpuser_curlwp_tls != l) {
			fprintf(stderr, "librumpuser: curlwpop SET %p: thread "
			    "already runs lwp %p\n", (void *)l,
			    (void *)rumpuser_curlwp_tls);
			abort();
		}
		rumpuser_curlwp_tls = l;
		break;
	case RUMPUSER_LWP_CLEAR:
		rumpuser_curlwp_tls = NULL;
		break;
	default:
		fprintf(stderr, "librumpuser: curlwpop: bad op %d\n", op);
		abort();
	}
}

/* The lwp bound to the calling host thread, or NULL. */
struct lwp *
rumpuser_curlwp(void)
{

	return rumpuser_curlwp_tls;
}

/* Create a mutex; flags are RUMPUSER_MTX_SPIN and RUMPUSER_MTX_KMUTEX. */
void
rumpuser_mutex_init(struct rumpuser_mtx **mtxp, int flags)
{
	struct rumpuser_mtx *mtx;
	pthread_mutexattr_t att;

	mtx = pth_alloc(sizeof(*mtx), "rumpuser_mutex_init");
	rumpuser__nofail(pthread_mutexattr_init(&att), "pthread_mutexattr_init");
	rumpuser__nofail(pthread_mutexattr_settype(&att,
	    PTHREAD_MUTEX_ERRORCHECK), "pthread_mutexattr_settype");
	rumpuser__nofail(pthread_mutex_init(&mtx->m_pthmtx, &att),
	    "pthread_mutex_init");
	pthread_mutexattr_destroy(&att);
	mtx->m_owner = NULL;
	mtx->m_flags = flags;
	*mtxp = mtx;
}

/* Record the owner of a just-taken KMUTEX. */
static inline void
mtx_own(struct rumpuser_mtx *mtx)
{

	if (mtx->m_flags & RUMPUSER_MTX_KMUTEX)
		__atomic_store_n(&mtx->m_owner, rumpuser_curlwp_tls,
		    __ATOMIC_RELAXED);
}

/* Forget the owner of a KMUTEX about to be released. */
static inline void
mtx_disown(struct rumpuser_mtx *mtx)
{

	if (mtx->m_flags & RUMPUSER_MTX_KMUTEX)
		__atomic_store_n(&mtx->m_owner, NULL, __ATOMIC_RELAXED);
}

/*
 * Does a cv wait on interlock mtx take the vCPU back before the mutex?
 * Yes for SPIN+KMUTEX (rumpuser(3)'s wakeup order), no for the others.
 */
static inline int
mtx_relock_late(const struct rumpuser_mtx *mtx)
{

	return (mtx->m_flags & (RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX)) ==
	    (RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX);
}

/* Take mtx keeping the vCPU, with no fault point. */
static void
mtx_lock_nowrap(struct rumpuser_mtx *mtx)
{

	rumpuser__nofail(rumpuser__hlock(&mtx->m_pthmtx),
	    "pthread_mutex_lock");
	mtx_own(mtx);
}

/* Lock, never giving up the vCPU. */
void
rumpuser_mutex_enter_nowrap(struct rumpuser_mtx *mtx)
{

	(void)RUMPUSER_FAULT(RUMPUSER_FP_MUTEX_ENTER, -1, 0, 0, NULL);
	mtx_lock_nowrap(mtx);
}

/*
 * Lock.  A spin mutex is taken like enter_nowrap; any other gives up the
 * vCPU if it has to wait.
 */
void
rumpuser_mutex_enter(struct rumpuser_mtx *mtx)
{
	int rv;

	(void)RUMPUSER_FAULT(RUMPUSER_FP_MUTEX_ENTER, -1, 0, 0, NULL);
	if (mtx->m_flags & RUMPUSER_MTX_SPIN) {
		mtx_lock_nowrap(mtx);
		return;
	}
	if ((rv = pthread_mutex_trylock(&mtx->m_pthmtx)) == EBUSY)
		RUMPUSER_BLOCKING(NULL,
		    rv = rumpuser__hlock(&mtx->m_pthmtx));
	rumpuser__nofail(rv, "pthread_mutex_lock");
	mtx_own(mtx);
}

/* Try to lock: 0, or EBUSY when someone (the caller too) holds it. */
int
rumpuser_mutex_tryenter(struct rumpuser_mtx *mtx)
{
	int rv;

	if ((rv = pthread_mutex_trylock(&mtx->m_pthmtx)) != 0)
		return rumpuser__errtrans(rv);
	mtx_own(mtx);
	return 0;
}

/* Unlock (the caller holds it). */
void
rumpuser_mutex_exit(struct rumpuser_mtx *mtx)
{

	mtx_disown(mtx);
	rumpuser__nofail(rumpuser__hunlock(&mtx->m_pthmtx),
	    "pthread_mutex_unlock");
}

/* Free an unheld mutex. */
void
rumpuser_mutex_destroy(struct rumpuser_mtx *mtx)
{

	rumpuser__nofail(pthread_mutex_destroy(&mtx->m_pthmtx),
	    "pthread_mutex_destroy");
	free(mtx);
}

/* The lwp holding a KMUTEX, or NULL (always NULL for other mutexes). */
void
rumpuser_mutex_owner(struct rumpuser_mtx *mtx, struct lwp **lp)
{

	*lp = __atomic_load_n(&mtx->m_owner, __ATOMIC_RELAXED);
}

/* Create a reader/writer lock. */
void
rumpuser_rw_init(struct rumpuser_rw **rwp)
{
	struct rumpuser_rw *rw;

	rw = pth_alloc(sizeof(*rw), "rumpuser_rw_init");
	rumpuser__nofail(pthread_mutex_init(&rw->rw_lock, NULL),
	    "pthread_mutex_init");
	rumpuser__nofail(pthread_cond_init(&rw->rw_rcv, NULL),
	    "pthread_cond_init");
	rumpuser__nofail(pthread_cond_init(&rw->rw_wcv, NULL),
	    "pthread_cond_init");
	rw->rw_readers = 0;
	rw->rw_wwaiting = 0;
	rw->rw_wheld = 0;
	rw->rw_writer = NULL;
	*rwp = rw;
}

/*
 * Take rw in mode op if it is free for that mode.  Returns 1 if taken.
 * Must be called with rw_lock held.
 */
static int
rw_take_locked(struct rumpuser_rw *rw, int op)
{

	if (rw->rw_wheld)
		return 0;
	if (op == RUMPUSER_RW_WRITER) {
		if (rw->rw_readers != 0)
			return 0;
		rw->rw_wheld = 1;
		rw->rw_writer = rumpuser_curlwp_tls;
		return 1;
	}
	if (rw->rw_wwaiting != 0)
		return 0;
	rw->rw_readers++;
	return 1;
}

/* Wait until rw can be taken in mode op, and take it (no vCPU held). */
static void
rw_wait_take(struct rumpuser_rw *rw, int op)
{

	pthread_mutex_lock(&rw->rw_lock);
	if (op == RUMPUSER_RW_WRITER) {
		rw->rw_wwaiting++;
		while (rw->rw_wheld || rw->rw_readers != 0)
			rumpuser__hwait(&rw->rw_wcv, &rw->rw_lock);
		rw->rw_wwaiting--;
		rw->rw_wheld = 1;
		rw->rw_writer = rumpuser_curlwp_tls;
	} else {
		while (!rw_take_locked(rw, op))
			rumpuser__hwait(&rw->rw_rcv, &rw->rw_lock);
	}
	pthread_mutex_unlock(&rw->rw_lock);
}

/* Take rw as reader or writer, giving up the vCPU if it must wait. */
void
rumpuser_rw_enter(int op, struct rumpuser_rw *rw)
{
	int taken;

	(void)RUMPUSER_FAULT(RUMPUSER_FP_RW_ENTER, -1, 0, 0, NULL);
	pthread_mutex_lock(&rw->rw_lock);
	taken = rw_take_locked(rw, op);
	pthread_mutex_unlock(&rw->rw_lock);
	if (!taken)
		RUMPUSER_BLOCKING(NULL, rw_wait_take(rw, op));
}

/* Take rw if free for mode op: 0, or EBUSY. */
int
rumpuser_rw_tryenter(int op, struct rumpuser_rw *rw)
{
	int taken;

	pthread_mutex_lock(&rw->rw_lock);
	taken = rw_take_locked(rw, op);
	pthread_mutex_unlock(&rw->rw_lock);
	return taken ? 0 : RUMP_EBUSY;
}

/*
 * Shared -> exclusive, if the caller is the only reader: 0, else EBUSY
 * (the caller keeps its shared hold).
 */
int
rumpuser_rw_tryupgrade(struct rumpuser_rw *rw)
{
	int rv = RUMP_EBUSY;

	pthread_mutex_lock(&rw->rw_lock);
	if (!rw->rw_wheld && rw->rw_readers == 1) {
		rw->rw_readers = 0;
		rw->rw_wheld = 1;
		rw->rw_writer = rumpuser_curlwp_tls;
		rv = 0;
	}
	pthread_mutex_unlock(&rw->rw_lock);
	return rv;
}

/* Exclusive -> shared; waiting readers may join (writers keep waiting). */
void
rumpuser_rw_downgrade(struct rumpuser_rw *rw)
{

	pthread_mutex_lock(&rw->rw_lock);
	rw->rw_wheld = 0;
	rw->rw_writer = NULL;
	rw->rw_readers = 1;
	if (rw->rw_wwaiting == 0)
		rumpuser__hsignal(&rw->rw_rcv, 1);
	pthread_mutex_unlock(&rw->rw_lock);
}

/* Release a shared or exclusive hold; wake writers first. */
void
rumpuser_rw_exit(struct rumpuser_rw *rw)
{

	pthread_mutex_lock(&rw->rw_lock);
	if (rw->rw_wheld) {
		rw->rw_wheld = 0;
		rw->rw_writer = NULL;
	} else if (rw->rw_readers > 0)
		rw->rw_readers--;
	else {
		fprintf(stderr, "librumpuser: rw_exit of a free lock %p\n",
		    (void *)rw);
		abort();
	}
	if (rw->rw_readers == 0 && rw->rw_wwaiting != 0)
		rumpuser__hsignal(&rw->rw_wcv, 0);
	else if (rw->rw_wwaiting == 0)
		rumpuser__hsignal(&rw->rw_rcv, 1);
	pthread_mutex_unlock(&rw->rw_lock);
}

/* Free an unheld rw lock. */
void
rumpuser_rw_destroy(struct rumpuser_rw *rw)
{

	pthread_cond_destroy(&rw->rw_rcv);
	pthread_cond_destroy(&rw->rw_wcv);
	pthread_mutex_destroy(&rw->rw_lock);
	free(rw);
}

/*
 * *heldp = 1 if rw is held in mode op: as writer by the calling lwp, or as
 * reader by anyone (shared holders are not tracked per lwp).
 */
void
rumpuser_rw_held(int op, struct rumpuser_rw *rw, int *heldp)
{

	pthread_mutex_lock(&rw->rw_lock);
	if (op == RUMPUSER_RW_WRITER)
		*heldp = rw->rw_wheld && rw->rw_writer == rumpuser_curlwp_tls;
	else
		*heldp = rw->rw_readers > 0;
	pthread_mutex_unlock(&rw->rw_lock);
}

/* Create a condition variable (timed waits run on CLOCK_MONOTONIC). */
void
rumpuser_cv_init(struct rumpuser_cv **cvp)
{
	struct rumpuser_cv *cv;
	pthread_condattr_t att;

	cv = pth_alloc(sizeof(*cv), "rumpuser_cv_init");
	rumpuser__nofail(pthread_condattr_init(&att), "pthread_condattr_init");
	rumpuser__nofail(pthread_condattr_setclock(&att, CLOCK_MONOTONIC),
	    "pthread_condattr_setclock");
	rumpuser__nofail(pthread_cond_init(&cv->cv_pthcv, &att),
	    "pthread_cond_init");
	pthread_condattr_destroy(&att);
	cv->cv_nwaiters = 0;
	*cvp = cv;
}

/* Free a condition variable nobody waits on. */
void
rumpuser_cv_destroy(struct rumpuser_cv *cv)
{

	rumpuser__nofail(pthread_cond_destroy(&cv->cv_pthcv),
	    "pthread_cond_destroy");
	free(cv);
}

/*
 * Sleep on cv, releasing mtx, until signalled or (ts != NULL) until the
 * monotonic deadline ts (serial mode: virtual); the vCPU is not held.  On
 * return mtx is held again, except for a SPIN+KMUTEX interlock: that one
 * is released again so the caller takes it back after its vCPU.  Returns
 * the host's result.
 */
static int
cv_sleep(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    const struct timespec *ts)
{
	int rv, late = mtx_relock_late(mtx);

	mtx_disown(mtx);
	if (_RUMPUSER_SERIAL)
		rv = rumpuser__sched_wait(&cv->cv_pthcv, &mtx->m_pthmtx, !late,
		    ts == NULL ? RUMPUSER_SCHED_NEVER : rumpuser__ts2ns(ts));
	else {
		if (ts == NULL)
			rv = pthread_cond_wait(&cv->cv_pthcv, &mtx->m_pthmtx);
		else
			rv = pthread_cond_timedwait(&cv->cv_pthcv,
			    &mtx->m_pthmtx, ts);
		if (late)
			rumpuser__nofail(pthread_mutex_unlock(&mtx->m_pthmtx),
			    "pthread_mutex_unlock");
	}
	if (!late)
		mtx_own(mtx);
	return rv;
}

/*
 * The cv wait of rumpuser_cv_wait and _timedwait, giving up the vCPU.
 * Must be called with mtx held; returns with mtx held.
 */
static int
cv_wait_unscheduled(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    const struct timespec *ts)
{
	int rv;

	cv->cv_nwaiters++;
	RUMPUSER_BLOCKING(mtx, rv = cv_sleep(cv, mtx, ts));
	if (mtx_relock_late(mtx))
		mtx_lock_nowrap(mtx);
	cv->cv_nwaiters--;
	return rv;
}

/* Wait on cv with interlock mtx (held), without the vCPU. */
void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{

	(void)RUMPUSER_FAULT(RUMPUSER_FP_CV_WAIT, -1, 0, 0, NULL);
	rumpuser__nofail(cv_wait_unscheduled(cv, mtx, NULL),
	    "pthread_cond_wait");
}

/* Wait on cv with interlock mtx (held), keeping the vCPU. */
void
rumpuser_cv_wait_nowrap(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{

	cv->cv_nwaiters++;
	mtx_disown(mtx);
	rumpuser__nofail(rumpuser__hwait(&cv->cv_pthcv, &mtx->m_pthmtx),
	    "pthread_cond_wait");
	mtx_own(mtx);
	cv->cv_nwaiters--;
}

/*
 * Wait on cv with interlock mtx (held) for at most sec + nsec from now,
 * without the vCPU: 0 when woken, ETIMEDOUT when the time ran out.  The
 * deadline is taken before the vCPU is given up; serial mode: on the
 * virtual clock.
 */
int
rumpuser_cv_timedwait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx,
    int64_t sec, int64_t nsec)
{
	struct timespec ts;
	int rv;

	if (sec < 0 || nsec < 0 || nsec >= 1000000000L)
		return RUMP_EINVAL;
	if (_RUMPUSER_SERIAL)
		rumpuser__ns2ts(rumpuser__sched_now(), &ts);
	else
		clock_gettime(CLOCK_MONOTONIC, &ts);
	if (RUMPUSER_FAULT(RUMPUSER_FP_CV_TIMEDWAIT, -1, 0, 0, NULL)
	    == RUMPUSER_FA_ERROR)
		return rumpuser__fault_last.fd_error;
	rumpuser__timespec_add(&ts, sec, (long)nsec);
	rv = cv_wait_unscheduled(cv, mtx, &ts);
	if (rv != 0 && rv != ETIMEDOUT)
		rumpuser__nofail(rv, "pthread_cond_timedwait");
	return rumpuser__errtrans(rv);
}

/* Wake one waiter. */
void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{

	rumpuser__nofail(rumpuser__hsignal(&cv->cv_pthcv, 0),
	    "pthread_cond_signal");
}

/* Wake every waiter. */
void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{

	rumpuser__nofail(rumpuser__hsignal(&cv->cv_pthcv, 1),
	    "pthread_cond_broadcast");
}

/* *waitersp = number of waiters (the caller holds the interlock). */
void
rumpuser_cv_has_waiters(struct rumpuser_cv *cv, int *waitersp)
{

	*waitersp = cv->cv_nwaiters;
}
