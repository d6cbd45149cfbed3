/*
 * ext2fs mount-level operations: mount an etfs block device (struct
 * ufs_args: fspec is the etfs key), remount between read-only and
 * read-write, sync, statvfs, unmount, and loading a vnode for an inode
 * (the vnode cache key is the 32-bit inode number).
 *
 * Who reports a write error (see also <sys/buf.h>): fsync (and an
 * IO_SYNC write) reports the device's latched errors and clears them;
 * sync(2) writes everything back and reports an error to the VFS without
 * clearing it; the sync that precedes unmount reports and clears it, and
 * the unmount fails with it (the file system stays mounted; MNT_FORCE
 * unmounts anyway, and its error then only reaches the console).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/fcntl.h>
#include <sys/time.h>
#include <sys/buf.h>
#include <sys/vnode.h>
#include <sys/mount.h>

#include "ext2fs.h"

#define SB32(ump, off)	ext2_get32((ump)->um_sb, (off))
#define SB16(ump, off)	ext2_get16((ump)->um_sb, (off))

/* The mounted ext2 file systems: one mount per device (a leaf lock). */
static kmutex_t ext2_mounts_lock;
static LIST_HEAD(, ext2_mount) ext2_mounts;

/*
 * Mark the file system in use (not clean) or clean in the superblock and
 * write the superblock and descriptors (with their backups when clean).
 * um_lock held.
 */
static int
ext2_setclean(struct ext2_mount *ump, bool clean)
{
	uint16_t state = SB16(ump, E2SB_STATE);
	struct timespec now;

	getnanotime(&now);
	if (clean) {
		ext2_put16(ump->um_sb, E2SB_STATE, state | E2FS_ISCLEAN);
		ext2_put32(ump->um_sb, E2SB_WTIME, (uint32_t)now.tv_sec);
	} else {
		ext2_put16(ump->um_sb, E2SB_STATE, state & ~E2FS_ISCLEAN);
		ext2_put16(ump->um_sb, E2SB_MNT_COUNT,
		    SB16(ump, E2SB_MNT_COUNT) + 1);
		ext2_put32(ump->um_sb, E2SB_MTIME, (uint32_t)now.tv_sec);
	}
	return ext2_sbupdate(ump, clean);
}

/* Read the group descriptors into um_gd and check them. */
static int
ext2_gd_load(struct ext2_mount *ump)
{
	struct buf *bp;
	uint32_t b;
	int error;

	ump->um_gdsize = (size_t)ump->um_gdblocks * ump->um_bsize;
	ump->um_gd = kmem_alloc(ump->um_gdsize, KM_SLEEP);
	if (ump->um_gd == NULL)
		return ENOMEM;
	for (b = 0; b < ump->um_gdblocks; b++) {
		error = bread(ump->um_dev, EXT2_FSBTODB(ump,
		    ump->um_firstdata + 1 + b), ump->um_bsize, 0, &bp);
		if (error != 0)
			return error;
		memcpy(ump->um_gd + (size_t)b * ump->um_bsize, bp->b_data,
		    ump->um_bsize);
		brelse(bp, 0);
	}
	return ext2_gd_check(ump);
}

/* Free what a mount holds (its buffers were flushed or are dropped). */
static void
ext2_ump_free(struct ext2_mount *ump)
{

	if (ump->um_listed) {
		mutex_enter(&ext2_mounts_lock);
		LIST_REMOVE(ump, um_list);
		mutex_exit(&ext2_mounts_lock);
	}
	if (ump->um_dev != NULL) {
		bio_invaldev(ump->um_dev);
		blkdev_close(ump->um_dev);
	}
	if (ump->um_gd != NULL)
		kmem_free(ump->um_gd, ump->um_gdsize);
	mutex_destroy(&ump->um_lock);
	kmem_free(ump, sizeof(*ump));
}

/*
 * Change between read-only and read-write (MNT_UPDATE).  Going read-only
 * writes everything back and marks the file system clean; going
 * read-write needs the features this driver can write.
 */
static int
ext2_remount(struct mount *mp, bool ronly)
{
	struct ext2_mount *ump = mp->mnt_data;
	int error = 0;

	mutex_enter(&ump->um_lock);
	if (ronly == ump->um_ronly)
		goto out;
	if (ronly) {
		error = ext2_setclean(ump, true);
		if (error == 0)
			error = bio_flushdev(ump->um_dev, BIO_FLUSH_CLEAR);
		if (error == 0)
			ump->um_ronly = true;
		goto out;
	}
	if (ump->um_rocompat) {
		printf("ext2fs: unsupported read-only-compatible features: "
		    "stays read-only\n");
		error = EROFS;
		goto out;
	}
	ump->um_ronly = false;
	error = ext2_setclean(ump, false);
	if (error != 0)
		ump->um_ronly = true;
out:
	mutex_exit(&ump->um_lock);
	return error;
}

/*
 * Mount the etfs block device named by ufs_args.fspec: read and check
 * the superblock and group descriptors, load the root directory.
 */
static int
ext2_mount(struct mount *mp, const char *path, void *data, size_t *datalen)
{
	struct rump_ufs_args *args = data;
	struct ext2_mount *ump, *other;
	char fspec[RUMP_VFS_MNAMELEN];
	bool ronly = (mp->mnt_flag & MNT_RDONLY) != 0;
	uint32_t rootino = EXT2_ROOTINO;
	struct buf *bp;
	int error;

	if (mp->mnt_flag & MNT_UPDATE)
		return ext2_remount(mp, ronly);
	if (data == NULL || *datalen < sizeof(*args))
		return EINVAL;
	error = copyinstr(args->fspec, fspec, sizeof(fspec), NULL);
	if (error != 0)
		return error;
	ump = kmem_zalloc(sizeof(*ump), KM_SLEEP);
	if (ump == NULL)
		return ENOMEM;
	mutex_init(&ump->um_lock, MUTEX_DEFAULT, IPL_NONE);
	ump->um_mount = mp;
	ump->um_ronly = ronly;
	error = blkdev_open(fspec, ronly ? FREAD : FREAD | FWRITE,
	    &ump->um_dev);
	if (error != 0)
		goto bad;
	/* A device mounted already: EBUSY (two mounts would corrupt it). */
	mutex_enter(&ext2_mounts_lock);
	LIST_FOREACH(other, &ext2_mounts, um_list) {
		if (other->um_dev == ump->um_dev)
			break;
	}
	if (other == NULL) {
		LIST_INSERT_HEAD(&ext2_mounts, ump, um_list);
		ump->um_listed = true;
	}
	mutex_exit(&ext2_mounts_lock);
	if (other != NULL) {
		/* Not ours to flush or forget: only close it. */
		blkdev_close(ump->um_dev);
		ump->um_dev = NULL;
		error = EBUSY;
		goto bad;
	}
	/* The superblock, read alone: not left in the cache. */
	error = bread(ump->um_dev, E2FS_SBOFF >> DEV_BSHIFT, E2FS_SBSIZE, 0,
	    &bp);
	if (error != 0)
		goto bad;
	error = ext2_sb_load(ump, bp->b_data, blkdev_size(ump->um_dev), ronly);
	brelse(bp, BC_INVAL);
	if (error != 0)
		goto bad;
	if ((error = ext2_gd_load(ump)) != 0)
		goto bad;
	if (!ronly && (error = ext2_setclean(ump, false)) != 0)
		goto bad;
	if ((error = bio_syncer_start()) != 0)
		goto bad;
	mp->mnt_data = ump;
	error = vcache_get(mp, &rootino, sizeof(rootino), &mp->mnt_rootvp);
	if (error != 0 || mp->mnt_rootvp->v_type != VDIR) {
		if (error == 0) {
			printf("ext2fs: the root inode is not a directory\n");
			vrele(mp->mnt_rootvp);
			error = EINVAL;
		}
		mp->mnt_rootvp = NULL;
		mp->mnt_data = NULL;
		bio_syncer_stop();
		goto bad;
	}
	mp->mnt_flag |= MNT_LOCAL;
	strlcpy(mp->mnt_mntfromname, fspec, sizeof(mp->mnt_mntfromname));
	return 0;
bad:
	ext2_ump_free(ump);
	return error;
}

/*
 * Write back everything: the superblock and descriptors, then every
 * delayed write of the device.  waitfor set (before unmount): a latched
 * write error is reported and cleared; else reported only.
 */
static int
ext2_sync(struct mount *mp, int waitfor, kauth_cred_t cred)
{
	struct ext2_mount *ump = mp->mnt_data;
	int error = 0;

	mutex_enter(&ump->um_lock);
	if (!ump->um_ronly && ump->um_sbdirty)
		error = ext2_sbupdate(ump, false);
	if (error == 0)
		error = bio_flushdev(ump->um_dev,
		    waitfor ? BIO_FLUSH_CLEAR : 0);
	mutex_exit(&ump->um_lock);
	return error;
}

/*
 * No vnode of the mount is left: mark the file system clean, write it
 * back with the superblock backups, and let the device go.  Errors here
 * can only be reported on the console (the VFS's sync reported the rest).
 */
static int
ext2_unmount(struct mount *mp, int flags)
{
	struct ext2_mount *ump = mp->mnt_data;
	int error = 0;

	mutex_enter(&ump->um_lock);
	if (!ump->um_ronly)
		error = ext2_setclean(ump, true);
	if (error == 0)
		error = bio_flushdev(ump->um_dev, BIO_FLUSH_CLEAR);
	mutex_exit(&ump->um_lock);
	if (error != 0)
		printf("ext2fs: unmount of %s: write error %d: the image may "
		    "be inconsistent\n", mp->mnt_mntfromname, error);
	bio_syncer_stop();
	mp->mnt_data = NULL;
	ext2_ump_free(ump);
	return 0;
}

static int
ext2_statvfs(struct mount *mp, struct rump_statvfs *sb)
{
	struct ext2_mount *ump = mp->mnt_data;
	uint64_t bfree, resv;

	mutex_enter(&ump->um_lock);
	bfree = SB32(ump, E2SB_FREE_BLOCKS);
	resv = SB32(ump, E2SB_R_BLOCKS_COUNT);
	sb->f_bsize = sb->f_frsize = sb->f_iosize = ump->um_bsize;
	sb->f_blocks = ump->um_nblocks - ump->um_firstdata;
	sb->f_bfree = bfree;
	sb->f_bavail = bfree > resv ? bfree - resv : 0;
	sb->f_bresvd = resv;
	sb->f_files = ump->um_ninodes;
	sb->f_ffree = sb->f_favail = SB32(ump, E2SB_FREE_INODES);
	sb->f_namemax = E2FS_MAXNAMLEN;
	mutex_exit(&ump->um_lock);
	return 0;
}

/*
 * Fill in vp for the inode whose number is key: EIO (with a console line)
 * for an inode that is free or of no known type.
 */
static int
ext2_loadvnode(struct mount *mp, struct vnode *vp, const void *key,
    size_t keylen)
{
	struct ext2_mount *ump = mp->mnt_data;
	struct ext2_inode *ip;
	uint32_t ino;
	enum vtype type;
	int error;

	KASSERT(keylen == sizeof(ino));
	memcpy(&ino, key, sizeof(ino));
	mutex_enter(&ump->um_lock);
	error = ext2_iread(ump, ino, &ip);
	mutex_exit(&ump->um_lock);
	if (error != 0)
		return error == EINVAL ? EIO : error;
	switch (EXT2_IFMT(ip)) {
	case E2IFREG:
		type = VREG;
		break;
	case E2IFDIR:
		type = VDIR;
		break;
	case E2IFLNK:
		type = VLNK;
		break;
	case E2IFBLK:
		type = VBLK;
		break;
	case E2IFCHR:
		type = VCHR;
		break;
	case E2IFIFO:
		type = VFIFO;
		break;
	case E2IFSOCK:
		type = VSOCK;
		break;
	default:
		type = VBAD;
		break;
	}
	/* A directory cannot be larger than the file system. */
	if (type == VBAD || EXT2_NLINK(ip) == 0 ||
	    (EXT2_I32(ip, E2DI_FLAGS) & (EXT2_EXTENTS_FL | EXT2_INLINE_DATA_FL)) ||
	    (type == VDIR && ext2_isize(ip) >
	    (uint64_t)ump->um_nblocks << ump->um_bshift)) {
		printf("ext2fs: inode %u: free, or of an unknown type, format "
		    "or size (mode 0%o, links %u)\n", ino, EXT2_MODE(ip),
		    EXT2_NLINK(ip));
		ext2_ifreemem(ip);
		return EIO;
	}
	ip->i_vnode = vp;
	vp->v_type = type;
	vp->v_op = &ext2fs_vnodeops;
	vp->v_data = ip;
	vp->v_rdev = NODEV;
	if (ino == EXT2_ROOTINO)
		vp->v_vflag |= VV_ROOT;
	return 0;
}

/*
 * MNT_GETARGS: as NetBSD, a struct ufs_args with fspec NULL (a kernel
 * has no string of the caller's to point at; statvfs's f_mntfromname
 * names the device).
 */
static int
ext2_getargs(struct mount *mp, void *data, size_t *datalen)
{
	struct rump_ufs_args *args = data;

	if (*datalen < sizeof(*args))
		return EINVAL;
	args->fspec = NULL;
	*datalen = sizeof(*args);
	return 0;
}

static struct vfsops ext2fs_vfsops = {
	.vfs_name = RUMP_MOUNT_EXT2FS,
	.vfs_argsize = sizeof(struct rump_ufs_args),
	.vfs_mount = ext2_mount,
	.vfs_unmount = ext2_unmount,
	.vfs_statvfs = ext2_statvfs,
	.vfs_sync = ext2_sync,
	.vfs_loadvnode = ext2_loadvnode,
	.vfs_getargs = ext2_getargs,
};

/* Register the file-system type (from rump_init's table). */
int
ext2fs_init(void)
{
	int error;

	mutex_init(&ext2_mounts_lock, MUTEX_DEFAULT, IPL_NONE);
	LIST_INIT(&ext2_mounts);
	if ((error = vfs_attach(&ext2fs_vfsops)) != 0)
		mutex_destroy(&ext2_mounts_lock);
	return error;
}

/*
 * Teardown: every mount is gone by now (the "vfsroot" row after this one
 * unmounted them while every type was attached).  No lock held.
 */
void
ext2fs_fini(void)
{

	vfs_detach(&ext2fs_vfsops);
	mutex_destroy(&ext2_mounts_lock);
}
