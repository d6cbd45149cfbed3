/*
 * The one change h_rumpus_deadlock makes to the runner: after the kernel
 * boots, ktestdl1 and ktestdl2 deadlock on a mutex and an rwlock, and
 * ktestdl3 waits into the cycle (ktest_deadlock_start, k_kern.c).  The
 * link's --wrap=rump_init sends the runner's calls here.
 */
#include <rump/rump.h>

#include "h_kern.h"

int	__real_rump_init(void);
int	__wrap_rump_init(void);

int
__wrap_rump_init(void)
{
	void *mtx, *rw;
	int error;

	if ((error = __real_rump_init()) == 0)
		error = ktest_deadlock_start(1, &mtx, &rw);
	return error;
}
