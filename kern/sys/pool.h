/*
 * pool(9): fixed-size object allocators.  Items come from kmem with the
 * pool's name as their type tag, so the books name the pool; pool_get may
 * return NULL for PR_WAITOK as well as PR_NOWAIT.
 */
#ifndef _SYS_POOL_H_
#define _SYS_POOL_H_

#include <sys/types.h>
#include <sys/kmem.h>

struct pool {
	const char	*pr_wchan;	/* name, and the items' type tag */
	size_t		 pr_size;	/* item size */
	u_int		 pr_align;
	u_int		 pr_nout;	/* items handed out (atomic) */
	u_long		 pr_nget;	/* successful gets (atomic) */
	u_long		 pr_nfail;	/* failed gets (atomic) */
};
typedef struct pool pool_t;

#define PR_WAITOK	0x01
#define PR_NOWAIT	0x00
#define PR_ZERO		0x100

/* Unused by this allocator; accepted for NetBSD's signature. */
struct pool_allocator;

void	 pool_init(struct pool *, size_t, u_int, u_int, int, const char *,
	    struct pool_allocator *, int);
void	 pool_destroy(struct pool *);
void	*pool_get_site(struct pool *, int, const struct kmem_site *);
void	 pool_put(struct pool *, void *);
#define pool_get(pp, fl)	pool_get_site((pp), (fl), KMEM_SITE)

#endif /* _SYS_POOL_H_ */
