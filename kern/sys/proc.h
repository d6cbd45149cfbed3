/*
 * Processes.  The core owns pid, credentials, parent and lwps; p_fd and
 * p_cwdi belong to the VFS layer, which fills and releases them from the
 * per-process hooks (proc_hooks_register), so the core runs without VFS.
 */
#ifndef _SYS_PROC_H_
#define _SYS_PROC_H_

#include <sys/types.h>
#include <sys/param.h>
#include <sys/queue.h>
#include <sys/mutex.h>
#include <sys/lwp.h>

struct filedesc;
struct cwdinfo;
struct kauth_cred;

struct proc {
	pid_t		 p_pid;
	struct kauth_cred *p_cred;	/* credentials (p_lock) */
	struct filedesc	*p_fd;		/* owned by VFS */
	struct cwdinfo	*p_cwdi;	/* owned by VFS */
	struct proc	*p_pptr;	/* parent */
	kmutex_t	 p_lock;
	LIST_HEAD(, lwp) p_lwps;	/* proc_lock */
	u_int		 p_nlwps;	/* proc_lock */
	lwpid_t		 p_nlwpid;	/* next lid (proc_lock) */
	int		 p_flag;
	LIST_ENTRY(proc) p_list;	/* allproc (proc_lock) */
	char		 p_comm[MAXCOMLEN + 1];
};

#define PK_SYSTEM	0x0002		/* kernel process */

/* How a new process gets its descriptors: rump_pub_lwproc_rfork flags. */
#define PROC_FD_SHARE	0x00		/* share the parent's table */
#define PROC_FD_COPY	0x01		/* RUMP_RFFDG: copy it */
#define PROC_FD_CLEAN	0x02		/* RUMP_RFCFDG: start empty */

/*
 * Per-process hooks of the layers above the core.  ph_fork runs in the new
 * process's creation, before it is visible, with no locks held; an error
 * fails the fork (the hooks already run get ph_exit).  ph_exit runs when
 * the last lwp of a process is gone, with no locks held.
 */
struct proc_hooks {
	const char	*ph_name;
	int		(*ph_fork)(struct proc *, struct proc *, int);
	void		(*ph_exit)(struct proc *);
};
int	proc_hooks_register(const struct proc_hooks *);

extern struct proc proc0;		/* the kernel: kthreads, lwp0 */
extern struct proc *initproc;		/* pid 1: bare host threads */
extern kmutex_t *proc_lock;

struct proc *proc_find(pid_t);		/* proc_lock held */

#endif /* _SYS_PROC_H_ */
