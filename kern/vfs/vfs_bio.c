/*
 * The buffer cache: block-sized buffers of block devices, looked up by
 * (device, block), at most bio_maxbufs of them and bio_maxmem bytes of
 * data, reused least recently used first; delayed writes are written back
 * by the syncer thread (every BIO_SYNC_TICKS, buffers dirty for longer
 * than BIO_SYNC_AGE), by reuse, and by bio_flushdev() (fsync, sync,
 * unmount).  In serial mode (RUMPUS_MODE=serial) there is no syncer
 * thread: delayed writes stay in memory until one of those calls.
 *
 * Locking: one mutex, bufcache_lock, guards the hash chains, the queues,
 * b_cflags and b_oflags of every buffer and the device error latch.  A
 * caller owns a buffer exclusively while BC_BUSY is set (getblk/bread to
 * brelse/bwrite/bdwrite/bawrite); b_data belongs to the owner.  The lock is
 * never held across a transfer.  Lock order: a file system's own locks,
 * then bufcache_lock.
 *
 * Errors: see <sys/buf.h>.  An asynchronous write that fails keeps its
 * buffer dirty and latches the error on the device (never dropped); a
 * dirty buffer that reuse could not write is discarded, its error latched.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/kthread.h>
#include <sys/time.h>
#include <sys/buf.h>

#include <rump/rumpuser.h>

#define BIO_HASHSIZE	512			/* hash chains (power of 2) */
#define BIO_SYNC_TICKS	(hz)			/* syncer period */
#define BIO_SYNC_AGE	1000000000LL		/* ns a write may stay delayed */
#define BIO_NDEVERR	16			/* devices with a latched error */
#define BIO_CLUSTER_MAX	(64 * 1024)		/* bytes written in one go */

static u_int bio_maxbufs = 4096;		/* buffers at most */
static size_t bio_maxmem = 16 * 1024 * 1024;	/* data bytes at most */

static kmutex_t bufcache_lock;
static kcondvar_t bio_freecv;		/* a buffer was released */
/* Zero is empty: left empty by buffini, never cleared at boot. */
static LIST_HEAD(, buf) bio_hash[BIO_HASHSIZE] __kern_cold;
static TAILQ_HEAD(, buf) bio_lru = TAILQ_HEAD_INITIALIZER(bio_lru);
static TAILQ_HEAD(, buf) bio_dirty = TAILQ_HEAD_INITIALIZER(bio_dirty);
static u_int bio_nbufs;			/* buffers allocated */
static size_t bio_mem;			/* data bytes allocated */
static int bio_serial = -1;		/* RUMPUS_MODE=serial; -1: unasked */

/* Write errors not yet reported, per device; bio_anyerr if the table is full. */
static struct {
	struct blkdev *dev;
	int	error;
} bio_deverr[BIO_NDEVERR];
static int bio_anyerr;

/* The syncer. */
static struct lwp *bio_syncer_lwp;
static u_int bio_syncer_users;
static bool bio_syncer_exit;
static kcondvar_t bio_syncer_cv;

static int bio_flushgen;		/* one write attempt per buffer per flush */

static inline u_int
bio_hashidx(struct blkdev *dev, daddr_t blkno)
{

	return (u_int)((uint64_t)blkno * 0x9E3779B1u + (uintptr_t)dev / 64) & (BIO_HASHSIZE - 1);
}

/*
 * Latch a write error on dev, to be reported by the next bio_flushdev().
 * Must be called with bufcache_lock held.
 */
static void
bio_latch(struct blkdev *dev, int error)
{
	u_int i, freeslot = BIO_NDEVERR;

	for (i = 0; i < BIO_NDEVERR; i++) {
		if (bio_deverr[i].error != 0 && bio_deverr[i].dev == dev)
			return;
		if (bio_deverr[i].error == 0 && freeslot == BIO_NDEVERR)
			freeslot = i;
	}
	if (freeslot == BIO_NDEVERR) {
		bio_anyerr = error;
		return;
	}
	bio_deverr[freeslot].dev = dev;
	bio_deverr[freeslot].error = error;
}

/*
 * The latched write error of dev (0 if none), forgotten if clear is set.
 * Must be called with bufcache_lock held.
 */
static int
bio_latched(struct blkdev *dev, bool clear)
{
	u_int i;
	int error = bio_anyerr;

	if (clear)
		bio_anyerr = 0;
	for (i = 0; i < BIO_NDEVERR; i++) {
		if (bio_deverr[i].error == 0 || bio_deverr[i].dev != dev)
			continue;
		if (error == 0)
			error = bio_deverr[i].error;
		if (clear)
			bio_deverr[i].error = 0;
	}
	return error;
}

/*
 * Initialise the buffer cache (from rump_init's table).  Serial mode is
 * the host's RUMPUS_MODE parameter, asked at the first boot of a process
 * only, as librumpuser reads its mode once (a forked instance inherits
 * the answer and does not run the host's getenv).  The hash is empty
 * already (buffini).
 */
int
bufinit(void)
{
	char mode[16];

	mutex_init(&bufcache_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&bio_freecv, "biofree");
	cv_init(&bio_syncer_cv, "syncer");
	if (bio_serial < 0)
		bio_serial = rumpuser_getparam("RUMPUS_MODE", mode,
		    sizeof(mode)) == 0 && strcmp(mode, "serial") == 0;
	return 0;
}

/* Take bp out of the hash if it is there.  bufcache_lock held. */
static void
bio_unhash(struct buf *bp)
{

	if (bp->b_hashed) {
		LIST_REMOVE(bp, b_hash);
		bp->b_hashed = false;
	}
}

/*
 * Free every buffer at kernel teardown and leave the hash empty for the
 * next boot.  No buffer may be dirty: file systems flush theirs when they
 * are unmounted.  A buffer a file system never released (busy at
 * teardown: its memory is in the books) is only taken out of the hash.
 */
void
buffini(void)
{
	struct buf *bp, *next;
	u_int i, nfreed = 0;

	KASSERT(bio_syncer_lwp == NULL);
	while ((bp = TAILQ_FIRST(&bio_lru)) != NULL) {
		KASSERT((bp->b_oflags & BO_DELWRI) == 0);
		TAILQ_REMOVE(&bio_lru, bp, b_freelist);
		bio_unhash(bp);
		cv_destroy(&bp->b_busycv);
		cv_destroy(&bp->b_donecv);
		if (bp->b_data != NULL)
			kmem_free(bp->b_data, bp->b_bufsize);
		kmem_free(bp, sizeof(*bp));
		nfreed++;
	}
	for (i = 0; nfreed != bio_nbufs && i < BIO_HASHSIZE; i++) {
		LIST_FOREACH_SAFE(bp, &bio_hash[i], b_hash, next)
			bio_unhash(bp);
	}
	bio_nbufs = 0;
	bio_mem = 0;
	cv_destroy(&bio_freecv);
	cv_destroy(&bio_syncer_cv);
	mutex_destroy(&bufcache_lock);
}

/*
 * Take bp off the delayed-write queue.  Must be called with bufcache_lock
 * held.
 */
static void
bio_undirty(struct buf *bp)
{

	if (bp->b_oflags & BO_DELWRI) {
		bp->b_oflags &= ~BO_DELWRI;
		TAILQ_REMOVE(&bio_dirty, bp, b_dirtylist);
	}
}

/*
 * Put bp on the delayed-write queue (if it is not there yet).  Must be
 * called with bufcache_lock held.
 */
static void
bio_dirty_locked(struct buf *bp)
{

	if ((bp->b_oflags & BO_DELWRI) == 0) {
		bp->b_oflags |= BO_DELWRI;
		bp->b_dirtytime = time_uptime_ns();
		TAILQ_INSERT_TAIL(&bio_dirty, bp, b_dirtylist);
	}
}

/*
 * Release a busy buffer: back on the LRU queue (at the head if it holds
 * nothing worth keeping), waking whoever waits for it.  Must be called with
 * bufcache_lock held.
 */
static void
bio_release_locked(struct buf *bp)
{

	KASSERT(bp->b_cflags & BC_BUSY);
	if ((bp->b_cflags & (BC_INVAL | BC_NOCACHE)) &&
	    (bp->b_oflags & BO_DELWRI) == 0) {
		/* Nothing to keep: out of the hash, first to be reused. */
		bio_unhash(bp);
		bp->b_cflags = BC_INVAL;
		bp->b_oflags &= ~BO_DONE;
		TAILQ_INSERT_HEAD(&bio_lru, bp, b_freelist);
	} else {
		bp->b_cflags &= ~BC_BUSY;
		TAILQ_INSERT_TAIL(&bio_lru, bp, b_freelist);
	}
	bp->b_flags = 0;
	cv_broadcast(&bp->b_busycv);
	cv_signal(&bio_freecv);
}

/*
 * The device finished bp's transfer of done bytes (a virtual CPU held,
 * perhaps in another host thread).
 */
static void
bio_reqdone(struct blkreq *req, size_t done, int error)
{
	struct buf *bp = req->br_arg;

	bp->b_resid = bp->b_bcount - done;
	bp->b_error = error;
	biodone(bp);
}

/*
 * Start a transfer (B_READ or B_WRITE, B_ASYNC) on a busy buffer.  Must be
 * called without bufcache_lock.
 */
static void
bio_start(struct buf *bp, int flags)
{

	mutex_enter(&bufcache_lock);
	if ((flags & B_READ) == 0) {
		bio_undirty(bp);
		bp->b_oflags |= BO_DONE;
	}
	bp->b_oflags |= BO_INFLIGHT;
	mutex_exit(&bufcache_lock);
	bp->b_flags = flags;
	bp->b_error = 0;
	bp->b_resid = bp->b_bcount;
	bp->b_rawblkno = bp->b_blkno;
	bp->b_req.br_flags = (flags & B_READ) ? BLK_READ : BLK_WRITE;
	bp->b_req.br_data = bp->b_data;
	bp->b_req.br_len = bp->b_bcount;
	bp->b_req.br_off = (off_t)bp->b_blkno << DEV_BSHIFT;
	bp->b_req.br_done = bio_reqdone;
	bp->b_req.br_arg = bp;
	blkdev_strategy(bp->b_dev, &bp->b_req);
}

/*
 * Run a transfer on a busy buffer and wait for it; returns its error (EIO
 * for a short transfer).  Must be called without bufcache_lock.
 */
static int
bio_transfer(struct buf *bp, int rw)
{
	int error;

	bio_start(bp, rw);
	error = biowait(bp);
	if (error == 0 && bp->b_resid != 0)
		error = EIO;
	return error;
}

/* The buffer of (dev, blkno) in the hash, or NULL.  bufcache_lock held. */
static struct buf *
bio_lookup(struct blkdev *dev, daddr_t blkno)
{
	struct buf *bp;

	LIST_FOREACH(bp, &bio_hash[bio_hashidx(dev, blkno)], b_hash) {
		if (bp->b_dev == dev && bp->b_blkno == blkno)
			return bp;
	}
	return NULL;
}

/* One clustered write in flight, waited for under bufcache_lock. */
struct bio_cluster {
	struct blkreq	bc_req;
	kcondvar_t	bc_cv;
	bool		bc_done;
	size_t		bc_bytes;
	int		bc_error;
};

/* The device finished a clustered write (any thread, a CPU held). */
static void
bio_cluster_done(struct blkreq *req, size_t done, int error)
{
	struct bio_cluster *bc = req->br_arg;

	mutex_enter(&bufcache_lock);
	bc->bc_bytes = done;
	bc->bc_error = error;
	bc->bc_done = true;
	cv_broadcast(&bc->bc_cv);
	mutex_exit(&bufcache_lock);
}

/*
 * Write dirty buffer bp (busy, out of the LRU queue) and wait, together
 * with the dirty buffers of the same size that follow it on the device
 * (up to BIO_CLUSTER_MAX bytes in all) in one transfer.  The followers
 * are released here (dirty again if the write failed, marked tried by
 * flush pass gen); bp stays busy for the caller.  Returns the write's
 * error.  Called and returns with bufcache_lock held; drops it.
 */
static int
bio_cluster_write(struct buf *bp, int gen)
{
	struct buf *cl[BIO_CLUSTER_MAX / 1024], *nb;
	struct bio_cluster bc;
	size_t total = bp->b_bcount, off;
	daddr_t next;
	uint8_t *data;
	u_int n = 1, i;
	int error;

	bio_undirty(bp);
	cl[0] = bp;
	next = bp->b_blkno + (bp->b_bcount >> DEV_BSHIFT);
	while (n < __arraycount(cl) && total + bp->b_bcount <= BIO_CLUSTER_MAX &&
	    (nb = bio_lookup(bp->b_dev, next)) != NULL &&
	    (nb->b_cflags & BC_BUSY) == 0 && (nb->b_oflags & BO_DELWRI) &&
	    nb->b_bcount == bp->b_bcount) {
		TAILQ_REMOVE(&bio_lru, nb, b_freelist);
		nb->b_cflags |= BC_BUSY;
		bio_undirty(nb);
		cl[n++] = nb;
		total += nb->b_bcount;
		next += nb->b_bcount >> DEV_BSHIFT;
	}
	for (i = 0; i < n; i++)
		cl[i]->b_oflags |= BO_INFLIGHT | BO_DONE;
	mutex_exit(&bufcache_lock);
	data = n > 1 ? kmem_alloc(total, KM_SLEEP) : NULL;
	if (data == NULL) {
		/* Alone: no followers, or no memory to gather them. */
		mutex_enter(&bufcache_lock);
		for (i = 1; i < n; i++) {
			cl[i]->b_oflags &= ~BO_INFLIGHT;
			bio_dirty_locked(cl[i]);
			bio_release_locked(cl[i]);
		}
		bp->b_oflags &= ~BO_INFLIGHT;
		mutex_exit(&bufcache_lock);
		error = bio_transfer(bp, B_WRITE);
		mutex_enter(&bufcache_lock);
		return error;
	}
	for (i = 0, off = 0; i < n; off += cl[i]->b_bcount, i++)
		memcpy(data + off, cl[i]->b_data, cl[i]->b_bcount);
	memset(&bc, 0, sizeof(bc));
	cv_init(&bc.bc_cv, "biocl");
	bc.bc_req.br_flags = BLK_WRITE;
	bc.bc_req.br_data = data;
	bc.bc_req.br_len = total;
	bc.bc_req.br_off = (off_t)bp->b_blkno << DEV_BSHIFT;
	bc.bc_req.br_done = bio_cluster_done;
	bc.bc_req.br_arg = &bc;
	blkdev_strategy(bp->b_dev, &bc.bc_req);
	mutex_enter(&bufcache_lock);
	while (!bc.bc_done)
		cv_wait(&bc.bc_cv, &bufcache_lock);
	error = bc.bc_error;
	if (error == 0 && bc.bc_bytes != total)
		error = EIO;
	bp->b_oflags &= ~BO_INFLIGHT;
	for (i = 1; i < n; i++) {
		cl[i]->b_oflags &= ~BO_INFLIGHT;
		if (error != 0) {
			bio_dirty_locked(cl[i]);
			cl[i]->b_flushgen = gen;
		}
		bio_release_locked(cl[i]);
	}
	mutex_exit(&bufcache_lock);
	cv_destroy(&bc.bc_cv);
	kmem_free(data, total);
	mutex_enter(&bufcache_lock);
	return error;
}

/*
 * Write a dirty buffer being reused (busy, out of the queues) before it
 * forgets its block, with the dirty ones that follow it; a failure is
 * latched on its device and bp's data dropped (the followers stay
 * dirty).  Called and returns with bufcache_lock held; drops it.
 */
static void
bio_reuse_write(struct buf *bp)
{
	int error;

	error = bio_cluster_write(bp, 0);
	if (error != 0) {
		printf("bio: write of device %p block %lld failed (error %d) "
		    "on reuse\n", bp->b_dev, (long long)bp->b_blkno, error);
		bio_latch(bp->b_dev, error);
	}
}

/*
 * A buffer of size bytes for a new block, busy, in no queue, contents
 * invalid: a new one if the limits allow and memory can be had, else the
 * least recently used one of that size (or of any size, resized), written
 * first if dirty.  Waits for a release only when the limits, not memory,
 * are short; returns NULL (ENOMEM) when memory is.  Called and returns
 * with bufcache_lock held; may drop it.
 */
static struct buf *
bio_getnew(int size)
{
	struct buf *bp;
	void *data;
	bool nomem = false;

	for (;;) {
		if (!nomem && bio_nbufs < bio_maxbufs &&
		    bio_mem + size <= bio_maxmem) {
			bio_nbufs++;
			bio_mem += size;
			mutex_exit(&bufcache_lock);
			bp = kmem_zalloc(sizeof(*bp), KM_SLEEP);
			data = kmem_alloc(size, KM_SLEEP);
			mutex_enter(&bufcache_lock);
			if (bp != NULL && data != NULL) {
				cv_init(&bp->b_busycv, "biobusy");
				cv_init(&bp->b_donecv, "biodone");
				bp->b_data = data;
				bp->b_bufsize = size;
				bp->b_cflags = BC_BUSY | BC_INVAL;
				return bp;
			}
			if (bp != NULL)
				kmem_free(bp, sizeof(*bp));
			if (data != NULL)
				kmem_free(data, size);
			bio_nbufs--;
			bio_mem -= size;
			nomem = true;
		}
		TAILQ_FOREACH(bp, &bio_lru, b_freelist) {
			if (bp->b_bufsize == size)
				break;
		}
		if (bp == NULL)
			bp = TAILQ_FIRST(&bio_lru);
		if (bp == NULL) {
			if (nomem || bio_nbufs == 0)
				return NULL;
			cv_wait(&bio_freecv, &bufcache_lock);
			continue;
		}
		TAILQ_REMOVE(&bio_lru, bp, b_freelist);
		bp->b_cflags |= BC_BUSY;
		if (bp->b_oflags & BO_DELWRI) {
			bio_undirty(bp);
			bio_reuse_write(bp);
		}
		bio_unhash(bp);
		bp->b_cflags = BC_BUSY | BC_INVAL;
		bp->b_oflags = 0;
		if (bp->b_bufsize != size) {
			mutex_exit(&bufcache_lock);
			data = kmem_alloc(size, KM_SLEEP);
			mutex_enter(&bufcache_lock);
			if (data == NULL) {
				bio_release_locked(bp);
				return NULL;
			}
			if (bp->b_data != NULL)
				kmem_free(bp->b_data, bp->b_bufsize);
			bio_mem += size - bp->b_bufsize;
			bp->b_data = data;
			bp->b_bufsize = size;
		}
		return bp;
	}
}


/*
 * The buffer of (dev, blkno) with size bytes, busy for the caller; its
 * contents are valid if BO_DONE is set.  Waits while another owner holds
 * it.  Returns NULL if no memory can be had for it.
 */
struct buf *
getblk(struct blkdev *dev, daddr_t blkno, int size, int slpflag, int slptimeo)
{
	struct buf *bp;

	mutex_enter(&bufcache_lock);
again:
	if ((bp = bio_lookup(dev, blkno)) != NULL) {
		if (bp->b_cflags & BC_BUSY) {
			cv_wait(&bp->b_busycv, &bufcache_lock);
			goto again;
		}
		TAILQ_REMOVE(&bio_lru, bp, b_freelist);
		bp->b_cflags |= BC_BUSY;
		if (bp->b_bcount == size) {
			mutex_exit(&bufcache_lock);
			return bp;
		}
		/* Another size: write it back if dirty, then start afresh. */
		if (bp->b_oflags & BO_DELWRI) {
			bio_undirty(bp);
			bio_reuse_write(bp);
		}
		bp->b_cflags |= BC_INVAL;
		bio_release_locked(bp);
		goto again;
	}
	bp = bio_getnew(size);
	if (bp == NULL) {
		mutex_exit(&bufcache_lock);
		return NULL;
	}
	/* Someone may have entered the block meanwhile. */
	if (bio_lookup(dev, blkno) != NULL) {
		bio_release_locked(bp);
		goto again;
	}
	/* bp: busy, invalid, in no list.  Give it its name. */
	LIST_INSERT_HEAD(&bio_hash[bio_hashidx(dev, blkno)], bp, b_hash);
	bp->b_hashed = true;
	bp->b_cflags = BC_BUSY;
	bp->b_dev = dev;
	bp->b_blkno = bp->b_rawblkno = blkno;
	bp->b_bcount = size;
	bp->b_resid = 0;
	bp->b_error = 0;
	bp->b_flags = 0;
	mutex_exit(&bufcache_lock);
	return bp;
}

/*
 * Read (dev, blkno, size) through the cache into a busy buffer for the
 * caller.  Returns EIO if the device fails the read (no buffer then),
 * ENOMEM if no buffer can be had.
 */
int
bread(struct blkdev *dev, daddr_t blkno, int size, int flags, struct buf **bpp)
{
	struct buf *bp;
	int error;

	*bpp = NULL;
	bp = getblk(dev, blkno, size, 0, 0);
	if (bp == NULL)
		return ENOMEM;
	if (bp->b_oflags & BO_DONE) {
		*bpp = bp;
		return 0;
	}
	error = bio_transfer(bp, B_READ);
	if (error != 0) {
		brelse(bp, BC_INVAL);
		return EIO;
	}
	mutex_enter(&bufcache_lock);
	bp->b_oflags |= BO_DONE;
	mutex_exit(&bufcache_lock);
	*bpp = bp;
	return 0;
}

/* Is (dev, blkno) in the cache?  A hint: it may change at once. */
bool
bio_incore(struct blkdev *dev, daddr_t blkno)
{
	bool in;

	mutex_enter(&bufcache_lock);
	in = bio_lookup(dev, blkno) != NULL;
	mutex_exit(&bufcache_lock);
	return in;
}

/*
 * bread of (dev, blkno, size), reading ahead: the n - 1 blocks of the
 * same size that follow it on the device come in the same transfer (up
 * to BIO_CLUSTER_MAX bytes), as long as none of them is cached; they go
 * into the cache valid.  Errors as bread's.
 */
int
breadn(struct blkdev *dev, daddr_t blkno, int size, u_int n,
    struct buf **bpp)
{
	struct buf *cl[BIO_CLUSTER_MAX / 1024], *bp, *nb;
	struct bio_cluster bc;
	daddr_t next = blkno;
	size_t total = 0, off;
	uint8_t *data = NULL;
	u_int k = 0, i;
	int error;

	*bpp = NULL;
	n = MAX(1, MIN(n, MIN(__arraycount(cl), BIO_CLUSTER_MAX / (u_int)size)));
	cl[0] = NULL;
	while (k < n) {
		if (k > 0 && bio_incore(dev, next))
			break;
		if ((nb = getblk(dev, next, size, 0, 0)) == NULL) {
			if (k == 0)
				return ENOMEM;
			break;
		}
		if (nb->b_oflags & BO_DONE) {
			if (k == 0) {
				*bpp = nb;
				return 0;
			}
			brelse(nb, 0);
			break;
		}
		cl[k++] = nb;
		total += size;
		next += size >> DEV_BSHIFT;
	}
	bp = cl[0];
	if (k > 1)
		data = kmem_alloc(total, KM_SLEEP);
	if (data == NULL) {
		/* Alone: no block to read ahead, or no memory to gather. */
		for (i = 1; i < k; i++)
			brelse(cl[i], BC_INVAL);
		if (bio_transfer(bp, B_READ) != 0) {
			brelse(bp, BC_INVAL);
			return EIO;
		}
		mutex_enter(&bufcache_lock);
		bp->b_oflags |= BO_DONE;
		mutex_exit(&bufcache_lock);
		*bpp = bp;
		return 0;
	}
	memset(&bc, 0, sizeof(bc));
	cv_init(&bc.bc_cv, "biocl");
	bc.bc_req.br_flags = BLK_READ;
	bc.bc_req.br_data = data;
	bc.bc_req.br_len = total;
	bc.bc_req.br_off = (off_t)blkno << DEV_BSHIFT;
	bc.bc_req.br_done = bio_cluster_done;
	bc.bc_req.br_arg = &bc;
	blkdev_strategy(dev, &bc.bc_req);
	mutex_enter(&bufcache_lock);
	while (!bc.bc_done)
		cv_wait(&bc.bc_cv, &bufcache_lock);
	mutex_exit(&bufcache_lock);
	error = bc.bc_error;
	if (error == 0 && bc.bc_bytes != total)
		error = EIO;
	cv_destroy(&bc.bc_cv);
	for (i = 0, off = 0; i < k; i++, off += size) {
		if (error == 0) {
			memcpy(cl[i]->b_data, data + off, size);
			mutex_enter(&bufcache_lock);
			cl[i]->b_oflags |= BO_DONE;
			mutex_exit(&bufcache_lock);
		}
		if (i > 0)
			brelse(cl[i], error != 0 ? BC_INVAL : 0);
	}
	kmem_free(data, total);
	if (error != 0) {
		brelse(bp, BC_INVAL);
		return EIO;
	}
	*bpp = bp;
	return 0;
}

/*
 * Write a busy buffer now and release it; returns the write's error (the
 * buffer stays dirty then, so a later flush tries again).
 */
int
bwrite(struct buf *bp)
{
	int error;

	if (bp->b_flags & B_ASYNC) {
		bio_start(bp, B_WRITE | B_ASYNC);
		return 0;
	}
	error = bio_transfer(bp, B_WRITE);
	mutex_enter(&bufcache_lock);
	if (error != 0)
		bio_dirty_locked(bp);
	bio_release_locked(bp);
	mutex_exit(&bufcache_lock);
	return error;
}

/* Start writing a busy buffer; biodone releases it.  Errors are latched. */
void
bawrite(struct buf *bp)
{

	bio_start(bp, B_WRITE | B_ASYNC);
}

/* Mark a busy buffer dirty and release it: it is written back later. */
void
bdwrite(struct buf *bp)
{

	mutex_enter(&bufcache_lock);
	bp->b_oflags |= BO_DONE;
	bio_dirty_locked(bp);
	bio_release_locked(bp);
	mutex_exit(&bufcache_lock);
}

/* Release a busy buffer, adding cache flags set (BC_INVAL, BC_NOCACHE). */
void
brelse(struct buf *bp, int set)
{

	mutex_enter(&bufcache_lock);
	if (set & BC_INVAL)
		bio_undirty(bp);
	bp->b_cflags |= set;
	bio_release_locked(bp);
	mutex_exit(&bufcache_lock);
}

/*
 * A transfer finished (called by the device layer, with a virtual CPU,
 * possibly from another host thread).  An asynchronous write is released
 * here; a failed one stays dirty and latches its error.
 */
void
biodone(struct buf *bp)
{

	mutex_enter(&bufcache_lock);
	bp->b_oflags &= ~BO_INFLIGHT;
	if (bp->b_flags & B_ASYNC) {
		if (bp->b_error != 0 || bp->b_resid != 0) {
			bio_latch(bp->b_dev, bp->b_error ? bp->b_error : EIO);
			bio_dirty_locked(bp);
		}
		bio_release_locked(bp);
	} else
		cv_broadcast(&bp->b_donecv);
	mutex_exit(&bufcache_lock);
}

/* Wait for a busy buffer's transfer to finish; returns its error. */
int
biowait(struct buf *bp)
{

	mutex_enter(&bufcache_lock);
	while (bp->b_oflags & BO_INFLIGHT)
		cv_wait(&bp->b_donecv, &bufcache_lock);
	mutex_exit(&bufcache_lock);
	return bp->b_error;
}

/* Zero a busy buffer's data and call it valid. */
void
clrbuf(struct buf *bp)
{

	memset(bp->b_data, 0, bp->b_bcount);
	mutex_enter(&bufcache_lock);
	bp->b_oflags |= BO_DONE;
	mutex_exit(&bufcache_lock);
}

/*
 * Write every delayed write of dev and wait for them.  Returns the first
 * write error, or else the error latched on dev by an earlier
 * asynchronous write; BIO_FLUSH_CLEAR forgets the latched error once
 * reported (fsync, unmount).  Must be called with no buffer of dev busy
 * for the caller.
 */
int
bio_flushdev(struct blkdev *dev, int flags)
{
	struct buf *bp;
	int error = 0, werror, gen;

	mutex_enter(&bufcache_lock);
	gen = ++bio_flushgen;
again:
	TAILQ_FOREACH(bp, &bio_dirty, b_dirtylist) {
		if (bp->b_dev == dev && bp->b_flushgen != gen)
			break;
	}
	if (bp == NULL) {
		/* Wait for writes of dev still in flight. */
		for (u_int i = 0; i < BIO_HASHSIZE; i++) {
			LIST_FOREACH(bp, &bio_hash[i], b_hash) {
				if (bp->b_dev == dev &&
				    (bp->b_oflags & BO_INFLIGHT)) {
					cv_wait(&bp->b_busycv, &bufcache_lock);
					goto again;
				}
			}
		}
		werror = bio_latched(dev, (flags & BIO_FLUSH_CLEAR) != 0);
		if (error == 0)
			error = werror;
		mutex_exit(&bufcache_lock);
		return error;
	}
	if (bp->b_cflags & BC_BUSY) {
		cv_wait(&bp->b_busycv, &bufcache_lock);
		goto again;
	}
	TAILQ_REMOVE(&bio_lru, bp, b_freelist);
	bp->b_cflags |= BC_BUSY;
	werror = bio_cluster_write(bp, gen);
	if (werror != 0) {
		/* Still dirty: mark it tried in this flush. */
		bio_dirty_locked(bp);
		bp->b_flushgen = gen;
		if (error == 0)
			error = werror;
	}
	bio_release_locked(bp);
	goto again;
}

/*
 * Forget every buffer of dev, dirty or not (after a flush, at unmount).
 * No buffer of dev may be busy.
 */
void
bio_invaldev(struct blkdev *dev)
{
	struct buf *bp, *next;

	mutex_enter(&bufcache_lock);
	TAILQ_FOREACH_SAFE(bp, &bio_lru, b_freelist, next) {
		if (bp->b_dev != dev || !bp->b_hashed)
			continue;
		KASSERT((bp->b_cflags & BC_BUSY) == 0);
		bio_undirty(bp);
		TAILQ_REMOVE(&bio_lru, bp, b_freelist);
		bp->b_cflags |= BC_BUSY | BC_INVAL;
		bio_release_locked(bp);
	}
	(void)bio_latched(dev, true);
	mutex_exit(&bufcache_lock);
}

/*
 * The syncer: every BIO_SYNC_TICKS, start writing the delayed writes
 * older than BIO_SYNC_AGE.  Runs until bio_syncer_stop().
 */
static void
bio_syncer(void *arg)
{
	struct buf *bp;
	int64_t now;

	mutex_enter(&bufcache_lock);
	while (!bio_syncer_exit) {
		(void)cv_timedwait(&bio_syncer_cv, &bufcache_lock,
		    BIO_SYNC_TICKS);
		now = time_uptime_ns();
again:
		TAILQ_FOREACH(bp, &bio_dirty, b_dirtylist) {
			if (bio_syncer_exit ||
			    now - bp->b_dirtytime < BIO_SYNC_AGE)
				break;
			if (bp->b_cflags & BC_BUSY)
				continue;
			TAILQ_REMOVE(&bio_lru, bp, b_freelist);
			bp->b_cflags |= BC_BUSY;
			mutex_exit(&bufcache_lock);
			bawrite(bp);
			mutex_enter(&bufcache_lock);
			goto again;
		}
	}
	mutex_exit(&bufcache_lock);
	kthread_exit(0);
}

/*
 * Start the syncer thread for one more user (a mounted disk file system);
 * the first user creates it.  Serial mode: no thread.  Returns an errno
 * from kthread_create.
 */
int
bio_syncer_start(void)
{
	struct lwp *l;
	int error;

	if (bio_serial)
		return 0;
	mutex_enter(&bufcache_lock);
	if (bio_syncer_users++ > 0) {
		mutex_exit(&bufcache_lock);
		return 0;
	}
	bio_syncer_exit = false;
	mutex_exit(&bufcache_lock);
	error = kthread_create(PRI_NONE, KTHREAD_MPSAFE | KTHREAD_MUSTJOIN,
	    NULL, bio_syncer, NULL, &l, "syncer");
	mutex_enter(&bufcache_lock);
	if (error != 0)
		bio_syncer_users--;
	else
		bio_syncer_lwp = l;
	mutex_exit(&bufcache_lock);
	return error;
}

/* One user less of the syncer; the last one stops and joins the thread. */
void
bio_syncer_stop(void)
{
	struct lwp *l;

	if (bio_serial)
		return;
	mutex_enter(&bufcache_lock);
	KASSERT(bio_syncer_users > 0);
	if (--bio_syncer_users > 0) {
		mutex_exit(&bufcache_lock);
		return;
	}
	bio_syncer_exit = true;
	l = bio_syncer_lwp;
	bio_syncer_lwp = NULL;
	cv_broadcast(&bio_syncer_cv);
	mutex_exit(&bufcache_lock);
	(void)kthread_join(l);
}
