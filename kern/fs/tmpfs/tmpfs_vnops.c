/*
 * tmpfs vnode operations.  The VFS has locked the vnodes as struct
 * vnodeops lists, checked permissions and the name's existence; these
 * check what depends on the file system's own state (a removed directory,
 * an empty one, limits) and change the nodes.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/dirent.h>
#include <sys/stat.h>
#include <sys/vnode.h>
#include <sys/mount.h>

#include "tmpfs.h"

static struct tmpfs_mount *
tmpfs_vp_mount(struct vnode *vp)
{

	return VFS_TO_TMPFS(vp->v_mount);
}

/* The node's vnode, referenced. */
static int
tmpfs_vget(struct mount *mp, struct tmpfs_node *node, struct vnode **vpp)
{

	return vcache_get(mp, &node, sizeof(node), vpp);
}

/* The entry of dnode named cnp, or NULL; *prevp its predecessor. */
static struct tmpfs_dirent *
tmpfs_dir_find(struct tmpfs_node *dnode, const struct componentname *cnp,
    struct tmpfs_dirent **prevp)
{
	struct tmpfs_dirent *de, *prev = NULL;

	for (de = dnode->tn_dir; de != NULL; prev = de, de = de->td_next) {
		if (de->td_namelen == cnp->cn_namelen &&
		    memcmp(de->td_name, cnp->cn_nameptr, cnp->cn_namelen) == 0)
			break;
	}
	if (prevp != NULL)
		*prevp = prev;
	return de;
}

/* An entry for name cnp, unattached; ENAMETOOLONG past TMPFS_MAXNAMLEN. */
static int
tmpfs_dirent_alloc(const struct componentname *cnp, struct tmpfs_dirent **dep)
{
	struct tmpfs_dirent *de;

	if (cnp->cn_namelen > TMPFS_MAXNAMLEN)
		return ENAMETOOLONG;
	de = kmem_alloc(sizeof(*de) + cnp->cn_namelen, KM_SLEEP);
	if (de == NULL)
		return ENOMEM;
	de->td_next = NULL;
	de->td_node = NULL;
	de->td_namelen = (uint16_t)cnp->cn_namelen;
	memcpy(de->td_name, cnp->cn_nameptr, cnp->cn_namelen);
	*dep = de;
	return 0;
}

/* Append de, pointing at node, to dnode (entries stay in cookie order). */
static void
tmpfs_dir_attach(struct tmpfs_node *dnode, struct tmpfs_dirent *de,
    struct tmpfs_node *node)
{

	de->td_node = node;
	de->td_cookie = dnode->tn_nextcookie++;
	de->td_next = NULL;
	if (dnode->tn_dirlast != NULL)
		dnode->tn_dirlast->td_next = de;
	else
		dnode->tn_dir = de;
	dnode->tn_dirlast = de;
	dnode->tn_size += sizeof(struct tmpfs_dirent) + de->td_namelen;
}

/* Unlink entry de (after prev) from dnode and free it. */
static void
tmpfs_dir_detach(struct tmpfs_node *dnode, struct tmpfs_dirent *de,
    struct tmpfs_dirent *prev)
{

	if (prev != NULL)
		prev->td_next = de->td_next;
	else
		dnode->tn_dir = de->td_next;
	if (dnode->tn_dirlast == de)
		dnode->tn_dirlast = prev;
	dnode->tn_size -= sizeof(struct tmpfs_dirent) + de->td_namelen;
	kmem_free(de, sizeof(*de) + de->td_namelen);
}

/* ctime now, and mtime if the contents changed.  The node's vnode LE. */
static void
tmpfs_touch(struct tmpfs_node *node, bool modified)
{
	struct timespec now;

	getnanotime(&now);
	node->tn_ctime = now;
	if (modified)
		node->tn_mtime = now;
}

/*
 * "." (dvp itself), ".." (the parent; ENOENT once removed) or an entry.
 * dvp LS.
 */
static int
tmpfs_lookup(struct vnode *dvp, const struct componentname *cnp,
    struct vnode **vpp)
{
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_dirent *de;

	if (cnp->cn_namelen == 1 && cnp->cn_nameptr[0] == '.') {
		vref(dvp);
		*vpp = dvp;
		return 0;
	}
	if (cnp->cn_namelen == 2 && cnp->cn_nameptr[0] == '.' &&
	    cnp->cn_nameptr[1] == '.') {
		if (dnode->tn_parent == NULL)
			return ENOENT;
		return tmpfs_vget(dvp->v_mount, dnode->tn_parent, vpp);
	}
	de = tmpfs_dir_find(dnode, cnp, NULL);
	if (de == NULL)
		return ENOENT;
	return tmpfs_vget(dvp->v_mount, de->td_node, vpp);
}

/*
 * A new node of type va_type (target: a symlink's) linked into dvp as
 * cnp.  A directory's ".." counts as a link to its parent.
 */
static int
tmpfs_newnode(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{
	struct tmpfs_mount *tm = tmpfs_vp_mount(dvp);
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(dvp), *node;
	struct tmpfs_dirent *de;
	size_t len = 0;
	int error;

	if (dnode->tn_links == 0)
		return ENOENT;
	if (vap->va_type == VDIR && dnode->tn_links >= TMPFS_LINK_MAX)
		return EMLINK;
	error = tmpfs_dirent_alloc(cnp, &de);
	if (error != 0)
		return error;
	error = tmpfs_node_alloc(tm, vap->va_type, vap, &node);
	if (error != 0)
		goto bad;
	if (target != NULL) {
		len = strlen(target);
		node->tn_link = kmem_alloc(len + 1, KM_SLEEP);
		if (node->tn_link == NULL) {
			error = ENOMEM;
			tmpfs_node_free(tm, node);
			goto bad;
		}
		memcpy(node->tn_link, target, len + 1);
		node->tn_size = len;
	}
	error = tmpfs_vget(dvp->v_mount, node, vpp);
	if (error != 0) {
		tmpfs_node_free(tm, node);
		goto bad;
	}
	if (vap->va_type == VDIR) {
		node->tn_parent = dnode;
		node->tn_links = 2;
		dnode->tn_links++;
	} else
		node->tn_links = 1;
	tmpfs_dir_attach(dnode, de, node);
	tmpfs_touch(dnode, true);
	return 0;
bad:
	kmem_free(de, sizeof(*de) + de->td_namelen);
	return error;
}

/* A regular file, directory or device node.  dvp LE. */
static int
tmpfs_create(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, struct vnode **vpp)
{

	if (vap->va_type != VREG && vap->va_type != VDIR &&
	    vap->va_type != VBLK && vap->va_type != VCHR)
		return EINVAL;
	return tmpfs_newnode(dvp, cnp, vap, NULL, vpp);
}

/* A symbolic link holding target.  dvp LE. */
static int
tmpfs_symlink(struct vnode *dvp, const struct componentname *cnp,
    struct vattr *vap, const char *target, struct vnode **vpp)
{

	vap->va_type = VLNK;
	return tmpfs_newnode(dvp, cnp, vap, target, vpp);
}

/* Remove the entry cnp (vp, not a directory) of dvp.  dvp, vp LE. */
static int
tmpfs_remove(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_dirent *de, *prev;

	de = tmpfs_dir_find(dnode, cnp, &prev);
	if (de == NULL || de->td_node != node)
		return ENOENT;
	if (node->tn_type == VDIR)
		return EPERM;
	tmpfs_dir_detach(dnode, de, prev);
	node->tn_links--;
	tmpfs_touch(node, false);
	tmpfs_touch(dnode, true);
	return 0;
}

/* Remove the empty directory vp, entry cnp of dvp.  dvp, vp LE. */
static int
tmpfs_rmdir(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_dirent *de, *prev;

	de = tmpfs_dir_find(dnode, cnp, &prev);
	if (de == NULL || de->td_node != node)
		return ENOENT;
	if (node->tn_type != VDIR)
		return ENOTDIR;
	if (node->tn_dir != NULL)
		return ENOTEMPTY;
	tmpfs_dir_detach(dnode, de, prev);
	dnode->tn_links--;
	node->tn_links = 0;
	node->tn_parent = NULL;
	tmpfs_touch(node, false);
	tmpfs_touch(dnode, true);
	return 0;
}

/* A new entry cnp in dvp for vp.  dvp, vp LE. */
static int
tmpfs_link(struct vnode *dvp, struct vnode *vp,
    const struct componentname *cnp)
{
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(dvp);
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_dirent *de;
	int error;

	if (dnode->tn_links == 0 || node->tn_links == 0)
		return ENOENT;
	if (node->tn_links >= TMPFS_LINK_MAX)
		return EMLINK;
	error = tmpfs_dirent_alloc(cnp, &de);
	if (error != 0)
		return error;
	tmpfs_dir_attach(dnode, de, node);
	node->tn_links++;
	tmpfs_touch(node, false);
	tmpfs_touch(dnode, true);
	return 0;
}

/*
 * Move fcnp of fdvp to tcnp of tdvp, replacing tvp if given (an empty
 * directory, or a non-directory: the VFS matched their types).
 */
static int
tmpfs_rename(struct vnode *fdvp, struct vnode *fvp,
    const struct componentname *fcnp, struct vnode *tdvp, struct vnode *tvp,
    const struct componentname *tcnp)
{
	struct tmpfs_node *fdnode = VP_TO_TMPFS_NODE(fdvp);
	struct tmpfs_node *tdnode = VP_TO_TMPFS_NODE(tdvp);
	struct tmpfs_node *fnode = VP_TO_TMPFS_NODE(fvp);
	struct tmpfs_node *tnode = tvp != NULL ? VP_TO_TMPFS_NODE(tvp) : NULL;
	struct tmpfs_dirent *fde, *fprev, *tde = NULL, *nde = NULL;
	int error;

	fde = tmpfs_dir_find(fdnode, fcnp, &fprev);
	if (fde == NULL || fde->td_node != fnode)
		return ENOENT;
	if (tdnode->tn_links == 0)
		return ENOENT;
	if (tnode != NULL) {
		tde = tmpfs_dir_find(tdnode, tcnp, NULL);
		if (tde == NULL || tde->td_node != tnode)
			return ENOENT;
		if (tnode->tn_type == VDIR && tnode->tn_dir != NULL)
			return ENOTEMPTY;
	} else {
		if (fnode->tn_type == VDIR && fdnode != tdnode &&
		    tdnode->tn_links >= TMPFS_LINK_MAX)
			return EMLINK;
		error = tmpfs_dirent_alloc(tcnp, &nde);
		if (error != 0)
			return error;
	}

	/* Nothing can fail from here on. */
	if (tnode != NULL) {
		tde->td_node = fnode;
		if (tnode->tn_type == VDIR) {
			tnode->tn_links = 0;
			tnode->tn_parent = NULL;
			tdnode->tn_links--;
		} else
			tnode->tn_links--;
		tmpfs_touch(tnode, false);
	} else
		tmpfs_dir_attach(tdnode, nde, fnode);
	/* fde may have moved if fdnode == tdnode: find it again. */
	fde = tmpfs_dir_find(fdnode, fcnp, &fprev);
	KASSERT(fde != NULL && fde->td_node == fnode);
	tmpfs_dir_detach(fdnode, fde, fprev);
	if (fnode->tn_type == VDIR && fdnode != tdnode) {
		fnode->tn_parent = tdnode;
		fdnode->tn_links--;
		tdnode->tn_links++;
	}
	tmpfs_touch(fnode, false);
	tmpfs_touch(fdnode, true);
	tmpfs_touch(tdnode, true);
	return 0;
}

/* The node's attributes.  vp LS. */
static int
tmpfs_getattr(struct vnode *vp, struct vattr *vap)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);

	vattr_null(vap);
	vap->va_type = node->tn_type;
	vap->va_mode = node->tn_mode;
	vap->va_nlink = node->tn_links;
	vap->va_uid = node->tn_uid;
	vap->va_gid = node->tn_gid;
	vap->va_fsid = vp->v_mount->mnt_fsid;
	vap->va_fileid = node->tn_id;
	vap->va_size = node->tn_size;
	vap->va_blocksize = PAGE_SIZE;
	vap->va_atime = node->tn_atime;
	vap->va_mtime = node->tn_mtime;
	vap->va_ctime = node->tn_ctime;
	vap->va_birthtime = node->tn_birthtime;
	vap->va_gen = node->tn_gen;
	vap->va_flags = node->tn_flags;
	vap->va_rdev = node->tn_rdev;
	vap->va_bytes = node->tn_npages * PAGE_SIZE;
	return 0;
}

/*
 * Change what vap sets: size (regular files only), mode, owner, flags,
 * times; ctime always.  vp LE.
 */
static int
tmpfs_setattr(struct vnode *vp, const struct vattr *vap)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	int error;

	if (vap->va_size != VNOVAL) {
		if (node->tn_type == VDIR)
			return EISDIR;
		if (node->tn_type != VREG)
			return EINVAL;
		error = tmpfs_truncate(tmpfs_vp_mount(vp), node, vap->va_size);
		if (error != 0)
			return error;
		tmpfs_touch(node, true);
	}
	if (vap->va_mode != (mode_t)VNOVAL)
		node->tn_mode = vap->va_mode & ALLPERMS;
	if (vap->va_uid != (uid_t)VNOVAL)
		node->tn_uid = vap->va_uid;
	if (vap->va_gid != (gid_t)VNOVAL)
		node->tn_gid = vap->va_gid;
	if (vap->va_flags != (u_long)VNOVAL)
		node->tn_flags = (uint32_t)vap->va_flags;
	if (vap->va_atime.tv_sec != VNOVAL)
		node->tn_atime = vap->va_atime;
	if (vap->va_mtime.tv_sec != VNOVAL)
		node->tn_mtime = vap->va_mtime;
	if (vap->va_birthtime.tv_sec != VNOVAL)
		node->tn_birthtime = vap->va_birthtime;
	getnanotime(&node->tn_ctime);
	return 0;
}

/* Copy out file bytes, zeroes for holes, up to the size.  vp LE. */
static int
tmpfs_read(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	char *page;
	off_t off;
	size_t len;
	int error = 0;

	if (vp->v_type != VREG)		/* directories: EISDIR in the VFS */
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && uio->uio_offset < node->tn_size) {
		off = uio->uio_offset;
		len = MIN((off_t)uio->uio_resid, node->tn_size - off);
		len = MIN(len, PAGE_SIZE - (size_t)(off % PAGE_SIZE));
		error = tmpfs_page_get(tmpfs_vp_mount(vp), node,
		    off / PAGE_SIZE, false, &page);
		if (error != 0)
			break;
		if (page != NULL)
			error = uiomove(page + off % PAGE_SIZE, len, uio);
		else
			error = uiomove_zero(len, uio);
		if (error != 0)
			break;
	}
	getnanotime(&node->tn_atime);
	return error;
}

/*
 * Copy in at uio_offset (the end with IO_APPEND), allocating pages
 * (ENOSPC at the size limit) and growing the size.  vp LE.
 */
static int
tmpfs_write(struct vnode *vp, struct uio *uio, int ioflag)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);
	char *page;
	off_t off;
	size_t len;
	int error = 0;

	if (vp->v_type != VREG)		/* directories: EISDIR in the VFS */
		return EINVAL;
	if (ioflag & IO_APPEND)
		uio->uio_offset = node->tn_size;
	if (uio->uio_offset < 0)
		return EINVAL;
	if (uio->uio_resid > (size_t)TMPFS_MAXFILESIZE ||
	    uio->uio_offset > TMPFS_MAXFILESIZE - (off_t)uio->uio_resid)
		return EFBIG;
	while (uio->uio_resid > 0) {
		off = uio->uio_offset;
		len = MIN(uio->uio_resid, PAGE_SIZE - (size_t)(off % PAGE_SIZE));
		error = tmpfs_page_get(tmpfs_vp_mount(vp), node,
		    off / PAGE_SIZE, true, &page);
		if (error != 0)
			break;
		error = uiomove(page + off % PAGE_SIZE, len, uio);
		if (uio->uio_offset > node->tn_size)
			node->tn_size = uio->uio_offset;
		if (error != 0)
			break;
	}
	tmpfs_touch(node, true);
	return error;
}

/*
 * Directory entries from cookie uio_offset on: 0 is ".", 1 is "..", then
 * each entry's cookie.  Whole records only; EINVAL if not even the first
 * fits.  uio_offset ends at the cookie of the next entry to return.
 */
static int
tmpfs_readdir(struct vnode *vp, struct uio *uio)
{
	struct tmpfs_node *dnode = VP_TO_TMPFS_NODE(vp);
	struct tmpfs_node *parent;
	struct tmpfs_dirent *de = dnode->tn_dir;
	struct rump_dirent d;
	off_t cookie = uio->uio_offset, next;
	size_t reclen;
	bool some = false;
	int error;

	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (cookie < 0)
		return EINVAL;
	for (;;) {
		memset(&d, 0, offsetof(struct rump_dirent, d_name));
		if (cookie == 0) {
			d.d_fileno = dnode->tn_id;
			d.d_namlen = 1;
			memcpy(d.d_name, ".", 2);
			d.d_type = DT_DIR;
			next = 1;
		} else if (cookie == 1) {
			parent = dnode->tn_parent != NULL ? dnode->tn_parent :
			    dnode;
			d.d_fileno = parent->tn_id;
			d.d_namlen = 2;
			memcpy(d.d_name, "..", 3);
			d.d_type = DT_DIR;
			next = 2;
		} else {
			while (de != NULL && de->td_cookie < cookie)
				de = de->td_next;
			if (de == NULL)
				break;
			d.d_fileno = de->td_node->tn_id;
			d.d_namlen = de->td_namelen;
			memcpy(d.d_name, de->td_name, de->td_namelen);
			d.d_name[de->td_namelen] = '\0';
			d.d_type = vtype_to_dt(de->td_node->tn_type);
			next = de->td_cookie + 1;
		}
		reclen = _DIRENT_RECLEN(d.d_namlen);
		d.d_reclen = (uint16_t)reclen;
		if (reclen > uio->uio_resid) {
			if (!some)
				return EINVAL;
			break;
		}
		/* Pad with zeroes after the name. */
		memset(d.d_name + d.d_namlen, 0,
		    reclen - offsetof(struct rump_dirent, d_name) - d.d_namlen);
		error = uiomove(&d, reclen, uio);
		if (error != 0)
			return error;
		some = true;
		cookie = next;
		uio->uio_offset = cookie;
	}
	uio->uio_offset = cookie;
	getnanotime(&dnode->tn_atime);
	return 0;
}

/* The link's target (not NUL-terminated).  vp LS. */
static int
tmpfs_readlink(struct vnode *vp, struct uio *uio)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);

	if (vp->v_type != VLNK)
		return EINVAL;
	return uiomove(node->tn_link, MIN((size_t)node->tn_size,
	    uio->uio_resid), uio);
}

/* Memory is the file system's only storage: nothing to write. */
static int
tmpfs_fsync(struct vnode *vp, int flags)
{

	return 0;
}

/* A removed node goes with its vnode; others keep theirs cached. */
static int
tmpfs_inactive(struct vnode *vp, bool *recycle)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);

	*recycle = node->tn_links == 0;
	return 0;
}

/* The vnode goes: a node no entry refers to any more goes with it. */
static int
tmpfs_reclaim(struct vnode *vp)
{
	struct tmpfs_node *node = VP_TO_TMPFS_NODE(vp);

	vp->v_data = NULL;
	if (node != NULL && node->tn_links == 0)
		tmpfs_node_free(tmpfs_vp_mount(vp), node);
	return 0;
}

const struct vnodeops tmpfs_vnodeops = {
	.vop_lookup = tmpfs_lookup,
	.vop_create = tmpfs_create,
	.vop_symlink = tmpfs_symlink,
	.vop_remove = tmpfs_remove,
	.vop_rmdir = tmpfs_rmdir,
	.vop_link = tmpfs_link,
	.vop_rename = tmpfs_rename,
	.vop_getattr = tmpfs_getattr,
	.vop_setattr = tmpfs_setattr,
	.vop_read = tmpfs_read,
	.vop_write = tmpfs_write,
	.vop_readdir = tmpfs_readdir,
	.vop_readlink = tmpfs_readlink,
	.vop_fsync = tmpfs_fsync,
	.vop_inactive = tmpfs_inactive,
	.vop_reclaim = tmpfs_reclaim,
};
