/*
 * The kernel-side helpers of the kern tests (k_kern.c, compiled into the
 * test kernel), as host code sees them.  Each enters and leaves the kernel
 * itself (rump_schedule/rump_unschedule).
 */
#ifndef _ATF_TESTS_KERN_H_KERN_H_
#define _ATF_TESTS_KERN_H_KERN_H_

#include <stddef.h>

#define KTEST_LOCK_MUTEX	1
#define KTEST_LOCK_SPIN		2
#define KTEST_LOCK_RWLOCK	3
#define KTEST_LOCK_CONDVAR	4

/* kmem_alloc (tag "ktest_alloc") of size bytes, KM_NOSLEEP if nosleep. */
void	*ktest_alloc(size_t, int);
void	 ktest_free(void *, size_t);
/* Allocate 100 bytes and keep them; the line of the kmem_alloc call. */
void	 ktest_leak(void);
extern int ktest_leak_line;
/* Write one byte past a 24-byte allocation, then free it. */
void	 ktest_overrun(void);
/* Free a 32-byte allocation, then write into it. */
void	 ktest_uaf(void);
/* Free a 16-byte allocation twice (a panic). */
void	 ktest_double_free(void);
/* Take a mutex and keep it. */
void	 ktest_hold_lock(void);
/* panic("%s", msg); KASSERT(v == 42). */
void	 ktest_panic(const char *);
void	 ktest_kassert(int);
/*
 * nthreads kernel threads contend for one lock of the kind for iters
 * rounds each, checking its invariant.  0, or -1 with the broken
 * invariant described in err.
 */
int	 ktest_locks(int, int, int, char *, size_t);
/*
 * Schedule callouts 0..3 for 30, 10, 20 and 10 ticks and a fifth (10)
 * that is stopped; wait for them; fill order[] with the ids as they fired.
 * Returns how many fired.
 */
int	 ktest_callouts(int *, int);

/*
 * A kernel thread that blocks on a mutex the caller's lwp takes first:
 * ktest_block_start returns the mutex's address once the thread waits
 * (or NULL); ktest_block_stop releases it and joins the thread.
 */
void	*ktest_block_start(void);
void	 ktest_block_stop(void);
/* The function the blocked thread runs (its frames are in the dump). */
void	 ktest_block_thread(void *);
/* A kernel thread that never exits (teardown must report it). */
void	 ktest_stuck_thread(void);
/*
 * A gate: a mutex the caller holds (ktest_gate_hold), that another thread
 * waits for inside the kernel (ktest_gate_pass), until ktest_gate_release.
 */
void	 ktest_gate_hold(void);
void	 ktest_gate_pass(void);
void	 ktest_gate_release(void);
/*
 * Three kernel threads ktestdl1..3 on a mutex and an rwlock (k_kern.c
 * says how): a deadlock cycle of ktestdl1 and ktestdl2 if cycle, else a
 * chain of waits that ends in ktestdl2 sleeping until
 * ktest_deadlock_stop.  The addresses of the two locks; 0 or an errno.
 * ktestdl1 takes the mutex in ktest_dl_thread1, ktestdl2 the rwlock in
 * ktest_dl_thread2.
 */
int	 ktest_deadlock_start(int, void **, void **);
void	 ktest_deadlock_stop(void);
void	 ktest_dl_thread1(void *);
void	 ktest_dl_thread2(void *);
/* Pass the named fault point "ktest.point"; its verdict (0 or errno). */
int	 ktest_fault_point(void);
/* Take one item from a pool named "ktestpool" and keep it. */
void	 ktest_pool_leak(void);
/*
 * Block blkno (512 bytes) of the block device registered as key: taken
 * from the buffer cache and never released (ktest_bio_hold), or read
 * through it into buf (ktest_bio_read).  0 or an errno.
 */
int	 ktest_bio_hold(const char *, int);
int	 ktest_bio_read(const char *, int, void *);

#endif /* _ATF_TESTS_KERN_H_KERN_H_ */
