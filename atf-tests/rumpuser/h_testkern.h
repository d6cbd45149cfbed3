/*
 * A small test "kernel" for librumpuser's tests: it supplies the upcalls
 * of rumpuser_init(), keeps one flag per host thread saying whether the
 * thread holds a virtual CPU, records every upcall (and what the tests
 * note) in one log, and counts every rule the library breaks (an upcall
 * that finds the thread in the wrong state).
 */
#ifndef _H_TESTKERN_H_
#define _H_TESTKERN_H_

#include <stddef.h>
#include <stdint.h>

#include <rump/rumpuser.h>

enum tk_event {
	TK_SCHED,	/* hyp_schedule */
	TK_UNSCHED,	/* hyp_unschedule */
	TK_BUNSCHED,	/* hyp_backend_unschedule */
	TK_BSCHED,	/* hyp_backend_schedule */
	TK_BIODONE,	/* a test's biodone ran; value: bytes, aux: error */
	TK_NOTE		/* a test's own entry; value and aux are the test's */
};

struct tk_record {
	int	 r_event;	/* enum tk_event */
	int	 r_thread;	/* tk_thread() of the thread */
	int	 r_hascpu;	/* did it hold a vCPU when it logged */
	void	*r_interlock;	/* backend (un)schedule: the interlock */
	int64_t	 r_value;
	int64_t	 r_aux;
};

#define TK_LOGMAX	4096
/* What hyp_backend_unschedule hands out; schedule must give it back. */
#define TK_NLOCKS	7

/* rumpuser_init with the test upcalls; this thread holds a vCPU. */
int	tk_boot(void);
/* This thread's number: 0 for the one that booted, then 1, 2, ... */
int	tk_thread(void);
/* Mark this (test-made) thread as running with / without a vCPU. */
void	tk_setcpu(int);
int	tk_hascpu(void);
/* Add an entry to the log. */
void	tk_note(int, int64_t, int64_t);
/* A copy of the log (at most max entries); returns the count. */
int	tk_log(struct tk_record *, int);
/* Entries so far (an index for tk_count's "from"). */
int	tk_lognow(void);
/* Entries of event ev by thread (-1: any) at or after index from. */
int	tk_count(int, int, int);
/* Wait up to ms for an entry of event ev by thread; 1 if one came. */
int	tk_wait_event(int, int, int, int);
/* Rules broken so far, and the first one's description. */
int	tk_violations(const char **);
/* Called (if set) from the backend schedule upcall, vCPU not yet held. */
extern void (*tk_bsched_hook)(void *);
/* Host threads of this process (from /proc/self/task). */
int	tk_nthreads(void);
/* Monotonic milliseconds. */
int64_t	tk_msec(void);

/* The test fails if the library broke a rule. */
#define TK_REQUIRE_CLEAN() do {						\
	const char *_tk_why;						\
	int _tk_n = tk_violations(&_tk_why);				\
	ATF_REQUIRE_MSG(_tk_n == 0, "%d upcall rule(s) broken, first: %s", \
	    _tk_n, _tk_why);						\
} while (0)

#endif /* _H_TESTKERN_H_ */
