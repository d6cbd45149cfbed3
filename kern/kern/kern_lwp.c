/*
 * lwps, processes and rump lwprocs (NetBSD's rump_lwproc semantics).
 *
 * proc0 is the kernel (lwp0, kernel threads); initproc (pid 1) holds the
 * implicit lwps of bare host threads.  rump_pub_lwproc_rfork makes a
 * process with a copy of the caller's credentials and switches the
 * calling thread to its first lwp; newlwp adds an lwp to a process and
 * switches to it; releaselwp marks the current lwp to be freed when the
 * thread switches away (or leaves the kernel); a process ends with its
 * last lwp, after the per-process exit hooks ran.
 *
 * Lock order: proc_lock, then p_lock; both adaptive.  alllwp, allproc,
 * p_lwps, p_nlwps and pid allocation are under proc_lock; p_cred is
 * replaced under p_lock.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/kauth.h>
#include <sys/cpu.h>
#include <rump/rump.h>

#include "kern_private.h"

#define PROC_HOOKS_MAX	4
#define PID_MAX		30000

struct lwp lwp0;
struct proc proc0;
struct proc *initproc;
static kmutex_t proc_lock_store;
kmutex_t *proc_lock;
struct lwplist alllwp;
static LIST_HEAD(, proc) allproc;
static pid_t pid_next;
static const struct proc_hooks *proc_hooks[PROC_HOOKS_MAX];
static u_int proc_nhooks;

#define PK_EXITING	0x0100		/* last lwp going: no newlwp */

struct lwp *
lwp_curlwp(void)
{

	return rumpuser_curlwp();
}

/*
 * The current lwp is about to block on wchan (a lock or condvar): note
 * where, for the books.  The hypercall that blocks gives up the CPU.
 */
void
lwp_block_begin(const void *wchan, const char *wmesg)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL)
		return;
	l->l_wchan = wchan;
	l->l_wmesg = wmesg;
	l->l_blockfp = __builtin_frame_address(1);
}

void
lwp_block_end(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL)
		return;
	l->l_wchan = NULL;
	l->l_wmesg = NULL;
	l->l_blockfp = NULL;
}

/*
 * Register the hooks of a layer above the core (at its init).  The hooks
 * are forgotten at teardown.
 */
int
proc_hooks_register(const struct proc_hooks *ph)
{

	if (proc_nhooks == PROC_HOOKS_MAX) {
		printf("proc_hooks_register: no room for \"%s\" (%d hooks)\n",
		    ph->ph_name, PROC_HOOKS_MAX);
		return ENOSPC;
	}
	proc_hooks[proc_nhooks++] = ph;
	return 0;
}

/* Refresh l's cached credentials from its process.  l is curlwp. */
void
lwp_cache_creds(struct lwp *l)
{
	struct proc *p = l->l_proc;
	kauth_cred_t old;

	if (__predict_true(l->l_cred == p->p_cred))
		return;
	mutex_enter(&p->p_lock);
	old = l->l_cred;
	l->l_cred = p->p_cred;
	kauth_cred_hold(l->l_cred);
	mutex_exit(&p->p_lock);
	if (old != NULL)
		kauth_cred_free(old);
}

/*
 * Make an lwp in p (not yet bound to a thread).  Returns NULL when out of
 * memory.  Takes proc_lock.
 */
struct lwp *
lwp_alloc(struct proc *p, int flags, const char *name)
{
	km_flag_t kmf = KM_SLEEP |
	    (flags & (LW_IMPLICIT | LW_CORE) ? KM_NOFAULT : 0);
	struct lwp *l;

	if ((l = kmem_alloc(sizeof(*l), kmf)) == NULL)
		return NULL;
	memset(l, 0, sizeof(*l));
	l->l_proc = p;
	l->l_flag = flags;
	l->l_stat = LSIDL;
	strlcpy(l->l_name, name, sizeof(l->l_name));
	mutex_enter(&p->p_lock);
	l->l_cred = p->p_cred;
	kauth_cred_hold(l->l_cred);
	mutex_exit(&p->p_lock);

	mutex_enter(proc_lock);
	l->l_lid = ++p->p_nlwpid;
	p->p_nlwps++;
	LIST_INSERT_HEAD(&p->p_lwps, l, l_sibling);
	LIST_INSERT_HEAD(&alllwp, l, l_list);
	mutex_exit(proc_lock);

	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
	COUNT(c_lwps_created);
	return l;
}

/* Bind l to the calling host thread (curlwp = l). */
void
lwp_bind(struct lwp *l)
{

	KASSERTMSG(!(l->l_flag & LW_BOUND),
	    "lwp %d.%d (%s) is already bound to a thread", l->l_proc->p_pid,
	    l->l_lid, l->l_name);
	l->l_flag |= LW_BOUND;
	rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
}

void
lwp_unbind(struct lwp *l)
{

	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	l->l_flag &= ~LW_BOUND;
}

/*
 * Run the exit hooks of p, whose last lwp is going.  Called in that lwp
 * (or in lwp0 at teardown), with a CPU and no locks held.
 */
static void
proc_exit_hooks(struct proc *p)
{
	u_int i;

	for (i = proc_nhooks; i-- > 0;) {
		if (proc_hooks[i]->ph_exit != NULL)
			proc_hooks[i]->ph_exit(p);
	}
}

/* Free the memory of a process already off allproc.  Takes no lock. */
static void
proc_destroy(struct proc *p)
{

	kauth_cred_free(p->p_cred);
	mutex_destroy(&p->p_lock);
	kmem_free(p, sizeof(*p));
}

/* Free a process that has no lwps left and whose hooks have run. */
static void
proc_free(struct proc *p)
{

	mutex_enter(proc_lock);
	LIST_REMOVE(p, p_list);
	mutex_exit(proc_lock);
	proc_destroy(p);
}

/*
 * First half of freeing l: take it off the lists (and its process off
 * allproc if l was the last lwp of an ordinary process, whose exit hooks
 * ran before).  Takes proc_lock, so the caller must be able to block:
 * when l is curlwp it must still be bound.  Returns l's process if it is
 * to be freed with l, else NULL.
 */
static struct proc *
lwp_detach(struct lwp *l)
{
	struct proc *p = l->l_proc;
	bool last;

	mutex_enter(proc_lock);
	LIST_REMOVE(l, l_list);
	LIST_REMOVE(l, l_sibling);
	last = --p->p_nlwps == 0 && p != &proc0 && p != initproc;
	if (last)
		LIST_REMOVE(p, p_list);
	mutex_exit(proc_lock);
	return last ? p : NULL;
}

/* Second half: free l (bound to no thread) and p if not NULL.  No locks. */
static void
lwp_destroy(struct lwp *l, struct proc *p)
{

	rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, l);
	if (l->l_cred != NULL)
		kauth_cred_free(l->l_cred);
	if (l != &lwp0)
		kmem_free(l, sizeof(*l));
	if (p != NULL)
		proc_destroy(p);
}

/*
 * Free l, which is bound to no thread; free its process too if l was
 * the last lwp of an ordinary process (the exit hooks ran before).
 */
void
lwp_free(struct lwp *l)
{

	lwp_destroy(l, lwp_detach(l));
}

/* True if l is the last lwp of a process that ends with it. */
static bool
lwp_is_last(struct lwp *l)
{
	struct proc *p = l->l_proc;
	bool last;

	mutex_enter(proc_lock);
	last = p->p_nlwps == 1 && p != &proc0 && p != initproc;
	if (last)
		p->p_flag |= PK_EXITING;
	mutex_exit(proc_lock);
	return last;
}

/*
 * Switch the calling thread, which holds a CPU, from its lwp to newl
 * (NULL: to none).  A released old lwp is freed, its process too if it
 * was the last lwp (exit hooks run first, in the old lwp).  Returns the
 * CPU, which newl now holds (or, for NULL, the caller still must give
 * back).
 */
struct cpu_info *
lwproc_switch(struct lwp *newl)
{
	struct lwp *l = rumpuser_curlwp();
	struct proc *deadp = NULL;
	struct cpu_info *ci;

	KASSERTMSG(l != NULL && l->l_stat == LSONPROC,
	    "lwproc_switch: the calling thread holds no virtual CPU");
	if (newl == l)
		return l->l_cpu;
	if (newl != NULL && (newl->l_flag & (LW_BOUND | LW_WEXIT)))
		panic("lwproc_switch: lwp %d.%d (%s) is %s",
		    newl->l_proc->p_pid, newl->l_lid, newl->l_name,
		    newl->l_flag & LW_BOUND ? "running on another thread" :
		    "released");
	if (l->l_flag & LW_WEXIT) {
		if (lwp_is_last(l))
			proc_exit_hooks(l->l_proc);
		/* While l is bound: this may block, giving up the CPU. */
		deadp = lwp_detach(l);
	}

	/*
	 * Nothing below may block while the CPU has no lwp: a blocking
	 * hypercall could not give it up.
	 */
	ci = l->l_cpu;
	lwp_unbind(l);
	l->l_stat = LSRUN;
	if (newl != NULL) {
		lwp_bind(newl);
		newl->l_cpu = ci;
		newl->l_stat = LSONPROC;
		newl->l_stacktop = l->l_stacktop;
		ci->ci_curlwp = newl;
		lwp_cache_creds(newl);
	} else {
		ci->ci_curlwp = NULL;
	}
	if (l->l_flag & LW_WEXIT)
		lwp_destroy(l, deadp);
	return ci;
}

/* Pick a free pid; proc_lock held. */
static pid_t
proc_alloc_pid(void)
{
	struct proc *p;

	for (;;) {
		if (++pid_next > PID_MAX)
			pid_next = 2;
		LIST_FOREACH(p, &allproc, p_list) {
			if (p->p_pid == pid_next)
				break;
		}
		if (p == NULL)
			return pid_next;
	}
}

/*
 * Make a process as a child of parent: a copy of its credentials, the
 * layers' fork hooks run with fdflags (PROC_FD_*).  No lwp yet.  Returns
 * an errno (ENOMEM, or a hook's).
 */
static int
proc_fork(struct proc *parent, int fdflags, const char *comm,
    struct proc **pp)
{
	struct proc *p;
	u_int i;
	int error;

	if ((p = kmem_zalloc(sizeof(*p), KM_SLEEP)) == NULL)
		return ENOMEM;
	mutex_enter(&parent->p_lock);
	p->p_cred = kauth_cred_dup(parent->p_cred);
	mutex_exit(&parent->p_lock);
	if (p->p_cred == NULL) {
		error = ENOMEM;
		goto bad;
	}
	mutex_init(&p->p_lock, MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&p->p_lwps);
	p->p_pptr = parent;
	strlcpy(p->p_comm, comm != NULL ? comm : parent->p_comm,
	    sizeof(p->p_comm));
	for (i = 0; i < proc_nhooks; i++) {
		if (proc_hooks[i]->ph_fork == NULL)
			continue;
		if ((error = proc_hooks[i]->ph_fork(p, parent, fdflags)) != 0)
			goto unhook;
	}
	mutex_enter(proc_lock);
	p->p_pid = proc_alloc_pid();
	LIST_INSERT_HEAD(&allproc, p, p_list);
	mutex_exit(proc_lock);
	COUNT(c_procs_created);
	*pp = p;
	return 0;

 unhook:
	while (i-- > 0) {
		if (proc_hooks[i]->ph_exit != NULL)
			proc_hooks[i]->ph_exit(p);
	}
	mutex_destroy(&p->p_lock);
	kauth_cred_free(p->p_cred);
 bad:
	kmem_free(p, sizeof(*p));
	return error;
}

/* Find a live process by pid; proc_lock held. */
struct proc *
proc_find(pid_t pid)
{
	struct proc *p;

	KASSERT(mutex_owned(proc_lock));
	if (pid == 0)
		return &proc0;
	LIST_FOREACH(p, &allproc, p_list) {
		if (p->p_pid == pid)
			return p;
	}
	return NULL;
}

/*
 * rfork: a new process, child of curproc, with one lwp that the calling
 * thread switches to.  flags: 0 (share descriptors), RUMP_RFFDG (copy) or
 * RUMP_RFCFDG (empty).  CPU held.
 */
int
lwproc_rfork(int flags, const char *comm)
{
	struct proc *p;
	struct lwp *l;
	int error;

	if (flags & ~(RUMP_RFFDG | RUMP_RFCFDG) ||
	    (flags & (RUMP_RFFDG | RUMP_RFCFDG)) == (RUMP_RFFDG | RUMP_RFCFDG))
		return EINVAL;
	if ((error = proc_fork(curproc, flags, comm, &p)) != 0)
		return error;
	if ((l = lwp_alloc(p, 0, p->p_comm)) == NULL) {
		proc_exit_hooks(p);
		proc_free(p);
		return ENOMEM;
	}
	(void)lwproc_switch(l);
	return 0;
}

/* A new lwp in process pid, which the calling thread switches to. */
int
lwproc_newlwp(pid_t pid)
{
	struct proc *p;
	struct lwp *l;
	bool orphan;
	int error = 0;

	mutex_enter(proc_lock);
	p = proc_find(pid);
	if (p == NULL || p == &proc0)
		error = ESRCH;
	else if (p->p_flag & PK_EXITING)
		error = EBUSY;
	else
		p->p_nlwps++;		/* keep it from ending meanwhile */
	mutex_exit(proc_lock);
	if (error != 0)
		return error;

	l = lwp_alloc(p, 0, p->p_comm);
	mutex_enter(proc_lock);
	p->p_nlwps--;
	/* Its last lwp went meanwhile and left the ending to us. */
	if ((orphan = p->p_nlwps == 0))
		p->p_flag |= PK_EXITING;
	mutex_exit(proc_lock);
	if (l == NULL) {
		if (orphan) {
			proc_exit_hooks(p);
			proc_free(p);
		}
		return ENOMEM;
	}
	(void)lwproc_switch(l);
	return 0;
}

/* Mark the current lwp to be freed when the thread switches away. */
void
lwproc_releaselwp(void)
{
	struct lwp *l = rumpuser_curlwp();

	KASSERTMSG(l != NULL, "rump_lwproc_releaselwp: no current lwp");
	if (l->l_flag & LW_WEXIT)
		panic("rump_lwproc_releaselwp: lwp %d.%d (%s) already "
		    "released", l->l_proc->p_pid, l->l_lid, l->l_name);
	l->l_flag |= LW_WEXIT;
}

/* The current lwp, or NULL for an implicit or released one. */
struct lwp *
lwproc_curlwp(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || (l->l_flag & LW_WEXIT))
		return NULL;
	return l;
}

int
rump_pub_lwproc_rfork(int flags)
{
	int error;

	rump_schedule();
	error = lwproc_rfork(flags, NULL);
	rump_unschedule();
	return error;
}

int
rump_pub_lwproc_newlwp(pid_t pid)
{
	int error;

	rump_schedule();
	error = lwproc_newlwp(pid);
	rump_unschedule();
	return error;
}

void
rump_pub_lwproc_switch(struct lwp *l)
{
	struct cpu_info *ci;

	rump_schedule();
	ci = lwproc_switch(l);
	if (l == NULL)
		sched_cpu_release(ci);
	else
		rump_unschedule();
}

void
rump_pub_lwproc_releaselwp(void)
{

	rump_schedule();
	lwproc_releaselwp();
	rump_unschedule();
}

struct lwp *
rump_pub_lwproc_curlwp(void)
{
	struct lwp *l;

	rump_schedule();
	l = lwproc_curlwp();
	rump_unschedule();
	return l;
}

/*
 * Boot: proc_lock, proc0 (root credentials) and lwp0.  initproc comes at
 * the end of boot (proc_init_initproc), after the layers registered their
 * hooks.
 */
int
proc_init(void)
{
	kmutex_t p0lock;

	mutex_init_static(&proc_lock_store, MUTEX_DEFAULT, IPL_NONE);
	proc_lock = &proc_lock_store;
	LIST_INIT(&alllwp);
	LIST_INIT(&allproc);
	pid_next = 0;
	proc_nhooks = 0;

	p0lock = proc0.p_lock;		/* static: keep its host mutex */
	memset(&proc0, 0, sizeof(proc0));
	proc0.p_lock = p0lock;
	mutex_init_static(&proc0.p_lock, MUTEX_DEFAULT, IPL_NONE);
	if ((proc0.p_cred = kauth_cred_alloc()) == NULL)
		goto bad;
	LIST_INIT(&proc0.p_lwps);
	proc0.p_flag = PK_SYSTEM;
	strlcpy(proc0.p_comm, "system", sizeof(proc0.p_comm));

	memset(&lwp0, 0, sizeof(lwp0));
	lwp0.l_proc = &proc0;
	lwp0.l_lid = ++proc0.p_nlwpid;
	lwp0.l_stat = LSIDL;
	lwp0.l_cred = proc0.p_cred;
	kauth_cred_hold(lwp0.l_cred);
	strlcpy(lwp0.l_name, "lwp0", sizeof(lwp0.l_name));
	proc0.p_nlwps = 1;
	LIST_INSERT_HEAD(&proc0.p_lwps, &lwp0, l_sibling);
	LIST_INSERT_HEAD(&alllwp, &lwp0, l_list);
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, &lwp0);
	initproc = NULL;
	return 0;

 bad:
	proc_lock = NULL;
	return ENOMEM;
}

/* Boot, last step: initproc, forked from proc0 with its descriptors. */
int
proc_init_initproc(void)
{
	int error;

	error = proc_fork(&proc0, PROC_FD_COPY, "init", &initproc);
	if (error == 0)
		KASSERT(initproc->p_pid == 1);
	return error;
}

/*
 * Teardown: end every process but proc0 (exit hooks, lwps, the process),
 * as lwp0.  Kernel threads have stopped; other lwps belong to no running
 * thread.
 */
void
proc_reap_all(void)
{
	struct proc *p;
	struct lwp *l;

	for (;;) {
		mutex_enter(proc_lock);
		LIST_FOREACH(p, &allproc, p_list) {
			if (p != initproc)
				break;
		}
		if (p == NULL)
			p = initproc;
		if (p != NULL)
			p->p_flag |= PK_EXITING;
		mutex_exit(proc_lock);
		if (p == NULL)
			break;
		proc_exit_hooks(p);
		while ((l = LIST_FIRST(&p->p_lwps)) != NULL) {
			/* Bound to an idle thread: forget, do not clear. */
			l->l_flag &= ~LW_BOUND;
			if (p->p_nlwps == 1 && p != initproc)
				break;		/* lwp_free frees p too */
			lwp_free(l);
		}
		if (l != NULL) {
			lwp_free(l);
		} else {
			if (p == initproc)
				initproc = NULL;
			proc_free(p);
		}
	}
}

/* Teardown, last: proc0 and lwp0 (unbound) go. */
void
proc_fini(void)
{

	rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, &lwp0);
	kauth_cred_free(lwp0.l_cred);
	kauth_cred_free(proc0.p_cred);
	proc_lock = NULL;
}
