/*
 * kthread(9): kernel threads, each a host thread from
 * rumpuser_thread_create bound to an lwp of proc0.  Every host thread is
 * joined: by kthread_join for KTHREAD_MUSTJOIN threads, otherwise by the
 * kernel (the next kthread_create, or teardown).
 */
#ifndef _SYS_KTHREAD_H_
#define _SYS_KTHREAD_H_

#include <sys/types.h>

#define KTHREAD_IDLE		0x01
#define KTHREAD_MPSAFE		0x02
#define KTHREAD_INTR		0x04
#define KTHREAD_TS		0x08
#define KTHREAD_MUSTJOIN	0x20

#define PRI_NONE		(-1)
#define PRI_KERNEL		0
#define PRI_KTHREAD		0

int	kthread_create(pri_t, int, struct cpu_info *, void (*)(void *),
	    void *, struct lwp **, const char *, ...) __printflike(7, 8);
void	kthread_exit(int) __dead;
int	kthread_join(struct lwp *);

#endif /* _SYS_KTHREAD_H_ */
