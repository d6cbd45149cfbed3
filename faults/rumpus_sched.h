/*
 * librumpuser's serial schedule: rumpus's own host-side interface, beside
 * rumpuser(3), for host code that runs threads of its own around the
 * kernel (the harness's Lua binding: its interpreter lock, barriers,
 * spawned lwps).
 *
 * In serial mode (RUMPUS_MODE=serial) exactly one participating host
 * thread runs at a time.  Where a thread would block it hands the turn to
 * a runnable thread drawn from a PRNG seeded by RUMPUS_SEED, so the
 * interleaving is a function of the seed.  A thread that waits on the
 * host outside these calls and the hypercalls holds the turn meanwhile.
 * In threads mode (and before rumpuser_init) each call is the pthread
 * call it stands for.
 *
 * Return values are those of the pthread calls (0 or a host errno).
 */
#ifndef _FAULTS_RUMPUS_SCHED_H_
#define _FAULTS_RUMPUS_SCHED_H_

#include <pthread.h>

/* pthread_mutex_lock and _unlock. */
int	rumpus_sched_lock(pthread_mutex_t *);
int	rumpus_sched_unlock(pthread_mutex_t *);
/* pthread_cond_wait (m held) and pthread_cond_broadcast. */
int	rumpus_sched_wait(pthread_cond_t *, pthread_mutex_t *);
int	rumpus_sched_broadcast(pthread_cond_t *);
/*
 * pthread_create (joinable, default attributes) and pthread_join; a
 * thread made in serial mode starts when it is first given the turn.
 */
int	rumpus_sched_create(pthread_t *, void *(*)(void *), void *);
int	rumpus_sched_join(pthread_t);
/* Serial mode: a seeded choice of who runs next, the caller included. */
void	rumpus_sched_yield(void);
/*
 * A signal handler's dump of the kernel (a timeout's, a crash's): while
 * on, the calling thread's lock hypercalls are the plain pthread calls,
 * outside the schedule, whose own lock the interrupted code may hold.
 * Returns the previous setting, for the handler to put back.
 * Async-signal-safe.
 */
int	rumpus_sched_bypass(int);

#endif /* _FAULTS_RUMPUS_SCHED_H_ */
