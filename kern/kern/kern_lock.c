/*
 * mutex(9) and rwlock(9) on the rumpuser lock hypercalls, and the lock
 * debugger: each lwp keeps the locks it holds with the return address of
 * the call that took them (struct lockdebug_rec), for the books and the
 * lwp dump.
 *
 * An adaptive mutex first tries the host lock; if that fails the lwp
 * records what it waits for and blocks in rumpuser_mutex_enter, which
 * gives up the virtual CPU meanwhile.  A spin mutex never gives it up
 * (rumpuser_mutex_enter_nowrap): hold spin mutexes only briefly.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/kmem.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/atomic.h>

#include "kern_private.h"

/* Record that l now holds lock; l may be NULL early in boot. */
static void
lockdebug_push(struct lwp *l, const void *lock, int kind, const void *site)
{
	struct lockdebug_rec *lr;

	if (l == NULL)
		return;
	if (l->l_nlocks < LOCKDEBUG_MAXHELD) {
		lr = &l->l_locks[l->l_nlocks];
		lr->lr_lock = lock;
		lr->lr_site = site;
		lr->lr_kind = kind;
	}
	l->l_nlocks++;
}

/* Forget the most recent record of lock held by l. */
static void
lockdebug_pop(struct lwp *l, const void *lock)
{
	u_int i, n;

	if (l == NULL)
		return;
	n = MIN(l->l_nlocks, LOCKDEBUG_MAXHELD);
	for (i = n; i-- > 0;) {
		if (l->l_locks[i].lr_lock == lock) {
			memmove(&l->l_locks[i], &l->l_locks[i + 1],
			    (n - i - 1) * sizeof(l->l_locks[0]));
			l->l_nlocks--;
			return;
		}
	}
	KASSERTMSG(l->l_nlocks > LOCKDEBUG_MAXHELD,
	    "lock %p released by lwp %d.%d (%s), which does not hold it",
	    lock, l->l_proc->p_pid, l->l_lid, l->l_name);
	l->l_nlocks--;
}

/*
 * The acquisition site of a spin mutex l holds (its records only), or
 * NULL: an lwp holding one must not give up its CPU.
 */
const void *
lockdebug_spin_held(const struct lwp *l)
{
	u_int i;

	for (i = 0; i < MIN(l->l_nlocks, LOCKDEBUG_MAXHELD); i++) {
		if (l->l_locks[i].lr_kind == LOCKDEBUG_MUTEX_SPIN)
			return l->l_locks[i].lr_site;
	}
	return NULL;
}

/* Change the kind of l's record of lock (rw_downgrade, rw_tryupgrade). */
static void
lockdebug_rekind(struct lwp *l, const void *lock, int kind)
{
	u_int i;

	if (l == NULL)
		return;
	for (i = MIN(l->l_nlocks, LOCKDEBUG_MAXHELD); i-- > 0;) {
		if (l->l_locks[i].lr_lock == lock) {
			l->l_locks[i].lr_kind = kind;
			return;
		}
	}
}

/*
 * The wait messages of an lwp blocked on an adaptive mutex or an rwlock:
 * lockdebug_waits tells these waits from others by address.
 */
static const char lock_wmesg_mutex[] = "mutex";
static const char lock_wmesg_rw_read[] = "rwlock read";
static const char lock_wmesg_rw_write[] = "rwlock write";

/*
 * The lock l is blocked taking, with how it takes it (RUMPUS_LOCK_*) in
 * *kindp, or NULL when l waits for no mutex or rwlock.  Reads only: l may
 * be running, so the caller checks what it found again later.
 */
const void *
lockdebug_waits(const struct lwp *l, int *kindp)
{
	const char *wmesg = l->l_wmesg;
	const void *wchan = l->l_wchan;

	if (wmesg == lock_wmesg_mutex)
		*kindp = RUMPUS_LOCK_MUTEX;
	else if (wmesg == lock_wmesg_rw_read)
		*kindp = RUMPUS_LOCK_RW_READ;
	else if (wmesg == lock_wmesg_rw_write)
		*kindp = RUMPUS_LOCK_RW_WRITE;
	else
		return NULL;
	return wchan;
}

/*
 * l's record of lock, or NULL when its records (the first
 * LOCKDEBUG_MAXHELD locks it holds) do not have it.  Reads only.
 */
const struct lockdebug_rec *
lockdebug_holds(const struct lwp *l, const void *lock)
{
	u_int i;

	for (i = 0; i < MIN(l->l_nlocks, LOCKDEBUG_MAXHELD); i++) {
		if (l->l_locks[i].lr_lock == lock)
			return &l->l_locks[i];
	}
	return NULL;
}

/* The books' name for a lock debugger record's kind. */
int
lockdebug_kind(int kind)
{

	switch (kind) {
	case LOCKDEBUG_MUTEX_ADAPTIVE:
		return RUMPUS_LOCK_MUTEX;
	case LOCKDEBUG_MUTEX_SPIN:
		return RUMPUS_LOCK_SPIN;
	case LOCKDEBUG_RW_READER:
		return RUMPUS_LOCK_RW_READ;
	default:
		return RUMPUS_LOCK_RW_WRITE;
	}
}

/* Where lock, of kind RUMPUS_LOCK_*, was initialised. */
uintptr_t
lockdebug_initsite(const void *lock, int kind)
{

	if (kind == RUMPUS_LOCK_MUTEX || kind == RUMPUS_LOCK_SPIN)
		return (uintptr_t)((const kmutex_t *)lock)->mtx_initsite;
	return (uintptr_t)((const krwlock_t *)lock)->rw_initsite;
}

/* Add the locks l holds to the books. */
void
lockdebug_held(struct lwp *l, struct rumpus_books *b)
{
	struct rumpus_books_lock *bl;
	const struct lockdebug_rec *lr;
	u_int i;

	for (i = 0; i < MIN(l->l_nlocks, LOCKDEBUG_MAXHELD); i++) {
		lr = &l->l_locks[i];
		b->b_locks_total++;
		if (b->b_nlocks == RUMPUS_BOOKS_LOCKS)
			continue;
		bl = &b->b_locks[b->b_nlocks++];
		bl->bl_lock = (uintptr_t)lr->lr_lock;
		bl->bl_site = (uintptr_t)lr->lr_site;
		bl->bl_kind = lockdebug_kind(lr->lr_kind);
		bl->bl_initsite = lockdebug_initsite(lr->lr_lock, bl->bl_kind);
		bl->bl_pid = l->l_proc->p_pid;
		bl->bl_lid = l->l_lid;
		strlcpy(bl->bl_holder, l->l_name, sizeof(bl->bl_holder));
	}
	if (l->l_nlocks > LOCKDEBUG_MAXHELD)
		b->b_locks_total += l->l_nlocks - LOCKDEBUG_MAXHELD;
}

/*
 * Host lock objects outlive their kernel locks: a destroyed lock's host
 * object (unheld, no waiters) goes to a cache of its kind and the next
 * init of that kind takes it back, across teardown and boot.  Every
 * layer's locks then cost no host allocation after the first instance
 * of a process, and a forked instance reuses its zygote's.  The cache
 * of each kind holds HOSTOBJ_CACHE objects; hostobj_lock (host, spin,
 * made at the first use, during boot) is a leaf.  A boot only takes
 * objects (it writes the counts); the arrays, written at teardown, are
 * cold (<sys/cdefs.h>).
 */
#define HOSTOBJ_CACHE	64

struct hostobj_cache {
	void		**hc_obj;	/* [HOSTOBJ_CACHE] */
	u_int		 hc_n;
};

static void *hostobj_objs[4][HOSTOBJ_CACHE] __kern_cold;
struct hostobj_cache hostobj_mutex = { hostobj_objs[0], 0 };
struct hostobj_cache hostobj_spin = { hostobj_objs[1], 0 };
struct hostobj_cache hostobj_rw = { hostobj_objs[2], 0 };
struct hostobj_cache hostobj_cv = { hostobj_objs[3], 0 };
static struct rumpuser_mtx *hostobj_lock;

/* A cached host object of hc's kind, or NULL. */
void *
hostobj_get(struct hostobj_cache *hc)
{
	void *obj = NULL;

	if (__predict_false(hostobj_lock == NULL))
		rumpuser_mutex_init(&hostobj_lock, RUMPUSER_MTX_SPIN);
	rumpuser_mutex_enter_nowrap(hostobj_lock);
	if (hc->hc_n > 0)
		obj = hc->hc_obj[--hc->hc_n];
	rumpuser_mutex_exit(hostobj_lock);
	return obj;
}

/* Keep obj (unused) in hc; false if hc is full: the caller frees it. */
bool
hostobj_put(struct hostobj_cache *hc, void *obj)
{
	bool kept = false;

	rumpuser_mutex_enter_nowrap(hostobj_lock);
	if (hc->hc_n < HOSTOBJ_CACHE) {
		/* Often the object the slot held: no write, no page copied. */
		if (hc->hc_obj[hc->hc_n] != obj)
			hc->hc_obj[hc->hc_n] = obj;
		hc->hc_n++;
		kept = true;
	}
	rumpuser_mutex_exit(hostobj_lock);
	return kept;
}

/*
 * Mutexes.  MUTEX_SPIN, or any type at an IPL above IPL_NONE, gives a spin
 * mutex (NetBSD's rule); the rest are adaptive.
 */
void
mutex_init(kmutex_t *mtx, kmutex_type_t type, int ipl)
{

	mtx->mtx_spin = type == MUTEX_SPIN || ipl != IPL_NONE;
	mtx->mtx_hyp = hostobj_get(mtx->mtx_spin ? &hostobj_spin :
	    &hostobj_mutex);
	if (mtx->mtx_hyp == NULL)
		rumpuser_mutex_init(&mtx->mtx_hyp, RUMPUSER_MTX_KMUTEX |
		    (mtx->mtx_spin ? RUMPUSER_MTX_SPIN : 0));
	mtx->mtx_owner = NULL;
	mtx->mtx_site = NULL;
	mtx->mtx_initsite = __builtin_return_address(0);
}

void
mutex_destroy(kmutex_t *mtx)
{

	KASSERTMSG(mtx->mtx_owner == NULL,
	    "mutex_destroy: %p still held by lwp %d.%d (%s), taken at %p",
	    mtx, mtx->mtx_owner->l_proc->p_pid, mtx->mtx_owner->l_lid,
	    mtx->mtx_owner->l_name, mtx->mtx_site);
	if (!hostobj_put(mtx->mtx_spin ? &hostobj_spin : &hostobj_mutex,
	    mtx->mtx_hyp))
		rumpuser_mutex_destroy(mtx->mtx_hyp);
	mtx->mtx_hyp = NULL;
}

static void
mutex_enter_site(kmutex_t *mtx, const void *site)
{
	struct lwp *l = curlwp;

	KASSERTMSG(l == NULL || mtx->mtx_owner != l,
	    "mutex_enter: lwp %d.%d (%s) locking %p against itself "
	    "(taken at %p)", l->l_proc->p_pid, l->l_lid, l->l_name, mtx,
	    mtx->mtx_site);
	if (mtx->mtx_spin) {
		rumpuser_mutex_enter_nowrap(mtx->mtx_hyp);
	} else if (rumpuser_mutex_tryenter(mtx->mtx_hyp) != 0) {
		lwp_block_begin(mtx, lock_wmesg_mutex);
		rumpuser_mutex_enter(mtx->mtx_hyp);
		lwp_block_end();
	}
	mtx->mtx_owner = l;
	mtx->mtx_site = site;
	lockdebug_push(l, mtx, mtx->mtx_spin ? LOCKDEBUG_MUTEX_SPIN :
	    LOCKDEBUG_MUTEX_ADAPTIVE, site);
}

void
mutex_enter(kmutex_t *mtx)
{

	mutex_enter_site(mtx, __builtin_return_address(0));
}

void
mutex_spin_enter(kmutex_t *mtx)
{

	mutex_enter_site(mtx, __builtin_return_address(0));
}

int
mutex_tryenter(kmutex_t *mtx)
{
	struct lwp *l = curlwp;

	if (rumpuser_mutex_tryenter(mtx->mtx_hyp) != 0)
		return 0;
	mtx->mtx_owner = l;
	mtx->mtx_site = __builtin_return_address(0);
	lockdebug_push(l, mtx, mtx->mtx_spin ? LOCKDEBUG_MUTEX_SPIN :
	    LOCKDEBUG_MUTEX_ADAPTIVE, mtx->mtx_site);
	return 1;
}

void
mutex_exit(kmutex_t *mtx)
{
	struct lwp *l = curlwp;

	KASSERTMSG(mtx->mtx_owner == l,
	    "mutex_exit: %p not held by the caller (lwp %p) but by %p",
	    mtx, l, mtx->mtx_owner);
	lockdebug_pop(l, mtx);
	mtx->mtx_owner = NULL;
	mtx->mtx_site = NULL;
	rumpuser_mutex_exit(mtx->mtx_hyp);
}

void
mutex_spin_exit(kmutex_t *mtx)
{

	mutex_exit(mtx);
}

int
mutex_owned(const kmutex_t *mtx)
{
	struct lwp *l = curlwp;

	return l != NULL && mtx->mtx_owner == l;
}

struct lwp *
mutex_owner(const kmutex_t *mtx)
{

	return mtx->mtx_owner;
}

/* Called with mtx held by curlwp: hand it to the host's cv wait. */
void
mutex_release_for_wait(kmutex_t *mtx)
{

	KASSERTMSG(mutex_owned(mtx), "cv_wait: interlock %p not held", mtx);
	lockdebug_pop(mtx->mtx_owner, mtx);
	mtx->mtx_owner = NULL;
}

/* The host's cv wait gave mtx back to curlwp. */
void
mutex_reacquired_after_wait(kmutex_t *mtx, const void *site)
{
	struct lwp *l = curlwp;

	mtx->mtx_owner = l;
	mtx->mtx_site = site;
	lockdebug_push(l, mtx, mtx->mtx_spin ? LOCKDEBUG_MUTEX_SPIN :
	    LOCKDEBUG_MUTEX_ADAPTIVE, site);
}

/*
 * The core's own static locks keep their host objects from the first boot
 * to the end of the process, so booting again creates none (a forked
 * instance touches fewer pages).  The lock must not be held.
 */
void
mutex_init_static(kmutex_t *mtx, kmutex_type_t type, int ipl)
{

	if (mtx->mtx_hyp == NULL)
		mutex_init(mtx, type, ipl);
	KASSERTMSG(mtx->mtx_owner == NULL, "boot: static mutex %p still held",
	    mtx);
}

kmutex_t *
mutex_obj_alloc(kmutex_type_t type, int ipl)
{
	kmutex_t *mtx;

	if ((mtx = kmem_alloc(sizeof(*mtx), KM_SLEEP)) != NULL)
		mutex_init(mtx, type, ipl);
	return mtx;
}

void
mutex_obj_free(kmutex_t *mtx)
{

	mutex_destroy(mtx);
	kmem_free(mtx, sizeof(*mtx));
}

/*
 * Reader/writer locks.  The host lock does the work; the writer and the
 * reader count are kept for assertions and the books.
 */
void
rw_init(krwlock_t *rw)
{

	if ((rw->rw_hyp = hostobj_get(&hostobj_rw)) == NULL)
		rumpuser_rw_init(&rw->rw_hyp);
	rw->rw_owner = NULL;
	rw->rw_readers = 0;
	rw->rw_site = NULL;
	rw->rw_initsite = __builtin_return_address(0);
}

void
rw_destroy(krwlock_t *rw)
{

	KASSERTMSG(rw->rw_owner == NULL && rw->rw_readers == 0,
	    "rw_destroy: %p still held (writer %p, %u readers)", rw,
	    rw->rw_owner, rw->rw_readers);
	if (!hostobj_put(&hostobj_rw, rw->rw_hyp))
		rumpuser_rw_destroy(rw->rw_hyp);
	rw->rw_hyp = NULL;
}

/* Note the new hold of rw by l as op, taken from site. */
static void
rw_entered(krwlock_t *rw, struct lwp *l, const krw_t op, const void *site)
{

	if (op == RW_WRITER) {
		rw->rw_owner = l;
		rw->rw_site = site;
		lockdebug_push(l, rw, LOCKDEBUG_RW_WRITER, site);
	} else {
		atomic_inc_uint(&rw->rw_readers);
		lockdebug_push(l, rw, LOCKDEBUG_RW_READER, site);
	}
}

void
rw_enter(krwlock_t *rw, const krw_t op)
{
	int hop = op == RW_WRITER ? RUMPUSER_RW_WRITER : RUMPUSER_RW_READER;
	struct lwp *l = curlwp;

	KASSERTMSG(l == NULL || rw->rw_owner != l,
	    "rw_enter: lwp %d.%d (%s) locking %p against itself",
	    l->l_proc->p_pid, l->l_lid, l->l_name, rw);
	if (rumpuser_rw_tryenter(hop, rw->rw_hyp) != 0) {
		lwp_block_begin(rw, op == RW_WRITER ? lock_wmesg_rw_write :
		    lock_wmesg_rw_read);
		rumpuser_rw_enter(hop, rw->rw_hyp);
		lwp_block_end();
	}
	rw_entered(rw, l, op, __builtin_return_address(0));
}

int
rw_tryenter(krwlock_t *rw, const krw_t op)
{
	int hop = op == RW_WRITER ? RUMPUSER_RW_WRITER : RUMPUSER_RW_READER;

	if (rumpuser_rw_tryenter(hop, rw->rw_hyp) != 0)
		return 0;
	rw_entered(rw, curlwp, op, __builtin_return_address(0));
	return 1;
}

void
rw_exit(krwlock_t *rw)
{
	struct lwp *l = curlwp;

	if (rw->rw_owner != NULL) {
		KASSERTMSG(rw->rw_owner == l,
		    "rw_exit: %p write-held by %p, released by %p", rw,
		    rw->rw_owner, l);
		rw->rw_owner = NULL;
		rw->rw_site = NULL;
	} else {
		KASSERTMSG(rw->rw_readers > 0, "rw_exit: %p not held", rw);
		atomic_dec_uint(&rw->rw_readers);
	}
	lockdebug_pop(l, rw);
	rumpuser_rw_exit(rw->rw_hyp);
}

void
rw_downgrade(krwlock_t *rw)
{
	struct lwp *l = curlwp;

	KASSERTMSG(rw->rw_owner == l, "rw_downgrade: %p not write-held by "
	    "the caller", rw);
	rw->rw_owner = NULL;
	rw->rw_site = NULL;
	atomic_inc_uint(&rw->rw_readers);
	lockdebug_rekind(l, rw, LOCKDEBUG_RW_READER);
	rumpuser_rw_downgrade(rw->rw_hyp);
}

int
rw_tryupgrade(krwlock_t *rw)
{
	struct lwp *l = curlwp;

	KASSERTMSG(rw->rw_readers > 0, "rw_tryupgrade: %p not read-held", rw);
	if (rumpuser_rw_tryupgrade(rw->rw_hyp) != 0)
		return 0;
	atomic_dec_uint(&rw->rw_readers);
	rw->rw_owner = l;
	rw->rw_site = __builtin_return_address(0);
	lockdebug_rekind(l, rw, LOCKDEBUG_RW_WRITER);
	return 1;
}

int
rw_read_held(krwlock_t *rw)
{

	return atomic_load_relaxed(&rw->rw_readers) > 0;
}

int
rw_write_held(krwlock_t *rw)
{
	struct lwp *l = curlwp;

	return l != NULL && rw->rw_owner == l;
}

int
rw_lock_held(krwlock_t *rw)
{

	return rw->rw_owner != NULL || rw_read_held(rw);
}

krw_t
rw_lock_op(krwlock_t *rw)
{

	return rw_write_held(rw) ? RW_WRITER : RW_READER;
}

krwlock_t *
rw_obj_alloc(void)
{
	krwlock_t *rw;

	if ((rw = kmem_alloc(sizeof(*rw), KM_SLEEP)) != NULL)
		rw_init(rw);
	return rw;
}

void
rw_obj_free(krwlock_t *rw)
{

	rw_destroy(rw);
	kmem_free(rw, sizeof(*rw));
}
