/*
 * The rumpus extension interface: what NetBSD's rump ABI does not offer,
 * for the harness and tests (DESIGN.md, "Decisions").  Optional: a kernel
 * without it still runs.  Check rumpus_ext_version() against
 * RUMPUS_EXT_VERSION before trusting the layouts below.
 *
 * Strings in the structures below point into the kernel's read-only data
 * and stay valid after teardown.
 */
#ifndef _RUMP_RUMPUS_EXT_H_
#define _RUMP_RUMPUS_EXT_H_

#include <stddef.h>
#include <stdint.h>

#define RUMPUS_EXT_VERSION	2

int	rumpus_ext_version(void);

/*
 * Books: what the kernel still holds.  rumpus_teardown() stops every
 * kernel thread, fills the books (if books != NULL), frees everything and
 * leaves the process ready for another rump_init().  It returns 0, or
 * EBUSY when kernel threads did not stop (they are in the books; the
 * kernel is then left as it is and cannot boot again), or EINVAL when no
 * kernel is up.  rumpus_books() fills the books of a running kernel.
 * Both set every count and total; of the arrays they write only the
 * entries counted (b_kmem[0..b_nkmem) and so on), the rest is left as it
 * was.
 */
#define RUMPUS_BOOKS_KMEM	32	/* sites listed at most */
#define RUMPUS_BOOKS_LOCKS	32
#define RUMPUS_BOOKS_LWPS	32
#define RUMPUS_BOOKS_NAME	32
#define RUMPUS_BOOKS_STACK	16

struct rumpus_books_kmem {		/* live allocations of one site */
	const char	*bk_tag;	/* type tag (allocating routine/pool) */
	const char	*bk_file;
	int		 bk_line;
	uintptr_t	 bk_caller;	/* return address of one of them */
	uint64_t	 bk_count;
	uint64_t	 bk_bytes;
};

#define RUMPUS_LOCK_MUTEX	1
#define RUMPUS_LOCK_SPIN	2
#define RUMPUS_LOCK_RW_READ	3
#define RUMPUS_LOCK_RW_WRITE	4
struct rumpus_books_lock {		/* one lock held */
	uintptr_t	 bl_lock;	/* its address */
	int		 bl_kind;	/* RUMPUS_LOCK_* */
	uintptr_t	 bl_site;	/* return address of the enter call */
	uintptr_t	 bl_initsite;	/* where it was initialised */
	int		 bl_pid;	/* holder */
	int		 bl_lid;
	char		 bl_holder[RUMPUS_BOOKS_NAME];
};

#define RUMPUS_LWP_LOCKS	4
struct rumpus_lwplock {			/* a lock an lwp holds */
	uintptr_t	 ll_lock;
	int		 ll_kind;	/* RUMPUS_LOCK_* */
	uintptr_t	 ll_site;	/* return address of the enter call */
};

struct rumpus_lwpinfo {			/* one lwp */
	int		 li_pid;
	int		 li_lid;
	char		 li_name[RUMPUS_BOOKS_NAME];
	int		 li_kthread;	/* a kernel thread */
	int		 li_running;	/* holds a virtual CPU */
	uintptr_t	 li_wchan;	/* lock or condvar waited on, or 0 */
	/*
	 * Kind of wait, or NULL: "mutex", "rwlock read", "rwlock write",
	 * "hypercall" (a blocking hypercall; li_wchan is its interlock), or
	 * a condvar's or kpause's own message.
	 */
	const char	*li_wmesg;
	unsigned	 li_nlocks;	/* locks held */
	struct rumpus_lwplock li_locks[RUMPUS_LWP_LOCKS]; /* the first ones */
	unsigned	 li_nstack;	/* frames in li_stack */
	uintptr_t	 li_stack[RUMPUS_BOOKS_STACK];	/* return addresses */
};

struct rumpus_books {
	int		 b_version;	/* RUMPUS_EXT_VERSION */
	/* kmem still allocated */
	uint64_t	 b_kmem_count;	/* allocations */
	uint64_t	 b_kmem_bytes;
	unsigned	 b_nkmem;	/* sites in b_kmem (most bytes first) */
	unsigned	 b_kmem_sites;	/* sites in all */
	struct rumpus_books_kmem b_kmem[RUMPUS_BOOKS_KMEM];
	/* locks still held */
	unsigned	 b_nlocks;
	unsigned	 b_locks_total;
	struct rumpus_books_lock b_locks[RUMPUS_BOOKS_LOCKS];
	/* lwps alive (after teardown: threads that would not stop) */
	unsigned	 b_nlwps;
	unsigned	 b_lwps_total;
	struct rumpus_lwpinfo b_lwps[RUMPUS_BOOKS_LWPS];
	/* kmem debug reports (RUMPUS_KMEM_DEBUG): overruns, use after free */
	uint64_t	 b_kmem_overruns;
	uint64_t	 b_kmem_uafs;
	/* callouts still pending at teardown (they are cancelled) */
	unsigned	 b_callouts;
};

int	rumpus_teardown(struct rumpus_books *);
int	rumpus_books(struct rumpus_books *);
/* Print the books on the console, one line per entry. */
void	rumpus_books_print(const struct rumpus_books *);

/*
 * kmem's debug mode (redzones, poisoned and quarantined frees) for the
 * boots after this call; without one, the host parameter
 * RUMPUS_KMEM_DEBUG=1 turns it on (read at the first boot of a process).
 */
void	rumpus_kmem_debug(int);

/* Counters since the last rump_init. */
struct rumpus_counters {
	uint64_t	 c_kmem_allocs;
	uint64_t	 c_kmem_frees;
	uint64_t	 c_kmem_failures;	/* NULL returned */
	uint64_t	 c_kmem_bytes;		/* live */
	uint64_t	 c_lwps_created;
	uint64_t	 c_kthreads_created;
	uint64_t	 c_procs_created;
	uint64_t	 c_schedules;
	uint64_t	 c_callouts_fired;
	uint64_t	 c_clock_threads;	/* clock threads started */
	uint64_t	 c_faults_injected;	/* by the fault hook */
};
void	rumpus_counters(struct rumpus_counters *);

/*
 * Named fault points inside the kernel (a fail(9)-like registry).  The
 * layer above the kernel installs one hook; each point consults it and, if
 * it returns non-zero (a NetBSD errno), fails the operation as if that
 * error had happened there.  With no hook a point costs one predictable
 * branch.  The hook is called with a virtual CPU held and must not call
 * back into the kernel.
 */
struct rumpus_fault_point {
	const char	*fp_name;	/* "kmem.alloc" */
	const char	*fp_descr;
};
struct rumpus_fault_site {
	const char	*fs_tag;	/* type tag, or NULL */
	const char	*fs_file;	/* kernel source file, or NULL */
	int		 fs_line;
	uintptr_t	 fs_caller;	/* return address into the caller */
	uint64_t	 fs_size;	/* bytes, for allocation points */
	int		 fs_flags;	/* point-specific (kmem: KM_* flags) */
};
typedef int (*rumpus_fault_hook_t)(void *, const struct rumpus_fault_point *,
    const struct rumpus_fault_site *);
void	rumpus_fault_set_hook(rumpus_fault_hook_t, void *);
/* The registry: fills up to max entries, returns how many points exist. */
size_t	rumpus_fault_points(const struct rumpus_fault_point **, size_t);
/*
 * The calling thread's kernel stack as return addresses, innermost first
 * (at most max); the walk stops at its lwp's outermost kernel frame, and
 * gives 0 on a thread with no lwp.  Reads only: a fault hook may call it
 * to match call sites.
 */
size_t	rumpus_backtrace(uintptr_t *, size_t);
/*
 * The calling thread's lwp: its process id into *pid and lwp id into
 * *lid; returns 0, or -1 on a thread with no lwp.  Reads only: a fault
 * hook may call it (the engine's lwp= and pid= filters).
 */
int	rumpus_curlwp_ident(int *, int *);
#define RUMPUS_FAULT_KMEM_ALLOC	"kmem.alloc"
#define RUMPUS_KMEM_NOSLEEP	0x2	/* fs_flags bit of kmem.alloc */

/*
 * lwps: fills up to max entries, returns how many lwps exist.  Never
 * blocks (proc_lock is taken only if free), so a hang detector may call
 * it, even from a signal handler; other lwps' stacks are walked only
 * while they are blocked.
 */
size_t	rumpus_lwp_dump(struct rumpus_lwpinfo *, size_t);
/* Print every lwp, its wait and its held locks, on the console. */
void	rumpus_lwp_dump_print(void);

/*
 * Deadlock: a cycle in the waits-for graph of the kernel's locks.  An lwp
 * blocked taking an adaptive mutex or an rwlock waits for every lwp that
 * holds that lock (by the lock debugger's records); it needs all of them
 * to let go, so a cycle of such waits never ends.  rumpus_deadlock finds
 * a cycle, reads each wait and hold of it a second time (lwps not in it
 * run on while it looks), and fills up to max entries, one per lwp of the
 * cycle in order: entry i's lwp waits for a lock held by entry i + 1's,
 * the last's for one held by the first's.  It returns the number of lwps
 * in the cycle (at most RUMPUS_DEADLOCK_LWPS, the lwps it looks at), 0
 * when there is none.  Never blocks, like rumpus_lwp_dump:
 * a timeout's signal handler may call it.  Not seen: waits for a spin
 * mutex (they spin), for a condvar (no holder), holds past an lwp's
 * first 16 locks, and a reader queued behind a waiting writer.
 */
#define RUMPUS_DEADLOCK_LWPS	128
struct rumpus_lockwait {		/* one lwp of a cycle */
	int		 lw_pid;
	int		 lw_lid;
	char		 lw_name[RUMPUS_BOOKS_NAME];
	uintptr_t	 lw_lock;	/* the lock it waits for */
	int		 lw_kind;	/* RUMPUS_LOCK_*: how it would take it */
	uintptr_t	 lw_initsite;	/* where that lock was initialised */
	int		 lw_hkind;	/* RUMPUS_LOCK_*: how the next lwp */
	uintptr_t	 lw_hsite;	/* holds it, and where it took it */
};
size_t	rumpus_deadlock(struct rumpus_lockwait *, size_t);

/*
 * Console: the last lines printed, most recent last, NUL-terminated;
 * returns the length copied.  The ring keeps RUMPUS_CONSOLE_RING bytes.
 */
#define RUMPUS_CONSOLE_RING	8192
size_t	rumpus_console_tail(char *, size_t);

/*
 * Symbolizer for panic backtraces and lwp dumps: given an address, return
 * a symbol name and set *offp to the offset into it, or return NULL.  The
 * host installs it (the kernel cannot read its own .symtab); without one
 * the kernel prints raw addresses.  Called with no kernel lock held.
 */
typedef const char *(*rumpus_symbolizer_t)(void *, uintptr_t, uintptr_t *);
void	rumpus_set_symbolizer(rumpus_symbolizer_t, void *);

#endif /* _RUMP_RUMPUS_EXT_H_ */
