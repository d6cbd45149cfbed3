/*
 * Clocks (rumpuser_clock_gettime) and kpause (rumpuser_clock_sleep, which
 * gives up the virtual CPU while it sleeps).
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/mutex.h>
#include <sys/time.h>

#include "kern_private.h"

int hz = HZ;

static void
time_read(int clock, struct timespec *ts)
{
	int64_t sec;
	long nsec;

	if (rumpuser_clock_gettime(clock, &sec, &nsec) != 0)
		sec = nsec = 0;
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
}

void nanotime(struct timespec *ts) { time_read(RUMPUSER_CLOCK_RELWALL, ts); }
void getnanotime(struct timespec *ts) { nanotime(ts); }
void nanouptime(struct timespec *ts) { time_read(RUMPUSER_CLOCK_ABSMONO, ts); }
void getnanouptime(struct timespec *ts) { nanouptime(ts); }

void
microtime(struct timeval *tv)
{
	struct timespec ts;

	nanotime(&ts);
	TIMESPEC_TO_TIMEVAL(tv, &ts);
}

void
getmicrotime(struct timeval *tv)
{

	microtime(tv);
}

time_t
time_second_get(void)
{
	struct timespec ts;

	nanotime(&ts);
	return ts.tv_sec;
}

int64_t
time_uptime_ns(void)
{
	struct timespec ts;

	nanouptime(&ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Sleep timo ticks (> 0), with mtx (if not NULL) released meanwhile.
 * There are no signals: always EWOULDBLOCK, as a timeout.
 */
int
kpause(const char *wmesg, bool intr, int timo, kmutex_t *mtx)
{
	int64_t ns;

	KASSERTMSG(timo > 0, "kpause(\"%s\"): timeout %d ticks; only a "
	    "positive timeout can end here", wmesg, timo);
	ns = (int64_t)timo * (1000000000 / hz);
	if (mtx != NULL)
		mutex_exit(mtx);
	lwp_block_begin(NULL, wmesg);
	(void)rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, ns / 1000000000,
	    ns % 1000000000);
	lwp_block_end();
	if (mtx != NULL)
		mutex_enter(mtx);
	return EWOULDBLOCK;
}
