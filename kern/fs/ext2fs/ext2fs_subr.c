/*
 * ext2fs: the superblock (checked field by field at mount, so a damaged
 * image fails the mount with EINVAL and a console line naming the field),
 * the group descriptors, the block and inode bitmaps with their free
 * counts, and on-disk inodes.  Every routine here expects the mount's
 * um_lock held (or the mount not yet visible).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/time.h>
#include <sys/buf.h>

#include "ext2fs.h"

#define SB32(ump, off)	ext2_get32((ump)->um_sb, (off))
#define SB16(ump, off)	ext2_get16((ump)->um_sb, (off))

/* Report a damaged or unsupported superblock and fail. */
static int
ext2_sb_bad(const char *what, uint64_t v)
{

	printf("ext2fs: superblock: %s (%llu)\n", what, (unsigned long long)v);
	return EINVAL;
}

/*
 * Take the raw superblock sb of a device of devsize bytes: check every
 * field the driver relies on and derive the geometry.  ronly: a read-only
 * mount (unknown ro_compat features are allowed then).  Returns EINVAL
 * (with a console message) for a damaged or unsupported file system.
 */
int
ext2_sb_load(struct ext2_mount *ump, const uint8_t *sb, uint64_t devsize,
    bool ronly)
{
	uint32_t logbs, incompat, rocompat;
	uint64_t groups;

	memcpy(ump->um_sb, sb, E2FS_SBSIZE);
	if (SB16(ump, E2SB_MAGIC) != E2FS_MAGIC)
		return ext2_sb_bad("bad magic number", SB16(ump, E2SB_MAGIC));
	ump->um_rev = SB32(ump, E2SB_REV_LEVEL);
	if (ump->um_rev > E2FS_REV1)
		return ext2_sb_bad("unsupported revision", ump->um_rev);
	logbs = SB32(ump, E2SB_LOG_BLOCK_SIZE);
	if (logbs > 2)
		return ext2_sb_bad("unsupported block size (log2 - 10)", logbs);
	ump->um_bshift = 10 + logbs;
	ump->um_bsize = 1U << ump->um_bshift;
	ump->um_fsbtodb = ump->um_bshift - DEV_BSHIFT;
	ump->um_nindir = ump->um_bsize / 4;
	ump->um_nblocks = SB32(ump, E2SB_BLOCKS_COUNT);
	ump->um_ninodes = SB32(ump, E2SB_INODES_COUNT);
	ump->um_firstdata = SB32(ump, E2SB_FIRST_DATA_BLOCK);
	ump->um_bpg = SB32(ump, E2SB_BLOCKS_PER_GROUP);
	ump->um_ipg = SB32(ump, E2SB_INODES_PER_GROUP);
	if (ump->um_firstdata != (ump->um_bsize == 1024 ? 1U : 0U))
		return ext2_sb_bad("bad first data block", ump->um_firstdata);
	if (ump->um_bpg == 0 || ump->um_bpg > 8 * ump->um_bsize)
		return ext2_sb_bad("bad blocks per group", ump->um_bpg);
	if (ump->um_ipg == 0 || ump->um_ipg > 8 * ump->um_bsize)
		return ext2_sb_bad("bad inodes per group", ump->um_ipg);
	if (ump->um_nblocks <= ump->um_firstdata + 1)
		return ext2_sb_bad("bad block count", ump->um_nblocks);
	if ((uint64_t)ump->um_nblocks * ump->um_bsize > devsize)
		return ext2_sb_bad("file system larger than the device",
		    (uint64_t)ump->um_nblocks * ump->um_bsize);
	groups = howmany((uint64_t)ump->um_nblocks - ump->um_firstdata,
	    ump->um_bpg);
	if ((uint64_t)ump->um_ninodes != groups * ump->um_ipg)
		return ext2_sb_bad("inode count does not match the groups",
		    ump->um_ninodes);
	ump->um_ngroups = (uint32_t)groups;
	if (ump->um_rev == E2FS_REV0) {
		ump->um_isize = E2FS_REV0_INODE_SIZE;
		ump->um_firstino = E2FS_REV0_FIRST_INO;
		incompat = rocompat = 0;
	} else {
		ump->um_isize = SB16(ump, E2SB_INODE_SIZE);
		ump->um_firstino = SB32(ump, E2SB_FIRST_INO);
		incompat = SB32(ump, E2SB_FEATURE_INCOMPAT);
		rocompat = SB32(ump, E2SB_FEATURE_ROCOMPAT);
	}
	if (ump->um_isize < E2FS_REV0_INODE_SIZE ||
	    ump->um_isize > ump->um_bsize || !powerof2(ump->um_isize))
		return ext2_sb_bad("bad inode size", ump->um_isize);
	if (ump->um_firstino < E2FS_REV0_FIRST_INO ||
	    ump->um_firstino >= ump->um_ninodes)
		return ext2_sb_bad("bad first inode", ump->um_firstino);
	if (incompat & ~EXT2F_INCOMPAT_SUPP) {
		printf("ext2fs: unsupported incompatible features 0x%x "
		    "(journal recovery, extents, 64bit, meta_bg, flex_bg, ... "
		    "are not implemented)\n", incompat & ~EXT2F_INCOMPAT_SUPP);
		return EINVAL;
	}
	ump->um_rocompat = (rocompat & ~EXT2F_ROCOMPAT_SUPP) != 0;
	if (ump->um_rocompat && !ronly) {
		printf("ext2fs: unsupported read-only-compatible features "
		    "0x%x: mount read-only\n", rocompat & ~EXT2F_ROCOMPAT_SUPP);
		return EROFS;
	}
	ump->um_ftype = (incompat & EXT2F_INCOMPAT_FTYPE) != 0;
	ump->um_ipb = ump->um_bsize / ump->um_isize;
	ump->um_itblocks = howmany(ump->um_ipg, ump->um_ipb);
	ump->um_gdblocks = howmany(ump->um_ngroups * E2FS_GD_SIZE,
	    ump->um_bsize);
	if ((uint64_t)ump->um_gdblocks + ump->um_itblocks + 3 > ump->um_bpg &&
	    ump->um_ngroups > 1)
		return ext2_sb_bad("groups too small for their metadata",
		    ump->um_bpg);
	/* Blocks mappable, and i_blocks (sectors, 32 bits) as the limit. */
	{
		uint64_t n = ump->um_nindir, blocks;

		blocks = E2FS_NDADDR + n + n * n + n * n * n;
		ump->um_maxfilesize = blocks << ump->um_bshift;
		if (ump->um_maxfilesize > ((uint64_t)1 << 41) - 1)
			ump->um_maxfilesize = ((uint64_t)1 << 41) - 1;
		/* Revision 0 cannot have large_file. */
		if (ump->um_rev == E2FS_REV0)
			ump->um_maxfilesize = 0x7fffffffULL;
	}
	return 0;
}

/* The raw descriptor of group g. */
uint8_t *
ext2_gd(struct ext2_mount *ump, uint32_t g)
{

	KASSERT(g < ump->um_ngroups);
	return ump->um_gd + (size_t)g * E2FS_GD_SIZE;
}

/* Is b a block number inside the file system's data area? */
bool
ext2_blk_valid(struct ext2_mount *ump, uint32_t b)
{

	return b >= ump->um_firstdata && b < ump->um_nblocks;
}

/*
 * Check the group descriptors (loaded at um_gd): the bitmaps and the inode
 * table of each group within the device, the free counts within the
 * group.  Returns EINVAL with a console message for the first bad one.
 */
int
ext2_gd_check(struct ext2_mount *ump)
{
	uint32_t g, bb, ib, it;
	uint8_t *gd;

	for (g = 0; g < ump->um_ngroups; g++) {
		gd = ext2_gd(ump, g);
		bb = ext2_get32(gd, E2GD_BLOCK_BITMAP);
		ib = ext2_get32(gd, E2GD_INODE_BITMAP);
		it = ext2_get32(gd, E2GD_INODE_TABLE);
		if (!ext2_blk_valid(ump, bb) || !ext2_blk_valid(ump, ib) ||
		    !ext2_blk_valid(ump, it) ||
		    (uint64_t)it + ump->um_itblocks > ump->um_nblocks ||
		    ext2_get16(gd, E2GD_FREE_BLOCKS) > ump->um_bpg ||
		    ext2_get16(gd, E2GD_FREE_INODES) > ump->um_ipg) {
			printf("ext2fs: group descriptor %u is damaged "
			    "(bitmaps %u %u, inode table %u)\n", g, bb, ib, it);
			return EINVAL;
		}
	}
	return 0;
}

/* Does group g hold a copy of the superblock and descriptors? */
static bool
ext2_group_has_super(struct ext2_mount *ump, uint32_t g)
{
	uint32_t p;

	if (g <= 1 || ump->um_rev == E2FS_REV0 ||
	    (SB32(ump, E2SB_FEATURE_ROCOMPAT) & EXT2F_ROCOMPAT_SPARSESUPER) == 0)
		return true;
	for (p = 3; p <= 7; p += 2) {
		uint32_t n = g;

		while (n % p == 0)
			n /= p;
		if (n == 1)
			return true;
	}
	return false;
}

/*
 * Write the superblock and the group descriptors (delayed writes), and if
 * backups is set the copies in every group that keeps one too (each copy
 * says which group it is in).
 */
int
ext2_sbupdate(struct ext2_mount *ump, bool backups)
{
	struct buf *bp;
	uint32_t g, b, start, sbblk, sboff;
	int error;

	for (g = 0; g < ump->um_ngroups; g++) {
		if (g > 0 && (!backups || !ext2_group_has_super(ump, g)))
			continue;
		start = ump->um_firstdata + g * ump->um_bpg;
		if (g == 0) {
			sbblk = E2FS_SBOFF >> ump->um_bshift;
			sboff = E2FS_SBOFF & (ump->um_bsize - 1);
		} else {
			sbblk = start;
			sboff = 0;
		}
		error = bread(ump->um_dev, EXT2_FSBTODB(ump, sbblk),
		    ump->um_bsize, B_MODIFY, &bp);
		if (error != 0)
			return error;
		memcpy((uint8_t *)bp->b_data + sboff, ump->um_sb,
		    E2FS_SBSIZE);
		if (ump->um_rev != E2FS_REV0)
			ext2_put16((uint8_t *)bp->b_data + sboff,
			    E2SB_BLOCK_GROUP_NR, (uint16_t)g);
		bdwrite(bp);
		for (b = 0; b < ump->um_gdblocks; b++) {
			bp = getblk(ump->um_dev,
			    EXT2_FSBTODB(ump, start + 1 + b), ump->um_bsize,
			    0, 0);
			if (bp == NULL)
				return ENOMEM;
			memcpy(bp->b_data, ump->um_gd +
			    (size_t)b * ump->um_bsize, ump->um_bsize);
			bdwrite(bp);
		}
	}
	ump->um_sbdirty = false;
	return 0;
}

/* Add delta to a 32-bit superblock counter and a 16-bit group counter. */
static void
ext2_count(struct ext2_mount *ump, u_int sboff, uint32_t g, u_int gdoff,
    int delta)
{
	uint8_t *gd = ext2_gd(ump, g);

	ext2_put32(ump->um_sb, sboff, SB32(ump, sboff) + delta);
	ext2_put16(gd, gdoff, (uint16_t)(ext2_get16(gd, gdoff) + delta));
	ump->um_sbdirty = true;
}

/*
 * Find a clear bit in a bitmap block of nbits bits, from start onward,
 * wrapping; returns nbits if none.
 */
static uint32_t
ext2_bitmap_find(const uint8_t *map, uint32_t nbits, uint32_t start)
{
	uint32_t i, bit;

	for (i = 0; i < nbits; i++) {
		bit = (start + i) % nbits;
		if ((bit & 7) == 0 && map[bit >> 3] == 0xff &&
		    bit + 8 <= nbits && i + 8 <= nbits) {
			i += 7;
			continue;
		}
		if ((map[bit >> 3] & (1 << (bit & 7))) == 0)
			return bit;
	}
	return nbits;
}

/*
 * Take the first clear bit from start onward (wrapping; never below
 * floor) of group g's bitmap (gdoff: E2GD_BLOCK_BITMAP or
 * E2GD_INODE_BITMAP) of nbits bits, and set it.  EIO if the bitmap has
 * none although the group's count said so.
 */
static int
ext2_bitmap_take(struct ext2_mount *ump, uint32_t g, u_int gdoff,
    uint32_t nbits, uint32_t start, uint32_t floor, uint32_t *bitp)
{
	struct buf *bp;
	uint32_t bit;
	int error;

	error = bread(ump->um_dev, EXT2_FSBTODB(ump,
	    ext2_get32(ext2_gd(ump, g), gdoff)), ump->um_bsize, B_MODIFY, &bp);
	if (error != 0)
		return error;
	bit = ext2_bitmap_find(bp->b_data, nbits, MAX(start, floor));
	if (bit == nbits || bit < floor) {
		brelse(bp, 0);
		printf("ext2fs: group %u: free count says free, %s bitmap "
		    "full\n", g, gdoff == E2GD_BLOCK_BITMAP ? "block" : "inode");
		return EIO;
	}
	((uint8_t *)bp->b_data)[bit >> 3] |= 1 << (bit & 7);
	bdwrite(bp);
	*bitp = bit;
	return 0;
}

/*
 * Clear bit of group g's bitmap (gdoff as above).  EIO (with a console
 * line naming what num is) if it is clear already.
 */
static int
ext2_bitmap_clear(struct ext2_mount *ump, uint32_t g, u_int gdoff,
    uint32_t bit, uint32_t num)
{
	struct buf *bp;
	uint8_t *map;
	int error;

	error = bread(ump->um_dev, EXT2_FSBTODB(ump,
	    ext2_get32(ext2_gd(ump, g), gdoff)), ump->um_bsize, B_MODIFY, &bp);
	if (error != 0)
		return error;
	map = bp->b_data;
	if ((map[bit >> 3] & (1 << (bit & 7))) == 0) {
		brelse(bp, 0);
		printf("ext2fs: freeing %s %u: already free\n",
		    gdoff == E2GD_BLOCK_BITMAP ? "block" : "inode", num);
		return EIO;
	}
	map[bit >> 3] &= ~(1 << (bit & 7));
	bdwrite(bp);
	return 0;
}

/*
 * Allocate a block for ip, near goal (0: near the inode) and return it in
 * *bnp.  ENOSPC when the file system is full; EIO for a damaged bitmap.
 */
int
ext2_balloc(struct ext2_inode *ip, uint32_t goal, uint32_t *bnp)
{
	struct ext2_mount *ump = ip->i_ump;
	uint32_t g, g0, i, start, bit, nbits;
	uint8_t *gd;
	int error;

	if (SB32(ump, E2SB_FREE_BLOCKS) == 0)
		return ENOSPC;
	if (!ext2_blk_valid(ump, goal))
		goal = ump->um_firstdata +
		    ((ip->i_number - 1) / ump->um_ipg) * ump->um_bpg;
	g0 = (goal - ump->um_firstdata) / ump->um_bpg;
	start = (goal - ump->um_firstdata) % ump->um_bpg;
	for (i = 0; i < ump->um_ngroups; i++, start = 0) {
		g = (g0 + i) % ump->um_ngroups;
		gd = ext2_gd(ump, g);
		if (ext2_get16(gd, E2GD_FREE_BLOCKS) == 0)
			continue;
		nbits = MIN(ump->um_bpg,
		    ump->um_nblocks - ump->um_firstdata - g * ump->um_bpg);
		error = ext2_bitmap_take(ump, g, E2GD_BLOCK_BITMAP, nbits,
		    start, 0, &bit);
		if (error != 0)
			return error;
		ext2_count(ump, E2SB_FREE_BLOCKS, g, E2GD_FREE_BLOCKS, -1);
		*bnp = ump->um_firstdata + g * ump->um_bpg + bit;
		return 0;
	}
	return ENOSPC;
}

/* Free block bn.  EIO if it is out of range or already free. */
int
ext2_bfree(struct ext2_mount *ump, uint32_t bn)
{
	uint32_t g, bit;
	int error;

	if (!ext2_blk_valid(ump, bn)) {
		printf("ext2fs: freeing block %u: out of range\n", bn);
		return EIO;
	}
	g = (bn - ump->um_firstdata) / ump->um_bpg;
	bit = (bn - ump->um_firstdata) % ump->um_bpg;
	error = ext2_bitmap_clear(ump, g, E2GD_BLOCK_BITMAP, bit, bn);
	if (error != 0)
		return error;
	ext2_count(ump, E2SB_FREE_BLOCKS, g, E2GD_FREE_BLOCKS, 1);
	return 0;
}

/*
 * Allocate an inode for a new file in directory dp (a directory if isdir)
 * and return its number in *inop.  Directories go to the group with the
 * most free inodes, files to their directory's group first.
 */
int
ext2_ialloc(struct ext2_inode *dp, bool isdir, uint32_t *inop)
{
	struct ext2_mount *ump = dp->i_ump;
	uint32_t g, g0, i, bit, best, bestfree, nfree;
	uint8_t *gd;
	int error;

	if (SB32(ump, E2SB_FREE_INODES) == 0)
		return ENOSPC;
	g0 = (dp->i_number - 1) / ump->um_ipg;
	if (isdir) {
		best = g0;
		bestfree = 0;
		for (g = 0; g < ump->um_ngroups; g++) {
			nfree = ext2_get16(ext2_gd(ump, g), E2GD_FREE_INODES);
			if (nfree > bestfree) {
				best = g;
				bestfree = nfree;
			}
		}
		g0 = best;
	}
	for (i = 0; i < ump->um_ngroups; i++) {
		g = (g0 + i) % ump->um_ngroups;
		gd = ext2_gd(ump, g);
		if (ext2_get16(gd, E2GD_FREE_INODES) == 0)
			continue;
		/* Reserved inodes are never handed out. */
		error = ext2_bitmap_take(ump, g, E2GD_INODE_BITMAP,
		    ump->um_ipg, 0, g == 0 ? ump->um_firstino - 1 : 0, &bit);
		if (error != 0)
			return error;
		ext2_count(ump, E2SB_FREE_INODES, g, E2GD_FREE_INODES, -1);
		if (isdir) {
			ext2_put16(gd, E2GD_USED_DIRS,
			    ext2_get16(gd, E2GD_USED_DIRS) + 1);
		}
		*inop = g * ump->um_ipg + bit + 1;
		return 0;
	}
	return ENOSPC;
}

/* Free inode ino (a directory if isdir) in its bitmap and the counts. */
int
ext2_ifree(struct ext2_mount *ump, uint32_t ino, bool isdir)
{
	uint32_t g, bit;
	uint8_t *gd;
	int error;

	g = (ino - 1) / ump->um_ipg;
	bit = (ino - 1) % ump->um_ipg;
	gd = ext2_gd(ump, g);
	error = ext2_bitmap_clear(ump, g, E2GD_INODE_BITMAP, bit, ino);
	if (error != 0)
		return error;
	ext2_count(ump, E2SB_FREE_INODES, g, E2GD_FREE_INODES, 1);
	if (isdir && ext2_get16(gd, E2GD_USED_DIRS) > 0)
		ext2_put16(gd, E2GD_USED_DIRS, ext2_get16(gd, E2GD_USED_DIRS) - 1);
	return 0;
}

/* Where inode ino lives: the block and the byte offset in it. */
static void
ext2_iloc(struct ext2_mount *ump, uint32_t ino, uint32_t *bnp, u_int *offp)
{
	uint32_t g = (ino - 1) / ump->um_ipg, idx = (ino - 1) % ump->um_ipg;

	*bnp = ext2_get32(ext2_gd(ump, g), E2GD_INODE_TABLE) +
	    idx / ump->um_ipb;
	*offp = (idx % ump->um_ipb) * ump->um_isize;
}

/*
 * Read inode ino into a new in-core inode.  EINVAL for a number out of
 * range; EIO if the table cannot be read.
 */
int
ext2_iread(struct ext2_mount *ump, uint32_t ino, struct ext2_inode **ipp)
{
	struct ext2_inode *ip;
	struct buf *bp;
	uint32_t bn;
	u_int off;
	int error;

	*ipp = NULL;
	if (ino < 1 || ino > ump->um_ninodes)
		return EINVAL;
	ext2_iloc(ump, ino, &bn, &off);
	ip = kmem_zalloc(sizeof(*ip), KM_SLEEP);
	if (ip == NULL)
		return ENOMEM;
	ip->i_dinsize = ump->um_isize;
	ip->i_din = kmem_alloc(ip->i_dinsize, KM_SLEEP);
	if (ip->i_din == NULL) {
		kmem_free(ip, sizeof(*ip));
		return ENOMEM;
	}
	ip->i_ump = ump;
	ip->i_number = ino;
	error = bread(ump->um_dev, EXT2_FSBTODB(ump, bn), ump->um_bsize, 0,
	    &bp);
	if (error != 0) {
		ext2_ifreemem(ip);
		return error;
	}
	memcpy(ip->i_din, (uint8_t *)bp->b_data + off, ump->um_isize);
	brelse(bp, 0);
	*ipp = ip;
	return 0;
}

/* Free an in-core inode. */
void
ext2_ifreemem(struct ext2_inode *ip)
{

	kmem_free(ip->i_din, ip->i_dinsize);
	kmem_free(ip, sizeof(*ip));
}

/* Copy an in-core inode into the inode table (a delayed write). */
int
ext2_iupdate(struct ext2_inode *ip)
{
	struct ext2_mount *ump = ip->i_ump;
	struct buf *bp;
	uint32_t bn;
	u_int off;
	int error;

	if (ump->um_ronly)
		return 0;
	ext2_iloc(ump, ip->i_number, &bn, &off);
	error = bread(ump->um_dev, EXT2_FSBTODB(ump, bn), ump->um_bsize,
	    B_MODIFY, &bp);
	if (error != 0)
		return error;
	memcpy((uint8_t *)bp->b_data + off, ip->i_din, ump->um_isize);
	bdwrite(bp);
	return 0;
}

/* The file size: 64 bits for regular files, 32 for the others. */
uint64_t
ext2_isize(struct ext2_inode *ip)
{
	uint64_t size = EXT2_I32(ip, E2DI_SIZE);

	if (EXT2_IFMT(ip) == E2IFREG)
		size |= (uint64_t)EXT2_I32(ip, E2DI_SIZE_HIGH) << 32;
	return size;
}

/*
 * Set the size field.  A regular file of 2 GiB or more needs large_file:
 * turned on in a revision 1 superblock; EFBIG in revision 0.
 */
int
ext2_setsize(struct ext2_inode *ip, uint64_t size)
{
	struct ext2_mount *ump = ip->i_ump;
	uint32_t ro;

	if (EXT2_IFMT(ip) != E2IFREG) {
		if (size > 0xffffffffULL)
			return EFBIG;
		ext2_put32(ip->i_din, E2DI_SIZE, (uint32_t)size);
		return 0;
	}
	if (size >= 0x80000000ULL) {
		ro = SB32(ump, E2SB_FEATURE_ROCOMPAT);
		if (ump->um_rev == E2FS_REV0)
			return EFBIG;
		if ((ro & EXT2F_ROCOMPAT_LARGEFILE) == 0) {
			ext2_put32(ump->um_sb, E2SB_FEATURE_ROCOMPAT,
			    ro | EXT2F_ROCOMPAT_LARGEFILE);
			ump->um_sbdirty = true;
		}
	}
	ext2_put32(ip->i_din, E2DI_SIZE, (uint32_t)size);
	ext2_put32(ip->i_din, E2DI_SIZE_HIGH, (uint32_t)(size >> 32));
	return 0;
}

/* Add delta blocks (file-system blocks) to i_blocks (in sectors). */
void
ext2_nblock_add(struct ext2_inode *ip, int64_t delta)
{
	int64_t n = EXT2_I32(ip, E2DI_NBLOCK);

	n += delta * ((int64_t)1 << (ip->i_ump->um_bshift - DEV_BSHIFT));
	ext2_put32(ip->i_din, E2DI_NBLOCK, n < 0 ? 0 : (uint32_t)n);
}

/* Owner and group: 16 low bits, 16 high bits in revision 1. */
uint32_t
ext2_uid(struct ext2_inode *ip)
{

	return EXT2_I16(ip, E2DI_UID) | (uint32_t)EXT2_I16(ip, E2DI_UID_HIGH) << 16;
}

uint32_t
ext2_gid(struct ext2_inode *ip)
{

	return EXT2_I16(ip, E2DI_GID) | (uint32_t)EXT2_I16(ip, E2DI_GID_HIGH) << 16;
}

void
ext2_setuid(struct ext2_inode *ip, uint32_t uid)
{

	ext2_put16(ip->i_din, E2DI_UID, uid & 0xffff);
	ext2_put16(ip->i_din, E2DI_UID_HIGH, uid >> 16);
}

void
ext2_setgid(struct ext2_inode *ip, uint32_t gid)
{

	ext2_put16(ip->i_din, E2DI_GID, gid & 0xffff);
	ext2_put16(ip->i_din, E2DI_GID_HIGH, gid >> 16);
}

/*
 * Does the inode have room for the nanoseconds of time field off
 * (E2DI_ATIME, E2DI_MTIME, E2DI_CTIME)?  Large inodes whose extra size
 * covers the *_EXTRA field do; the field's low 2 bits extend the seconds'
 * epoch, the upper 30 bits hold the nanoseconds.
 */
static u_int
ext2_time_extra(struct ext2_inode *ip, u_int off)
{
	u_int xoff;

	switch (off) {
	case E2DI_ATIME:
		xoff = E2DI_ATIME_EXTRA;
		break;
	case E2DI_MTIME:
		xoff = E2DI_MTIME_EXTRA;
		break;
	case E2DI_CTIME:
		xoff = E2DI_CTIME_EXTRA;
		break;
	default:
		return 0;
	}
	if (ip->i_ump->um_isize <= E2FS_REV0_INODE_SIZE ||
	    E2FS_REV0_INODE_SIZE + (u_int)EXT2_I16(ip, E2DI_EXTRA_ISIZE) < xoff + 4)
		return 0;
	return xoff;
}

void
ext2_settime(struct ext2_inode *ip, u_int off, const struct timespec *ts)
{
	u_int xoff = ext2_time_extra(ip, off);

	ext2_put32(ip->i_din, off, (uint32_t)ts->tv_sec);
	if (xoff != 0)
		ext2_put32(ip->i_din, xoff, ((uint32_t)ts->tv_nsec << 2) |
		    ((uint32_t)(((uint64_t)ts->tv_sec -
		    (int64_t)(int32_t)ts->tv_sec) >> 32) & 3));
}

void
ext2_gettime(struct ext2_inode *ip, u_int off, struct timespec *ts)
{
	u_int xoff = ext2_time_extra(ip, off);
	uint32_t x;

	ts->tv_sec = (int32_t)EXT2_I32(ip, off);
	ts->tv_nsec = 0;
	if (xoff != 0) {
		x = EXT2_I32(ip, xoff);
		ts->tv_sec += (int64_t)(x & 3) << 32;
		ts->tv_nsec = x >> 2;
		if (ts->tv_nsec >= 1000000000L)
			ts->tv_nsec = 0;
	}
}

/* Set the times named by flags (EXT2_ACCESS/UPDATE/CHANGE) to now. */
void
ext2_itimes(struct ext2_inode *ip, int flags)
{
	struct timespec now;

	getnanotime(&now);
	if (flags & EXT2_ACCESS)
		ext2_settime(ip, E2DI_ATIME, &now);
	if (flags & EXT2_UPDATE)
		ext2_settime(ip, E2DI_MTIME, &now);
	if (flags & EXT2_CHANGE)
		ext2_settime(ip, E2DI_CTIME, &now);
}
