/*
 * Mounts and file-system types.
 *
 * A file system registers a struct vfsops (vfs_attach) under its name; the
 * mount table is a list of struct mount under mountlist_lock, which also
 * guards every v_mountedhere (namei crosses mount points under it, as a
 * reader; mount and unmount change the table as writers).
 */
#ifndef _SYS_MOUNT_H_
#define _SYS_MOUNT_H_

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/rwlock.h>
#include <sys/kauth.h>
#include <rump/rumpdefs.h>

struct vnode;
struct vattr;

#define MNT_RDONLY	RUMP_MNT_RDONLY
#define MNT_SYNCHRONOUS	RUMP_MNT_SYNCHRONOUS
#define MNT_NOEXEC	RUMP_MNT_NOEXEC
#define MNT_NOSUID	RUMP_MNT_NOSUID
#define MNT_NODEV	RUMP_MNT_NODEV
#define MNT_ASYNC	RUMP_MNT_ASYNC
#define MNT_NOATIME	RUMP_MNT_NOATIME
#define MNT_LOCAL	RUMP_MNT_LOCAL
#define MNT_ROOTFS	RUMP_MNT_ROOTFS
#define MNT_UPDATE	RUMP_MNT_UPDATE
#define MNT_RELOAD	RUMP_MNT_RELOAD
#define MNT_FORCE	RUMP_MNT_FORCE
#define MNT_GETARGS	RUMP_MNT_GETARGS
#define MNT_WAIT	RUMP_MNT_WAIT
#define MNT_NOWAIT	RUMP_MNT_NOWAIT
#define MNT_LAZY	RUMP_MNT_LAZY
/* Flags a mount keeps (mnt_flag); the others are requests. */
#define MNT_VISFLAGMASK	(MNT_RDONLY | MNT_SYNCHRONOUS | MNT_NOEXEC | \
			 MNT_NOSUID | MNT_NODEV | MNT_ASYNC | MNT_NOATIME | \
			 MNT_LOCAL | MNT_ROOTFS)
/* Every flag mount(2) accepts. */
#define MNT_MOUNTMASK	(MNT_VISFLAGMASK | MNT_UPDATE | MNT_RELOAD | \
			 MNT_FORCE | MNT_GETARGS | RUMP_MNT_UNION | \
			 RUMP_MNT_NOCOREDUMP | RUMP_MNT_RELATIME | RUMP_MNT_IGNORE | \
			 RUMP_MNT_DISCARD | RUMP_MNT_EXTATTR | RUMP_MNT_LOG)

struct mount {
	struct mount	*mnt_next;	/* the mount table; mountlist_lock */
	const struct vfsops *mnt_op;
	struct vnode	*mnt_vnodecovered; /* referenced; NULL for "/" */
	struct vnode	*mnt_rootvp;	/* referenced by the mount */
	int		 mnt_flag;	/* MNT_VISFLAGMASK bits */
	void		*mnt_data;	/* the file system's */
	uint64_t	 mnt_fsid;	/* st_dev of its files */
	kmutex_t	 mnt_renamelock; /* serializes renames in this fs */
	/* vnode cache: the vnodes of this mount; vcache_lock. */
	struct vnode	*mnt_vnodes;
	u_int		 mnt_nvnodes;
	char		 mnt_fstypename[RUMP_VFS_NAMELEN];
	char		 mnt_mntonname[RUMP_VFS_MNAMELEN];
	char		 mnt_mntfromname[RUMP_VFS_MNAMELEN];
};

/*
 * A file-system type.  vfs_mount sets mnt_rootvp (referenced), mnt_data
 * and mnt_mntfromname (with MNT_UPDATE in mnt_flag: an update of flags;
 * MNT_RDONLY in the requested flags is the new state).  At unmount (and
 * at teardown, which unmounts everything by force), vfs_sync (MNT_WAIT;
 * its error fails a plain unmount, not a forced one) runs, then, once no
 * vnode of the mount is left, vfs_unmount; both with mountlist_lock
 * held as writer: neither may do path lookups or wait for a thread that
 * does (sync(2) takes mountlist_lock as reader).  vfs_unmount must succeed.
 * vfs_loadvnode fills in a new vnode for a key (v_type, v_op, v_data,
 * v_vflag, v_rdev).  vfs_getargs (mount(2) with MNT_GETARGS; NetBSD
 * passes it to vfs_mount as a flag, here it has its own entry so that no
 * transient flag is set in mnt_flag) writes the arguments in force, in
 * the layout vfs_mount takes, into a zeroed buffer of *datalen bytes
 * (fewer than the layout's: EINVAL) and sets *datalen to its length;
 * the mount's root vnode is locked (shared), so no forced unmount can
 * take the mount away meanwhile.  Each returns 0 or an errno.
 */
struct vfsops {
	const char	*vfs_name;
	size_t		 vfs_argsize;	/* bytes of its mount arguments */
	int	(*vfs_mount)(struct mount *, const char *, void *, size_t *);
	int	(*vfs_unmount)(struct mount *, int);
	int	(*vfs_statvfs)(struct mount *, struct rump_statvfs *);
	int	(*vfs_sync)(struct mount *, int, kauth_cred_t);
	int	(*vfs_loadvnode)(struct mount *, struct vnode *, const void *,
		    size_t);
	int	(*vfs_getargs)(struct mount *, void *, size_t *);
	struct vfsops	*vfs_next;	/* the registered types; vfs_list_lock */
};

int	vfs_attach(struct vfsops *);
void	vfs_detach(struct vfsops *);

extern krwlock_t mountlist_lock;

/* Mount and unmount (vfs_mount.c); the callers hold no vnode lock. */
int	vfs_domount(struct vnode *, const char *, const char *, int, void *,
	    size_t *, kauth_cred_t);
int	vfs_unmount_vnode(struct vnode *, int, kauth_cred_t);
int	vfs_mountroot(void);
int	vfs_unmountall(void);
void	vfs_syncall(void);
/* The mount's root, referenced (not locked). */
struct vnode *vfs_root(struct mount *);
/* vp, referenced, is a mount point: swap it for the root that covers it. */
struct vnode *vfs_cross(struct vnode *);
int	vfs_statvfs(struct mount *, struct rump_statvfs *);

/* Books: vnodes alive (and of those, cached), mounts ("/" included). */
u_int	vfs_vnodes_alive(u_int *);
u_int	vfs_mounts(void);

#endif /* _SYS_MOUNT_H_ */
