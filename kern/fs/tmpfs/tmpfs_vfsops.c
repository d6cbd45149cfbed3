/*
 * tmpfs mount-level operations: mount with struct tmpfs_args (NetBSD's
 * layout: rump_tmpfs_args), unmount, statvfs, and loading a vnode for a
 * node (the vnode cache key is the node's address).
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/stat.h>
#include <sys/vnode.h>
#include <sys/mount.h>

#include "tmpfs.h"

#define TMPFS_UNLIMITED_REPORT	((uint64_t)1 << 32)

/*
 * Mount: ta_version must be RUMP_TMPFS_ARGS_VERSION (else EINVAL);
 * ta_nodes_max and ta_size_max of 0 mean no limit; the root gets
 * ta_root_mode, _uid and _gid.  An update changes nothing of tmpfs's own.
 */
static int
tmpfs_mount(struct mount *mp, const char *path, void *data, size_t *datalen)
{
	struct rump_tmpfs_args *args = data;
	struct tmpfs_mount *tm;
	struct tmpfs_node *root;
	struct vattr va;
	int error;

	if (data == NULL || *datalen < sizeof(*args))
		return EINVAL;
	if (args->ta_version != RUMP_TMPFS_ARGS_VERSION)
		return EINVAL;
	if (mp->mnt_flag & MNT_UPDATE)
		return 0;
	if (args->ta_size_max < 0)
		return EINVAL;

	tm = kmem_zalloc(sizeof(*tm), KM_SLEEP);
	if (tm == NULL)
		return ENOMEM;
	mutex_init(&tm->tm_lock, MUTEX_DEFAULT, IPL_NONE);
	tm->tm_nodes_max = args->ta_nodes_max != 0 ? args->ta_nodes_max :
	    UINT64_MAX;
	tm->tm_pages_max = args->ta_size_max != 0 ?
	    howmany((uint64_t)args->ta_size_max, PAGE_SIZE) : UINT64_MAX;
	tm->tm_nextid = 2;
	mp->mnt_data = tm;

	vattr_null(&va);
	va.va_type = VDIR;
	va.va_mode = args->ta_root_mode & ALLPERMS;
	va.va_uid = args->ta_root_uid;
	va.va_gid = args->ta_root_gid;
	error = tmpfs_node_alloc(tm, VDIR, &va, &root);
	if (error != 0)
		goto bad;
	root->tn_links = 2;
	root->tn_parent = root;
	tm->tm_root = root;
	error = vcache_get(mp, &root, sizeof(root), &mp->mnt_rootvp);
	if (error != 0) {
		tmpfs_node_free(tm, root);
		goto bad;
	}
	mp->mnt_flag |= MNT_LOCAL;
	strlcpy(mp->mnt_mntfromname, "tmpfs", sizeof(mp->mnt_mntfromname));
	return 0;
bad:
	mutex_destroy(&tm->tm_lock);
	kmem_free(tm, sizeof(*tm));
	mp->mnt_data = NULL;
	return error;
}

/* Every vnode is gone: free every node. */
static int
tmpfs_unmount(struct mount *mp, int flags)
{
	struct tmpfs_mount *tm = VFS_TO_TMPFS(mp);

	while (tm->tm_nodes != NULL)
		tmpfs_node_free(tm, tm->tm_nodes);
	KASSERT(tm->tm_pages_used == 0 && tm->tm_nodes_inuse == 0);
	mutex_destroy(&tm->tm_lock);
	kmem_free(tm, sizeof(*tm));
	mp->mnt_data = NULL;
	return 0;
}

/*
 * Without a limit, report 2^32 pages and nodes in all (or twice what is
 * used, if more), so that free counts still fall as files grow.
 */
static int
tmpfs_statvfs(struct mount *mp, struct rump_statvfs *sb)
{
	struct tmpfs_mount *tm = VFS_TO_TMPFS(mp);
	uint64_t pages, nodes;

	mutex_enter(&tm->tm_lock);
	pages = tm->tm_pages_max != UINT64_MAX ? tm->tm_pages_max :
	    MAX(tm->tm_pages_used * 2, TMPFS_UNLIMITED_REPORT);
	nodes = tm->tm_nodes_max != UINT64_MAX ? tm->tm_nodes_max :
	    MAX(tm->tm_nodes_inuse * 2, TMPFS_UNLIMITED_REPORT);
	sb->f_bsize = sb->f_frsize = sb->f_iosize = PAGE_SIZE;
	sb->f_blocks = pages;
	sb->f_bfree = sb->f_bavail = pages - MIN(pages, tm->tm_pages_used);
	sb->f_files = nodes;
	sb->f_ffree = sb->f_favail = nodes - MIN(nodes, tm->tm_nodes_inuse);
	mutex_exit(&tm->tm_lock);
	return 0;
}

static int
tmpfs_sync(struct mount *mp, int waitfor, kauth_cred_t cred)
{

	return 0;
}

static int
tmpfs_loadvnode(struct mount *mp, struct vnode *vp, const void *key,
    size_t keylen)
{
	struct tmpfs_node *node;

	KASSERT(keylen == sizeof(node));
	memcpy(&node, key, sizeof(node));
	vp->v_type = node->tn_type;
	vp->v_op = &tmpfs_vnodeops;
	vp->v_data = node;
	vp->v_rdev = node->tn_rdev;
	if (node == VFS_TO_TMPFS(mp)->tm_root)
		vp->v_vflag |= VV_ROOT;
	return 0;
}

/*
 * MNT_GETARGS: the arguments in force, as a mount takes them back: the
 * limits (0: none; the size as the whole pages it allows, at most
 * INT64_MAX rounded down to a page) and the root's owner and mode now.
 * The root's vnode is locked (shared); the limits never change.
 */
static int
tmpfs_getargs(struct mount *mp, void *data, size_t *datalen)
{
	struct rump_tmpfs_args *args = data;
	struct tmpfs_mount *tm = VFS_TO_TMPFS(mp);
	struct tmpfs_node *root = tm->tm_root;

	if (*datalen < sizeof(*args))
		return EINVAL;
	args->ta_version = RUMP_TMPFS_ARGS_VERSION;
	args->ta_nodes_max = tm->tm_nodes_max != UINT64_MAX ?
	    tm->tm_nodes_max : 0;
	args->ta_size_max = tm->tm_pages_max != UINT64_MAX ?
	    (int64_t)MIN(tm->tm_pages_max, INT64_MAX / PAGE_SIZE) * PAGE_SIZE :
	    0;
	args->ta_root_uid = root->tn_uid;
	args->ta_root_gid = root->tn_gid;
	args->ta_root_mode = root->tn_mode;
	*datalen = sizeof(*args);
	return 0;
}

struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_argsize = sizeof(struct rump_tmpfs_args),
	.vfs_mount = tmpfs_mount,
	.vfs_unmount = tmpfs_unmount,
	.vfs_statvfs = tmpfs_statvfs,
	.vfs_sync = tmpfs_sync,
	.vfs_loadvnode = tmpfs_loadvnode,
	.vfs_getargs = tmpfs_getargs,
};
