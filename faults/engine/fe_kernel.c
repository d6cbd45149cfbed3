/*
 * The kernel's side of an installed engine: what a rumpus kernel offers
 * through rumpus_ext.h, found by whoever installs the engine (librumpuser
 * through weak references, the LD_PRELOAD interposer through dlsym):
 *
 *   - the registry of its named points (rumpus_fault_points), so that a
 *     spec from RUMPUS_FAULTS can name kmem.alloc and friends;
 *   - the hook that decides them (rumpus_fault_set_hook), set to ask the
 *     installed engine (fe_host.c);
 *   - who calls (rumpus_curlwp_ident), for the lwp= and pid= filters at
 *     every point.
 *
 * A kernel without them (a NetBSD one) leaves every pointer NULL: no
 * named point exists, and lwp= and pid= match nothing.  One per process,
 * like the engine it serves; attached at rumpuser_init, before any rule
 * can be decided.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fe_impl.h"
#include "fe_rumpuser.h"

/* Named points a registry holds at most (the rest cannot be named). */
#define FE_KERNEL_MAXPOINTS	(64 - FE_PT_NHYPER)

static struct fe_kernel fe_kern;
static const struct rumpus_fault_point *fe_kern_pts[FE_KERNEL_MAXPOINTS];
static const char *fe_kern_names[FE_KERNEL_MAXPOINTS];
static struct fe_registry fe_kern_reg;

/*
 * Keep the kernel's entry points *k and read its registry.  Returns the
 * registry (kept until the next attach; empty for a kernel that
 * registers no points) to parse specs against.
 */
const struct fe_registry *
fe_kernel_attach(const struct fe_kernel *k)
{
	size_t i, n = 0;

	fe_kern = *k;
	if (k->fk_points != NULL)
		n = k->fk_points(fe_kern_pts, FE_KERNEL_MAXPOINTS);
	if (n > FE_KERNEL_MAXPOINTS)
		n = FE_KERNEL_MAXPOINTS;
	for (i = 0; i < n; i++)
		fe_kern_names[i] = fe_kern_pts[i]->fp_name;
	fe_kern_reg.fr_names = fe_kern_names;
	fe_kern_reg.fr_count = n;
	return &fe_kern_reg;
}

/*
 * Let c's lwp and process come from the calling thread's kernel lwp,
 * asked only when a rule filters on them (fc_who).
 */
void
fe_kernel_ident(struct fe_call *c)
{

	c->fc_who = fe_kern.fk_ident;
}

/*
 * Describe the check of named point fp at site fs as a call into *c
 * (caller, size, flags, the calling lwp and process).  Returns the
 * point's index in the registry, or -1 for a point it does not hold.
 */
int
fe_kernel_call(const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs, struct fe_call *c)
{
	size_t i;

	for (i = 0; i < fe_kern_reg.fr_count && fe_kern_pts[i] != fp; i++)
		continue;
	if (i == fe_kern_reg.fr_count)
		return -1;
	memset(c, 0, sizeof(*c));
	c->fc_caller = fs->fs_caller;
	c->fc_len = fs->fs_size;
	c->fc_aux = (uint64_t)fs->fs_flags;
	fe_kernel_ident(c);
	return (int)i;
}

/*
 * The kernel's named-point hook: ask the installed engine
 * (fe_host_named).  Called by the kernel with a virtual CPU held; does
 * not call back into the kernel but for rumpus_curlwp_ident, which only
 * reads.
 */
static int
fe_kernel_named(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	struct fe_call c;
	int i;

	if ((i = fe_kernel_call(fp, fs, &c)) < 0)
		return 0;
	return fe_host_named((unsigned)i, &c);
}

/*
 * Make the kernel's named points ask the installed engine (on set) or
 * nobody (clear).  Nothing happens for a kernel without the hook.
 */
void
fe_kernel_hook(int set)
{

	if (fe_kern.fk_sethook != NULL)
		fe_kern.fk_sethook(set ? fe_kernel_named : NULL, NULL);
}
