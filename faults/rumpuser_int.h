/*
 * librumpuser internals shared by its source files: the saved upcalls, the
 * mode, the one macro that brackets every blocking host call, the fault
 * point macro and the host-to-NetBSD errno translation.
 */
#ifndef _FAULTS_RUMPUSER_INT_H_
#define _FAULTS_RUMPUSER_INT_H_

#include <sys/types.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <rump/rumpuser.h>

#include "fault_hook.h"

/*
 * Everything declared from here on stays inside the library (hidden in
 * librumpuser.so; a static link, such as the tests', still reaches it).
 */
#pragma GCC visibility push(hidden)

/* The kernel's upcalls, saved by rumpuser_init(). */
extern struct rumpuser_hyperup rumpuser__hyp;

/* Non-zero in serial mode (RUMPUS_MODE=serial); set once by rumpuser_init. */
extern int rumpuser__serial;

/*
 * Serial mode's schedule (rumpuser_sched.c; rumpus_sched.h is its face
 * for the harness): one participating host thread runs at a time, and
 * where one would block (a contended lock, a cv wait, a sleep, a join)
 * it hands the turn to a runnable one drawn from the seed.  Time is
 * virtual (ns from rumpuser_init): it stands still while a thread runs,
 * moves on by a quantum at each turn through the schedule, and jumps to
 * the earliest deadline when every thread waits.
 *
 * sched_lock/unlock and sched_wait/wakeup are the host mutex and cv
 * operations of serial mode (a wait sleeps on any address, chan; m is
 * released meanwhile and taken back if relock; 0, ETIMEDOUT at the
 * deadline, or the host's error).  The rumpuser__h* inlines pick them or
 * the pthread call by mode: one predictable branch in threads mode.
 */
#define RUMPUSER_SCHED_NEVER	INT64_MAX	/* no deadline */

void	rumpuser__sched_init(uint64_t);
int64_t	rumpuser__sched_now(void);
int	rumpuser__sched_lock(pthread_mutex_t *);
int	rumpuser__sched_unlock(pthread_mutex_t *);
int	rumpuser__sched_wait(const void *, pthread_mutex_t *, int, int64_t);
void	rumpuser__sched_wakeup(const void *, int);
int	rumpuser__sched_create(pthread_t *, int, void *(*)(void *), void *);
int	rumpuser__sched_join(pthread_t);
void	rumpuser__sched_exit(void);
void	rumpuser__sched_yield(void);

#define _RUMPUSER_SERIAL	__builtin_expect(rumpuser__serial, 0)

static inline int
rumpuser__hlock(pthread_mutex_t *m)
{

	return _RUMPUSER_SERIAL ? rumpuser__sched_lock(m) :
	    pthread_mutex_lock(m);
}

static inline int
rumpuser__hunlock(pthread_mutex_t *m)
{

	return _RUMPUSER_SERIAL ? rumpuser__sched_unlock(m) :
	    pthread_mutex_unlock(m);
}

/* pthread_cond_wait, and _signal or _broadcast (all). */
static inline int
rumpuser__hwait(pthread_cond_t *cv, pthread_mutex_t *m)
{

	return _RUMPUSER_SERIAL ?
	    rumpuser__sched_wait(cv, m, 1, RUMPUSER_SCHED_NEVER) :
	    pthread_cond_wait(cv, m);
}

static inline int
rumpuser__hsignal(pthread_cond_t *cv, int all)
{

	if (_RUMPUSER_SERIAL) {
		rumpuser__sched_wakeup(cv, all);
		return 0;
	}
	return all ? pthread_cond_broadcast(cv) : pthread_cond_signal(cv);
}

/* The seeded generator (xoshiro256**) of getrandom and the schedule. */
void	rumpuser__prng_seed(uint64_t *, uint64_t);
uint64_t rumpuser__prng_next(uint64_t *);

/*
 * RUMPUSER_BLOCKING(interlock, stmt): run stmt, which may block on the
 * host, without a virtual CPU.  Every blocking host call in librumpuser
 * goes through this macro and nowhere else calls hyp_backend_(un)schedule,
 * so no call site can forget either half.  interlock is the rumpuser_mtx
 * the caller sleeps on (cv waits), or NULL.  The *_nowrap hypercalls and
 * spin mutexes never use it.
 */
#define RUMPUSER_BLOCKING(interlock, stmt) do {				\
	int _rb_nlocks;							\
	rumpuser__hyp.hyp_backend_unschedule(0, &_rb_nlocks, (interlock)); \
	stmt;								\
	rumpuser__hyp.hyp_backend_schedule(_rb_nlocks, (interlock));	\
} while (/*CONSTCOND*/0)

/*
 * RUMPUSER_FAULT(point, fd, off, len, name): the wrapper point of one
 * faultable hypercall, made on behalf of the hypercall's caller.
 * Point's gate closed (nothing armed there): one load of the gate word,
 * one predicted-not-taken branch, value 0.  Open: the hook decides; a
 * delay or yield is served here; the value is RUMPUSER_FA_ERROR,
 * RUMPUSER_FA_SHORT, RUMPUSER_FA_TORN or RUMPUSER_FA_BITFLIP with the
 * details in rumpuser__fault_last (per thread), or 0 to go on.
 * RUMPUSER_FAULT_ASK(point, fd, off, len, name, d) only decides, into *d
 * (left alone when the gate is closed), for rumpuser__fault_act() to
 * carry out later, maybe on another thread (bio's I/O threads).
 *
 * Built without fault points (RUMPUS_NOFAULTS, make nofaults) both are
 * the constant 0 (no argument evaluated), rumpuser__fault_act() too, the
 * bracket around host transfers is empty and the engine's part of init
 * refuses a fault spec: the compiler drops every branch that handles a
 * fault, so no hook, count, gate or engine symbol is defined or
 * referenced (CI/nofaults.sh checks with nm).
 */
#ifdef RUMPUS_NOFAULTS
#define RUMPUSER_FAULT(point, fd, off, len, name)	((void)sizeof(len), 0)
#define RUMPUSER_FAULT_ASK(point, fd, off, len, name, d)		\
	((void)sizeof(len), 0)
#define rumpuser__fault_act(d, len)	((void)sizeof(len), 0)
#define rumpuser__fault_io_begin()	0
#define rumpuser__fault_io_end(io)	((void)(io))
#define rumpuser__faults_init(seed)	rumpuser__noengine()
#define rumpuser__faults_stop(why)	((void)0)
/* RUMPUS_FAULTS or RUMPUS_TRACE set: a message and NetBSD's EINVAL. */
int	rumpuser__noengine(void);
#else
extern uint64_t rumpuser__fault_gate;

#define _RUMPUSER_FAULT_OPEN(point)					\
	__builtin_expect((rumpuser__fault_gate &			\
	    ((uint64_t)1 << (point))) != 0, 0)
#define RUMPUSER_FAULT(point, fd, off, len, name)			\
	(_RUMPUSER_FAULT_OPEN(point) ?					\
	    rumpuser__fault_decide((point), (fd), (off), (len), (name), \
	    __builtin_return_address(0)) : 0)
#define RUMPUSER_FAULT_ASK(point, fd, off, len, name, d)		\
	(_RUMPUSER_FAULT_OPEN(point) ?					\
	    rumpuser__fault_ask((point), (fd), (off), (len), (name),	\
	    __builtin_return_address(0), (d)) : 0)

int	rumpuser__fault_act(const struct rumpuser_fault_decision *, size_t);

/*
 * Around every host transfer (read, write, sync) of a faultable
 * hypercall: begin returns a token for end.  Every gate closed: no lock.
 * Else: a shared hold that a power cut waits for.
 */
int	rumpuser__fault_io_begin(void);
void	rumpuser__fault_io_end(int);

/* The engine's part of rumpuser_init and of a stop (fault_env.c). */
int	rumpuser__faults_init(uint64_t);
void	rumpuser__faults_stop(const char *);
#endif

int	rumpuser__fault_decide(int, int, int64_t, size_t, const char *,
	    void *);
int	rumpuser__fault_ask(int, int, int64_t, size_t, const char *, void *,
	    struct rumpuser_fault_decision *);
extern __thread struct rumpuser_fault_decision rumpuser__fault_last;

/*
 * A power cut: stop all host transfers, (torn write,) then dump the
 * engine's trace and _exit.
 */
void	rumpuser__fault_cut_begin(void);
void	rumpuser__fault_cut_end(int) __dead;

/*
 * The image overlay (rumpuser_overlay.c, rumpus_overlay.h).
 * rumpuser__xfer is every host transfer of bio and iovread/iovwrite:
 * preadv/pwritev (readv/writev at RUMPUSER_IOV_NOSEEK) on a host file,
 * the overlay on a handle of an attached image.  ovl_fileinfo: 1 (and
 * the size) when name is an attached image; ovl_open: -1 when it is not,
 * else 0 or a NetBSD errno; ovl_isfd: fd is such a handle; ovl_close:
 * forget it (before close).
 */
struct iovec;
ssize_t	rumpuser__xfer(int, int, const struct iovec *, int, int64_t);
int	rumpuser__ovl_fileinfo(const char *, uint64_t *);
int	rumpuser__ovl_open(const char *, int, int *);
int	rumpuser__ovl_isfd(int);
void	rumpuser__ovl_close(int);

/* A host errno value as a NetBSD one (EIO for one NetBSD lacks). */
int	rumpuser__errtrans(int);

/* A host call that cannot fail without a bug: abort, naming it. */
void	rumpuser__nofail(int, const char *);

/* ts += (sec, nsec), normalized (0 <= nsec < 1e9 in both). */
static inline void
rumpuser__timespec_add(struct timespec *ts, int64_t sec, long nsec)
{

	ts->tv_sec += (time_t)sec;
	ts->tv_nsec += nsec;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Nanoseconds as a timespec, and back (saturating at SCHED_NEVER). */
static inline void
rumpuser__ns2ts(int64_t ns, struct timespec *ts)
{

	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

static inline int64_t
rumpuser__ts2ns(const struct timespec *ts)
{

	if (ts->tv_sec >= RUMPUSER_SCHED_NEVER / 1000000000 - 1)
		return RUMPUSER_SCHED_NEVER;
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Console flush, before the process ends. */
void	rumpuser__console_flush(void);

#pragma GCC visibility pop

#endif /* _FAULTS_RUMPUSER_INT_H_ */
