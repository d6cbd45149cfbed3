/*
 * kmem(9) over rumpuser_malloc, with books and a debug mode.
 *
 * Every allocation has a header naming its site (struct kmem_site: type
 * tag, file, line) and the caller's return address, and sits on the live
 * list until freed: the books group what is still there by site.
 *
 * Debug mode (getparam RUMPUS_KMEM_DEBUG=1, read at the first boot of the
 * process, or rumpus_kmem_debug() for the boots after): a redzone after
 * each allocation, checked at kmem_free (a write past the end); freed
 * memory is poisoned and held in a quarantine, and checked when it leaves
 * (a write after free).  Reports name the allocation site and the site that
 * freed it; they print on the console and count in the books.  A double
 * free panics naming both frees in debug mode (without it the header is
 * already gone: the panic says the pointer is not kmem's).
 *
 * kmem_alloc is the named fault point "kmem.alloc".  Failure, injected or
 * from the host, returns NULL: there is no retry loop.
 *
 * Lock: kmem_mtx, a host spin mutex taken without giving up the virtual
 * CPU; a leaf, except that reports print (cons_mtx) after dropping it.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kmem.h>

#include "kern_private.h"

#define KMEM_ALIGN		16
#define KMEM_MAGIC_LIVE		0x6b6d656dU	/* "kmem" */
#define KMEM_MAGIC_FREE		0x66726565U	/* "free" */
#define KMEM_REDZONE		16		/* at least, in debug mode */
#define KMEM_REDZONE_BYTE	0xfd
#define KMEM_POISON_BYTE	0xde
#define KMEM_QUARANTINE_MAX	256		/* freed blocks held back */
#define KMEM_QUARANTINE_BYTES	(4 * 1024 * 1024)

struct kmem_hdr {
	uint32_t		 kh_magic;
	uint32_t		 kh_flags;
	size_t			 kh_size;	/* as asked for */
	const struct kmem_site	*kh_site;
	const char		*kh_tag;	/* site's tag, or the pool's */
	uintptr_t		 kh_caller;	/* return address of the alloc */
	uintptr_t		 kh_freer;	/* return address of the free */
	struct kmem_hdr		*kh_next;	/* live list or quarantine */
	struct kmem_hdr		**kh_prevp;
	size_t			 kh_total;	/* bytes from the host */
};
#define KMEM_HDRSIZE	roundup(sizeof(struct kmem_hdr), KMEM_ALIGN)
__CTASSERT(KMEM_HDRSIZE % KMEM_ALIGN == 0);

FAULT_POINT_DEFINE(fault_kmem_alloc, RUMPUS_FAULT_KMEM_ALLOC,
    "kmem_alloc/kmem_zalloc/pool_get return NULL (before the hypercall)");

static struct rumpuser_mtx *kmem_mtx;
static struct kmem_hdr *kmem_live;		/* kmem_mtx */
static struct kmem_hdr *kmem_qhead;		/* quarantine FIFO (kmem_mtx) */
static struct kmem_hdr **kmem_qtail = &kmem_qhead;
static u_int kmem_qcount;			/* kmem_mtx */
static size_t kmem_qbytes;			/* kmem_mtx */
static bool kmem_debug;				/* this boot's mode */
static int kmem_debug_next = -1;		/* next boots' (-1: ask host) */
static uint64_t kmem_overruns, kmem_uafs;	/* kmem_mtx */

static void *
kmem_user(struct kmem_hdr *kh)
{

	return (char *)kh + KMEM_HDRSIZE;
}

/* Bytes after the user area up to the end of the block: the redzone. */
static size_t
kmem_redzone_len(const struct kmem_hdr *kh)
{

	return kh->kh_total - KMEM_HDRSIZE - kh->kh_size;
}

/*
 * Choose the debug mode of the boots to come (the running kernel keeps
 * its own).  Without a call, the host's RUMPUS_KMEM_DEBUG decides, read
 * once per process: asking the host at every boot would cost a forked
 * instance more than the rest of its boot.
 */
void
rumpus_kmem_debug(int on)
{

	kmem_debug_next = on != 0;
}

/* Start the allocator in the chosen mode. */
int
kmem_init(void)
{

	if (kmem_debug_next < 0)
		kmem_debug_next =
		    kern_getparam_int("RUMPUS_KMEM_DEBUG", 0) != 0;
	kmem_debug = kmem_debug_next != 0;
	if (kmem_mtx == NULL)	/* once per process */
		rumpuser_mutex_init(&kmem_mtx, RUMPUSER_MTX_SPIN);
	kmem_live = NULL;
	kmem_qhead = NULL;
	kmem_qtail = &kmem_qhead;
	kmem_qcount = 0;
	kmem_qbytes = 0;
	kmem_overruns = kmem_uafs = 0;
	return 0;
}

/* Report one kmem_debug finding; no lock held. */
static void
kmem_report(const char *what, const struct kmem_hdr *kh, void *user,
    uintptr_t freer, size_t at)
{
	const struct kmem_site *ks = kh->kh_site;

	printf("kmem: %s of %p (%zu bytes, byte %zu) allocated by %s at "
	    "%s:%d (caller ", what, user, kh->kh_size, at, kh->kh_tag,
	    ks->ks_file, ks->ks_line);
	printf_pc(kh->kh_caller);
	printf("), freed by ");
	printf_pc(freer);
	printf("\n");
}

/*
 * Check that a quarantined block's poison is intact and give it back to
 * the host.  No lock held.
 */
static void
kmem_quarantine_release(struct kmem_hdr *kh)
{
	unsigned char *p = kmem_user(kh);
	size_t i;

	for (i = 0; i < kh->kh_size; i++) {
		if (p[i] != KMEM_POISON_BYTE) {
			rumpuser_mutex_enter_nowrap(kmem_mtx);
			kmem_uafs++;
			rumpuser_mutex_exit(kmem_mtx);
			kmem_report("use after free (a write)", kh, p,
			    kh->kh_freer, i);
			break;
		}
	}
	rumpuser_free(kh, kh->kh_total);
}

/*
 * Allocate size bytes for the site, under tag; zero them if asked.
 * Returns NULL when the fault hook or the host says no.
 */
void *
kmem_alloc_tagged(size_t size, km_flag_t flags, bool zero,
    const struct kmem_site *site, const char *tag, uintptr_t caller)
{
	struct kmem_hdr *kh;
	size_t total;
	void *mem;

	KASSERTMSG(size != 0, "kmem_alloc of 0 bytes at %s:%d",
	    site->ks_file, site->ks_line);
	KASSERTMSG((flags & (KM_SLEEP | KM_NOSLEEP)) == KM_SLEEP ||
	    (flags & (KM_SLEEP | KM_NOSLEEP)) == KM_NOSLEEP,
	    "kmem_alloc: flags 0x%x name neither or both of KM_SLEEP and "
	    "KM_NOSLEEP (at %s:%d)", flags, site->ks_file, site->ks_line);

	if (!(flags & KM_NOFAULT) && FAULT_POINT_CHECK_SITE(fault_kmem_alloc,
	    &(const struct rumpus_fault_site){
		.fs_tag = tag,
		.fs_file = site->ks_file,
		.fs_line = site->ks_line,
		.fs_caller = caller,
		.fs_size = size,
		.fs_flags = (int)(flags & (KM_SLEEP | KM_NOSLEEP)),
	    }) != 0) {
		COUNT(c_kmem_failures);
		return NULL;
	}

	total = KMEM_HDRSIZE + roundup(size, KMEM_ALIGN);
	if (kmem_debug && total - KMEM_HDRSIZE - size < KMEM_REDZONE)
		total += KMEM_ALIGN;
	if (size > SIZE_MAX / 2 ||
	    rumpuser_malloc(total, KMEM_ALIGN, &mem) != 0) {
		COUNT(c_kmem_failures);
		return NULL;
	}
	kh = mem;
	kh->kh_magic = KMEM_MAGIC_LIVE;
	kh->kh_flags = flags;
	kh->kh_size = size;
	kh->kh_site = site;
	kh->kh_tag = tag;
	kh->kh_caller = caller;
	kh->kh_freer = 0;
	kh->kh_total = total;
	if (zero)
		memset(kmem_user(kh), 0, size);
	if (kmem_debug)
		memset((char *)kmem_user(kh) + size, KMEM_REDZONE_BYTE,
		    kmem_redzone_len(kh));

	rumpuser_mutex_enter_nowrap(kmem_mtx);
	kh->kh_prevp = &kmem_live;
	if ((kh->kh_next = kmem_live) != NULL)
		kmem_live->kh_prevp = &kh->kh_next;
	kmem_live = kh;
	rumpuser_mutex_exit(kmem_mtx);

	COUNT(c_kmem_allocs);
	COUNT_ADD(c_kmem_bytes, size);
	return kmem_user(kh);
}

void *
kmem_alloc_site(size_t size, km_flag_t flags, bool zero,
    const struct kmem_site *site)
{

	return kmem_alloc_tagged(size, flags, zero, site, site->ks_tag,
	    (uintptr_t)__builtin_return_address(0));
}

/*
 * Free p, which kmem_alloc gave for size bytes.  A bad pointer, a double
 * free or a wrong size panics; in debug mode a damaged redzone is
 * reported and the block goes to the quarantine.
 */
void
kmem_free(void *p, size_t size)
{
	uintptr_t freer = (uintptr_t)__builtin_return_address(0);
	struct kmem_hdr *kh, *old = NULL;
	const unsigned char *rz;
	size_t i;

	KASSERTMSG(p != NULL, "kmem_free(NULL, %zu)", size);
	kh = (struct kmem_hdr *)(void *)((char *)p - KMEM_HDRSIZE);
	if (kh->kh_magic == KMEM_MAGIC_FREE)
		panic("kmem_free: double free of %p (%zu bytes) allocated by "
		    "%s at %s:%d, freed by 0x%lx and again by 0x%lx", p,
		    kh->kh_size, kh->kh_tag, kh->kh_site->ks_file,
		    kh->kh_site->ks_line, (u_long)kh->kh_freer, (u_long)freer);
	if (kh->kh_magic != KMEM_MAGIC_LIVE)
		panic("kmem_free: %p is not from kmem_alloc, or its header "
		    "was overwritten (freed by 0x%lx)", p, (u_long)freer);
	if (kh->kh_size != size)
		panic("kmem_free: %p freed with size %zu, allocated with %zu "
		    "by %s at %s:%d", p, size, kh->kh_size,
		    kh->kh_tag, kh->kh_site->ks_file,
		    kh->kh_site->ks_line);

	if (kmem_debug) {
		rz = (const unsigned char *)p + size;
		for (i = 0; i < kmem_redzone_len(kh); i++) {
			if (rz[i] != KMEM_REDZONE_BYTE) {
				rumpuser_mutex_enter_nowrap(kmem_mtx);
				kmem_overruns++;
				rumpuser_mutex_exit(kmem_mtx);
				kmem_report("write past the end", kh, p, freer,
				    size + i);
				break;
			}
		}
		memset(p, KMEM_POISON_BYTE, size);
	}

	rumpuser_mutex_enter_nowrap(kmem_mtx);
	if ((*kh->kh_prevp = kh->kh_next) != NULL)
		kh->kh_next->kh_prevp = kh->kh_prevp;
	kh->kh_magic = KMEM_MAGIC_FREE;
	kh->kh_freer = freer;
	if (kmem_debug) {
		kh->kh_next = NULL;
		*kmem_qtail = kh;
		kmem_qtail = &kh->kh_next;
		kmem_qcount++;
		kmem_qbytes += kh->kh_total;
		if (kmem_qcount > KMEM_QUARANTINE_MAX ||
		    kmem_qbytes > KMEM_QUARANTINE_BYTES) {
			old = kmem_qhead;
			if ((kmem_qhead = old->kh_next) == NULL)
				kmem_qtail = &kmem_qhead;
			kmem_qcount--;
			kmem_qbytes -= old->kh_total;
		}
	}
	rumpuser_mutex_exit(kmem_mtx);

	COUNT(c_kmem_frees);
	COUNT_ADD(c_kmem_bytes, -(uint64_t)size);
	if (!kmem_debug)
		rumpuser_free(kh, kh->kh_total);
	else if (old != NULL)
		kmem_quarantine_release(old);
}

char *
kmem_strdup_site(const char *s, km_flag_t flags, const struct kmem_site *site)
{
	size_t len = strlen(s) + 1;
	char *p;

	if ((p = kmem_alloc_site(len, flags, false, site)) != NULL)
		memcpy(p, s, len);
	return p;
}

void
kmem_strfree(char *s)
{

	kmem_free(s, strlen(s) + 1);
}

/*
 * Fill the kmem part of the books: live allocations grouped by site, the
 * sites with most bytes first, and the debug reports.
 */
void
kmem_books(struct rumpus_books *b)
{
	struct rumpus_books_kmem *e;
	struct kmem_hdr *kh;
	unsigned i, j;

	BOOKS_SET(b->b_kmem_count, 0);
	BOOKS_SET(b->b_kmem_bytes, 0);
	BOOKS_SET(b->b_nkmem, 0);
	BOOKS_SET(b->b_kmem_sites, 0);
	rumpuser_mutex_enter_nowrap(kmem_mtx);
	for (kh = kmem_live; kh != NULL; kh = kh->kh_next) {
		b->b_kmem_count++;
		b->b_kmem_bytes += kh->kh_size;
		for (i = 0; i < b->b_nkmem; i++) {
			if (b->b_kmem[i].bk_file == kh->kh_site->ks_file &&
			    b->b_kmem[i].bk_line == kh->kh_site->ks_line &&
			    b->b_kmem[i].bk_tag == kh->kh_tag)
				break;
		}
		if (i == b->b_nkmem) {
			b->b_kmem_sites++;
			if (b->b_nkmem == RUMPUS_BOOKS_KMEM)
				continue;
			e = &b->b_kmem[b->b_nkmem++];
			e->bk_tag = kh->kh_tag;
			e->bk_file = kh->kh_site->ks_file;
			e->bk_line = kh->kh_site->ks_line;
			e->bk_caller = kh->kh_caller;
			e->bk_count = e->bk_bytes = 0;
		}
		b->b_kmem[i].bk_count++;
		b->b_kmem[i].bk_bytes += kh->kh_size;
	}
	BOOKS_SET(b->b_kmem_overruns, kmem_overruns);
	BOOKS_SET(b->b_kmem_uafs, kmem_uafs);
	rumpuser_mutex_exit(kmem_mtx);

	/* Most bytes first (insertion sort: few sites). */
	for (i = 1; i < b->b_nkmem; i++) {
		struct rumpus_books_kmem t = b->b_kmem[i];

		for (j = i; j > 0 && b->b_kmem[j - 1].bk_bytes < t.bk_bytes;
		    j--)
			b->b_kmem[j] = b->b_kmem[j - 1];
		b->b_kmem[j] = t;
	}
}

/* Check every quarantined block and give it back (teardown). */
void
kmem_drain(void)
{
	struct kmem_hdr *kh;

	for (;;) {
		rumpuser_mutex_enter_nowrap(kmem_mtx);
		if ((kh = kmem_qhead) != NULL) {
			if ((kmem_qhead = kh->kh_next) == NULL)
				kmem_qtail = &kmem_qhead;
			kmem_qcount--;
			kmem_qbytes -= kh->kh_total;
		}
		rumpuser_mutex_exit(kmem_mtx);
		if (kh == NULL)
			break;
		kmem_quarantine_release(kh);
	}
}

/*
 * Teardown: drain the quarantine, then give every allocation still live
 * back to the host (the books have been taken).
 */
void
kmem_release_all(void)
{
	struct kmem_hdr *kh;

	kmem_drain();
	rumpuser_mutex_enter_nowrap(kmem_mtx);
	while ((kh = kmem_live) != NULL) {
		kmem_live = kh->kh_next;
		COUNT_ADD(c_kmem_bytes, -(uint64_t)kh->kh_size);
		rumpuser_free(kh, kh->kh_total);
	}
	rumpuser_mutex_exit(kmem_mtx);
}

void
kmem_fini(void)
{

	kmem_release_all();
}
