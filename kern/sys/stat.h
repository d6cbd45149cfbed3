/*
 * File types and mode bits under NetBSD's names, for the kernel; the
 * values are written once, in rump/rumpdefs.h.  The kernel fills
 * struct rump_stat (NetBSD's struct stat of __stat50) directly.
 */
#ifndef _SYS_STAT_H_
#define _SYS_STAT_H_

#include <rump/rumpdefs.h>

#define S_IFMT		RUMP_S_IFMT
#define S_IFIFO		RUMP_S_IFIFO
#define S_IFCHR		RUMP_S_IFCHR
#define S_IFDIR		RUMP_S_IFDIR
#define S_IFBLK		RUMP_S_IFBLK
#define S_IFREG		RUMP_S_IFREG
#define S_IFLNK		RUMP_S_IFLNK
#define S_IFSOCK	RUMP_S_IFSOCK
#define S_IFWHT		RUMP_S_IFWHT
#define S_ISUID		RUMP_S_ISUID
#define S_ISGID		RUMP_S_ISGID
#define S_ISTXT		RUMP_S_ISVTX
#define S_ISVTX		RUMP_S_ISVTX
#define S_IRWXU		RUMP_S_IRWXU
#define S_IRUSR		RUMP_S_IRUSR
#define S_IWUSR		RUMP_S_IWUSR
#define S_IXUSR		RUMP_S_IXUSR
#define S_IRWXG		RUMP_S_IRWXG
#define S_IRGRP		RUMP_S_IRGRP
#define S_IWGRP		RUMP_S_IWGRP
#define S_IXGRP		RUMP_S_IXGRP
#define S_IRWXO		RUMP_S_IRWXO
#define S_IROTH		RUMP_S_IROTH
#define S_IWOTH		RUMP_S_IWOTH
#define S_IXOTH		RUMP_S_IXOTH
#define ALLPERMS	RUMP_ALLPERMS

#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m)	(((m) & S_IFMT) == S_IFLNK)

#define UTIME_NOW	RUMP_UTIME_NOW
#define UTIME_OMIT	RUMP_UTIME_OMIT

#endif /* _SYS_STAT_H_ */
