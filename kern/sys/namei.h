/*
 * Path lookup (vfs_lookup.c).  A path is copied into the kernel
 * (MAXPATHLEN with the NUL; longer: ENAMETOOLONG; NULL: EFAULT) and walked
 * component by component from the process's root or the start directory:
 * "." and ".." (which stops at the root and steps out of mounts), symbolic
 * links (at most MAXSYMLINKS per lookup: ELOOP), mount points, trailing
 * slashes (only directories take them: ENOTDIR).
 */
#ifndef _SYS_NAMEI_H_
#define _SYS_NAMEI_H_

#include <sys/vnode.h>
#include <sys/param.h>

/* ni_flags */
#define NI_FOLLOW	0x0001	/* follow a symbolic link in the last component */
#define NI_PARENT	0x0002	/* want the parent and the last name too */
#define NI_SYSSPACE	0x0004	/* the path is a kernel string already */

struct nameidata {
	/* In. */
	const char	*ni_path;	/* the caller's path */
	int		 ni_flags;
	struct vnode	*ni_startdir;	/* relative paths start here; NULL: cwd */
	kauth_cred_t	 ni_cred;
	/* Out: referenced, unlocked vnodes. */
	struct vnode	*ni_dvp;	/* NI_PARENT: the parent; else NULL */
	struct vnode	*ni_vp;		/* the file; NULL if it does not exist */
	struct componentname ni_cn;	/* NI_PARENT: the last name (in ni_buf) */
	bool		 ni_trailslash;	/* the path ended in '/' */
	char		 ni_buf[MAXPATHLEN]; /* the path, symlinks spliced in */
};

void	namei_init(struct nameidata *, const char *, int, struct vnode *,
	    kauth_cred_t);
int	namei(struct nameidata *);
/* Release what namei returned (ni_dvp, ni_vp). */
void	namei_done(struct nameidata *);
/* "." or ".." as the last name. */
bool	namei_isdot(const struct componentname *);

/* The parent of a directory: a lookup of "..", stepping out of mounts. */
int	vfs_parentdir(struct vnode *, kauth_cred_t, struct vnode **);

#endif /* _SYS_NAMEI_H_ */
