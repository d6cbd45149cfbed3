/*
 * The fault engine's private structures, shared by its files only.
 */
#ifndef _FAULTS_ENGINE_FE_IMPL_H_
#define _FAULTS_ENGINE_FE_IMPL_H_

#include <pthread.h>

#include "fault_engine.h"

/* Nothing declared here leaves a shared object that links the engine. */
#pragma GCC visibility push(hidden)

/* p=1 as a fraction of 2^32: a rule with this probability always fires. */
#define FE_PROB_ONE	((uint64_t)1 << 32)

/* What a point accepts: a mask of action bits and I/O filters. */
#define FE_CAN(a)	(1u << (a))
#define FE_CAN_RANGE	(1u << 16)	/* block= and bytes= filters */

/* One rule as parsed: "bio.write@ext2_*:nth=3:EIO". */
struct fe_rule {
	unsigned	fr_point;	/* FE_PT_* or FE_PT_NHYPER + registry */
	char		*fr_site;	/* @glob over frame names, or NULL */
	size_t		fr_siteoff;	/* offset of its "@" in the spec */
	uint64_t	fr_nth;		/* fire on the nth eligible call; 0 off */
	uint64_t	fr_every;	/* fire on every kth; 0 off */
	uint64_t	fr_after;	/* skip the first n eligible calls */
	uint64_t	fr_max;		/* at most n hits; 0 unlimited */
	uint64_t	fr_prob;	/* out of FE_PROB_ONE */
	uint64_t	fr_lwp;		/* lwp= when fr_haslwp */
	uint64_t	fr_pid;		/* pid= when fr_haspid */
	uint64_t	fr_lo, fr_hi;	/* byte range, inclusive, when fr_hasrange */
	int		fr_haslwp, fr_haspid, fr_hasrange;
	enum fe_action	fr_action;
	int		fr_errno;	/* FE_ERRNO: NetBSD value */
	uint64_t	fr_arg;		/* us, bytes, sectors or bit */
	int		fr_hasarg;	/* bitflip: a bit was named */
	char		*fr_text;	/* the rule's own text, trimmed */
};

struct fe_plan {
	struct fe_rule	*fp_rules;
	size_t		fp_nrules;
};

/* A rule once armed: the parsed rule, its counters and its PRNG stream. */
struct fe_armed {
	struct fe_rule	fa_rule;
	uint64_t	fa_seen;	/* calls that passed the filters */
	uint64_t	fa_hits;	/* calls the rule fired on */
	uint64_t	fa_rng[4];	/* xoshiro256** state */
};

/*
 * The engine.  fe_lock (a leaf) covers everything but fe_gate, which is
 * written under it and read without it.
 */
struct fe_engine {
	struct fe_gate	fe_gate;	/* first: the hook's fast path */
	pthread_mutex_t	fe_lock;
	uint64_t	fe_seed;
	const struct fe_registry *fe_reg;	/* the creator's, kept alive */
	unsigned	fe_npoints;	/* FE_PT_NHYPER + registry entries */
	unsigned	fe_modes;	/* FE_COUNT | FE_TRACE */
	struct fe_armed	*fe_rules;	/* in arming order */
	size_t		fe_nrules;
	int		fe_needwho;	/* a rule has lwp= or pid= */
	uint64_t	*fe_calls;	/* per point: calls decided */
	uint64_t	*fe_pthits;	/* per point: calls faulted */
	uint64_t	fe_hits;	/* decisions other than FE_PASS */
	void		(*fe_gatefn)(void *, uint64_t);	/* gate mirror */
	void		*fe_gatearg;
	struct fe_trace_entry *fe_ring;	/* fe_ringcap entries */
	size_t		fe_ringcap;
	uint64_t	fe_total;	/* entries ever traced */
	uint64_t	fe_digest;	/* over every traced entry */
	uint64_t	*fe_mcalls;	/* fe_engine_mirror: calls per point, */
	size_t		fe_nmcalls;	/* of the first fe_nmcalls points, */
	uint64_t	*fe_mhits;	/* hits */
	uint64_t	*fe_mdigest;	/* and digest; or NULL */
};

/* Record one decision in the ring (fe_trace.c); fe_lock held. */
void		fe_trace_record(struct fe_engine *, unsigned,
		    const struct fe_call *, const struct fe_decision *);

/* Refuse rule i at its @site filter (fe_spec.c); EINVAL. */
int		fe_plan_error(const struct fe_plan *, size_t, const char *,
		    struct fe_error *, const char *);

/* Which actions and filters a point accepts (fe_spec.c). */
unsigned	fe_point_caps(unsigned);

/* The mixing step of splitmix64: fe_eval.c and fe_token.c share it. */
static inline uint64_t
fe_mix64(uint64_t z)
{

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#pragma GCC visibility pop

#endif /* _FAULTS_ENGINE_FE_IMPL_H_ */
