/*
 * condvar(9) on the rumpuser condition variables.  The host's wait
 * releases the interlock and gives up the virtual CPU, and takes both back
 * before returning; the kernel's own records (mutex owner, held locks,
 * where the lwp waits) are updated around it.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/condvar.h>

#include "kern_private.h"

void
cv_init(kcondvar_t *cv, const char *wmesg)
{

	if ((cv->cv_hyp = hostobj_get(&hostobj_cv)) == NULL)
		rumpuser_cv_init(&cv->cv_hyp);
	cv->cv_wmesg = wmesg;
}

/* A static condvar: its host object lives until the process ends. */
void
cv_init_static(kcondvar_t *cv, const char *wmesg)
{

	if (cv->cv_hyp == NULL)
		cv_init(cv, wmesg);
}

void
cv_destroy(kcondvar_t *cv)
{

	if (!hostobj_put(&hostobj_cv, cv->cv_hyp))
		rumpuser_cv_destroy(cv->cv_hyp);
	cv->cv_hyp = NULL;
}

/* Wait for a signal.  mtx must be held; it is held again on return. */
void
cv_wait(kcondvar_t *cv, kmutex_t *mtx)
{
	const void *site = __builtin_return_address(0);

	mutex_release_for_wait(mtx);
	lwp_block_begin(cv, cv->cv_wmesg);
	rumpuser_cv_wait(cv->cv_hyp, mtx->mtx_hyp);
	lwp_block_end();
	mutex_reacquired_after_wait(mtx, site);
}

/* There are no signals in this kernel: the same as cv_wait. */
int
cv_wait_sig(kcondvar_t *cv, kmutex_t *mtx)
{

	cv_wait(cv, mtx);
	return 0;
}

/*
 * Wait at most ticks clock ticks (0: no limit).  Returns 0 when signalled
 * and EWOULDBLOCK when the time ran out.  mtx must be held, and is again.
 */
int
cv_timedwait(kcondvar_t *cv, kmutex_t *mtx, int ticks)
{
	const void *site = __builtin_return_address(0);
	int64_t ns;
	int error;

	if (ticks <= 0) {
		cv_wait(cv, mtx);
		return 0;
	}
	ns = (int64_t)ticks * (1000000000 / hz);
	mutex_release_for_wait(mtx);
	lwp_block_begin(cv, cv->cv_wmesg);
	error = rumpuser_cv_timedwait(cv->cv_hyp, mtx->mtx_hyp,
	    ns / 1000000000, ns % 1000000000);
	lwp_block_end();
	mutex_reacquired_after_wait(mtx, site);
	return error == 0 ? 0 : EWOULDBLOCK;
}

int
cv_timedwait_sig(kcondvar_t *cv, kmutex_t *mtx, int ticks)
{

	return cv_timedwait(cv, mtx, ticks);
}

void
cv_signal(kcondvar_t *cv)
{

	rumpuser_cv_signal(cv->cv_hyp);
}

void
cv_broadcast(kcondvar_t *cv)
{

	rumpuser_cv_broadcast(cv->cv_hyp);
}

bool
cv_has_waiters(kcondvar_t *cv)
{
	int n;

	rumpuser_cv_has_waiters(cv->cv_hyp, &n);
	return n != 0;
}
