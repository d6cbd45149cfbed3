/*
 * The NetBSD rump kernel's public file-system ABI: constants with NetBSD's
 * values and structures with NetBSD's layouts (amd64/LP64), under RUMP_ and
 * rump_ names so that host code can include this beside libc's headers.
 * The values come from NetBSD's sys/sys/fcntl.h, stat.h, dirent.h,
 * statvfs.h, mount.h, reboot.h, unistd.h, fs/tmpfs/tmpfs_args.h and
 * ufs/ufs/ufsmount.h.  The kernel's <sys/...> headers name these under
 * NetBSD's own names; this file is the one place the numbers are written.
 *
 * Freestanding: needs only <stdint.h> and <stddef.h> (the compiler's own).
 */
#ifndef _RUMP_RUMPDEFS_H_
#define _RUMP_RUMPDEFS_H_

#include <stddef.h>
#include <stdint.h>

/* Limits (sys/syslimits.h, sys/param.h). */
#define RUMP_MAXPATHLEN		1024	/* bytes in a path, with the NUL */
#define RUMP_MAXNAMLEN		511	/* bytes in a name, without the NUL */
#define RUMP_MAXSYMLINKS	32	/* symbolic links followed by one lookup */

/* open(2) flags (sys/fcntl.h). */
#define RUMP_O_RDONLY		0x00000000
#define RUMP_O_WRONLY		0x00000001
#define RUMP_O_RDWR		0x00000002
#define RUMP_O_ACCMODE		0x00000003
#define RUMP_O_NONBLOCK		0x00000004
#define RUMP_O_APPEND		0x00000008
#define RUMP_O_SHLOCK		0x00000010
#define RUMP_O_EXLOCK		0x00000020
#define RUMP_O_ASYNC		0x00000040
#define RUMP_O_SYNC		0x00000080
#define RUMP_O_NOFOLLOW		0x00000100
#define RUMP_O_CREAT		0x00000200
#define RUMP_O_TRUNC		0x00000400
#define RUMP_O_EXCL		0x00000800
#define RUMP_O_NOCTTY		0x00008000
#define RUMP_O_DSYNC		0x00010000
#define RUMP_O_RSYNC		0x00020000
#define RUMP_O_ALT_IO		0x00040000
#define RUMP_O_DIRECT		0x00080000
#define RUMP_O_DIRECTORY	0x00200000
#define RUMP_O_CLOEXEC		0x00400000
#define RUMP_O_SEARCH		0x00800000
#define RUMP_O_NOSIGPIPE	0x01000000
#define RUMP_O_REGULAR		0x02000000
#define RUMP_O_EXEC		0x04000000

/* fcntl(2) commands and descriptor flags. */
#define RUMP_F_DUPFD		0
#define RUMP_F_GETFD		1
#define RUMP_F_SETFD		2
#define RUMP_F_GETFL		3
#define RUMP_F_SETFL		4
#define RUMP_F_DUPFD_CLOEXEC	12
#define RUMP_FD_CLOEXEC		1

/* The *at(2) calls (sys/fcntl.h). */
#define RUMP_AT_FDCWD		-100
#define RUMP_AT_EACCESS		0x0100
#define RUMP_AT_SYMLINK_NOFOLLOW 0x0200
#define RUMP_AT_SYMLINK_FOLLOW	0x0400
#define RUMP_AT_REMOVEDIR	0x0800

/* utimensat(2) special nanosecond values (sys/stat.h). */
#define RUMP_UTIME_NOW		((1L << 30) - 1L)
#define RUMP_UTIME_OMIT		((1L << 30) - 2L)

/* lseek(2) (sys/unistd.h). */
#define RUMP_SEEK_SET		0
#define RUMP_SEEK_CUR		1
#define RUMP_SEEK_END		2

/* access(2) (sys/unistd.h). */
#define RUMP_F_OK		0
#define RUMP_X_OK		0x01
#define RUMP_W_OK		0x02
#define RUMP_R_OK		0x04

/* File types and modes (sys/stat.h), octal as NetBSD writes them. */
#define RUMP_S_IFMT		0170000
#define RUMP_S_IFIFO		0010000
#define RUMP_S_IFCHR		0020000
#define RUMP_S_IFDIR		0040000
#define RUMP_S_IFBLK		0060000
#define RUMP_S_IFREG		0100000
#define RUMP_S_IFLNK		0120000
#define RUMP_S_IFSOCK		0140000
#define RUMP_S_IFWHT		0160000
#define RUMP_S_ISUID		0004000
#define RUMP_S_ISGID		0002000
#define RUMP_S_ISVTX		0001000
#define RUMP_S_IRWXU		0000700
#define RUMP_S_IRUSR		0000400
#define RUMP_S_IWUSR		0000200
#define RUMP_S_IXUSR		0000100
#define RUMP_S_IRWXG		0000070
#define RUMP_S_IRGRP		0000040
#define RUMP_S_IWGRP		0000020
#define RUMP_S_IXGRP		0000010
#define RUMP_S_IRWXO		0000007
#define RUMP_S_IROTH		0000004
#define RUMP_S_IWOTH		0000002
#define RUMP_S_IXOTH		0000001
#define RUMP_ALLPERMS		0007777

/* struct timespec and struct timeval (sys/timespec.h, sys/time.h). */
struct rump_timespec {
	int64_t		tv_sec;		/* time_t */
	long		tv_nsec;
};

struct rump_timeval {
	int64_t		tv_sec;		/* time_t */
	int32_t		tv_usec;	/* suseconds_t */
};

/* struct stat of __stat50 (sys/stat.h). */
struct rump_stat {
	uint64_t	st_dev;		/* dev_t */
	uint32_t	st_mode;	/* mode_t */
	uint64_t	st_ino;		/* ino_t */
	uint32_t	st_nlink;	/* nlink_t */
	uint32_t	st_uid;		/* uid_t */
	uint32_t	st_gid;		/* gid_t */
	uint64_t	st_rdev;	/* dev_t */
	struct rump_timespec st_atim;
	struct rump_timespec st_mtim;
	struct rump_timespec st_ctim;
	struct rump_timespec st_birthtim;
	int64_t		st_size;	/* off_t */
	int64_t		st_blocks;	/* blkcnt_t, 512-byte units */
	int32_t		st_blksize;	/* blksize_t */
	uint32_t	st_flags;
	uint32_t	st_gen;
	uint32_t	st_spare[2];
};

/* struct dirent of getdents30 (sys/dirent.h). */
struct rump_dirent {
	uint64_t	d_fileno;	/* ino_t */
	uint16_t	d_reclen;	/* bytes in this record */
	uint16_t	d_namlen;	/* bytes in d_name, without the NUL */
	uint8_t		d_type;		/* RUMP_DT_* */
	char		d_name[RUMP_MAXNAMLEN + 1];
};
/* Bytes a record with a name of namlen bytes takes: padded to 8. */
#define RUMP_DIRENT_RECLEN(namlen) \
	((offsetof(struct rump_dirent, d_name) + (namlen) + 1 + 7) & ~(size_t)7)

#define RUMP_DT_UNKNOWN		0
#define RUMP_DT_FIFO		1
#define RUMP_DT_CHR		2
#define RUMP_DT_DIR		4
#define RUMP_DT_BLK		6
#define RUMP_DT_REG		8
#define RUMP_DT_LNK		10
#define RUMP_DT_SOCK		12
#define RUMP_DT_WHT		14

/* struct statvfs of statvfs1 / fstatvfs1 (sys/statvfs.h). */
#define RUMP_VFS_NAMELEN	32
#define RUMP_VFS_MNAMELEN	1024
struct rump_statvfs {
	unsigned long	f_flag;		/* RUMP_MNT_* of the mount */
	unsigned long	f_bsize;
	unsigned long	f_frsize;
	unsigned long	f_iosize;
	uint64_t	f_blocks;	/* in f_frsize units */
	uint64_t	f_bfree;
	uint64_t	f_bavail;
	uint64_t	f_bresvd;
	uint64_t	f_files;
	uint64_t	f_ffree;
	uint64_t	f_favail;
	uint64_t	f_fresvd;
	uint64_t	f_syncreads;
	uint64_t	f_syncwrites;
	uint64_t	f_asyncreads;
	uint64_t	f_asyncwrites;
	int32_t		f_fsidx[2];	/* fsid_t */
	unsigned long	f_fsid;
	unsigned long	f_namemax;
	uint32_t	f_owner;	/* uid_t */
	uint32_t	f_spare[4];
	char		f_fstypename[RUMP_VFS_NAMELEN];
	char		f_mntonname[RUMP_VFS_MNAMELEN];
	char		f_mntfromname[RUMP_VFS_MNAMELEN];
};
/* statvfs1 flags argument. */
#define RUMP_ST_WAIT		1
#define RUMP_ST_NOWAIT		2

/* mount(2) / unmount(2) flags (sys/fstypes.h). */
#define RUMP_MNT_RDONLY		0x00000001
#define RUMP_MNT_SYNCHRONOUS	0x00000002
#define RUMP_MNT_NOEXEC		0x00000004
#define RUMP_MNT_NOSUID		0x00000008
#define RUMP_MNT_NODEV		0x00000010
#define RUMP_MNT_UNION		0x00000020
#define RUMP_MNT_ASYNC		0x00000040
#define RUMP_MNT_NOCOREDUMP	0x00008000
#define RUMP_MNT_RELATIME	0x00020000
#define RUMP_MNT_IGNORE		0x00100000
#define RUMP_MNT_DISCARD	0x00800000
#define RUMP_MNT_EXTATTR	0x01000000
#define RUMP_MNT_LOG		0x02000000
#define RUMP_MNT_NOATIME	0x04000000
#define RUMP_MNT_LOCAL		0x00001000
#define RUMP_MNT_ROOTFS		0x00004000
#define RUMP_MNT_UPDATE		0x00010000
#define RUMP_MNT_RELOAD		0x00040000
#define RUMP_MNT_FORCE		0x00080000
#define RUMP_MNT_GETARGS	0x00400000
/* vfs_sync / getvfsstat wait flags. */
#define RUMP_MNT_WAIT		1
#define RUMP_MNT_NOWAIT		2
#define RUMP_MNT_LAZY		3

/* File-system type names for mount(2) (sys/mount.h). */
#define RUMP_MOUNT_TMPFS	"tmpfs"
#define RUMP_MOUNT_EXT2FS	"ext2fs"

/* Mount arguments of tmpfs (fs/tmpfs/tmpfs_args.h). */
#define RUMP_TMPFS_ARGS_VERSION	1
struct rump_tmpfs_args {
	int		ta_version;	/* RUMP_TMPFS_ARGS_VERSION */
	uint64_t	ta_nodes_max;	/* ino_t: files at most; 0: no limit */
	int64_t		ta_size_max;	/* off_t: bytes at most; 0: no limit */
	uint32_t	ta_root_uid;	/* uid_t */
	uint32_t	ta_root_gid;	/* gid_t */
	uint32_t	ta_root_mode;	/* mode_t */
};

/* Mount arguments of ffs and ext2fs (ufs/ufs/ufsmount.h). */
struct rump_ufs_args {
	char		*fspec;		/* block special device to mount */
};

/* struct iovec (sys/uio.h). */
struct rump_iovec {
	void		*iov_base;
	size_t		 iov_len;
};
#define RUMP_IOV_MAX		1024

#endif /* _RUMP_RUMPDEFS_H_ */
