/*
 * Helpers every file system and the system calls share: permission checks
 * against a file's attributes, type conversions, uiomove.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kauth.h>
#include <sys/stat.h>
#include <sys/dirent.h>
#include <sys/uio.h>
#include <sys/vnode.h>

bool
vfs_cred_isroot(kauth_cred_t cred)
{

	return kauth_cred_geteuid(cred) == 0;
}

/*
 * May a process with user uid, group gid (and cred's supplementary groups)
 * do "mode" (VREAD|VWRITE|VEXEC, or VADMIN) to a file with attributes vap?
 * The owner's bits apply to the owner, the group's to members, the rest to
 * others; uid 0 may do anything but execute a file with no x bit.
 * Returns 0, EACCES, or EPERM for VADMIN.
 */
static int
vfs_access_ids(const struct vattr *vap, int mode, uid_t uid, gid_t gid,
    kauth_cred_t cred)
{
	mode_t mask = 0;
	int member = 0;

	if (mode & VADMIN)
		return (uid == 0 || uid == vap->va_uid) ? 0 : EPERM;
	if (uid == 0) {
		if ((mode & VEXEC) && vap->va_type != VDIR &&
		    (vap->va_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
			return EACCES;
		return 0;
	}
	if (uid == vap->va_uid) {
		if (mode & VEXEC)
			mask |= S_IXUSR;
		if (mode & VREAD)
			mask |= S_IRUSR;
		if (mode & VWRITE)
			mask |= S_IWUSR;
	} else {
		if (gid != vap->va_gid)
			(void)kauth_cred_ismember_gid(cred, vap->va_gid,
			    &member);
		if (gid == vap->va_gid || member) {
			if (mode & VEXEC)
				mask |= S_IXGRP;
			if (mode & VREAD)
				mask |= S_IRGRP;
			if (mode & VWRITE)
				mask |= S_IWGRP;
		} else {
			if (mode & VEXEC)
				mask |= S_IXOTH;
			if (mode & VREAD)
				mask |= S_IROTH;
			if (mode & VWRITE)
				mask |= S_IWOTH;
		}
	}
	return (vap->va_mode & mask) == mask ? 0 : EACCES;
}

/* Access check with the effective ids of cred. */
int
vfs_access(const struct vattr *vap, int mode, kauth_cred_t cred)
{

	return vfs_access_ids(vap, mode, kauth_cred_geteuid(cred),
	    kauth_cred_getegid(cred), cred);
}

/* Access check with the real ids of cred (access(2) without AT_EACCESS). */
int
vfs_access_real(const struct vattr *vap, int mode, kauth_cred_t cred)
{

	return vfs_access_ids(vap, mode, kauth_cred_getuid(cred),
	    kauth_cred_getgid(cred), cred);
}

/* vfs_access against vp's attributes.  vp locked (shared is enough). */
int
vn_access(struct vnode *vp, int mode, kauth_cred_t cred)
{
	struct vattr va;
	int error;

	error = VOP_GETATTR(vp, &va);
	if (error != 0)
		return error;
	return vfs_access(&va, mode, cred);
}

/*
 * In a sticky directory (dvap), only root, the directory's owner and the
 * file's owner may remove or rename the file (vap).  Returns 0 or EPERM.
 */
int
vfs_sticky_ok(const struct vattr *dvap, const struct vattr *vap,
    kauth_cred_t cred)
{
	uid_t uid = kauth_cred_geteuid(cred);

	if ((dvap->va_mode & S_ISVTX) == 0 || uid == 0 ||
	    uid == dvap->va_uid || uid == vap->va_uid)
		return 0;
	return EPERM;
}

int
vtype_to_dt(enum vtype type)
{

	switch (type) {
	case VREG:
		return DT_REG;
	case VDIR:
		return DT_DIR;
	case VLNK:
		return DT_LNK;
	case VBLK:
		return DT_BLK;
	case VCHR:
		return DT_CHR;
	case VFIFO:
		return DT_FIFO;
	case VSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

mode_t
vtype_to_ifmt(enum vtype type)
{

	switch (type) {
	case VREG:
		return S_IFREG;
	case VDIR:
		return S_IFDIR;
	case VLNK:
		return S_IFLNK;
	case VBLK:
		return S_IFBLK;
	case VCHR:
		return S_IFCHR;
	case VFIFO:
		return S_IFIFO;
	case VSOCK:
		return S_IFSOCK;
	default:
		return 0;
	}
}

/* Describe the single segment buf[0, len) at file offset off. */
void
uio_init1(struct uio *uio, struct iovec *iov, void *buf, size_t len,
    off_t off, enum uio_rw rw)
{

	iov->iov_base = buf;
	iov->iov_len = len;
	uio->uio_iov = iov;
	uio->uio_iovcnt = 1;
	uio->uio_offset = off;
	uio->uio_resid = len;
	uio->uio_rw = rw;
}

/*
 * Move n bytes between the kernel buffer buf and the caller's segments of
 * uio, in uio's direction, advancing uio.  A NULL segment gives EFAULT.
 */
int
uiomove(void *buf, size_t n, struct uio *uio)
{
	char *cp = buf;
	struct iovec *iov;
	size_t cnt;
	int error;

	while (n > 0 && uio->uio_resid > 0) {
		KASSERT(uio->uio_iovcnt > 0);
		iov = uio->uio_iov;
		cnt = MIN(iov->iov_len, n);
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (uio->uio_rw == UIO_READ)
			error = copyout(cp, iov->iov_base, cnt);
		else
			error = copyin(iov->iov_base, cp, cnt);
		if (error != 0)
			return error;
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += cnt;
		cp += cnt;
		n -= cnt;
	}
	return 0;
}

/* Give the reader of uio n zero bytes (a hole). */
int
uiomove_zero(size_t n, struct uio *uio)
{
	static const char zeroes[256];
	size_t cnt;
	int error;

	KASSERT(uio->uio_rw == UIO_READ);
	while (n > 0 && uio->uio_resid > 0) {
		cnt = MIN(n, sizeof(zeroes));
		error = uiomove(__UNCONST(zeroes), cnt, uio);
		if (error != 0)
			return error;
		n -= cnt;
	}
	return 0;
}
