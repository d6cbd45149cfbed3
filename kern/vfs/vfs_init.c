/*
 * Starting and stopping the VFS layer (a row of init_main.c's table):
 * the vnode cache, the mount table, the file-system types, "/" (a tmpfs),
 * etfs and the per-process hooks; at teardown everything is unmounted by
 * force and the books say what was still referenced.
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

/* Boot the VFS (see above); an error stops rump_init. */
int
vfs_init(void)
{
	int error;

	vcache_init();
	vfs_mount_init();
	etfs_init();
	error = vfs_attach(&tmpfs_vfsops);
	if (error == 0)
		error = vfs_mountroot();
	if (error == 0)
		error = proc_hooks_register(&vfs_proc_hooks);
	if (error == 0 && proc0.p_fd == NULL)
		error = vfs_proc_init(&proc0);
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
 * Teardown, after every process but proc0 has ended: proc0 lets go of its
 * files, every mount goes (by force), etfs closes its host files.
 */
void
vfs_fini(void)
{
	u_int n;

	if (!vfs_up)
		return;
	vfs_proc_exit(&proc0);
	(void)vfs_unmountall();
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
