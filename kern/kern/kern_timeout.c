/*
 * callout(9), driven by a clock kernel thread that exists only while a
 * callout is pending: the first callout_schedule on an empty kernel starts
 * it, and it exits when the queue is empty.  Pending callouts wait on one
 * queue sorted by deadline, a tick boundary (ties in scheduling order);
 * the thread sleeps
 * until the first deadline and runs expired callouts one at a time,
 * without callout_lock held.
 *
 * Lock: callout_lock (adaptive) guards the queue, every callout's c_when,
 * c_seq and c_flags, callout_running and the thread's state.  A callout
 * function may take any lock and may reschedule callouts.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/kthread.h>
#include <sys/callout.h>
#include <sys/time.h>

#include "kern_private.h"

#define CALLOUT_MAGIC	0x63616c6cU	/* "call" */
#define NS_PER_TICK	(1000000000 / HZ)

static kmutex_t callout_lock;
static kcondvar_t callout_cv;		/* the clock thread sleeps here */
static kcondvar_t callout_done_cv;	/* a callout function returned */
static TAILQ_HEAD(, callout) callout_queue;
static callout_t *callout_running;	/* function running now */
static struct lwp *callout_lwp;		/* the clock thread, if any */
static bool callout_starting;		/* it is being created */
static bool callout_dying;		/* teardown: schedule nothing */
static uint64_t callout_seq;

int
callout_startup(void)
{

	mutex_init_static(&callout_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init_static(&callout_cv, "clock");
	cv_init_static(&callout_done_cv, "callout");
	TAILQ_INIT(&callout_queue);
	callout_running = NULL;
	callout_lwp = NULL;
	callout_starting = callout_dying = false;
	callout_seq = 0;
	return 0;
}

void
callout_init(callout_t *c, u_int flags)
{

	memset(c, 0, sizeof(*c));
	c->c_magic = CALLOUT_MAGIC;
}

void
callout_destroy(callout_t *c)
{

	KASSERTMSG(c->c_magic == CALLOUT_MAGIC,
	    "callout_destroy: %p is not an initialised callout", c);
	KASSERTMSG(!(c->c_flags & CALLOUT_PENDING),
	    "callout_destroy: callout %p is pending", c);
	KASSERTMSG(callout_running != c,
	    "callout_destroy: callout %p is running", c);
	c->c_magic = 0;
}

void
callout_setfunc(callout_t *c, void (*func)(void *), void *arg)
{

	c->c_func = func;
	c->c_arg = arg;
}

/*
 * The clock thread: run callouts as they come due, exit when none are
 * pending.
 */
static void
callout_thread(void *arg)
{
	void (*func)(void *);
	callout_t *c;
	int64_t now;
	int ticks;

	mutex_enter(&callout_lock);
	callout_lwp = curlwp;
	callout_starting = false;
	while ((c = TAILQ_FIRST(&callout_queue)) != NULL) {
		now = time_uptime_ns();
		if (c->c_when > now) {
			ticks = (int)((c->c_when - now + NS_PER_TICK - 1) /
			    NS_PER_TICK);
			(void)cv_timedwait(&callout_cv, &callout_lock, ticks);
			continue;
		}
		TAILQ_REMOVE(&callout_queue, c, c_link);
		c->c_flags &= ~CALLOUT_PENDING;
		c->c_flags |= CALLOUT_FIRED | CALLOUT_INVOKING;
		func = c->c_func;
		arg = c->c_arg;
		callout_running = c;
		mutex_exit(&callout_lock);

		func(arg);
		COUNT(c_callouts_fired);

		mutex_enter(&callout_lock);
		callout_running = NULL;
		cv_broadcast(&callout_done_cv);
	}
	callout_lwp = NULL;
	mutex_exit(&callout_lock);
	kthread_exit(0);
}

/*
 * Queue c to run in ticks ticks (at least 1), replacing an earlier
 * schedule; start the clock thread if there is none.
 */
void
callout_schedule(callout_t *c, int ticks)
{
	bool start = false;
	callout_t *next;
	int error;

	KASSERTMSG(c->c_magic == CALLOUT_MAGIC,
	    "callout_schedule: %p is not an initialised callout", c);
	KASSERTMSG(c->c_func != NULL, "callout_schedule: %p has no function",
	    c);
	if (ticks <= 0)
		ticks = 1;
	mutex_enter(&callout_lock);
	if (callout_dying) {
		mutex_exit(&callout_lock);
		return;
	}
	if (c->c_flags & CALLOUT_PENDING)
		TAILQ_REMOVE(&callout_queue, c, c_link);
	/* On a tick boundary, as hardclock would: same tick, same deadline. */
	c->c_when = (time_uptime_ns() / NS_PER_TICK + ticks) * NS_PER_TICK;
	c->c_seq = ++callout_seq;
	c->c_flags = (c->c_flags | CALLOUT_PENDING) & ~CALLOUT_FIRED;
	TAILQ_FOREACH(next, &callout_queue, c_link) {
		if (next->c_when > c->c_when)
			break;
	}
	if (next != NULL)
		TAILQ_INSERT_BEFORE(next, c, c_link);
	else
		TAILQ_INSERT_TAIL(&callout_queue, c, c_link);
	if (callout_lwp == NULL && !callout_starting)
		start = callout_starting = true;
	else if (TAILQ_FIRST(&callout_queue) == c)
		cv_signal(&callout_cv);
	mutex_exit(&callout_lock);

	if (start) {
		/* Past the kmem fault point: no caller could handle it. */
		error = kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_CORE,
		    NULL, callout_thread, NULL, NULL, "clock");
		if (error != 0)
			panic("callout_schedule: cannot start the clock "
			    "thread: error %d", error);
		COUNT(c_clock_threads);
	}
}

void
callout_reset(callout_t *c, int ticks, void (*func)(void *), void *arg)
{

	callout_setfunc(c, func, arg);
	callout_schedule(c, ticks);
}

/*
 * Take c off the queue.  Returns true if it had already fired (its
 * function may still be running: use callout_halt to wait for that).
 */
bool
callout_stop(callout_t *c)
{
	bool expired;

	mutex_enter(&callout_lock);
	expired = (c->c_flags & CALLOUT_FIRED) != 0;
	if (c->c_flags & CALLOUT_PENDING) {
		TAILQ_REMOVE(&callout_queue, c, c_link);
		c->c_flags &= ~CALLOUT_PENDING;
	}
	mutex_exit(&callout_lock);
	return expired;
}

/*
 * callout_stop, then wait until c's function is not running (unless the
 * caller is that function).  interlock, a kmutex the caller holds or
 * NULL, is dropped while waiting.
 */
bool
callout_halt(callout_t *c, void *interlock)
{
	kmutex_t *il = interlock;
	bool expired;

	expired = callout_stop(c);
	mutex_enter(&callout_lock);
	if (callout_running == c && curlwp != callout_lwp) {
		if (il != NULL)
			mutex_exit(il);
		while (callout_running == c)
			cv_wait(&callout_done_cv, &callout_lock);
		mutex_exit(&callout_lock);
		if (il != NULL)
			mutex_enter(il);
		return expired;
	}
	mutex_exit(&callout_lock);
	return expired;
}

bool
callout_pending(callout_t *c)
{

	return (c->c_flags & CALLOUT_PENDING) != 0;
}

bool
callout_expired(callout_t *c)
{

	return (c->c_flags & CALLOUT_FIRED) != 0;
}

bool
callout_active(callout_t *c)
{

	return (c->c_flags & (CALLOUT_PENDING | CALLOUT_FIRED)) != 0;
}

bool
callout_invoking(callout_t *c)
{

	return (c->c_flags & CALLOUT_INVOKING) != 0;
}

void
callout_ack(callout_t *c)
{

	mutex_enter(&callout_lock);
	c->c_flags &= ~CALLOUT_INVOKING;
	mutex_exit(&callout_lock);
}

/*
 * Teardown: cancel every pending callout (counted in the books), refuse
 * new ones, and wake the clock thread so that it exits.
 */
void
callout_shutdown(struct rumpus_books *b)
{
	callout_t *c;
	u_int n = 0;

	mutex_enter(&callout_lock);
	callout_dying = true;
	while ((c = TAILQ_FIRST(&callout_queue)) != NULL) {
		TAILQ_REMOVE(&callout_queue, c, c_link);
		c->c_flags &= ~CALLOUT_PENDING;
		n++;
	}
	cv_broadcast(&callout_cv);
	mutex_exit(&callout_lock);
	if (b != NULL)
		BOOKS_SET(b->b_callouts, n);
}
