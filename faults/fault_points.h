/*
 * The hypercall fault points: the one table of their names, in the one
 * order both librumpuser (fault_hook.h: RUMPUSER_FP_*) and the fault
 * engine (fault_engine.h: FE_PT_*) number them by.  Names as in
 * rumpus-faults(7): a dotted name for an operation of a kind of object
 * (bio.read, mutex.enter), a plain one for a hypercall of its own.
 *
 * Host code only.
 */
#ifndef _FAULTS_FAULT_POINTS_H_
#define _FAULTS_FAULT_POINTS_H_

#define RUMPUS_HYPER_POINTS(X)						\
	X(MALLOC,	 "malloc")					\
	X(BIO_READ,	 "bio.read")					\
	X(BIO_WRITE,	 "bio.write")					\
	X(IOVREAD,	 "iovread")					\
	X(IOVWRITE,	 "iovwrite")					\
	X(OPEN,		 "open")					\
	X(SYNCFD,	 "syncfd")					\
	X(THREAD_CREATE, "thread_create")				\
	X(GETRANDOM,	 "getrandom")					\
	X(CLOCK_SLEEP,	 "clock_sleep")					\
	X(CV_TIMEDWAIT,	 "cv_timedwait")				\
	X(MUTEX_ENTER,	 "mutex.enter")					\
	X(RW_ENTER,	 "rw.enter")					\
	X(CV_WAIT,	 "cv.wait")

/*
 * A power cut ends the process with _exit(RUMPUS_POWERCUT_STATUS): a
 * status no crash (a signal), panic (SIGABRT), sanitizer report (1) or
 * clean end (0) gives, so a runner tells a power cut from the rest.
 */
#define RUMPUS_POWERCUT_STATUS	86

#endif /* _FAULTS_FAULT_POINTS_H_ */
