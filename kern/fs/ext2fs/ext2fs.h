/*
 * ext2fs: the in-core mount and inode, and the routines the parts of the
 * file system share.  Everything on disk is reached through the buffer
 * cache (<sys/buf.h>) of the mounted block device, in file-system blocks.
 *
 * Locking: every vnode and VFS operation of a mount runs under that
 * mount's um_lock (a mutex taken after the VFS's vnode locks and before
 * bufcache_lock), so the superblock, the group descriptors, the bitmaps,
 * the inodes and the directories of one mount change one operation at a
 * time; different mounts proceed in parallel.
 */
#ifndef _EXT2FS_EXT2FS_H_
#define _EXT2FS_EXT2FS_H_

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/buf.h>

#include "ext2fs_format.h"

struct mount;
struct vnode;
struct uio;

struct ext2_mount {
	struct mount	*um_mount;
	struct blkdev	*um_dev;
	kmutex_t	 um_lock;	/* the whole file system (see above) */
	uint8_t		 um_sb[E2FS_SBSIZE]; /* the superblock, raw */
	uint8_t		*um_gd;		/* the group descriptors, raw */
	size_t		 um_gdsize;	/* bytes at um_gd: whole blocks */
	bool		 um_ronly;	/* mounted read-only */
	bool		 um_sbdirty;	/* um_sb or um_gd to be written */
	bool		 um_rocompat;	/* unknown ro_compat: read-only only */
	/* Geometry, from the superblock, checked at mount. */
	uint32_t	 um_bsize;	/* bytes in a block */
	u_int		 um_bshift;	/* log2(um_bsize) */
	u_int		 um_fsbtodb;	/* block -> DEV_BSIZE shift */
	uint32_t	 um_nblocks;
	uint32_t	 um_ninodes;
	uint32_t	 um_firstdata;	/* first data block (0 or 1) */
	uint32_t	 um_bpg;	/* blocks per group */
	uint32_t	 um_ipg;	/* inodes per group */
	uint32_t	 um_ngroups;
	uint32_t	 um_gdblocks;	/* blocks of group descriptors */
	uint32_t	 um_isize;	/* bytes in an on-disk inode */
	uint32_t	 um_ipb;	/* inodes per block */
	uint32_t	 um_itblocks;	/* inode-table blocks per group */
	uint32_t	 um_firstino;	/* first non-reserved inode */
	uint32_t	 um_nindir;	/* block numbers in a block */
	uint32_t	 um_rev;
	bool		 um_ftype;	/* entries carry a file type */
	uint64_t	 um_maxfilesize;
};

struct ext2_inode {
	struct ext2_mount *i_ump;
	struct vnode	*i_vnode;
	uint32_t	 i_number;
	uint8_t		*i_din;		/* the on-disk inode */
	size_t		 i_dinsize;	/* bytes at i_din (um_isize) */
	uint32_t	 i_goal;	/* next block to try to allocate */
};

#define VTOI(vp)	((struct ext2_inode *)(vp)->v_data)

/* Block -> device address (DEV_BSIZE units) for bread. */
#define EXT2_FSBTODB(ump, b)	((daddr_t)(b) << (ump)->um_fsbtodb)

/* Inode field accessors. */
#define EXT2_I16(ip, off)	ext2_get16((ip)->i_din, (off))
#define EXT2_I32(ip, off)	ext2_get32((ip)->i_din, (off))
#define EXT2_MODE(ip)		EXT2_I16(ip, E2DI_MODE)
#define EXT2_NLINK(ip)		EXT2_I16(ip, E2DI_NLINK)
#define EXT2_IFMT(ip)		(EXT2_MODE(ip) & E2IFMT)
#define EXT2_BLKPTR(ip, i)	EXT2_I32(ip, E2DI_BLOCKS + 4 * (i))

/* ext2fs_subr.c: superblock, group descriptors, bitmaps, inodes. */
int	ext2_sb_load(struct ext2_mount *, const uint8_t *, uint64_t, bool);
int	ext2_gd_check(struct ext2_mount *);
int	ext2_sbupdate(struct ext2_mount *, bool);
uint8_t	*ext2_gd(struct ext2_mount *, uint32_t);
bool	ext2_blk_valid(struct ext2_mount *, uint32_t);
int	ext2_balloc(struct ext2_inode *, uint32_t, uint32_t *);
int	ext2_bfree(struct ext2_mount *, uint32_t);
int	ext2_ialloc(struct ext2_inode *, bool, uint32_t *);
int	ext2_ifree(struct ext2_mount *, uint32_t, bool);
int	ext2_iread(struct ext2_mount *, uint32_t, struct ext2_inode **);
int	ext2_iupdate(struct ext2_inode *);
void	ext2_ifreemem(struct ext2_inode *);
uint64_t ext2_isize(struct ext2_inode *);
int	ext2_setsize(struct ext2_inode *, uint64_t);
void	ext2_nblock_add(struct ext2_inode *, int64_t);
uint32_t ext2_uid(struct ext2_inode *);
uint32_t ext2_gid(struct ext2_inode *);
void	ext2_setuid(struct ext2_inode *, uint32_t);
void	ext2_setgid(struct ext2_inode *, uint32_t);
void	ext2_settime(struct ext2_inode *, u_int, const struct timespec *);
void	ext2_gettime(struct ext2_inode *, u_int, struct timespec *);
void	ext2_itimes(struct ext2_inode *, int);
#define EXT2_ACCESS	0x1
#define EXT2_UPDATE	0x2
#define EXT2_CHANGE	0x4

/* ext2fs_bmap.c: file blocks. */
int	ext2_bmap(struct ext2_inode *, uint64_t, uint32_t, uint32_t *);
int	ext2_getwblk(struct ext2_inode *, uint64_t, bool, struct buf **);
int	ext2_truncate(struct ext2_inode *, uint64_t);
int	ext2_rdwr(struct ext2_inode *, struct uio *, int);
int	ext2_release(struct ext2_inode *);

/* ext2fs_dir.c: directories. */
struct ext2_dirpos {
	uint64_t	 dp_off;	/* byte of the entry in the directory */
	uint64_t	 dp_prevoff;	/* the entry before it in its block */
	bool		 dp_first;	/* first in its block */
};
int	ext2_dirlookup(struct ext2_inode *, const char *, size_t, uint32_t *,
	    struct ext2_dirpos *);
int	ext2_direnter(struct ext2_inode *, const char *, size_t, uint32_t,
	    int);
int	ext2_dirremove(struct ext2_inode *, const char *, size_t);
int	ext2_dirrewrite(struct ext2_inode *, const char *, size_t, uint32_t,
	    int);
int	ext2_dirempty(struct ext2_inode *, bool *);
int	ext2_dirinit(struct ext2_inode *, uint32_t);
int	ext2_readdir_uio(struct ext2_inode *, struct uio *);
int	ext2_ftype(uint16_t);

/* ext2fs_vnops.c, ext2fs_vfsops.c. */
extern const struct vnodeops ext2fs_vnodeops;
int	ext2fs_init(void);
void	ext2fs_fini(void);

#endif /* _EXT2FS_EXT2FS_H_ */
