/*
 * The buffer cache (kern/vfs/vfs_bio.c): block-sized buffers of a block
 * device, named by (device, block number in DEV_BSIZE units), a bounded
 * number of them reused least recently used first, and the syncer that
 * writes delayed writes back.  Names and signatures follow NetBSD's
 * buf(9) and bread(9), except that a buffer belongs to a struct blkdev * rather than
 * to a device vnode: it names the block device (struct blkdev, etfs's
 * <dev/blkdev.h>) it caches, and transfers go through blkdev_strategy().
 *
 * Errors: bread() returns EIO for a failed read.  bwrite() returns the
 * write's error to its caller.  A write the caller does not wait for
 * (bawrite, bdwrite written later by the syncer or by buffer reuse) that
 * fails leaves the buffer dirty and latches the error on its device;
 * bio_flushdev() reports a latched error (and, with BIO_FLUSH_CLEAR,
 * forgets it): fsync and unmount clear it, sync only reports it.
 */
#ifndef _SYS_BUF_H_
#define _SYS_BUF_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/condvar.h>

#include <dev/blkdev.h>

struct buf {
	LIST_ENTRY(buf)	 b_hash;	/* hash chain of (b_dev, b_blkno) */
	TAILQ_ENTRY(buf) b_freelist;	/* LRU queue while not busy */
	TAILQ_ENTRY(buf) b_dirtylist;	/* delayed writes, oldest first */
	struct blkdev	*b_dev;		/* the block device */
	daddr_t		 b_blkno;	/* first DEV_BSIZE block */
	daddr_t		 b_rawblkno;	/* same: what the driver reads */
	int		 b_bcount;	/* bytes asked for */
	int		 b_bufsize;	/* bytes allocated at b_data */
	size_t		 b_resid;	/* bytes not transferred */
	void		*b_data;
	int		 b_flags;	/* B_*: the current transfer */
	int		 b_cflags;	/* BC_*: cache state, bufcache_lock */
	int		 b_oflags;	/* BO_*: I/O state, bufcache_lock */
	int		 b_error;	/* errno of the last transfer */
	int64_t		 b_dirtytime;	/* uptime ns of the first bdwrite */
	kcondvar_t	 b_busycv;	/* waiting for BC_BUSY to clear */
	kcondvar_t	 b_donecv;	/* waiting for BO_DONE */
	struct blkreq	 b_req;		/* the transfer handed to the device */
	int		 b_flushgen;	/* bio_flushdev pass that tried it */
	bool		 b_hashed;	/* on a hash chain */
};

/* b_flags: the transfer. */
#define B_WRITE		0x00000000
#define B_READ		0x00100000	/* read (else write) */
#define B_ASYNC		0x00000004	/* nobody waits: release at biodone */

/* b_cflags: cache state (bufcache_lock). */
#define BC_BUSY		0x00000010	/* owned by one caller */
#define BC_INVAL	0x00002000	/* contents not valid: drop on release */
#define BC_NOCACHE	0x00008000	/* drop on release */

/* b_oflags: I/O state (bufcache_lock). */
#define BO_DONE		0x00000200	/* contents valid / transfer finished */
#define BO_DELWRI	0x00000080	/* dirty: to be written back */
#define BO_INFLIGHT	0x00000400	/* a transfer is running */

/* bread() flags. */
#define B_MODIFY	0x01		/* the caller will modify the block */

/* bio_flushdev() flags. */
#define BIO_FLUSH_CLEAR	0x01		/* forget a latched write error */

int	bufinit(void);
void	buffini(void);

int	bread(struct blkdev *, daddr_t, int, int, struct buf **);
struct buf *getblk(struct blkdev *, daddr_t, int, int, int);
int	bwrite(struct buf *);
void	bawrite(struct buf *);
void	bdwrite(struct buf *);
void	brelse(struct buf *, int);
void	biodone(struct buf *);
int	biowait(struct buf *);
void	clrbuf(struct buf *);

int	bio_flushdev(struct blkdev *, int);
void	bio_invaldev(struct blkdev *);
int	bio_syncer_start(void);
void	bio_syncer_stop(void);

#endif /* _SYS_BUF_H_ */
