/*
 * ext2fs: linear directories.  A directory is a sequence of blocks, each
 * filled exactly by entries (inode, rec_len, name_len, file type, name);
 * rec_len is a multiple of 4 and at least the entry's own size; an entry
 * with inode 0 is free space.  Every entry read from an image is checked
 * (EIO for a damaged one, with a console line).  A directory with the
 * htree index flag (dir_index) reads linearly just as well (the index
 * blocks look like empty entries); changing it clears the flag, so e2fsck
 * finds a plain directory rather than a stale index.  Every routine
 * expects the mount's um_lock held.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/buf.h>
#include <sys/uio.h>
#include <sys/vnode.h>
#include <sys/dirent.h>

#include "ext2fs.h"

#define DE_INO(de)	ext2_get32((de), E2DE_INO)
#define DE_RECLEN(de)	ext2_get16((de), E2DE_RECLEN)

/* The name length of an entry (8 bits with file types, else 16). */
static u_int
ext2_de_namlen(struct ext2_mount *ump, const uint8_t *de)
{

	return ump->um_ftype ? de[E2DE_NAMLEN] : ext2_get16(de, E2DE_NAMLEN);
}

/*
 * Check the entry at off in a directory block of bsize bytes: EIO with a
 * console line if its rec_len or name does not fit or its inode is out of
 * range.
 */
static int
ext2_de_check(struct ext2_inode *dp, const uint8_t *blk, u_int off)
{
	struct ext2_mount *ump = dp->i_ump;
	const uint8_t *de = blk + off;
	u_int reclen, namlen;

	if (off + E2DE_HDRSIZE > ump->um_bsize)
		goto bad;
	reclen = DE_RECLEN(de);
	namlen = ext2_de_namlen(ump, de);
	if (reclen < E2DE_HDRSIZE || (reclen & 3) != 0 ||
	    off + reclen > ump->um_bsize ||
	    (DE_INO(de) != 0 && (E2DE_SIZE(namlen) > reclen ||
	    namlen == 0 || DE_INO(de) > ump->um_ninodes)))
		goto bad;
	return 0;
bad:
	printf("ext2fs: directory %u: damaged entry at offset %u of a block\n",
	    dp->i_number, off);
	return EIO;
}

/* Read logical block lbn of directory dp (EIO for a hole: damage). */
static int
ext2_dirblock(struct ext2_inode *dp, uint64_t lbn, int flags,
    struct buf **bpp)
{
	struct ext2_mount *ump = dp->i_ump;
	uint32_t b;
	int error;

	error = ext2_bmap(dp, lbn, 0, &b);
	if (error != 0)
		return error;
	if (b == 0) {
		printf("ext2fs: directory %u: hole at block %llu\n",
		    dp->i_number, (unsigned long long)lbn);
		return EIO;
	}
	return bread(ump->um_dev, EXT2_FSBTODB(ump, b), ump->um_bsize, flags,
	    bpp);
}

/* The directory changes: drop a stale htree index, update the times. */
static void
ext2_dirchanged(struct ext2_inode *dp)
{
	uint32_t fl = EXT2_I32(dp, E2DI_FLAGS);

	if (fl & EXT2_INDEX_FL)
		ext2_put32(dp->i_din, E2DI_FLAGS, fl & ~EXT2_INDEX_FL);
	ext2_itimes(dp, EXT2_UPDATE | EXT2_CHANGE);
}

/*
 * Find name (len bytes) in directory dp: its inode in *inop and where the
 * entry is in *pos.  ENOENT if there is none.
 */
int
ext2_dirlookup(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t *inop, struct ext2_dirpos *pos)
{
	struct ext2_mount *ump = dp->i_ump;
	uint64_t size = ext2_isize(dp), lbn;
	struct buf *bp;
	const uint8_t *de;
	u_int off, prev;
	int error;

	for (lbn = 0; (lbn << ump->um_bshift) < size; lbn++) {
		error = ext2_dirblock(dp, lbn, 0, &bp);
		if (error != 0)
			return error;
		for (off = 0, prev = 0; off < ump->um_bsize;
		    prev = off, off += DE_RECLEN(de)) {
			if ((error = ext2_de_check(dp, bp->b_data, off)) != 0) {
				brelse(bp, 0);
				return error;
			}
			de = (const uint8_t *)bp->b_data + off;
			if (DE_INO(de) == 0 || ext2_de_namlen(ump, de) != len ||
			    memcmp(de + E2DE_NAME, name, len) != 0)
				continue;
			*inop = DE_INO(de);
			if (pos != NULL) {
				pos->dp_off = (lbn << ump->um_bshift) + off;
				pos->dp_prevoff = (lbn << ump->um_bshift) + prev;
				pos->dp_first = off == 0;
			}
			brelse(bp, 0);
			return 0;
		}
		brelse(bp, 0);
	}
	return ENOENT;
}

/* Fill in an entry header and name at de. */
static void
ext2_de_fill(struct ext2_mount *ump, uint8_t *de, uint32_t ino, u_int reclen,
    const char *name, size_t len, int ftype)
{

	ext2_put32(de, E2DE_INO, ino);
	ext2_put16(de, E2DE_RECLEN, (uint16_t)reclen);
	if (ump->um_ftype) {
		de[E2DE_NAMLEN] = (uint8_t)len;
		de[E2DE_TYPE] = (uint8_t)ftype;
	} else
		ext2_put16(de, E2DE_NAMLEN, (uint16_t)len);
	memcpy(de + E2DE_NAME, name, len);
}

/*
 * Add an entry name -> ino (file type ftype) to directory dp: into the
 * first free space big enough, else into a new block at the end.
 */
int
ext2_direnter(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, int ftype)
{
	struct ext2_mount *ump = dp->i_ump;
	uint64_t size = ext2_isize(dp), lbn;
	u_int need = E2DE_SIZE(len), off, used, reclen;
	struct buf *bp;
	uint8_t *de;
	int error;

	if (len == 0 || len > E2FS_MAXNAMLEN)
		return ENAMETOOLONG;
	for (lbn = 0; (lbn << ump->um_bshift) < size; lbn++) {
		error = ext2_dirblock(dp, lbn, B_MODIFY, &bp);
		if (error != 0)
			return error;
		for (off = 0; off < ump->um_bsize; off += reclen) {
			if ((error = ext2_de_check(dp, bp->b_data, off)) != 0) {
				brelse(bp, 0);
				return error;
			}
			de = (uint8_t *)bp->b_data + off;
			reclen = DE_RECLEN(de);
			used = DE_INO(de) == 0 ? 0 :
			    E2DE_SIZE(ext2_de_namlen(ump, de));
			if (reclen - used < need)
				continue;
			if (used != 0) {
				/* Split: the old entry keeps what it uses. */
				ext2_put16(de, E2DE_RECLEN, (uint16_t)used);
				de += used;
				reclen -= used;
			}
			ext2_de_fill(ump, de, ino, reclen, name, len, ftype);
			bdwrite(bp);
			ext2_dirchanged(dp);
			return 0;
		}
		brelse(bp, 0);
	}
	/* No room: a new block. */
	error = ext2_getwblk(dp, lbn, true, &bp);
	if (error != 0)
		return error;
	clrbuf(bp);
	ext2_de_fill(ump, bp->b_data, ino, ump->um_bsize, name, len, ftype);
	bdwrite(bp);
	error = ext2_setsize(dp, (lbn + 1) << ump->um_bshift);
	ext2_dirchanged(dp);
	return error;
}

/*
 * The entry name of dp, for changing: its block busy in *bpp, the entry at
 * *dep, where it is in *pos.  ENOENT if there is none.
 */
static int
ext2_dirfind(struct ext2_inode *dp, const char *name, size_t len,
    struct ext2_dirpos *pos, struct buf **bpp, uint8_t **dep)
{
	struct ext2_mount *ump = dp->i_ump;
	uint32_t ino;
	int error;

	error = ext2_dirlookup(dp, name, len, &ino, pos);
	if (error != 0)
		return error;
	error = ext2_dirblock(dp, pos->dp_off >> ump->um_bshift, B_MODIFY,
	    bpp);
	if (error != 0)
		return error;
	*dep = (uint8_t *)(*bpp)->b_data + (pos->dp_off & (ump->um_bsize - 1));
	return 0;
}

/*
 * Remove the entry name from directory dp: the space joins the entry
 * before it in its block, or the first entry of a block becomes free.
 */
int
ext2_dirremove(struct ext2_inode *dp, const char *name, size_t len)
{
	struct ext2_mount *ump = dp->i_ump;
	struct ext2_dirpos pos;
	struct buf *bp;
	uint8_t *de, *prev;
	int error;

	error = ext2_dirfind(dp, name, len, &pos, &bp, &de);
	if (error != 0)
		return error;
	if (pos.dp_first)
		ext2_put32(de, E2DE_INO, 0);
	else {
		prev = (uint8_t *)bp->b_data +
		    (pos.dp_prevoff & (ump->um_bsize - 1));
		ext2_put16(prev, E2DE_RECLEN, DE_RECLEN(prev) + DE_RECLEN(de));
	}
	bdwrite(bp);
	ext2_dirchanged(dp);
	return 0;
}

/* Point the existing entry name of dp at ino (file type ftype). */
int
ext2_dirrewrite(struct ext2_inode *dp, const char *name, size_t len,
    uint32_t ino, int ftype)
{
	struct ext2_dirpos pos;
	struct buf *bp;
	uint8_t *de;
	int error;

	error = ext2_dirfind(dp, name, len, &pos, &bp, &de);
	if (error != 0)
		return error;
	ext2_put32(de, E2DE_INO, ino);
	if (dp->i_ump->um_ftype)
		de[E2DE_TYPE] = (uint8_t)ftype;
	bdwrite(bp);
	ext2_dirchanged(dp);
	return 0;
}

/* Is directory dp empty (nothing but "." and "..")? */
int
ext2_dirempty(struct ext2_inode *dp, bool *emptyp)
{
	struct ext2_mount *ump = dp->i_ump;
	uint64_t size = ext2_isize(dp), lbn;
	struct buf *bp;
	const uint8_t *de;
	u_int off, namlen;
	int error;

	*emptyp = true;
	for (lbn = 0; (lbn << ump->um_bshift) < size; lbn++) {
		error = ext2_dirblock(dp, lbn, 0, &bp);
		if (error != 0)
			return error;
		for (off = 0; off < ump->um_bsize; off += DE_RECLEN(de)) {
			if ((error = ext2_de_check(dp, bp->b_data, off)) != 0) {
				brelse(bp, 0);
				return error;
			}
			de = (const uint8_t *)bp->b_data + off;
			if (DE_INO(de) == 0)
				continue;
			namlen = ext2_de_namlen(ump, de);
			if (de[E2DE_NAME] == '.' && (namlen == 1 ||
			    (namlen == 2 && de[E2DE_NAME + 1] == '.')))
				continue;
			*emptyp = false;
			brelse(bp, 0);
			return 0;
		}
		brelse(bp, 0);
	}
	return 0;
}

/* Give new directory dp its first block with "." and ".." (parent). */
int
ext2_dirinit(struct ext2_inode *dp, uint32_t parent)
{
	struct ext2_mount *ump = dp->i_ump;
	struct buf *bp;
	int error;

	error = ext2_getwblk(dp, 0, true, &bp);
	if (error != 0)
		return error;
	clrbuf(bp);
	ext2_de_fill(ump, bp->b_data, dp->i_number, E2DE_SIZE(1), ".", 1,
	    EXT2_FT_DIR);
	ext2_de_fill(ump, (uint8_t *)bp->b_data + E2DE_SIZE(1), parent,
	    ump->um_bsize - E2DE_SIZE(1), "..", 2, EXT2_FT_DIR);
	bdwrite(bp);
	return ext2_setsize(dp, ump->um_bsize);
}

/* The directory-entry file type of an i_mode. */
int
ext2_ftype(uint16_t mode)
{

	switch (mode & E2IFMT) {
	case E2IFREG:
		return EXT2_FT_REG_FILE;
	case E2IFDIR:
		return EXT2_FT_DIR;
	case E2IFLNK:
		return EXT2_FT_SYMLINK;
	case E2IFCHR:
		return EXT2_FT_CHRDEV;
	case E2IFBLK:
		return EXT2_FT_BLKDEV;
	case E2IFIFO:
		return EXT2_FT_FIFO;
	case E2IFSOCK:
		return EXT2_FT_SOCK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

/* NetBSD d_type of an entry's ext2 file type. */
static uint8_t
ext2_ftype_to_dt(u_int ft)
{
	static const uint8_t dt[EXT2_FT_MAX] = {
		[EXT2_FT_UNKNOWN] = DT_UNKNOWN,
		[EXT2_FT_REG_FILE] = DT_REG,
		[EXT2_FT_DIR] = DT_DIR,
		[EXT2_FT_CHRDEV] = DT_CHR,
		[EXT2_FT_BLKDEV] = DT_BLK,
		[EXT2_FT_FIFO] = DT_FIFO,
		[EXT2_FT_SOCK] = DT_SOCK,
		[EXT2_FT_SYMLINK] = DT_LNK,
	};

	return ft < EXT2_FT_MAX ? dt[ft] : DT_UNKNOWN;
}

/*
 * Copy directory entries from byte uio_offset of dp (the cookie: an entry's
 * offset) into uio as struct dirent records, as many as fit; EINVAL if not
 * even one does.  The cookie must be an entry's offset (as returned).
 */
int
ext2_readdir_uio(struct ext2_inode *dp, struct uio *uio)
{
	struct ext2_mount *ump = dp->i_ump;
	uint64_t size = ext2_isize(dp), cookie, lbn;
	struct rump_dirent d;
	const uint8_t *de;
	struct buf *bp;
	size_t reclen;
	u_int off, namlen;
	bool some = false;
	int error = 0;

	if (uio->uio_offset < 0)
		return EINVAL;
	cookie = uio->uio_offset;
	while (cookie < size) {
		lbn = cookie >> ump->um_bshift;
		error = ext2_dirblock(dp, lbn, 0, &bp);
		if (error != 0)
			break;
		/* Walk from the block's start to the cookie's entry. */
		for (off = 0; off < ump->um_bsize; off += DE_RECLEN(de)) {
			if ((error = ext2_de_check(dp, bp->b_data, off)) != 0)
				break;
			de = (const uint8_t *)bp->b_data + off;
			if (off < (cookie & (ump->um_bsize - 1)))
				continue;
			if (DE_INO(de) == 0)
				continue;
			namlen = ext2_de_namlen(ump, de);
			memset(&d, 0, offsetof(struct rump_dirent, d_name));
			d.d_fileno = DE_INO(de);
			d.d_namlen = (uint16_t)namlen;
			d.d_type = ump->um_ftype ?
			    ext2_ftype_to_dt(de[E2DE_TYPE]) : DT_UNKNOWN;
			memcpy(d.d_name, de + E2DE_NAME, namlen);
			reclen = _DIRENT_RECLEN(namlen);
			memset(d.d_name + namlen, 0, reclen -
			    offsetof(struct rump_dirent, d_name) - namlen);
			d.d_reclen = (uint16_t)reclen;
			if (reclen > uio->uio_resid) {
				if (!some)
					error = EINVAL;
				brelse(bp, 0);
				goto out;
			}
			error = uiomove(&d, reclen, uio);
			if (error != 0)
				break;
			some = true;
			cookie = (lbn << ump->um_bshift) + off + DE_RECLEN(de);
		}
		brelse(bp, 0);
		if (error != 0)
			break;
		cookie = (lbn + 1) << ump->um_bshift;
	}
out:
	uio->uio_offset = cookie;
	return error;
}
