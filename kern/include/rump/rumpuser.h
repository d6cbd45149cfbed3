/*
 * rumpuser(3), interface version 17: the hypercall boundary between a rump
 * kernel and its host.  This is the whole boundary: kern/ reaches the host
 * only through these calls, and faults/ (librumpuser) implements them.
 * The names, numbers and argument orders are NetBSD's (see
 * shared/docs/rumpuser-v17.md), so either side can be swapped for NetBSD's.
 *
 * Conventions:
 *  - a hypercall returning int returns 0 or a NetBSD errno value
 *    (rump/rumperrno.h), never -1;
 *  - a hypercall that may block gives up the caller's virtual CPU with
 *    hyp_backend_unschedule() first and takes it back with
 *    hyp_backend_schedule() before returning; the *_nowrap calls never do.
 *
 * The includer supplies size_t, int64_t and friends (stddef.h and stdint.h,
 * the compiler's own ones in the freestanding kernel).
 */
#ifndef _RUMP_RUMPUSER_H_
#define _RUMP_RUMPUSER_H_

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif
#ifndef __printflike
#define __printflike(fmt, args)	__attribute__((__format__(__printf__, fmt, args)))
#endif

struct lwp;

#define RUMPUSER_VERSION	17

/* Upcalls: the kernel's entry points that the host library calls. */
struct rumpuser_hyperup {
	void	(*hyp_schedule)(void);
	void	(*hyp_unschedule)(void);
	/* Give up the virtual CPU before blocking; saves the lock depth. */
	void	(*hyp_backend_unschedule)(int, int *, void *);
	/* Take a virtual CPU back after blocking. */
	void	(*hyp_backend_schedule)(int, void *);
	void	(*hyp_lwproc_switch)(struct lwp *);
	void	(*hyp_lwproc_release)(void);
	int	(*hyp_lwproc_rfork)(void *, int, const char *);
	int	(*hyp_lwproc_newlwp)(int);		/* pid_t */
	struct lwp *(*hyp_lwproc_curlwp)(void);
	int	(*hyp_syscall)(int, void *, long *);
	void	(*hyp_lwpexit)(void);
	void	(*hyp_execnotify)(const char *);
	int	(*hyp_getpid)(void);			/* pid_t */
	void	*hyp__extra[8];
};
int	rumpuser_init(int, const struct rumpuser_hyperup *);

/* Memory. */
int	rumpuser_malloc(size_t, int, void **);
void	rumpuser_free(void *, size_t);
int	rumpuser_anonmmap(void *, size_t, int, int, void **);
void	rumpuser_unmap(void *, size_t);

/* Files and I/O. */
#define RUMPUSER_OPEN_RDONLY	0x0000
#define RUMPUSER_OPEN_WRONLY	0x0001
#define RUMPUSER_OPEN_RDWR	0x0002
#define RUMPUSER_OPEN_ACCMODE	0x0003
#define RUMPUSER_OPEN_CREATE	0x0004
#define RUMPUSER_OPEN_EXCL	0x0008
#define RUMPUSER_OPEN_BIO	0x0010	/* the handle will do block I/O */
int	rumpuser_open(const char *, int, int *);
int	rumpuser_close(int);

#define RUMPUSER_FT_OTHER	0
#define RUMPUSER_FT_DIR		1
#define RUMPUSER_FT_REG		2
#define RUMPUSER_FT_BLK		3
#define RUMPUSER_FT_CHR		4
int	rumpuser_getfileinfo(const char *, uint64_t *, int *);

#define RUMPUSER_BIO_READ	0x01
#define RUMPUSER_BIO_WRITE	0x02
#define RUMPUSER_BIO_SYNC	0x04
/* biodone(arg, bytes done, error) runs with a virtual CPU held. */
typedef void (*rump_biodone_fn)(void *, size_t, int);
void	rumpuser_bio(int, int, void *, size_t, int64_t, rump_biodone_fn, void *);

struct rumpuser_iovec {
	void	*iov_base;
	size_t	 iov_len;
};
#define RUMPUSER_IOV_NOSEEK	-1
int	rumpuser_iovread(int, struct rumpuser_iovec *, size_t, int64_t, size_t *);
int	rumpuser_iovwrite(int, const struct rumpuser_iovec *, size_t, int64_t,
	    size_t *);

#define RUMPUSER_SYNCFD_READ	0x01
#define RUMPUSER_SYNCFD_WRITE	0x02
#define RUMPUSER_SYNCFD_BOTH	(RUMPUSER_SYNCFD_READ | RUMPUSER_SYNCFD_WRITE)
#define RUMPUSER_SYNCFD_BARRIER	0x04
#define RUMPUSER_SYNCFD_SYNC	0x08
int	rumpuser_syncfd(int, int, uint64_t, uint64_t);

/* Clocks and sleep. */
enum rumpclock { RUMPUSER_CLOCK_RELWALL, RUMPUSER_CLOCK_ABSMONO };
int	rumpuser_clock_gettime(int, int64_t *, long *);
int	rumpuser_clock_sleep(int, int64_t, long);

/* Host parameters; names starting with '_' must be known. */
#define RUMPUSER_PARAM_NCPU	"_RUMPUSER_NCPU"
#define RUMPUSER_PARAM_HOSTNAME	"_RUMPUSER_HOSTNAME"
int	rumpuser_getparam(const char *, void *, size_t);

/* The errno a rump_sys_*() caller sees, in the calling thread. */
void	rumpuser_seterrno(int);

/* Signals and termination. */
#define RUMPUSER_PID_SELF	((int64_t)-1)
int	rumpuser_kill(int64_t, int);
#define RUMPUSER_PANIC		(-1)
void	rumpuser_exit(int) __dead;

/* Console. */
void	rumpuser_putchar(int);
void	rumpuser_dprintf(const char *, ...) __printflike(1, 2);

/* Host entropy. */
#define RUMPUSER_RANDOM_HARD	0x01
#define RUMPUSER_RANDOM_NOWAIT	0x02
int	rumpuser_getrandom(void *, size_t, int, size_t *);

/* Threads and the host-thread-to-lwp mapping. */
int	rumpuser_thread_create(void *(*)(void *), void *, const char *, int,
	    int, int, void **);
void	rumpuser_thread_exit(void) __dead;
int	rumpuser_thread_join(void *);

enum rumplwpop {
	RUMPUSER_LWP_CREATE, RUMPUSER_LWP_DESTROY,
	RUMPUSER_LWP_SET, RUMPUSER_LWP_CLEAR
};
void	rumpuser_curlwpop(int, struct lwp *);
struct lwp *rumpuser_curlwp(void);

/* Locks; the host library owns the types. */
struct rumpuser_mtx;
#define RUMPUSER_MTX_SPIN	0x01	/* never give up the CPU to take it */
#define RUMPUSER_MTX_KMUTEX	0x02	/* track the owner lwp */
void	rumpuser_mutex_init(struct rumpuser_mtx **, int);
void	rumpuser_mutex_enter(struct rumpuser_mtx *);
void	rumpuser_mutex_enter_nowrap(struct rumpuser_mtx *);
int	rumpuser_mutex_tryenter(struct rumpuser_mtx *);
void	rumpuser_mutex_exit(struct rumpuser_mtx *);
void	rumpuser_mutex_destroy(struct rumpuser_mtx *);
void	rumpuser_mutex_owner(struct rumpuser_mtx *, struct lwp **);

struct rumpuser_rw;
enum rumprwlock { RUMPUSER_RW_READER, RUMPUSER_RW_WRITER };
void	rumpuser_rw_init(struct rumpuser_rw **);
void	rumpuser_rw_enter(int, struct rumpuser_rw *);
int	rumpuser_rw_tryenter(int, struct rumpuser_rw *);
int	rumpuser_rw_tryupgrade(struct rumpuser_rw *);
void	rumpuser_rw_downgrade(struct rumpuser_rw *);
void	rumpuser_rw_exit(struct rumpuser_rw *);
void	rumpuser_rw_destroy(struct rumpuser_rw *);
void	rumpuser_rw_held(int, struct rumpuser_rw *, int *);

struct rumpuser_cv;
void	rumpuser_cv_init(struct rumpuser_cv **);
void	rumpuser_cv_destroy(struct rumpuser_cv *);
void	rumpuser_cv_wait(struct rumpuser_cv *, struct rumpuser_mtx *);
void	rumpuser_cv_wait_nowrap(struct rumpuser_cv *, struct rumpuser_mtx *);
/* Relative timeout; 0 when signalled, ETIMEDOUT when the time ran out. */
int	rumpuser_cv_timedwait(struct rumpuser_cv *, struct rumpuser_mtx *,
	    int64_t, int64_t);
void	rumpuser_cv_signal(struct rumpuser_cv *);
void	rumpuser_cv_broadcast(struct rumpuser_cv *);
void	rumpuser_cv_has_waiters(struct rumpuser_cv *, int *);

/* Dynamic loading: a statically linked kernel gets nothing reported. */
struct modinfo;
struct rump_component;
typedef void (*rump_modinit_fn)(const struct modinfo *const *, size_t);
typedef int (*rump_symload_fn)(void *, uint64_t, char *, uint64_t);
typedef void (*rump_compload_fn)(const struct rump_component *);
void	rumpuser_dl_bootstrap(rump_modinit_fn, rump_symload_fn,
	    rump_compload_fn);

/* Daemonizing, for servers. */
int	rumpuser_daemonize_begin(void);
int	rumpuser_daemonize_done(int);

#endif /* _RUMP_RUMPUSER_H_ */
