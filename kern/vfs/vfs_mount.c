/*
 * The mount table and the file-system types.
 *
 * Locks, in order: mountlist_lock (rwlock) guards the table, every
 * v_mountedhere and the list of file-system types; lookups take it as
 * readers only to cross a mount point, holding no vnode lock.  Mount and
 * unmount take it as writers around the table change (unmount also while
 * it checks and reclaims the mount's vnodes, so no lookup can cross into
 * the mount meanwhile); then vnode locks; vcache_lock last.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/rwlock.h>
#include <sys/kauth.h>
#include <sys/vnode.h>
#include <sys/mount.h>

#include "vfs_private.h"

krwlock_t mountlist_lock;
static struct mount *mountlist;		/* newest first */
static struct vfsops *vfs_list;
static uint64_t vfs_nextfsid = 1;
struct vnode *rootvnode;

void
vfs_mount_init(void)
{

	rw_init(&mountlist_lock);
}

void
vfs_mount_fini(void)
{

	KASSERT(mountlist == NULL);
	rw_destroy(&mountlist_lock);
}

/* Make a file-system type known by name; EEXIST if the name is taken. */
int
vfs_attach(struct vfsops *vfs)
{
	struct vfsops *v;
	int error = 0;

	rw_enter(&mountlist_lock, RW_WRITER);
	for (v = vfs_list; v != NULL; v = v->vfs_next) {
		if (strcmp(v->vfs_name, vfs->vfs_name) == 0) {
			error = EEXIST;
			goto out;
		}
	}
	vfs->vfs_next = vfs_list;
	vfs_list = vfs;
out:
	rw_exit(&mountlist_lock);
	return error;
}

void
vfs_detach(struct vfsops *vfs)
{
	struct vfsops **vp;

	rw_enter(&mountlist_lock, RW_WRITER);
	for (vp = &vfs_list; *vp != NULL; vp = &(*vp)->vfs_next) {
		if (*vp == vfs) {
			*vp = vfs->vfs_next;
			break;
		}
	}
	rw_exit(&mountlist_lock);
}

/* The mount's root, referenced. */
struct vnode *
vfs_root(struct mount *mp)
{

	vref(mp->mnt_rootvp);
	return mp->mnt_rootvp;
}

/*
 * vp, referenced and unlocked, may be covered by mounts: return the root
 * of the topmost one instead (the reference moves), or vp itself.
 */
struct vnode *
vfs_cross(struct vnode *vp)
{
	struct mount *mp;
	struct vnode *rvp;

	while (vp->v_type == VDIR) {
		rw_enter(&mountlist_lock, RW_READER);
		mp = vp->v_mountedhere;
		if (mp == NULL) {
			rw_exit(&mountlist_lock);
			break;
		}
		rvp = vfs_root(mp);
		rw_exit(&mountlist_lock);
		vrele(vp);
		vp = rvp;
	}
	return vp;
}

/*
 * Mount a file system of type fstype on the directory vp (referenced,
 * unlocked; the reference passes to a new mount on success, an update
 * leaves it to the caller; NULL mounts the root).  path names the mount
 * point for statvfs.  MNT_UPDATE changes the flags of the mount whose
 * root vp is (EINVAL if vp is no mount's root; fstype is not used).  Root only (EPERM); cred
 * NULL is the kernel.  ENODEV for an unknown type, ENOTDIR, EBUSY for a
 * mount point or a mount's root.  No lock held on entry.
 */
int
vfs_domount(struct vnode *vp, const char *fstype, const char *path,
    int flags, void *data, size_t *datalen, kauth_cred_t cred)
{
	struct vfsops *vfs;
	struct mount *mp;
	int error, oflag;

	if (cred != NULL && !vfs_cred_isroot(cred))
		return EPERM;
	if (flags & MNT_UPDATE) {
		if (vp == NULL || (vp->v_vflag & VV_ROOT) == 0)
			return EINVAL;
		mp = vp->v_mount;
		/* As NetBSD: the file system sees the MNT_RDONLY asked for. */
		oflag = mp->mnt_flag;
		mp->mnt_flag = (mp->mnt_flag & ~MNT_RDONLY) |
		    (flags & (MNT_UPDATE | MNT_RELOAD | MNT_FORCE | MNT_RDONLY));
		error = mp->mnt_op->vfs_mount(mp, mp->mnt_mntonname, data,
		    datalen);
		mp->mnt_flag &= ~(MNT_UPDATE | MNT_RELOAD | MNT_FORCE);
		if (error != 0)
			mp->mnt_flag = oflag;
		if (error == 0)
			mp->mnt_flag = (mp->mnt_flag & ~MNT_VISFLAGMASK) |
			    (flags & MNT_VISFLAGMASK & ~(MNT_LOCAL | MNT_ROOTFS)) |
			    (mp->mnt_flag & (MNT_LOCAL | MNT_ROOTFS));
		return error;
	}
	if (vp != NULL && vp->v_type != VDIR)
		return ENOTDIR;

	rw_enter(&mountlist_lock, RW_READER);
	for (vfs = vfs_list; vfs != NULL; vfs = vfs->vfs_next)
		if (strcmp(vfs->vfs_name, fstype) == 0)
			break;
	rw_exit(&mountlist_lock);
	if (vfs == NULL)
		return ENODEV;
	if (vp != NULL && ((vp->v_vflag & VV_ROOT) || vp->v_mountedhere))
		return EBUSY;

	mp = kmem_zalloc(sizeof(*mp), KM_SLEEP);
	if (mp == NULL)
		return ENOMEM;
	mp->mnt_op = vfs;
	mp->mnt_flag = (flags & MNT_VISFLAGMASK) | (vp == NULL ? MNT_ROOTFS : 0);
	mutex_init(&mp->mnt_renamelock, MUTEX_DEFAULT, IPL_NONE);
	strlcpy(mp->mnt_fstypename, vfs->vfs_name, sizeof(mp->mnt_fstypename));
	strlcpy(mp->mnt_mntonname, path, sizeof(mp->mnt_mntonname));
	error = vfs->vfs_mount(mp, mp->mnt_mntonname, data, datalen);
	if (error != 0)
		goto bad;
	KASSERT(mp->mnt_rootvp != NULL);

	rw_enter(&mountlist_lock, RW_WRITER);
	if (vp != NULL && vp->v_mountedhere != NULL) {
		/* Someone mounted here meanwhile. */
		rw_exit(&mountlist_lock);
		vrele(mp->mnt_rootvp);
		vcache_mount_purge(mp);
		vcache_mount_drain(mp);
		(void)vfs->vfs_unmount(mp, MNT_FORCE);
		error = EBUSY;
		goto bad;
	}
	mp->mnt_fsid = vfs_nextfsid++;
	mp->mnt_vnodecovered = vp;
	if (vp != NULL)
		vp->v_mountedhere = mp;
	else
		rootvnode = mp->mnt_rootvp;
	mp->mnt_next = mountlist;
	mountlist = mp;
	rw_exit(&mountlist_lock);
	return 0;
bad:
	mutex_destroy(&mp->mnt_renamelock);
	kmem_free(mp, sizeof(*mp));
	return error;
}

/*
 * Unmount mp, with mountlist_lock held as writer (released on return).
 * The file system syncs first.  Without MNT_FORCE, EBUSY while any of its
 * vnodes is in use (a descriptor, a working directory) and any error its
 * sync reports; with MNT_FORCE a sync error is ignored and the vnodes in
 * use are made dead (their operations fail with EBADF).  A mount on one
 * of its directories is EBUSY either way.
 */
static int
vfs_dounmount_locked(struct mount *mp, int flags, kauth_cred_t cred)
{
	struct mount **mpp, *m;
	struct vnode *vp, *covered;
	int error;

	KASSERT(rw_write_held(&mountlist_lock));
	for (m = mountlist; m != NULL; m = m->mnt_next) {
		if (m->mnt_vnodecovered != NULL &&
		    m->mnt_vnodecovered->v_mount == mp) {
			error = EBUSY;
			goto out;
		}
	}
	if ((flags & MNT_FORCE) == 0 && vcache_mount_busy(mp, NULL) != 0) {
		error = EBUSY;
		goto out;
	}
	/* Write back first; by force, whatever the sync says. */
	error = mp->mnt_op->vfs_sync(mp, MNT_WAIT, cred);
	if (error != 0 && (flags & MNT_FORCE) == 0)
		goto out;
	if (flags & MNT_FORCE) {
		while (vcache_mount_busy(mp, &vp), vp != NULL) {
			vgone(vp);
			vrele(vp);
		}
	}
	vp = mp->mnt_rootvp;
	mp->mnt_rootvp = NULL;
	vrele(vp);
	vcache_mount_purge(mp);
	vcache_mount_drain(mp);
	error = mp->mnt_op->vfs_unmount(mp, flags);
	KASSERTMSG(error == 0, "%s: vfs_unmount failed after sync: %d",
	    mp->mnt_fstypename, error);
	for (mpp = &mountlist; *mpp != mp; mpp = &(*mpp)->mnt_next)
		KASSERT(*mpp != NULL);
	*mpp = mp->mnt_next;
	covered = mp->mnt_vnodecovered;
	if (covered != NULL)
		covered->v_mountedhere = NULL;
	else
		rootvnode = NULL;
	rw_exit(&mountlist_lock);
	if (covered != NULL)
		vrele(covered);
	mutex_destroy(&mp->mnt_renamelock);
	kmem_free(mp, sizeof(*mp));
	return 0;
out:
	rw_exit(&mountlist_lock);
	return error;
}

/*
 * unmount(2): unmount the file system whose root is vp (referenced by the
 * caller; released here): EINVAL if vp is no mount's root, EBUSY for
 * "/", EPERM unless root.
 */
int
vfs_unmount_vnode(struct vnode *vp, int flags, kauth_cred_t cred)
{
	struct mount *mp;
	bool isroot;

	if (!vfs_cred_isroot(cred)) {
		vrele(vp);
		return EPERM;
	}
	rw_enter(&mountlist_lock, RW_WRITER);
	mp = vp->v_mount;
	isroot = (vp->v_vflag & VV_ROOT) != 0;
	/* A mount root keeps the mount's own reference: not the last. */
	vrele(vp);
	if (!isroot || mp == NULL) {
		rw_exit(&mountlist_lock);
		return EINVAL;
	}
	if (mp->mnt_vnodecovered == NULL) {
		rw_exit(&mountlist_lock);
		return EBUSY;
	}
	return vfs_dounmount_locked(mp, flags, cred);
}

/* The root file system: a tmpfs with no limits. */
int
vfs_mountroot(void)
{
	struct rump_tmpfs_args args;
	size_t len = sizeof(args);

	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_root_mode = 0755;
	return vfs_domount(NULL, "tmpfs", "/", 0, &args, &len, NULL);
}

/* Teardown: unmount everything, newest first, by force. */
int
vfs_unmountall(void)
{
	struct mount *mp;
	int error;

	for (;;) {
		rw_enter(&mountlist_lock, RW_READER);
		mp = mountlist;
		rw_exit(&mountlist_lock);
		if (mp == NULL)
			return 0;
		rw_enter(&mountlist_lock, RW_WRITER);
		error = vfs_dounmount_locked(mp, MNT_FORCE, NULL);
		if (error != 0)
			return error;
	}
}

/* sync(2): every mount's file system writes back what it holds. */
void
vfs_syncall(void)
{
	struct mount *mp;

	rw_enter(&mountlist_lock, RW_READER);
	for (mp = mountlist; mp != NULL; mp = mp->mnt_next)
		(void)mp->mnt_op->vfs_sync(mp, MNT_NOWAIT, NULL);
	rw_exit(&mountlist_lock);
}

/* statvfs of mp: the file system's figures plus the VFS's names. */
int
vfs_statvfs(struct mount *mp, struct rump_statvfs *sb)
{
	int error;

	memset(sb, 0, sizeof(*sb));
	error = mp->mnt_op->vfs_statvfs(mp, sb);
	if (error != 0)
		return error;
	sb->f_flag = (unsigned long)(mp->mnt_flag & MNT_VISFLAGMASK);
	sb->f_fsidx[0] = (int32_t)mp->mnt_fsid;
	sb->f_fsid = (unsigned long)mp->mnt_fsid;
	sb->f_namemax = MAXNAMLEN;
	strlcpy(sb->f_fstypename, mp->mnt_fstypename, sizeof(sb->f_fstypename));
	strlcpy(sb->f_mntonname, mp->mnt_mntonname, sizeof(sb->f_mntonname));
	strlcpy(sb->f_mntfromname, mp->mnt_mntfromname,
	    sizeof(sb->f_mntfromname));
	return 0;
}

/* Books: mounts in the table ("/" included). */
u_int
vfs_mounts(void)
{
	struct mount *mp;
	u_int n = 0;

	rw_enter(&mountlist_lock, RW_READER);
	for (mp = mountlist; mp != NULL; mp = mp->mnt_next)
		n++;
	rw_exit(&mountlist_lock);
	return n;
}
