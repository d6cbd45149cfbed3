/*
 * etfs: host files inside the kernel under a key path (NetBSD's
 * rump_etfs_register).  RUMP_ETFS_BLK makes a block device (blkdev.h,
 * through rumpuser_bio); RUMP_ETFS_REG a regular file (through
 * rumpuser_iovread/iovwrite).  namei() resolves a path equal to a key
 * before it walks the tree, to a vnode of no file system that the table
 * holds; opening it reads and writes the host file (a block device: whole
 * DEV_BSIZE blocks only).  Keys do not appear in directory listings.
 *
 * Locks: etfs_lock (a leaf) guards the table and each entry's et_opens.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/fcntl.h>
#include <sys/uio.h>
#include <sys/vnode.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>
#include <rump/rumpvfs_if_pub.h>

#include "dev/blkdev.h"
#include "vfs/vfs_private.h"

struct etfs {
	struct etfs	*et_next;
	char		*et_key;
	enum rump_etfs_type et_type;
	int		 et_fd;		/* host handle */
	bool		 et_rdonly;	/* the host file opened read-only */
	uint64_t	 et_begin;	/* window of the host file, bytes */
	uint64_t	 et_size;
	bool		 et_growable;	/* REG to the end: writes extend */
	ino_t		 et_id;
	struct vnode	*et_vp;		/* held by the table */
	u_int		 et_opens;	/* blkdev_open count; etfs_lock */
};

static kmutex_t etfs_lock;
static struct etfs *etfs_list;
static ino_t etfs_nextid = 1;

void
etfs_init(void)
{

	mutex_init(&etfs_lock, MUTEX_DEFAULT, IPL_NONE);
}

static struct etfs *
etfs_find(const char *key)
{
	struct etfs *et;

	KASSERT(mutex_owned(&etfs_lock));
	for (et = etfs_list; et != NULL; et = et->et_next)
		if (strcmp(et->et_key, key) == 0)
			return et;
	return NULL;
}

/* The vnode of the etfs file named exactly path, referenced, or NULL. */
struct vnode *
etfs_lookup(const char *path)
{
	struct etfs *et;
	struct vnode *vp = NULL;

	if (etfs_list == NULL)
		return NULL;
	mutex_enter(&etfs_lock);
	et = etfs_find(path);
	if (et != NULL) {
		vp = et->et_vp;
		vref(vp);
	}
	mutex_exit(&etfs_lock);
	return vp;
}

static void
etfs_free(struct etfs *et)
{

	(void)rumpuser_close(et->et_fd);
	vrele(et->et_vp);
	kmem_strfree(et->et_key);
	kmem_free(et, sizeof(*et));
}

/* Teardown: every registration goes, in use or not. */
void
etfs_fini(void)
{
	struct etfs *et;

	while ((et = etfs_list) != NULL) {
		etfs_list = et->et_next;
		etfs_free(et);
	}
	mutex_destroy(&etfs_lock);
}

/* Block devices. */

/* Open the block device registered as key for fflags (FREAD/FWRITE). */
int
blkdev_open(const char *key, int fflags, struct blkdev **devp)
{
	struct etfs *et;
	int error = 0;

	mutex_enter(&etfs_lock);
	et = etfs_find(key);
	if (et == NULL || et->et_type != RUMP_ETFS_BLK)
		error = ENXIO;
	else if ((fflags & FWRITE) && et->et_rdonly)
		error = EROFS;
	else {
		et->et_opens++;
		*devp = (struct blkdev *)et;
	}
	mutex_exit(&etfs_lock);
	return error;
}

/* Let go of a device blkdev_open gave. */
void
blkdev_close(struct blkdev *dev)
{
	struct etfs *et = (struct etfs *)dev;

	mutex_enter(&etfs_lock);
	KASSERT(et->et_opens > 0);
	et->et_opens--;
	mutex_exit(&etfs_lock);
}

/* Bytes in the device. */
uint64_t
blkdev_size(struct blkdev *dev)
{

	return ((struct etfs *)dev)->et_size;
}

static void
blkdev_biodone(void *arg, size_t done, int error)
{
	struct blkreq *req = arg;

	req->br_done(req, done, error);
	hostio_done();
}

/*
 * Start req (see blkdev.h); a request out of bounds or misaligned
 * completes at once with EINVAL, a write to a read-only one with EROFS.
 */
void
blkdev_strategy(struct blkdev *dev, struct blkreq *req)
{
	struct etfs *et = (struct etfs *)dev;
	int op;

	if (req->br_off < 0 || req->br_off % DEV_BSIZE != 0 ||
	    req->br_len % DEV_BSIZE != 0 ||
	    (uint64_t)req->br_off > et->et_size ||
	    req->br_len > et->et_size - (uint64_t)req->br_off) {
		req->br_done(req, 0, EINVAL);
		return;
	}
	if ((req->br_flags & BLK_WRITE) && et->et_rdonly) {
		req->br_done(req, 0, EROFS);
		return;
	}
	op = (req->br_flags & BLK_WRITE) ? RUMPUSER_BIO_WRITE :
	    RUMPUSER_BIO_READ;
	if (req->br_flags & BLK_SYNC)
		op |= RUMPUSER_BIO_SYNC;
	hostio_start();
	rumpuser_bio(et->et_fd, op, req->br_data, req->br_len,
	    (int64_t)(et->et_begin + (uint64_t)req->br_off), blkdev_biodone,
	    req);
}

struct blkdev_wait {
	kmutex_t	bw_lock;
	kcondvar_t	bw_cv;
	bool		bw_done;
	size_t		bw_bytes;
	int		bw_error;
};

static void
blkdev_rw_done(struct blkreq *req, size_t bytes, int error)
{
	struct blkdev_wait *bw = req->br_arg;

	mutex_enter(&bw->bw_lock);
	bw->bw_done = true;
	bw->bw_bytes = bytes;
	bw->bw_error = error;
	cv_signal(&bw->bw_cv);
	mutex_exit(&bw->bw_lock);
}

/* A transfer, waited for; a short one is EIO. */
int
blkdev_rw(struct blkdev *dev, int flags, void *data, size_t len, off_t off)
{
	struct blkdev_wait bw;
	struct blkreq req;
	int error;

	mutex_init(&bw.bw_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&bw.bw_cv, "blkrw");
	bw.bw_done = false;
	req.br_flags = flags;
	req.br_data = data;
	req.br_len = len;
	req.br_off = off;
	req.br_done = blkdev_rw_done;
	req.br_arg = &bw;
	blkdev_strategy(dev, &req);
	mutex_enter(&bw.bw_lock);
	while (!bw.bw_done)
		cv_wait(&bw.bw_cv, &bw.bw_lock);
	mutex_exit(&bw.bw_lock);
	error = bw.bw_error;
	if (error == 0 && bw.bw_bytes != len)
		error = EIO;
	cv_destroy(&bw.bw_cv);
	mutex_destroy(&bw.bw_lock);
	return error;
}

/* Write the host file's cached blocks of the device to stable storage. */
int
blkdev_sync(struct blkdev *dev)
{
	struct etfs *et = (struct etfs *)dev;

	return rumpuser_syncfd(et->et_fd, RUMPUSER_SYNCFD_WRITE |
	    RUMPUSER_SYNCFD_SYNC, et->et_begin, et->et_size);
}

/* The vnode operations of etfs files. */

static int
etfs_notdir(void)
{

	return ENOTDIR;
}

static int
etfs_lookup_op(struct vnode *dvp, const struct componentname *cnp,
    struct vnode **vpp)
{

	return etfs_notdir();
}

static int
etfs_create(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, struct vnode **vpp)
{

	return etfs_notdir();
}

static int
etfs_symlink(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{

	return etfs_notdir();
}

static int
etfs_dirop(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{

	return etfs_notdir();
}

static int
etfs_rename(struct vnode *fdvp, struct vnode *fvp,
    const struct componentname *fcnp, struct vnode *tdvp, struct vnode *tvp,
    const struct componentname *tcnp)
{

	return etfs_notdir();
}

/* Attributes of a host file: mode 0666 (0444 read-only), owner root. */
static int
etfs_getattr(struct vnode *vp, struct vattr *vap)
{
	struct etfs *et = vp->v_data;

	vattr_null(vap);
	vap->va_type = vp->v_type;
	vap->va_mode = et->et_rdonly ? 0444 : 0666;
	vap->va_nlink = 1;
	vap->va_uid = 0;
	vap->va_gid = 0;
	vap->va_fsid = 0;
	vap->va_fileid = et->et_id;
	vap->va_size = (off_t)et->et_size;
	vap->va_blocksize = DEV_BSIZE;
	vap->va_atime.tv_sec = vap->va_mtime.tv_sec = 0;
	vap->va_ctime.tv_sec = vap->va_birthtime.tv_sec = 0;
	vap->va_atime.tv_nsec = vap->va_mtime.tv_nsec = 0;
	vap->va_ctime.tv_nsec = vap->va_birthtime.tv_nsec = 0;
	vap->va_gen = 0;
	vap->va_flags = 0;
	vap->va_rdev = vp->v_type == VBLK ? (dev_t)et->et_id : NODEV;
	vap->va_bytes = et->et_size;
	return 0;
}

static int
etfs_setattr(struct vnode *vp, const struct vattr *vap)
{

	return EOPNOTSUPP;
}

/*
 * Move the current segment of uio to or from the host file at the uio's
 * offset.  A block device takes whole blocks only (EINVAL).
 */
static int
etfs_rw(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct etfs *et = vp->v_data;
	struct rumpuser_iovec riov;
	struct iovec *iov;
	uint64_t off, limit;
	size_t len, done;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_rw == UIO_WRITE && et->et_rdonly)
		return EROFS;
	if ((ioflag & IO_APPEND) && uio->uio_rw == UIO_WRITE)
		uio->uio_offset = (off_t)et->et_size;
	while (uio->uio_resid > 0) {
		iov = uio->uio_iov;
		if (iov->iov_len == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (iov->iov_base == NULL)
			return EFAULT;
		off = (uint64_t)uio->uio_offset;
		limit = (uio->uio_rw == UIO_WRITE && et->et_growable) ?
		    UINT64_MAX - et->et_begin : et->et_size;
		if (off >= limit)
			break;
		len = MIN(iov->iov_len, limit - off);
		if (vp->v_type == VBLK) {
			if (off % DEV_BSIZE != 0 || len % DEV_BSIZE != 0)
				return EINVAL;
			error = blkdev_rw((struct blkdev *)et,
			    uio->uio_rw == UIO_READ ? BLK_READ : BLK_WRITE,
			    iov->iov_base, len, (off_t)off);
			done = error == 0 ? len : 0;
		} else {
			riov.iov_base = iov->iov_base;
			riov.iov_len = len;
			if (uio->uio_rw == UIO_READ)
				error = rumpuser_iovread(et->et_fd, &riov, 1,
				    (int64_t)(et->et_begin + off), &done);
			else
				error = rumpuser_iovwrite(et->et_fd, &riov, 1,
				    (int64_t)(et->et_begin + off), &done);
		}
		if (error != 0)
			return error;
		iov->iov_base = (char *)iov->iov_base + done;
		iov->iov_len -= done;
		uio->uio_resid -= done;
		uio->uio_offset += done;
		if (uio->uio_rw == UIO_WRITE && et->et_growable &&
		    (uint64_t)uio->uio_offset > et->et_size)
			et->et_size = (uint64_t)uio->uio_offset;
		if (done < len)
			break;
	}
	return 0;
}

static int
etfs_readdir(struct vnode *vp, struct uio *uio)
{

	return etfs_notdir();
}

static int
etfs_readlink(struct vnode *vp, struct uio *uio)
{

	return EINVAL;
}

/* Flush the whole host file. */
static int
etfs_fsync(struct vnode *vp, int flags)
{
	struct etfs *et = vp->v_data;

	return rumpuser_syncfd(et->et_fd, RUMPUSER_SYNCFD_WRITE |
	    RUMPUSER_SYNCFD_SYNC, 0, 0);
}

/* Never called: etfs vnodes are of no file system (VS_DEAD). */
static int
etfs_inactive(struct vnode *vp, bool *recycle)
{

	*recycle = true;
	return 0;
}

static int
etfs_reclaim(struct vnode *vp)
{

	return 0;
}

static const struct vnodeops etfs_vnodeops = {
	.vop_lookup = etfs_lookup_op,
	.vop_create = etfs_create,
	.vop_symlink = etfs_symlink,
	.vop_remove = etfs_dirop,
	.vop_rmdir = etfs_dirop,
	.vop_link = etfs_dirop,
	.vop_rename = etfs_rename,
	.vop_getattr = etfs_getattr,
	.vop_setattr = etfs_setattr,
	.vop_read = etfs_rw,
	.vop_write = etfs_rw,
	.vop_readdir = etfs_readdir,
	.vop_readlink = etfs_readlink,
	.vop_fsync = etfs_fsync,
	.vop_inactive = etfs_inactive,
	.vop_reclaim = etfs_reclaim,
};

/*
 * Register host file hostpath under key: its bytes [begin, begin + size)
 * (size RUMP_ETFS_SIZE_ENDOFF: to the end).  EINVAL for a relative key, an
 * unsupported type or a window past the end; EEXIST for a key in use.
 */
static int
etfs_register(const char *ukey, const char *hostpath,
    enum rump_etfs_type type, uint64_t begin, uint64_t size)
{
	struct etfs *et = NULL;
	char *key;
	uint64_t hsize;
	int error, ft, fd = -1, mode;
	bool rdonly = false;

	key = kmem_alloc(MAXPATHLEN, KM_SLEEP);
	if (key == NULL)
		return ENOMEM;
	error = copyinstr(ukey, key, MAXPATHLEN, NULL);
	if (error != 0)
		goto out;
	if (key[0] != '/' || hostpath == NULL ||
	    (type != RUMP_ETFS_REG && type != RUMP_ETFS_BLK) ||
	    (type == RUMP_ETFS_BLK && (begin % DEV_BSIZE != 0 ||
	    (size != RUMP_ETFS_SIZE_ENDOFF && size % DEV_BSIZE != 0)))) {
		error = EINVAL;
		goto out;
	}
	error = rumpuser_getfileinfo(hostpath, &hsize, &ft);
	if (error != 0)
		goto out;
	if (ft == RUMPUSER_FT_DIR) {
		error = EISDIR;
		goto out;
	}
	if (begin > hsize || (size != RUMP_ETFS_SIZE_ENDOFF &&
	    size > hsize - begin && type == RUMP_ETFS_BLK)) {
		error = EINVAL;
		goto out;
	}
	mode = type == RUMP_ETFS_BLK ? RUMPUSER_OPEN_BIO : 0;
	error = rumpuser_open(hostpath, mode | RUMPUSER_OPEN_RDWR, &fd);
	if (error == EACCES || error == EROFS) {
		rdonly = true;
		error = rumpuser_open(hostpath, mode | RUMPUSER_OPEN_RDONLY,
		    &fd);
	}
	if (error != 0)
		goto out;
	et = kmem_zalloc(sizeof(*et), KM_SLEEP);
	if (et == NULL) {
		error = ENOMEM;
		goto out;
	}
	et->et_key = kmem_strdup(key, KM_SLEEP);
	if (et->et_key == NULL) {
		error = ENOMEM;
		goto out;
	}
	et->et_type = type;
	et->et_fd = fd;
	et->et_rdonly = rdonly;
	et->et_begin = begin;
	et->et_growable = type == RUMP_ETFS_REG &&
	    size == RUMP_ETFS_SIZE_ENDOFF;
	et->et_size = size == RUMP_ETFS_SIZE_ENDOFF ? hsize - begin : size;
	if (type == RUMP_ETFS_BLK)
		et->et_size -= et->et_size % DEV_BSIZE;
	error = vnode_alloc_detached(type == RUMP_ETFS_BLK ? VBLK : VREG,
	    &etfs_vnodeops, et, &et->et_vp);
	if (error != 0)
		goto out;
	mutex_enter(&etfs_lock);
	if (etfs_find(key) != NULL) {
		mutex_exit(&etfs_lock);
		error = EEXIST;
		goto out;
	}
	et->et_id = etfs_nextid++;
	et->et_next = etfs_list;
	etfs_list = et;
	mutex_exit(&etfs_lock);
	et = NULL;
	fd = -1;
out:
	if (et != NULL) {
		if (et->et_vp != NULL)
			vrele(et->et_vp);
		if (et->et_key != NULL)
			kmem_strfree(et->et_key);
		kmem_free(et, sizeof(*et));
	}
	if (fd != -1)
		(void)rumpuser_close(fd);
	kmem_free(key, MAXPATHLEN);
	return error;
}

int
rump_pub_etfs_register(const char *key, const char *hostpath,
    enum rump_etfs_type type)
{
	int error;

	rump_schedule();
	error = etfs_register(key, hostpath, type, 0, RUMP_ETFS_SIZE_ENDOFF);
	rump_unschedule();
	return error;
}

int
rump_pub_etfs_register_withsize(const char *key, const char *hostpath,
    enum rump_etfs_type type, uint64_t begin, uint64_t size)
{
	int error;

	rump_schedule();
	error = etfs_register(key, hostpath, type, begin, size);
	rump_unschedule();
	return error;
}

/* Unregister key: ENOENT if unknown, EBUSY while open or mounted. */
int
rump_pub_etfs_remove(const char *key)
{
	struct etfs *et, **etp;
	int error = 0;

	if (key == NULL)
		return EFAULT;
	rump_schedule();
	mutex_enter(&etfs_lock);
	for (etp = &etfs_list; (et = *etp) != NULL; etp = &et->et_next)
		if (strcmp(et->et_key, key) == 0)
			break;
	if (et == NULL)
		error = ENOENT;
	else if (et->et_opens > 0 || vrefcnt(et->et_vp) > 1)
		error = EBUSY;
	else
		*etp = et->et_next;
	mutex_exit(&etfs_lock);
	if (error == 0)
		etfs_free(et);
	rump_unschedule();
	return error;
}
