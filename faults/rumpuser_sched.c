/*
 * librumpuser, serial mode's schedule (rumpuser_int.h, rumpus_sched.h):
 * exactly one participating host thread runs at a time, the owner of the
 * turn.  A thread gives the turn up only where it would block: a
 * contended mutex, a cv wait, a sleep, a join, its end, or a yield.  The
 * next owner is drawn, by a PRNG seeded from RUMPUS_SEED (a stream of its
 * own), from the runnable threads in the order they joined; so the
 * interleaving, and with it the hypercall sequence, is a function of the
 * seed.  Wakeups on one channel go first-come first-served.
 *
 * Participants: the thread that calls rumpuser_init, the threads made by
 * rumpuser_thread_create and rumpus_sched_create (runnable from birth,
 * they start when first given the turn), and any other thread at its
 * first wait here (it then waits for the turn first).
 *
 * Time is virtual: it stands still while a thread runs, and each turn
 * through the schedule moves it on by a quantum; waits whose deadline it
 * reaches time out, other threads runnable or not.  When the owner gives
 * up the turn and no thread is runnable, the clock jumps to the earliest
 * deadline and those waits time out.  With no deadline either,
 * every thread waits for good (a deadlock): nobody owns the turn, and
 * the runner's timeout ends the instance as in threads mode.
 *
 * Lock: sched_mtx guards everything here and is a leaf; it is held only
 * inside this file, and across the pthread_cond_wait of a thread waiting
 * for the turn.  Mutexes are taken under it without blocking
 * (pthread_mutex_timedlock with a past deadline, which also reports an
 * ERRORCHECK mutex held by the caller as EDEADLK, as threads mode does).
 */
#define _GNU_SOURCE
#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "rumpuser_int.h"
#include "rumpus_sched.h"

/* A participating thread. */
struct sched_thr {
	TAILQ_ENTRY(sched_thr) st_link;	/* sched_all, in order of joining */
	pthread_cond_t	 st_cv;		/* waits for the turn on this */
	pthread_t	 st_thread;	/* made here: for join */
	void		*(*st_fn)(void *); /* made here: the start routine */
	void		*st_arg;
	const void	*st_chan;	/* ST_WAIT: what it waits on */
	int64_t		 st_deadline;	/* ST_WAIT: virtual ns, or NEVER */
	uint64_t	 st_seq;	/* ST_WAIT: when it began to wait */
	int		 st_state;	/* ST_* */
	int		 st_timedout;	/* its last wait timed out */
	int		 st_joinable;	/* made here, to be joined */
};

#define ST_RUN	0	/* owns the turn, or can take it */
#define ST_WAIT	1	/* waits on st_chan */
#define ST_DONE	2	/* ended; a joinable one stays until joined */

static pthread_mutex_t sched_mtx = PTHREAD_MUTEX_INITIALIZER;
static TAILQ_HEAD(, sched_thr) sched_all = TAILQ_HEAD_INITIALIZER(sched_all);
static struct sched_thr *sched_owner;	/* holds the turn, or NULL */
static int64_t sched_clock;		/* virtual ns; written under sched_mtx */
static uint64_t sched_seq;		/* counts waits begun */
static uint64_t sched_prng[4];		/* who runs next */
static __thread struct sched_thr *sched_self;
/* rumpus_sched_bypass: initial-exec, as a signal handler reads it. */
static __thread int sched_bypass __attribute__((__tls_model__("initial-exec")));

static const struct timespec sched_past;	/* 1970: a lock never waits */

/*
 * Virtual ns each turn through the schedule costs, so that timed waits
 * expire while other threads keep running (a poller does not freeze
 * time); a count of passes, so still a function of the seed.
 */
#define SCHED_QUANTUM	10000

/* A new participant, runnable, not yet on the list; NULL without memory. */
static struct sched_thr *
sched_thr_new(void)
{
	struct sched_thr *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	if (pthread_cond_init(&st->st_cv, NULL) != 0) {
		free(st);
		return NULL;
	}
	st->st_state = ST_RUN;
	return st;
}

static void
sched_thr_free(struct sched_thr *st)
{

	pthread_cond_destroy(&st->st_cv);
	free(st);
}

/* Wait until st owns the turn.  Must be called with sched_mtx held. */
static void
sched_await(struct sched_thr *st)
{

	while (sched_owner != st)
		pthread_cond_wait(&st->st_cv, &sched_mtx);
}

/* st's wait ends.  Must be called with sched_mtx held. */
static void
sched_ready(struct sched_thr *st, int timedout)
{

	st->st_state = ST_RUN;
	st->st_chan = NULL;
	st->st_timedout = timedout;
}

/*
 * The owner gives the turn up (it may be runnable still: a yield).  The
 * clock moves on by SCHED_QUANTUM, and waits whose deadline it reached
 * time out, runnable threads or not; the next owner is drawn from the
 * runnable threads.  If there is none, the clock jumps to the earliest
 * deadline, whose waits time out.  With no deadline either, nobody owns
 * the turn.  Must be called with sched_mtx held.
 */
static void
sched_pass(void)
{
	struct sched_thr *st, *next;
	int64_t when;
	unsigned n, pick;

	__atomic_store_n(&sched_clock, sched_clock + SCHED_QUANTUM,
	    __ATOMIC_RELAXED);
	when = RUMPUSER_SCHED_NEVER;
	n = 0;
	TAILQ_FOREACH(st, &sched_all, st_link) {
		if (st->st_state == ST_WAIT && st->st_deadline <= sched_clock)
			sched_ready(st, 1);
		if (st->st_state == ST_RUN)
			n++;
		else if (st->st_state == ST_WAIT && st->st_deadline < when)
			when = st->st_deadline;
	}
	if (n == 0) {
		if (when == RUMPUSER_SCHED_NEVER) {
			sched_owner = NULL;
			return;
		}
		__atomic_store_n(&sched_clock, when, __ATOMIC_RELAXED);
		TAILQ_FOREACH(st, &sched_all, st_link) {
			if (st->st_state == ST_WAIT &&
			    st->st_deadline <= sched_clock) {
				sched_ready(st, 1);
				n++;
			}
		}
	}
	pick = n > 1 ? (unsigned)(rumpuser__prng_next(sched_prng) % n) : 0;
	next = NULL;
	TAILQ_FOREACH(st, &sched_all, st_link) {
		if (st->st_state == ST_RUN && pick-- == 0) {
			next = st;
			break;
		}
	}
	sched_owner = next;
	pthread_cond_signal(&next->st_cv);
}

/*
 * The calling thread's record; a thread not yet taking part joins, and
 * waits for the turn (or takes it, when nobody has it).  Must be called
 * with sched_mtx held.
 */
static struct sched_thr *
sched_me(void)
{
	struct sched_thr *st;

	if ((st = sched_self) != NULL)
		return st;
	if ((st = sched_thr_new()) == NULL) {
		fprintf(stderr, "librumpuser: serial mode: out of memory\n");
		abort();
	}
	TAILQ_INSERT_TAIL(&sched_all, st, st_link);
	sched_self = st;
	if (sched_owner == NULL)
		sched_owner = st;
	sched_await(st);
	return st;
}

/*
 * The owner me waits on chan until woken or until the virtual deadline;
 * 1 if it timed out.  A deadline already past times out at once, after
 * a turn through the schedule (a yield).  Must be called with sched_mtx
 * held.
 */
static int
sched_sleep(struct sched_thr *me, const void *chan, int64_t deadline)
{

	if (deadline <= sched_clock)
		sched_ready(me, 1);
	else {
		me->st_state = ST_WAIT;
		me->st_chan = chan;
		me->st_deadline = deadline;
		me->st_seq = ++sched_seq;
	}
	sched_pass();
	sched_await(me);
	return me->st_timedout;
}

/*
 * Wake the first waiter on chan (all of them if all).  If nobody owned the
 * turn (a thread that does not take part woke a system that waited),
 * give it out.  Must be called with sched_mtx held.
 */
static void
sched_wake(const void *chan, int all)
{
	struct sched_thr *st, *first = NULL;

	TAILQ_FOREACH(st, &sched_all, st_link) {
		if (st->st_state != ST_WAIT || st->st_chan != chan)
			continue;
		if (all)
			sched_ready(st, 0);
		else if (first == NULL || st->st_seq < first->st_seq)
			first = st;
	}
	if (first != NULL)
		sched_ready(first, 0);
	if (sched_owner == NULL)
		sched_pass();
}

/* Take m, waiting on it in the schedule.  Must hold sched_mtx. */
static int
sched_take(struct sched_thr *me, pthread_mutex_t *m)
{
	int rv;

	while ((rv = pthread_mutex_timedlock(m, &sched_past)) == ETIMEDOUT)
		(void)sched_sleep(me, m, RUMPUSER_SCHED_NEVER);
	return rv;
}

/*
 * A new boot in serial mode: seed the schedule's stream (seed ^ a
 * constant, so that it is not getrandom's) and start the clock at 0; the
 * caller takes part and owns the turn.
 */
void
rumpuser__sched_init(uint64_t seed)
{

	pthread_mutex_lock(&sched_mtx);
	rumpuser__prng_seed(sched_prng, seed ^ 0x7363686564756c65ULL);
	__atomic_store_n(&sched_clock, 0, __ATOMIC_RELAXED);
	(void)sched_me();
	pthread_mutex_unlock(&sched_mtx);
}

/* The virtual time, ns. */
int64_t
rumpuser__sched_now(void)
{

	return __atomic_load_n(&sched_clock, __ATOMIC_RELAXED);
}

int
rumpuser__sched_lock(pthread_mutex_t *m)
{
	int rv;

	if (sched_bypass)
		return pthread_mutex_lock(m);
	pthread_mutex_lock(&sched_mtx);
	rv = sched_take(sched_me(), m);
	pthread_mutex_unlock(&sched_mtx);
	return rv;
}

int
rumpuser__sched_unlock(pthread_mutex_t *m)
{
	int rv;

	/*
	 * Bypassed: wake m's waiter only if sched_mtx is free.  When it is
	 * not, the handler may have interrupted its holder (this thread,
	 * the owner: nobody else ran, so nobody began to wait on m).
	 */
	if (sched_bypass) {
		if ((rv = pthread_mutex_unlock(m)) == 0 &&
		    pthread_mutex_trylock(&sched_mtx) == 0) {
			sched_wake(m, 0);
			pthread_mutex_unlock(&sched_mtx);
		}
		return rv;
	}
	pthread_mutex_lock(&sched_mtx);
	if ((rv = pthread_mutex_unlock(m)) == 0)
		sched_wake(m, 0);
	pthread_mutex_unlock(&sched_mtx);
	return rv;
}

/*
 * Release m (if not NULL; the caller holds it), wait on chan until woken
 * or until the virtual deadline, take m back if relock.  0, ETIMEDOUT,
 * or the host's error about m.
 */
int
rumpuser__sched_wait(const void *chan, pthread_mutex_t *m, int relock,
    int64_t deadline)
{
	struct sched_thr *me;
	int rv = 0, timedout;

	pthread_mutex_lock(&sched_mtx);
	me = sched_me();
	if (m != NULL) {
		if ((rv = pthread_mutex_unlock(m)) != 0)
			goto out;
		sched_wake(m, 0);
	}
	timedout = sched_sleep(me, chan, deadline);
	if (m != NULL && relock)
		rv = sched_take(me, m);
	if (rv == 0 && timedout)
		rv = ETIMEDOUT;
out:
	pthread_mutex_unlock(&sched_mtx);
	return rv;
}

void
rumpuser__sched_wakeup(const void *chan, int all)
{

	pthread_mutex_lock(&sched_mtx);
	sched_wake(chan, all);
	pthread_mutex_unlock(&sched_mtx);
}

/* A made thread's start: wait for the turn, run, end. */
static void *
sched_start(void *arg)
{
	struct sched_thr *st = arg;
	void *rv;

	sched_self = st;
	pthread_mutex_lock(&sched_mtx);
	sched_await(st);
	pthread_mutex_unlock(&sched_mtx);
	rv = st->st_fn(st->st_arg);
	rumpuser__sched_exit();
	return rv;
}

/*
 * Make a thread that takes part, runnable: it starts when it is first
 * given the turn.  0 or the host's error.
 */
int
rumpuser__sched_create(pthread_t *ptp, int joinable, void *(*fn)(void *),
    void *arg)
{
	struct sched_thr *st;
	pthread_attr_t attr;
	int rv;

	if ((st = sched_thr_new()) == NULL)
		return ENOMEM;
	st->st_fn = fn;
	st->st_arg = arg;
	st->st_joinable = joinable;
	pthread_mutex_lock(&sched_mtx);
	(void)sched_me();
	TAILQ_INSERT_TAIL(&sched_all, st, st_link);
	pthread_mutex_unlock(&sched_mtx);
	if ((rv = pthread_attr_init(&attr)) == 0) {
		if (!joinable)
			(void)pthread_attr_setdetachstate(&attr,
			    PTHREAD_CREATE_DETACHED);
		rv = pthread_create(&st->st_thread, &attr, sched_start, st);
		pthread_attr_destroy(&attr);
	}
	if (rv != 0) {
		pthread_mutex_lock(&sched_mtx);
		TAILQ_REMOVE(&sched_all, st, st_link);
		pthread_mutex_unlock(&sched_mtx);
		sched_thr_free(st);
		return rv;
	}
	*ptp = st->st_thread;
	return 0;
}

/*
 * Wait in the schedule for a thread made by rumpuser__sched_create to
 * end, then join it at the host (a thread made otherwise: a host join,
 * holding the turn).
 */
int
rumpuser__sched_join(pthread_t pt)
{
	struct sched_thr *me, *st;

	pthread_mutex_lock(&sched_mtx);
	me = sched_me();
	TAILQ_FOREACH(st, &sched_all, st_link)
		if (st->st_joinable && pthread_equal(st->st_thread, pt))
			break;
	if (st != NULL) {
		while (st->st_state != ST_DONE)
			(void)sched_sleep(me, st, RUMPUSER_SCHED_NEVER);
		TAILQ_REMOVE(&sched_all, st, st_link);
	}
	pthread_mutex_unlock(&sched_mtx);
	if (st != NULL)
		sched_thr_free(st);
	return pthread_join(pt, NULL);
}

/*
 * The calling thread stops taking part (it ends): wake its joiner, pass
 * the turn on.  A thread that never took part does nothing.
 */
void
rumpuser__sched_exit(void)
{
	struct sched_thr *me = sched_self;
	int gone;

	if (me == NULL)
		return;
	sched_self = NULL;
	pthread_mutex_lock(&sched_mtx);
	me->st_state = ST_DONE;
	sched_wake(me, 1);
	if ((gone = !me->st_joinable))
		TAILQ_REMOVE(&sched_all, me, st_link);
	sched_pass();
	pthread_mutex_unlock(&sched_mtx);
	if (gone)
		sched_thr_free(me);
}

void
rumpuser__sched_yield(void)
{
	struct sched_thr *me;

	pthread_mutex_lock(&sched_mtx);
	me = sched_me();
	sched_pass();
	sched_await(me);
	pthread_mutex_unlock(&sched_mtx);
}

/*
 * In the child of a fork only the forking thread is left: it alone takes
 * part (and owns the turn) if it did in the parent.  The records of the
 * others are dropped (their cvs may be in any state: not destroyed).
 */
static void
sched_atfork_prepare(void)
{

	pthread_mutex_lock(&sched_mtx);
}

static void
sched_atfork_parent(void)
{

	pthread_mutex_unlock(&sched_mtx);
}

static void
sched_atfork_child(void)
{
	struct sched_thr *st;

	pthread_mutex_init(&sched_mtx, NULL);
	while ((st = TAILQ_FIRST(&sched_all)) != NULL) {
		TAILQ_REMOVE(&sched_all, st, st_link);
		if (st != sched_self)
			free(st);
	}
	if ((st = sched_self) != NULL) {
		pthread_cond_init(&st->st_cv, NULL);
		sched_ready(st, 0);
		TAILQ_INSERT_TAIL(&sched_all, st, st_link);
	}
	sched_owner = st;
}

/* Runs when the library is loaded. */
__attribute__((__constructor__))
static void
sched_load(void)
{

	pthread_atfork(sched_atfork_prepare, sched_atfork_parent,
	    sched_atfork_child);
}

/*
 * rumpus_sched.h: the pthread call in threads mode, the schedule's in
 * serial mode.
 */
int
rumpus_sched_lock(pthread_mutex_t *m)
{

	return rumpuser__hlock(m);
}

int
rumpus_sched_unlock(pthread_mutex_t *m)
{

	return rumpuser__hunlock(m);
}

int
rumpus_sched_wait(pthread_cond_t *cv, pthread_mutex_t *m)
{

	return rumpuser__hwait(cv, m);
}

int
rumpus_sched_broadcast(pthread_cond_t *cv)
{

	return rumpuser__hsignal(cv, 1);
}

int
rumpus_sched_create(pthread_t *ptp, void *(*fn)(void *), void *arg)
{

	if (_RUMPUSER_SERIAL)
		return rumpuser__sched_create(ptp, 1, fn, arg);
	return pthread_create(ptp, NULL, fn, arg);
}

int
rumpus_sched_join(pthread_t pt)
{

	if (_RUMPUSER_SERIAL)
		return rumpuser__sched_join(pt);
	return pthread_join(pt, NULL);
}

void
rumpus_sched_yield(void)
{

	if (_RUMPUSER_SERIAL)
		rumpuser__sched_yield();
}

int
rumpus_sched_bypass(int on)
{
	int was = sched_bypass;

	sched_bypass = on;
	return was;
}
