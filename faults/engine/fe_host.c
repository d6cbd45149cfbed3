/*
 * The engine installed in a process: one per process, shared by the two
 * installers, librumpuser (faults/fault_env.c) and the LD_PRELOAD
 * interposer (faults/interpose).  Each supplies an install function that
 * makes its wrapper points consult the engine (or none); this file owns
 * the engine, its spec, its trace file and the trace file's format.
 *
 * Configuration is set-up: fe_host_configure() and fe_host_unconfigure()
 * must not run while hypercalls are in flight.  fe_host_dump() may run
 * from any thread (at exit, or in the thread that cuts the power).
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_impl.h"
#include "fe_rumpuser.h"

/* Decisions the ring keeps while a trace file is asked for. */
#define FE_HOST_RING	4096
/* Call sites the trace file's summary lists at most. */
#define FE_HOST_SITES	256

static struct fe_engine *fe_host_e;	/* installed, or NULL */
static char *fe_host_spec;		/* its spec, for the trace file */
static char *fe_host_trace;		/* its trace file, or NULL */
static int fe_host_atexit;		/* fe_host_atexit_dump registered */

/* The installed engine, or NULL. */
struct fe_engine *
fe_host_engine(void)
{

	return fe_host_e;
}

/* Dump at exit(3), for an engine with a trace file. */
static void
fe_host_atexit_dump(void)
{

	(void)fe_host_dump("exit");
}

/*
 * Uninstall (install(NULL)) and free the installed engine, if any.
 * No hypercall may be in flight.
 */
void
fe_host_unconfigure(fe_install_fn install)
{

	if (fe_host_e == NULL)
		return;
	fe_engine_watch_gate(fe_host_e, NULL, NULL);
	fe_kernel_hook(0);
	install(NULL);
	fe_engine_destroy(fe_host_e);
	free(fe_host_spec);
	free(fe_host_trace);
	fe_host_e = NULL;
	fe_host_spec = NULL;
	fe_host_trace = NULL;
}

/*
 * Replace the installed engine by one seeded with seed, with spec armed
 * (parsed against reg; NULL or "" arms nothing) and, if trace is not
 * NULL, tracing and counting every decision for the trace file trace.
 * Then install(engine).  Returns 0; EINVAL with *err filled in (a bad
 * spec); ENOMEM.  On error nothing is installed.
 */
int
fe_host_configure(const char *spec, uint64_t seed,
    const struct fe_registry *reg, const char *trace, fe_install_fn install,
    struct fe_error *err)
{
	struct fe_plan *plan = NULL;
	struct fe_engine *e;
	int error;

	fe_host_unconfigure(install);
	if (spec == NULL)
		spec = "";
	if ((error = fe_plan_parse(spec, reg, &plan, err)) != 0)
		return error;
	if ((e = fe_engine_create(seed, reg)) == NULL) {
		fe_plan_free(plan);
		return ENOMEM;
	}
	error = fe_engine_arm(e, plan);
	if (error == 0 && trace != NULL)
		error = fe_engine_set(e, FE_COUNT | FE_TRACE, FE_HOST_RING);
	if (error == 0 && ((fe_host_spec = strdup(spec)) == NULL ||
	    (trace != NULL && (fe_host_trace = strdup(trace)) == NULL)))
		error = ENOMEM;
	if (error == 0 && trace != NULL && !fe_host_atexit) {
		if (atexit(fe_host_atexit_dump) != 0)
			error = ENOMEM;
		else
			fe_host_atexit = 1;
	}
	if (error != 0) {
		free(fe_host_spec);
		free(fe_host_trace);
		fe_host_spec = fe_host_trace = NULL;
		fe_engine_destroy(e);
		return error;
	}
	fe_host_e = e;
	install(e);
	return 0;
}

/*
 * Configure from the environment: RUMPUS_FAULTS (the spec, its named
 * points parsed against reg, the kernel's registry from
 * fe_kernel_attach(), or NULL) and RUMPUS_TRACE (the trace file), with
 * seed (the caller has read RUMPUS_SEED).  Neither set: nothing is
 * installed.  A rule at a named point makes the kernel's points ask the
 * engine (fe_kernel_hook).  A bad spec, or an @site filter (a process
 * configured from the environment cannot name the kernel's functions:
 * they are local symbols), is said on stderr after who, with its
 * position, and gives EINVAL.
 */
int
fe_host_configure_env(const char *who, uint64_t seed,
    const struct fe_registry *reg, fe_install_fn install)
{
	const char *spec = getenv("RUMPUS_FAULTS");
	const char *trace = getenv("RUMPUS_TRACE");
	struct fe_plan *plan;
	struct fe_error err;
	char msg[1024];
	size_t i;
	int error = 0;

	if (trace != NULL && *trace == '\0')
		trace = NULL;
	if (spec == NULL && trace == NULL)
		return 0;
	if (spec != NULL && (error = fe_plan_parse(spec, reg, &plan,
	    &err)) == 0) {
		for (i = 0; i < plan->fp_nrules; i++)
			if (plan->fp_rules[i].fr_site != NULL)
				break;
		if (i < plan->fp_nrules)
			error = fe_plan_error(plan, i, spec, &err, "an @site "
			    "filter needs the kernel's function names, which "
			    "only rumpus(1) reads (its .symtab); not from "
			    "RUMPUS_FAULTS");
		fe_plan_free(plan);
	}
	if (error == 0)
		error = fe_host_configure(spec, seed, reg, trace, install,
		    &err);
	if (error == EINVAL) {
		fe_error_format(&err, spec, msg, sizeof(msg));
		fprintf(stderr, "%s: RUMPUS_FAULTS: %s\n", who, msg);
	} else if (error != 0)
		fprintf(stderr, "%s: RUMPUS_FAULTS: %s\n", who,
		    strerror(error));
	if (error == 0 && fe_engine_gate(fe_host_e)->fg_mask >> FE_PT_NHYPER)
		fe_kernel_hook(1);
	return error;
}

/*
 * Decide call c at the kernel's named point idx (its index in the
 * registry the engine was configured with) with the installed engine.
 * Serves a delay or a yield here (the caller's vCPU held) and ends the
 * process for a panic; returns a NetBSD errno to fail the operation
 * with, or 0.  With no engine, or no rule at the point, only the gate is
 * tested.
 */
int
fe_host_named(unsigned idx, const struct fe_call *c)
{
	struct fe_engine *e = fe_host_e;
	struct fe_decision d;
	unsigned pt = FE_PT_NHYPER + idx;

	if (e == NULL || !fe_gate_open(fe_engine_gate(e), pt))
		return 0;
	fe_decide(e, pt, c, &d);
	switch (d.fd_action) {
	case FE_ERRNO:
		return d.fd_errno;
	case FE_DELAY:
	case FE_YIELD:
		fe_rumpuser_pause(d.fd_action == FE_YIELD, d.fd_arg);
		return 0;
	case FE_PANIC:
		fe_rumpuser_panic(e, pt, d.fd_rule);
	default:
		return 0;
	}
}

/*
 * A code address as "function+0xoffset" when sym names it, else as
 * "object+0xoffset" (stable under ASLR), into buf.
 */
static void
fe_host_where(uintptr_t addr, fe_symbolizer_fn sym, char *buf, size_t len)
{
	const char *name;
	uintptr_t off;
	Dl_info dli;

	if (sym != NULL && addr != 0 && (name = sym(addr, &off)) != NULL)
		snprintf(buf, len, "%s+%#jx", name, (uintmax_t)off);
	else if (addr != 0 && dladdr((void *)addr, &dli) != 0 &&
	    dli.dli_fname != NULL) {
		name = strrchr(dli.dli_fname, '/');
		name = name != NULL ? name + 1 : dli.dli_fname;
		snprintf(buf, len, "%s+%#jx", name,
		    (uintmax_t)(addr - (uintptr_t)dli.dli_fbase));
	} else
		snprintf(buf, len, "%#jx", (uintmax_t)addr);
}

/* One call site in the summary. */
struct fe_host_site {
	unsigned	hs_point;
	uintptr_t	hs_caller;
	uint64_t	hs_calls;
	uint64_t	hs_hits;
};

/*
 * Write engine e's trace file contents to f: a header (why the dump,
 * seed, spec, digest), the decisions the ring kept, then the summaries
 * (last, where a console's tail shows them): per point the calls and
 * faults, per call site (named by sym, or by object and offset with
 * NULL) the same over the decisions the ring kept.  Returns 0 or an errno.
 */
int
fe_host_report(struct fe_engine *e, const char *spec, const char *why,
    fe_symbolizer_fn sym, FILE *f)
{
	struct fe_host_site sites[FE_HOST_SITES], *hs;
	struct fe_trace_entry t;
	char line[256], where[128];
	size_t kept, nsites = 0, k, i;
	uint64_t calls, hits, others = 0;
	unsigned pt;

	fprintf(f, "rumpus fault trace\nwhy: %s\nseed: %" PRIu64 "\n"
	    "spec: %s\ndigest: %016" PRIx64 "\ndecisions: %" PRIu64 "\n"
	    "faults: %" PRIu64 "\n", why, fe_engine_seed(e),
	    spec != NULL ? spec : "", fe_trace_digest(e), fe_trace_total(e),
	    fe_engine_hits(e));

	fprintf(f, "ring:\n");
	kept = fe_trace_kept(e);
	for (k = 0; k < kept; k++) {
		if (fe_trace_entry(e, k, &t) != 0)
			break;
		fe_trace_format(&t, e->fe_reg, line, sizeof(line));
		fprintf(f, "  %s\n", line);
	}

	fprintf(f, "points:\n");
	for (pt = 0; pt < e->fe_npoints; pt++) {
		calls = fe_engine_calls(e, pt);
		hits = fe_engine_point_hits(e, pt);
		if (calls != 0 || hits != 0)
			fprintf(f, "  %-16s calls %" PRIu64 " faults %" PRIu64
			    "\n", fe_point_name(pt, e->fe_reg), calls, hits);
	}

	for (k = 0; k < kept; k++) {
		if (fe_trace_entry(e, k, &t) != 0)
			break;
		for (i = 0; i < nsites; i++)
			if (sites[i].hs_point == t.fte_point &&
			    sites[i].hs_caller == t.fte_caller)
				break;
		if (i == nsites) {
			if (nsites == FE_HOST_SITES) {
				others++;
				continue;
			}
			hs = &sites[nsites++];
			hs->hs_point = t.fte_point;
			hs->hs_caller = t.fte_caller;
			hs->hs_calls = hs->hs_hits = 0;
		}
		sites[i].hs_calls++;
		sites[i].hs_hits += t.fte_decision.fd_rule >= 0;
	}
	fprintf(f, "sites: (the last %zu decisions)\n", kept);
	for (i = 0; i < nsites; i++) {
		fe_host_where(sites[i].hs_caller, sym, where, sizeof(where));
		fprintf(f, "  %-16s %s calls %" PRIu64 " faults %" PRIu64 "\n",
		    fe_point_name(sites[i].hs_point, e->fe_reg), where,
		    sites[i].hs_calls, sites[i].hs_hits);
	}
	if (others != 0)
		fprintf(f, "  (%" PRIu64 " decisions at further sites)\n",
		    others);

	return ferror(f) ? EIO : 0;
}

/*
 * Write the installed engine's trace file (why: "exit", "powercut",
 * "panic", ...), replacing what it held.  Nothing to do without an
 * engine.  Returns 0 or an errno (also
 * said on stderr).
 */
int
fe_host_dump(const char *why)
{
	FILE *f;
	int error;

	if (fe_host_e == NULL || fe_host_trace == NULL)
		return 0;
	if ((f = fopen(fe_host_trace, "w")) == NULL) {
		error = errno;
		fprintf(stderr, "rumpus: RUMPUS_TRACE %s: %s\n", fe_host_trace,
		    strerror(error));
		return error;
	}
	error = fe_host_report(fe_host_e, fe_host_spec, why, NULL, f);
	if (fclose(f) != 0 && error == 0)
		error = errno;
	return error;
}
