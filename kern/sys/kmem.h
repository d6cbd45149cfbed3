/*
 * kmem(9): the kernel allocator, over rumpuser_malloc.
 *
 * Either flag may give NULL (KM_SLEEP does not retry: an allocation fault
 * reaches the caller, who returns ENOMEM).  Every allocation carries its
 * site: a type tag (the allocating routine's name), file and line, and the
 * return address; the books at teardown list what is still allocated by
 * site.  kmem_alloc is the named fault point "kmem.alloc".
 */
#ifndef _SYS_KMEM_H_
#define _SYS_KMEM_H_

#include <sys/types.h>

typedef unsigned int km_flag_t;
#define KM_SLEEP	0x00000001	/* may sleep (never retries here) */
#define KM_NOSLEEP	0x00000002	/* must not sleep */

/* Where an allocation was made; one static instance per call site. */
struct kmem_site {
	const char	*ks_tag;	/* type tag: the allocating routine */
	const char	*ks_file;
	int		 ks_line;
};
#define KMEM_SITE_TAG(tag) __extension__ ({				\
	static const struct kmem_site _kmem_site =			\
	    { (tag), __FILE__, __LINE__ };				\
	&_kmem_site;							\
})
#define KMEM_SITE	KMEM_SITE_TAG(__func__)

void	*kmem_alloc_site(size_t, km_flag_t, bool, const struct kmem_site *);
void	 kmem_free(void *, size_t);
char	*kmem_strdup_site(const char *, km_flag_t, const struct kmem_site *);
void	 kmem_strfree(char *);

#define kmem_alloc(sz, fl)	kmem_alloc_site((sz), (fl), false, KMEM_SITE)
#define kmem_zalloc(sz, fl)	kmem_alloc_site((sz), (fl), true, KMEM_SITE)
#define kmem_strdup(s, fl)	kmem_strdup_site((s), (fl), KMEM_SITE)

#endif /* _SYS_KMEM_H_ */
