/*
 * kauth(9) credentials.  A credential is immutable once shared: change a
 * private copy (kauth_cred_dup) and swap it in.  Allocation may fail:
 * kauth_cred_alloc and kauth_cred_dup return NULL then.
 */
#ifndef _SYS_KAUTH_H_
#define _SYS_KAUTH_H_

#include <sys/types.h>

typedef struct kauth_cred *kauth_cred_t;

kauth_cred_t kauth_cred_alloc(void);
kauth_cred_t kauth_cred_dup(kauth_cred_t);
void	kauth_cred_hold(kauth_cred_t);
void	kauth_cred_free(kauth_cred_t);
kauth_cred_t kauth_cred_get(void);	/* curlwp's */

uid_t	kauth_cred_getuid(kauth_cred_t);
uid_t	kauth_cred_geteuid(kauth_cred_t);
uid_t	kauth_cred_getsvuid(kauth_cred_t);
gid_t	kauth_cred_getgid(kauth_cred_t);
gid_t	kauth_cred_getegid(kauth_cred_t);
gid_t	kauth_cred_getsvgid(kauth_cred_t);
void	kauth_cred_setuid(kauth_cred_t, uid_t);
void	kauth_cred_seteuid(kauth_cred_t, uid_t);
void	kauth_cred_setsvuid(kauth_cred_t, uid_t);
void	kauth_cred_setgid(kauth_cred_t, gid_t);
void	kauth_cred_setegid(kauth_cred_t, gid_t);
void	kauth_cred_setsvgid(kauth_cred_t, gid_t);
u_int	kauth_cred_ngroups(kauth_cred_t);
gid_t	kauth_cred_group(kauth_cred_t, u_int);
int	kauth_cred_setgroups(kauth_cred_t, const gid_t *, size_t);
int	kauth_cred_ismember_gid(kauth_cred_t, gid_t, int *);
int	kauth_cred_uidmatch(kauth_cred_t, kauth_cred_t);

/* The one generic request the core answers: is this the superuser? */
#define KAUTH_GENERIC_ISSUSER	1
int	kauth_authorize_generic(kauth_cred_t, int, void *);

#endif /* _SYS_KAUTH_H_ */
