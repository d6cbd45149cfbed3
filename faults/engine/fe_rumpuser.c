/*
 * The adapter between librumpuser's wrapper points (faults/fault_hook.h)
 * and the engine: a rumpuser_fault_hook_fn whose argument is the engine.
 *
 * The wrapper points are numbered as the engine's hypercall points (the
 * same list in the same order; checked below at compile time).  The hook
 * tests the engine's gate first, so a point without an armed rule costs
 * the hook one load and returns, unless counting or tracing is on.
 *
 * librumpuser's decision can express pass, error, delay and short
 * transfer.  delay=yield becomes a delay of 0 (nanosleep(0) yields);
 * panic stops the instance through rumpuser_exit(RUMPUSER_PANIC).  torn,
 * bitflip and powercut need the I/O paths of librumpuser to act on them:
 * until they do, such a decision passes, is counted
 * (fe_rumpuser_unsupported()) and is said once on stderr, never silently.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rump/rumpuser.h>

#include "fe_rumpuser.h"

#define _FE_SAME_POINT(sym, name)					\
	_Static_assert((int)FE_PT_##sym == (int)RUMPUSER_FP_##sym,	\
	    "point " #sym " is numbered differently");
FE_HYPER_POINTS(_FE_SAME_POINT)
#undef _FE_SAME_POINT
_Static_assert((int)FE_PT_NHYPER == (int)RUMPUSER_FP__COUNT,
    "librumpuser and the engine have different points");

static uint64_t fe_unsupported;

/*
 * Decide one librumpuser call with the engine given as arg.  Called by
 * librumpuser with the caller's vCPU held, from any thread; takes the
 * engine's lock inside fe_decide().
 */
void
fe_rumpuser_hook(const struct rumpuser_fault_call *rc,
    struct rumpuser_fault_decision *rd, void *arg)
{
	struct fe_engine *e = arg;
	struct fe_decision d;
	struct fe_call c;
	unsigned pt = (unsigned)rc->fc_point;

	if (rc->fc_point < 0 || !fe_gate_open(fe_engine_gate(e), pt))
		return;
	memset(&c, 0, sizeof(c));
	c.fc_caller = (uintptr_t)rc->fc_caller;
	c.fc_len = rc->fc_len;
	switch (pt) {
	case FE_PT_BIO_READ:
	case FE_PT_BIO_WRITE:
	case FE_PT_IOVREAD:
	case FE_PT_IOVWRITE:
		c.fc_hasio = rc->fc_off >= 0;
		c.fc_off = (uint64_t)rc->fc_off;
		break;
	}
	/* The name opened, not the host descriptor: stable across runs. */
	if (rc->fc_name != NULL)
		c.fc_aux = fe_hash64(rc->fc_name, strlen(rc->fc_name), 0);
	fe_decide(e, pt, &c, &d);

	switch (d.fd_action) {
	case FE_PASS:
		break;
	case FE_ERRNO:
		rd->fd_action = RUMPUSER_FA_ERROR;
		rd->fd_error = d.fd_errno;
		break;
	case FE_DELAY:
	case FE_YIELD:
		rd->fd_action = RUMPUSER_FA_DELAY;
		rd->fd_delay_us = d.fd_action == FE_DELAY ? d.fd_arg : 0;
		break;
	case FE_SHORT:
		rd->fd_action = RUMPUSER_FA_SHORT;
		rd->fd_length = d.fd_arg < rc->fc_len ? (size_t)d.fd_arg :
		    rc->fc_len;
		break;
	case FE_PANIC:
		fprintf(stderr, "rumpus: injected panic at %s (rule %d)\n",
		    fe_point_name(pt, NULL), d.fd_rule);
		rumpuser_exit(RUMPUSER_PANIC);
	case FE_TORN:
	case FE_BITFLIP:
	case FE_POWERCUT:
		if (__atomic_fetch_add(&fe_unsupported, 1,
		    __ATOMIC_RELAXED) == 0)
			fprintf(stderr, "rumpus: librumpuser cannot act on "
			    "torn, bitflip or powercut yet: passing (rule "
			    "%d at %s)\n", d.fd_rule, fe_point_name(pt, NULL));
		break;
	}
}

/* Decisions librumpuser could not act on (torn, bitflip, powercut). */
uint64_t
fe_rumpuser_unsupported(void)
{

	return __atomic_load_n(&fe_unsupported, __ATOMIC_RELAXED);
}
