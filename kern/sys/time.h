/*
 * Time: NetBSD's struct timespec / timeval layouts and the clock reads
 * (rumpuser_clock_gettime: RELWALL for wall time, ABSMONO for uptime).
 */
#ifndef _SYS_TIME_H_
#define _SYS_TIME_H_

#include <sys/types.h>

struct timespec {
	time_t	tv_sec;
	long	tv_nsec;
};

struct timeval {
	time_t		tv_sec;
	suseconds_t	tv_usec;
};

#define TIMEVAL_TO_TIMESPEC(tv, ts) do {				\
	(ts)->tv_sec = (tv)->tv_sec;					\
	(ts)->tv_nsec = (long)(tv)->tv_usec * 1000;			\
} while (0)
#define TIMESPEC_TO_TIMEVAL(tv, ts) do {				\
	(tv)->tv_sec = (ts)->tv_sec;					\
	(tv)->tv_usec = (suseconds_t)((ts)->tv_nsec / 1000);		\
} while (0)
#define timespeccmp(a, b, cmp)						\
	(((a)->tv_sec == (b)->tv_sec) ?					\
	    ((a)->tv_nsec cmp (b)->tv_nsec) : ((a)->tv_sec cmp (b)->tv_sec))
#define timespecadd(a, b, r) do {					\
	(r)->tv_sec = (a)->tv_sec + (b)->tv_sec;			\
	(r)->tv_nsec = (a)->tv_nsec + (b)->tv_nsec;			\
	if ((r)->tv_nsec >= 1000000000L) {				\
		(r)->tv_sec++;						\
		(r)->tv_nsec -= 1000000000L;				\
	}								\
} while (0)
#define timespecsub(a, b, r) do {					\
	(r)->tv_sec = (a)->tv_sec - (b)->tv_sec;			\
	(r)->tv_nsec = (a)->tv_nsec - (b)->tv_nsec;			\
	if ((r)->tv_nsec < 0) {						\
		(r)->tv_sec--;						\
		(r)->tv_nsec += 1000000000L;				\
	}								\
} while (0)

void	getnanotime(struct timespec *);
void	nanotime(struct timespec *);
void	getmicrotime(struct timeval *);
void	microtime(struct timeval *);
void	getnanouptime(struct timespec *);
void	nanouptime(struct timespec *);
time_t	time_second_get(void);
#define time_second	time_second_get()

/* Nanoseconds of uptime (monotonic). */
int64_t	time_uptime_ns(void);

#endif /* _SYS_TIME_H_ */
