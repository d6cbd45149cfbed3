/*
 * The credential system calls of the current process (NetBSD's
 * kern_prot.c): get and set user and group ids.  A change makes a new
 * credential and swaps it into the process, so other processes, which
 * hold their own copies since rfork, never see it.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/kauth.h>
#include <rump/rump.h>

#include "kern_private.h"

/*
 * Replace p's credentials with new (one reference, which p takes over).
 * Called with a CPU, no locks held.
 */
static void
proc_cred_replace(struct proc *p, kauth_cred_t new)
{
	kauth_cred_t old;

	mutex_enter(&p->p_lock);
	old = p->p_cred;
	p->p_cred = new;
	mutex_exit(&p->p_lock);
	kauth_cred_free(old);
	lwp_cache_creds(curlwp);
}

#define PROT_SETID_UID	0
#define PROT_SETID_EUID	1
#define PROT_SETID_GID	2
#define PROT_SETID_EGID	3

/*
 * Set an id.  As in NetBSD: root may set anything; others may set the
 * effective id to the real or saved one, and setuid/setgid to the real
 * one.  setuid/setgid set real, effective and saved ids.
 */
static int
prot_setid(int which, uint32_t id)
{
	struct proc *p = curproc;
	kauth_cred_t cur = curlwp->l_cred, new;
	uint32_t r, sv;
	bool root;

	root = kauth_authorize_generic(cur, KAUTH_GENERIC_ISSUSER, NULL) == 0;
	if (which == PROT_SETID_UID || which == PROT_SETID_EUID) {
		r = kauth_cred_getuid(cur);
		sv = kauth_cred_getsvuid(cur);
	} else {
		r = kauth_cred_getgid(cur);
		sv = kauth_cred_getsvgid(cur);
	}
	if (!root && id != r &&
	    (which == PROT_SETID_UID || which == PROT_SETID_GID || id != sv))
		return EPERM;
	if ((new = kauth_cred_dup(cur)) == NULL)
		return ENOMEM;
	switch (which) {
	case PROT_SETID_UID:
		kauth_cred_setuid(new, id);
		kauth_cred_setsvuid(new, id);
		/* FALLTHROUGH */
	case PROT_SETID_EUID:
		kauth_cred_seteuid(new, id);
		break;
	case PROT_SETID_GID:
		kauth_cred_setgid(new, id);
		kauth_cred_setsvgid(new, id);
		/* FALLTHROUGH */
	case PROT_SETID_EGID:
		kauth_cred_setegid(new, id);
		break;
	}
	proc_cred_replace(p, new);
	return 0;
}

/* Syscall entry: bracket with the CPU, report an error as errno/-1. */
static int
prot_setid_syscall(int which, uint32_t id)
{
	int error;

	rump_schedule();
	error = prot_setid(which, id);
	rump_unschedule();
	if (error != 0) {
		rumpuser_seterrno(error);
		return -1;
	}
	return 0;
}

int rump___sysimpl_setuid(uid_t u) { return prot_setid_syscall(PROT_SETID_UID, u); }
int rump___sysimpl_seteuid(uid_t u) { return prot_setid_syscall(PROT_SETID_EUID, u); }
int rump___sysimpl_setgid(gid_t g) { return prot_setid_syscall(PROT_SETID_GID, g); }
int rump___sysimpl_setegid(gid_t g) { return prot_setid_syscall(PROT_SETID_EGID, g); }

/* The getters cannot fail. */
#define PROT_GETTER(name, type, expr)					\
type									\
name(void)								\
{									\
	type v;								\
									\
	rump_schedule();						\
	v = (expr);							\
	rump_unschedule();						\
	return v;							\
}
PROT_GETTER(rump___sysimpl_getuid, uid_t, kauth_cred_getuid(curlwp->l_cred))
PROT_GETTER(rump___sysimpl_geteuid, uid_t, kauth_cred_geteuid(curlwp->l_cred))
PROT_GETTER(rump___sysimpl_getgid, gid_t, kauth_cred_getgid(curlwp->l_cred))
PROT_GETTER(rump___sysimpl_getegid, gid_t, kauth_cred_getegid(curlwp->l_cred))
PROT_GETTER(rump___sysimpl_getpid, pid_t, curproc->p_pid)
