/*
 * Path lookup.  namei() walks a path one component at a time, holding at
 * most one vnode lock at a time (the directory being searched, shared),
 * and references on the directory and the result: lookups in different
 * directories run in parallel, and no lock order between vnodes arises.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/uio.h>
#include <sys/vnode.h>
#include <sys/mount.h>
#include <sys/namei.h>
#include <sys/filedesc.h>

#include "vfs_private.h"

void
namei_init(struct nameidata *ndp, const char *path, int flags,
    struct vnode *startdir, kauth_cred_t cred)
{

	memset(ndp, 0, offsetof(struct nameidata, ni_buf));
	ndp->ni_buf[0] = '\0';
	ndp->ni_path = path;
	ndp->ni_flags = flags;
	ndp->ni_startdir = startdir;
	ndp->ni_cred = cred;
}

bool
namei_isdot(const struct componentname *cnp)
{

	return (cnp->cn_namelen == 1 && cnp->cn_nameptr[0] == '.') ||
	    (cnp->cn_namelen == 2 && cnp->cn_nameptr[0] == '.' &&
	    cnp->cn_nameptr[1] == '.');
}

/*
 * The parent of directory vp (referenced by the caller, unlocked) in
 * *pvpp, referenced: ".." of vp, or of the directory a mount root covers.
 */
int
vfs_parentdir(struct vnode *vp, kauth_cred_t cred, struct vnode **pvpp)
{
	struct componentname cn = { "..", 2, cred };
	struct vnode *dvp, *covered;
	int error;

	vref(vp);
	dvp = vp;
	rw_enter(&mountlist_lock, RW_READER);
	while ((dvp->v_vflag & VV_ROOT) && dvp->v_mount != NULL &&
	    (covered = dvp->v_mount->mnt_vnodecovered) != NULL) {
		vref(covered);
		vrele(dvp);
		dvp = covered;
	}
	rw_exit(&mountlist_lock);
	vn_lock(dvp, LK_SHARED);
	error = VOP_LOOKUP(dvp, &cn, pvpp);
	vput(dvp);
	return error;
}

/*
 * Replace the start of the unread path (cp, in buf) with the target of
 * the symbolic link vp.  Returns the new unread path in *cpp.
 */
static int
namei_symlink(struct vnode *vp, char *buf, char *cp, char **cpp)
{
	struct iovec iov;
	struct uio uio;
	char *link;
	size_t linklen, restlen;
	int error;

	link = kmem_alloc(MAXPATHLEN, KM_SLEEP);
	if (link == NULL)
		return ENOMEM;
	uio_init1(&uio, &iov, link, MAXPATHLEN, 0, UIO_READ);
	vn_lock(vp, LK_SHARED);
	error = VOP_READLINK(vp, &uio);
	VOP_UNLOCK(vp);
	if (error != 0)
		goto out;
	linklen = MAXPATHLEN - uio.uio_resid;
	restlen = strlen(cp);
	if (linklen == 0) {
		error = ENOENT;
		goto out;
	}
	if (linklen + restlen + 1 > MAXPATHLEN) {
		error = ENAMETOOLONG;
		goto out;
	}
	memmove(buf + linklen, cp, restlen + 1);
	memcpy(buf, link, linklen);
	*cpp = buf;
out:
	kmem_free(link, MAXPATHLEN);
	return error;
}

/*
 * Look the path up (see sys/namei.h).  On success, ni_vp is the file
 * (NULL: with NI_PARENT, the last name does not exist) and, with
 * NI_PARENT, ni_dvp its directory (NULL if the path names the root) and
 * ni_cn the last name (in ni_buf); both referenced and unlocked.
 * namei_done() releases them, success or not.
 */
int
namei(struct nameidata *ndp)
{
	struct componentname cn;
	struct vnode *rdir, *dvp, *vp = NULL, *cvp;
	char *buf, *cp, *name = NULL, *p;
	size_t len = 0;
	bool last, trailing;
	int error, nlinks = 0;

	buf = ndp->ni_buf;
	if (ndp->ni_flags & NI_SYSSPACE) {
		if (strlcpy(buf, ndp->ni_path, MAXPATHLEN) >= MAXPATHLEN)
			return ENAMETOOLONG;
	} else {
		error = copyinstr(ndp->ni_path, buf, MAXPATHLEN, NULL);
		if (error != 0)
			return error;
	}
	if (buf[0] == '\0')
		return ENOENT;

	/* An etfs key names its host file, whatever the tree holds. */
	if ((ndp->ni_flags & NI_PARENT) == 0 &&
	    (ndp->ni_vp = etfs_lookup(buf)) != NULL)
		return 0;

	rdir = cwd_rdir();
	if (buf[0] == '/') {
		vref(rdir);
		dvp = rdir;
	} else if (ndp->ni_startdir != NULL) {
		vref(ndp->ni_startdir);
		dvp = ndp->ni_startdir;
	} else
		dvp = cwd_cdir();
	cp = buf;
	cn.cn_cred = ndp->ni_cred;
	for (;;) {
		while (*cp == '/')
			cp++;
		if (*cp == '\0') {
			/* The path names a directory reached so far ("/"). */
			vp = dvp;
			dvp = NULL;
			ndp->ni_trailslash = true;
			break;
		}
		name = cp;
		while (*cp != '\0' && *cp != '/')
			cp++;
		len = cp - name;
		if (len > MAXNAMLEN) {
			error = ENAMETOOLONG;
			goto bad;
		}
		for (p = cp; *p == '/'; p++)
			continue;
		trailing = p != cp;
		last = *p == '\0';
		if (dvp->v_type != VDIR) {
			error = ENOTDIR;
			goto bad;
		}
		cn.cn_nameptr = name;
		cn.cn_namelen = len;

		/* ".." out of a mount goes through the covered directory. */
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			if (dvp == rdir) {
				vref(dvp);
				vp = dvp;
				goto found;
			}
			rw_enter(&mountlist_lock, RW_READER);
			while ((dvp->v_vflag & VV_ROOT) && dvp->v_mount &&
			    (cvp = dvp->v_mount->mnt_vnodecovered) != NULL) {
				vref(cvp);
				vrele(dvp);
				dvp = cvp;
			}
			rw_exit(&mountlist_lock);
		}
		vn_lock(dvp, LK_SHARED);
		error = vn_access(dvp, VEXEC, ndp->ni_cred);
		if (error == 0)
			error = VOP_LOOKUP(dvp, &cn, &vp);
		VOP_UNLOCK(dvp);
		if (error == ENOENT && last && (ndp->ni_flags & NI_PARENT)) {
			vp = NULL;
			error = 0;
			ndp->ni_trailslash = trailing;
			break;
		}
		if (error != 0)
			goto bad;
		vp = vfs_cross(vp);
found:
		if (vp->v_type == VLNK &&
		    (!last || trailing || (ndp->ni_flags & NI_FOLLOW))) {
			if (++nlinks > MAXSYMLINKS)
				error = ELOOP;
			else
				error = namei_symlink(vp, buf, cp, &cp);
			vrele(vp);
			vp = NULL;
			if (error != 0)
				goto bad;
			if (*cp == '/') {
				vrele(dvp);
				vref(rdir);
				dvp = rdir;
			}
			continue;
		}
		if (last) {
			if (trailing && vp->v_type != VDIR) {
				error = ENOTDIR;
				goto bad;
			}
			ndp->ni_trailslash = trailing;
			break;
		}
		vrele(dvp);
		dvp = vp;
		vp = NULL;
	}
	ndp->ni_vp = vp;
	if (ndp->ni_flags & NI_PARENT) {
		ndp->ni_dvp = dvp;
		if (dvp != NULL) {
			/* NUL-terminate the name: the rest is slashes. */
			ndp->ni_cn = cn;
			name[len] = '\0';
		}
	} else if (dvp != NULL)
		vrele(dvp);
	vrele(rdir);
	return 0;
bad:
	if (vp != NULL)
		vrele(vp);
	vrele(dvp);
	vrele(rdir);
	return error;
}

void
namei_done(struct nameidata *ndp)
{

	if (ndp->ni_dvp != NULL)
		vrele(ndp->ni_dvp);
	if (ndp->ni_vp != NULL)
		vrele(ndp->ni_vp);
	ndp->ni_dvp = ndp->ni_vp = NULL;
}
