/*
 * The fault engine: host side, self-contained, pure C (libfaultengine.a;
 * librumpuser compiles the same sources into itself, and the LD_PRELOAD
 * interposer faults/interpose links the archive).
 *
 * Four parts, one header (and the installer of fe_host.c, at the end):
 *   - the spec grammar (fe_spec.c): "bio.write:nth=4:EIO; malloc:p=0.01:ENOMEM"
 *     parsed into a plan of rules, with errors that name the position;
 *   - evaluation (fe_eval.c): an engine that holds armed rules, their
 *     counters and per-rule PRNG streams, and answers fe_decide() for one
 *     call at one point;
 *   - the trace (fe_trace.c): a bounded ring of decisions and a digest
 *     over every decision ever made;
 *   - reproducer tokens (fe_token.c): encode, decode, compare.
 *
 * How a hypercall wrapper uses it (the one-branch fast path):
 *
 *	if (__builtin_expect(fe_gate_open(gate, FE_PT_BIO_WRITE), 0)) {
 *		struct fe_call c = { .fc_off = off, .fc_len = len, ... };
 *		fe_decide(engine, FE_PT_BIO_WRITE, &c, &d);
 *		... apply d ...
 *	}
 *
 * (fe_rumpuser_hook() in fe_rumpuser.h does this for librumpuser's
 * wrapper points), where gate = fe_engine_gate(engine) was fetched once
 * at set-up.  The
 * gate's mask has a point's bit set only while a rule is armed at that
 * point, or while counting or tracing is on; with nothing armed the wrapper
 * pays one load and one predictable branch, and no filter, counter or trace
 * code runs.  fe_decide() takes the engine's lock, a leaf lock (it calls
 * nothing outside the engine while holding it but the hook's own frame
 * matcher, see struct fe_call), so it may be called from any host thread
 * with any of the hook's locks held.
 */
#ifndef _FAULTS_ENGINE_FAULT_ENGINE_H_
#define _FAULTS_ENGINE_FAULT_ENGINE_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fault_points.h"

/*
 * Points.  The hypercall points are fixed, named and ordered by the one
 * table in faults/fault_points.h, which librumpuser numbers its wrapper
 * points by too; the kernel's named points
 * (kmem.alloc, ext2.alloc_block, ...) come from a registry supplied at run
 * time and take the ids FE_PT_NHYPER + their index in that registry.
 */
#define FE_HYPER_POINTS(X)	RUMPUS_HYPER_POINTS(X)	/* fault_points.h */

#define _FE_PT_ENUM(sym, name)	FE_PT_##sym,
enum fe_hyper_point {
	FE_HYPER_POINTS(_FE_PT_ENUM)
	FE_PT_NHYPER
};
#undef _FE_PT_ENUM

/* The kernel's named points, as the kernel reports them (rumpus_ext). */
struct fe_registry {
	const char *const *fr_names;	/* dotted names, e.g. "kmem.alloc" */
	size_t		fr_count;
};

/* "bio.write" for FE_PT_BIO_WRITE, a registry name, or NULL. */
const char	*fe_point_name(unsigned, const struct fe_registry *);

/*
 * Actions.  The hook applies them; the engine only decides.
 */
enum fe_action {
	FE_PASS = 0,	/* no fault: do the real call */
	FE_ERRNO,	/* fail with fd_errno (a NetBSD value) */
	FE_DELAY,	/* sleep fd_arg microseconds, then do the real call */
	FE_YIELD,	/* yield the host thread, then do the real call */
	FE_SHORT,	/* transfer at most fd_arg bytes, report that count */
	FE_TORN,	/* write the first fd_arg sectors (512 bytes), then cut */
	FE_BITFLIP,	/* do the read, then flip bit fd_arg of the buffer */
	FE_POWERCUT,	/* drop this write and stop the instance (power cut) */
	FE_PANIC,	/* stop the instance as a kernel panic would */
	FE_LOST		/* report this write done; nothing reaches the disk */
};

/* The sector of torn=K and of block=A-B: NetBSD's DEV_BSIZE. */
#define FE_SECTOR	512

struct fe_decision {
	enum fe_action	fd_action;
	int		fd_errno;	/* FE_ERRNO: NetBSD errno value */
	uint64_t	fd_arg;		/* microseconds, bytes, sectors, bit */
	int		fd_rule;	/* index of the deciding rule, -1 */
};

/*
 * One call at one point, as the hook describes it.  Every field is
 * optional (zero when unknown); a filter that needs an unknown field does
 * not match.  The frames: either fc_frames (names of the kernel frames,
 * innermost first) or fc_match, a callback that answers whether any frame
 * matches a glob.  Either is consulted only when a rule with an @site
 * filter reaches that filter, so symbolizing stays off the fast path.
 * The same for the caller's kernel lwp and process: fc_lwp/fc_pid as
 * given, or, when fc_who is set, what fc_who(&pid, &lid) answers, asked
 * once per decision and only while a rule with an lwp= or pid= filter is
 * armed.  fc_match and fc_who are called with the engine's lock held:
 * they must not call back into the engine.
 */
struct fe_call {
	uintptr_t	fc_caller;	/* return address of the hypercall */
	uint64_t	fc_lwp;		/* kernel lwp id (lwp=) */
	uint64_t	fc_pid;		/* kernel process id (pid=) */
	int		(*fc_who)(int *, int *);	/* or NULL */
	uint64_t	fc_off;		/* I/O: byte offset (block=, bytes=) */
	uint64_t	fc_len;		/* I/O: byte count; malloc: size */
	uint64_t	fc_aux;		/* any other argument worth digesting */
	int		fc_hasio;	/* fc_off/fc_len describe a transfer */
	const char *const *fc_frames;	/* kernel frame names, or NULL */
	size_t		fc_nframes;
	int		(*fc_match)(void *, const char *);	/* or NULL */
	void		*fc_matcharg;
};

/*
 * Plans: parsed specs.
 */
struct fe_plan;

/* Where and why a spec was refused. */
struct fe_error {
	size_t	fe_offset;	/* byte offset into the spec */
	int	fe_line;	/* 1-based */
	int	fe_column;	/* 1-based */
	char	fe_msg[320];	/* e.g. unknown trigger "nht" (expected ...) */
};

int	 fe_plan_parse(const char *, const struct fe_registry *,
	    struct fe_plan **, struct fe_error *);
void	 fe_plan_free(struct fe_plan *);
size_t	 fe_plan_nrules(const struct fe_plan *);
const char *fe_plan_rule_text(const struct fe_plan *, size_t);
int	 fe_error_format(const struct fe_error *, const char *, char *,
	    size_t);

/* Site filters: does glob match any of the frame names? */
int	 fe_site_match(const char *, const char *const *, size_t);
/* Rule i's @site glob, or NULL. */
const char *fe_plan_rule_site(const struct fe_plan *, size_t);

/*
 * The engine.
 */
struct fe_engine;

/* The gate: bit fe_point_bit(pt) is set while pt needs fe_decide(). */
struct fe_gate {
	uint64_t	fg_mask;
};

static inline uint64_t
fe_point_bit(unsigned pt)
{

	/* Named points beyond bit 62 share the last bit. */
	return (uint64_t)1 << (pt < 63 ? pt : 63);
}

static inline int
fe_gate_open(const struct fe_gate *g, unsigned pt)
{

	return (__atomic_load_n(&g->fg_mask, __ATOMIC_RELAXED) &
	    fe_point_bit(pt)) != 0;
}

/* Modes for fe_engine_set(). */
#define FE_COUNT	0x1	/* count every call at every point */
#define FE_TRACE	0x2	/* record every decision in the ring */

struct fe_engine *fe_engine_create(uint64_t, const struct fe_registry *);
void	 fe_engine_destroy(struct fe_engine *);
const struct fe_gate *fe_engine_gate(const struct fe_engine *);
/*
 * Mirror the gate into a hook's own word: fn(arg, mask) is called now and
 * whenever the mask changes, with the engine's lock held (so fn must not
 * call into the engine; an atomic store is what it is for).  NULL stops.
 */
void	 fe_engine_watch_gate(struct fe_engine *, void (*)(void *, uint64_t),
	    void *);
int	 fe_engine_arm(struct fe_engine *, struct fe_plan *);
void	 fe_engine_clear(struct fe_engine *);
int	 fe_engine_set(struct fe_engine *, unsigned, size_t);
void	 fe_decide(struct fe_engine *, unsigned, const struct fe_call *,
	    struct fe_decision *);
/*
 * Keep a copy of the counts (calls per point, for the first n points),
 * the hits and the trace digest in memory the caller owns, current after
 * every decision: memory shared with a parent that outlives this process
 * gives it the real counts up to any end, a crash or a kill included.
 * NULL calls: stop.  Takes fe_lock.
 */
void	 fe_engine_mirror(struct fe_engine *, uint64_t *, size_t, uint64_t *,
	    uint64_t *);

/* What a rule has seen: calls that passed its filters, and its hits. */
struct fe_rule_stats {
	uint64_t	frs_seen;
	uint64_t	frs_hits;
};

size_t	 fe_engine_nrules(struct fe_engine *);
int	 fe_engine_rule_stats(struct fe_engine *, size_t,
	    struct fe_rule_stats *);
uint64_t fe_engine_calls(struct fe_engine *, unsigned);
uint64_t fe_engine_point_hits(struct fe_engine *, unsigned);
uint64_t fe_engine_hits(struct fe_engine *);
uint64_t fe_engine_seed(const struct fe_engine *);
const struct fe_registry *fe_engine_registry(const struct fe_engine *);

/*
 * The trace ring.
 */
struct fe_trace_entry {
	uint64_t	fte_seq;	/* 0, 1, 2, ...: decisions so far */
	unsigned	fte_point;
	uintptr_t	fte_caller;	/* not in the digest (ASLR) */
	uint64_t	fte_argdigest;
	struct fe_decision fte_decision;
};

uint64_t fe_trace_total(struct fe_engine *);
size_t	 fe_trace_kept(struct fe_engine *);
int	 fe_trace_entry(struct fe_engine *, size_t, struct fe_trace_entry *);
uint64_t fe_trace_digest(struct fe_engine *);
int	 fe_trace_format(const struct fe_trace_entry *,
	    const struct fe_registry *, char *, size_t);

/*
 * Reproducer tokens.
 */
#define FE_TOKEN_VERSION	1
#define FE_TOKEN_PREFIX		"rumpus"

struct fe_token {
	char		*ft_build;	/* build id (kernel + host library) */
	char		*ft_scenario;	/* scenario path */
	char		*ft_scenhash;	/* scenario content hash */
	char		*ft_variant;	/* e.g. "ext2", "tmpfs" */
	char		*ft_plan;	/* the spec text */
	char		*ft_mode;	/* "serial" or "threads" */
	uint64_t	 ft_seed;
};

int	 fe_token_encode(const struct fe_token *, char *, size_t);
int	 fe_token_decode(const char *, struct fe_token *, char *, size_t);
void	 fe_token_free(struct fe_token *);
int	 fe_token_compare(const struct fe_token *, const struct fe_token *,
	    char *, size_t);

/* A 64-bit digest (for scenario content, build ids) and its hex text. */
uint64_t fe_hash64(const void *, size_t, uint64_t);

/* RUMPUS_SEED's syntax: decimal, below 2^64.  0 or EINVAL. */
int	 fe_seed_parse(const char *, uint64_t *);

/*
 * The engine installed in a process (fe_rumpuser.c): librumpuser holds
 * one, and so does the LD_PRELOAD interposer librumpus_faults.so.
 *
 * The harness installs librumpuser's engine with
 *
 *	rumpus_faults_configure(spec, seed, registry, tracefile, &err)
 *
 * in the instance, before rump_init() (or between instances): it replaces
 * any engine installed before, arms spec (NULL or "" arms nothing; a bad
 * spec gives EINVAL and *err, see fe_error_format()), seeds every rule's
 * stream from seed, parses named points against registry (the kernel's,
 * from rumpus_fault_points(); NULL for hypercall points only), and with
 * tracefile != NULL traces every decision and writes the trace to that
 * file at exit, at a power cut and at a panic.  Then rumpus_faults_engine()
 * gives the engine for fe_engine_arm() / fe_engine_clear() while the
 * kernel runs (Lua's fault.inject / fault.clear), for the kernel's named
 * points' hook (fe_decide() with FE_PT_NHYPER + i), and for counts, hits
 * and the trace digest.  Returns 0, EINVAL, or ENOMEM.
 *
 * Without a call to rumpus_faults_configure, rumpuser_init() does the same
 * from the environment: RUMPUS_FAULTS (the spec), RUMPUS_SEED,
 * RUMPUS_TRACE (the file); with neither RUMPUS_FAULTS nor RUMPUS_TRACE set
 * nothing is installed and every point costs one branch.
 */
int	 rumpus_faults_configure(const char *, uint64_t,
	    const struct fe_registry *, const char *, struct fe_error *);
struct fe_engine *rumpus_faults_engine(void);
/*
 * The kernel's named points: the harness's hook for them (rumpus_ext's
 * rumpus_fault_set_hook) calls rumpus_faults_named(i, &call) for point i
 * of the registry, with the call's caller, size (fc_len) and a frame
 * matcher (fc_match) for @site rules.  A delay or yield is served, a panic
 * ends the process; the value is the NetBSD errno to fail with, or 0.
 * No rule at the point: one test of the gate.
 */
int	 rumpus_faults_named(unsigned, const struct fe_call *);
/* Write the trace file now (why: "exit", "powercut", ...); 0 or errno. */
int	 rumpus_faults_dump(const char *);
/* Uninstall and free librumpuser's engine (no dump). */
void	 rumpus_faults_unconfigure(void);

/*
 * The shared part of both installers (fe_rumpuser.c).  install(engine) is
 * the installer's own: make its points consult engine (NULL: none).
 */
typedef void	(*fe_install_fn)(struct fe_engine *);
int	 fe_host_configure(const char *, uint64_t, const struct fe_registry *,
	    const char *, fe_install_fn, struct fe_error *);
/* From RUMPUS_FAULTS, RUMPUS_TRACE and seed; errors on stderr after who. */
int	 fe_host_configure_env(const char *, uint64_t,
	    const struct fe_registry *, fe_install_fn);
struct fe_engine *fe_host_engine(void);
/* The kernel's named point i, decided by the installed engine. */
int	 fe_host_named(unsigned, const struct fe_call *);
int	 fe_host_dump(const char *);
void	 fe_host_unconfigure(fe_install_fn);
/*
 * The trace and the summaries, as the trace file holds them; call sites
 * named by the symbolizer (an address to a function name and the offset
 * into it, or NULL), or by object and offset.
 */
typedef const char *(*fe_symbolizer_fn)(uintptr_t, uintptr_t *);
int	 fe_host_report(struct fe_engine *, const char *, const char *,
	    fe_symbolizer_fn, FILE *);

#endif /* _FAULTS_ENGINE_FAULT_ENGINE_H_ */
