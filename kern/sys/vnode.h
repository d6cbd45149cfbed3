/*
 * Vnodes: the VFS layer's handle on a file, whatever file system holds it.
 *
 * A vnode is found through the vnode cache (vcache_get) by its mount and a
 * key the file system chooses (tmpfs: the node's address; ext2: the inode
 * number) and is referenced (v_usecount) by whoever uses it.  When the
 * last reference goes, VOP_INACTIVE says whether to recycle it (a removed
 * file: reclaimed at once); otherwise it stays cached, unreferenced, on a
 * free list of at most VCACHE_FREEMAX vnodes, the oldest reclaimed first,
 * and a later vcache_get takes it back without the file system.
 *
 * Locks (the full order is in docs/ARCHITECTURE.md):
 *  v_lock	the vnode lock (vn_lock/VOP_UNLOCK): every VOP_* runs with it,
 *		shared or exclusive as listed at struct vnodeops.
 *  vcache_lock	(global, a leaf) v_usecount, v_state, the hash chains and
 *		each mount's vnode list.
 */
#ifndef _SYS_VNODE_H_
#define _SYS_VNODE_H_

#include <sys/types.h>
#include <sys/rwlock.h>
#include <sys/kauth.h>
#include <sys/time.h>

struct mount;
struct uio;

enum vtype { VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD };

/* v_state, under vcache_lock. */
enum vstate {
	VS_LOADING,		/* being filled in by vfs_loadvnode; wait */
	VS_ACTIVE,		/* usable; v_usecount 0: on the free list */
	VS_RECLAIMING,		/* last reference gone, being made inactive
				   or torn down; wait */
	VS_DEAD			/* of no file system (a forced unmount took it,
				   or an etfs file): freed at the last vrele */
};

#define VCACHE_KEYMAX	16
#define VCACHE_FREEMAX	1024	/* unreferenced vnodes kept */

struct vnode {
	krwlock_t	 v_lock;	/* the vnode lock */
	u_int		 v_usecount;	/* references; vcache_lock */
	enum vstate	 v_state;	/* vcache_lock */
	int		 v_vflag;	/* VV_*, set at load */
	enum vtype	 v_type;	/* set at load, never changes */
	struct mount	*v_mount;	/* NULL once dead */
	struct mount	*v_mountedhere;	/* what covers this dir; mountlist_lock */
	const struct vnodeops *v_op;	/* the file system's operations */
	void		*v_data;	/* the file system's node */
	dev_t		 v_rdev;	/* VBLK/VCHR: the device */
	/* The vnode cache's own fields, under vcache_lock. */
	struct vnode	*v_hashnext;
	struct vnode	*v_mntnext;
	struct vnode	*v_mntprev;
	struct vnode	*v_freenext;	/* the free list (v_usecount 0) */
	struct vnode	*v_freeprev;
	size_t		 v_keylen;
	uint8_t		 v_key[VCACHE_KEYMAX];
};

#define VV_ROOT		0x0001		/* the root of its mount */

/*
 * File attributes.  VOP_SETATTR changes only the fields that are not VNOVAL
 * (for the times: whose tv_sec is not VNOVAL); vattr_null() sets them all so.
 */
#define VNOVAL		(-1)
struct vattr {
	enum vtype	va_type;
	mode_t		va_mode;	/* permission bits (ALLPERMS) only */
	nlink_t		va_nlink;
	uid_t		va_uid;
	gid_t		va_gid;
	dev_t		va_fsid;
	ino_t		va_fileid;
	off_t		va_size;
	long		va_blocksize;
	struct timespec	va_atime;
	struct timespec	va_mtime;
	struct timespec	va_ctime;
	struct timespec	va_birthtime;
	u_long		va_gen;
	u_long		va_flags;
	dev_t		va_rdev;
	uint64_t	va_bytes;	/* bytes of storage held */
};
void	vattr_null(struct vattr *);

/* The name a directory operation is about (not NUL-terminated). */
struct componentname {
	const char	*cn_nameptr;
	size_t		 cn_namelen;
	kauth_cred_t	 cn_cred;
};

/* VOP_READ / VOP_WRITE ioflag. */
#define IO_APPEND	0x0001		/* write at the end of the file */
#define IO_SYNC		0x0002		/* write through to stable storage */
/* VOP_FSYNC flags. */
#define FSYNC_WAIT	0x0001
#define FSYNC_DATAONLY	0x0002

/*
 * A file system's vnode operations.  "L" = the vnode is locked on entry
 * and exit (LS: shared is enough; LE: exclusive), "U" = unlocked.  Vnodes
 * returned through vpp are referenced and unlocked.  Each returns 0 or an
 * errno.
 */
struct vnodeops {
	/* dvp LS.  *vpp: the entry, ".." included; ENOENT if none. */
	int	(*vop_lookup)(struct vnode *, const struct componentname *,
		    struct vnode **);
	/* dvp LE.  Regular file (VREG), directory or device, per va_type. */
	int	(*vop_create)(struct vnode *, const struct componentname *,
		    struct vattr *, struct vnode **);
	/* dvp LE.  Target string, NUL-terminated. */
	int	(*vop_symlink)(struct vnode *, const struct componentname *,
		    struct vattr *, const char *, struct vnode **);
	/* dvp LE, vp LE: remove the entry (a non-directory). */
	int	(*vop_remove)(struct vnode *, struct vnode *,
		    const struct componentname *);
	/* dvp LE, vp LE: remove the (empty: else ENOTEMPTY) directory. */
	int	(*vop_rmdir)(struct vnode *, struct vnode *,
		    const struct componentname *);
	/* dvp LE, vp LE: a new entry for vp in dvp. */
	int	(*vop_link)(struct vnode *, struct vnode *,
		    const struct componentname *);
	/*
	 * fdvp, fvp, tdvp and tvp (NULL when the target does not exist) LE;
	 * the VFS has checked types, permissions and the subtree rule;
	 * the file system checks that a target directory is empty.
	 */
	int	(*vop_rename)(struct vnode *, struct vnode *,
		    const struct componentname *, struct vnode *,
		    struct vnode *, const struct componentname *);
	int	(*vop_getattr)(struct vnode *, struct vattr *);		/* LS */
	int	(*vop_setattr)(struct vnode *, const struct vattr *);	/* LE */
	int	(*vop_read)(struct vnode *, struct uio *, int);		/* LE */
	int	(*vop_write)(struct vnode *, struct uio *, int);	/* LE */
	/* LS.  uio_offset is the fs's cookie; whole struct dirent records. */
	int	(*vop_readdir)(struct vnode *, struct uio *);
	int	(*vop_readlink)(struct vnode *, struct uio *);		/* LS */
	int	(*vop_fsync)(struct vnode *, int);			/* LE */
	/*
	 * LE: the last reference went; release what the node no longer
	 * needs and set *recycle if the vnode is of no more use (a removed
	 * file) rather than worth keeping cached.
	 */
	int	(*vop_inactive)(struct vnode *, bool *);
	/*
	 * LE: detach v_data from the vnode, which is about to be freed.
	 * Any vrele may reclaim another (the oldest cached) vnode, so this
	 * must not need a lock a vrele caller may hold (vnode locks of other
	 * vnodes are fine: the VFS holds none on the victim).
	 */
	int	(*vop_reclaim)(struct vnode *);
};

#define VOP_LOOKUP(dvp, cnp, vpp)	((dvp)->v_op->vop_lookup(dvp, cnp, vpp))
#define VOP_CREATE(dvp, cnp, vap, vpp) \
	((dvp)->v_op->vop_create(dvp, cnp, vap, vpp))
#define VOP_SYMLINK(dvp, cnp, vap, t, vpp) \
	((dvp)->v_op->vop_symlink(dvp, cnp, vap, t, vpp))
#define VOP_REMOVE(dvp, vp, cnp)	((dvp)->v_op->vop_remove(dvp, vp, cnp))
#define VOP_RMDIR(dvp, vp, cnp)		((dvp)->v_op->vop_rmdir(dvp, vp, cnp))
#define VOP_LINK(dvp, vp, cnp)		((dvp)->v_op->vop_link(dvp, vp, cnp))
#define VOP_RENAME(fdvp, fvp, fcnp, tdvp, tvp, tcnp) \
	((fdvp)->v_op->vop_rename(fdvp, fvp, fcnp, tdvp, tvp, tcnp))
#define VOP_GETATTR(vp, vap)		((vp)->v_op->vop_getattr(vp, vap))
#define VOP_SETATTR(vp, vap)		((vp)->v_op->vop_setattr(vp, vap))
#define VOP_READ(vp, uio, fl)		((vp)->v_op->vop_read(vp, uio, fl))
#define VOP_WRITE(vp, uio, fl)		((vp)->v_op->vop_write(vp, uio, fl))
#define VOP_READDIR(vp, uio)		((vp)->v_op->vop_readdir(vp, uio))
#define VOP_READLINK(vp, uio)		((vp)->v_op->vop_readlink(vp, uio))
#define VOP_FSYNC(vp, fl)		((vp)->v_op->vop_fsync(vp, fl))

/* vn_lock() */
#define LK_SHARED	1
#define LK_EXCLUSIVE	2

int	vcache_get(struct mount *, const void *, size_t, struct vnode **);
int	vnode_alloc_detached(enum vtype, const struct vnodeops *, void *,
	    struct vnode **);
u_int	vrefcnt(struct vnode *);
void	vref(struct vnode *);
void	vrele(struct vnode *);
void	vput(struct vnode *);
void	vn_lock(struct vnode *, int);
void	VOP_UNLOCK(struct vnode *);
bool	vn_islocked_excl(struct vnode *);

/* Permission checks (vfs_vnops.c): VREAD/VWRITE/VEXEC against attributes. */
#define VEXEC		0x0040
#define VWRITE		0x0080
#define VREAD		0x0100
#define VADMIN		0x1000		/* the owner or root */
int	vn_access(struct vnode *, int, kauth_cred_t);	/* vp LS */
int	vfs_access(const struct vattr *, int, kauth_cred_t);
int	vfs_access_real(const struct vattr *, int, kauth_cred_t);
int	vfs_sticky_ok(const struct vattr *, const struct vattr *,
	    kauth_cred_t);
bool	vfs_cred_isroot(kauth_cred_t);

/* NetBSD d_type and S_IF* of a vnode type. */
int	vtype_to_dt(enum vtype);
mode_t	vtype_to_ifmt(enum vtype);

/* The operations of a vnode whose file system was unmounted by force. */
extern const struct vnodeops dead_vnodeops;

#endif /* _SYS_VNODE_H_ */
