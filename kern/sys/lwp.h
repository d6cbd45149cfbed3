/*
 * Lightweight processes.  Every host thread that runs kernel code is bound
 * to an lwp through rumpuser_curlwpop(); curlwp asks the host
 * (rumpuser_curlwp), never compiler TLS, so a fiber backend can switch
 * lwps on one host thread.
 */
#ifndef _SYS_LWP_H_
#define _SYS_LWP_H_

#include <sys/types.h>
#include <sys/param.h>
#include <sys/queue.h>
#include <sys/lockdebug.h>

struct kauth_cred;

struct lwp {
	struct proc	*l_proc;	/* owning process */
	struct cpu_info	*l_cpu;		/* virtual CPU held, or last held */
	struct kauth_cred *l_cred;	/* cached p_cred (held) */
	lwpid_t		 l_lid;
	int		 l_flag;	/* LW_* */
	int		 l_stat;	/* LS* */
	u_int		 l_refcnt;	/* switched-to count (0 or 1) */

	/* Where it waits, for the books and the lwp dump. */
	const void	*l_wchan;	/* lock or condvar waited on */
	const char	*l_wmesg;	/* what kind of wait */
	void		*l_blockfp;	/* frame pointer when it blocked */
	void		*l_stacktop;	/* outermost kernel frame */

	/* Locks held (kern_lock.c). */
	struct lockdebug_rec l_locks[LOCKDEBUG_MAXHELD];
	u_int		 l_nlocks;	/* held; may exceed the array */

	/* Kernel threads (kern_kthread.c). */
	void		(*l_kfunc)(void *);
	void		*l_karg;
	void		*l_kcookie;	/* host join cookie */

	LIST_ENTRY(lwp)	 l_list;	/* all lwps (alllwp) */
	LIST_ENTRY(lwp)	 l_sibling;	/* the process's lwps */
	LIST_ENTRY(lwp)	 l_zombie;	/* exited kthreads to join */
	char		 l_name[MAXCOMLEN + 16];
};

/* l_flag */
#define LW_SYSTEM	0x0001		/* kernel thread */
#define LW_WEXIT	0x0002		/* released: free when switched away */
#define LW_MUSTJOIN	0x0004		/* kthread_join will collect it */
#define LW_IMPLICIT	0x0008		/* made by rump_schedule for a bare thread */
#define LW_BOUND	0x0010		/* bound to a host thread right now */
#define LW_HYPUNSCHED	0x0020		/* CPU given up inside a hypercall */
#define LW_CORE		0x0040		/* the core's own: no kmem faults */

/* l_stat */
#define LSIDL		1
#define LSRUN		2
#define LSSLEEP		3
#define LSZOMB		5
#define LSONPROC	7

extern struct lwp lwp0;

struct lwp *lwp_curlwp(void);
#define curlwp		lwp_curlwp()
#define curproc		(curlwp->l_proc)

/* Wait bookkeeping around a blocking call (kern_lwp.c). */
void	lwp_block_begin(const void *, const char *);
void	lwp_block_end(void);

#endif /* _SYS_LWP_H_ */
