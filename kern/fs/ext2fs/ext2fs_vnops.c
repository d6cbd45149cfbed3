/*
 * ext2fs vnode operations.  Each runs under the mount's um_lock (taken
 * after the vnode locks the VFS holds), and writes every inode it changes
 * back to the inode table (a delayed write) before returning, so the
 * in-core inode never holds changes the buffer cache does not.  The lock
 * is dropped before vcache_get(), which may load a vnode (and so take it
 * again) or wait for one being reclaimed.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/stat.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/vnode.h>
#include <sys/mount.h>

#include "ext2fs.h"

#define EXT2_LINK_MAX	32000		/* as Linux's and NetBSD's ext2 */

/* The vnode of inode ino of mp, referenced.  um_lock must not be held. */
static int
ext2_vget(struct mount *mp, uint32_t ino, struct vnode **vpp)
{

	return vcache_get(mp, &ino, sizeof(ino), vpp);
}

/* A read-only mount refuses changes. */
static int
ext2_rocheck(struct ext2_mount *ump)
{

	return ump->um_ronly ? EROFS : 0;
}

/* Look cnp up in dvp: ".", "..", or an entry. */
static int
ext2_lookup(struct vnode *dvp, const struct componentname *cnp,
    struct vnode **vpp)
{
	struct ext2_inode *dp = VTOI(dvp);
	struct ext2_mount *ump = dp->i_ump;
	uint32_t ino;
	int error;

	*vpp = NULL;
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (cnp->cn_namelen == 1 && cnp->cn_nameptr[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (cnp->cn_namelen > E2FS_MAXNAMLEN)
		return ENAMETOOLONG;
	mutex_enter(&ump->um_lock);
	if (EXT2_NLINK(dp) == 0)
		error = ENOENT;
	else
		error = ext2_dirlookup(dp, cnp->cn_nameptr, cnp->cn_namelen,
		    &ino, NULL);
	mutex_exit(&ump->um_lock);
	if (error != 0)
		return error;
	if (ino == dp->i_number) {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	return ext2_vget(dvp->v_mount, ino, vpp);
}

/* The ext2 i_mode file type of a vnode type. */
static uint16_t
ext2_vtype_ifmt(enum vtype type)
{

	return (uint16_t)vtype_to_ifmt(type);
}

/*
 * Make a new inode of type va_type in dp, named cnp (a symlink to target
 * if given), and return its vnode.  Called with dp's vnode locked
 * exclusively, without um_lock.
 */
static int
ext2_newnode(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = NULL;
	struct ext2_mount *ump = dp->i_ump;
	struct timespec now;
	struct iovec iov;
	struct uio uio;
	uint32_t ino, rdev;
	uint16_t mode;
	size_t tlen = 0;
	bool isdir = vap->va_type == VDIR;
	int error;

	*vpp = NULL;
	if (cnp->cn_namelen > E2FS_MAXNAMLEN)
		return ENAMETOOLONG;
	if (target != NULL) {
		tlen = strlen(target);
		if (tlen >= ump->um_bsize || tlen >= MAXPATHLEN)
			return ENAMETOOLONG;
	}
	mode = ext2_vtype_ifmt(vap->va_type) | (vap->va_mode & ALLPERMS);
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0)
		goto out;
	if (EXT2_NLINK(dp) == 0) {
		error = ENOENT;
		goto out;
	}
	if (isdir && EXT2_NLINK(dp) >= EXT2_LINK_MAX) {
		error = EMLINK;
		goto out;
	}
	error = ext2_ialloc(dp, isdir, &ino);
	if (error != 0)
		goto out;
	/* A fresh in-core inode: all zero but what is set here. */
	ip = kmem_zalloc(sizeof(*ip), KM_SLEEP);
	if (ip != NULL)
		ip->i_din = kmem_zalloc(ump->um_isize, KM_SLEEP);
	if (ip == NULL || ip->i_din == NULL) {
		if (ip != NULL)
			kmem_free(ip, sizeof(*ip));
		ip = NULL;
		(void)ext2_ifree(ump, ino, isdir);
		error = ENOMEM;
		goto out;
	}
	ip->i_ump = ump;
	ip->i_number = ino;
	ip->i_dinsize = ump->um_isize;
	if (ump->um_isize >= E2FS_REV0_INODE_SIZE + E2DI_NEW_EXTRA_ISIZE)
		ext2_put16(ip->i_din, E2DI_EXTRA_ISIZE, E2DI_NEW_EXTRA_ISIZE);
	ext2_put16(ip->i_din, E2DI_MODE, mode);
	ext2_setuid(ip, vap->va_uid);
	ext2_setgid(ip, vap->va_gid);
	ext2_put16(ip->i_din, E2DI_NLINK, isdir ? 2 : 1);
	getnanotime(&now);
	ext2_put32(ip->i_din, E2DI_GEN, (uint32_t)(now.tv_nsec ^ ino));
	ext2_itimes(ip, EXT2_ACCESS | EXT2_UPDATE | EXT2_CHANGE);
	if (vap->va_type == VBLK || vap->va_type == VCHR) {
		/* Linux's new encoding, in the second block pointer. */
		rdev = (uint32_t)(((vap->va_rdev >> 8) & 0xfff) << 8 |
		    (vap->va_rdev & 0xff) | ((vap->va_rdev >> 12) & 0xfff00));
		ext2_put32(ip->i_din, E2DI_BLOCKS + 4, rdev);
	}
	if (isdir)
		error = ext2_dirinit(ip, dp->i_number);
	else if (target != NULL && tlen < E2FS_MAXSYMLINKLEN) {
		memcpy(ip->i_din + E2DI_BLOCKS, target, tlen);
		error = ext2_setsize(ip, tlen);
	} else if (target != NULL) {
		iov.iov_base = __UNCONST(target);
		iov.iov_len = tlen;
		uio.uio_iov = &iov;
		uio.uio_iovcnt = 1;
		uio.uio_offset = 0;
		uio.uio_resid = tlen;
		uio.uio_rw = UIO_WRITE;
		error = ext2_rdwr(ip, &uio, 0);
	}
	if (error == 0)
		error = ext2_iupdate(ip);
	if (error == 0)
		error = ext2_direnter(dp, cnp->cn_nameptr, cnp->cn_namelen, ino,
		    ext2_ftype(mode));
	if (error != 0) {
		/* Undo: no entry names the inode. */
		ext2_put16(ip->i_din, E2DI_NLINK, 0);
		(void)ext2_release(ip);
		goto out;
	}
	if (isdir) {
		ext2_put16(dp->i_din, E2DI_NLINK, EXT2_NLINK(dp) + 1);
		ext2_itimes(dp, EXT2_CHANGE);
	}
	error = ext2_iupdate(dp);
out:
	mutex_exit(&ump->um_lock);
	if (ip != NULL)
		ext2_ifreemem(ip);
	if (error == 0)
		error = ext2_vget(dvp->v_mount, ino, vpp);
	return error;
}

static int
ext2_create(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, struct vnode **vpp)
{

	switch (vap->va_type) {
	case VREG:
	case VDIR:
	case VBLK:
	case VCHR:
	case VFIFO:
	case VSOCK:
		return ext2_newnode(dvp, cnp, vap, NULL, vpp);
	default:
		return EINVAL;
	}
}

static int
ext2_symlink(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{

	vap->va_type = VLNK;
	return ext2_newnode(dvp, cnp, vap, target, vpp);
}

/*
 * Check that cnp in dp still names ip (the VFS looked it up before it
 * locked them).  um_lock held.
 */
static int
ext2_check_entry(struct ext2_inode *dp, const struct componentname *cnp,
    struct ext2_inode *ip)
{
	uint32_t ino;
	int error;

	error = ext2_dirlookup(dp, cnp->cn_nameptr, cnp->cn_namelen, &ino,
	    NULL);
	if (error == 0 && ino != ip->i_number)
		error = ENOENT;
	return error;
}

static int
ext2_remove(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = VTOI(vp);
	struct ext2_mount *ump = dp->i_ump;
	int error;

	if (vp->v_type == VDIR)
		return EPERM;
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0 ||
	    (error = ext2_check_entry(dp, cnp, ip)) != 0)
		goto out;
	error = ext2_dirremove(dp, cnp->cn_nameptr, cnp->cn_namelen);
	if (error != 0)
		goto out;
	if (EXT2_NLINK(ip) > 0)
		ext2_put16(ip->i_din, E2DI_NLINK, EXT2_NLINK(ip) - 1);
	ext2_itimes(ip, EXT2_CHANGE);
	error = ext2_iupdate(ip);
	if (error == 0)
		error = ext2_iupdate(dp);
out:
	mutex_exit(&ump->um_lock);
	return error;
}

static int
ext2_rmdir(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = VTOI(vp);
	struct ext2_mount *ump = dp->i_ump;
	bool empty;
	int error;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (dp == ip)
		return EINVAL;
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0 ||
	    (error = ext2_check_entry(dp, cnp, ip)) != 0 ||
	    (error = ext2_dirempty(ip, &empty)) != 0)
		goto out;
	if (!empty) {
		error = ENOTEMPTY;
		goto out;
	}
	error = ext2_dirremove(dp, cnp->cn_nameptr, cnp->cn_namelen);
	if (error != 0)
		goto out;
	if (EXT2_NLINK(dp) > 2)
		ext2_put16(dp->i_din, E2DI_NLINK, EXT2_NLINK(dp) - 1);
	ext2_put16(ip->i_din, E2DI_NLINK, 0);
	ext2_itimes(ip, EXT2_CHANGE);
	error = ext2_iupdate(ip);
	if (error == 0)
		error = ext2_iupdate(dp);
out:
	mutex_exit(&ump->um_lock);
	return error;
}

static int
ext2_link(struct vnode *dvp, struct vnode *vp, const struct componentname *cnp)
{
	struct ext2_inode *dp = VTOI(dvp), *ip = VTOI(vp);
	struct ext2_mount *ump = dp->i_ump;
	int error;

	if (vp->v_type == VDIR)
		return EPERM;
	if (cnp->cn_namelen > E2FS_MAXNAMLEN)
		return ENAMETOOLONG;
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0)
		goto out;
	if (EXT2_NLINK(dp) == 0 || EXT2_NLINK(ip) == 0) {
		error = ENOENT;
		goto out;
	}
	if (EXT2_NLINK(ip) >= EXT2_LINK_MAX) {
		error = EMLINK;
		goto out;
	}
	error = ext2_direnter(dp, cnp->cn_nameptr, cnp->cn_namelen,
	    ip->i_number, ext2_ftype(EXT2_MODE(ip)));
	if (error != 0)
		goto out;
	ext2_put16(ip->i_din, E2DI_NLINK, EXT2_NLINK(ip) + 1);
	ext2_itimes(ip, EXT2_CHANGE);
	error = ext2_iupdate(ip);
	if (error == 0)
		error = ext2_iupdate(dp);
out:
	mutex_exit(&ump->um_lock);
	return error;
}

/*
 * Move fcnp of fdvp to tcnp of tdvp, replacing tvp if given (the VFS has
 * matched the types and checked the subtree rule).  A directory that moves
 * to another parent gets its ".." rewritten and the link counts follow.
 */
static int
ext2_rename(struct vnode *fdvp, struct vnode *fvp,
    const struct componentname *fcnp, struct vnode *tdvp, struct vnode *tvp,
    const struct componentname *tcnp)
{
	struct ext2_inode *fdp = VTOI(fdvp), *fip = VTOI(fvp);
	struct ext2_inode *tdp = VTOI(tdvp), *tip = tvp ? VTOI(tvp) : NULL;
	struct ext2_mount *ump = fdp->i_ump;
	bool isdir = fvp->v_type == VDIR, empty;
	int error;

	if (tcnp->cn_namelen > E2FS_MAXNAMLEN)
		return ENAMETOOLONG;
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0 ||
	    (error = ext2_check_entry(fdp, fcnp, fip)) != 0)
		goto out;
	if (EXT2_NLINK(tdp) == 0) {
		error = ENOENT;
		goto out;
	}
	if (tip == fip)		/* Two links of one file: nothing to do. */
		goto out;
	if (tip != NULL) {
		if ((error = ext2_check_entry(tdp, tcnp, tip)) != 0)
			goto out;
		if (tvp->v_type == VDIR) {
			if ((error = ext2_dirempty(tip, &empty)) != 0)
				goto out;
			if (!empty) {
				error = ENOTEMPTY;
				goto out;
			}
		}
		error = ext2_dirrewrite(tdp, tcnp->cn_nameptr,
		    tcnp->cn_namelen, fip->i_number,
		    ext2_ftype(EXT2_MODE(fip)));
		if (error != 0)
			goto out;
		if (tvp->v_type == VDIR) {
			ext2_put16(tip->i_din, E2DI_NLINK, 0);
			if (EXT2_NLINK(tdp) > 2)
				ext2_put16(tdp->i_din, E2DI_NLINK,
				    EXT2_NLINK(tdp) - 1);
		} else if (EXT2_NLINK(tip) > 0)
			ext2_put16(tip->i_din, E2DI_NLINK,
			    EXT2_NLINK(tip) - 1);
		ext2_itimes(tip, EXT2_CHANGE);
		if ((error = ext2_iupdate(tip)) != 0)
			goto out;
	} else {
		if (isdir && fdp != tdp && EXT2_NLINK(tdp) >= EXT2_LINK_MAX) {
			error = EMLINK;
			goto out;
		}
		error = ext2_direnter(tdp, tcnp->cn_nameptr, tcnp->cn_namelen,
		    fip->i_number, ext2_ftype(EXT2_MODE(fip)));
		if (error != 0)
			goto out;
	}
	if (isdir && fdp != tdp) {
		ext2_put16(tdp->i_din, E2DI_NLINK, EXT2_NLINK(tdp) + 1);
		if (EXT2_NLINK(fdp) > 2)
			ext2_put16(fdp->i_din, E2DI_NLINK, EXT2_NLINK(fdp) - 1);
		error = ext2_dirrewrite(fip, "..", 2, tdp->i_number,
		    EXT2_FT_DIR);
		if (error != 0)
			goto out;
	}
	error = ext2_dirremove(fdp, fcnp->cn_nameptr, fcnp->cn_namelen);
	if (error != 0)
		goto out;
	ext2_itimes(fip, EXT2_CHANGE);
	if ((error = ext2_iupdate(fip)) == 0 &&
	    (error = ext2_iupdate(fdp)) == 0 && tdp != fdp)
		error = ext2_iupdate(tdp);
out:
	mutex_exit(&ump->um_lock);
	return error;
}

/* The device number of a block or character special inode. */
static dev_t
ext2_rdev(struct ext2_inode *ip)
{
	uint32_t old = EXT2_BLKPTR(ip, 0), new = EXT2_BLKPTR(ip, 1);

	if (old != 0)
		return (dev_t)((old >> 8) & 0xff) << 8 | (old & 0xff);
	return (dev_t)((new >> 8) & 0xfff) << 8 | (new & 0xff) |
	    (dev_t)((new >> 12) & 0xfff00);
}

static int
ext2_getattr(struct vnode *vp, struct vattr *vap)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;

	vattr_null(vap);
	mutex_enter(&ump->um_lock);
	vap->va_type = vp->v_type;
	vap->va_mode = EXT2_MODE(ip) & ALLPERMS;
	vap->va_nlink = EXT2_NLINK(ip);
	vap->va_uid = ext2_uid(ip);
	vap->va_gid = ext2_gid(ip);
	vap->va_fsid = vp->v_mount->mnt_fsid;
	vap->va_fileid = ip->i_number;
	vap->va_size = (off_t)ext2_isize(ip);
	vap->va_blocksize = ump->um_bsize;
	ext2_gettime(ip, E2DI_ATIME, &vap->va_atime);
	ext2_gettime(ip, E2DI_MTIME, &vap->va_mtime);
	ext2_gettime(ip, E2DI_CTIME, &vap->va_ctime);
	vap->va_birthtime.tv_sec = 0;
	vap->va_birthtime.tv_nsec = 0;
	vap->va_gen = EXT2_I32(ip, E2DI_GEN);
	vap->va_flags = 0;
	vap->va_rdev = (vp->v_type == VBLK || vp->v_type == VCHR) ?
	    ext2_rdev(ip) : NODEV;
	vap->va_bytes = (uint64_t)EXT2_I32(ip, E2DI_NBLOCK) << DEV_BSHIFT;
	mutex_exit(&ump->um_lock);
	return 0;
}

static int
ext2_setattr(struct vnode *vp, const struct vattr *vap)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	int error;

	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) != 0)
		goto out;
	if (vap->va_size != VNOVAL) {
		if (vp->v_type == VDIR) {
			error = EISDIR;
			goto out;
		}
		if (vp->v_type != VREG) {
			error = EINVAL;
			goto out;
		}
		if (vap->va_size < 0) {
			error = EINVAL;
			goto out;
		}
		error = ext2_truncate(ip, vap->va_size);
		if (error != 0)
			goto out;
		ext2_itimes(ip, EXT2_UPDATE);
	}
	if (vap->va_mode != (mode_t)VNOVAL)
		ext2_put16(ip->i_din, E2DI_MODE, (EXT2_MODE(ip) & E2IFMT) |
		    (vap->va_mode & ALLPERMS));
	if (vap->va_uid != (uid_t)VNOVAL)
		ext2_setuid(ip, vap->va_uid);
	if (vap->va_gid != (gid_t)VNOVAL)
		ext2_setgid(ip, vap->va_gid);
	if (vap->va_atime.tv_sec != VNOVAL)
		ext2_settime(ip, E2DI_ATIME, &vap->va_atime);
	if (vap->va_mtime.tv_sec != VNOVAL)
		ext2_settime(ip, E2DI_MTIME, &vap->va_mtime);
	ext2_itimes(ip, EXT2_CHANGE);
	error = ext2_iupdate(ip);
out:
	mutex_exit(&ump->um_lock);
	return error;
}

static int
ext2_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	int error;

	if (vp->v_type != VREG)		/* directories: EISDIR in the VFS */
		return EINVAL;
	mutex_enter(&ump->um_lock);
	error = ext2_rdwr(ip, uio, ioflag);
	if (!ump->um_ronly &&
	    (vp->v_mount->mnt_flag & MNT_NOATIME) == 0) {
		ext2_itimes(ip, EXT2_ACCESS);
		if (error == 0)
			error = ext2_iupdate(ip);
	}
	mutex_exit(&ump->um_lock);
	return error;
}

static int
ext2_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	int error, error2;

	if (vp->v_type != VREG)		/* directories: EISDIR in the VFS */
		return EINVAL;
	mutex_enter(&ump->um_lock);
	if ((error = ext2_rocheck(ump)) == 0) {
		error = ext2_rdwr(ip, uio, ioflag);
		/* What was written stays written: record it either way. */
		error2 = ext2_iupdate(ip);
		if (error == 0)
			error = error2;
		if (error == 0 && (ioflag & IO_SYNC))
			error = bio_flushdev(ump->um_dev, BIO_FLUSH_CLEAR);
	}
	mutex_exit(&ump->um_lock);
	return error;
}

static int
ext2_readdir(struct vnode *vp, struct uio *uio)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	int error;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	mutex_enter(&ump->um_lock);
	error = ext2_readdir_uio(ip, uio);
	mutex_exit(&ump->um_lock);
	return error;
}

/* A symbolic link's target: in the block pointers (fast) or a block. */
static int
ext2_readlink(struct vnode *vp, struct uio *uio)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	uint64_t size;
	char buf[E2FS_MAXSYMLINKLEN];
	struct buf *bp;
	uint32_t b;
	int error;

	if (vp->v_type != VLNK)
		return EINVAL;
	mutex_enter(&ump->um_lock);
	size = ext2_isize(ip);
	if (size >= ump->um_bsize || size >= MAXPATHLEN) {
		printf("ext2fs: symlink %u: size %llu too large\n",
		    ip->i_number, (unsigned long long)size);
		error = EIO;
	} else if (size < E2FS_MAXSYMLINKLEN &&
	    EXT2_I32(ip, E2DI_NBLOCK) == (EXT2_I32(ip, E2DI_FACL) != 0 ?
	    ump->um_bsize >> DEV_BSHIFT : 0)) {
		memcpy(buf, ip->i_din + E2DI_BLOCKS, size);
		error = uiomove(buf, MIN(size, uio->uio_resid), uio);
	} else if ((error = ext2_bmap(ip, 0, 0, &b)) == 0) {
		if (b == 0) {
			printf("ext2fs: symlink %u: no block\n", ip->i_number);
			error = EIO;
		} else if ((error = bread(ump->um_dev, EXT2_FSBTODB(ump, b),
		    ump->um_bsize, 0, &bp)) == 0) {
			error = uiomove(bp->b_data, MIN(size, uio->uio_resid),
			    uio);
			brelse(bp, 0);
		}
	}
	mutex_exit(&ump->um_lock);
	return error;
}

/*
 * Write the inode, the file system's summary and every delayed write of
 * the device, and report any write error of the device not yet reported
 * (the device's latch is cleared: see <sys/buf.h>).
 */
static int
ext2_fsync(struct vnode *vp, int flags)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump = ip->i_ump;
	int error = 0;

	mutex_enter(&ump->um_lock);
	if (!ump->um_ronly) {
		error = ext2_iupdate(ip);
		if (error == 0 && ump->um_sbdirty)
			error = ext2_sbupdate(ump, false);
	}
	if (error == 0)
		error = bio_flushdev(ump->um_dev, BIO_FLUSH_CLEAR);
	mutex_exit(&ump->um_lock);
	return error;
}

/*
 * The last reference went: an inode with no link left is freed (and its
 * vnode recycled); any other stays cached with its vnode.
 */
static int
ext2_inactive(struct vnode *vp, bool *recycle)
{
	struct ext2_inode *ip = VTOI(vp);
	struct ext2_mount *ump;
	int error = 0;

	*recycle = ip == NULL || EXT2_NLINK(ip) == 0;
	if (ip == NULL || EXT2_NLINK(ip) != 0)
		return 0;
	ump = ip->i_ump;
	mutex_enter(&ump->um_lock);
	if (!ump->um_ronly)
		error = ext2_release(ip);
	mutex_exit(&ump->um_lock);
	return error;
}

/* The vnode goes: free the in-core inode (written back already). */
static int
ext2_reclaim(struct vnode *vp)
{
	struct ext2_inode *ip = VTOI(vp);

	vp->v_data = NULL;
	if (ip != NULL)
		ext2_ifreemem(ip);
	return 0;
}

const struct vnodeops ext2fs_vnodeops = {
	.vop_lookup = ext2_lookup,
	.vop_create = ext2_create,
	.vop_symlink = ext2_symlink,
	.vop_remove = ext2_remove,
	.vop_rmdir = ext2_rmdir,
	.vop_link = ext2_link,
	.vop_rename = ext2_rename,
	.vop_getattr = ext2_getattr,
	.vop_setattr = ext2_setattr,
	.vop_read = ext2_read,
	.vop_write = ext2_write,
	.vop_readdir = ext2_readdir,
	.vop_readlink = ext2_readlink,
	.vop_fsync = ext2_fsync,
	.vop_inactive = ext2_inactive,
	.vop_reclaim = ext2_reclaim,
};
