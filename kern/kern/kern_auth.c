/*
 * kauth(9) credentials: reference counted, shared once published, so a
 * change is made on a private copy (kauth_cred_dup) that replaces the old
 * one.  Allocation may fail (NULL).
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/lwp.h>
#include <sys/kauth.h>
#include <sys/atomic.h>

struct kauth_cred {
	u_int	cr_refcnt;
	uid_t	cr_uid, cr_euid, cr_svuid;
	gid_t	cr_gid, cr_egid, cr_svgid;
	u_int	cr_ngroups;
	gid_t	cr_groups[NGROUPS];
};

/* A fresh credential: root, no groups, one reference. */
kauth_cred_t
kauth_cred_alloc(void)
{
	kauth_cred_t cred;

	if ((cred = kmem_zalloc(sizeof(*cred), KM_SLEEP)) != NULL)
		cred->cr_refcnt = 1;
	return cred;
}

/* A private copy of cred with one reference. */
kauth_cred_t
kauth_cred_dup(kauth_cred_t cred)
{
	kauth_cred_t new;

	if ((new = kmem_alloc(sizeof(*new), KM_SLEEP)) != NULL) {
		*new = *cred;
		new->cr_refcnt = 1;
	}
	return new;
}

void
kauth_cred_hold(kauth_cred_t cred)
{

	KASSERT(cred->cr_refcnt > 0);
	atomic_inc_uint(&cred->cr_refcnt);
}

void
kauth_cred_free(kauth_cred_t cred)
{

	KASSERT(cred->cr_refcnt > 0);
	if (atomic_dec_uint_nv(&cred->cr_refcnt) == 0)
		kmem_free(cred, sizeof(*cred));
}

kauth_cred_t
kauth_cred_get(void)
{

	return curlwp->l_cred;
}

uid_t kauth_cred_getuid(kauth_cred_t c) { return c->cr_uid; }
uid_t kauth_cred_geteuid(kauth_cred_t c) { return c->cr_euid; }
uid_t kauth_cred_getsvuid(kauth_cred_t c) { return c->cr_svuid; }
gid_t kauth_cred_getgid(kauth_cred_t c) { return c->cr_gid; }
gid_t kauth_cred_getegid(kauth_cred_t c) { return c->cr_egid; }
gid_t kauth_cred_getsvgid(kauth_cred_t c) { return c->cr_svgid; }

/* Setters: only on a credential nobody else holds. */
#define KAUTH_SETTER(name, field, type)					\
void									\
name(kauth_cred_t c, type v)						\
{									\
	KASSERTMSG(c->cr_refcnt == 1, #name ": credential %p is shared", c); \
	c->field = v;							\
}
KAUTH_SETTER(kauth_cred_setuid, cr_uid, uid_t)
KAUTH_SETTER(kauth_cred_seteuid, cr_euid, uid_t)
KAUTH_SETTER(kauth_cred_setsvuid, cr_svuid, uid_t)
KAUTH_SETTER(kauth_cred_setgid, cr_gid, gid_t)
KAUTH_SETTER(kauth_cred_setegid, cr_egid, gid_t)
KAUTH_SETTER(kauth_cred_setsvgid, cr_svgid, gid_t)

u_int
kauth_cred_ngroups(kauth_cred_t c)
{

	return c->cr_ngroups;
}

gid_t
kauth_cred_group(kauth_cred_t c, u_int i)
{

	KASSERTMSG(i < c->cr_ngroups, "kauth_cred_group: index %u of %u", i,
	    c->cr_ngroups);
	return c->cr_groups[i];
}

int
kauth_cred_setgroups(kauth_cred_t c, const gid_t *groups, size_t n)
{

	KASSERTMSG(c->cr_refcnt == 1, "kauth_cred_setgroups: shared %p", c);
	if (n > NGROUPS)
		return EINVAL;
	memcpy(c->cr_groups, groups, n * sizeof(*groups));
	c->cr_ngroups = (u_int)n;
	return 0;
}

/* *resultp = 1 if gid is the effective group or a supplementary one. */
int
kauth_cred_ismember_gid(kauth_cred_t c, gid_t gid, int *resultp)
{
	u_int i;

	*resultp = c->cr_egid == gid;
	for (i = 0; i < c->cr_ngroups && !*resultp; i++)
		*resultp = c->cr_groups[i] == gid;
	return 0;
}

int
kauth_cred_uidmatch(kauth_cred_t a, kauth_cred_t b)
{

	return a->cr_uid == b->cr_uid || a->cr_euid == b->cr_uid ||
	    a->cr_uid == b->cr_euid || a->cr_euid == b->cr_euid;
}

/* The superuser test: 0, or EPERM. */
int
kauth_authorize_generic(kauth_cred_t c, int action, void *arg)
{

	KASSERTMSG(action == KAUTH_GENERIC_ISSUSER,
	    "kauth_authorize_generic: unknown action %d", action);
	return c->cr_euid == 0 ? 0 : EPERM;
}
