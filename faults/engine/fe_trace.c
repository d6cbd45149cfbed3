/*
 * The trace: a bounded ring of the engine's decisions (the newest
 * fe_ringcap of them) and a digest over every decision ever recorded,
 * so two runs compare by one number however long they were.
 *
 * The digest covers each entry's sequence number, point, argument digest
 * and decision, never the caller's address (which moves with ASLR).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rump/rumperrno.h>

#include "fe_impl.h"

/*
 * A 64-bit digest of len bytes at p: FNV-1a from a basis perturbed by
 * seed, finished by splitmix64's mixer.  Not cryptographic: it names
 * contents (scenarios, builds) and seeds rule streams.
 */
uint64_t
fe_hash64(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ fe_mix64(seed);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return fe_mix64(h ^ len);
}

/* Fold one 64-bit word into a running digest. */
static inline uint64_t
fe_fold(uint64_t h, uint64_t w)
{

	return fe_mix64(h ^ fe_mix64(w + 0x9e3779b97f4a7c15ULL));
}

/*
 * Append the decision d on call c at point pt to the ring, overwriting
 * the oldest entry when full, and fold it into the digest.  fe_lock held.
 */
void
fe_trace_record(struct fe_engine *e, unsigned pt, const struct fe_call *c,
    const struct fe_decision *d)
{
	struct fe_trace_entry *t = &e->fe_ring[e->fe_total % e->fe_ringcap];
	uint64_t h;

	t->fte_seq = e->fe_total++;
	t->fte_point = pt;
	t->fte_caller = c->fc_caller;
	t->fte_argdigest = fe_fold(fe_fold(fe_fold(0, c->fc_off), c->fc_len),
	    c->fc_aux);
	t->fte_decision = *d;

	h = fe_fold(e->fe_digest, t->fte_seq);
	h = fe_fold(h, pt);
	h = fe_fold(h, t->fte_argdigest);
	h = fe_fold(h, (uint64_t)d->fd_action);
	h = fe_fold(h, (uint64_t)(unsigned)d->fd_errno);
	h = fe_fold(h, d->fd_arg);
	e->fe_digest = fe_fold(h, (uint64_t)(int64_t)d->fd_rule);
}

/* Decisions recorded since tracing was turned on (kept or not). */
uint64_t
fe_trace_total(struct fe_engine *e)
{
	uint64_t n;

	pthread_mutex_lock(&e->fe_lock);
	n = e->fe_total;
	pthread_mutex_unlock(&e->fe_lock);
	return n;
}

/* Entries the ring still holds: min(total, capacity). */
size_t
fe_trace_kept(struct fe_engine *e)
{
	size_t n;

	pthread_mutex_lock(&e->fe_lock);
	n = e->fe_total < e->fe_ringcap ? (size_t)e->fe_total : e->fe_ringcap;
	pthread_mutex_unlock(&e->fe_lock);
	return n;
}

/*
 * The kth kept entry, oldest first, into *t.  ENOENT past the last.
 * Takes fe_lock.
 */
int
fe_trace_entry(struct fe_engine *e, size_t k, struct fe_trace_entry *t)
{
	uint64_t kept, first;
	int error = ENOENT;

	pthread_mutex_lock(&e->fe_lock);
	kept = e->fe_total < e->fe_ringcap ? e->fe_total : e->fe_ringcap;
	if (k < kept) {
		first = e->fe_total - kept;
		*t = e->fe_ring[(first + k) % e->fe_ringcap];
		error = 0;
	}
	pthread_mutex_unlock(&e->fe_lock);
	return error;
}

/* The digest over every decision recorded (0 before the first). */
uint64_t
fe_trace_digest(struct fe_engine *e)
{
	uint64_t h;

	pthread_mutex_lock(&e->fe_lock);
	h = e->fe_digest;
	pthread_mutex_unlock(&e->fe_lock);
	return h;
}

/*
 * One line for entry t, e.g.
 * "#12 bio.write caller=0x5555 args=9f3a... EIO (rule 0)";
 * snprintf's return.
 */
int
fe_trace_format(const struct fe_trace_entry *t, const struct fe_registry *reg,
    char *buf, size_t len)
{
	const struct fe_decision *d = &t->fte_decision;
	const char *pname = fe_point_name(t->fte_point, reg);
	const char *ename;
	char what[48];

	switch (d->fd_action) {
	case FE_PASS:
		snprintf(what, sizeof(what), "pass");
		break;
	case FE_ERRNO:
		ename = rump_errno_name(d->fd_errno);
		snprintf(what, sizeof(what), "%s", ename != NULL ? ename : "E?");
		break;
	case FE_DELAY:
		snprintf(what, sizeof(what), "delay=%juus",
		    (uintmax_t)d->fd_arg);
		break;
	case FE_YIELD:
		snprintf(what, sizeof(what), "delay=yield");
		break;
	case FE_SHORT:
		snprintf(what, sizeof(what), "short=%ju", (uintmax_t)d->fd_arg);
		break;
	case FE_TORN:
		snprintf(what, sizeof(what), "torn=%ju", (uintmax_t)d->fd_arg);
		break;
	case FE_BITFLIP:
		snprintf(what, sizeof(what), "bitflip=%ju",
		    (uintmax_t)d->fd_arg);
		break;
	case FE_POWERCUT:
		snprintf(what, sizeof(what), "powercut");
		break;
	case FE_PANIC:
		snprintf(what, sizeof(what), "panic");
		break;
	case FE_LOST:
		snprintf(what, sizeof(what), "lost");
		break;
	}
	if (d->fd_rule < 0)
		return snprintf(buf, len, "#%ju %s caller=%#jx args=%016jx %s",
		    (uintmax_t)t->fte_seq, pname != NULL ? pname : "?",
		    (uintmax_t)t->fte_caller, (uintmax_t)t->fte_argdigest,
		    what);
	return snprintf(buf, len, "#%ju %s caller=%#jx args=%016jx %s (rule %d)",
	    (uintmax_t)t->fte_seq, pname != NULL ? pname : "?",
	    (uintmax_t)t->fte_caller, (uintmax_t)t->fte_argdigest, what,
	    d->fd_rule);
}
