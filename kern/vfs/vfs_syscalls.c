/*
 * The file-system system calls, under NetBSD's rump symbol names
 * (rump___sysimpl_*; rump/rump_syscalls.h maps rump_sys_* to them).
 * Each entry point takes a virtual CPU (rump_schedule), runs a do_*
 * routine that returns 0 or a NetBSD errno, gives the CPU back and, on
 * error, sets the caller's errno through rumpuser_seterrno and returns -1.
 * Pointers from the caller go through copyin/copyinstr/copyout (EFAULT for
 * NULL).  No do_* routine holds a lock when it returns.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/kauth.h>
#include <sys/proc.h>
#include <sys/lwp.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/fcntl.h>
#include <sys/stat.h>
#include <sys/dirent.h>
#include <sys/vnode.h>
#include <sys/mount.h>
#include <sys/namei.h>
#include <sys/filedesc.h>

#include <rump/rump.h>
#include <rump/rumpuser.h>

#include "vfs_private.h"

#define SSIZE_MAX	((ssize_t)(~(size_t)0 >> 1))
#define ACCESSPERMS	(S_IRWXU | S_IRWXG | S_IRWXO)

/* End a system call: give the CPU back, report the error. */
static long
sys_return(int error, long rv)
{

	rump_unschedule();
	if (error != 0) {
		rumpuser_seterrno(error);
		return -1;
	}
	return rv;
}

static kauth_cred_t
cred(void)
{

	return kauth_cred_get();
}

/* vp's file system is mounted read-only. */
static bool
vn_rdonly(struct vnode *vp)
{

	return vp->v_mount != NULL && (vp->v_mount->mnt_flag & MNT_RDONLY);
}

/*
 * The directory a relative path of an *at call starts from: NULL for
 * AT_FDCWD (the working directory), else fd's vnode, referenced (EBADF,
 * ENOTDIR).
 */
static int
dirfd_vnode(int fd, struct vnode **vpp)
{
	struct file *fp;
	int error;

	*vpp = NULL;
	if (fd == AT_FDCWD)
		return 0;
	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	if (fp->f_vp->v_type != VDIR)
		error = ENOTDIR;
	else {
		vref(fp->f_vp);
		*vpp = fp->f_vp;
	}
	fd_putfile(fp);
	return error;
}

/* namei relative to dirfd; nd must be released with namei_done. */
static int
lookup_at(int dirfd, const char *path, int flags, struct nameidata *nd)
{
	struct vnode *start;
	int error;

	namei_init(nd, path, flags, NULL, cred());
	error = dirfd_vnode(dirfd, &start);
	if (error != 0)
		return error;
	nd->ni_startdir = start;
	error = namei(nd);
	if (start != NULL)
		vrele(start);
	return error;
}

/* The file at path (dirfd-relative), referenced. */
static int
lookup_vnode(int dirfd, const char *path, bool follow, struct vnode **vpp)
{
	struct nameidata nd;
	int error;

	error = lookup_at(dirfd, path, follow ? NI_FOLLOW : 0, &nd);
	if (error == 0) {
		*vpp = nd.ni_vp;
		nd.ni_vp = NULL;
	}
	namei_done(&nd);
	return error;
}

/*
 * Begin a change to the directory holding the last name of path: on
 * success nd->ni_dvp is locked exclusively, writable by the caller (else
 * EACCES, EROFS), and *vpp is what the name refers to now (referenced,
 * unlocked, mount points not crossed) or NULL.  A path naming "/" gives
 * rooterr.  The caller unlocks nd->ni_dvp, releases *vpp and ends nd.
 */
static int
dirop_begin(int dirfd, const char *path, int flags, int rooterr,
    struct nameidata *nd, struct vnode **vpp)
{
	struct vnode *dvp;
	int error;

	*vpp = NULL;
	error = lookup_at(dirfd, path, NI_PARENT | flags, nd);
	if (error != 0)
		return error;
	dvp = nd->ni_dvp;
	if (dvp == NULL)
		return rooterr;
	vn_lock(dvp, LK_EXCLUSIVE);
	if (vn_rdonly(dvp))
		error = EROFS;
	else
		error = vn_access(dvp, VWRITE | VEXEC, cred());
	if (error == 0) {
		error = VOP_LOOKUP(dvp, &nd->ni_cn, vpp);
		if (error == ENOENT) {
			*vpp = NULL;
			error = 0;
		}
	}
	if (error != 0) {
		VOP_UNLOCK(dvp);
		return error;
	}
	return 0;
}

/* New-file attributes: owner the caller, group the directory's (BSD). */
static int
newfile_attr(struct vnode *dvp, enum vtype type, mode_t mode,
    struct vattr *vap)
{
	struct vattr dva;
	int error;

	error = VOP_GETATTR(dvp, &dva);
	if (error != 0)
		return error;
	vattr_null(vap);
	vap->va_type = type;
	vap->va_mode = mode & ~cwd_getumask() & ALLPERMS;
	vap->va_uid = kauth_cred_geteuid(cred());
	vap->va_gid = dva.va_gid;
	return 0;
}

static void
vattr_to_stat(const struct vattr *va, struct rump_stat *sb)
{

	memset(sb, 0, sizeof(*sb));
	sb->st_dev = va->va_fsid;
	sb->st_ino = va->va_fileid;
	sb->st_mode = (va->va_mode & ALLPERMS) | vtype_to_ifmt(va->va_type);
	sb->st_nlink = va->va_nlink;
	sb->st_uid = va->va_uid;
	sb->st_gid = va->va_gid;
	sb->st_rdev = va->va_rdev;
	sb->st_atim.tv_sec = va->va_atime.tv_sec;
	sb->st_atim.tv_nsec = va->va_atime.tv_nsec;
	sb->st_mtim.tv_sec = va->va_mtime.tv_sec;
	sb->st_mtim.tv_nsec = va->va_mtime.tv_nsec;
	sb->st_ctim.tv_sec = va->va_ctime.tv_sec;
	sb->st_ctim.tv_nsec = va->va_ctime.tv_nsec;
	sb->st_birthtim.tv_sec = va->va_birthtime.tv_sec;
	sb->st_birthtim.tv_nsec = va->va_birthtime.tv_nsec;
	sb->st_size = va->va_size;
	sb->st_blocks = (int64_t)(va->va_bytes / DEV_BSIZE);
	sb->st_blksize = (int32_t)va->va_blocksize;
	sb->st_flags = (uint32_t)va->va_flags;
	sb->st_gen = (uint32_t)va->va_gen;
}

/* Copy vp's (referenced, unlocked) attributes out as struct stat. */
static int
vn_stat(struct vnode *vp, struct rump_stat *usb)
{
	struct rump_stat sb;
	struct vattr va;
	int error;

	vn_lock(vp, LK_SHARED);
	error = VOP_GETATTR(vp, &va);
	VOP_UNLOCK(vp);
	if (error != 0)
		return error;
	vattr_to_stat(&va, &sb);
	return copyout(&sb, usb, sizeof(sb));
}

/*
 * open(2) and openat(2).  With O_CREAT a missing file is made (mode less
 * the umask); a symbolic link last is followed unless O_NOFOLLOW (EFTYPE)
 * or O_EXCL.  O_TRUNC empties a regular file opened for writing.
 */
static int
do_open(int dirfd, const char *path, int flags, mode_t mode, int *fdp)
{
	struct nameidata nd;
	struct vnode *vp = NULL, *dvp;
	struct vattr va;
	struct file *fp;
	int error, fflags, mask, tries = 0;
	bool created = false;

	if ((flags & ~O_MASK) != 0 || (flags & O_ACCMODE) == O_ACCMODE)
		return EINVAL;
	fflags = FFLAGS(flags);
again:
	if (flags & O_CREAT) {
		error = lookup_at(dirfd, path, NI_PARENT |
		    ((flags & (O_EXCL | O_NOFOLLOW)) ? 0 : NI_FOLLOW), &nd);
		if (error != 0)
			goto out_nd;
		if (nd.ni_vp == NULL) {
			if (nd.ni_trailslash) {
				error = EISDIR;
				goto out_nd;
			}
			dvp = nd.ni_dvp;
			vn_lock(dvp, LK_EXCLUSIVE);
			if (vn_rdonly(dvp))
				error = EROFS;
			else
				error = vn_access(dvp, VWRITE, cred());
			if (error == 0)
				error = newfile_attr(dvp, VREG, mode, &va);
			if (error == 0)
				error = VOP_LOOKUP(dvp, &nd.ni_cn, &vp);
			if (error == ENOENT) {
				error = VOP_CREATE(dvp, &nd.ni_cn, &va, &vp);
				created = error == 0;
			} else if (error == 0) {
				/* Made meanwhile: open what is there now. */
				VOP_UNLOCK(dvp);
				namei_done(&nd);
				vrele(vp);
				vp = NULL;
				if ((flags & O_EXCL) || ++tries > 8)
					return EEXIST;
				goto again;
			}
			VOP_UNLOCK(dvp);
			if (error != 0)
				goto out_nd;
		} else {
			if (flags & O_EXCL) {
				error = EEXIST;
				goto out_nd;
			}
			vp = nd.ni_vp;
			nd.ni_vp = NULL;
		}
		namei_done(&nd);
	} else {
		error = lookup_vnode(dirfd, path, (flags & O_NOFOLLOW) == 0,
		    &vp);
		if (error != 0)
			return error;
	}

	if (vp->v_type == VLNK) {
		error = EFTYPE;
		goto bad;
	}
	if ((flags & O_DIRECTORY) && vp->v_type != VDIR) {
		error = ENOTDIR;
		goto bad;
	}
	if ((flags & O_REGULAR) && vp->v_type != VREG) {
		error = EFTYPE;
		goto bad;
	}
	if (vp->v_type == VDIR && (fflags & FWRITE)) {
		error = EISDIR;
		goto bad;
	}
	if (!created) {
		mask = 0;
		if (fflags & FREAD)
			mask |= VREAD;
		if (fflags & (FWRITE | O_TRUNC))
			mask |= VWRITE;
		if ((mask & VWRITE) && vn_rdonly(vp)) {
			error = EROFS;
			goto bad;
		}
		if (mask != 0) {
			vn_lock(vp, LK_SHARED);
			error = vn_access(vp, mask, cred());
			VOP_UNLOCK(vp);
			if (error != 0)
				goto bad;
		}
		if ((flags & O_TRUNC) && (fflags & FWRITE) &&
		    vp->v_type == VREG) {
			vattr_null(&va);
			va.va_size = 0;
			vn_lock(vp, LK_EXCLUSIVE);
			error = VOP_SETATTR(vp, &va);
			VOP_UNLOCK(vp);
			if (error != 0)
				goto bad;
		}
	}
	error = file_alloc(vp, fflags & (FREAD | FWRITE | FCNTLFLAGS), &fp);
	if (error != 0)
		goto bad;
	error = fd_alloc(fp, 0, (flags & O_CLOEXEC) ? FD_CLOEXEC : 0, fdp);
	fd_putfile(fp);		/* the slot holds it, or it goes */
	return error;
bad:
	vrele(vp);
	return error;
out_nd:
	namei_done(&nd);
	return error;
}

int
rump___sysimpl_open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int error, fd = -1;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	rump_schedule();
	error = do_open(AT_FDCWD, path, flags, mode, &fd);
	return (int)sys_return(error, fd);
}

int
rump___sysimpl_openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int error, fd = -1;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	rump_schedule();
	error = do_open(dirfd, path, flags, mode, &fd);
	return (int)sys_return(error, fd);
}

int
rump___sysimpl_close(int fd)
{
	int error;

	rump_schedule();
	error = fd_close(fd);
	return (int)sys_return(error, 0);
}

/*
 * read/write and their positional and vectored forms: the caller's kiov
 * (already in the kernel) at offset (-1: the file's offset, advanced).
 */
static int
do_rw(int fd, struct iovec *kiov, int iovcnt, off_t offset, enum uio_rw rw,
    ssize_t *donep)
{
	struct file *fp;
	struct vnode *vp;
	struct uio uio;
	size_t total = 0, cnt;
	int error, i, ioflag = 0;

	for (i = 0; i < iovcnt; i++) {
		if (kiov[i].iov_len > (size_t)SSIZE_MAX - total)
			return EINVAL;
		total += kiov[i].iov_len;
	}
	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	if ((fp->f_flag & (rw == UIO_READ ? FREAD : FWRITE)) == 0) {
		error = EBADF;
		goto out;
	}
	vp = fp->f_vp;
	if (offset != -1 && offset < 0) {
		error = EINVAL;
		goto out;
	}
	/* Every file system's answer, so none of them repeats it. */
	if (vp->v_type == VDIR) {
		error = EISDIR;
		goto out;
	}
	if (rw == UIO_WRITE && vn_rdonly(vp)) {
		error = EROFS;
		goto out;
	}
	if (rw == UIO_WRITE && (fp->f_flag & O_APPEND) && offset == -1)
		ioflag |= IO_APPEND;
	if (fp->f_flag & (O_SYNC | O_DSYNC))
		ioflag |= IO_SYNC;
	uio.uio_iov = kiov;
	uio.uio_iovcnt = iovcnt;
	uio.uio_resid = total;
	uio.uio_rw = rw;
	vn_lock(vp, LK_EXCLUSIVE);
	if (offset == -1) {
		mutex_enter(&fp->f_lock);
		uio.uio_offset = fp->f_offset;
		mutex_exit(&fp->f_lock);
	} else
		uio.uio_offset = offset;
	if (total == 0)
		error = 0;
	else if (rw == UIO_READ)
		error = VOP_READ(vp, &uio, ioflag);
	else
		error = VOP_WRITE(vp, &uio, ioflag);
	if (offset == -1) {
		mutex_enter(&fp->f_lock);
		fp->f_offset = uio.uio_offset;
		mutex_exit(&fp->f_lock);
	}
	VOP_UNLOCK(vp);
	cnt = total - uio.uio_resid;
	if (error == EINTR && cnt != 0)
		error = 0;
	*donep = (ssize_t)cnt;
out:
	fd_putfile(fp);
	return error;
}

static ssize_t
sys_rw1(int fd, void *buf, size_t len, off_t offset, enum uio_rw rw)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	ssize_t done = 0;
	int error;

	rump_schedule();
	if (len > (size_t)SSIZE_MAX)
		error = EINVAL;
	else
		error = do_rw(fd, &iov, 1, offset, rw, &done);
	return sys_return(error, done);
}

static ssize_t
sys_rwv(int fd, const struct iovec *uiov, int iovcnt, enum uio_rw rw)
{
	struct iovec *kiov = NULL;
	ssize_t done = 0;
	int error;

	rump_schedule();
	if (iovcnt <= 0 || iovcnt > IOV_MAX) {
		error = EINVAL;
		goto out;
	}
	kiov = kmem_alloc(iovcnt * sizeof(*kiov), KM_SLEEP);
	if (kiov == NULL) {
		error = ENOMEM;
		goto out;
	}
	error = copyin(uiov, kiov, iovcnt * sizeof(*kiov));
	if (error == 0)
		error = do_rw(fd, kiov, iovcnt, -1, rw, &done);
	kmem_free(kiov, iovcnt * sizeof(*kiov));
out:
	return sys_return(error, done);
}

ssize_t
rump___sysimpl_read(int fd, void *buf, size_t len)
{

	return sys_rw1(fd, buf, len, -1, UIO_READ);
}

ssize_t
rump___sysimpl_write(int fd, const void *buf, size_t len)
{

	return sys_rw1(fd, __UNCONST(buf), len, -1, UIO_WRITE);
}

ssize_t
rump___sysimpl_pread(int fd, void *buf, size_t len, off_t offset)
{

	if (offset == -1)	/* -1 means "the file's offset" inside */
		offset = -2;
	return sys_rw1(fd, buf, len, offset, UIO_READ);
}

ssize_t
rump___sysimpl_pwrite(int fd, const void *buf, size_t len, off_t offset)
{

	if (offset == -1)
		offset = -2;
	return sys_rw1(fd, __UNCONST(buf), len, offset, UIO_WRITE);
}

ssize_t
rump___sysimpl_readv(int fd, const struct iovec *iov, int iovcnt)
{

	return sys_rwv(fd, iov, iovcnt, UIO_READ);
}

ssize_t
rump___sysimpl_writev(int fd, const struct iovec *iov, int iovcnt)
{

	return sys_rwv(fd, iov, iovcnt, UIO_WRITE);
}

/* lseek(2): EINVAL for a bad whence or a resulting offset below 0. */
static int
do_lseek(int fd, off_t offset, int whence, off_t *newp)
{
	struct file *fp;
	struct vattr va;
	off_t base;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		mutex_enter(&fp->f_lock);
		base = fp->f_offset;
		mutex_exit(&fp->f_lock);
		break;
	case SEEK_END:
		vn_lock(fp->f_vp, LK_SHARED);
		error = VOP_GETATTR(fp->f_vp, &va);
		VOP_UNLOCK(fp->f_vp);
		base = va.va_size;
		break;
	default:
		error = EINVAL;
		break;
	}
	if (error == 0 && ((offset > 0 && base > INT64_MAX - offset) ||
	    base + offset < 0))
		error = EINVAL;
	if (error == 0) {
		mutex_enter(&fp->f_lock);
		fp->f_offset = *newp = base + offset;
		mutex_exit(&fp->f_lock);
	}
	fd_putfile(fp);
	return error;
}

off_t
rump___sysimpl_lseek(int fd, off_t offset, int whence)
{
	off_t newoff = 0;
	int error;

	rump_schedule();
	error = do_lseek(fd, offset, whence, &newoff);
	return sys_return(error, newoff);
}

/* fsync(2), fdatasync(2) (FSYNC_DATAONLY: the file must be writable). */
static int
do_fsync(int fd, int flags)
{
	struct file *fp;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	if ((flags & FSYNC_DATAONLY) && (fp->f_flag & FWRITE) == 0)
		error = EBADF;
	else {
		vn_lock(fp->f_vp, LK_EXCLUSIVE);
		error = VOP_FSYNC(fp->f_vp, flags);
		VOP_UNLOCK(fp->f_vp);
	}
	fd_putfile(fp);
	return error;
}

int
rump___sysimpl_fsync(int fd)
{
	int error;

	rump_schedule();
	error = do_fsync(fd, FSYNC_WAIT);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fdatasync(int fd)
{
	int error;

	rump_schedule();
	error = do_fsync(fd, FSYNC_WAIT | FSYNC_DATAONLY);
	return (int)sys_return(error, 0);
}

/* Set vp's (referenced, unlocked) size; write permission checked by caller. */
static int
vn_truncate(struct vnode *vp, off_t length)
{
	struct vattr va;
	int error;

	if (length < 0)
		return EINVAL;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vn_rdonly(vp))
		return EROFS;
	vattr_null(&va);
	va.va_size = length;
	vn_lock(vp, LK_EXCLUSIVE);
	error = VOP_SETATTR(vp, &va);
	VOP_UNLOCK(vp);
	return error;
}

/* ftruncate(2): a regular file open for writing (else EINVAL). */
static int
do_ftruncate(int fd, off_t length)
{
	struct file *fp;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	if ((fp->f_flag & FWRITE) == 0 || fp->f_vp->v_type != VREG)
		error = EINVAL;
	else
		error = vn_truncate(fp->f_vp, length);
	fd_putfile(fp);
	return error;
}

int
rump___sysimpl_ftruncate(int fd, off_t length)
{
	int error;

	rump_schedule();
	error = do_ftruncate(fd, length);
	return (int)sys_return(error, 0);
}

/* truncate(2): needs write permission on the file. */
static int
do_truncate(const char *path, off_t length)
{
	struct vnode *vp;
	int error;

	error = lookup_vnode(AT_FDCWD, path, true, &vp);
	if (error != 0)
		return error;
	if (vp->v_type == VDIR)
		error = EISDIR;
	else if (length < 0)
		error = EINVAL;
	else {
		vn_lock(vp, LK_SHARED);
		error = vn_access(vp, VWRITE, cred());
		VOP_UNLOCK(vp);
		if (error == 0)
			error = vn_truncate(vp, length);
	}
	vrele(vp);
	return error;
}

int
rump___sysimpl_truncate(const char *path, off_t length)
{
	int error;

	rump_schedule();
	error = do_truncate(path, length);
	return (int)sys_return(error, 0);
}

/* stat(2), lstat(2), fstatat(2). */
static int
do_statat(int dirfd, const char *path, struct rump_stat *sb, int flags)
{
	struct vnode *vp;
	int error;

	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return EINVAL;
	error = lookup_vnode(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
	    &vp);
	if (error != 0)
		return error;
	error = vn_stat(vp, sb);
	vrele(vp);
	return error;
}

int
rump___sysimpl_stat50(const char *path, struct rump_stat *sb)
{
	int error;

	rump_schedule();
	error = do_statat(AT_FDCWD, path, sb, 0);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_lstat50(const char *path, struct rump_stat *sb)
{
	int error;

	rump_schedule();
	error = do_statat(AT_FDCWD, path, sb, AT_SYMLINK_NOFOLLOW);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fstatat(int dirfd, const char *path, struct rump_stat *sb,
    int flags)
{
	int error;

	rump_schedule();
	error = do_statat(dirfd, path, sb, flags);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fstat50(int fd, struct rump_stat *sb)
{
	struct file *fp;
	int error;

	rump_schedule();
	error = fd_getfile(fd, &fp);
	if (error == 0) {
		error = vn_stat(fp->f_vp, sb);
		fd_putfile(fp);
	}
	return (int)sys_return(error, 0);
}

/* mkdir, symlink (target != NULL). */
static int
do_mknode(int dirfd, const char *path, enum vtype type, mode_t mode,
    const char *target)
{
	struct nameidata nd;
	struct vnode *vp, *nvp;
	struct vattr va;
	int error;

	error = dirop_begin(dirfd, path, 0, EEXIST, &nd, &vp);
	if (error != 0)
		goto out;
	if (vp != NULL)
		error = EEXIST;
	else if (nd.ni_trailslash && type != VDIR)
		error = ENOENT;
	else
		error = newfile_attr(nd.ni_dvp, type, mode, &va);
	if (error == 0) {
		if (type == VLNK)
			error = VOP_SYMLINK(nd.ni_dvp, &nd.ni_cn, &va, target,
			    &nvp);
		else
			error = VOP_CREATE(nd.ni_dvp, &nd.ni_cn, &va, &nvp);
		if (error == 0)
			vrele(nvp);
	}
	VOP_UNLOCK(nd.ni_dvp);
out:
	if (vp != NULL)
		vrele(vp);
	namei_done(&nd);
	return error;
}

int
rump___sysimpl_mkdir(const char *path, mode_t mode)
{
	int error;

	rump_schedule();
	error = do_mknode(AT_FDCWD, path, VDIR, mode & (ACCESSPERMS | S_ISVTX),
	    NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_mkdirat(int dirfd, const char *path, mode_t mode)
{
	int error;

	rump_schedule();
	error = do_mknode(dirfd, path, VDIR, mode & (ACCESSPERMS | S_ISVTX),
	    NULL);
	return (int)sys_return(error, 0);
}

static int
do_symlinkat(const char *utarget, int dirfd, const char *path)
{
	char *target;
	int error;

	target = kmem_alloc(MAXPATHLEN, KM_SLEEP);
	if (target == NULL)
		return ENOMEM;
	error = copyinstr(utarget, target, MAXPATHLEN, NULL);
	if (error == 0)
		error = do_mknode(dirfd, path, VLNK, ACCESSPERMS, target);
	kmem_free(target, MAXPATHLEN);
	return error;
}

int
rump___sysimpl_symlink(const char *target, const char *path)
{
	int error;

	rump_schedule();
	error = do_symlinkat(target, AT_FDCWD, path);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_symlinkat(const char *target, int dirfd, const char *path)
{
	int error;

	rump_schedule();
	error = do_symlinkat(target, dirfd, path);
	return (int)sys_return(error, 0);
}

/*
 * unlink (dir false) and rmdir (dir true).  A directory cannot be
 * unlinked (EPERM); rmdir of "." is EINVAL, of ".." ENOTEMPTY, of a mount
 * point or "/" EBUSY.  In a sticky directory only the owners may remove.
 */
static int
do_remove(int dirfd, const char *path, bool dir)
{
	struct nameidata nd;
	struct vnode *dvp, *vp;
	struct vattr dva, va;
	int error;

	error = dirop_begin(dirfd, path, 0, dir ? EBUSY : EPERM, &nd, &vp);
	if (error != 0)
		goto out;
	dvp = nd.ni_dvp;
	if (vp == NULL) {
		error = ENOENT;
		goto unlock;
	}
	if (namei_isdot(&nd.ni_cn)) {
		error = !dir ? EPERM : nd.ni_cn.cn_namelen == 1 ? EINVAL :
		    ENOTEMPTY;
		goto unlock;
	}
	if (dir && vp->v_type != VDIR) {
		error = ENOTDIR;
		goto unlock;
	}
	if (!dir && vp->v_type == VDIR) {
		error = EPERM;
		goto unlock;
	}
	if (!dir && nd.ni_trailslash) {
		error = ENOTDIR;
		goto unlock;
	}
	if (vp->v_mountedhere != NULL || (vp->v_vflag & VV_ROOT)) {
		error = EBUSY;
		goto unlock;
	}
	vn_lock(vp, LK_EXCLUSIVE);
	error = VOP_GETATTR(dvp, &dva);
	if (error == 0)
		error = VOP_GETATTR(vp, &va);
	if (error == 0)
		error = vfs_sticky_ok(&dva, &va, cred());
	if (error == 0)
		error = dir ? VOP_RMDIR(dvp, vp, &nd.ni_cn) :
		    VOP_REMOVE(dvp, vp, &nd.ni_cn);
	VOP_UNLOCK(vp);
unlock:
	VOP_UNLOCK(dvp);
out:
	if (vp != NULL)
		vrele(vp);
	namei_done(&nd);
	return error;
}

int
rump___sysimpl_unlink(const char *path)
{
	int error;

	rump_schedule();
	error = do_remove(AT_FDCWD, path, false);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_rmdir(const char *path)
{
	int error;

	rump_schedule();
	error = do_remove(AT_FDCWD, path, true);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_unlinkat(int dirfd, const char *path, int flags)
{
	int error;

	rump_schedule();
	if (flags & ~AT_REMOVEDIR)
		error = EINVAL;
	else
		error = do_remove(dirfd, path, (flags & AT_REMOVEDIR) != 0);
	return (int)sys_return(error, 0);
}

/* link(2): a new name (path2) for the non-directory path1. */
static int
do_link(int fd1, const char *path1, int fd2, const char *path2, int flags)
{
	struct nameidata nd;
	struct vnode *vp, *tvp = NULL;
	int error;

	if (flags & ~AT_SYMLINK_FOLLOW)
		return EINVAL;
	error = lookup_vnode(fd1, path1, (flags & AT_SYMLINK_FOLLOW) != 0,
	    &vp);
	if (error != 0)
		return error;
	if (vp->v_type == VDIR) {
		error = EPERM;
		goto out;
	}
	error = dirop_begin(fd2, path2, 0, EEXIST, &nd, &tvp);
	if (error != 0)
		goto out_nd;
	if (tvp != NULL)
		error = EEXIST;
	else if (nd.ni_trailslash)
		error = ENOENT;
	else if (nd.ni_dvp->v_mount != vp->v_mount)
		error = EXDEV;
	else {
		vn_lock(vp, LK_EXCLUSIVE);
		error = VOP_LINK(nd.ni_dvp, vp, &nd.ni_cn);
		VOP_UNLOCK(vp);
	}
	VOP_UNLOCK(nd.ni_dvp);
out_nd:
	if (tvp != NULL)
		vrele(tvp);
	namei_done(&nd);
out:
	vrele(vp);
	return error;
}

int
rump___sysimpl_link(const char *path1, const char *path2)
{
	int error;

	rump_schedule();
	error = do_link(AT_FDCWD, path1, AT_FDCWD, path2, AT_SYMLINK_FOLLOW);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_linkat(int fd1, const char *path1, int fd2, const char *path2,
    int flags)
{
	int error;

	rump_schedule();
	error = do_link(fd1, path1, fd2, path2, flags);
	return (int)sys_return(error, 0);
}

/*
 * Lock the directories of a rename, ancestor first (unrelated ones in
 * address order), so that no lwp locking parent before child waits on us.
 * Two directories: the rename lock of the mount is held, so directories
 * cannot move.  Fails with EINVAL if fvp (a directory) is tdvp or one of
 * its ancestors.
 */
static int
rename_lockdirs(struct vnode *fdvp, struct vnode *fvp, struct vnode *tdvp,
    kauth_cred_t cr)
{
	struct vnode *v, *p, *first, *second;
	bool fd_above = false, td_above = false;
	int error = 0;

	if (fdvp == tdvp) {
		vn_lock(fdvp, LK_EXCLUSIVE);
		return 0;
	}
	/* Up from tdvp: meets fvp (EINVAL) or fdvp (fdvp is above). */
	vref(tdvp);
	for (v = tdvp; error == 0; v = p) {
		if (v == fvp)
			error = EINVAL;
		else if (v == fdvp)
			fd_above = true;
		if (error != 0 || fd_above || (v->v_vflag & VV_ROOT))
			break;
		error = vfs_parentdir(v, cr, &p);
		vrele(v);
		if (error != 0)
			return error;
	}
	vrele(v);
	if (error != 0)
		return error;
	if (!fd_above) {
		vref(fdvp);
		for (v = fdvp;; v = p) {
			if (v == tdvp) {
				td_above = true;
				break;
			}
			if (v->v_vflag & VV_ROOT)
				break;
			error = vfs_parentdir(v, cr, &p);
			vrele(v);
			if (error != 0)
				return error;
		}
		vrele(v);
	}
	if (fd_above || (!td_above && (uintptr_t)fdvp < (uintptr_t)tdvp)) {
		first = fdvp;
		second = tdvp;
	} else {
		first = tdvp;
		second = fdvp;
	}
	vn_lock(first, LK_EXCLUSIVE);
	vn_lock(second, LK_EXCLUSIVE);
	return 0;
}

/*
 * rename(2): the classic cases — across mounts EXDEV; "." or ".." EINVAL;
 * a directory into its own subtree EINVAL; onto a non-empty directory
 * ENOTEMPTY; directory onto non-directory ENOTDIR and the reverse EISDIR;
 * onto another link of the same file: nothing happens.
 */
static int
do_rename(int fromfd, const char *from, int tofd, const char *to)
{
	struct nameidata fnd, tnd;
	struct vnode *fdvp, *tdvp, *fvp = NULL, *tvp = NULL, *fvp2;
	struct vattr fdva, tdva, fva, tva;
	struct mount *mp = NULL;
	kauth_cred_t cr = cred();
	int error;

	namei_init(&tnd, to, 0, NULL, cr);
	error = lookup_at(fromfd, from, NI_PARENT, &fnd);
	if (error != 0)
		goto out;
	error = lookup_at(tofd, to, NI_PARENT, &tnd);
	if (error != 0)
		goto out;
	fdvp = fnd.ni_dvp;
	tdvp = tnd.ni_dvp;
	if (fdvp == NULL || tdvp == NULL) {
		error = EBUSY;
		goto out;
	}
	if (namei_isdot(&fnd.ni_cn) || namei_isdot(&tnd.ni_cn)) {
		error = EINVAL;
		goto out;
	}
	if (fnd.ni_vp == NULL) {
		error = ENOENT;
		goto out;
	}
	mp = fdvp->v_mount;
	if (mp == NULL || tdvp->v_mount != mp) {
		error = mp == NULL ? EBADF : EXDEV;
		mp = NULL;
		goto out;
	}
	if (mp->mnt_flag & MNT_RDONLY) {
		error = EROFS;
		mp = NULL;
		goto out;
	}
	/* Only a move between directories can change their ancestry. */
	if (fdvp != tdvp)
		mutex_enter(&mp->mnt_renamelock);
	else
		mp = NULL;
	vn_lock(fdvp, LK_SHARED);
	error = VOP_LOOKUP(fdvp, &fnd.ni_cn, &fvp);
	VOP_UNLOCK(fdvp);
	if (error != 0) {
		fvp = NULL;
		goto out;
	}
	error = rename_lockdirs(fdvp, fvp, tdvp, cr);
	if (error != 0)
		goto out;

	/* With the directories locked, the names are stable. */
	error = VOP_LOOKUP(fdvp, &fnd.ni_cn, &fvp2);
	if (error == 0) {
		vrele(fvp2);
		if (fvp2 != fvp)
			error = ENOENT;
	}
	if (error == 0) {
		error = VOP_LOOKUP(tdvp, &tnd.ni_cn, &tvp);
		if (error == ENOENT) {
			tvp = NULL;
			error = 0;
		}
	}
	if (error == 0)
		error = VOP_GETATTR(fdvp, &fdva);
	if (error == 0)
		error = VOP_GETATTR(tdvp, &tdva);
	if (error == 0)
		error = vfs_access(&fdva, VWRITE | VEXEC, cr);
	if (error == 0)
		error = vfs_access(&tdva, VWRITE | VEXEC, cr);
	if (error != 0 || fvp == tvp)
		goto unlock;
	if ((fnd.ni_trailslash || tnd.ni_trailslash) && fvp->v_type != VDIR) {
		error = ENOTDIR;
		goto unlock;
	}
	if (tvp != NULL) {
		if (fvp->v_type == VDIR && tvp->v_type != VDIR)
			error = ENOTDIR;
		else if (fvp->v_type != VDIR && tvp->v_type == VDIR)
			error = EISDIR;
		else if (tvp == fdvp)
			error = ENOTEMPTY;	/* it holds fvp */
		else if (tvp->v_mountedhere != NULL)
			error = EBUSY;
		if (error != 0)
			goto unlock;
	}
	if (fvp->v_mountedhere != NULL || fvp == tdvp) {
		error = fvp == tdvp ? EINVAL : EBUSY;
		goto unlock;
	}
	/* Children, in address order. */
	if (tvp != NULL && (uintptr_t)tvp < (uintptr_t)fvp)
		vn_lock(tvp, LK_EXCLUSIVE);
	vn_lock(fvp, LK_EXCLUSIVE);
	if (tvp != NULL && (uintptr_t)tvp > (uintptr_t)fvp)
		vn_lock(tvp, LK_EXCLUSIVE);
	error = VOP_GETATTR(fvp, &fva);
	if (error == 0)
		error = vfs_sticky_ok(&fdva, &fva, cr);
	if (error == 0 && tvp != NULL) {
		error = VOP_GETATTR(tvp, &tva);
		if (error == 0)
			error = vfs_sticky_ok(&tdva, &tva, cr);
	}
	/* A directory changing parent has its ".." rewritten. */
	if (error == 0 && fvp->v_type == VDIR && fdvp != tdvp)
		error = vfs_access(&fva, VWRITE, cr);
	if (error == 0)
		error = VOP_RENAME(fdvp, fvp, &fnd.ni_cn, tdvp, tvp, &tnd.ni_cn);
	VOP_UNLOCK(fvp);
	if (tvp != NULL)
		VOP_UNLOCK(tvp);
unlock:
	VOP_UNLOCK(fdvp);
	if (tdvp != fdvp)
		VOP_UNLOCK(tdvp);
out:
	if (mp != NULL)
		mutex_exit(&mp->mnt_renamelock);
	if (fvp != NULL)
		vrele(fvp);
	if (tvp != NULL)
		vrele(tvp);
	namei_done(&fnd);
	namei_done(&tnd);
	return error;
}

int
rump___sysimpl_rename(const char *from, const char *to)
{
	int error;

	rump_schedule();
	error = do_rename(AT_FDCWD, from, AT_FDCWD, to);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_renameat(int fromfd, const char *from, int tofd,
    const char *to)
{
	int error;

	rump_schedule();
	error = do_rename(fromfd, from, tofd, to);
	return (int)sys_return(error, 0);
}

static int
do_readlinkat(int dirfd, const char *path, char *buf, size_t len,
    ssize_t *donep)
{
	struct vnode *vp;
	struct iovec iov;
	struct uio uio;
	int error;

	if (len > (size_t)SSIZE_MAX)
		return EINVAL;
	error = lookup_vnode(dirfd, path, false, &vp);
	if (error != 0)
		return error;
	if (vp->v_type != VLNK) {
		error = EINVAL;
		goto out;
	}
	uio_init1(&uio, &iov, buf, len, 0, UIO_READ);
	vn_lock(vp, LK_SHARED);
	error = VOP_READLINK(vp, &uio);
	VOP_UNLOCK(vp);
	*donep = (ssize_t)(len - uio.uio_resid);
out:
	vrele(vp);
	return error;
}

ssize_t
rump___sysimpl_readlink(const char *path, char *buf, size_t len)
{
	ssize_t done = 0;
	int error;

	rump_schedule();
	error = do_readlinkat(AT_FDCWD, path, buf, len, &done);
	return sys_return(error, done);
}

ssize_t
rump___sysimpl_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	ssize_t done = 0;
	int error;

	rump_schedule();
	error = do_readlinkat(dirfd, path, buf, len, &done);
	return sys_return(error, done);
}

/* getdents(2): whole struct dirent records from the descriptor's offset. */
static int
do_getdents(int fd, char *buf, size_t count, int *donep)
{
	struct file *fp;
	struct vnode *vp;
	struct iovec iov;
	struct uio uio;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	vp = fp->f_vp;
	if ((fp->f_flag & FREAD) == 0)
		error = EBADF;
	else if (vp->v_type != VDIR)
		error = ENOTDIR;
	if (error != 0)
		goto out;
	count = MIN(count, (size_t)INT32_MAX);
	/* Exclusive: the descriptor's offset is read and advanced. */
	vn_lock(vp, LK_EXCLUSIVE);
	mutex_enter(&fp->f_lock);
	uio_init1(&uio, &iov, buf, count, fp->f_offset, UIO_READ);
	mutex_exit(&fp->f_lock);
	error = VOP_READDIR(vp, &uio);
	if (error == 0) {
		mutex_enter(&fp->f_lock);
		fp->f_offset = uio.uio_offset;
		mutex_exit(&fp->f_lock);
		*donep = (int)(count - uio.uio_resid);
	}
	VOP_UNLOCK(vp);
out:
	fd_putfile(fp);
	return error;
}

int
rump___sysimpl_getdents30(int fd, char *buf, size_t count)
{
	int error, done = 0;

	rump_schedule();
	error = do_getdents(fd, buf, count, &done);
	return (int)sys_return(error, done);
}

/*
 * chmod: the owner or root (EPERM).  Others cannot set the sticky bit on
 * a non-directory (EFTYPE) nor set-group-ID for a group they are not in
 * (EPERM).
 */
static int
vn_chmod(struct vnode *vp, mode_t mode)
{
	kauth_cred_t cr = cred();
	struct vattr va;
	int error, member = 0;

	vn_lock(vp, LK_EXCLUSIVE);
	error = VOP_GETATTR(vp, &va);
	if (error == 0)
		error = vfs_access(&va, VADMIN, cr);
	if (error == 0 && vn_rdonly(vp))
		error = EROFS;
	if (error == 0 && !vfs_cred_isroot(cr)) {
		if (vp->v_type != VDIR && (mode & S_ISVTX))
			error = EFTYPE;
		if (error == 0 && (mode & S_ISGID) &&
		    kauth_cred_getegid(cr) != va.va_gid) {
			(void)kauth_cred_ismember_gid(cr, va.va_gid, &member);
			if (!member)
				error = EPERM;
		}
	}
	if (error == 0) {
		vattr_null(&va);
		va.va_mode = mode & ALLPERMS;
		error = VOP_SETATTR(vp, &va);
	}
	VOP_UNLOCK(vp);
	return error;
}

/*
 * chown: root may give anything; the owner may only change the group, to
 * one it is in (EPERM otherwise).  A change by a non-root caller clears
 * set-user-ID and set-group-ID.  (uid_t)-1 / (gid_t)-1: unchanged.
 */
static int
vn_chown(struct vnode *vp, uid_t uid, gid_t gid)
{
	kauth_cred_t cr = cred();
	struct vattr va, nva;
	int error, member = 0;

	vn_lock(vp, LK_EXCLUSIVE);
	error = VOP_GETATTR(vp, &va);
	if (error == 0 && vn_rdonly(vp))
		error = EROFS;
	if (error != 0)
		goto out;
	if (uid == (uid_t)-1)
		uid = va.va_uid;
	if (gid == (gid_t)-1)
		gid = va.va_gid;
	if (!vfs_cred_isroot(cr)) {
		if (kauth_cred_geteuid(cr) != va.va_uid || uid != va.va_uid) {
			error = EPERM;
			goto out;
		}
		if (gid != va.va_gid && gid != kauth_cred_getegid(cr)) {
			(void)kauth_cred_ismember_gid(cr, gid, &member);
			if (!member) {
				error = EPERM;
				goto out;
			}
		}
	}
	vattr_null(&nva);
	nva.va_uid = uid;
	nva.va_gid = gid;
	if (!vfs_cred_isroot(cr) && (uid != va.va_uid || gid != va.va_gid))
		nva.va_mode = va.va_mode & ~(S_ISUID | S_ISGID);
	error = VOP_SETATTR(vp, &nva);
out:
	VOP_UNLOCK(vp);
	return error;
}

/*
 * Set access and modification times; ts NULL: now for both, which the
 * owner or a writer may do (EACCES); explicit times need the owner or
 * root (EPERM).  tv_nsec UTIME_NOW / UTIME_OMIT as utimensat(2).
 */
static int
vn_utimens(struct vnode *vp, const struct timespec *ts)
{
	kauth_cred_t cr = cred();
	struct timespec now;
	struct vattr va;
	bool explicit = false;
	int error, i;

	getnanotime(&now);
	vattr_null(&va);
	if (ts == NULL) {
		va.va_atime = va.va_mtime = now;
	} else {
		for (i = 0; i < 2; i++) {
			if (ts[i].tv_nsec != UTIME_NOW &&
			    ts[i].tv_nsec != UTIME_OMIT &&
			    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L))
				return EINVAL;
			if (ts[i].tv_nsec != UTIME_NOW &&
			    ts[i].tv_nsec != UTIME_OMIT)
				explicit = true;
		}
		if (ts[0].tv_nsec != UTIME_OMIT)
			va.va_atime = ts[0].tv_nsec == UTIME_NOW ? now : ts[0];
		if (ts[1].tv_nsec != UTIME_OMIT)
			va.va_mtime = ts[1].tv_nsec == UTIME_NOW ? now : ts[1];
	}
	vn_lock(vp, LK_EXCLUSIVE);
	{
		struct vattr cur;

		error = VOP_GETATTR(vp, &cur);
		if (error == 0 && vn_rdonly(vp))
			error = EROFS;
		if (error == 0 && vfs_access(&cur, VADMIN, cr) != 0)
			error = explicit ? EPERM : vfs_access(&cur, VWRITE, cr);
	}
	if (error == 0)
		error = VOP_SETATTR(vp, &va);
	VOP_UNLOCK(vp);
	return error;
}

/* chmod/chown/utimes on a path (follow: the last symlink too). */
enum attrop { ATTR_MODE, ATTR_OWNER, ATTR_TIMES };

static int
do_pathattr(int dirfd, const char *path, bool follow, enum attrop op,
    mode_t mode, uid_t uid, gid_t gid, const struct timespec *ts)
{
	struct vnode *vp;
	int error;

	error = lookup_vnode(dirfd, path, follow, &vp);
	if (error != 0)
		return error;
	switch (op) {
	case ATTR_MODE:
		error = vn_chmod(vp, mode);
		break;
	case ATTR_OWNER:
		error = vn_chown(vp, uid, gid);
		break;
	case ATTR_TIMES:
		error = vn_utimens(vp, ts);
		break;
	}
	vrele(vp);
	return error;
}

static int
do_fdattr(int fd, enum attrop op, mode_t mode, uid_t uid, gid_t gid,
    const struct timespec *ts)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	vp = fp->f_vp;
	vref(vp);
	fd_putfile(fp);
	switch (op) {
	case ATTR_MODE:
		error = vn_chmod(vp, mode);
		break;
	case ATTR_OWNER:
		error = vn_chown(vp, uid, gid);
		break;
	case ATTR_TIMES:
		error = vn_utimens(vp, ts);
		break;
	}
	vrele(vp);
	return error;
}

int
rump___sysimpl_chmod(const char *path, mode_t mode)
{
	int error;

	rump_schedule();
	error = do_pathattr(AT_FDCWD, path, true, ATTR_MODE, mode, 0, 0, NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fchmod(int fd, mode_t mode)
{
	int error;

	rump_schedule();
	error = do_fdattr(fd, ATTR_MODE, mode, 0, 0, NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	int error;

	rump_schedule();
	if (flags & ~AT_SYMLINK_NOFOLLOW)
		error = EINVAL;
	else
		error = do_pathattr(dirfd, path,
		    (flags & AT_SYMLINK_NOFOLLOW) == 0, ATTR_MODE, mode, 0, 0,
		    NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_chown(const char *path, uid_t uid, gid_t gid)
{
	int error;

	rump_schedule();
	error = do_pathattr(AT_FDCWD, path, true, ATTR_OWNER, 0, uid, gid,
	    NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_lchown(const char *path, uid_t uid, gid_t gid)
{
	int error;

	rump_schedule();
	error = do_pathattr(AT_FDCWD, path, false, ATTR_OWNER, 0, uid, gid,
	    NULL);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fchown(int fd, uid_t uid, gid_t gid)
{
	int error;

	rump_schedule();
	error = do_fdattr(fd, ATTR_OWNER, 0, uid, gid, NULL);
	return (int)sys_return(error, 0);
}

/* struct timeval[2] from the caller as timespecs (NULL stays NULL). */
static int
timeval_in(const struct rump_timeval *utv, struct timespec *ts,
    const struct timespec **tsp)
{
	struct rump_timeval tv[2];
	int error, i;

	*tsp = NULL;
	if (utv == NULL)
		return 0;
	error = copyin(utv, tv, sizeof(tv));
	if (error != 0)
		return error;
	for (i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = (long)tv[i].tv_usec * 1000;
	}
	*tsp = ts;
	return 0;
}

int
rump___sysimpl_utimes50(const char *path, const struct rump_timeval *utv)
{
	struct timespec ts[2];
	const struct timespec *tsp;
	int error;

	rump_schedule();
	error = timeval_in(utv, ts, &tsp);
	if (error == 0)
		error = do_pathattr(AT_FDCWD, path, true, ATTR_TIMES, 0, 0, 0,
		    tsp);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_futimes50(int fd, const struct rump_timeval *utv)
{
	struct timespec ts[2];
	const struct timespec *tsp;
	int error;

	rump_schedule();
	error = timeval_in(utv, ts, &tsp);
	if (error == 0)
		error = do_fdattr(fd, ATTR_TIMES, 0, 0, 0, tsp);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_utimensat(int dirfd, const char *path,
    const struct rump_timespec *uts, int flags)
{
	struct rump_timespec rts[2];
	struct timespec ts[2];
	int error = 0;

	rump_schedule();
	if (flags & ~AT_SYMLINK_NOFOLLOW)
		error = EINVAL;
	else if (uts != NULL) {
		error = copyin(uts, rts, sizeof(rts));
		ts[0].tv_sec = rts[0].tv_sec;
		ts[0].tv_nsec = rts[0].tv_nsec;
		ts[1].tv_sec = rts[1].tv_sec;
		ts[1].tv_nsec = rts[1].tv_nsec;
	}
	if (error == 0)
		error = do_pathattr(dirfd, path,
		    (flags & AT_SYMLINK_NOFOLLOW) == 0, ATTR_TIMES, 0, 0, 0,
		    uts != NULL ? ts : NULL);
	return (int)sys_return(error, 0);
}

/*
 * access(2) / faccessat(2): with the real ids unless AT_EACCESS.  W_OK on
 * a read-only file system is EROFS.
 */
static int
do_access(int dirfd, const char *path, int mode, int flags)
{
	struct vnode *vp;
	struct vattr va;
	int error, vmode = 0;

	if ((mode & ~(R_OK | W_OK | X_OK)) != 0 ||
	    (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW)) != 0)
		return EINVAL;
	error = lookup_vnode(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0,
	    &vp);
	if (error != 0)
		return error;
	if (mode & R_OK)
		vmode |= VREAD;
	if (mode & W_OK)
		vmode |= VWRITE;
	if (mode & X_OK)
		vmode |= VEXEC;
	if ((vmode & VWRITE) && vn_rdonly(vp))
		error = EROFS;
	else if (vmode != 0) {
		vn_lock(vp, LK_SHARED);
		error = VOP_GETATTR(vp, &va);
		VOP_UNLOCK(vp);
		if (error == 0)
			error = (flags & AT_EACCESS) ?
			    vfs_access(&va, vmode, cred()) :
			    vfs_access_real(&va, vmode, cred());
	}
	vrele(vp);
	return error;
}

int
rump___sysimpl_access(const char *path, int mode)
{
	int error;

	rump_schedule();
	error = do_access(AT_FDCWD, path, mode, 0);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_faccessat(int dirfd, const char *path, int mode, int flags)
{
	int error;

	rump_schedule();
	error = do_access(dirfd, path, mode, flags);
	return (int)sys_return(error, 0);
}

/* Make vp (referenced; the reference is consumed) the working directory. */
static int
vn_chdir(struct vnode *vp)
{
	int error;

	if (vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	vn_lock(vp, LK_SHARED);
	error = vn_access(vp, VEXEC, cred());
	VOP_UNLOCK(vp);
	if (error != 0) {
		vrele(vp);
		return error;
	}
	cwd_chdir(vp);
	return 0;
}

int
rump___sysimpl_chdir(const char *path)
{
	struct vnode *vp;
	int error;

	rump_schedule();
	error = lookup_vnode(AT_FDCWD, path, true, &vp);
	if (error == 0)
		error = vn_chdir(vp);
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fchdir(int fd)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	rump_schedule();
	error = fd_getfile(fd, &fp);
	if (error == 0) {
		vp = fp->f_vp;
		vref(vp);
		fd_putfile(fp);
		error = vn_chdir(vp);
	}
	return (int)sys_return(error, 0);
}

/*
 * The name under which directory pvp (referenced) holds the directory vp,
 * or the directory a mount at vp covers: searched by file id.  Prepends
 * "/name" before *bpp, not below buf (ENAMETOOLONG).
 */
static int
getcwd_name(struct vnode *pvp, struct vnode *vp, char *buf, char **bpp)
{
	struct rump_dirent *d;
	struct vattr va;
	struct iovec iov;
	struct uio uio;
	char *dbuf, *p;
	size_t n;
	int error;

	rw_enter(&mountlist_lock, RW_READER);
	while ((vp->v_vflag & VV_ROOT) && vp->v_mount != NULL &&
	    vp->v_mount->mnt_vnodecovered != NULL)
		vp = vp->v_mount->mnt_vnodecovered;
	vn_lock(vp, LK_SHARED);
	error = VOP_GETATTR(vp, &va);
	VOP_UNLOCK(vp);
	rw_exit(&mountlist_lock);
	if (error != 0)
		return error;
	dbuf = kmem_alloc(PAGE_SIZE, KM_SLEEP);
	if (dbuf == NULL)
		return ENOMEM;
	uio.uio_offset = 0;
	vn_lock(pvp, LK_SHARED);
	for (;;) {
		uio_init1(&uio, &iov, dbuf, PAGE_SIZE, uio.uio_offset, UIO_READ);
		error = VOP_READDIR(pvp, &uio);
		if (error != 0)
			break;
		n = PAGE_SIZE - uio.uio_resid;
		if (n == 0) {
			error = ENOENT;
			break;
		}
		for (p = dbuf; p < dbuf + n; p += d->d_reclen) {
			d = (struct rump_dirent *)p;
			if (d->d_fileno != va.va_fileid ||
			    (d->d_namlen == 1 && d->d_name[0] == '.') ||
			    (d->d_namlen == 2 && d->d_name[0] == '.' &&
			    d->d_name[1] == '.'))
				continue;
			if ((size_t)(*bpp - buf) < d->d_namlen + 1U) {
				error = ENAMETOOLONG;
				goto out;
			}
			*bpp -= d->d_namlen;
			memcpy(*bpp, d->d_name, d->d_namlen);
			*--(*bpp) = '/';
			goto out;
		}
	}
out:
	VOP_UNLOCK(pvp);
	kmem_free(dbuf, PAGE_SIZE);
	return error;
}

/* __getcwd(2): the working directory's path; returns its length + 1. */
static int
do_getcwd(char *ubuf, size_t len, int *lenp)
{
	struct vnode *vp, *pvp, *rdir;
	char *buf, *bp;
	size_t n;
	int error = 0;

	if (len < 2)
		return ERANGE;
	buf = kmem_alloc(MAXPATHLEN, KM_SLEEP);
	if (buf == NULL)
		return ENOMEM;
	bp = buf + MAXPATHLEN;
	*--bp = '\0';
	vp = cwd_cdir();
	rdir = cwd_rdir();
	while (vp != rdir && error == 0) {
		if (vp->v_mount == NULL) {
			error = ENOENT;
			break;
		}
		error = vfs_parentdir(vp, cred(), &pvp);
		if (error != 0)
			break;
		if (pvp == vp)		/* a root that is not ours */
			error = ENOENT;
		else
			error = getcwd_name(pvp, vp, buf, &bp);
		vrele(vp);
		vp = pvp;
	}
	vrele(vp);
	vrele(rdir);
	if (error == 0 && *bp == '\0')
		*--bp = '/';
	n = buf + MAXPATHLEN - bp;
	if (error == 0 && n > len)
		error = ERANGE;
	if (error == 0)
		error = copyout(bp, ubuf, n);
	if (error == 0)
		*lenp = (int)n;
	kmem_free(buf, MAXPATHLEN);
	return error;
}

int
rump___sysimpl___getcwd(char *buf, size_t len)
{
	int error, n = 0;

	rump_schedule();
	error = do_getcwd(buf, len, &n);
	return (int)sys_return(error, n);
}

static int
do_dup(int fd, int minfd, int fdflags, int *newfd)
{
	struct file *fp;
	int error;

	error = fd_getfile(fd, &fp);
	if (error != 0)
		return error;
	error = fd_alloc(fp, minfd, fdflags, newfd);
	fd_putfile(fp);
	return error;
}

int
rump___sysimpl_dup(int fd)
{
	int error, newfd = -1;

	rump_schedule();
	error = do_dup(fd, 0, 0, &newfd);
	return (int)sys_return(error, newfd);
}

int
rump___sysimpl_dup2(int from, int to)
{
	int error;

	rump_schedule();
	error = fd_dup2(from, to, 0);
	return (int)sys_return(error, to);
}

/* fcntl(2): F_DUPFD[_CLOEXEC], F_GETFD, F_SETFD, F_GETFL, F_SETFL. */
static int
do_fcntl(int fd, int cmd, int arg, int *rv)
{
	struct file *fp;
	int error;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FD_MAX)
			return EINVAL;
		return do_dup(fd, arg, cmd == F_DUPFD_CLOEXEC ? FD_CLOEXEC : 0,
		    rv);
	case F_GETFD:
		return fd_getflags(fd, rv);
	case F_SETFD:
		return fd_setflags(fd, arg);
	case F_GETFL:
	case F_SETFL:
		error = fd_getfile(fd, &fp);
		if (error != 0)
			return error;
		mutex_enter(&fp->f_lock);
		if (cmd == F_GETFL)
			*rv = OFLAGS(fp->f_flag);
		else
			fp->f_flag = (fp->f_flag & ~FCNTLFLAGS) |
			    (FFLAGS(arg) & FCNTLFLAGS);
		mutex_exit(&fp->f_lock);
		fd_putfile(fp);
		return 0;
	default:
		return EINVAL;
	}
}

int
rump___sysimpl_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int arg, error, rv = 0;

	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);
	rump_schedule();
	error = do_fcntl(fd, cmd, arg, &rv);
	return (int)sys_return(error, rv);
}

mode_t
rump___sysimpl_umask(mode_t mask)
{
	mode_t old;

	rump_schedule();
	old = cwd_umask(mask);
	rump_unschedule();
	return old;
}

#define MOUNT_DATA_MAX	65536

/*
 * mount(2) with MNT_GETARGS, the only flag (else EINVAL): copy out to
 * udata the arguments in force of the file system whose root vp is
 * (referenced; EINVAL if vp is no mount's root, as after a forced
 * unmount), datalen bytes at most, 0 meaning the file system's argument
 * size; *retlen is the length copied.  As NetBSD: any process may ask;
 * no data (NULL) or too short a buffer is EINVAL.  The root stays
 * locked (shared) meanwhile, so the mount cannot go away.
 */
static int
mount_getargs(struct vnode *vp, int flags, void *udata, size_t datalen,
    size_t *retlen)
{
	struct mount *mp;
	void *data = NULL;
	size_t alloclen = 0;
	int error;

	if ((flags & ~MNT_GETARGS) != 0 || udata == NULL)
		return EINVAL;
	vn_lock(vp, LK_SHARED);
	mp = vp->v_mount;
	if ((vp->v_vflag & VV_ROOT) == 0 || mp == NULL) {
		error = EINVAL;
		goto out;
	}
	if (datalen == 0)
		datalen = mp->mnt_op->vfs_argsize;
	alloclen = datalen;
	data = kmem_zalloc(alloclen, KM_SLEEP);
	if (data == NULL) {
		error = ENOMEM;
		goto out;
	}
	error = mp->mnt_op->vfs_getargs(mp, data, &datalen);
	KASSERT(error != 0 || datalen <= alloclen);
	if (error == 0)
		error = copyout(data, udata, datalen);
	if (error == 0)
		*retlen = datalen;
out:
	VOP_UNLOCK(vp);
	if (data != NULL)
		kmem_free(data, alloclen);
	return error;
}

/*
 * mount(2) of mount50: type, mount point, flags, arguments.  An update
 * or MNT_GETARGS (mount_getargs; *retlen is then the arguments' length)
 * works on the file system mounted at path and, as in NetBSD, does not
 * read type.
 */
static int
do_mount(const char *utype, const char *upath, int flags, void *udata,
    size_t datalen, size_t *retlen)
{
	char type[RUMP_VFS_NAMELEN], *path = NULL;
	void *data = NULL;
	struct vnode *vp = NULL;
	size_t len = datalen;
	int error;

	*retlen = 0;
	if (flags & ~MNT_MOUNTMASK)
		return EINVAL;
	if (datalen > MOUNT_DATA_MAX)
		return EINVAL;
	if ((flags & (MNT_UPDATE | MNT_GETARGS)) == 0) {
		error = copyinstr(utype, type, sizeof(type), NULL);
		if (error != 0)
			return error;
	}
	path = kmem_alloc(MAXPATHLEN, KM_SLEEP);
	if (path == NULL)
		return ENOMEM;
	error = copyinstr(upath, path, MAXPATHLEN, NULL);
	if (error != 0)
		goto out;
	if (datalen > 0 && (flags & MNT_GETARGS) == 0) {
		data = kmem_alloc(datalen, KM_SLEEP);
		if (data == NULL) {
			error = ENOMEM;
			goto out;
		}
		error = copyin(udata, data, datalen);
		if (error != 0)
			goto out;
	}
	error = lookup_vnode(AT_FDCWD, path, true, &vp);
	if (error != 0)
		goto out;
	if (flags & MNT_GETARGS)
		error = mount_getargs(vp, flags, udata, datalen, retlen);
	else
		error = vfs_domount(vp, (flags & MNT_UPDATE) ? NULL : type,
		    path, flags, data, &len, cred());
	if (error == 0 && (flags & (MNT_UPDATE | MNT_GETARGS)) == 0)
		vp = NULL;		/* the mount holds it now */
out:
	if (vp != NULL)
		vrele(vp);
	if (data != NULL)
		kmem_free(data, datalen);
	kmem_free(path, MAXPATHLEN);
	return error;
}

int
rump___sysimpl_mount50(const char *type, const char *path, int flags,
    void *data, size_t datalen)
{
	size_t retlen;
	int error;

	rump_schedule();
	error = do_mount(type, path, flags, data, datalen, &retlen);
	return (int)sys_return(error, (long)retlen);
}

int
rump___sysimpl_unmount(const char *path, int flags)
{
	struct vnode *vp;
	int error;

	rump_schedule();
	error = lookup_vnode(AT_FDCWD, path, true, &vp);
	if (error == 0)
		error = vfs_unmount_vnode(vp, flags, cred());
	return (int)sys_return(error, 0);
}

/* statvfs of the file system holding vp (etfs files: the root's). */
static int
vn_statvfs(struct vnode *vp, struct rump_statvfs *usb)
{
	struct rump_statvfs *sb;
	struct mount *mp;
	int error;

	sb = kmem_alloc(sizeof(*sb), KM_SLEEP);
	if (sb == NULL)
		return ENOMEM;
	rw_enter(&mountlist_lock, RW_READER);
	mp = vp->v_mount != NULL ? vp->v_mount :
	    rootvnode != NULL ? rootvnode->v_mount : NULL;
	error = mp != NULL ? vfs_statvfs(mp, sb) : EBADF;
	rw_exit(&mountlist_lock);
	if (error == 0)
		error = copyout(sb, usb, sizeof(*sb));
	kmem_free(sb, sizeof(*sb));
	return error;
}

int
rump___sysimpl_statvfs1(const char *path, struct rump_statvfs *sb, int flags)
{
	struct vnode *vp;
	int error;

	rump_schedule();
	error = lookup_vnode(AT_FDCWD, path, true, &vp);
	if (error == 0) {
		error = vn_statvfs(vp, sb);
		vrele(vp);
	}
	return (int)sys_return(error, 0);
}

int
rump___sysimpl_fstatvfs1(int fd, struct rump_statvfs *sb, int flags)
{
	struct file *fp;
	int error;

	rump_schedule();
	error = fd_getfile(fd, &fp);
	if (error == 0) {
		error = vn_statvfs(fp->f_vp, sb);
		fd_putfile(fp);
	}
	return (int)sys_return(error, 0);
}

void
rump___sysimpl_sync(void)
{

	rump_schedule();
	vfs_syncall();
	rump_unschedule();
}
