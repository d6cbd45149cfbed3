/*
 * Boot and teardown of the rump kernel.
 *
 * rump_init runs the steps of initsteps[] in order; a step's fini undoes
 * it.  Steps before "lwp0" run on the bare calling thread; "lwp0" binds
 * lwp0 to the calling thread and takes a virtual CPU, so later steps (the
 * layers above the core: add yours before "initproc") run as lwp0.  Boot
 * creates no host thread: the clock thread starts with the first callout.
 *
 * rumpus_teardown ends every process, runs the layers' finis in reverse,
 * cancels callouts, waits for kernel threads, then frees the core's own
 * memory and reports whatever is left in the books (and frees it), so the
 * process can boot again.  The host objects of the core's own static
 * locks live from the first boot to the end of the process.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/kauth.h>
#include <sys/time.h>
#include <rump/rump.h>

#include "kern_private.h"

#define TEARDOWN_KTHREAD_WAIT_MS	2000

volatile int kern_booted;
static bool hyp_inited;
static int initsteps_done;

static int boot_lwp0_enter(void);
static void boot_lwp0_leave(void);

/*
 * One boot step.  is_init either succeeds or fails having undone all it
 * did (a layer's init unwinds itself: a failed boot must leave nothing
 * behind for the next rump_init); is_fini undoes a successful is_init,
 * at teardown or when a later step fails.
 */
struct initstep {
	const char	*is_name;
	int		(*is_init)(void);
	void		(*is_fini)(void);	/* NULL: nothing to undo */
};

/* The layers above the core (each in its own directory). */
int	vfs_init(void);			/* kern/vfs/vfs_init.c */
void	vfs_fini(void);
int	bufinit(void);			/* kern/vfs/vfs_bio.c */
void	buffini(void);
int	ext2fs_init(void);		/* kern/fs/ext2fs/ext2fs_vfsops.c */
void	ext2fs_fini(void);
int	vfs_rootinit(void);		/* kern/vfs/vfs_init.c */
void	vfs_rootfini(void);

static const struct initstep initsteps[] = {
	/* The core, on the bare calling thread. */
	{ "console",	cons_init,		NULL },
	{ "kmem",	kmem_init,		kmem_fini },
	{ "sched",	sched_init,		NULL },
	{ "proc",	proc_init,		proc_fini },
	{ "kthread",	kthread_startup,	NULL },
	{ "callout",	callout_startup,	NULL },
	{ "lwp0",	boot_lwp0_enter,	boot_lwp0_leave },
	/* Layers above the core, as lwp0.  Add yours here. */
	{ "bio",	bufinit,		buffini },
	{ "vfs",	vfs_init,		vfs_fini },
	{ "ext2fs",	ext2fs_init,		ext2fs_fini },
	/* "/", after every file-system type; mounts go before the types. */
	{ "vfsroot",	vfs_rootinit,		vfs_rootfini },
	{ "initproc",	proc_init_initproc,	NULL },
};
#define INITSTEP_LWP0	6

/*
 * An integer parameter from the host (rumpuser_getparam), or def when it
 * is not set.  A value that is not a decimal number is reported and
 * ignored.
 */
int
kern_getparam_int(const char *name, int def)
{
	char buf[32];
	const char *s = buf;
	bool neg = false;
	int v = 0;

	if (rumpuser_getparam(name, buf, sizeof(buf)) != 0)
		return def;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s == '\0')
		goto bad;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			goto bad;
		v = v * 10 + (*s - '0');
	}
	return neg ? -v : v;

 bad:
	printf("rump kernel: parameter %s=\"%s\" is not a decimal number; "
	    "using %d\n", name, buf, def);
	return def;
}

/* Bind lwp0 to the calling thread and give it a CPU. */
static int
boot_lwp0_enter(void)
{

	lwp_bind(&lwp0);
	sched_cpu_take(&lwp0);
	lwp0.l_stacktop = __builtin_frame_address(1);
	return 0;
}

static void
boot_lwp0_leave(void)
{

	sched_cpu_release(lwp0.l_cpu);
	lwp_unbind(&lwp0);
}

/* Undo the first n boot steps, last first. */
static void
boot_unwind(int n)
{

	while (n-- > 0) {
		if (initsteps[n].is_fini != NULL)
			initsteps[n].is_fini();
	}
}

/* Stop the layers above the core, last first.  A CPU held. */
static void
layers_stop(void)
{
	int i;

	for (i = initsteps_done; i-- > INITSTEP_LWP0 + 1;) {
		if (initsteps[i].is_fini != NULL)
			initsteps[i].is_fini();
	}
}

/*
 * Boot the kernel.  Returns 0 (also when it is already up), or the errno
 * of the step that failed, with the earlier steps undone.
 */
int
rump_init(void)
{
	int error, i;

	if (kern_booted)
		return 0;
	KASSERTMSG(initsteps[INITSTEP_LWP0].is_init == boot_lwp0_enter,
	    "init_main.c: INITSTEP_LWP0 does not name the \"lwp0\" step");
	if (!hyp_inited) {
		if ((error = rumpuser_init(RUMPUSER_VERSION,
		    &sched_hyperup)) != 0)
			return error;
		hyp_inited = true;
	}
	memset(&kern_counters, 0, sizeof(kern_counters));
	for (i = 0; i < (int)__arraycount(initsteps); i++) {
		if ((error = initsteps[i].is_init()) != 0) {
			printf("rump kernel: boot step \"%s\" failed: "
			    "error %d\n", initsteps[i].is_name, error);
			boot_unwind(i);
			kern_booted = 0;
			return error;
		}
		if (i == INITSTEP_LWP0)
			kern_booted = 1;
	}
	initsteps_done = i;
	boot_lwp0_leave();
	return 0;
}

/* True if an lwp other than lwp0 is inside a kernel call.  proc_lock. */
static bool
teardown_lwps_busy(void)
{
	struct lwp *l;

	LIST_FOREACH(l, &alllwp, l_list) {
		if (l != &lwp0 && !(l->l_flag & LW_SYSTEM) &&
		    (l->l_stat == LSONPROC || (l->l_flag & LW_HYPUNSCHED)))
			return true;
	}
	return false;
}

/*
 * Stop the kernel and fill the books.  Must be called outside any kernel
 * call; the calling thread's lwp, if it has one, is ended with the rest.
 * 0, EINVAL (not booted), or EBUSY (another thread is inside a kernel
 * call, or kernel threads would not stop: they are in the books, and the
 * kernel stays as it is).
 */
int
rumpus_teardown(struct rumpus_books *books)
{
	struct rumpus_books local;
	struct rumpus_books *b = books != NULL ? books : &local;
	struct lwp *l;
	bool busy;
	int error;

	if (kern_booted != 1)
		return EINVAL;
	books_start(b);
	/* Host I/O completions on their way out are not callers: wait. */
	hostio_drain();
	mutex_enter(proc_lock);
	busy = teardown_lwps_busy();
	mutex_exit(proc_lock);
	if (busy) {
		books_add_lwps(b, BOOKS_LWP_USER);
		kmem_books(b);
		printf("rump kernel: teardown: a thread is inside the kernel\n");
		rumpus_books_print(b);
		return EBUSY;
	}

	if ((l = rumpuser_curlwp()) != NULL)
		lwp_unbind(l);
	boot_lwp0_enter();

	/* Every process ends: record what its lwps still hold first. */
	books_add_lwps(b, BOOKS_LWP_USER);
	proc_reap_all();
	layers_stop();

	callout_shutdown(b);
	if ((error = kthread_wait_all(TEARDOWN_KTHREAD_WAIT_MS)) != 0) {
		books_add_lwps(b, BOOKS_LWP_SYSTEM);
		kmem_books(b);
		printf("rump kernel: teardown: kernel threads did not stop\n");
		rumpus_books_print(b);
		boot_lwp0_leave();
		kern_booted = -1;
		return EBUSY;
	}
	/* I/O of the layers' last writes: its threads leave before kmem. */
	hostio_drain();
	lockdebug_held(&lwp0, b);

	/* The core stops; what kmem still has then is the books'. */
	boot_lwp0_leave();
	kern_booted = 0;
	proc_fini();
	kmem_drain();
	kmem_books(b);
	kmem_fini();
	initsteps_done = 0;
	return 0;
}

/*
 * reboot(2) as NetBSD's rump kernel has it: root only; RB_DUMP ends as a
 * panic; unless RB_NOSYNC the layers stop (file systems sync and
 * unmount); RB_HALT sleeps forever; otherwise the process exits with 0.
 */
int
rump___sysimpl_reboot(int howto, char *bootstr)
{

	rump_schedule();
	if (kauth_authorize_generic(curlwp->l_cred, KAUTH_GENERIC_ISSUSER,
	    NULL) != 0) {
		rump_unschedule();
		rumpuser_seterrno(EPERM);
		return -1;
	}
	printf("rump kernel halting...\n");
	if (howto & RUMP_RB_DUMP) {
		printf("rump kernel: dump asked for: ending as a panic\n");
		rumpuser_exit(RUMPUSER_PANIC);
	}
	if (!(howto & RUMP_RB_NOSYNC))
		layers_stop();
	if (howto & RUMP_RB_HALT) {
		printf("rump kernel halted (with RB_HALT, not exiting)\n");
		for (;;)
			(void)rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 10,
			    0);
	}
	rumpuser_exit(0);
}
