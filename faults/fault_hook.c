/*
 * The fault wrapper points' slow path: consult the armed hook, count the
 * call, serve a delay.  The fast path is the RUMPUSER_FAULT() macro in
 * rumpuser_int.h; nothing here runs while no hook is armed.
 */
#include <errno.h>
#include <time.h>

#include "rumpuser_int.h"

int rumpuser_fault_armed;
uint64_t rumpuser_fault_calls[RUMPUSER_FP__COUNT];
__thread struct rumpuser_fault_decision rumpuser__fault_last;

static rumpuser_fault_hook_fn fault_hook;
static void *fault_hookarg;

#define _FAULT_NAME(id, name)	[RUMPUSER_FP_##id] = name,
static const char *const fault_names[RUMPUSER_FP__COUNT] = {
	RUMPUSER_FAULT_POINTS(_FAULT_NAME)
};
#undef _FAULT_NAME

/*
 * Install or remove the hook and reset the counters.  The caller makes
 * sure no hypercall is in flight on another thread.
 */
void
rumpuser_fault_sethook(rumpuser_fault_hook_fn fn, void *arg)
{
	int i;

	__atomic_store_n(&rumpuser_fault_armed, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < RUMPUSER_FP__COUNT; i++)
		rumpuser_fault_calls[i] = 0;
	fault_hook = fn;
	fault_hookarg = arg;
	__atomic_store_n(&rumpuser_fault_armed, fn != NULL, __ATOMIC_SEQ_CST);
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
 * Ask the hook about one call at a point (armed only).  Counts the call,
 * sleeps for a delay, and returns RUMPUSER_FA_ERROR or RUMPUSER_FA_SHORT
 * with the decision in rumpuser__fault_last, or 0 to go to the host.
 * Runs with the caller's vCPU held; the delay keeps it.
 */
int
rumpuser__fault_decide(int point, int fd, int64_t off, size_t len,
    const char *name, void *caller)
{
	struct rumpuser_fault_decision *d = &rumpuser__fault_last;
	struct rumpuser_fault_call c;
	rumpuser_fault_hook_fn fn;
	struct timespec ts;

	fn = fault_hook;
	if (fn == NULL)
		return 0;
	__atomic_add_fetch(&rumpuser_fault_calls[point], 1, __ATOMIC_RELAXED);

	c.fc_point = point;
	c.fc_fd = fd;
	c.fc_off = off;
	c.fc_len = len;
	c.fc_name = name;
	c.fc_caller = caller;
	d->fd_action = RUMPUSER_FA_PASS;
	d->fd_error = 0;
	d->fd_delay_us = 0;
	d->fd_length = 0;
	fn(&c, d, fault_hookarg);

	switch (d->fd_action) {
	case RUMPUSER_FA_DELAY:
		ts.tv_sec = (time_t)(d->fd_delay_us / 1000000);
		ts.tv_nsec = (long)(d->fd_delay_us % 1000000) * 1000;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			continue;
		return 0;
	case RUMPUSER_FA_ERROR:
		return d->fd_error != 0 ? RUMPUSER_FA_ERROR : 0;
	case RUMPUSER_FA_SHORT:
		return d->fd_length < len ? RUMPUSER_FA_SHORT : 0;
	default:
		return 0;
	}
}
