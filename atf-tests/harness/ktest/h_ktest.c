/*
 * The one change h_rumpus_ktest makes to the runner: every kernel it
 * boots does what H_RUMPUS_KTEST asks, with the kern tests' kernel-side
 * code (k_kern.c).  The link's --wrap=rump_init sends the runner's calls
 * here.
 *   deadlock: ktestdl1 and ktestdl2 deadlock on a mutex and an rwlock,
 *             and ktestdl3 waits into the cycle (ktest_deadlock_start);
 *   leak:     one kmem allocation is never freed (ktest_leak).
 */
#include <stdlib.h>
#include <string.h>

#include <rump/rump.h>

#include "h_kern.h"

int	__real_rump_init(void);
int	__wrap_rump_init(void);

int
__wrap_rump_init(void)
{
	const char *what = getenv("H_RUMPUS_KTEST");
	void *mtx, *rw;
	int error;

	if ((error = __real_rump_init()) != 0 || what == NULL)
		return error;
	if (strcmp(what, "deadlock") == 0)
		error = ktest_deadlock_start(1, &mtx, &rw);
	else if (strcmp(what, "leak") == 0)
		ktest_leak();
	return error;
}
