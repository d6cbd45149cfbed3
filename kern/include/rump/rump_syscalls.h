/*
 * The rump kernel's system calls, under NetBSD's symbol names: each
 * rump_sys_X below is the symbol rump___sysimpl_X (with NetBSD's version
 * suffix where the call has one, e.g. stat50, getdents30, mount50), as
 * NetBSD's own generated rump_syscalls.h arranges with __RENAME.  Each call
 * returns -1 and sets the caller's errno (a NetBSD number, rump/rumperrno.h)
 * on failure.  Types are NetBSD's, spelled with fixed widths: off_t is
 * int64_t; mode_t, uid_t and gid_t are uint32_t.  Structures are those of
 * rump/rumpdefs.h.  Host code only: the kernel defines these.  The
 * credential calls (getuid, setuid, ...) and reboot are declared in
 * rump/rump.h, with the core that implements them.
 */
#ifndef _RUMP_RUMP_SYSCALLS_H_
#define _RUMP_RUMP_SYSCALLS_H_

#include <sys/types.h>		/* ssize_t, from the host */

#include <rump/rumpdefs.h>

#define RUMP_SYS_RENAME(sym)	__asm__(#sym)

#ifdef __cplusplus
extern "C" {
#endif

int	rump_sys_open(const char *, int, ...)
	    RUMP_SYS_RENAME(rump___sysimpl_open);
int	rump_sys_openat(int, const char *, int, ...)
	    RUMP_SYS_RENAME(rump___sysimpl_openat);
int	rump_sys_close(int) RUMP_SYS_RENAME(rump___sysimpl_close);
ssize_t	rump_sys_read(int, void *, size_t) RUMP_SYS_RENAME(rump___sysimpl_read);
ssize_t	rump_sys_write(int, const void *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl_write);
ssize_t	rump_sys_pread(int, void *, size_t, int64_t)
	    RUMP_SYS_RENAME(rump___sysimpl_pread);
ssize_t	rump_sys_pwrite(int, const void *, size_t, int64_t)
	    RUMP_SYS_RENAME(rump___sysimpl_pwrite);
ssize_t	rump_sys_readv(int, const struct rump_iovec *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_readv);
ssize_t	rump_sys_writev(int, const struct rump_iovec *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_writev);
int64_t	rump_sys_lseek(int, int64_t, int) RUMP_SYS_RENAME(rump___sysimpl_lseek);
int	rump_sys_fsync(int) RUMP_SYS_RENAME(rump___sysimpl_fsync);
int	rump_sys_fdatasync(int) RUMP_SYS_RENAME(rump___sysimpl_fdatasync);
int	rump_sys_ftruncate(int, int64_t)
	    RUMP_SYS_RENAME(rump___sysimpl_ftruncate);
int	rump_sys_truncate(const char *, int64_t)
	    RUMP_SYS_RENAME(rump___sysimpl_truncate);

int	rump_sys_stat(const char *, struct rump_stat *)
	    RUMP_SYS_RENAME(rump___sysimpl_stat50);
int	rump_sys_lstat(const char *, struct rump_stat *)
	    RUMP_SYS_RENAME(rump___sysimpl_lstat50);
int	rump_sys_fstat(int, struct rump_stat *)
	    RUMP_SYS_RENAME(rump___sysimpl_fstat50);
int	rump_sys_fstatat(int, const char *, struct rump_stat *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_fstatat);

int	rump_sys_mkdir(const char *, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_mkdir);
int	rump_sys_mkdirat(int, const char *, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_mkdirat);
int	rump_sys_rmdir(const char *) RUMP_SYS_RENAME(rump___sysimpl_rmdir);
int	rump_sys_unlink(const char *) RUMP_SYS_RENAME(rump___sysimpl_unlink);
int	rump_sys_unlinkat(int, const char *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_unlinkat);
int	rump_sys_rename(const char *, const char *)
	    RUMP_SYS_RENAME(rump___sysimpl_rename);
int	rump_sys_renameat(int, const char *, int, const char *)
	    RUMP_SYS_RENAME(rump___sysimpl_renameat);
int	rump_sys_link(const char *, const char *)
	    RUMP_SYS_RENAME(rump___sysimpl_link);
int	rump_sys_linkat(int, const char *, int, const char *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_linkat);
int	rump_sys_symlink(const char *, const char *)
	    RUMP_SYS_RENAME(rump___sysimpl_symlink);
int	rump_sys_symlinkat(const char *, int, const char *)
	    RUMP_SYS_RENAME(rump___sysimpl_symlinkat);
ssize_t	rump_sys_readlink(const char *, char *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl_readlink);
ssize_t	rump_sys_readlinkat(int, const char *, char *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl_readlinkat);
int	rump_sys_getdents(int, char *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl_getdents30);

int	rump_sys_chmod(const char *, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_chmod);
int	rump_sys_fchmod(int, uint32_t) RUMP_SYS_RENAME(rump___sysimpl_fchmod);
int	rump_sys_fchmodat(int, const char *, uint32_t, int)
	    RUMP_SYS_RENAME(rump___sysimpl_fchmodat);
int	rump_sys_chown(const char *, uint32_t, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_chown);
int	rump_sys_fchown(int, uint32_t, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_fchown);
int	rump_sys_lchown(const char *, uint32_t, uint32_t)
	    RUMP_SYS_RENAME(rump___sysimpl_lchown);
int	rump_sys_utimes(const char *, const struct rump_timeval *)
	    RUMP_SYS_RENAME(rump___sysimpl_utimes50);
int	rump_sys_futimes(int, const struct rump_timeval *)
	    RUMP_SYS_RENAME(rump___sysimpl_futimes50);
int	rump_sys_utimensat(int, const char *, const struct rump_timespec *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_utimensat);
int	rump_sys_access(const char *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_access);
int	rump_sys_faccessat(int, const char *, int, int)
	    RUMP_SYS_RENAME(rump___sysimpl_faccessat);

int	rump_sys_chdir(const char *) RUMP_SYS_RENAME(rump___sysimpl_chdir);
int	rump_sys_fchdir(int) RUMP_SYS_RENAME(rump___sysimpl_fchdir);
int	rump_sys___getcwd(char *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl___getcwd);
int	rump_sys_dup(int) RUMP_SYS_RENAME(rump___sysimpl_dup);
int	rump_sys_dup2(int, int) RUMP_SYS_RENAME(rump___sysimpl_dup2);
int	rump_sys_fcntl(int, int, ...) RUMP_SYS_RENAME(rump___sysimpl_fcntl);
uint32_t rump_sys_umask(uint32_t) RUMP_SYS_RENAME(rump___sysimpl_umask);


int	rump_sys_mount(const char *, const char *, int, void *, size_t)
	    RUMP_SYS_RENAME(rump___sysimpl_mount50);
int	rump_sys_unmount(const char *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_unmount);
int	rump_sys_statvfs1(const char *, struct rump_statvfs *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_statvfs1);
int	rump_sys_fstatvfs1(int, struct rump_statvfs *, int)
	    RUMP_SYS_RENAME(rump___sysimpl_fstatvfs1);
void	rump_sys_sync(void) RUMP_SYS_RENAME(rump___sysimpl_sync);

#ifdef __cplusplus
}
#endif

#endif /* _RUMP_RUMP_SYSCALLS_H_ */
