/*
 * open(2), fcntl(2) and *at(2) constants under NetBSD's names, for the
 * kernel.  The values are written once, in rump/rumpdefs.h.
 */
#ifndef _SYS_FCNTL_H_
#define _SYS_FCNTL_H_

#include <rump/rumpdefs.h>

#define O_RDONLY	RUMP_O_RDONLY
#define O_WRONLY	RUMP_O_WRONLY
#define O_RDWR		RUMP_O_RDWR
#define O_ACCMODE	RUMP_O_ACCMODE
#define O_NONBLOCK	RUMP_O_NONBLOCK
#define O_APPEND	RUMP_O_APPEND
#define O_SHLOCK	RUMP_O_SHLOCK
#define O_EXLOCK	RUMP_O_EXLOCK
#define O_ASYNC		RUMP_O_ASYNC
#define O_SYNC		RUMP_O_SYNC
#define O_NOFOLLOW	RUMP_O_NOFOLLOW
#define O_CREAT		RUMP_O_CREAT
#define O_TRUNC		RUMP_O_TRUNC
#define O_EXCL		RUMP_O_EXCL
#define O_NOCTTY	RUMP_O_NOCTTY
#define O_DSYNC		RUMP_O_DSYNC
#define O_RSYNC		RUMP_O_RSYNC
#define O_ALT_IO	RUMP_O_ALT_IO
#define O_DIRECT	RUMP_O_DIRECT
#define O_DIRECTORY	RUMP_O_DIRECTORY
#define O_CLOEXEC	RUMP_O_CLOEXEC
#define O_SEARCH	RUMP_O_SEARCH
#define O_NOSIGPIPE	RUMP_O_NOSIGPIPE
#define O_REGULAR	RUMP_O_REGULAR
#define O_EXEC		RUMP_O_EXEC

/* Every bit open(2) accepts; others give EINVAL. */
#define O_MASK		(O_ACCMODE | O_NONBLOCK | O_APPEND | O_SHLOCK | \
			 O_EXLOCK | O_ASYNC | O_SYNC | O_NOFOLLOW | O_CREAT | \
			 O_TRUNC | O_EXCL | O_NOCTTY | O_DSYNC | O_RSYNC | \
			 O_ALT_IO | O_DIRECT | O_DIRECTORY | O_CLOEXEC | \
			 O_SEARCH | O_NOSIGPIPE | O_REGULAR)

/* The open file's flags (f_flag): FREAD/FWRITE are O_ACCMODE + 1. */
#define FREAD		0x00000001
#define FWRITE		0x00000002
#define FFLAGS(oflags)	((oflags) + 1)
#define OFLAGS(fflags)	((fflags) - 1)
/* What F_SETFL may change. */
#define FCNTLFLAGS	(O_APPEND | O_ASYNC | O_SYNC | O_NONBLOCK | O_DSYNC | \
			 O_RSYNC | O_ALT_IO | O_DIRECT | O_NOSIGPIPE)

#define F_DUPFD		RUMP_F_DUPFD
#define F_GETFD		RUMP_F_GETFD
#define F_SETFD		RUMP_F_SETFD
#define F_GETFL		RUMP_F_GETFL
#define F_SETFL		RUMP_F_SETFL
#define F_DUPFD_CLOEXEC	RUMP_F_DUPFD_CLOEXEC
#define FD_CLOEXEC	RUMP_FD_CLOEXEC

#define AT_FDCWD		RUMP_AT_FDCWD
#define AT_EACCESS		RUMP_AT_EACCESS
#define AT_SYMLINK_NOFOLLOW	RUMP_AT_SYMLINK_NOFOLLOW
#define AT_SYMLINK_FOLLOW	RUMP_AT_SYMLINK_FOLLOW
#define AT_REMOVEDIR		RUMP_AT_REMOVEDIR

#define SEEK_SET	RUMP_SEEK_SET
#define SEEK_CUR	RUMP_SEEK_CUR
#define SEEK_END	RUMP_SEEK_END

#define F_OK		RUMP_F_OK
#define X_OK		RUMP_X_OK
#define W_OK		RUMP_W_OK
#define R_OK		RUMP_R_OK

#endif /* _SYS_FCNTL_H_ */
