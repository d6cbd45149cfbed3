/*
 * The fault wrapper points' slow path: consult the installed hook, count
 * the call, serve a delay or a yield.  The fast path is the
 * RUMPUSER_FAULT() macro in rumpuser_int.h; nothing here runs for a point
 * whose gate is closed.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fe_rumpuser.h"
#include "rumpuser_int.h"

/* Bit (1 << point) set: the point calls the hook.  Hidden: one load. */
uint64_t rumpuser__fault_gate;
#define FAULT_ALLPOINTS	(((uint64_t)1 << RUMPUSER_FP__COUNT) - 1)

uint64_t rumpuser_fault_calls[RUMPUSER_FP__COUNT];
__thread struct rumpuser_fault_decision rumpuser__fault_last;

static rumpuser_fault_hook_fn fault_hook;
static void *fault_hookarg;

/*
 * Power cuts: host transfers hold fault_iolock shared while a hook is
 * armed; a cut sets fault_cutting (no transfer starts after it) and takes
 * the lock exclusive (those in flight have finished).  Writers preferred,
 * so a cut is not starved by a stream of transfers.
 */
static pthread_rwlock_t fault_iolock =
    PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static int fault_cutting;

#define _FAULT_NAME(id, name)	[RUMPUSER_FP_##id] = name,
static const char *const fault_names[RUMPUSER_FP__COUNT] = {
	RUMPUSER_FAULT_POINTS(_FAULT_NAME)
};
#undef _FAULT_NAME

/*
 * Install or remove the hook, reset the counters and open (or, for NULL,
 * close) every gate.  The caller makes sure no hypercall is in flight on
 * another thread.
 */
void
rumpuser_fault_sethook(rumpuser_fault_hook_fn fn, void *arg)
{
	int i;

	__atomic_store_n(&rumpuser__fault_gate, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < RUMPUSER_FP__COUNT; i++)
		rumpuser_fault_calls[i] = 0;
	__atomic_store_n(&fault_hookarg, arg, __ATOMIC_SEQ_CST);
	__atomic_store_n(&fault_hook, fn, __ATOMIC_SEQ_CST);
	if (fn != NULL)
		rumpuser_fault_setgate(FAULT_ALLPOINTS);
}

/* Open the gates of the points in mask, close the others. */
void
rumpuser_fault_setgate(uint64_t mask)
{

	__atomic_store_n(&rumpuser__fault_gate, mask & FAULT_ALLPOINTS,
	    __ATOMIC_SEQ_CST);
}

/* The gate word: which points call the hook. */
uint64_t
rumpuser_fault_gate(void)
{

	return __atomic_load_n(&rumpuser__fault_gate, __ATOMIC_RELAXED);
}

/* The point's name, or NULL for a number that is not a point. */
const char *
rumpuser_fault_pointname(int point)
{

	if (point < 0 || point >= RUMPUSER_FP__COUNT)
		return NULL;
	return fault_names[point];
}

/*
 * Ask the hook about one call at a point whose gate is open, into *d
 * (pass when no hook is installed), and count the call; nothing is
 * carried out yet (rumpuser__fault_act).  Returns d->fd_action.  Runs
 * with the caller's vCPU held, in the calling thread: the hook sees the
 * caller's stack.
 */
int
rumpuser__fault_ask(int point, int fd, int64_t off, size_t len,
    const char *name, void *caller, struct rumpuser_fault_decision *d)
{
	struct rumpuser_fault_call c;
	rumpuser_fault_hook_fn fn;

	fn = __atomic_load_n(&fault_hook, __ATOMIC_ACQUIRE);
	if (fn == NULL) {
		memset(d, 0, sizeof(*d));
		return d->fd_action = RUMPUSER_FA_PASS;
	}
	__atomic_add_fetch(&rumpuser_fault_calls[point], 1, __ATOMIC_RELAXED);

	c.fc_point = point;
	c.fc_fd = fd;
	c.fc_off = off;
	c.fc_len = len;
	c.fc_name = name;
	c.fc_caller = caller;
	return fe_rumpuser_ask(fn, __atomic_load_n(&fault_hookarg,
	    __ATOMIC_RELAXED), &c, d);
}

/*
 * Carry out decision d for a call of len bytes: sleep for a delay, yield
 * for a yield, cut the power for a power cut.  Returns what the wrapper
 * point applies itself, RUMPUSER_FA_ERROR, _SHORT, _TORN, _BITFLIP or
 * _LOST (details in *d), or 0 to go to the host.  A delay or a yield
 * keeps whatever the calling thread holds (a vCPU).
 */
int
rumpuser__fault_act(const struct rumpuser_fault_decision *d, size_t len)
{

	switch (fe_rumpuser_serve(d)) {
	case RUMPUSER_FA_POWERCUT:
		rumpuser__fault_cut_begin();
		rumpuser__fault_cut_end(d->fd_status);
	case RUMPUSER_FA_TORN:
	case RUMPUSER_FA_BITFLIP:
	case RUMPUSER_FA_LOST:
		return d->fd_action;
	case RUMPUSER_FA_ERROR:
		return d->fd_error != 0 ? RUMPUSER_FA_ERROR : 0;
	case RUMPUSER_FA_SHORT:
		return d->fd_length < len ? RUMPUSER_FA_SHORT : 0;
	default:
		return 0;
	}
}

/*
 * Ask and carry out at once, the decision in rumpuser__fault_last: the
 * wrapper point of every hypercall but bio (RUMPUSER_FAULT).
 */
int
rumpuser__fault_decide(int point, int fd, int64_t off, size_t len,
    const char *name, void *caller)
{

	(void)rumpuser__fault_ask(point, fd, off, len, name, caller,
	    &rumpuser__fault_last);
	return rumpuser__fault_act(&rumpuser__fault_last, len);
}

/*
 * A host transfer starts: while any gate is open, hold fault_iolock
 * shared.  After a power cut was decided the transfer never starts: the
 * thread waits for the process to end.  Returns what
 * rumpuser__fault_io_end wants.
 */
int
rumpuser__fault_io_begin(void)
{

	if (__builtin_expect(rumpuser__fault_gate == 0, 1))
		return 0;
	pthread_rwlock_rdlock(&fault_iolock);
	if (__atomic_load_n(&fault_cutting, __ATOMIC_ACQUIRE)) {
		pthread_rwlock_unlock(&fault_iolock);
		for (;;)
			pause();
	}
	return 1;
}

/* A host transfer is over. */
void
rumpuser__fault_io_end(int held)
{

	if (held)
		pthread_rwlock_unlock(&fault_iolock);
}

/*
 * Start a power cut: no host transfer starts from now on, and on return
 * none is in flight.  The caller must not hold fault_iolock.
 */
void
rumpuser__fault_cut_begin(void)
{

	__atomic_store_n(&fault_cutting, 1, __ATOMIC_RELEASE);
	pthread_rwlock_wrlock(&fault_iolock);
}

/*
 * End the process as a power cut does (after cut_begin): the console and
 * the engine's trace are written out, nothing else.
 */
void
rumpuser__fault_cut_end(int status)
{

	rumpuser__console_flush();
	rumpuser__faults_stop("powercut");
	_exit(status);
}
