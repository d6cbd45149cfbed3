/*
 * pool(9) over kmem: each item is a kmem allocation tagged with the
 * pool's name, so the books and the debug checks see pool items as they
 * see any allocation, and pool_get is under the kmem.alloc fault point.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kmem.h>
#include <sys/pool.h>
#include <sys/atomic.h>

#include "kern_private.h"

void
pool_init(struct pool *pp, size_t size, u_int align, u_int ioff, int flags,
    const char *wchan, struct pool_allocator *palloc, int ipl)
{

	KASSERTMSG(size > 0, "pool_init: pool \"%s\" of 0-byte items", wchan);
	KASSERTMSG(align == 0 || (powerof2(align) && align <= 16),
	    "pool_init: pool \"%s\": alignment %u not supported", wchan,
	    align);
	memset(pp, 0, sizeof(*pp));
	pp->pr_wchan = wchan;
	pp->pr_size = size;
	pp->pr_align = align;
}

/* Items still out are reported (the books also list them by pool name). */
void
pool_destroy(struct pool *pp)
{

	if (pp->pr_nout != 0)
		printf("pool_destroy: pool \"%s\" has %u items out\n",
		    pp->pr_wchan, pp->pr_nout);
}

/* One item, or NULL (PR_WAITOK does not retry). */
void *
pool_get_site(struct pool *pp, int flags, const struct kmem_site *site)
{
	void *item;

	item = kmem_alloc_tagged(pp->pr_size,
	    (flags & PR_WAITOK) ? KM_SLEEP : KM_NOSLEEP, (flags & PR_ZERO) != 0,
	    site, pp->pr_wchan, (uintptr_t)__builtin_return_address(0));
	if (item == NULL) {
		atomic_inc_ulong(&pp->pr_nfail);
		return NULL;
	}
	atomic_inc_uint(&pp->pr_nout);
	atomic_inc_ulong(&pp->pr_nget);
	return item;
}

void
pool_put(struct pool *pp, void *item)
{

	KASSERTMSG(pp->pr_nout > 0, "pool_put: pool \"%s\" has no items out",
	    pp->pr_wchan);
	atomic_dec_uint(&pp->pr_nout);
	kmem_free(item, pp->pr_size);
}
