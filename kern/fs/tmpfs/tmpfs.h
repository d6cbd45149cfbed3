/*
 * tmpfs: a file system in kernel memory (NetBSD's tmpfs(5), written anew).
 *
 * A node per file; a directory is a list of entries in creation order,
 * each with a cookie (its getdents offset, never reused within the
 * directory); a regular file's data is a radix tree of pages, holes
 * absent.  Limits from tmpfs_args: nodes (ta_nodes_max) and data pages
 * (ta_size_max), ENOSPC beyond.
 *
 * Locks: a node's fields, and a directory's entries, are guarded by the
 * lock of its vnode (the VFS takes it before each operation); tm_lock (a
 * leaf) guards the mount's counters and node list.
 */
#ifndef _FS_TMPFS_TMPFS_H_
#define _FS_TMPFS_TMPFS_H_

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/time.h>
#include <sys/vnode.h>

#define TMPFS_MAXNAMLEN		255		/* bytes in a name */
#define TMPFS_LINK_MAX		32767		/* links to a node */
#define TMPFS_MAXFILESIZE	((off_t)1 << 46)	/* bytes in a file */
#define TMPFS_RADIX_SHIFT	9
#define TMPFS_RADIX		(1 << TMPFS_RADIX_SHIFT)	/* slots a level */

struct tmpfs_node;

struct tmpfs_dirent {
	struct tmpfs_dirent	*td_next;
	struct tmpfs_node	*td_node;
	off_t			 td_cookie;	/* getdents offset, >= 2 */
	uint16_t		 td_namelen;
	char			 td_name[];	/* not NUL-terminated */
};

struct tmpfs_node {
	struct tmpfs_node	*tn_next;	/* the mount's nodes; tm_lock */
	struct tmpfs_node	*tn_prev;
	enum vtype		 tn_type;
	ino_t			 tn_id;
	uint32_t		 tn_gen;
	mode_t			 tn_mode;	/* permission bits */
	uid_t			 tn_uid;
	gid_t			 tn_gid;
	nlink_t			 tn_links;	/* 0: removed */
	off_t			 tn_size;
	uint32_t		 tn_flags;
	struct timespec		 tn_atime;
	struct timespec		 tn_mtime;
	struct timespec		 tn_ctime;
	struct timespec		 tn_birthtime;
	dev_t			 tn_rdev;
	/* VDIR */
	struct tmpfs_dirent	*tn_dir;	/* entries, oldest first */
	struct tmpfs_dirent	*tn_dirlast;
	struct tmpfs_node	*tn_parent;	/* NULL once removed */
	off_t			 tn_nextcookie;
	/* VLNK */
	char			*tn_link;	/* tn_size bytes + NUL */
	/* VREG: radix tree of pages, tn_height levels (0: page 0 alone). */
	void			**tn_pages;
	u_int			 tn_height;
	uint64_t		 tn_npages;	/* data pages held */
};

struct tmpfs_mount {
	kmutex_t		 tm_lock;
	uint64_t		 tm_nodes_max;
	uint64_t		 tm_nodes_inuse;
	uint64_t		 tm_pages_max;
	uint64_t		 tm_pages_used;
	ino_t			 tm_nextid;
	struct tmpfs_node	*tm_root;
	struct tmpfs_node	*tm_nodes;
};

#define VFS_TO_TMPFS(mp)	((struct tmpfs_mount *)(mp)->mnt_data)
#define VP_TO_TMPFS_NODE(vp)	((struct tmpfs_node *)(vp)->v_data)

extern const struct vnodeops tmpfs_vnodeops;

/* tmpfs_subr.c */
int	tmpfs_node_alloc(struct tmpfs_mount *, enum vtype, const struct vattr *,
	    struct tmpfs_node **);
void	tmpfs_node_free(struct tmpfs_mount *, struct tmpfs_node *);
int	tmpfs_page_get(struct tmpfs_mount *, struct tmpfs_node *, uint64_t,
	    bool, char **);
int	tmpfs_truncate(struct tmpfs_mount *, struct tmpfs_node *, off_t);
void	tmpfs_pages_free(struct tmpfs_mount *, struct tmpfs_node *);

#endif /* _FS_TMPFS_TMPFS_H_ */
