/*
 * Open files, descriptor tables and working directories, per process.
 *
 * Locks: fd_lock guards a table's slots (a leaf but for f_lock, taken
 * inside it to count references); f_lock guards a file's count, flags and
 * offset; cwdi_lock (rwlock) a process's directories and umask.  No vnode
 * lock is taken under any of them: the last reference to a file is
 * dropped after fd_lock is released.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/proc.h>
#include <sys/lwp.h>
#include <sys/fcntl.h>
#include <sys/stat.h>
#include <sys/vnode.h>
#include <sys/filedesc.h>

#include "vfs_private.h"

/* A new open file on vp (the caller's reference passes to it). */
int
file_alloc(struct vnode *vp, int fflags, struct file **fpp)
{
	struct file *fp;

	fp = kmem_zalloc(sizeof(*fp), KM_SLEEP);
	if (fp == NULL)
		return ENOMEM;
	mutex_init(&fp->f_lock, MUTEX_DEFAULT, IPL_NONE);
	fp->f_count = 1;
	fp->f_flag = fflags;
	fp->f_vp = vp;
	*fpp = fp;
	return 0;
}

/* Drop a reference to fp; the last one closes the file. */
void
fd_putfile(struct file *fp)
{
	u_int n;

	mutex_enter(&fp->f_lock);
	n = --fp->f_count;
	mutex_exit(&fp->f_lock);
	if (n > 0)
		return;
	if (fp->f_vp != NULL)
		vrele(fp->f_vp);
	mutex_destroy(&fp->f_lock);
	kmem_free(fp, sizeof(*fp));
}

static void
file_hold(struct file *fp)
{

	mutex_enter(&fp->f_lock);
	fp->f_count++;
	mutex_exit(&fp->f_lock);
}

static struct filedesc *
fd_table(void)
{

	return curproc->p_fd;
}

/* The open file of descriptor fd, referenced; EBADF if none. */
int
fd_getfile(int fd, struct file **fpp)
{
	struct filedesc *fdp = fd_table();
	struct file *fp;

	if (fdp == NULL)
		return EBADF;
	mutex_enter(&fdp->fd_lock);
	if (fd < 0 || fd >= fdp->fd_nfiles ||
	    (fp = fdp->fd_ofiles[fd]) == NULL) {
		mutex_exit(&fdp->fd_lock);
		return EBADF;
	}
	file_hold(fp);
	mutex_exit(&fdp->fd_lock);
	*fpp = fp;
	return 0;
}

/* Make room for descriptor fd (< FD_MAX).  fd_lock held; may drop it. */
static int
fd_grow(struct filedesc *fdp, int fd)
{
	struct file **nfiles;
	uint8_t *nflags;
	int n;

	while (fd >= fdp->fd_nfiles) {
		n = MAX(fdp->fd_nfiles * 2, 16);
		n = MIN(n, FD_MAX);
		mutex_exit(&fdp->fd_lock);
		nfiles = kmem_zalloc(n * sizeof(*nfiles), KM_SLEEP);
		nflags = kmem_zalloc(n, KM_SLEEP);
		mutex_enter(&fdp->fd_lock);
		if (nfiles == NULL || nflags == NULL) {
			if (nfiles != NULL)
				kmem_free(nfiles, n * sizeof(*nfiles));
			if (nflags != NULL)
				kmem_free(nflags, n);
			return ENOMEM;
		}
		if (n <= fdp->fd_nfiles) {
			/* Another lwp grew it meanwhile. */
			kmem_free(nfiles, n * sizeof(*nfiles));
			kmem_free(nflags, n);
			continue;
		}
		if (fdp->fd_nfiles > 0) {
			memcpy(nfiles, fdp->fd_ofiles,
			    fdp->fd_nfiles * sizeof(*nfiles));
			memcpy(nflags, fdp->fd_ofileflags, fdp->fd_nfiles);
			kmem_free(fdp->fd_ofiles,
			    fdp->fd_nfiles * sizeof(*nfiles));
			kmem_free(fdp->fd_ofileflags, fdp->fd_nfiles);
		}
		fdp->fd_ofiles = nfiles;
		fdp->fd_ofileflags = nflags;
		fdp->fd_nfiles = n;
	}
	return 0;
}

/*
 * Give fp (the caller keeps its reference; the slot takes another) the
 * lowest free descriptor >= minfd, with descriptor flags fdflags; EMFILE
 * when none is left below FD_MAX.
 */
int
fd_alloc(struct file *fp, int minfd, int fdflags, int *fdp_out)
{
	struct filedesc *fdp = fd_table();
	int fd, error;

	if (minfd < 0 || minfd >= FD_MAX)
		return EINVAL;
	mutex_enter(&fdp->fd_lock);
	for (fd = minfd;; fd++) {
		if (fd >= FD_MAX) {
			error = EMFILE;
			goto out;
		}
		if (fd >= fdp->fd_nfiles) {
			error = fd_grow(fdp, fd);
			if (error != 0)
				goto out;
		}
		if (fdp->fd_ofiles[fd] == NULL)
			break;
	}
	file_hold(fp);
	fdp->fd_ofiles[fd] = fp;
	fdp->fd_ofileflags[fd] = fdflags;
	*fdp_out = fd;
	error = 0;
out:
	mutex_exit(&fdp->fd_lock);
	return error;
}

/* Close descriptor fd; EBADF if it is not open. */
int
fd_close(int fd)
{
	struct filedesc *fdp = fd_table();
	struct file *fp;

	mutex_enter(&fdp->fd_lock);
	if (fd < 0 || fd >= fdp->fd_nfiles ||
	    (fp = fdp->fd_ofiles[fd]) == NULL) {
		mutex_exit(&fdp->fd_lock);
		return EBADF;
	}
	fdp->fd_ofiles[fd] = NULL;
	mutex_exit(&fdp->fd_lock);
	fd_putfile(fp);
	return 0;
}

/* dup2: make "to" (closed first if open) refer to the file of "from". */
int
fd_dup2(int from, int to, int fdflags)
{
	struct filedesc *fdp = fd_table();
	struct file *fp, *old;
	int error;

	if (to < 0 || to >= FD_MAX)
		return EBADF;
	error = fd_getfile(from, &fp);
	if (error != 0)
		return error;
	if (from == to) {
		fd_putfile(fp);
		return 0;
	}
	mutex_enter(&fdp->fd_lock);
	error = fd_grow(fdp, to);
	if (error != 0) {
		mutex_exit(&fdp->fd_lock);
		fd_putfile(fp);
		return error;
	}
	old = fdp->fd_ofiles[to];
	fdp->fd_ofiles[to] = fp;	/* our reference moves to the slot */
	fdp->fd_ofileflags[to] = fdflags;
	mutex_exit(&fdp->fd_lock);
	if (old != NULL)
		fd_putfile(old);
	return 0;
}

int
fd_getflags(int fd, int *flagsp)
{
	struct filedesc *fdp = fd_table();
	int error = 0;

	mutex_enter(&fdp->fd_lock);
	if (fd < 0 || fd >= fdp->fd_nfiles || fdp->fd_ofiles[fd] == NULL)
		error = EBADF;
	else
		*flagsp = fdp->fd_ofileflags[fd];
	mutex_exit(&fdp->fd_lock);
	return error;
}

int
fd_setflags(int fd, int flags)
{
	struct filedesc *fdp = fd_table();
	int error = 0;

	mutex_enter(&fdp->fd_lock);
	if (fd < 0 || fd >= fdp->fd_nfiles || fdp->fd_ofiles[fd] == NULL)
		error = EBADF;
	else
		fdp->fd_ofileflags[fd] = flags & FD_CLOEXEC;
	mutex_exit(&fdp->fd_lock);
	return error;
}

static struct filedesc *
fd_table_alloc(void)
{
	struct filedesc *fdp;

	fdp = kmem_zalloc(sizeof(*fdp), KM_SLEEP);
	if (fdp == NULL)
		return NULL;
	mutex_init(&fdp->fd_lock, MUTEX_DEFAULT, IPL_NONE);
	fdp->fd_refcnt = 1;
	return fdp;
}

/* A copy of src: the same open files in the same slots. */
static int
fd_table_copy(struct filedesc *src, struct filedesc **dstp)
{
	struct filedesc *dst;
	int error, fd, n;

	dst = fd_table_alloc();
	if (dst == NULL)
		return ENOMEM;
	mutex_enter(&src->fd_lock);
	for (;;) {
		n = src->fd_nfiles;
		if (n == 0)
			break;
		mutex_exit(&src->fd_lock);
		mutex_enter(&dst->fd_lock);
		error = fd_grow(dst, n - 1);
		mutex_exit(&dst->fd_lock);
		mutex_enter(&src->fd_lock);
		if (error != 0) {
			mutex_exit(&src->fd_lock);
			goto bad;
		}
		if (n == src->fd_nfiles)
			break;
	}
	for (fd = 0; fd < n; fd++) {
		if (src->fd_ofiles[fd] == NULL)
			continue;
		file_hold(src->fd_ofiles[fd]);
		dst->fd_ofiles[fd] = src->fd_ofiles[fd];
		dst->fd_ofileflags[fd] = src->fd_ofileflags[fd];
	}
	mutex_exit(&src->fd_lock);
	*dstp = dst;
	return 0;
bad:
	mutex_destroy(&dst->fd_lock);
	if (dst->fd_nfiles > 0) {
		kmem_free(dst->fd_ofiles, dst->fd_nfiles * sizeof(struct file *));
		kmem_free(dst->fd_ofileflags, dst->fd_nfiles);
	}
	kmem_free(dst, sizeof(*dst));
	return error;
}

/* Drop a process's hold on fdp; the last closes every descriptor. */
static void
fd_table_release(struct filedesc *fdp)
{
	struct file *fp;
	u_int n;
	int fd;

	mutex_enter(&fdp->fd_lock);
	n = --fdp->fd_refcnt;
	mutex_exit(&fdp->fd_lock);
	if (n > 0)
		return;
	for (fd = 0; fd < fdp->fd_nfiles; fd++) {
		if ((fp = fdp->fd_ofiles[fd]) != NULL)
			fd_putfile(fp);
	}
	if (fdp->fd_nfiles > 0) {
		kmem_free(fdp->fd_ofiles, fdp->fd_nfiles * sizeof(*fdp->fd_ofiles));
		kmem_free(fdp->fd_ofileflags, fdp->fd_nfiles);
	}
	mutex_destroy(&fdp->fd_lock);
	kmem_free(fdp, sizeof(*fdp));
}

/* A cwdinfo holding (new references to) cdir and rdir. */
static struct cwdinfo *
cwd_alloc(struct vnode *cdir, struct vnode *rdir, mode_t cmask)
{
	struct cwdinfo *cwdi;

	cwdi = kmem_zalloc(sizeof(*cwdi), KM_SLEEP);
	if (cwdi == NULL)
		return NULL;
	rw_init(&cwdi->cwdi_lock);
	if (cdir != NULL)
		vref(cdir);
	if (rdir != NULL)
		vref(rdir);
	cwdi->cwdi_cdir = cdir;
	cwdi->cwdi_rdir = rdir;
	cwdi->cwdi_cmask = cmask;
	return cwdi;
}

static void
cwd_free(struct cwdinfo *cwdi)
{

	if (cwdi->cwdi_cdir != NULL)
		vrele(cwdi->cwdi_cdir);
	if (cwdi->cwdi_rdir != NULL)
		vrele(cwdi->cwdi_rdir);
	rw_destroy(&cwdi->cwdi_lock);
	kmem_free(cwdi, sizeof(*cwdi));
}

/*
 * The calling process's directories, referenced.  A process the VFS has
 * not set up (a kernel one) works in "/".
 */
static struct vnode *
cwd_get(bool root)
{
	struct cwdinfo *cwdi = curproc->p_cwdi;
	struct vnode *vp;

	if (cwdi == NULL) {
		vref(rootvnode);
		return rootvnode;
	}
	rw_enter(&cwdi->cwdi_lock, RW_READER);
	vp = root ? cwdi->cwdi_rdir : cwdi->cwdi_cdir;
	vref(vp);
	rw_exit(&cwdi->cwdi_lock);
	return vp;
}

struct vnode *
cwd_cdir(void)
{

	return cwd_get(false);
}

struct vnode *
cwd_rdir(void)
{

	return cwd_get(true);
}

/* Make vp (referenced; the reference passes) the working directory. */
void
cwd_chdir(struct vnode *vp)
{
	struct cwdinfo *cwdi = curproc->p_cwdi;
	struct vnode *old;

	KASSERT(cwdi != NULL);
	rw_enter(&cwdi->cwdi_lock, RW_WRITER);
	old = cwdi->cwdi_cdir;
	cwdi->cwdi_cdir = vp;
	rw_exit(&cwdi->cwdi_lock);
	vrele(old);
}

/* Set the umask, return the old one. */
mode_t
cwd_umask(mode_t mask)
{
	struct cwdinfo *cwdi = curproc->p_cwdi;
	mode_t old;

	if (cwdi == NULL)
		return 0;
	rw_enter(&cwdi->cwdi_lock, RW_WRITER);
	old = cwdi->cwdi_cmask;
	cwdi->cwdi_cmask = mask & ALLPERMS;
	rw_exit(&cwdi->cwdi_lock);
	return old;
}

mode_t
cwd_getumask(void)
{
	struct cwdinfo *cwdi = curproc->p_cwdi;
	mode_t mask;

	if (cwdi == NULL)
		return 0;
	rw_enter(&cwdi->cwdi_lock, RW_READER);
	mask = cwdi->cwdi_cmask;
	rw_exit(&cwdi->cwdi_lock);
	return mask;
}

/*
 * Give p an empty descriptor table and "/" as both directories, umask 022
 * (a process that existed before the VFS: initproc).
 */
int
vfs_proc_init(struct proc *p)
{

	KASSERT(p->p_fd == NULL && p->p_cwdi == NULL);
	p->p_fd = fd_table_alloc();
	p->p_cwdi = cwd_alloc(rootvnode, rootvnode, 022);
	if (p->p_fd == NULL || p->p_cwdi == NULL) {
		vfs_proc_exit(p);
		return ENOMEM;
	}
	return 0;
}

/*
 * The fork hook: the child gets the parent's directories and umask, and a
 * descriptor table shared with, copied from, or clean of the parent's
 * (PROC_FD_*).  A parent the VFS never set up gives "/" and no files.
 */
static int
vfs_proc_fork(struct proc *child, struct proc *parent, int flags)
{
	struct cwdinfo *pc = parent->p_cwdi;
	int error;

	KASSERT(child->p_fd == NULL && child->p_cwdi == NULL);
	if (rootvnode == NULL)
		return 0;
	if (pc == NULL || parent->p_fd == NULL)
		return vfs_proc_init(child);
	rw_enter(&pc->cwdi_lock, RW_READER);
	child->p_cwdi = cwd_alloc(pc->cwdi_cdir, pc->cwdi_rdir, pc->cwdi_cmask);
	rw_exit(&pc->cwdi_lock);
	if (child->p_cwdi == NULL)
		return ENOMEM;
	if (flags & PROC_FD_CLEAN) {
		child->p_fd = fd_table_alloc();
		error = child->p_fd == NULL ? ENOMEM : 0;
	} else if (flags & PROC_FD_COPY) {
		error = fd_table_copy(parent->p_fd, &child->p_fd);
	} else {
		mutex_enter(&parent->p_fd->fd_lock);
		parent->p_fd->fd_refcnt++;
		mutex_exit(&parent->p_fd->fd_lock);
		child->p_fd = parent->p_fd;
		error = 0;
	}
	if (error != 0) {
		cwd_free(child->p_cwdi);
		child->p_cwdi = NULL;
	}
	return error;
}

/* The exit hook: close the process's files, drop its directories. */
void
vfs_proc_exit(struct proc *p)
{

	if (p->p_fd != NULL)
		fd_table_release(p->p_fd);
	if (p->p_cwdi != NULL)
		cwd_free(p->p_cwdi);
	p->p_fd = NULL;
	p->p_cwdi = NULL;
}

const struct proc_hooks vfs_proc_hooks = {
	.ph_name = "vfs",
	.ph_fork = vfs_proc_fork,
	.ph_exit = vfs_proc_exit,
};
