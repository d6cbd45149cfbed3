/*
 * The vnode cache: one vnode per (mount, key), found or loaded by
 * vcache_get() and referenced by its users.  When the last reference goes
 * (vrele), VOP_INACTIVE decides: a vnode to recycle is reclaimed at once,
 * any other waits, unreferenced, on the free list (oldest first; beyond
 * VCACHE_FREEMAX the oldest is reclaimed) for the next vcache_get.
 * Unmount reclaims its mount's cached vnodes; a forced unmount turns the
 * vnodes still in use into dead vnodes (vgone) whose operations fail with
 * EBADF.
 *
 * Locks: vcache_lock (a leaf: nothing is taken while holding it) guards
 * v_usecount, v_state, the hash chains, the per-mount vnode lists and the
 * free list; vcache_cv is broadcast whenever a vnode leaves VS_LOADING or
 * VS_RECLAIMING.  The vnode lock v_lock is taken without vcache_lock held.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/vnode.h>
#include <sys/mount.h>

/*
 * The hash chains.  A boot and a small instance use VCACHE_HASHSMALL
 * chains kept with the kernel's other hot state (kern.ld); past
 * VCACHE_GROW vnodes the chains move, once per boot, to a table that
 * fills one page, page-aligned and cold, so a bigger instance writes one
 * page of it (each page written is a copy-on-write fault in an instance
 * forked from a zygote).  512 chains stay short for the few thousand
 * vnodes a test has at most.  Teardown, with no vnode left, goes back to
 * the small chains.
 */
#define VCACHE_HASHSMALL	32
#define VCACHE_GROW		(2 * VCACHE_HASHSMALL)
#define VCACHE_HASHSIZE		(PAGE_SIZE / sizeof(struct vnode *))

static kmutex_t vcache_lock;
static kcondvar_t vcache_cv;
static struct vnode *vcache_hash_small[VCACHE_HASHSMALL];
static struct vnode *vcache_hash_big[VCACHE_HASHSIZE] __kern_cold
    __aligned(PAGE_SIZE);
static struct vnode **vcache_hash = vcache_hash_small;
static u_int vcache_hashsize = VCACHE_HASHSMALL;
static u_int vcache_nvnodes;
static struct vnode *vcache_freehead, *vcache_freetail;
static u_int vcache_nfree;

/* Set every vcache structure up; called once from vfs_init. */
void
vcache_init(void)
{

	mutex_init(&vcache_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&vcache_cv, "vcache");
}

/* Tear vcache down; every vnode must be gone. */
void
vcache_fini(void)
{

	KASSERT(vcache_nvnodes == 0 && vcache_nfree == 0);
	vcache_hash = vcache_hash_small;
	vcache_hashsize = VCACHE_HASHSMALL;
	cv_destroy(&vcache_cv);
	mutex_destroy(&vcache_lock);
}

/* FNV-1a over the mount's address and the key (any table's size). */
static u_int
vcache_hashof(const struct mount *mp, const void *key, size_t keylen)
{
	const uint8_t *p = key;
	uintptr_t m = (uintptr_t)mp;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(m); i++)
		h = (h ^ ((m >> (i * 8)) & 0xff)) * 16777619u;
	for (i = 0; i < keylen; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The chain of hash value h in the current table.  vcache_lock held. */
static struct vnode **
vcache_chain(u_int h)
{

	KASSERT(mutex_owned(&vcache_lock));
	return &vcache_hash[h % vcache_hashsize];
}

/*
 * Move every chain from the small table to the big one (past VCACHE_GROW
 * vnodes).  vcache_lock held.
 */
static void
vcache_grow(void)
{
	struct vnode *vp, **chain;
	u_int i;

	KASSERT(mutex_owned(&vcache_lock));
	vcache_hash = vcache_hash_big;
	vcache_hashsize = VCACHE_HASHSIZE;
	for (i = 0; i < VCACHE_HASHSMALL; i++) {
		while ((vp = vcache_hash_small[i]) != NULL) {
			vcache_hash_small[i] = vp->v_hashnext;
			chain = vcache_chain(vcache_hashof(vp->v_mount,
			    vp->v_key, vp->v_keylen));
			vp->v_hashnext = *chain;
			*chain = vp;
		}
	}
}

/* The cached vnode for (mp, key), or NULL.  vcache_lock held. */
static struct vnode *
vcache_find(struct mount *mp, const void *key, size_t keylen, u_int h)
{
	struct vnode *vp;

	KASSERT(mutex_owned(&vcache_lock));
	for (vp = *vcache_chain(h); vp != NULL; vp = vp->v_hashnext) {
		if (vp->v_mount == mp && vp->v_keylen == keylen &&
		    memcmp(vp->v_key, key, keylen) == 0)
			return vp;
	}
	return NULL;
}

/* Take vp off its hash chain and its mount's list.  vcache_lock held. */
static void
vcache_unlink(struct vnode *vp)
{
	struct vnode **vpp;
	struct mount *mp = vp->v_mount;
	u_int h;

	KASSERT(mutex_owned(&vcache_lock));
	KASSERT(mp != NULL);
	h = vcache_hashof(mp, vp->v_key, vp->v_keylen);
	for (vpp = vcache_chain(h); *vpp != vp; vpp = &(*vpp)->v_hashnext)
		KASSERT(*vpp != NULL);
	*vpp = vp->v_hashnext;
	if (vp->v_mntprev != NULL)
		vp->v_mntprev->v_mntnext = vp->v_mntnext;
	else
		mp->mnt_vnodes = vp->v_mntnext;
	if (vp->v_mntnext != NULL)
		vp->v_mntnext->v_mntprev = vp->v_mntprev;
	mp->mnt_nvnodes--;
	vp->v_hashnext = vp->v_mntnext = vp->v_mntprev = NULL;
}

/* Put vp, unreferenced, at the tail of the free list.  vcache_lock held. */
static void
vcache_free_insert(struct vnode *vp)
{

	KASSERT(mutex_owned(&vcache_lock));
	vp->v_freenext = NULL;
	vp->v_freeprev = vcache_freetail;
	if (vcache_freetail != NULL)
		vcache_freetail->v_freenext = vp;
	else
		vcache_freehead = vp;
	vcache_freetail = vp;
	vcache_nfree++;
}

/* Take vp off the free list.  vcache_lock held. */
static void
vcache_free_remove(struct vnode *vp)
{

	KASSERT(mutex_owned(&vcache_lock));
	if (vp->v_freeprev != NULL)
		vp->v_freeprev->v_freenext = vp->v_freenext;
	else
		vcache_freehead = vp->v_freenext;
	if (vp->v_freenext != NULL)
		vp->v_freenext->v_freeprev = vp->v_freeprev;
	else
		vcache_freetail = vp->v_freeprev;
	vp->v_freenext = vp->v_freeprev = NULL;
	vcache_nfree--;
}

static void
vnode_free(struct vnode *vp)
{

	rw_destroy(&vp->v_lock);
	kmem_free(vp, sizeof(*vp));
	mutex_enter(&vcache_lock);
	vcache_nvnodes--;
	mutex_exit(&vcache_lock);
}

/*
 * Return in *vpp the vnode of mp for key, referenced and unlocked: the
 * cached one, or a new one that the file system's vfs_loadvnode fills in.
 * Waits while another lwp loads or reclaims the same vnode.  Callers may
 * hold vnode locks (a directory during lookup), never vcache_lock.
 */
int
vcache_get(struct mount *mp, const void *key, size_t keylen,
    struct vnode **vpp)
{
	struct vnode *vp, *nvp = NULL;
	u_int h;
	int error;

	KASSERT(keylen > 0 && keylen <= VCACHE_KEYMAX);
	h = vcache_hashof(mp, key, keylen);
	mutex_enter(&vcache_lock);
	for (;;) {
		vp = vcache_find(mp, key, keylen, h);
		if (vp != NULL) {
			if (vp->v_state != VS_ACTIVE) {
				cv_wait(&vcache_cv, &vcache_lock);
				continue;
			}
			if (vp->v_usecount == 0)
				vcache_free_remove(vp);
			vp->v_usecount++;
			mutex_exit(&vcache_lock);
			if (nvp != NULL)
				vnode_free(nvp);
			*vpp = vp;
			return 0;
		}
		if (nvp != NULL)
			break;
		/* Allocate without the lock, then look again. */
		mutex_exit(&vcache_lock);
		nvp = kmem_zalloc(sizeof(*nvp), KM_SLEEP);
		if (nvp == NULL)
			return ENOMEM;
		rw_init(&nvp->v_lock);
		nvp->v_mount = mp;
		nvp->v_keylen = keylen;
		memcpy(nvp->v_key, key, keylen);
		nvp->v_usecount = 1;
		nvp->v_state = VS_LOADING;
		nvp->v_rdev = NODEV;
		mutex_enter(&vcache_lock);
		vcache_nvnodes++;
	}
	if (vcache_nvnodes > VCACHE_GROW && vcache_hash == vcache_hash_small)
		vcache_grow();
	nvp->v_hashnext = *vcache_chain(h);
	*vcache_chain(h) = nvp;
	nvp->v_mntnext = mp->mnt_vnodes;
	if (mp->mnt_vnodes != NULL)
		mp->mnt_vnodes->v_mntprev = nvp;
	mp->mnt_vnodes = nvp;
	mp->mnt_nvnodes++;
	mutex_exit(&vcache_lock);

	error = mp->mnt_op->vfs_loadvnode(mp, nvp, key, keylen);

	mutex_enter(&vcache_lock);
	if (error != 0)
		vcache_unlink(nvp);
	else
		nvp->v_state = VS_ACTIVE;
	cv_broadcast(&vcache_cv);
	mutex_exit(&vcache_lock);
	if (error != 0) {
		vnode_free(nvp);
		return error;
	}
	*vpp = nvp;
	return 0;
}

/*
 * A vnode that belongs to no file system and no cache (an etfs file):
 * referenced once, in state VS_DEAD, freed when the last reference goes.
 */
int
vnode_alloc_detached(enum vtype type, const struct vnodeops *ops,
    void *data, struct vnode **vpp)
{
	struct vnode *vp;

	vp = kmem_zalloc(sizeof(*vp), KM_SLEEP);
	if (vp == NULL)
		return ENOMEM;
	rw_init(&vp->v_lock);
	vp->v_usecount = 1;
	vp->v_state = VS_DEAD;
	vp->v_type = type;
	vp->v_op = ops;
	vp->v_data = data;
	vp->v_rdev = NODEV;
	mutex_enter(&vcache_lock);
	vcache_nvnodes++;
	mutex_exit(&vcache_lock);
	*vpp = vp;
	return 0;
}

/* vp's references, for a caller that knows vp cannot go meanwhile. */
u_int
vrefcnt(struct vnode *vp)
{
	u_int n;

	mutex_enter(&vcache_lock);
	n = vp->v_usecount;
	mutex_exit(&vcache_lock);
	return n;
}

/* Add a reference to vp, which the caller already holds one of. */
void
vref(struct vnode *vp)
{

	mutex_enter(&vcache_lock);
	KASSERT(vp->v_usecount > 0);
	vp->v_usecount++;
	mutex_exit(&vcache_lock);
}

/*
 * Reclaim vp, unreferenced and VS_RECLAIMING (so no lookup takes it):
 * VOP_RECLAIM with the vnode locked, then out of the cache and freed.
 * Holds no lock; the caller may hold other vnodes' locks (nobody holds an
 * unreferenced vnode's).
 */
static void
vcache_reclaim(struct vnode *vp)
{

	rw_enter(&vp->v_lock, RW_WRITER);
	(void)vp->v_op->vop_reclaim(vp);
	rw_exit(&vp->v_lock);
	mutex_enter(&vcache_lock);
	vcache_unlink(vp);
	cv_broadcast(&vcache_cv);
	mutex_exit(&vcache_lock);
	vnode_free(vp);
}

/*
 * Drop a reference.  On the last one, VOP_INACTIVE (vnode locked) says
 * whether to recycle: then the vnode is reclaimed; else it goes on the
 * free list, and the oldest there is reclaimed if the list is too long.
 * vp must be unlocked.
 */
void
vrele(struct vnode *vp)
{
	struct vnode *victim = NULL;
	bool recycle = false;

	mutex_enter(&vcache_lock);
	KASSERT(vp->v_usecount > 0);
	if (--vp->v_usecount > 0) {
		mutex_exit(&vcache_lock);
		return;
	}
	if (vp->v_state == VS_DEAD) {
		mutex_exit(&vcache_lock);
		vnode_free(vp);
		return;
	}
	KASSERT(vp->v_state == VS_ACTIVE);
	vp->v_state = VS_RECLAIMING;
	mutex_exit(&vcache_lock);

	rw_enter(&vp->v_lock, RW_WRITER);
	(void)vp->v_op->vop_inactive(vp, &recycle);
	rw_exit(&vp->v_lock);
	if (recycle) {
		vcache_reclaim(vp);
		return;
	}
	mutex_enter(&vcache_lock);
	vp->v_state = VS_ACTIVE;
	vcache_free_insert(vp);
	if (vcache_nfree > VCACHE_FREEMAX) {
		victim = vcache_freehead;
		vcache_free_remove(victim);
		victim->v_state = VS_RECLAIMING;
	}
	cv_broadcast(&vcache_cv);
	mutex_exit(&vcache_lock);
	if (victim != NULL)
		vcache_reclaim(victim);
}

/* Unlock and release. */
void
vput(struct vnode *vp)
{

	VOP_UNLOCK(vp);
	vrele(vp);
}

/* Take the vnode lock: LK_SHARED as a reader, else as the writer. */
void
vn_lock(struct vnode *vp, int flags)
{

	rw_enter(&vp->v_lock, flags == LK_SHARED ? RW_READER : RW_WRITER);
}

void
VOP_UNLOCK(struct vnode *vp)
{

	rw_exit(&vp->v_lock);
}

bool
vn_islocked_excl(struct vnode *vp)
{

	return rw_write_held(&vp->v_lock);
}

/*
 * Forced unmount: detach vp (referenced by the caller, unlocked) from its
 * file system.  Its node is reclaimed now; the vnode stays, dead, until
 * its last reference goes.
 */
void
vgone(struct vnode *vp)
{

	rw_enter(&vp->v_lock, RW_WRITER);
	mutex_enter(&vcache_lock);
	if (vp->v_state != VS_ACTIVE) {
		mutex_exit(&vcache_lock);
		rw_exit(&vp->v_lock);
		return;
	}
	mutex_exit(&vcache_lock);
	(void)vp->v_op->vop_reclaim(vp);
	mutex_enter(&vcache_lock);
	vcache_unlink(vp);
	vp->v_state = VS_DEAD;
	vp->v_op = &dead_vnodeops;
	vp->v_data = NULL;
	vp->v_mount = NULL;
	cv_broadcast(&vcache_cv);
	mutex_exit(&vcache_lock);
	rw_exit(&vp->v_lock);
}

/*
 * Referenced vnodes of mp for unmount, under mountlist_lock as writer.
 * Returns the number of references held on mp's vnodes beyond the mount's
 * own one on its root.  With "victim", also returns one active vnode
 * other than those already dead, referenced, to vgone.
 */
u_int
vcache_mount_busy(struct mount *mp, struct vnode **victim)
{
	struct vnode *vp;
	u_int refs = 0;

	mutex_enter(&vcache_lock);
	if (victim != NULL)
		*victim = NULL;
	for (vp = mp->mnt_vnodes; vp != NULL; vp = vp->v_mntnext) {
		refs += vp->v_usecount;
		if (vp == mp->mnt_rootvp)
			refs--;
		if (victim != NULL && *victim == NULL &&
		    vp->v_state == VS_ACTIVE && vp->v_usecount > 0 &&
		    (vp != mp->mnt_rootvp || vp->v_usecount > 1)) {
			vp->v_usecount++;
			*victim = vp;
		}
	}
	mutex_exit(&vcache_lock);
	return refs;
}

/*
 * Reclaim mp's cached (unreferenced) vnodes, for unmount: mountlist_lock
 * held as writer, so no lookup brings one back meanwhile.
 */
void
vcache_mount_purge(struct mount *mp)
{
	struct vnode *vp;

	for (;;) {
		mutex_enter(&vcache_lock);
		for (vp = mp->mnt_vnodes; vp != NULL; vp = vp->v_mntnext)
			if (vp->v_state == VS_ACTIVE && vp->v_usecount == 0)
				break;
		if (vp == NULL) {
			mutex_exit(&vcache_lock);
			return;
		}
		vcache_free_remove(vp);
		vp->v_state = VS_RECLAIMING;
		mutex_exit(&vcache_lock);
		vcache_reclaim(vp);
	}
}

/* Wait until mp has no vnodes left (those being reclaimed finish). */
void
vcache_mount_drain(struct mount *mp)
{

	mutex_enter(&vcache_lock);
	while (mp->mnt_nvnodes > 0)
		cv_wait(&vcache_cv, &vcache_lock);
	mutex_exit(&vcache_lock);
}

/* Books: vnodes allocated and not yet freed; of those, cached. */
u_int
vfs_vnodes_alive(u_int *cachedp)
{
	u_int n;

	mutex_enter(&vcache_lock);
	n = vcache_nvnodes;
	if (cachedp != NULL)
		*cachedp = vcache_nfree;
	mutex_exit(&vcache_lock);
	return n;
}

/* Every field "not set" (VNOVAL), as VOP_SETATTR takes it. */
void
vattr_null(struct vattr *vap)
{

	memset(vap, 0, sizeof(*vap));
	vap->va_type = VNON;
	vap->va_mode = (mode_t)VNOVAL;
	vap->va_nlink = (nlink_t)VNOVAL;
	vap->va_uid = (uid_t)VNOVAL;
	vap->va_gid = (gid_t)VNOVAL;
	vap->va_fsid = (dev_t)VNOVAL;
	vap->va_fileid = (ino_t)VNOVAL;
	vap->va_size = VNOVAL;
	vap->va_blocksize = VNOVAL;
	vap->va_atime.tv_sec = VNOVAL;
	vap->va_mtime.tv_sec = VNOVAL;
	vap->va_ctime.tv_sec = VNOVAL;
	vap->va_birthtime.tv_sec = VNOVAL;
	vap->va_gen = (u_long)VNOVAL;
	vap->va_flags = (u_long)VNOVAL;
	vap->va_rdev = (dev_t)VNOVAL;
	vap->va_bytes = (uint64_t)VNOVAL;
}

/* Dead vnodes: every operation fails with EBADF, releasing them works. */
static int
dead_lookup(struct vnode *dvp, const struct componentname *cnp,
    struct vnode **vpp)
{

	return EBADF;
}

static int
dead_create(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, struct vnode **vpp)
{

	return EBADF;
}

static int
dead_symlink(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{

	return EBADF;
}

static int
dead_dirop(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{

	return EBADF;
}

static int
dead_rename(struct vnode *fdvp, struct vnode *fvp,
    const struct componentname *fcnp, struct vnode *tdvp, struct vnode *tvp,
    const struct componentname *tcnp)
{

	return EBADF;
}

static int
dead_getattr(struct vnode *vp, struct vattr *vap)
{

	return EBADF;
}

static int
dead_setattr(struct vnode *vp, const struct vattr *vap)
{

	return EBADF;
}

static int
dead_rw(struct vnode *vp, struct uio *uio, int ioflag)
{

	return EBADF;
}

static int
dead_uio(struct vnode *vp, struct uio *uio)
{

	return EBADF;
}

static int
dead_fsync(struct vnode *vp, int flags)
{

	return EBADF;
}

static int
dead_inactive(struct vnode *vp, bool *recycle)
{

	*recycle = true;
	return 0;
}

static int
dead_reclaim(struct vnode *vp)
{

	return 0;
}

const struct vnodeops dead_vnodeops = {
	.vop_lookup = dead_lookup,
	.vop_create = dead_create,
	.vop_symlink = dead_symlink,
	.vop_remove = dead_dirop,
	.vop_rmdir = dead_dirop,
	.vop_link = dead_dirop,
	.vop_rename = dead_rename,
	.vop_getattr = dead_getattr,
	.vop_setattr = dead_setattr,
	.vop_read = dead_rw,
	.vop_write = dead_rw,
	.vop_readdir = dead_uio,
	.vop_readlink = dead_uio,
	.vop_fsync = dead_fsync,
	.vop_inactive = dead_inactive,
	.vop_reclaim = dead_reclaim,
};
