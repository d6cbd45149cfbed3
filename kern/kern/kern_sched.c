/*
 * Virtual CPUs and the scheduler upcalls.
 *
 * A host thread runs kernel code only while its lwp holds a virtual CPU.
 * rump_schedule takes one (preferring the lwp's last CPU), waiting if all
 * are busy; rump_unschedule gives it back.  Taking a free CPU is one atomic
 * exchange; only when all are busy do waiters sleep on sched_cv, and a
 * release wakes one of them.  A host thread with no lwp gets an implicit
 * lwp in initproc for the duration (freed at rump_unschedule), as in
 * NetBSD.
 *
 * Blocking hypercalls give the CPU up through hyp_backend_unschedule and
 * take one back through hyp_backend_schedule.  This kernel has no giant
 * lock, so the lock count they carry is always 0; the interlock argument
 * needs no handling because the CPU is not protected by a host mutex.
 *
 * Lock: sched_mtx (host, spin, taken without a CPU) guards sched_waiters
 * and sched_cv; it is a leaf.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/cpu.h>
#include <sys/lwp.h>
#include <sys/proc.h>

#include "kern_private.h"

u_int ncpu;
static struct cpu_info cpu_store[MAXCPUS];
struct cpu_info *cpu_infos = cpu_store;
static struct rumpuser_mtx *sched_mtx;
static struct rumpuser_cv *sched_cv;
static u_int sched_waiters;		/* sched_mtx; read atomically */

/* l_wmesg while a hypercall blocks */
static const char sched_wmesg_hypercall[] = "hypercall";
#define LWP_HYPUNSCHED	sched_wmesg_hypercall

/*
 * Size the CPU set from the host's _RUMPUSER_NCPU (which honours
 * RUMP_NCPU, and is 1 in serial mode): at least 1, at most MAXCPUS.
 * Like rumpuser_init, the host is asked once per process, at the first
 * boot: the answer can cost a /sys read, and a forked instance inherits
 * it from its zygote.
 */
int
sched_init(void)
{
	static int host_ncpu;
	u_int i;
	int n;

	if (host_ncpu == 0) {
		n = kern_getparam_int(RUMPUSER_PARAM_NCPU, 1);
		if (n <= 0)
			n = 1;
		if (n > MAXCPUS) {
			printf("rump kernel: %d CPUs asked for, using %d\n",
			    n, MAXCPUS);
			n = MAXCPUS;
		}
		host_ncpu = n;
	}
	n = host_ncpu;
	ncpu = (u_int)n;
	for (i = 0; i < ncpu; i++) {
		memset(&cpu_store[i], 0, sizeof(cpu_store[i]));
		cpu_store[i].ci_index = i;
	}
	sched_waiters = 0;
	/* Host objects made once per process (see mutex_init_static). */
	if (sched_mtx == NULL) {
		rumpuser_mutex_init(&sched_mtx, RUMPUSER_MTX_SPIN);
		rumpuser_cv_init(&sched_cv);
	}
	return 0;
}

/* One pass over the CPUs from the lwp's last one; NULL if all are busy. */
static struct cpu_info *
sched_cpu_try(struct lwp *l)
{
	struct cpu_info *ci;
	u_int i, start;

	start = l->l_cpu != NULL ? l->l_cpu->ci_index : 0;
	for (i = 0; i < ncpu; i++) {
		ci = &cpu_infos[(start + i) % ncpu];
		if (__atomic_load_n(&ci->ci_busy, __ATOMIC_RELAXED) == 0 &&
		    __atomic_exchange_n(&ci->ci_busy, 1, __ATOMIC_ACQUIRE) == 0)
			return ci;
	}
	return NULL;
}

/* Give l a virtual CPU, waiting for one if need be.  l holds none. */
void
sched_cpu_take(struct lwp *l)
{
	struct cpu_info *ci;

	while ((ci = sched_cpu_try(l)) == NULL) {
		rumpuser_mutex_enter_nowrap(sched_mtx);
		__atomic_add_fetch(&sched_waiters, 1, __ATOMIC_SEQ_CST);
		if ((ci = sched_cpu_try(l)) == NULL)
			rumpuser_cv_wait_nowrap(sched_cv, sched_mtx);
		__atomic_sub_fetch(&sched_waiters, 1, __ATOMIC_SEQ_CST);
		rumpuser_mutex_exit(sched_mtx);
		if (ci != NULL)
			break;
	}
	ci->ci_curlwp = l;
	ci->ci_nschedule++;
	l->l_cpu = ci;
	l->l_stat = LSONPROC;
	COUNT(c_schedules);
}

/* Give back a CPU; wake a waiter if there is one. */
void
sched_cpu_release(struct cpu_info *ci)
{
	struct lwp *l = ci->ci_curlwp;

	if (l != NULL)
		l->l_stat = LSRUN;
	ci->ci_curlwp = NULL;
	__atomic_store_n(&ci->ci_busy, 0, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sched_waiters, __ATOMIC_SEQ_CST) > 0) {
		rumpuser_mutex_enter_nowrap(sched_mtx);
		rumpuser_cv_signal(sched_cv);
		rumpuser_mutex_exit(sched_mtx);
	}
}

/*
 * Tries at the implicit lwp's memory: rump_schedule cannot fail, and an
 * injected host malloc failure there (a bio thread's biodone, a bare
 * thread's syscall) is nobody's error path to test.
 */
#define SCHED_IMPLICIT_TRIES	16

/*
 * Enter the kernel: take a virtual CPU for the calling host thread's lwp,
 * giving a bare thread an implicit lwp first.  The caller's frame bounds
 * the lwp's kernel stack for backtraces.
 */
void
rump_schedule(void)
{
	struct lwp *l;
	int tries;

	if (__predict_false(!kern_booted))
		panic("rump_schedule: the rump kernel is not booted");
	if (__predict_false((l = rumpuser_curlwp()) == NULL)) {
		for (tries = 0; (l = lwp_alloc(initproc,
		    LW_IMPLICIT | LW_WEXIT, "implicit")) == NULL; tries++) {
			if (tries == SCHED_IMPLICIT_TRIES)
				panic("rump_schedule: no memory for the "
				    "implicit lwp of a bare host thread "
				    "(%d tries)", tries + 1);
		}
		lwp_bind(l);
	}
	KASSERTMSG(l->l_stat != LSONPROC, "rump_schedule: lwp %d.%d (%s) "
	    "already holds a virtual CPU (kernel entered twice)",
	    l->l_proc->p_pid, l->l_lid, l->l_name);
	sched_cpu_take(l);
	l->l_stacktop = __builtin_frame_address(1);
	lwp_cache_creds(l);
}

/*
 * Leave the kernel: give the CPU back.  A released lwp (an implicit one,
 * or one rump_pub_lwproc_releaselwp marked) is freed on the way out.
 */
void
rump_unschedule(void)
{
	struct lwp *l = rumpuser_curlwp();
	struct cpu_info *ci;

	KASSERTMSG(l != NULL && l->l_stat == LSONPROC,
	    "rump_unschedule: the calling thread holds no virtual CPU");
	ci = l->l_cpu;
	if (__predict_false(l->l_flag & LW_WEXIT))
		ci = lwproc_switch(NULL);
	sched_cpu_release(ci);
}

/*
 * Upcall: a hypercall is about to block.  Give up the CPU if the thread
 * holds one; note the stack and that it waits in a hypercall unless the
 * kernel already said where it waits.  No giant lock: *nlocks = 0.
 */
static void
sched_backend_unschedule(int nlocks, int *countp, void *interlock)
{
	struct lwp *l = rumpuser_curlwp();

	*countp = 0;
	if (l == NULL || l->l_stat != LSONPROC)
		return;
	if (l->l_wmesg == NULL) {
		l->l_wmesg = LWP_HYPUNSCHED;
		l->l_wchan = interlock;
		l->l_blockfp = __builtin_frame_address(0);
	}
	l->l_flag |= LW_HYPUNSCHED;
	sched_cpu_release(l->l_cpu);
}

/* Upcall: the hypercall stopped blocking; take a CPU back. */
static void
sched_backend_schedule(int nlocks, void *interlock)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL || !(l->l_flag & LW_HYPUNSCHED))
		return;
	l->l_flag &= ~LW_HYPUNSCHED;
	sched_cpu_take(l);
	if (l->l_wmesg == LWP_HYPUNSCHED) {
		l->l_wmesg = NULL;
		l->l_wchan = NULL;
		l->l_blockfp = NULL;
	}
}

/* Upcall, with a CPU held: switch lwps; to none gives the CPU back. */
static void
sched_hyp_lwproc_switch(struct lwp *l)
{
	struct cpu_info *ci;

	ci = lwproc_switch(l);
	if (l == NULL)
		sched_cpu_release(ci);
}

static int
sched_hyp_lwproc_rfork(void *priv, int flags, const char *comm)
{

	return lwproc_rfork(flags, comm);
}

static int
sched_hyp_getpid(void)
{
	struct lwp *l = rumpuser_curlwp();

	return l != NULL ? l->l_proc->p_pid : -1;
}

/* The remote syscall server is not supported: no syscall table here. */
static int
sched_hyp_syscall(int num, void *arg, long *retval)
{

	return ENOSYS;
}

static void
sched_hyp_execnotify(const char *comm)
{
	struct lwp *l = rumpuser_curlwp();

	if (l != NULL)
		strlcpy(l->l_proc->p_comm, comm, sizeof(l->l_proc->p_comm));
}

const struct rumpuser_hyperup sched_hyperup = {
	.hyp_schedule = rump_schedule,
	.hyp_unschedule = rump_unschedule,
	.hyp_backend_unschedule = sched_backend_unschedule,
	.hyp_backend_schedule = sched_backend_schedule,
	.hyp_lwproc_switch = sched_hyp_lwproc_switch,
	.hyp_lwproc_release = lwproc_releaselwp,
	.hyp_lwproc_rfork = sched_hyp_lwproc_rfork,
	.hyp_lwproc_newlwp = lwproc_newlwp,
	.hyp_lwproc_curlwp = lwproc_curlwp,
	.hyp_syscall = sched_hyp_syscall,
	.hyp_lwpexit = lwproc_releaselwp,
	.hyp_execnotify = sched_hyp_execnotify,
	.hyp_getpid = sched_hyp_getpid,
};
