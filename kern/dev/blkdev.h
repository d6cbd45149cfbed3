/*
 * The block device interface: a host file registered with etfs as
 * RUMP_ETFS_BLK, for a disk file system's buffer cache.
 *
 *  blkdev_open(key, ...)	the device registered under key (ENXIO if none;
 *				EROFS for FWRITE on a read-only host file); the
 *				device cannot be removed while open (EBUSY)
 *  blkdev_size()		bytes
 *  blkdev_strategy()		start a transfer; br_done(req, bytes, error)
 *				runs with a virtual CPU held, perhaps before
 *				blkdev_strategy returns (serial mode), perhaps
 *				in another host thread; offsets and lengths
 *				are multiples of DEV_BSIZE (else EINVAL), within
 *				the device (else EINVAL)
 *  blkdev_rw()			the same, waiting for completion
 *  blkdev_sync()		flush the host file (rumpuser_syncfd)
 */
#ifndef _DEV_BLKDEV_H_
#define _DEV_BLKDEV_H_

#include <sys/types.h>

struct blkdev;

#define BLK_READ	0x01
#define BLK_WRITE	0x02
#define BLK_SYNC	0x04	/* write through to stable storage */

struct blkreq {
	int		 br_flags;	/* BLK_* */
	void		*br_data;
	size_t		 br_len;
	off_t		 br_off;	/* bytes from the start of the device */
	void		(*br_done)(struct blkreq *, size_t, int);
	void		*br_arg;	/* the caller's */
};

int	blkdev_open(const char *, int, struct blkdev **);
void	blkdev_close(struct blkdev *);
uint64_t blkdev_size(struct blkdev *);
void	blkdev_strategy(struct blkdev *, struct blkreq *);
int	blkdev_rw(struct blkdev *, int, void *, size_t, off_t);
int	blkdev_sync(struct blkdev *);

#endif /* _DEV_BLKDEV_H_ */
