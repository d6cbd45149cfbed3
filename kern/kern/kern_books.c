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

/*
 * The waits-for graph: the lwps (the first RUMPUS_DEADLOCK_LWPS; on the
 * stack, as a signal handler may ask) and the lock each waits for.  An
 * edge goes from lwp u to lwp v when v holds what u waits for; u == v is
 * a cycle too (an rwlock's reader asking to write it).
 */
struct deadlock_graph {
	u_int		 g_n;
	struct lwp	*g_lwp[RUMPUS_DEADLOCK_LWPS];
	const void	*g_wait[RUMPUS_DEADLOCK_LWPS];	/* lock, or NULL */
	int		 g_kind[RUMPUS_DEADLOCK_LWPS];	/* RUMPUS_LOCK_* */
};

/* v's record of the lock u waits for, or NULL: no edge from u to v. */
static const struct lockdebug_rec *
deadlock_edge(const struct deadlock_graph *g, u_int u, u_int v)
{

	if (g->g_wait[u] == NULL)
		return NULL;
	return lockdebug_holds(g->g_lwp[v], g->g_wait[u]);
}

/*
 * A cycle of g into cyc (each entry waits for the next, the last for the
 * first); its length, or 0.  A depth-first search without recursion: the
 * path is the lwps being explored, next[] the neighbour each tries next.
 */
static u_int
deadlock_cycle(const struct deadlock_graph *g, u_int *cyc)
{
	uint8_t mark[RUMPUS_DEADLOCK_LWPS];	/* 0 new, 1 on path, 2 done */
	u_int path[RUMPUS_DEADLOCK_LWPS], next[RUMPUS_DEADLOCK_LWPS];
	u_int s, d, i, u, v;

	memset(mark, 0, sizeof(mark));
	for (s = 0; s < g->g_n; s++) {
		if (mark[s] != 0 || g->g_wait[s] == NULL)
			continue;
		mark[s] = 1;
		path[0] = s;
		next[0] = 0;
		d = 1;
		while (d > 0) {
			u = path[d - 1];
			if ((v = next[d - 1]++) == g->g_n) {
				mark[u] = 2;
				d--;
				continue;
			}
			if (mark[v] == 2 || deadlock_edge(g, u, v) == NULL)
				continue;
			if (mark[v] == 0) {
				mark[v] = 1;
				path[d] = v;
				next[d++] = 0;
				continue;
			}
			/* v is on the path: the cycle is v ... u. */
			for (i = 0; path[i] != v; i++)
				continue;
			memcpy(cyc, &path[i], (d - i) * sizeof(cyc[0]));
			return d - i;
		}
	}
	return 0;
}

size_t
rumpus_deadlock(struct rumpus_lockwait *out, size_t max)
{
	struct deadlock_graph g;
	const struct lockdebug_rec *lr;
	struct rumpus_lockwait *lw;
	u_int cyc[RUMPUS_DEADLOCK_LWPS];
	struct lwp *l;
	u_int i, n, u, v;
	bool locked;
	int kind;

	if (!kern_booted)
		return 0;
	locked = books_lock();
	g.g_n = 0;
	LIST_FOREACH(l, &alllwp, l_list) {
		if (l->l_stat == LSZOMB || g.g_n == RUMPUS_DEADLOCK_LWPS)
			continue;
		g.g_lwp[g.g_n] = l;
		g.g_wait[g.g_n] = lockdebug_waits(l, &g.g_kind[g.g_n]);
		g.g_n++;
	}
	n = deadlock_cycle(&g, cyc);
	/* The same waits and holds a second time, or no deadlock. */
	for (i = 0; i < n; i++) {
		u = cyc[i];
		if (lockdebug_waits(g.g_lwp[u], &kind) != g.g_wait[u] ||
		    kind != g.g_kind[u] ||
		    deadlock_edge(&g, u, cyc[(i + 1) % n]) == NULL)
			n = 0;
	}
	for (i = 0; i < n && i < max; i++) {
		u = cyc[i];
		v = cyc[(i + 1) % n];
		lw = &out[i];
		memset(lw, 0, sizeof(*lw));
		l = g.g_lwp[u];
		lw->lw_pid = l->l_proc->p_pid;
		lw->lw_lid = l->l_lid;
		strlcpy(lw->lw_name, l->l_name, sizeof(lw->lw_name));
		lw->lw_lock = (uintptr_t)g.g_wait[u];
		lw->lw_kind = g.g_kind[u];
		lw->lw_initsite = lockdebug_initsite(g.g_wait[u], g.g_kind[u]);
		if ((lr = deadlock_edge(&g, u, v)) != NULL) {
			lw->lw_hkind = lockdebug_kind(lr->lr_kind);
			lw->lw_hsite = (uintptr_t)lr->lr_site;
		}
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
 * wrote four pages, each a copy-on-write fault in a forked instance; and
 * fields are written only when they change (BOOKS_SET), so the clean
 * books of a teardown forked from a zygote whose own books were clean
 * write no page at all.
 */
void
books_start(struct rumpus_books *b)
{

	BOOKS_SET(b->b_version, RUMPUS_EXT_VERSION);
	BOOKS_SET(b->b_kmem_count, 0);
	BOOKS_SET(b->b_kmem_bytes, 0);
	BOOKS_SET(b->b_nkmem, 0);
	BOOKS_SET(b->b_kmem_sites, 0);
	BOOKS_SET(b->b_nlocks, 0);
	BOOKS_SET(b->b_locks_total, 0);
	BOOKS_SET(b->b_nlwps, 0);
	BOOKS_SET(b->b_lwps_total, 0);
	BOOKS_SET(b->b_kmem_overruns, 0);
	BOOKS_SET(b->b_kmem_uafs, 0);
	BOOKS_SET(b->b_callouts, 0);
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
