/*
 * Open files and per-process descriptor tables and working directories.
 * The core keeps two pointers in struct proc that this layer owns: p_fd
 * (struct filedesc) and p_cwdi (struct cwdinfo); the hooks registered with
 * the core copy them on lwproc fork and release them on process exit.
 */
#ifndef _SYS_FILEDESC_H_
#define _SYS_FILEDESC_H_

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>

struct vnode;
struct proc;

/* An open file: shared by dup'd descriptors and forked tables. */
struct file {
	kmutex_t	 f_lock;	/* f_count, f_flag, f_offset */
	u_int		 f_count;	/* descriptor slots + callers in flight */
	int		 f_flag;	/* FREAD, FWRITE, O_APPEND, ... */
	off_t		 f_offset;
	struct vnode	*f_vp;		/* referenced */
};

#define FD_MAX		1024	/* descriptors per process (RLIMIT_NOFILE) */

struct filedesc {
	kmutex_t	  fd_lock;	/* everything below */
	u_int		  fd_refcnt;	/* processes sharing it */
	int		  fd_nfiles;	/* slots allocated */
	struct file	**fd_ofiles;
	uint8_t		 *fd_ofileflags; /* FD_CLOEXEC */
};

struct cwdinfo {
	krwlock_t	 cwdi_lock;	/* everything below */
	struct vnode	*cwdi_cdir;	/* current directory, referenced */
	struct vnode	*cwdi_rdir;	/* root directory, referenced */
	mode_t		 cwdi_cmask;	/* umask */
};

/* Descriptors (vfs_descrip.c). */
int	fd_getfile(int, struct file **);	/* referenced */
void	fd_putfile(struct file *);
int	fd_alloc(struct file *, int, int, int *);
int	fd_close(int);
int	fd_dup2(int, int, int);
int	fd_getflags(int, int *);
int	fd_setflags(int, int);
int	file_alloc(struct vnode *, int, struct file **);

/* The working directory, referenced. */
struct vnode *cwd_cdir(void);
struct vnode *cwd_rdir(void);
void	cwd_chdir(struct vnode *);
mode_t	cwd_umask(mode_t);
mode_t	cwd_getumask(void);

/* Per-process hooks and set-up (vfs_descrip.c). */
int	vfs_proc_init(struct proc *);
void	vfs_proc_exit(struct proc *);

#endif /* _SYS_FILEDESC_H_ */
