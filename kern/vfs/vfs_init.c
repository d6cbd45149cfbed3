/*
 * Starting and stopping the VFS layer, in two rows of init_main.c's
 * table around the other file systems' rows: first the vnode cache, the
 * mount table, etfs and tmpfs (vfs_init); after every file-system type,
 * "/" (a tmpfs) and the per-process hooks (vfs_rootinit).  At teardown
 * every mount goes by force (vfs_rootfini) before any file-system type
 * is detached (ext2fs_fini, vfs_fini), and the books say what was still
 * referenced.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/proc.h>
#include <sys/vnode.h>
#include <sys/mount.h>
#include <sys/filedesc.h>

#include <rump/rumpus_vfs.h>

#include "vfs_private.h"

static bool vfs_up;
static u_int vfs_teardown_vnodes;

/* Boot the VFS up to its file-system types; an error stops rump_init. */
int
vfs_init(void)
{
	int error;

	vcache_init();
	vfs_mount_init();
	etfs_init();
	error = vfs_attach(&tmpfs_vfsops);
	vfs_up = true;
	if (error != 0) {
		printf("vfs: cannot start: error %d\n", error);
		/* Undo what was done, so a later boot starts afresh. */
		vfs_fini();
		return error;
	}
	return 0;
}

/*
 * Teardown, once every mount is gone (vfs_rootfini): etfs closes its
 * host files, tmpfs is detached, the vnode cache goes if it is empty.
 */
void
vfs_fini(void)
{
	u_int n;

	if (!vfs_up)
		return;
	etfs_fini();
	vfs_detach(&tmpfs_vfsops);
	vfs_mount_fini();
	n = vfs_vnodes_alive(NULL);
	vfs_teardown_vnodes = n;
	if (n != 0)
		printf("vfs: %u vnodes still referenced at teardown\n", n);
	else
		vcache_fini();
	vfs_up = false;
}

/*
 * Mount "/", register the per-process hooks and give proc0 a descriptor
 * table and "/" as its cwd (initproc inherits them); every file-system
 * type is attached by now.  An error stops rump_init.
 */
int
vfs_rootinit(void)
{
	int error;

	error = vfs_mountroot();
	if (error == 0)
		error = proc_hooks_register(&vfs_proc_hooks);
	if (error == 0 && proc0.p_fd == NULL)
		error = vfs_proc_init(&proc0);
	if (error != 0) {
		printf("vfs: cannot mount the root: error %d\n", error);
		vfs_rootfini();
		return error;
	}
	return 0;
}

/*
 * Teardown, after every process but proc0 has ended: proc0 lets go of
 * its files and every mount goes, by force, newest first, while every
 * file-system type is still attached.
 */
void
vfs_rootfini(void)
{

	vfs_proc_exit(&proc0);
	(void)vfs_unmountall();
}

/* The VFS's books (rump/rumpus_vfs.h). */
int
rumpus_vfs_books(struct rumpus_vfs_books *vb)
{

	if (vb == NULL)
		return EFAULT;
	vb->vb_cached = 0;
	vb->vb_vnodes = vfs_up ? vfs_vnodes_alive(&vb->vb_cached) : 0;
	vb->vb_cachemax = VCACHE_FREEMAX;
	vb->vb_mounts = vfs_up ? vfs_mounts() : 0;
	vb->vb_teardown_vnodes = vfs_teardown_vnodes;
	return 0;
}
