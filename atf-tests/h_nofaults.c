/*
 * Linked into the test programs of a build without fault points (make
 * nofaults, atf-tests/Makefile.inc): the hook entry points that the
 * kernel (rumpus_ext.h) and librumpuser (fault_hook.h) have only with
 * them.  A case skips, saying why, where it arms a fault or asks for the
 * registry; what it checked before that ran, and disarming is a no-op.
 */
#include <stddef.h>

#include <atf-c.h>

#include <rump/rumpus_ext.h>

#include "fault_hook.h"

#define H_NOFAULTS	"this build has no fault points (make nofaults)"

void
rumpus_fault_set_hook(rumpus_fault_hook_t hook, void *arg)
{

	if (hook != NULL)
		atf_tc_skip(H_NOFAULTS);
}

size_t
rumpus_fault_points(const struct rumpus_fault_point **fp, size_t max)
{

	atf_tc_skip(H_NOFAULTS);
}

void
rumpuser_fault_sethook(rumpuser_fault_hook_fn fn, void *arg)
{

	if (fn != NULL)
		atf_tc_skip(H_NOFAULTS);
}
