/*
 * Kernel-side helpers of the kern tests: freestanding kernel code linked
 * into the test kernel (ktest_* stay global), called from t_kern.c.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/pool.h>
#include <sys/fault.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/condvar.h>
#include <sys/atomic.h>
#include <sys/kthread.h>
#include <sys/callout.h>
#include <sys/lwp.h>
#include <sys/fcntl.h>
#include <sys/buf.h>
#include <dev/blkdev.h>
#include <rump/rump.h>

#include "h_kern.h"

int ktest_leak_line;

void *
ktest_alloc(size_t size, int nosleep)
{
	void *p;

	rump_schedule();
	p = kmem_alloc(size, nosleep ? KM_NOSLEEP : KM_SLEEP);
	rump_unschedule();
	return p;
}

void
ktest_free(void *p, size_t size)
{

	rump_schedule();
	kmem_free(p, size);
	rump_unschedule();
}

void
ktest_leak(void)
{

	rump_schedule();
	ktest_leak_line = __LINE__ + 1;
	(void)kmem_alloc(100, KM_SLEEP);
	rump_unschedule();
}

void
ktest_overrun(void)
{
	char *p;

	rump_schedule();
	if ((p = kmem_alloc(24, KM_SLEEP)) != NULL) {
		p[24] = 'x';
		kmem_free(p, 24);
	}
	rump_unschedule();
}

void
ktest_uaf(void)
{
	volatile char *p;

	rump_schedule();
	if ((p = kmem_alloc(32, KM_SLEEP)) != NULL) {
		kmem_free(__UNCONST(p), 32);
		p[5] = 1;
	}
	rump_unschedule();
}

void
ktest_double_free(void)
{
	void *p;

	rump_schedule();
	if ((p = kmem_alloc(16, KM_SLEEP)) != NULL) {
		kmem_free(p, 16);
		kmem_free(p, 16);
	}
	rump_unschedule();
}

void
ktest_hold_lock(void)
{
	kmutex_t *mtx;

	rump_schedule();
	if ((mtx = mutex_obj_alloc(MUTEX_DEFAULT, IPL_NONE)) != NULL)
		mutex_enter(mtx);
	rump_unschedule();
}

void
ktest_panic(const char *msg)
{

	rump_schedule();
	panic("%s", msg);
}

void
ktest_kassert(int v)
{

	rump_schedule();
	KASSERT(v == 42);
	rump_unschedule();
}

/* Lock contention: one shared state, nthreads threads. */
struct ktest_locks {
	int		 kl_kind;
	int		 kl_iters;
	int		 kl_nthreads;
	kmutex_t	 kl_mtx;
	krwlock_t	 kl_rw;
	kcondvar_t	 kl_cv;
	volatile long	 kl_counter;	/* the protected count */
	volatile int	 kl_inside;	/* exclusive holders inside */
	volatile u_int	 kl_readers;	/* readers inside (atomic) */
	volatile long	 kl_a, kl_b;	/* equal outside a write section */
	volatile int	 kl_turn;	/* condvar: whose turn */
	volatile u_int	 kl_bad;	/* invariant violations (atomic) */
	const char	*kl_why;	/* the first violation */
};

struct ktest_locks_thread {
	struct ktest_locks	*kt_kl;
	int			 kt_id;
};

static void
ktest_bad(struct ktest_locks *kl, const char *why)
{

	if (atomic_inc_uint_nv(&kl->kl_bad) == 1)
		kl->kl_why = why;
}

/* Stay inside a critical section for a while, so others contend. */
static void
ktest_dwell(void)
{
	volatile int i;

	for (i = 0; i < 200; i++)
		continue;
}

static void
ktest_locks_thread(void *arg)
{
	struct ktest_locks_thread *kt = arg;
	struct ktest_locks *kl = kt->kt_kl;
	long v;
	int i;

	for (i = 0; i < kl->kl_iters; i++) {
		switch (kl->kl_kind) {
		case KTEST_LOCK_MUTEX:
		case KTEST_LOCK_SPIN:
			mutex_enter(&kl->kl_mtx);
			if (++kl->kl_inside != 1)
				ktest_bad(kl, "two threads inside the mutex");
			if (!mutex_owned(&kl->kl_mtx))
				ktest_bad(kl, "mutex_owned false for holder");
			v = kl->kl_counter;
			ktest_dwell();
			kl->kl_counter = v + 1;
			kl->kl_inside--;
			mutex_exit(&kl->kl_mtx);
			break;
		case KTEST_LOCK_RWLOCK:
			if (i % 4 == 0) {
				rw_enter(&kl->kl_rw, RW_WRITER);
				if (++kl->kl_inside != 1 ||
				    kl->kl_readers != 0)
					ktest_bad(kl, "writer not alone");
				if (!rw_write_held(&kl->kl_rw))
					ktest_bad(kl, "rw_write_held false");
				kl->kl_a++;
				ktest_dwell();
				kl->kl_b++;
				kl->kl_counter++;
				kl->kl_inside--;
				rw_exit(&kl->kl_rw);
			} else {
				rw_enter(&kl->kl_rw, RW_READER);
				atomic_inc_uint(&kl->kl_readers);
				if (kl->kl_inside != 0 || kl->kl_a != kl->kl_b)
					ktest_bad(kl, "reader saw a writer");
				ktest_dwell();
				atomic_dec_uint(&kl->kl_readers);
				rw_exit(&kl->kl_rw);
			}
			break;
		case KTEST_LOCK_CONDVAR:
			mutex_enter(&kl->kl_mtx);
			while (kl->kl_turn != kt->kt_id)
				cv_wait(&kl->kl_cv, &kl->kl_mtx);
			if (kl->kl_counter % kl->kl_nthreads != kt->kt_id)
				ktest_bad(kl, "turn out of order");
			kl->kl_counter++;
			kl->kl_turn = (kt->kt_id + 1) % kl->kl_nthreads;
			cv_broadcast(&kl->kl_cv);
			mutex_exit(&kl->kl_mtx);
			break;
		}
	}
	kthread_exit(0);
}

int
ktest_locks(int kind, int nthreads, int iters, char *err, size_t errlen)
{
	struct ktest_locks_thread kt[16];
	struct lwp *l[16];
	struct ktest_locks kl;
	long want;
	int i, n, error, rv = -1;

	if (nthreads > 16)
		return -1;
	rump_schedule();
	memset(&kl, 0, sizeof(kl));
	kl.kl_kind = kind;
	kl.kl_iters = iters;
	kl.kl_nthreads = nthreads;
	mutex_init(&kl.kl_mtx, kind == KTEST_LOCK_SPIN ? MUTEX_SPIN :
	    MUTEX_DEFAULT, kind == KTEST_LOCK_SPIN ? IPL_VM : IPL_NONE);
	rw_init(&kl.kl_rw);
	cv_init(&kl.kl_cv, "ktest");
	for (n = 0; n < nthreads; n++) {
		kt[n].kt_kl = &kl;
		kt[n].kt_id = n;
		error = kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
		    ktest_locks_thread, &kt[n], &l[n], "ktest%d", n);
		if (error != 0) {
			snprintf(err, errlen, "kthread_create: error %d",
			    error);
			break;
		}
	}
	for (i = 0; i < n; i++)
		kthread_join(l[i]);
	if (n < nthreads)
		goto out;
	want = kind == KTEST_LOCK_RWLOCK ?
	    (long)nthreads * ((iters + 3) / 4) : (long)nthreads * iters;
	if (kl.kl_bad != 0)
		snprintf(err, errlen, "%u violations, first: %s", kl.kl_bad,
		    kl.kl_why);
	else if (kl.kl_counter != want)
		snprintf(err, errlen, "count %ld, want %ld", kl.kl_counter,
		    want);
	else if (kl.kl_a != kl.kl_b)
		snprintf(err, errlen, "a %ld != b %ld", kl.kl_a, kl.kl_b);
	else
		rv = 0;
 out:
	cv_destroy(&kl.kl_cv);
	rw_destroy(&kl.kl_rw);
	mutex_destroy(&kl.kl_mtx);
	rump_unschedule();
	return rv;
}

/* Callouts: each records its id as it fires. */
static kmutex_t ktest_co_lock;
static kcondvar_t ktest_co_cv;
static int ktest_co_order[8];
static int ktest_co_n;

static void
ktest_co_fire(void *arg)
{

	mutex_enter(&ktest_co_lock);
	if (ktest_co_n < (int)__arraycount(ktest_co_order))
		ktest_co_order[ktest_co_n] = (int)(intptr_t)arg;
	ktest_co_n++;
	cv_broadcast(&ktest_co_cv);
	mutex_exit(&ktest_co_lock);
}

int
ktest_callouts(int *order, int max)
{
	/*
	 * 0..3 fire at +30, +10, +20, +10 ticks: 1 and 3 tie (unless a tick
	 * boundary falls between them: then 3 is one tick later, still
	 * before 2).
	 */
	static const int ticks[] = { 30, 10, 20, 10 };
	callout_t c[5];
	int i, n, waited;

	rump_schedule();
	mutex_init(&ktest_co_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&ktest_co_cv, "ktestco");
	ktest_co_n = 0;
	for (i = 0; i < 5; i++)
		callout_init(&c[i], CALLOUT_MPSAFE);
	for (i = 0; i < 4; i++)
		callout_reset(&c[i], ticks[i], ktest_co_fire, (void *)(intptr_t)i);
	callout_reset(&c[4], 10, ktest_co_fire, (void *)(intptr_t)4);
	(void)callout_stop(&c[4]);

	mutex_enter(&ktest_co_lock);
	for (waited = 0; ktest_co_n < 4 && waited < 3 * hz; waited += 5)
		(void)cv_timedwait(&ktest_co_cv, &ktest_co_lock, 5);
	mutex_exit(&ktest_co_lock);
	/* Longer than the last deadline: the stopped one must not fire. */
	(void)kpause("ktestco", false, 3, NULL);

	for (i = 0; i < 5; i++) {
		(void)callout_halt(&c[i], NULL);
		callout_destroy(&c[i]);
	}
	n = ktest_co_n;
	for (i = 0; i < n && i < max; i++)
		order[i] = ktest_co_order[i];
	cv_destroy(&ktest_co_cv);
	mutex_destroy(&ktest_co_lock);
	rump_unschedule();
	return n;
}

/* An lwp blocked on a mutex, for the lwp dump. */
static kmutex_t ktest_bl_lock;
static struct lwp *ktest_bl_lwp;

void
ktest_block_thread(void *arg)
{

	mutex_enter(&ktest_bl_lock);
	mutex_exit(&ktest_bl_lock);
	kthread_exit(0);
}

void *
ktest_block_start(void)
{
	int error, i;

	rump_schedule();
	mutex_init(&ktest_bl_lock, MUTEX_DEFAULT, IPL_NONE);
	mutex_enter(&ktest_bl_lock);
	error = kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
	    ktest_block_thread, NULL, &ktest_bl_lwp, "ktestblock");
	/* Wait until it waits (it notes the mutex before blocking). */
	for (i = 0; error == 0 && i < 1000 &&
	    ktest_bl_lwp->l_wchan != &ktest_bl_lock; i++)
		(void)kpause("ktestbl", false, 1, NULL);
	rump_unschedule();
	return error == 0 && i < 1000 ? &ktest_bl_lock : NULL;
}

void
ktest_block_stop(void)
{

	rump_schedule();
	mutex_exit(&ktest_bl_lock);
	kthread_join(ktest_bl_lwp);
	mutex_destroy(&ktest_bl_lock);
	rump_unschedule();
}

static void
ktest_stuck(void *arg)
{

	for (;;)
		(void)kpause("stuck", false, hz, NULL);
}

void
ktest_stuck_thread(void)
{

	rump_schedule();
	(void)kthread_create(PRI_NONE, 0, NULL, ktest_stuck, NULL, NULL,
	    "ktestwedge");
	rump_unschedule();
}

void
ktest_pool_leak(void)
{
	static struct pool pp;

	rump_schedule();
	pool_init(&pp, 48, 0, 0, 0, "ktestpool", NULL, IPL_NONE);
	(void)pool_get(&pp, PR_WAITOK);
	rump_unschedule();
}

static kmutex_t ktest_gate;

void
ktest_gate_hold(void)
{

	rump_schedule();
	mutex_init(&ktest_gate, MUTEX_DEFAULT, IPL_NONE);
	mutex_enter(&ktest_gate);
	rump_unschedule();
}

void
ktest_gate_pass(void)
{

	rump_schedule();
	mutex_enter(&ktest_gate);
	mutex_exit(&ktest_gate);
	rump_unschedule();
}

void
ktest_gate_release(void)
{

	rump_schedule();
	mutex_exit(&ktest_gate);
	rump_unschedule();
}

FAULT_POINT_DEFINE(ktest_point, "ktest.point", "a point of the tests");

int
ktest_fault_point(void)
{
	int error;

	rump_schedule();
	error = FAULT_POINT_CHECK(ktest_point, 7, 0);
	rump_unschedule();
	return error;
}

/*
 * Take block blkno (512 bytes) of the block device registered as key and
 * never release it, as a file system that loses a buffer would; the
 * device is closed.  0 or an errno.
 */
int
ktest_bio_hold(const char *key, int blkno)
{
	struct blkdev *dev;
	int error;

	rump_schedule();
	if ((error = blkdev_open(key, FREAD, &dev)) == 0) {
		if (getblk(dev, blkno, 512, 0, 0) == NULL)
			error = ENOMEM;
		blkdev_close(dev);
	}
	rump_unschedule();
	return error;
}

/*
 * Read block blkno (512 bytes) of the block device registered as key
 * through the buffer cache into buf, then forget the device's buffers.
 * 0 or an errno.
 */
int
ktest_bio_read(const char *key, int blkno, void *buf)
{
	struct blkdev *dev;
	struct buf *bp;
	int error;

	rump_schedule();
	if ((error = blkdev_open(key, FREAD, &dev)) == 0) {
		if ((error = bread(dev, blkno, 512, 0, &bp)) == 0) {
			memcpy(buf, bp->b_data, 512);
			brelse(bp, 0);
		}
		bio_invaldev(dev);
		blkdev_close(dev);
	}
	rump_unschedule();
	return error;
}

/*
 * Three kernel threads on a mutex and an rwlock.  dl1 takes the mutex,
 * dl2 the rwlock as a reader; once both hold theirs, dl1 asks for the
 * rwlock as a writer, dl3 for the mutex, and dl2 either for the mutex
 * (a cycle: dl1 and dl2 wait for each other, dl3 waits into the cycle)
 * or sleeps holding its rwlock until ktest_deadlock_stop (a chain: dl3
 * waits for dl1, which waits for dl2, which is off CPU in kpause).
 */
static kmutex_t ktest_dl_mtx;
static krwlock_t ktest_dl_rw;
static struct lwp *ktest_dl_lwp[3];
static volatile u_int ktest_dl_held;	/* first locks dl1 and dl2 hold */
static volatile int ktest_dl_stop;
static int ktest_dl_cycle;

/* Wait until dl1 and dl2 hold their first locks. */
static void
ktest_dl_wait_held(void)
{

	while (atomic_load_relaxed(&ktest_dl_held) < 2)
		(void)kpause("ktestdlh", false, 1, NULL);
}

void
ktest_dl_thread1(void *arg)
{

	mutex_enter(&ktest_dl_mtx);
	atomic_inc_uint(&ktest_dl_held);
	ktest_dl_wait_held();
	rw_enter(&ktest_dl_rw, RW_WRITER);
	rw_exit(&ktest_dl_rw);
	mutex_exit(&ktest_dl_mtx);
	kthread_exit(0);
}

void
ktest_dl_thread2(void *arg)
{

	rw_enter(&ktest_dl_rw, RW_READER);
	atomic_inc_uint(&ktest_dl_held);
	ktest_dl_wait_held();
	if (ktest_dl_cycle) {
		mutex_enter(&ktest_dl_mtx);
		mutex_exit(&ktest_dl_mtx);
	}
	while (!atomic_load_relaxed(&ktest_dl_stop))
		(void)kpause("ktestdl", false, 1, NULL);
	rw_exit(&ktest_dl_rw);
	kthread_exit(0);
}

static void
ktest_dl_thread3(void *arg)
{

	ktest_dl_wait_held();
	mutex_enter(&ktest_dl_mtx);
	mutex_exit(&ktest_dl_mtx);
	kthread_exit(0);
}

int
ktest_deadlock_start(int cycle, void **mtxp, void **rwp)
{
	static void (*const fn[3])(void *) = { ktest_dl_thread1,
	    ktest_dl_thread2, ktest_dl_thread3 };
	int error = 0, i;

	rump_schedule();
	mutex_init(&ktest_dl_mtx, MUTEX_DEFAULT, IPL_NONE);
	rw_init(&ktest_dl_rw);
	ktest_dl_held = 0;
	ktest_dl_stop = 0;
	ktest_dl_cycle = cycle;
	for (i = 0; i < 3 && error == 0; i++)
		error = kthread_create(PRI_NONE, KTHREAD_MUSTJOIN, NULL,
		    fn[i], NULL, &ktest_dl_lwp[i], "ktestdl%d", i + 1);
	rump_unschedule();
	*mtxp = &ktest_dl_mtx;
	*rwp = &ktest_dl_rw;
	return error;
}

void
ktest_deadlock_stop(void)
{
	int i;

	rump_schedule();
	atomic_store_relaxed(&ktest_dl_stop, 1);
	for (i = 0; i < 3; i++)
		kthread_join(ktest_dl_lwp[i]);
	rw_destroy(&ktest_dl_rw);
	mutex_destroy(&ktest_dl_mtx);
	rump_unschedule();
}
