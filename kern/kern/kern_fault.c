/*
 * The registry of named fault points and the hook that decides them.
 * Points live in the "rumpus_fault_set" section (FAULT_POINT_DEFINE); the
 * final link provides its bounds.  Not compiled without fault points
 * (make nofaults: <sys/fault.h> then checks nothing).  The hook is installed from above the
 * kernel (the fault engine on the host side), so the kernel itself stays
 * freestanding and knows nothing of rules.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/fault.h>

#include "kern_private.h"

volatile rumpus_fault_hook_t fault_hook;
static void *fault_hook_arg;

extern const struct rumpus_fault_point *const __start_rumpus_fault_set[];
extern const struct rumpus_fault_point *const __stop_rumpus_fault_set[];

/*
 * Install (or, with NULL, remove) the hook.  Call it with no kernel call
 * in progress: checks read the hook without a lock.
 */
void
rumpus_fault_set_hook(rumpus_fault_hook_t hook, void *arg)
{

	fault_hook_arg = arg;
	__atomic_store_n(&fault_hook, hook, __ATOMIC_RELEASE);
}

/* Ask the hook about one operation at a point; 0 or an errno. */
int
fault_check(const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	rumpus_fault_hook_t hook = __atomic_load_n(&fault_hook,
	    __ATOMIC_ACQUIRE);
	int error;

	if (hook == NULL)
		return 0;
	error = hook(fault_hook_arg, fp, fs);
	if (error != 0)
		COUNT(c_faults_injected);
	return error;
}

size_t
rumpus_fault_points(const struct rumpus_fault_point **out, size_t max)
{
	const struct rumpus_fault_point *const *p;
	size_t n = 0;

	for (p = __start_rumpus_fault_set; p < __stop_rumpus_fault_set; p++) {
		if (n < max)
			out[n] = *p;
		n++;
	}
	return n;
}
