/*
 * The ext2 on-disk format: byte offsets of the superblock, group
 * descriptor, inode and directory-entry fields, and accessors that read and
 * write them little-endian whatever the host's byte order.  The structures
 * are kept as raw bytes in memory (so fields this driver does not know
 * survive a rewrite untouched); the offsets are those of the ext2 layout
 * (e2fsprogs lib/ext2fs/ext2_fs.h; NetBSD sys/ufs/ext2fs/ext2fs.h).
 */
#ifndef _EXT2FS_FORMAT_H_
#define _EXT2FS_FORMAT_H_

#include <sys/types.h>

static inline uint16_t
ext2_get16(const void *base, u_int off)
{
	const uint8_t *p = (const uint8_t *)base + off;

	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
ext2_get32(const void *base, u_int off)
{
	const uint8_t *p = (const uint8_t *)base + off;

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void
ext2_put16(void *base, u_int off, uint16_t v)
{
	uint8_t *p = (uint8_t *)base + off;

	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void
ext2_put32(void *base, u_int off, uint32_t v)
{
	uint8_t *p = (uint8_t *)base + off;

	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* The superblock: 1024 bytes at byte 1024 of the device. */
#define E2FS_SBOFF		1024
#define E2FS_SBSIZE		1024
#define E2FS_MAGIC		0xef53

#define E2SB_INODES_COUNT	0
#define E2SB_BLOCKS_COUNT	4
#define E2SB_R_BLOCKS_COUNT	8
#define E2SB_FREE_BLOCKS	12
#define E2SB_FREE_INODES	16
#define E2SB_FIRST_DATA_BLOCK	20
#define E2SB_LOG_BLOCK_SIZE	24	/* block size = 1024 << this */
#define E2SB_LOG_FRAG_SIZE	28
#define E2SB_BLOCKS_PER_GROUP	32
#define E2SB_FRAGS_PER_GROUP	36
#define E2SB_INODES_PER_GROUP	40
#define E2SB_MTIME		44
#define E2SB_WTIME		48
#define E2SB_MNT_COUNT		52	/* 16 bits */
#define E2SB_MAX_MNT_COUNT	54	/* 16 bits */
#define E2SB_MAGIC		56	/* 16 bits */
#define E2SB_STATE		58	/* 16 bits: E2FS_ISCLEAN, E2FS_ERRORS */
#define E2SB_ERRORS		60
#define E2SB_MINOR_REV		62
#define E2SB_LASTCHECK		64
#define E2SB_CHECKINTERVAL	68
#define E2SB_CREATOR_OS		72
#define E2SB_REV_LEVEL		76	/* 0 or 1 (dynamic) */
#define E2SB_DEF_RESUID		80
#define E2SB_DEF_RESGID		82
/* Revision 1 only. */
#define E2SB_FIRST_INO		84
#define E2SB_INODE_SIZE		88	/* 16 bits */
#define E2SB_BLOCK_GROUP_NR	90	/* 16 bits: which copy this is */
#define E2SB_FEATURE_COMPAT	92
#define E2SB_FEATURE_INCOMPAT	96
#define E2SB_FEATURE_ROCOMPAT	100
#define E2SB_LAST_MOUNTED	136	/* 64 bytes */
#define E2SB_RESERVED_GDT	206	/* 16 bits: resize_inode */
#define E2SB_DESC_SIZE		254	/* 16 bits: 64bit only */

#define E2FS_ISCLEAN		0x0001
#define E2FS_ERRORS		0x0002

#define E2FS_REV0		0
#define E2FS_REV1		1
#define E2FS_REV0_INODE_SIZE	128
#define E2FS_REV0_FIRST_INO	11

/* Features (e2fsprogs names). */
#define EXT2F_COMPAT_DIRPREALLOC	0x0001
#define EXT2F_COMPAT_IMAGIC		0x0002
#define EXT2F_COMPAT_HASJOURNAL		0x0004
#define EXT2F_COMPAT_EXTATTR		0x0008
#define EXT2F_COMPAT_RESIZE		0x0010
#define EXT2F_COMPAT_DIRINDEX		0x0020
#define EXT2F_ROCOMPAT_SPARSESUPER	0x0001
#define EXT2F_ROCOMPAT_LARGEFILE	0x0002
#define EXT2F_ROCOMPAT_BTREE_DIR	0x0004
#define EXT2F_ROCOMPAT_HUGE_FILE	0x0008
#define EXT2F_ROCOMPAT_GDT_CSUM		0x0010
#define EXT2F_ROCOMPAT_DIR_NLINK	0x0020
#define EXT2F_ROCOMPAT_EXTRA_ISIZE	0x0040
#define EXT2F_ROCOMPAT_METADATA_CSUM	0x0400
#define EXT2F_INCOMPAT_COMPRESSION	0x0001
#define EXT2F_INCOMPAT_FTYPE		0x0002
#define EXT2F_INCOMPAT_RECOVER		0x0004
#define EXT2F_INCOMPAT_JOURNAL_DEV	0x0008
#define EXT2F_INCOMPAT_META_BG		0x0010
#define EXT2F_INCOMPAT_EXTENTS		0x0040
#define EXT2F_INCOMPAT_64BIT		0x0080
#define EXT2F_INCOMPAT_MMP		0x0100
#define EXT2F_INCOMPAT_FLEX_BG		0x0200
#define EXT2F_INCOMPAT_EA_INODE		0x0400
#define EXT2F_INCOMPAT_DIRDATA		0x1000
#define EXT2F_INCOMPAT_CSUM_SEED	0x2000
#define EXT2F_INCOMPAT_LARGEDIR		0x4000
#define EXT2F_INCOMPAT_INLINE_DATA	0x8000
#define EXT2F_INCOMPAT_ENCRYPT		0x10000

/* What this driver implements: anything else incompat refuses the mount. */
#define EXT2F_INCOMPAT_SUPP	(EXT2F_INCOMPAT_FTYPE)
/* What it can write beside: anything else ro_compat allows read-only. */
#define EXT2F_ROCOMPAT_SUPP	(EXT2F_ROCOMPAT_SPARSESUPER | \
				 EXT2F_ROCOMPAT_LARGEFILE)

/* A group descriptor: 32 bytes, in the blocks after the superblock. */
#define E2FS_GD_SIZE		32
#define E2GD_BLOCK_BITMAP	0
#define E2GD_INODE_BITMAP	4
#define E2GD_INODE_TABLE	8
#define E2GD_FREE_BLOCKS	12	/* 16 bits */
#define E2GD_FREE_INODES	14	/* 16 bits */
#define E2GD_USED_DIRS		16	/* 16 bits */

/* An inode: 128 bytes, more in revision 1 (s_inode_size). */
#define E2DI_MODE		0	/* 16 bits */
#define E2DI_UID		2	/* 16 bits: low half */
#define E2DI_SIZE		4	/* low 32 bits */
#define E2DI_ATIME		8
#define E2DI_CTIME		12
#define E2DI_MTIME		16
#define E2DI_DTIME		20
#define E2DI_GID		24	/* 16 bits: low half */
#define E2DI_NLINK		26	/* 16 bits */
#define E2DI_NBLOCK		28	/* 512-byte sectors */
#define E2DI_FLAGS		32
#define E2DI_BLOCKS		40	/* 15 x 32 bits */
#define E2DI_GEN		100
#define E2DI_FACL		104	/* extended-attribute block */
#define E2DI_SIZE_HIGH		108	/* high 32 bits (regular files) */
#define E2DI_NBLOCK_HIGH	116	/* 16 bits: huge_file */
#define E2DI_UID_HIGH		120	/* 16 bits */
#define E2DI_GID_HIGH		122	/* 16 bits */
#define E2DI_EXTRA_ISIZE	128	/* 16 bits: large inodes */
#define E2DI_CTIME_EXTRA	132
#define E2DI_MTIME_EXTRA	136
#define E2DI_ATIME_EXTRA	140
/* Extra inode bytes this driver gives new inodes (as e2fsprogs and Linux). */
#define E2DI_NEW_EXTRA_ISIZE	32

#define E2FS_NDADDR		12	/* direct blocks */
#define E2FS_NIADDR		3	/* single, double, triple indirect */
#define E2FS_MAXSYMLINKLEN	60	/* fast symlink: in E2DI_BLOCKS */

/* i_flags. */
#define EXT2_INDEX_FL		0x00001000	/* htree directory */
#define EXT2_EXTENTS_FL		0x00080000
#define EXT2_INLINE_DATA_FL	0x10000000

/* Reserved inodes. */
#define EXT2_ROOTINO		2

/* Extended-attribute block header. */
#define E2EA_MAGIC		0xea020000
#define E2EA_H_MAGIC		0
#define E2EA_H_REFCOUNT		4

/* A directory entry: 8 bytes of header, the name, padded to 4 bytes. */
#define E2DE_INO		0
#define E2DE_RECLEN		4	/* 16 bits */
#define E2DE_NAMLEN		6	/* 8 bits (16 without filetype) */
#define E2DE_TYPE		7	/* 8 bits, with filetype */
#define E2DE_NAME		8
#define E2DE_HDRSIZE		8
#define E2FS_MAXNAMLEN		255
#define E2DE_SIZE(namlen)	((E2DE_HDRSIZE + (namlen) + 3) & ~3)

/* Directory-entry file types (filetype feature). */
#define EXT2_FT_UNKNOWN		0
#define EXT2_FT_REG_FILE	1
#define EXT2_FT_DIR		2
#define EXT2_FT_CHRDEV		3
#define EXT2_FT_BLKDEV		4
#define EXT2_FT_FIFO		5
#define EXT2_FT_SOCK		6
#define EXT2_FT_SYMLINK		7
#define EXT2_FT_MAX		8

/* i_mode file types (the same values as NetBSD's S_IF*). */
#define E2IFMT			0170000
#define E2IFIFO			0010000
#define E2IFCHR			0020000
#define E2IFDIR			0040000
#define E2IFBLK			0060000
#define E2IFREG			0100000
#define E2IFLNK			0120000
#define E2IFSOCK		0140000

#endif /* _EXT2FS_FORMAT_H_ */
