/*
 * The public rump kernel interface of rumpus's kernel, with NetBSD's names,
 * values and signatures (sys/rump/include/rump/rump.h): boot, the virtual
 * CPU bracket, lwprocs and reboot.  Host code includes this.
 */
#ifndef _RUMP_RUMP_H_
#define _RUMP_RUMP_H_

#include <sys/types.h>

struct lwp;

/* flags to rump_lwproc_rfork */
#define RUMP_RFFDG	0x01		/* copy the descriptor table */
#define RUMP_RFCFDG	0x02		/* start with an empty one */
#define RUMP_RFFD_SHARE	0x00		/* share the parent's */
#define RUMP_RFFD_COPY	RUMP_RFFDG
#define RUMP_RFFD_CLEAR	RUMP_RFCFDG

/* rump_sys_reboot howto bits (NetBSD's sys/reboot.h) */
#define RUMP_RB_AUTOBOOT	0x0000
#define RUMP_RB_HALT		0x0008
#define RUMP_RB_NOSYNC		0x0004
#define RUMP_RB_DUMP		0x0100
#define RUMP_RB_POWERDOWN	(RUMP_RB_HALT | 0x800)

int	rump_init(void);
void	rump_schedule(void);
void	rump_unschedule(void);

int	rump_pub_lwproc_rfork(int);
int	rump_pub_lwproc_newlwp(pid_t);
void	rump_pub_lwproc_switch(struct lwp *);
void	rump_pub_lwproc_releaselwp(void);
struct lwp *rump_pub_lwproc_curlwp(void);

#define rump_lwproc_rfork	rump_pub_lwproc_rfork
#define rump_lwproc_newlwp	rump_pub_lwproc_newlwp
#define rump_lwproc_switch	rump_pub_lwproc_switch
#define rump_lwproc_releaselwp	rump_pub_lwproc_releaselwp
#define rump_lwproc_curlwp	rump_pub_lwproc_curlwp

/*
 * reboot(2): halts the kernel and ends the process through rumpuser_exit
 * (RB_DUMP: as a panic).  Returns only on error (-1, errno EPERM for a
 * caller who is not root).
 */
int	rump___sysimpl_reboot(int, char *);
#define rump_sys_reboot		rump___sysimpl_reboot

/* Credentials of the current process (kern_prot.c). */
uid_t	rump___sysimpl_getuid(void);
uid_t	rump___sysimpl_geteuid(void);
gid_t	rump___sysimpl_getgid(void);
gid_t	rump___sysimpl_getegid(void);
pid_t	rump___sysimpl_getpid(void);
int	rump___sysimpl_setuid(uid_t);
int	rump___sysimpl_seteuid(uid_t);
int	rump___sysimpl_setgid(gid_t);
int	rump___sysimpl_setegid(gid_t);
#define rump_sys_getuid		rump___sysimpl_getuid
#define rump_sys_geteuid	rump___sysimpl_geteuid
#define rump_sys_getgid		rump___sysimpl_getgid
#define rump_sys_getegid	rump___sysimpl_getegid
#define rump_sys_getpid		rump___sysimpl_getpid
#define rump_sys_setuid		rump___sysimpl_setuid
#define rump_sys_seteuid	rump___sysimpl_seteuid
#define rump_sys_setgid		rump___sysimpl_setgid
#define rump_sys_setegid	rump___sysimpl_setegid

#endif /* _RUMP_RUMP_H_ */
