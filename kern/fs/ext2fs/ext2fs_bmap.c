/*
 * ext2fs: a file's blocks.  Logical block lbn maps through the inode's 12
 * direct pointers, then one single, one double and one triple indirect
 * block; a zero pointer is a hole (reads as zeroes).  Reading and writing
 * a file goes block by block through the buffer cache; truncation frees
 * the blocks past the new end, indirect blocks included.  Every routine
 * expects the mount's um_lock held.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/vnode.h>

#include "ext2fs.h"

/* A block pointer read from an image: outside the file system is damage. */
static int
ext2_ptr_check(struct ext2_inode *ip, uint32_t b)
{

	if (b != 0 && !ext2_blk_valid(ip->i_ump, b)) {
		printf("ext2fs: inode %u: block pointer %u out of range\n",
		    ip->i_number, b);
		return EIO;
	}
	return 0;
}

/*
 * Allocate a zeroed indirect block for ip near goal, counted in i_blocks.
 * If the zeroed buffer cannot be had, the block is freed again.
 */
static int
ext2_newindir(struct ext2_inode *ip, uint32_t goal, uint32_t *bnp)
{
	struct ext2_mount *ump = ip->i_ump;
	struct buf *bp;
	int error;

	error = ext2_balloc(ip, goal, bnp);
	if (error != 0)
		return error;
	bp = getblk(ump->um_dev, EXT2_FSBTODB(ump, *bnp), ump->um_bsize, 0, 0);
	if (bp == NULL) {
		(void)ext2_bfree(ump, *bnp);
		return ENOMEM;
	}
	clrbuf(bp);
	bdwrite(bp);
	ext2_nblock_add(ip, 1);
	ip->i_goal = *bnp + 1;
	return 0;
}

/*
 * Map logical block lbn of ip to a block number in *bnp (0: a hole).  With
 * setb non-zero, a hole at lbn gets block setb (the caller allocated it),
 * with new zeroed indirect blocks on the way as needed.  EFBIG past the
 * triple indirect block; EIO for a damaged pointer.
 */
int
ext2_bmap(struct ext2_inode *ip, uint64_t lbn, uint32_t setb, uint32_t *bnp)
{
	struct ext2_mount *ump = ip->i_ump;
	uint64_t n = ump->um_nindir, span = 1, div;
	u_int level, slot, shift, k, idx;
	uint32_t b, nb;
	struct buf *bp;
	int error;

	*bnp = 0;
	if (lbn < E2FS_NDADDR) {
		b = EXT2_BLKPTR(ip, lbn);
		if ((error = ext2_ptr_check(ip, b)) != 0)
			return error;
		if (b == 0 && setb != 0) {
			b = setb;
			ext2_put32(ip->i_din, E2DI_BLOCKS + 4 * lbn, b);
		}
		*bnp = b;
		return 0;
	}
	/* Which indirect tree, and the index within it. */
	lbn -= E2FS_NDADDR;
	for (level = 0; level < E2FS_NIADDR; level++) {
		span *= n;
		if (lbn < span)
			break;
		lbn -= span;
	}
	if (level == E2FS_NIADDR)
		return EFBIG;
	slot = E2FS_NDADDR + level;
	b = EXT2_BLKPTR(ip, slot);
	if ((error = ext2_ptr_check(ip, b)) != 0)
		return error;
	if (b == 0) {
		if (setb == 0)
			return 0;
		error = ext2_newindir(ip, setb, &b);
		if (error != 0)
			return error;
		ext2_put32(ip->i_din, E2DI_BLOCKS + 4 * slot, b);
	}
	/* Walk down level+1 indirect blocks. */
	for (shift = level + 1; shift-- > 0;) {
		for (div = 1, k = 0; k < shift; k++)
			div *= n;
		idx = (u_int)((lbn / div) % n);
		error = bread(ump->um_dev, EXT2_FSBTODB(ump, b), ump->um_bsize,
		    setb != 0 ? B_MODIFY : 0, &bp);
		if (error != 0)
			return error;
		nb = ext2_get32(bp->b_data, 4 * idx);
		if ((error = ext2_ptr_check(ip, nb)) != 0) {
			brelse(bp, 0);
			return error;
		}
		if (nb == 0 && setb == 0) {
			brelse(bp, 0);
			return 0;
		}
		if (nb == 0) {
			if (shift > 0)
				error = ext2_newindir(ip, setb, &nb);
			else
				nb = setb;
			if (error != 0) {
				brelse(bp, 0);
				return error;
			}
			ext2_put32(bp->b_data, 4 * idx, nb);
			bdwrite(bp);
		} else
			brelse(bp, 0);
		b = nb;
	}
	*bnp = b;
	return 0;
}

/*
 * The buffer of logical block lbn of ip, busy, to be written: an existing
 * block is read (unless whole: all of it will be written); a hole gets a
 * new block, zeroed, mapped and counted.  If any step fails, nothing is
 * left allocated.
 */
int
ext2_getwblk(struct ext2_inode *ip, uint64_t lbn, bool whole,
    struct buf **bpp)
{
	struct ext2_mount *ump = ip->i_ump;
	struct buf *bp;
	uint32_t b, mapped, goal;
	int error;

	*bpp = NULL;
	error = ext2_bmap(ip, lbn, 0, &b);
	if (error != 0)
		return error;
	if (b != 0) {
		if (!whole)
			return bread(ump->um_dev, EXT2_FSBTODB(ump, b),
			    ump->um_bsize, B_MODIFY, bpp);
		*bpp = getblk(ump->um_dev, EXT2_FSBTODB(ump, b),
		    ump->um_bsize, 0, 0);
		return *bpp != NULL ? 0 : ENOMEM;
	}
	goal = ip->i_goal;
	error = ext2_balloc(ip, goal, &b);
	if (error != 0)
		return error;
	bp = getblk(ump->um_dev, EXT2_FSBTODB(ump, b), ump->um_bsize, 0, 0);
	if (bp == NULL) {
		(void)ext2_bfree(ump, b);
		return ENOMEM;
	}
	clrbuf(bp);
	error = ext2_bmap(ip, lbn, b, &mapped);
	if (error != 0) {
		brelse(bp, BC_INVAL);
		(void)ext2_bfree(ump, b);
		return error;
	}
	KASSERT(mapped == b);
	ext2_nblock_add(ip, 1);
	ip->i_goal = b + 1;
	*bpp = bp;
	return 0;
}

/*
 * Free the tree under indirect block b (level 0: its pointers are data
 * blocks), keeping the blocks whose logical number (relative to the tree,
 * first = the tree's first) is below keep.  *emptyp: nothing is left in b,
 * which the caller frees.
 */
static int
ext2_trunc_ind(struct ext2_inode *ip, uint32_t b, u_int level, uint64_t first,
    uint64_t keep, bool *emptyp)
{
	struct ext2_mount *ump = ip->i_ump;
	uint64_t span = 1, base;
	struct buf *bp;
	uint32_t nb, idx;
	bool empty, dirty = false;
	u_int k;
	int error;

	*emptyp = false;
	if ((error = ext2_ptr_check(ip, b)) != 0)
		return error;
	for (k = 0; k < level; k++)
		span *= ump->um_nindir;
	error = bread(ump->um_dev, EXT2_FSBTODB(ump, b), ump->um_bsize,
	    B_MODIFY, &bp);
	if (error != 0)
		return error;
	*emptyp = true;
	for (idx = 0; idx < ump->um_nindir; idx++) {
		base = first + idx * span;
		nb = ext2_get32(bp->b_data, 4 * idx);
		if (nb == 0)
			continue;
		if (base + span <= keep) {
			*emptyp = false;
			continue;
		}
		if (level > 0) {
			error = ext2_trunc_ind(ip, nb, level - 1, base, keep,
			    &empty);
			if (error == 0 && !empty) {
				*emptyp = false;
				continue;
			}
		}
		/* Damage (a bad or twice-freed block): stop here. */
		if (error == 0)
			error = ext2_bfree(ump, nb);
		if (error != 0) {
			*emptyp = false;
			break;
		}
		ext2_nblock_add(ip, -1);
		ext2_put32(bp->b_data, 4 * idx, 0);
		dirty = true;
	}
	if (dirty && !*emptyp)
		bdwrite(bp);
	else
		brelse(bp, *emptyp ? BC_INVAL : 0);
	return error;
}

/*
 * Change ip's size to size: blocks wholly past the new end are freed, the
 * tail of a partial last block is zeroed (so a later extension reads
 * zeroes); growing leaves a hole.
 */
int
ext2_truncate(struct ext2_inode *ip, uint64_t size)
{
	struct ext2_mount *ump = ip->i_ump;
	uint64_t keep, first, span = 1, oldsize = ext2_isize(ip);
	uint32_t b;
	struct buf *bp;
	u_int level, off;
	bool empty;
	int error;

	if (size > ump->um_maxfilesize)
		return EFBIG;
	if (size > oldsize)
		return ext2_setsize(ip, size);
	/* Fast symlinks keep their target in the block pointers. */
	if (EXT2_IFMT(ip) == E2IFLNK && EXT2_I32(ip, E2DI_NBLOCK) == 0)
		return ext2_setsize(ip, size);
	keep = howmany(size, ump->um_bsize);
	off = size & (ump->um_bsize - 1);
	if (off != 0) {
		error = ext2_bmap(ip, keep - 1, 0, &b);
		if (error != 0)
			return error;
		if (b != 0) {
			error = bread(ump->um_dev, EXT2_FSBTODB(ump, b),
			    ump->um_bsize, B_MODIFY, &bp);
			if (error != 0)
				return error;
			memset((uint8_t *)bp->b_data + off, 0,
			    ump->um_bsize - off);
			bdwrite(bp);
		}
	}
	error = ext2_setsize(ip, size);
	if (error != 0)
		return error;
	for (first = 0; first < E2FS_NDADDR; first++) {
		b = EXT2_BLKPTR(ip, first);
		if (first < keep || b == 0)
			continue;
		if (ext2_ptr_check(ip, b) == 0 && ext2_bfree(ump, b) == 0)
			ext2_nblock_add(ip, -1);
		ext2_put32(ip->i_din, E2DI_BLOCKS + 4 * first, 0);
	}
	first = E2FS_NDADDR;
	for (level = 0; level < E2FS_NIADDR; level++) {
		span *= ump->um_nindir;
		b = EXT2_BLKPTR(ip, E2FS_NDADDR + level);
		if (b != 0 && first + span > keep) {
			error = ext2_trunc_ind(ip, b, level, first, keep,
			    &empty);
			if (error != 0)
				return error;
			if (empty) {
				if (ext2_bfree(ump, b) == 0)
					ext2_nblock_add(ip, -1);
				ext2_put32(ip->i_din,
				    E2DI_BLOCKS + 4 * (E2FS_NDADDR + level), 0);
			}
		}
		first += span;
	}
	return 0;
}

/*
 * Read or write ip's data as uio says (a write extends the file and fills
 * holes; IO_APPEND starts at the end; IO_SYNC writes each block through).
 * Reads stop at the end of the file.
 */
int
ext2_rdwr(struct ext2_inode *ip, struct uio *uio, int ioflag)
{
	struct ext2_mount *ump = ip->i_ump;
	uint64_t size = ext2_isize(ip), lbn;
	size_t n, off;
	struct buf *bp;
	uint32_t b;
	bool wrote = false;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_rw == UIO_WRITE && (ioflag & IO_APPEND))
		uio->uio_offset = size;
	if (uio->uio_rw == UIO_WRITE && uio->uio_resid > 0 &&
	    (uint64_t)uio->uio_offset + uio->uio_resid > ump->um_maxfilesize)
		return EFBIG;
	while (uio->uio_resid > 0) {
		lbn = (uint64_t)uio->uio_offset >> ump->um_bshift;
		off = uio->uio_offset & (ump->um_bsize - 1);
		n = MIN(ump->um_bsize - off, uio->uio_resid);
		if (uio->uio_rw == UIO_READ) {
			if ((uint64_t)uio->uio_offset >= size)
				break;
			n = MIN(n, size - uio->uio_offset);
			error = ext2_bmap(ip, lbn, 0, &b);
			if (error != 0)
				break;
			if (b == 0) {
				error = uiomove_zero(n, uio);
				if (error != 0)
					break;
				continue;
			}
			error = bread(ump->um_dev, EXT2_FSBTODB(ump, b),
			    ump->um_bsize, 0, &bp);
			if (error != 0)
				break;
			error = uiomove((uint8_t *)bp->b_data + off, n, uio);
			brelse(bp, 0);
			if (error != 0)
				break;
			continue;
		}
		error = ext2_getwblk(ip, lbn, n == ump->um_bsize, &bp);
		if (error != 0)
			break;
		error = uiomove((uint8_t *)bp->b_data + off, n, uio);
		if (error != 0) {
			/* What the block held, or zeroes, stays. */
			bdwrite(bp);
			break;
		}
		if (ioflag & IO_SYNC)
			error = bwrite(bp);
		else
			bdwrite(bp);
		wrote = true;
		if ((uint64_t)uio->uio_offset > size) {
			size = uio->uio_offset;
			if ((error = ext2_setsize(ip, size)) != 0)
				break;
		}
		if (error != 0)
			break;
	}
	if (wrote) {
		ext2_itimes(ip, EXT2_UPDATE | EXT2_CHANGE);
		/* Writing clears set-id bits, as NetBSD's ext2fs does. */
		ext2_put16(ip->i_din, E2DI_MODE, EXT2_MODE(ip) & ~06000);
	}
	return error;
}

/*
 * An inode's last link and last reference are gone: free its blocks, its
 * extended-attribute block (or drop one reference to a shared one), and
 * the inode itself.
 */
int
ext2_release(struct ext2_inode *ip)
{
	struct ext2_mount *ump = ip->i_ump;
	struct timespec now;
	struct buf *bp;
	uint32_t acl, refs;
	bool isdir = EXT2_IFMT(ip) == E2IFDIR;
	int error;

	error = ext2_truncate(ip, 0);
	if (error != 0)
		printf("ext2fs: inode %u: freeing its blocks: error %d\n",
		    ip->i_number, error);
	acl = EXT2_I32(ip, E2DI_FACL);
	if (acl != 0 && ext2_ptr_check(ip, acl) == 0 &&
	    bread(ump->um_dev, EXT2_FSBTODB(ump, acl), ump->um_bsize,
	    B_MODIFY, &bp) == 0) {
		refs = ext2_get32(bp->b_data, E2EA_H_REFCOUNT);
		if (ext2_get32(bp->b_data, E2EA_H_MAGIC) == E2EA_MAGIC &&
		    refs > 1) {
			ext2_put32(bp->b_data, E2EA_H_REFCOUNT, refs - 1);
			bdwrite(bp);
		} else {
			brelse(bp, BC_INVAL);
			(void)ext2_bfree(ump, acl);
		}
		ext2_nblock_add(ip, -1);
		ext2_put32(ip->i_din, E2DI_FACL, 0);
	}
	/* Fast symlink targets live in the block pointers. */
	memset(ip->i_din + E2DI_BLOCKS, 0, 4 * (E2FS_NDADDR + E2FS_NIADDR));
	ext2_put32(ip->i_din, E2DI_NBLOCK, 0);
	ext2_put32(ip->i_din, E2DI_SIZE, 0);
	ext2_put32(ip->i_din, E2DI_SIZE_HIGH, 0);
	getnanotime(&now);
	ext2_put32(ip->i_din, E2DI_DTIME, (uint32_t)now.tv_sec);
	error = ext2_iupdate(ip);
	if (error == 0)
		error = ext2_ifree(ump, ip->i_number, isdir);
	return error;
}
