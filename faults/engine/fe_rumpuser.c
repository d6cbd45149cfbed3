/*
 * The adapter between librumpuser's wrapper points (faults/fault_hook.h)
 * and the engine: a rumpuser_fault_hook_fn whose argument is the engine.
 * The LD_PRELOAD interposer (faults/interpose) asks it too, so one
 * mapping serves both.
 *
 * The wrapper points are numbered as the engine's hypercall points (both
 * from faults/fault_points.h).  The hook tests the engine's gate first,
 * so a point without an armed rule costs the hook one load and returns,
 * unless counting or tracing is on (librumpuser's own gate word, kept
 * equal to the engine's, normally stops such calls before the hook).
 *
 * Every engine action has a librumpuser decision: errno, delay, yield,
 * short (capped at the length asked for), torn (K sectors of 512 bytes,
 * then a power cut), bitflip (the bit), powercut, lost; torn and powercut end
 * the process with RUMPUS_POWERCUT_STATUS.  panic stops the instance
 * through rumpuser_exit(RUMPUSER_PANIC).
 */

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rump/rumpuser.h>

#include "fe_rumpuser.h"
#ifdef LIBRUMPUSER
#include "rumpuser_int.h"
#endif

/*
 * Decide one librumpuser call with the engine given as arg; the calling
 * lwp and process come from the kernel when it tells them
 * (fe_kernel_ident).  Called by librumpuser with the caller's vCPU held,
 * from any thread; takes the engine's lock inside fe_decide().
 */
void
fe_rumpuser_hook(const struct rumpuser_fault_call *rc,
    struct rumpuser_fault_decision *rd, void *arg)
{
	struct fe_call c;

	if (rc->fc_point < 0 || !fe_gate_open(fe_engine_gate(arg),
	    (unsigned)rc->fc_point))
		return;
	memset(&c, 0, sizeof(c));
	fe_kernel_ident(&c);
	fe_rumpuser_decide(arg, rc, &c, rd);
}

/*
 * Decide librumpuser call rc with engine e, c holding what the caller
 * knows beyond rc (lwp, process, frame matcher), into *rd.  The gate is
 * the caller's to test.
 */
void
fe_rumpuser_decide(struct fe_engine *e, const struct rumpuser_fault_call *rc,
    struct fe_call *c, struct rumpuser_fault_decision *rd)
{
	struct fe_decision d;
	unsigned pt = (unsigned)rc->fc_point;

	c->fc_caller = (uintptr_t)rc->fc_caller;
	c->fc_len = rc->fc_len;
	switch (pt) {
	case FE_PT_BIO_READ:
	case FE_PT_BIO_WRITE:
	case FE_PT_IOVREAD:
	case FE_PT_IOVWRITE:
		c->fc_hasio = rc->fc_off >= 0;
		c->fc_off = (uint64_t)rc->fc_off;
		break;
	}
	/* The name opened, not the host descriptor: stable across runs. */
	if (rc->fc_name != NULL)
		c->fc_aux = fe_hash64(rc->fc_name, strlen(rc->fc_name), 0);
	fe_decide(e, pt, c, &d);

	switch (d.fd_action) {
	case FE_PASS:
		break;
	case FE_ERRNO:
		rd->fd_action = RUMPUSER_FA_ERROR;
		rd->fd_error = d.fd_errno;
		break;
	case FE_DELAY:
		rd->fd_action = RUMPUSER_FA_DELAY;
		rd->fd_delay_us = d.fd_arg;
		break;
	case FE_YIELD:
		rd->fd_action = RUMPUSER_FA_YIELD;
		break;
	case FE_SHORT:
		rd->fd_action = RUMPUSER_FA_SHORT;
		rd->fd_length = d.fd_arg < rc->fc_len ? (size_t)d.fd_arg :
		    rc->fc_len;
		break;
	case FE_TORN:
		rd->fd_action = RUMPUSER_FA_TORN;
		rd->fd_length = d.fd_arg < rc->fc_len / FE_SECTOR ?
		    (size_t)d.fd_arg * FE_SECTOR : rc->fc_len;
		rd->fd_status = RUMPUS_POWERCUT_STATUS;
		break;
	case FE_BITFLIP:
		rd->fd_action = RUMPUSER_FA_BITFLIP;
		rd->fd_bit = d.fd_arg;
		break;
	case FE_POWERCUT:
		rd->fd_action = RUMPUSER_FA_POWERCUT;
		rd->fd_status = RUMPUS_POWERCUT_STATUS;
		break;
	case FE_PANIC:
		fe_rumpuser_panic(e, pt, d.fd_rule);
		break;
	case FE_LOST:
		rd->fd_action = RUMPUSER_FA_LOST;
		break;
	}
}

/*
 * A panic decided by rule at point pt of engine e: say so on a line that
 * starts "panic: " as a kernel panic's does (the runner names the outcome
 * panic by it), then end the process as a kernel panic does, through
 * rumpuser_exit(RUMPUSER_PANIC).
 */
void
fe_rumpuser_panic(struct fe_engine *e, unsigned pt, int rule)
{
	const char *name = fe_point_name(pt, fe_engine_registry(e));

	fprintf(stderr, "panic: injected by the fault engine at %s (rule "
	    "%d)\n", name != NULL ? name : "?", rule);
	rumpuser_exit(RUMPUSER_PANIC);
}

/*
 * Hold the calling thread up, with whatever it holds (the caller's vCPU):
 * sleep us microseconds, or with yield set, yield the host CPU.  In
 * librumpuser's serial mode the host would only stall the one thread
 * that runs: there a yield is a turn through the schedule, and a sleep a
 * wait, on the thread's own stack, for the virtual clock.
 */
void
fe_rumpuser_pause(int yield, uint64_t us)
{
	struct timespec ts;

#ifdef LIBRUMPUSER
	if (_RUMPUSER_SERIAL) {
		if (yield)
			rumpuser__sched_yield();
		else
			(void)rumpuser__sched_wait(&ts, NULL, 0,
			    rumpuser__sched_now() + (int64_t)us * 1000);
		return;
	}
#endif
	if (yield) {
		sched_yield();
		return;
	}
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/*
 * Flip bit (modulo len * 8) of the first len bytes that vector iov of
 * iovlen entries describes (a read's result).
 */
void
fe_rumpuser_flip(const struct rumpuser_iovec *iov, size_t iovlen, size_t len,
    uint64_t bit)
{
	size_t byte, i;

	if (len == 0)
		return;
	bit %= (uint64_t)len * 8;
	byte = (size_t)(bit / 8);
	for (i = 0; i < iovlen; i++) {
		if (byte < iov[i].iov_len) {
			((unsigned char *)iov[i].iov_base)[byte] ^=
			    (unsigned char)(1u << (bit % 8));
			return;
		}
		byte -= iov[i].iov_len;
	}
}

/*
 * Copy at most limit bytes' worth of vector iov (iovlen entries) into
 * clipped, which has room for iovlen; returns the entries to use (a
 * short transfer or a torn write).
 */
size_t
fe_rumpuser_clip(const struct rumpuser_iovec *iov, size_t iovlen,
    struct rumpuser_iovec *clipped, size_t limit)
{
	size_t i;

	for (i = 0; i < iovlen && limit > 0; i++) {
		clipped[i].iov_base = iov[i].iov_base;
		clipped[i].iov_len = iov[i].iov_len < limit ?
		    iov[i].iov_len : limit;
		limit -= clipped[i].iov_len;
	}
	return i;
}

/*
 * Serve what decision d asks that needs no host transfer: a delay (a
 * sleep) and a yield (fe_rumpuser_pause), both with whatever the calling
 * thread holds (a vCPU).  Returns the action left for the wrapper point:
 * d->fd_action, or RUMPUSER_FA_PASS after a delay or a yield.
 */
int
fe_rumpuser_serve(const struct rumpuser_fault_decision *d)
{

	switch (d->fd_action) {
	case RUMPUSER_FA_DELAY:
	case RUMPUSER_FA_YIELD:
		fe_rumpuser_pause(d->fd_action == RUMPUSER_FA_YIELD,
		    d->fd_delay_us);
		return RUMPUSER_FA_PASS;
	default:
		return d->fd_action;
	}
}

/*
 * Ask hook fn (with arg) about call c, into *d preset to pass; nothing is
 * carried out (fe_rumpuser_serve does a delay or a yield).  Returns
 * d->fd_action.
 */
int
fe_rumpuser_ask(rumpuser_fault_hook_fn fn, void *arg,
    const struct rumpuser_fault_call *c, struct rumpuser_fault_decision *d)
{

	memset(d, 0, sizeof(*d));
	d->fd_action = RUMPUSER_FA_PASS;
	fn(c, d, arg);
	return d->fd_action;
}
