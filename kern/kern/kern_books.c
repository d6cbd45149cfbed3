/*
 * The rumpus extension interface's view of a running kernel: counters,
 * the lwp dump and the books (rumpus_ext.h).  Teardown's books are filled
 * in init_main.c from the same pieces.
 *
 * Exited kernel threads waiting to be joined (LSZOMB) are not listed.
 * Reads of other lwps are best effort: proc_lock is taken if it is free,
 * so a dump still works when a stuck lwp holds it, and another lwp's stack
 * is walked only while that lwp is blocked.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/lwp.h>
#include <sys/proc.h>
#include <sys/mutex.h>

#include "kern_private.h"

struct rumpus_counters kern_counters;

int
rumpus_ext_version(void)
{

	return RUMPUS_EXT_VERSION;
}

void
rumpus_counters(struct rumpus_counters *c)
{
	const uint64_t *from = (const uint64_t *)(const void *)&kern_counters;
	uint64_t *to = (uint64_t *)(void *)c;
	size_t i;

	for (i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		to[i] = __atomic_load_n(&from[i], __ATOMIC_RELAXED);
}

/* Describe l: who, where it waits, its locks, its stack if it can. */
void
lwp_info_fill(struct lwp *l, struct rumpus_lwpinfo *li)
{
	u_int i;
	void *fp;

	memset(li, 0, sizeof(*li));
	li->li_pid = l->l_proc->p_pid;
	li->li_lid = l->l_lid;
	strlcpy(li->li_name, l->l_name, sizeof(li->li_name));
	li->li_kthread = (l->l_flag & LW_SYSTEM) != 0;
	li->li_running = l->l_stat == LSONPROC;
	li->li_wchan = (uintptr_t)l->l_wchan;
	li->li_wmesg = l->l_wmesg;
	li->li_nlocks = l->l_nlocks;
	for (i = 0; i < MIN(l->l_nlocks, RUMPUS_LWP_LOCKS); i++) {
		li->li_locks[i].ll_lock = (uintptr_t)l->l_locks[i].lr_lock;
		li->li_locks[i].ll_kind = lockdebug_kind(l->l_locks[i].lr_kind);
		li->li_locks[i].ll_site = (uintptr_t)l->l_locks[i].lr_site;
	}
	if (l == rumpuser_curlwp())
		fp = __builtin_frame_address(0);
	else
		fp = l->l_blockfp;
	if (fp != NULL)
		li->li_nstack = (unsigned)backtrace_collect(fp, l->l_stacktop,
		    li->li_stack, RUMPUS_BOOKS_STACK);
}

/*
 * Take proc_lock if it is free; tell whether it was taken.  The host lock
 * is taken directly, so that the books do not list their own lock.
 */
static bool
books_lock(void)
{

	return rumpuser_mutex_tryenter(proc_lock->mtx_hyp) == 0;
}

static void
books_unlock(bool locked)
{

	if (locked)
		rumpuser_mutex_exit(proc_lock->mtx_hyp);
}

size_t
rumpus_lwp_dump(struct rumpus_lwpinfo *out, size_t max)
{
	struct lwp *l;
	size_t n = 0;
	bool locked;

	if (!kern_booted)
		return 0;
	locked = books_lock();
	LIST_FOREACH(l, &alllwp, l_list) {
		if (l->l_stat == LSZOMB)
			continue;
		if (n < max)
			lwp_info_fill(l, &out[n]);
		n++;
	}
	books_unlock(locked);
	return n;
}

static const char *
books_lock_kind(int kind)
{

	switch (kind) {
	case RUMPUS_LOCK_MUTEX:
		return "mutex";
	case RUMPUS_LOCK_SPIN:
		return "spin mutex";
	case RUMPUS_LOCK_RW_READ:
		return "rwlock (read)";
	case RUMPUS_LOCK_RW_WRITE:
		return "rwlock (write)";
	}
	return "lock";
}

/* Print one lwp with its wait, locks and stack. */
static void
books_print_lwp(const struct rumpus_lwpinfo *li)
{
	unsigned i;

	printf("lwp %d.%d \"%s\"%s: %s", li->li_pid, li->li_lid, li->li_name,
	    li->li_kthread ? " (kthread)" : "",
	    li->li_running ? "on a CPU" : "off CPU");
	if (li->li_wmesg != NULL)
		printf(", waits \"%s\" on 0x%lx", li->li_wmesg,
		    (u_long)li->li_wchan);
	printf(", %u locks held\n", li->li_nlocks);
	for (i = 0; i < MIN(li->li_nlocks, RUMPUS_LWP_LOCKS); i++) {
		printf("    holds %s 0x%lx, taken at ",
		    books_lock_kind(li->li_locks[i].ll_kind),
		    (u_long)li->li_locks[i].ll_lock);
		printf_pc(li->li_locks[i].ll_site);
		printf("\n");
	}
	for (i = 0; i < li->li_nstack; i++) {
		printf("    #%u ", i);
		printf_pc(li->li_stack[i]);
		printf("\n");
	}
}

void
rumpus_lwp_dump_print(void)
{
	struct rumpus_lwpinfo li;
	struct lwp *l;
	bool locked;

	if (!kern_booted)
		return;
	locked = books_lock();
	LIST_FOREACH(l, &alllwp, l_list) {
		if (l->l_stat == LSZOMB)
			continue;
		lwp_info_fill(l, &li);
		books_print_lwp(&li);
	}
	books_unlock(locked);
}

/*
 * Add the lwps of the kinds asked for (BOOKS_LWP_*), with the locks they
 * hold, to the books.
 */
void
books_add_lwps(struct rumpus_books *b, int which)
{
	struct lwp *l;
	bool locked, sys;

	locked = books_lock();
	LIST_FOREACH(l, &alllwp, l_list) {
		sys = l == &lwp0 || (l->l_flag & LW_SYSTEM);
		if (l->l_stat == LSZOMB ||
		    !(which & (sys ? BOOKS_LWP_SYSTEM : BOOKS_LWP_USER)))
			continue;
		lockdebug_held(l, b);
		if (b->b_nlwps < RUMPUS_BOOKS_LWPS)
			lwp_info_fill(l, &b->b_lwps[b->b_nlwps++]);
		b->b_lwps_total++;
	}
	books_unlock(locked);
}

/*
 * Empty books: the version, every count and total 0.  The entry arrays
 * (13 KiB) are not cleared: they are filled from the start as entries are
 * counted, and a caller reads no entry past its count.  Clearing them
 * wrote four pages, each a copy-on-write fault in a forked instance.
 */
void
books_start(struct rumpus_books *b)
{

	b->b_version = RUMPUS_EXT_VERSION;
	b->b_kmem_count = b->b_kmem_bytes = 0;
	b->b_nkmem = b->b_kmem_sites = 0;
	b->b_nlocks = b->b_locks_total = 0;
	b->b_nlwps = b->b_lwps_total = 0;
	b->b_kmem_overruns = b->b_kmem_uafs = 0;
	b->b_callouts = 0;
}

/* Books of a running kernel: kmem by site, locks held, every lwp. */
int
rumpus_books(struct rumpus_books *b)
{

	if (!kern_booted)
		return EINVAL;
	books_start(b);
	kmem_books(b);
	books_add_lwps(b, BOOKS_LWP_USER | BOOKS_LWP_SYSTEM);
	return 0;
}

void
rumpus_books_print(const struct rumpus_books *b)
{
	const struct rumpus_books_kmem *k;
	const struct rumpus_books_lock *bl;
	unsigned i;

	printf("books: %llu allocations (%llu bytes) at %u sites, "
	    "%u locks held, %u lwps, %u callouts cancelled, "
	    "%llu overruns, %llu uses after free\n",
	    (unsigned long long)b->b_kmem_count,
	    (unsigned long long)b->b_kmem_bytes, b->b_kmem_sites,
	    b->b_locks_total, b->b_lwps_total, b->b_callouts,
	    (unsigned long long)b->b_kmem_overruns,
	    (unsigned long long)b->b_kmem_uafs);
	for (i = 0; i < b->b_nkmem; i++) {
		k = &b->b_kmem[i];
		printf("  kmem: %llu x %s at %s:%d, %llu bytes (caller ",
		    (unsigned long long)k->bk_count, k->bk_tag, k->bk_file,
		    k->bk_line, (unsigned long long)k->bk_bytes);
		printf_pc(k->bk_caller);
		printf(")\n");
	}
	for (i = 0; i < b->b_nlocks; i++) {
		bl = &b->b_locks[i];
		printf("  lock: %s 0x%lx held by lwp %d.%d \"%s\", taken at ",
		    books_lock_kind(bl->bl_kind), (u_long)bl->bl_lock,
		    bl->bl_pid, bl->bl_lid, bl->bl_holder);
		printf_pc(bl->bl_site);
		printf("\n");
	}
	for (i = 0; i < b->b_nlwps; i++) {
		printf("  ");
		books_print_lwp(&b->b_lwps[i]);
	}
}
