/*
 * Evaluation: the engine holds the armed rules, and fe_decide() answers,
 * for one call at one point, whether to fault it and how.
 *
 * Determinism.  Every rule has its own xoshiro256** stream, seeded from
 * (engine seed, hash of the rule's text, how many earlier armed rules
 * have the same text), so arming another rule never shifts a rule's
 * draws.  A rule's state (counters, stream) depends only on the calls at
 * its point that pass its filters, never on the other rules: every rule at
 * the point is evaluated on every call; when several fire, the first in
 * arming order decides the call and all of them count the hit.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fe_impl.h"

static inline uint64_t
fe_rotl(uint64_t x, int k)
{

	return (x << k) | (x >> (64 - k));
}

/* The next 64 bits of a rule's stream (xoshiro256**). */
static uint64_t
fe_rng_next(uint64_t s[4])
{
	uint64_t result = fe_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = fe_rotl(s[3], 45);
	return result;
}

/* Seed a stream from one 64-bit key through splitmix64. */
static void
fe_rng_seed(uint64_t s[4], uint64_t key)
{
	int i;

	for (i = 0; i < 4; i++) {
		key += 0x9e3779b97f4a7c15ULL;
		s[i] = fe_mix64(key);
	}
}

/*
 * Recompute the gate (and whether a rule filters by lwp or process) from
 * the armed rules and the modes; fe_lock held.
 */
static void
fe_gate_update(struct fe_engine *e)
{
	const struct fe_rule *r;
	uint64_t mask = 0;
	size_t i;

	if (e->fe_modes != 0)
		mask = ~(uint64_t)0;
	e->fe_needwho = 0;
	for (i = 0; i < e->fe_nrules; i++) {
		r = &e->fe_rules[i].fa_rule;
		mask |= fe_point_bit(r->fr_point);
		e->fe_needwho |= r->fr_haslwp || r->fr_haspid;
	}
	__atomic_store_n(&e->fe_gate.fg_mask, mask, __ATOMIC_RELAXED);
	if (e->fe_gatefn != NULL)
		e->fe_gatefn(e->fe_gatearg, mask);
}

/* Copy point pt's count, the hits and the digest out; fe_lock held. */
static void
fe_mirror_store(struct fe_engine *e, unsigned pt)
{

	if (e->fe_mcalls == NULL)
		return;
	if (pt < e->fe_nmcalls)
		e->fe_mcalls[pt] = e->fe_calls[pt];
	*e->fe_mhits = e->fe_hits;
	*e->fe_mdigest = e->fe_digest;
}

/*
 * A new engine with nothing armed; seed drives every probability and
 * random bit.  reg (may be NULL) must outlive the engine.  NULL when out
 * of memory.
 */
struct fe_engine *
fe_engine_create(uint64_t seed, const struct fe_registry *reg)
{
	struct fe_engine *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->fe_seed = seed;
	e->fe_reg = reg;
	e->fe_npoints = FE_PT_NHYPER + (reg != NULL ? (unsigned)reg->fr_count :
	    0);
	if ((e->fe_calls = calloc(e->fe_npoints, sizeof(uint64_t))) == NULL ||
	    (e->fe_pthits = calloc(e->fe_npoints, sizeof(uint64_t))) == NULL)
		goto bad;
	if (pthread_mutex_init(&e->fe_lock, NULL) != 0)
		goto bad;
	return e;

bad:
	free(e->fe_pthits);
	free(e->fe_calls);
	free(e);
	return NULL;
}

/* Disarm everything and free the engine; no hook may be using it. */
void
fe_engine_destroy(struct fe_engine *e)
{

	fe_engine_clear(e);
	pthread_mutex_destroy(&e->fe_lock);
	free(e->fe_ring);
	free(e->fe_pthits);
	free(e->fe_calls);
	free(e);
}

/* The gate the hook tests before calling fe_decide(). */
const struct fe_gate *
fe_engine_gate(const struct fe_engine *e)
{

	return &e->fe_gate;
}

/*
 * Call fn(arg, mask) now and on every change of the gate, with fe_lock
 * held (NULL: no more).  Takes fe_lock.
 */
void
fe_engine_watch_gate(struct fe_engine *e, void (*fn)(void *, uint64_t),
    void *arg)
{

	pthread_mutex_lock(&e->fe_lock);
	e->fe_gatefn = fn;
	e->fe_gatearg = arg;
	fe_gate_update(e);
	pthread_mutex_unlock(&e->fe_lock);
}

/* The registry the engine was created with (NULL: none). */
const struct fe_registry *
fe_engine_registry(const struct fe_engine *e)
{

	return e->fe_reg;
}

/* The seed the engine was created with. */
uint64_t
fe_engine_seed(const struct fe_engine *e)
{

	return e->fe_seed;
}

/*
 * Arm every rule of plan, after those already armed, and take ownership
 * of the plan (it is freed here, also on error).  Takes fe_lock.
 * Returns 0, EINVAL if the plan was parsed against another registry
 * (a point this engine does not know), or ENOMEM.
 */
int
fe_engine_arm(struct fe_engine *e, struct fe_plan *plan)
{
	struct fe_armed *nr, *a;
	struct fe_rule *r;
	uint64_t key;
	size_t i, j, dup;
	int error = 0;

	pthread_mutex_lock(&e->fe_lock);
	for (i = 0; i < plan->fp_nrules; i++)
		if (plan->fp_rules[i].fr_point >= e->fe_npoints) {
			error = EINVAL;
			goto out;
		}
	nr = realloc(e->fe_rules, (e->fe_nrules + plan->fp_nrules + 1) *
	    sizeof(*nr));
	if (nr == NULL) {
		error = ENOMEM;
		goto out;
	}
	e->fe_rules = nr;
	for (i = 0; i < plan->fp_nrules; i++) {
		r = &plan->fp_rules[i];
		for (dup = 0, j = 0; j < e->fe_nrules; j++)
			if (strcmp(nr[j].fa_rule.fr_text, r->fr_text) == 0)
				dup++;
		a = &nr[e->fe_nrules++];
		memset(a, 0, sizeof(*a));
		a->fa_rule = *r;
		key = fe_hash64(r->fr_text, strlen(r->fr_text), e->fe_seed);
		fe_rng_seed(a->fa_rng, fe_mix64(key ^ dup));
	}
	/* The rules' strings now belong to the engine. */
	plan->fp_nrules = 0;
	fe_gate_update(e);
out:
	pthread_mutex_unlock(&e->fe_lock);
	fe_plan_free(plan);
	return error;
}

/* Disarm every rule (fault.clear()); counts and trace stay.  Takes fe_lock. */
void
fe_engine_clear(struct fe_engine *e)
{
	size_t i;

	pthread_mutex_lock(&e->fe_lock);
	for (i = 0; i < e->fe_nrules; i++) {
		free(e->fe_rules[i].fa_rule.fr_site);
		free(e->fe_rules[i].fa_rule.fr_text);
	}
	free(e->fe_rules);
	e->fe_rules = NULL;
	e->fe_nrules = 0;
	fe_gate_update(e);
	pthread_mutex_unlock(&e->fe_lock);
}

/*
 * Set the modes (FE_COUNT, FE_TRACE, or 0).  Turning FE_TRACE on starts
 * an empty ring of ringcap entries (at least 1) and a fresh digest;
 * turning it off keeps the ring for reading.  Takes fe_lock.  Returns 0,
 * EINVAL or ENOMEM.
 */
int
fe_engine_set(struct fe_engine *e, unsigned modes, size_t ringcap)
{
	struct fe_trace_entry *ring = NULL;

	if ((modes & ~(unsigned)(FE_COUNT | FE_TRACE)) != 0 ||
	    ((modes & FE_TRACE) && ringcap == 0))
		return EINVAL;
	if ((modes & FE_TRACE) &&
	    (ring = calloc(ringcap, sizeof(*ring))) == NULL)
		return ENOMEM;
	pthread_mutex_lock(&e->fe_lock);
	if (ring != NULL) {
		free(e->fe_ring);
		e->fe_ring = ring;
		e->fe_ringcap = ringcap;
		e->fe_total = 0;
		e->fe_digest = 0;
		fe_mirror_store(e, 0);
	}
	e->fe_modes = modes;
	fe_gate_update(e);
	pthread_mutex_unlock(&e->fe_lock);
	return 0;
}

/* Does call c pass rule r's filters?  Cheapest first; the site last. */
static int
fe_rule_eligible(const struct fe_rule *r, const struct fe_call *c)
{
	uint64_t last;

	if (r->fr_haslwp && c->fc_lwp != r->fr_lwp)
		return 0;
	if (r->fr_haspid && c->fc_pid != r->fr_pid)
		return 0;
	if (r->fr_hasrange) {
		if (!c->fc_hasio)
			return 0;
		last = c->fc_len == 0 ? c->fc_off : c->fc_off + c->fc_len - 1;
		if (last < c->fc_off)
			last = UINT64_MAX;
		if (c->fc_off > r->fr_hi || last < r->fr_lo)
			return 0;
	}
	if (r->fr_site != NULL) {
		if (c->fc_match != NULL)
			return c->fc_match(c->fc_matcharg, r->fr_site) != 0;
		return fe_site_match(r->fr_site, c->fc_frames, c->fc_nframes);
	}
	return 1;
}

/*
 * Count an eligible call against armed rule a and say whether it fires:
 * max caps the hits; nth picks one call; after skips calls and every
 * keeps each kth of the rest; p draws from the rule's own stream last, so
 * a draw happens only when everything else would fire.
 */
static int
fe_rule_fires(struct fe_armed *a)
{
	const struct fe_rule *r = &a->fa_rule;
	uint64_t n = ++a->fa_seen;

	if (r->fr_max != 0 && a->fa_hits >= r->fr_max)
		return 0;
	if (r->fr_nth != 0 && n != r->fr_nth)
		return 0;
	if (n <= r->fr_after)
		return 0;
	n -= r->fr_after;
	if (r->fr_every != 0 && n % r->fr_every != 0)
		return 0;
	if (r->fr_prob != FE_PROB_ONE &&
	    (fe_rng_next(a->fa_rng) >> 32) >= r->fr_prob)
		return 0;
	a->fa_hits++;
	return 1;
}

/* What fired rule a asks for call c. */
static void
fe_rule_decision(struct fe_armed *a, const struct fe_call *c,
    struct fe_decision *d)
{
	const struct fe_rule *r = &a->fa_rule;
	uint64_t nbits = c->fc_len * 8;

	d->fd_action = r->fr_action;
	d->fd_errno = r->fr_errno;
	d->fd_arg = r->fr_arg;
	if (r->fr_action == FE_BITFLIP) {
		if (!r->fr_hasarg)
			d->fd_arg = fe_rng_next(a->fa_rng);
		if (nbits != 0 && nbits / 8 == c->fc_len)
			d->fd_arg %= nbits;
		else if (!r->fr_hasarg)
			d->fd_arg = 0;
	}
}

/* See fault_engine.h. */
void
fe_engine_mirror(struct fe_engine *e, uint64_t *calls, size_t n,
    uint64_t *hits, uint64_t *digest)
{
	unsigned pt;

	pthread_mutex_lock(&e->fe_lock);
	e->fe_mcalls = calls;
	e->fe_nmcalls = n;
	e->fe_mhits = hits;
	e->fe_mdigest = digest;
	for (pt = 0; pt < e->fe_npoints; pt++)
		fe_mirror_store(e, pt);
	pthread_mutex_unlock(&e->fe_lock);
}

/*
 * Decide call c at point pt into *d (FE_PASS when no rule fires).  Called
 * by the hook when fe_gate_open() says so; takes fe_lock (see struct
 * fe_call for the one callback made under it).
 */
void
fe_decide(struct fe_engine *e, unsigned pt, const struct fe_call *c,
    struct fe_decision *d)
{
	struct fe_decision mine;
	struct fe_call who;
	int p, l;
	struct fe_armed *a;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->fd_action = FE_PASS;
	d->fd_rule = -1;
	pthread_mutex_lock(&e->fe_lock);
	if (pt >= e->fe_npoints)
		goto out;
	e->fe_calls[pt]++;
	/* Who calls is asked only when a rule filters on it. */
	if (e->fe_needwho && c->fc_who != NULL && c->fc_who(&p, &l) == 0) {
		who = *c;
		who.fc_pid = (uint64_t)p;
		who.fc_lwp = (uint64_t)l;
		c = &who;
	}
	for (i = 0; i < e->fe_nrules; i++) {
		a = &e->fe_rules[i];
		if (a->fa_rule.fr_point != pt || !fe_rule_eligible(&a->fa_rule,
		    c) || !fe_rule_fires(a))
			continue;
		fe_rule_decision(a, c, &mine);
		if (d->fd_rule < 0) {
			*d = mine;
			d->fd_rule = (int)i;
		}
	}
	if (d->fd_rule >= 0) {
		e->fe_hits++;
		e->fe_pthits[pt]++;
	}
	if (e->fe_modes & FE_TRACE)
		fe_trace_record(e, pt, c, d);
	fe_mirror_store(e, pt);
out:
	pthread_mutex_unlock(&e->fe_lock);
}

/* Rules armed now.  Takes fe_lock. */
size_t
fe_engine_nrules(struct fe_engine *e)
{
	size_t n;

	pthread_mutex_lock(&e->fe_lock);
	n = e->fe_nrules;
	pthread_mutex_unlock(&e->fe_lock);
	return n;
}

/* Armed rule i's counters; ENOENT past the last rule.  Takes fe_lock. */
int
fe_engine_rule_stats(struct fe_engine *e, size_t i, struct fe_rule_stats *st)
{
	int error = ENOENT;

	pthread_mutex_lock(&e->fe_lock);
	if (i < e->fe_nrules) {
		st->frs_seen = e->fe_rules[i].fa_seen;
		st->frs_hits = e->fe_rules[i].fa_hits;
		error = 0;
	}
	pthread_mutex_unlock(&e->fe_lock);
	return error;
}

/* Entry pt of per-point counter array a (0 for no such point). */
static uint64_t
fe_point_counter(struct fe_engine *e, const uint64_t *a, unsigned pt)
{
	uint64_t n = 0;

	pthread_mutex_lock(&e->fe_lock);
	if (pt < e->fe_npoints)
		n = a[pt];
	pthread_mutex_unlock(&e->fe_lock);
	return n;
}

/*
 * Calls decided at point pt: complete for every point only while
 * FE_COUNT is on (otherwise only points with armed rules are seen).
 * Takes fe_lock.
 */
uint64_t
fe_engine_calls(struct fe_engine *e, unsigned pt)
{

	return fe_point_counter(e, e->fe_calls, pt);
}

/* Calls faulted at point pt (complete: only armed points fault). */
uint64_t
fe_engine_point_hits(struct fe_engine *e, unsigned pt)
{

	return fe_point_counter(e, e->fe_pthits, pt);
}

/* Calls that were faulted (any decision but FE_PASS). */
uint64_t
fe_engine_hits(struct fe_engine *e)
{
	uint64_t n;

	pthread_mutex_lock(&e->fe_lock);
	n = e->fe_hits;
	pthread_mutex_unlock(&e->fe_lock);
	return n;
}
