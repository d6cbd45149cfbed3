/*
 * kthread(9).  A kernel thread is a host thread (rumpuser_thread_create,
 * always joinable at the host) bound to an lwp of proc0 and holding a
 * virtual CPU while it runs.  On exit it goes on the zombie list; a
 * KTHREAD_MUSTJOIN thread is collected by kthread_join, the others by the
 * next kthread_create or by teardown, so no host thread is ever left
 * unjoined.
 *
 * Lock: kthread_lock (adaptive) guards kthread_live and the zombie list.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/kthread.h>
#include <sys/time.h>

#include "kern_private.h"

static kmutex_t kthread_lock;
static kcondvar_t kthread_cv;		/* a thread exited */
static u_int kthread_live;		/* kthread_lock */
static LIST_HEAD(, lwp) kthread_zombies; /* kthread_lock */

int
kthread_startup(void)
{

	mutex_init_static(&kthread_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init_static(&kthread_cv, "kthrexit");
	kthread_live = 0;
	LIST_INIT(&kthread_zombies);
	return 0;
}

/* The host thread's start: bind, take a CPU, run, exit. */
static void *
kthread_trampoline(void *arg)
{
	struct lwp *l = arg;

	lwp_bind(l);
	sched_cpu_take(l);
	l->l_stacktop = __builtin_frame_address(0);
	l->l_kfunc(l->l_karg);
	kthread_exit(0);
}

/*
 * Join and free exited threads: all of them (teardown), or those nobody
 * else will join.  Called with a CPU, no locks held.
 */
static void
kthread_collect(bool all)
{
	struct lwp *l, *next;
	LIST_HEAD(, lwp) done;

	LIST_INIT(&done);
	mutex_enter(&kthread_lock);
	LIST_FOREACH_SAFE(l, &kthread_zombies, l_zombie, next) {
		if (all || !(l->l_flag & LW_MUSTJOIN)) {
			LIST_REMOVE(l, l_zombie);
			LIST_INSERT_HEAD(&done, l, l_zombie);
		}
	}
	mutex_exit(&kthread_lock);
	while ((l = LIST_FIRST(&done)) != NULL) {
		LIST_REMOVE(l, l_zombie);
		(void)rumpuser_thread_join(l->l_kcookie);
		lwp_free(l);
	}
}

/*
 * Start func(arg) in a new kernel thread named by fmt.  Returns 0, ENOMEM,
 * or the host's error from rumpuser_thread_create.  No locks held.
 */
int
kthread_create(pri_t pri, int flags, struct cpu_info *ci,
    void (*func)(void *), void *arg, struct lwp **lp, const char *fmt, ...)
{
	char name[MAXCOMLEN + 16];
	struct lwp *l;
	va_list ap;
	int error;

	kthread_collect(false);
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	l = lwp_alloc(&proc0, LW_SYSTEM |
	    (flags & KTHREAD_MUSTJOIN ? LW_MUSTJOIN : 0) |
	    (flags & KTHREAD_CORE ? LW_CORE : 0), name);
	if (l == NULL)
		return ENOMEM;
	l->l_kfunc = func;
	l->l_karg = arg;
	mutex_enter(&kthread_lock);
	kthread_live++;
	mutex_exit(&kthread_lock);
	error = rumpuser_thread_create(kthread_trampoline, l, l->l_name, 1,
	    pri, ci != NULL ? (int)ci->ci_index : -1, &l->l_kcookie);
	if (error != 0) {
		mutex_enter(&kthread_lock);
		kthread_live--;
		mutex_exit(&kthread_lock);
		lwp_free(l);
		return error;
	}
	COUNT(c_kthreads_created);
	if (lp != NULL)
		*lp = l;
	return 0;
}

/* End the calling kernel thread. */
void
kthread_exit(int ecode)
{
	struct lwp *l = curlwp;
	struct cpu_info *ci;

	KASSERTMSG(l->l_flag & LW_SYSTEM, "kthread_exit: lwp %d.%d (%s) is "
	    "not a kernel thread", l->l_proc->p_pid, l->l_lid, l->l_name);
	KASSERTMSG(l->l_nlocks == 0, "kthread_exit: %s exits holding %u "
	    "locks", l->l_name, l->l_nlocks);
	mutex_enter(&kthread_lock);
	kthread_live--;
	LIST_INSERT_HEAD(&kthread_zombies, l, l_zombie);
	cv_broadcast(&kthread_cv);
	mutex_exit(&kthread_lock);
	ci = l->l_cpu;
	lwp_unbind(l);
	sched_cpu_release(ci);
	l->l_stat = LSZOMB;
	rumpuser_thread_exit();
}

/* Is l on the zombie list?  kthread_lock held. */
static bool
kthread_is_zombie(struct lwp *l)
{
	struct lwp *z;

	LIST_FOREACH(z, &kthread_zombies, l_zombie) {
		if (z == l)
			return true;
	}
	return false;
}

/* Wait for a KTHREAD_MUSTJOIN thread to exit, and free it. */
int
kthread_join(struct lwp *l)
{
	int error;

	KASSERTMSG(l->l_flag & LW_MUSTJOIN,
	    "kthread_join: %s was not created KTHREAD_MUSTJOIN", l->l_name);
	mutex_enter(&kthread_lock);
	while (!kthread_is_zombie(l))
		cv_wait(&kthread_cv, &kthread_lock);
	LIST_REMOVE(l, l_zombie);
	mutex_exit(&kthread_lock);
	error = rumpuser_thread_join(l->l_kcookie);
	lwp_free(l);
	return error;
}

/*
 * Teardown: wait up to ms milliseconds for every kernel thread to exit,
 * then join them.  0, or EBUSY if some are still running.
 */
int
kthread_wait_all(int ms)
{
	int64_t deadline = 0;
	int error = 0;

	mutex_enter(&kthread_lock);
	while (kthread_live > 0) {
		if (deadline == 0)
			deadline = time_uptime_ns() + (int64_t)ms * 1000000;
		else if (time_uptime_ns() >= deadline) {
			error = EBUSY;
			break;
		}
		(void)cv_timedwait(&kthread_cv, &kthread_lock, 1);
	}
	mutex_exit(&kthread_lock);
	kthread_collect(true);
	return error;
}
