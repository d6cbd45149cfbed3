/*
 * Directory entries as getdents(2) returns them (struct rump_dirent,
 * NetBSD's of getdents30), with NetBSD's names for the d_type values.
 */
#ifndef _SYS_DIRENT_H_
#define _SYS_DIRENT_H_

#include <rump/rumpdefs.h>

#define _DIRENT_RECLEN(namlen)	RUMP_DIRENT_RECLEN(namlen)

#define DT_UNKNOWN	RUMP_DT_UNKNOWN
#define DT_FIFO		RUMP_DT_FIFO
#define DT_CHR		RUMP_DT_CHR
#define DT_DIR		RUMP_DT_DIR
#define DT_BLK		RUMP_DT_BLK
#define DT_REG		RUMP_DT_REG
#define DT_LNK		RUMP_DT_LNK
#define DT_SOCK		RUMP_DT_SOCK
#define DT_WHT		RUMP_DT_WHT

#endif /* _SYS_DIRENT_H_ */
