/*
 * Declarations the core's own files share (kern/kern/ only).  Layers above
 * the core use the <sys/...> headers instead.
 */
#ifndef _KERN_KERN_PRIVATE_H_
#define _KERN_KERN_PRIVATE_H_

#include <sys/types.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/queue.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <rump/rumpuser.h>
#include <rump/rumpus_ext.h>
#include <sys/fault.h>

/* The upcalls handed to rumpuser_init (kern_sched.c, kern_lwp.c). */
extern const struct rumpuser_hyperup sched_hyperup;

/* Counters (kern_books.c): updated with relaxed atomics. */
extern struct rumpus_counters kern_counters;
#define COUNT(field)							\
	((void)__atomic_add_fetch(&kern_counters.field, 1, __ATOMIC_RELAXED))
#define COUNT_ADD(field, n)						\
	((void)__atomic_add_fetch(&kern_counters.field, (n), __ATOMIC_RELAXED))

/* Subsystem start and stop, in init_main.c's table order. */
int	cons_init(void);
int	kmem_init(void);
void	kmem_fini(void);
int	sched_init(void);
void	hostio_drain(void);
int	proc_init(void);
int	proc_init_initproc(void);
void	proc_fini(void);
int	callout_startup(void);
void	callout_shutdown(struct rumpus_books *);
int	kthread_startup(void);

/* Scheduler (kern_sched.c). */
void	sched_cpu_take(struct lwp *);
void	sched_cpu_release(struct cpu_info *);
extern struct cpu_info *cpu_infos;

/* lwps and processes (kern_lwp.c). */
struct lwp *lwp_alloc(struct proc *, int, const char *);
void	lwp_free(struct lwp *);
void	lwp_bind(struct lwp *);
void	lwp_unbind(struct lwp *);
void	lwproc_switch(struct lwp *);
int	lwproc_rfork(int, const char *);
int	lwproc_newlwp(pid_t);
void	lwproc_releaselwp(void);
struct lwp *lwproc_curlwp(void);
void	lwp_cache_creds(struct lwp *);
extern kmutex_t *proc_lock;
LIST_HEAD(lwplist, lwp);
extern struct lwplist alllwp;		/* proc_lock */
void	proc_reap_all(void);		/* teardown: free every process */

/* Kernel threads (kern_kthread.c). */
int	kthread_wait_all(int);
/* kthread_create flag: a thread of the core, past the kmem fault point. */
#define KTHREAD_CORE	0x1000

/* Lock debugging (kern_lock.c). */
void	lockdebug_held(struct lwp *, struct rumpus_books *);
int	lockdebug_kind(int);
uintptr_t lockdebug_initsite(const void *, int);
const void *lockdebug_spin_held(const struct lwp *);
const void *lockdebug_waits(const struct lwp *, int *);
const struct lockdebug_rec *lockdebug_holds(const struct lwp *, const void *);
struct hostobj_cache;
extern struct hostobj_cache hostobj_mutex, hostobj_spin, hostobj_rw, hostobj_cv;
void	*hostobj_get(struct hostobj_cache *);
bool	hostobj_put(struct hostobj_cache *, void *);
void	mutex_init_static(kmutex_t *, kmutex_type_t, int);
void	cv_init_static(kcondvar_t *, const char *);
void	mutex_release_for_wait(kmutex_t *);
void	mutex_reacquired_after_wait(kmutex_t *, const void *);

/* kmem internals (kern_kmem.c). */
#define KM_NOFAULT	0x0100		/* skip the kmem.alloc fault point */
void	*kmem_alloc_tagged(size_t, km_flag_t, bool, const struct kmem_site *,
	    const char *, uintptr_t);
void	kmem_books(struct rumpus_books *);
void	kmem_drain(void);
void	kmem_release_all(void);

/* Console (subr_prf.c). */
void	backtrace_print(void *, void *);
void	printf_pc(uintptr_t);
size_t	backtrace_collect(void *, void *, uintptr_t *, size_t);
extern volatile rumpus_symbolizer_t cons_symbolizer;
extern void *cons_symbolizer_arg;

/* Books (kern_books.c). */
void	lwp_info_fill(struct lwp *, struct rumpus_lwpinfo *);
void	books_start(struct rumpus_books *);
/*
 * Set a field of the books only if it changes: books that already say
 * so (a zygote's static books, cleared by its own teardown) are not
 * written, so not copied in a forked instance.
 */
#define BOOKS_SET(field, v)	do {					\
	if ((field) != (v))						\
		(field) = (v);						\
} while (0)
#define BOOKS_LWP_USER		0x01	/* lwps of processes */
#define BOOKS_LWP_SYSTEM	0x02	/* kernel threads and lwp0 */
void	books_add_lwps(struct rumpus_books *, int);

/* Boot state (init_main.c). */
extern volatile int kern_booted;
int	kern_getparam_int(const char *, int);

#endif /* _KERN_KERN_PRIVATE_H_ */
