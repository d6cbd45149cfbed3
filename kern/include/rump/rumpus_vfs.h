/*
 * The VFS part of the rumpus extension interface (see rumpus_ext.h):
 * what the file-system layer still holds, for tests and the harness.
 */
#ifndef _RUMP_RUMPUS_VFS_H_
#define _RUMP_RUMPUS_VFS_H_

struct rumpus_vfs_books {
	unsigned	vb_vnodes;	/* vnodes allocated, not yet freed */
	unsigned	vb_cached;	/* of those, unreferenced, cached */
	unsigned	vb_cachemax;	/* the most kept cached */
	unsigned	vb_mounts;	/* mounts, "/" included */
	unsigned	vb_teardown_vnodes; /* alive when the last teardown
					       finished (0: none leaked) */
};

/* 0, or EFAULT for NULL.  Safe before boot and after teardown (zeroes). */
int	rumpus_vfs_books(struct rumpus_vfs_books *);

#endif /* _RUMP_RUMPUS_VFS_H_ */
