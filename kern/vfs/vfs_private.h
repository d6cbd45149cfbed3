/*
 * What the files of kern/vfs/ share and no file system needs.
 */
#ifndef _VFS_VFS_PRIVATE_H_
#define _VFS_VFS_PRIVATE_H_

#include <sys/vnode.h>
#include <sys/mount.h>

/* vfs_vnode.c */
void	vcache_init(void);
void	vcache_fini(void);
void	vgone(struct vnode *);
u_int	vcache_mount_busy(struct mount *, struct vnode **);
void	vcache_mount_purge(struct mount *);
void	vcache_mount_drain(struct mount *);

/* vfs_mount.c */
void	vfs_mount_init(void);
void	vfs_mount_fini(void);
extern struct vnode *rootvnode;

/* vfs_descrip.c */
struct proc_hooks;
extern const struct proc_hooks vfs_proc_hooks;

/* vfs_init.c: two rows of init_main.c's table. */
int	vfs_init(void);
void	vfs_fini(void);
int	vfs_rootinit(void);
void	vfs_rootfini(void);

/* tmpfs, the root file system and the first type known. */
extern struct vfsops tmpfs_vfsops;

/* etfs (kern/dev/etfs.c) */
void	etfs_init(void);
void	etfs_fini(void);
struct vnode *etfs_lookup(const char *);

#endif /* _VFS_VFS_PRIVATE_H_ */
