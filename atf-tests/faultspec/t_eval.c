/*
 * Evaluation (faults/engine/fe_eval.c, fe_trace.c): trigger semantics to
 * the call, seeded probability streams, filters, the gate, per-point
 * counts, and the bounded trace ring with its digest.
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <atf-c.h>

#include <rump/rumperrno.h>

#include "fault_engine.h"

static const char *const kpoint_names[] = { "kmem.alloc" };
static const struct fe_registry kreg = { kpoint_names, 1 };

/* An engine with spec armed; fail the case if the spec is refused. */
static struct fe_engine *
engine_with(uint64_t seed, const char *spec)
{
	struct fe_engine *e;
	struct fe_plan *plan;
	struct fe_error err;

	ATF_REQUIRE((e = fe_engine_create(seed, &kreg)) != NULL);
	ATF_REQUIRE_EQ_MSG(fe_plan_parse(spec, &kreg, &plan, &err), 0,
	    "%s: %s", spec, err.fe_msg);
	ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
	return e;
}

/* Decide n plain calls at pt; hits[i] = 1 when call i+1 was faulted. */
static void
run_calls(struct fe_engine *e, unsigned pt, int n, char *hits)
{
	struct fe_call c;
	struct fe_decision d;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++) {
		fe_decide(e, pt, &c, &d);
		hits[i] = d.fd_action != FE_PASS;
	}
}

/* The 1-based numbers of the faulted calls, as text: "3 6 9". */
static const char *
hit_list(const char *hits, int n)
{
	static char buf[1024];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf) - 12; i++)
		if (hits[i])
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s%d", len > 0 ? " " : "", i + 1);
	return buf;
}

ATF_TC(counting_triggers);
ATF_TC_HEAD(counting_triggers, tc)
{
	atf_tc_set_md_var(tc, "descr", "nth, every, after and max fire on "
	    "exactly the calls they name");
}
ATF_TC_BODY(counting_triggers, tc)
{
	static const struct {
		const char	*spec;
		const char	*want;	/* faulted calls among the first 30 */
	} cases[] = {
		{ "malloc:nth=3:ENOMEM",		"3" },
		{ "malloc:every=5:ENOMEM",		"5 10 15 20 25 30" },
		{ "malloc:every=5:max=2:ENOMEM",	"5 10" },
		{ "malloc:after=27:ENOMEM",		"28 29 30" },
		{ "malloc:after=10:every=7:ENOMEM",	"17 24" },
		{ "malloc:after=10:max=2:ENOMEM",	"11 12" },
		{ "malloc:max=4:ENOMEM",		"1 2 3 4" },
		{ "malloc:nth=31:ENOMEM",		"" },
		{ "malloc:p=0:ENOMEM",			"" },
		{ "malloc:nth=1:ENOMEM",		"1" },
	};
	struct fe_engine *e;
	char hits[30];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = engine_with(1, cases[i].spec);
		run_calls(e, FE_PT_MALLOC, 30, hits);
		ATF_CHECK_STREQ_MSG(hit_list(hits, 30), cases[i].want, "%s",
		    cases[i].spec);
		fe_engine_destroy(e);
	}
}

ATF_TC(decisions);
ATF_TC_HEAD(decisions, tc)
{
	atf_tc_set_md_var(tc, "descr", "A fired rule's decision carries its "
	    "action: NetBSD errno, microseconds, bytes, sectors, bit");
}
ATF_TC_BODY(decisions, tc)
{
	static const struct {
		const char	*spec;
		unsigned	 pt;
		enum fe_action	 action;
		int		 eno;
		uint64_t	 arg;
	} cases[] = {
		{ "bio.write:EIO", FE_PT_BIO_WRITE, FE_ERRNO, RUMP_EIO, 0 },
		{ "bio.write:EROFS", FE_PT_BIO_WRITE, FE_ERRNO, RUMP_EROFS, 0 },
		{ "kmem.alloc:ENOMEM", FE_PT_NHYPER, FE_ERRNO, RUMP_ENOMEM, 0 },
		{ "mutex.enter:delay=50us", FE_PT_MUTEX_ENTER, FE_DELAY, 0,
		  50 },
		{ "mutex.enter:delay=3ms", FE_PT_MUTEX_ENTER, FE_DELAY, 0,
		  3000 },
		{ "rw.enter:delay=yield", FE_PT_RW_ENTER, FE_YIELD, 0, 0 },
		{ "bio.read:short=100", FE_PT_BIO_READ, FE_SHORT, 0, 100 },
		{ "bio.write:torn=2", FE_PT_BIO_WRITE, FE_TORN, 0, 2 },
		{ "bio.write:powercut", FE_PT_BIO_WRITE, FE_POWERCUT, 0, 0 },
		{ "open:panic", FE_PT_OPEN, FE_PANIC, 0, 0 },
		/* An explicit bit wraps within the transfer (4096 bytes). */
		{ "bio.read:bitflip=9", FE_PT_BIO_READ, FE_BITFLIP, 0, 9 },
		{ "bio.read:bitflip=32769", FE_PT_BIO_READ, FE_BITFLIP, 0, 1 },
	};
	struct fe_engine *e;
	struct fe_call c;
	struct fe_decision d;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.fc_hasio = 1;
	c.fc_len = 4096;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = engine_with(1, cases[i].spec);
		fe_decide(e, cases[i].pt, &c, &d);
		ATF_CHECK_EQ_MSG(d.fd_action, cases[i].action, "%s: %d",
		    cases[i].spec, (int)d.fd_action);
		ATF_CHECK_EQ_MSG(d.fd_errno, cases[i].eno, "%s: %d",
		    cases[i].spec, d.fd_errno);
		ATF_CHECK_EQ_MSG(d.fd_arg, cases[i].arg, "%s: %ju",
		    cases[i].spec, (uintmax_t)d.fd_arg);
		ATF_CHECK_EQ(d.fd_rule, 0);
		/* Another point is untouched. */
		fe_decide(e, FE_PT_GETRANDOM, &c, &d);
		ATF_CHECK_EQ(d.fd_action, FE_PASS);
		ATF_CHECK_EQ(d.fd_rule, -1);
		fe_engine_destroy(e);
	}
}

ATF_TC(bitflip_random);
ATF_TC_HEAD(bitflip_random, tc)
{
	atf_tc_set_md_var(tc, "descr", "bitflip without a bit draws one "
	    "inside the transfer, the same for the same seed");
}
ATF_TC_BODY(bitflip_random, tc)
{
	struct fe_engine *e1, *e2;
	struct fe_call c;
	struct fe_decision d1, d2;
	uint64_t prev = 0;
	int i, differ = 0;

	memset(&c, 0, sizeof(c));
	c.fc_hasio = 1;
	c.fc_len = 512;
	e1 = engine_with(7, "bio.read:bitflip");
	e2 = engine_with(7, "bio.read:bitflip");
	for (i = 0; i < 50; i++) {
		fe_decide(e1, FE_PT_BIO_READ, &c, &d1);
		fe_decide(e2, FE_PT_BIO_READ, &c, &d2);
		ATF_REQUIRE_EQ(d1.fd_action, FE_BITFLIP);
		ATF_CHECK(d1.fd_arg < 512 * 8);
		ATF_CHECK_EQ(d1.fd_arg, d2.fd_arg);
		if (i > 0 && d1.fd_arg != prev)
			differ++;
		prev = d1.fd_arg;
	}
	ATF_CHECK_MSG(differ > 40, "the drawn bits hardly vary (%d)", differ);
	fe_engine_destroy(e1);
	fe_engine_destroy(e2);
}

/* The hit pattern of spec's rule over n calls at pt, seeded seed. */
static void
prob_pattern(uint64_t seed, const char *spec, unsigned pt, int n, char *hits)
{
	struct fe_engine *e = engine_with(seed, spec);

	run_calls(e, pt, n, hits);
	fe_engine_destroy(e);
}

ATF_TC(probability);
ATF_TC_HEAD(probability, tc)
{
	atf_tc_set_md_var(tc, "descr", "p= is deterministic per seed, "
	    "differs across seeds, and fires near p of the time");
}
ATF_TC_BODY(probability, tc)
{
	static char a[100000], b[100000];
	const int n = 100000;
	int i, na = 0, nsame;

	prob_pattern(42, "bio.write:p=0.25:EIO", FE_PT_BIO_WRITE, n, a);
	prob_pattern(42, "bio.write:p=0.25:EIO", FE_PT_BIO_WRITE, n, b);
	ATF_CHECK_MSG(memcmp(a, b, n) == 0, "same seed, different hits");

	for (i = 0; i < n; i++)
		na += a[i];
	/* 25% of 100000, sd about 137: a loose bound of 1500. */
	ATF_CHECK_MSG(na > 23500 && na < 26500, "%d hits in %d at p=0.25",
	    na, n);

	prob_pattern(43, "bio.write:p=0.25:EIO", FE_PT_BIO_WRITE, n, b);
	for (nsame = 0, i = 0; i < n; i++)
		nsame += a[i] == b[i];
	/* Independent: agree on 62.5% of calls, never on all of them. */
	ATF_CHECK_MSG(nsame < n - 1000, "seeds 42 and 43 agree on %d of %d",
	    nsame, n);

	prob_pattern(42, "bio.write:p=0.01:EIO", FE_PT_BIO_WRITE, n, a);
	for (na = 0, i = 0; i < n; i++)
		na += a[i];
	ATF_CHECK_MSG(na > 700 && na < 1300, "%d hits in %d at p=0.01", na,
	    n);
}

/*
 * Rule "bio.write:p=0.3:EIO" alone, and after other rules: its own hits
 * must fall on the same calls.
 */
ATF_TC(independent_streams);
ATF_TC_HEAD(independent_streams, tc)
{
	atf_tc_set_md_var(tc, "descr", "Adding a rule, before or after, at "
	    "the same point or another, does not shift a rule's draws");
}
ATF_TC_BODY(independent_streams, tc)
{
	static const char *const specs[] = {
		"bio.write:p=0.3:EIO",
		"bio.write:p=0.5:ENOSPC;bio.write:p=0.3:EIO",
		"bio.write:p=0.3:EIO;malloc:p=0.5:ENOMEM;bio.read:p=0.2:EIO",
		"bio.read:p=0.9:EIO;bio.write@x*:p=0.5:EIO;bio.write:p=0.3:EIO",
	};
	static const size_t target[] = { 0, 1, 0, 2 };
	char base[2000], hits[2000];
	struct fe_engine *e;
	struct fe_rule_stats st;
	struct fe_call c;
	struct fe_decision d;
	uint64_t before;
	size_t k;
	int i;

	memset(&c, 0, sizeof(c));
	for (k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		e = engine_with(99, specs[k]);
		for (i = 0; i < 2000; i++) {
			fe_engine_rule_stats(e, target[k], &st);
			before = st.frs_hits;
			fe_decide(e, FE_PT_BIO_READ, &c, &d);
			fe_decide(e, FE_PT_MALLOC, &c, &d);
			fe_decide(e, FE_PT_BIO_WRITE, &c, &d);
			fe_engine_rule_stats(e, target[k], &st);
			hits[i] = st.frs_hits != before;
		}
		if (k == 0)
			memcpy(base, hits, sizeof(base));
		else
			ATF_CHECK_MSG(memcmp(base, hits, sizeof(hits)) == 0,
			    "\"%s\" shifted the stream", specs[k]);
		fe_engine_destroy(e);
	}

	/* The same text twice draws two different streams. */
	e = engine_with(99, "bio.write:p=0.5:EIO;bio.write:p=0.5:EIO");
	for (i = 0; i < 200; i++) {
		fe_decide(e, FE_PT_BIO_WRITE, &c, &d);
		fe_engine_rule_stats(e, 0, &st);
		base[i] = (char)st.frs_hits;
		fe_engine_rule_stats(e, 1, &st);
		hits[i] = (char)st.frs_hits;
	}
	ATF_CHECK_MSG(memcmp(base, hits, 200) != 0, "identical rules share "
	    "a stream");
	fe_engine_destroy(e);
}

ATF_TC(first_rule_decides);
ATF_TC_HEAD(first_rule_decides, tc)
{
	atf_tc_set_md_var(tc, "descr", "When several rules fire, the first "
	    "armed decides and each counts its hit");
}
ATF_TC_BODY(first_rule_decides, tc)
{
	struct fe_engine *e;
	struct fe_plan *plan;
	struct fe_rule_stats st;
	struct fe_call c;
	struct fe_decision d;

	memset(&c, 0, sizeof(c));
	e = engine_with(1, "malloc:every=2:ENOMEM;malloc:EAGAIN");
	fe_decide(e, FE_PT_MALLOC, &c, &d);
	ATF_CHECK(d.fd_errno == RUMP_EAGAIN && d.fd_rule == 1);
	fe_decide(e, FE_PT_MALLOC, &c, &d);
	ATF_CHECK(d.fd_errno == RUMP_ENOMEM && d.fd_rule == 0);
	ATF_REQUIRE_EQ(fe_engine_rule_stats(e, 1, &st), 0);
	ATF_CHECK(st.frs_seen == 2 && st.frs_hits == 2);
	ATF_REQUIRE_EQ(fe_engine_rule_stats(e, 0, &st), 0);
	ATF_CHECK(st.frs_seen == 2 && st.frs_hits == 1);
	ATF_CHECK_EQ(fe_engine_rule_stats(e, 2, &st), ENOENT);
	ATF_CHECK_EQ(fe_engine_hits(e), 2);

	/* Arming more appends; clearing disarms all. */
	ATF_REQUIRE_EQ(fe_plan_parse("open:EIO", NULL, &plan, NULL), 0);
	ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
	ATF_CHECK_EQ(fe_engine_nrules(e), 3);
	fe_decide(e, FE_PT_OPEN, &c, &d);
	ATF_CHECK(d.fd_errno == RUMP_EIO && d.fd_rule == 2);
	fe_engine_clear(e);
	ATF_CHECK_EQ(fe_engine_nrules(e), 0);
	fe_decide(e, FE_PT_MALLOC, &c, &d);
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	fe_engine_destroy(e);
}

static int match_calls;

/* A frame matcher as a hook would give: one fixed stack. */
static int
match_stack(void *arg, const char *glob)
{
	static const char *const stack[] = { "kmem_alloc", "ext2_valloc" };

	match_calls++;
	ATF_CHECK_EQ(arg, &match_calls);
	return fe_site_match(glob, stack, 2);
}

ATF_TC(filters);
ATF_TC_HEAD(filters, tc)
{
	atf_tc_set_md_var(tc, "descr", "lwp=, pid=, block=, bytes= and "
	    "@site filter calls, and only eligible calls count");
}
ATF_TC_BODY(filters, tc)
{
	const char *frames[] = { "kmem_alloc", "tmpfs_alloc_node" };
	struct fe_engine *e;
	struct fe_rule_stats st;
	struct fe_call c;
	struct fe_decision d;

	memset(&c, 0, sizeof(c));
	e = engine_with(1, "malloc:lwp=3:pid=2:nth=2:ENOMEM");
	c.fc_lwp = 3;
	c.fc_pid = 1;
	fe_decide(e, FE_PT_MALLOC, &c, &d);	/* wrong pid */
	c.fc_pid = 2;
	fe_decide(e, FE_PT_MALLOC, &c, &d);	/* eligible 1 */
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	c.fc_lwp = 4;
	fe_decide(e, FE_PT_MALLOC, &c, &d);	/* wrong lwp */
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	c.fc_lwp = 3;
	fe_decide(e, FE_PT_MALLOC, &c, &d);	/* eligible 2: fires */
	ATF_CHECK_EQ(d.fd_action, FE_ERRNO);
	fe_engine_rule_stats(e, 0, &st);
	ATF_CHECK(st.frs_seen == 2 && st.frs_hits == 1);
	fe_engine_destroy(e);

	/* block=100-200: sectors 100..200 inclusive, any overlap. */
	e = engine_with(1, "bio.read:block=100-200:EIO");
	c.fc_hasio = 1;
	c.fc_off = 99 * 512;
	c.fc_len = 512;
	fe_decide(e, FE_PT_BIO_READ, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_PASS, "sector 99");
	c.fc_len = 513;
	fe_decide(e, FE_PT_BIO_READ, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_ERRNO, "sectors 99-100");
	c.fc_off = 200 * 512 + 511;
	c.fc_len = 1;
	fe_decide(e, FE_PT_BIO_READ, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_ERRNO, "last byte of sector 200");
	c.fc_off = 201 * 512;
	c.fc_len = 8192;
	fe_decide(e, FE_PT_BIO_READ, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_PASS, "sector 201");
	c.fc_hasio = 0;
	c.fc_off = 150 * 512;
	fe_decide(e, FE_PT_BIO_READ, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_PASS, "no transfer described");
	fe_engine_destroy(e);

	e = engine_with(1, "iovwrite:bytes=10-19:ENOSPC");
	c.fc_hasio = 1;
	c.fc_off = 0;
	c.fc_len = 10;
	fe_decide(e, FE_PT_IOVWRITE, &c, &d);
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	c.fc_off = UINT64_MAX - 1;
	c.fc_len = 100;			/* wraps: still not 10-19 */
	fe_decide(e, FE_PT_IOVWRITE, &c, &d);
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	c.fc_off = 19;
	c.fc_len = 0;
	fe_decide(e, FE_PT_IOVWRITE, &c, &d);
	ATF_CHECK_EQ(d.fd_errno, RUMP_ENOSPC);
	fe_engine_destroy(e);

	/* @site, through frame names and through a matcher. */
	memset(&c, 0, sizeof(c));
	e = engine_with(1, "kmem.alloc@ext2_*:ENOMEM");
	c.fc_frames = frames;
	c.fc_nframes = 2;
	fe_decide(e, FE_PT_NHYPER, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_PASS, "tmpfs stack");
	c.fc_frames = NULL;
	c.fc_nframes = 0;
	fe_decide(e, FE_PT_NHYPER, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_action, FE_PASS, "no frames");
	c.fc_match = match_stack;
	c.fc_matcharg = &match_calls;
	fe_decide(e, FE_PT_NHYPER, &c, &d);
	ATF_CHECK_EQ_MSG(d.fd_errno, RUMP_ENOMEM, "ext2 stack");
	ATF_CHECK_EQ(match_calls, 1);
	fe_engine_destroy(e);

	/* The matcher is not consulted by a rule without @site. */
	e = engine_with(1, "kmem.alloc:nth=5:ENOMEM");
	fe_decide(e, FE_PT_NHYPER, &c, &d);
	ATF_CHECK_EQ(match_calls, 1);
	fe_engine_destroy(e);
}

ATF_TC(gate_and_counts);
ATF_TC_HEAD(gate_and_counts, tc)
{
	atf_tc_set_md_var(tc, "descr", "The gate opens only the armed "
	    "points, or all of them while counting or tracing; counts per "
	    "point are exact");
}
ATF_TC_BODY(gate_and_counts, tc)
{
	const struct fe_gate *g;
	struct fe_engine *e;
	struct fe_plan *plan;
	struct fe_call c;
	struct fe_decision d;
	unsigned pt;
	int i;

	ATF_REQUIRE((e = fe_engine_create(5, &kreg)) != NULL);
	g = fe_engine_gate(e);
	ATF_CHECK_EQ(g->fg_mask, 0);
	for (pt = 0; pt <= FE_PT_NHYPER; pt++)
		ATF_CHECK(!fe_gate_open(g, pt));

	ATF_REQUIRE_EQ(fe_plan_parse("bio.write:nth=9:EIO;kmem.alloc:EIO",
	    &kreg, &plan, NULL), 0);
	ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
	for (pt = 0; pt <= FE_PT_NHYPER; pt++)
		ATF_CHECK_EQ_MSG(fe_gate_open(g, pt),
		    pt == FE_PT_BIO_WRITE || pt == FE_PT_NHYPER, "point %u", pt);
	fe_engine_clear(e);
	ATF_CHECK_EQ(g->fg_mask, 0);

	ATF_REQUIRE_EQ(fe_engine_set(e, FE_COUNT, 0), 0);
	for (pt = 0; pt <= FE_PT_NHYPER; pt++)
		ATF_CHECK(fe_gate_open(g, pt));
	memset(&c, 0, sizeof(c));
	for (i = 0; i < 7; i++)
		fe_decide(e, FE_PT_MALLOC, &c, &d);
	for (i = 0; i < 3; i++)
		fe_decide(e, FE_PT_NHYPER, &c, &d);
	fe_decide(e, FE_PT_NHYPER + 1, &c, &d);	/* unknown point: passes */
	ATF_CHECK_EQ(d.fd_action, FE_PASS);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 7);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_NHYPER), 3);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_BIO_READ), 0);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_NHYPER + 1), 0);
	ATF_CHECK_EQ(fe_engine_hits(e), 0);
	ATF_REQUIRE_EQ(fe_engine_set(e, 0, 0), 0);
	ATF_CHECK_EQ(g->fg_mask, 0);

	ATF_CHECK_EQ(fe_engine_set(e, FE_TRACE, 0), EINVAL);
	ATF_CHECK_EQ(fe_engine_set(e, 0x10, 0), EINVAL);
	ATF_REQUIRE_EQ(fe_engine_set(e, FE_TRACE, 4), 0);
	ATF_CHECK(fe_gate_open(g, FE_PT_CV_WAIT));
	fe_engine_destroy(e);

	/* A plan parsed with a larger registry is refused, and freed. */
	ATF_REQUIRE((e = fe_engine_create(5, NULL)) != NULL);
	ATF_REQUIRE_EQ(fe_plan_parse("kmem.alloc:EIO", &kreg, &plan, NULL),
	    0);
	ATF_CHECK_EQ(fe_engine_arm(e, plan), EINVAL);
	ATF_CHECK_EQ(fe_engine_nrules(e), 0);
	fe_engine_destroy(e);
}

/* One traced run of a fixed call sequence; returns the digest. */
static uint64_t
traced_run(uint64_t seed, const char *spec, size_t cap, uintptr_t caller,
    struct fe_engine **ep)
{
	struct fe_engine *e = engine_with(seed, spec);
	struct fe_call c;
	struct fe_decision d;
	uint64_t h;
	int i;

	ATF_REQUIRE_EQ(fe_engine_set(e, FE_TRACE, cap), 0);
	memset(&c, 0, sizeof(c));
	c.fc_caller = caller;
	c.fc_hasio = 1;
	for (i = 0; i < 20; i++) {
		c.fc_off = (uint64_t)i * 4096;
		c.fc_len = 4096;
		fe_decide(e, i % 2 ? FE_PT_BIO_WRITE : FE_PT_MALLOC, &c, &d);
	}
	h = fe_trace_digest(e);
	if (ep != NULL)
		*ep = e;
	else
		fe_engine_destroy(e);
	return h;
}

ATF_TC(trace_ring);
ATF_TC_HEAD(trace_ring, tc)
{
	atf_tc_set_md_var(tc, "descr", "The ring keeps the newest entries "
	    "in order, and its digest covers the whole run, stably");
}
ATF_TC_BODY(trace_ring, tc)
{
	struct fe_trace_entry t;
	struct fe_engine *e;
	uint64_t h1, h2;
	char line[256];
	size_t k;

	h1 = traced_run(3, "bio.write:p=0.5:EIO", 8, 0x1000, &e);
	ATF_CHECK_EQ(fe_trace_total(e), 20);
	ATF_CHECK_EQ(fe_trace_kept(e), 8);
	for (k = 0; k < 8; k++) {
		ATF_REQUIRE_EQ(fe_trace_entry(e, k, &t), 0);
		ATF_CHECK_EQ(t.fte_seq, 12 + k);
		ATF_CHECK_EQ(t.fte_point, k % 2 ? FE_PT_BIO_WRITE :
		    FE_PT_MALLOC);
		ATF_CHECK_EQ(t.fte_caller, 0x1000);
		if (t.fte_point == FE_PT_MALLOC)
			ATF_CHECK_EQ(t.fte_decision.fd_action, FE_PASS);
	}
	ATF_CHECK_EQ(fe_trace_entry(e, 8, &t), ENOENT);
	fe_trace_entry(e, 0, &t);
	fe_trace_format(&t, &kreg, line, sizeof(line));
	ATF_CHECK_MSG(strncmp(line, "#12 malloc caller=0x1000 args=", 30) == 0
	    && strstr(line, " pass") != NULL, "%s", line);
	fe_engine_destroy(e);

	/* Same run: same digest, whatever the ring size or the addresses. */
	h2 = traced_run(3, "bio.write:p=0.5:EIO", 64, 0x7fff0000, NULL);
	ATF_CHECK_EQ(h1, h2);
	ATF_CHECK(h1 != 0);
	/* Another seed changes some decision, hence the digest. */
	h2 = traced_run(4, "bio.write:p=0.5:EIO", 8, 0x1000, NULL);
	ATF_CHECK(h1 != h2);
	/* Another errno changes it too. */
	h1 = traced_run(3, "bio.write:nth=5:EIO", 8, 0x1000, NULL);
	h2 = traced_run(3, "bio.write:nth=5:ENOSPC", 8, 0x1000, NULL);
	ATF_CHECK(h1 != h2);

	/* Fewer entries than the ring holds. */
	traced_run(3, "bio.write:nth=5:EIO", 32, 0, &e);
	ATF_CHECK_EQ(fe_trace_kept(e), 20);
	ATF_REQUIRE_EQ(fe_trace_entry(e, 5, &t), 0);
	ATF_CHECK_EQ(t.fte_seq, 5);
	ATF_REQUIRE_EQ(fe_trace_entry(e, 9, &t), 0);
	ATF_CHECK_EQ(t.fte_decision.fd_errno, RUMP_EIO);
	fe_trace_format(&t, &kreg, line, sizeof(line));
	ATF_CHECK_MSG(strstr(line, "bio.write") != NULL &&
	    strstr(line, " EIO (rule 0)") != NULL, "%s", line);
	fe_engine_destroy(e);
}

static void *
decide_many(void *arg)
{
	struct fe_engine *e = arg;
	struct fe_call c;
	struct fe_decision d;
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 10000; i++)
		fe_decide(e, FE_PT_MALLOC, &c, &d);
	return NULL;
}

ATF_TC(threads);
ATF_TC_HEAD(threads, tc)
{
	atf_tc_set_md_var(tc, "descr", "fe_decide() from several threads "
	    "at once loses no count and no hit");
}
ATF_TC_BODY(threads, tc)
{
	struct fe_engine *e = engine_with(1, "malloc:every=10:ENOMEM");
	struct fe_rule_stats st;
	pthread_t t[4];
	int i;

	ATF_REQUIRE_EQ(fe_engine_set(e, FE_TRACE, 16), 0);
	for (i = 0; i < 4; i++)
		ATF_REQUIRE_EQ(pthread_create(&t[i], NULL, decide_many, e), 0);
	for (i = 0; i < 4; i++)
		ATF_REQUIRE_EQ(pthread_join(t[i], NULL), 0);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 40000);
	ATF_REQUIRE_EQ(fe_engine_rule_stats(e, 0, &st), 0);
	ATF_CHECK_EQ(st.frs_seen, 40000);
	ATF_CHECK_EQ(st.frs_hits, 4000);
	ATF_CHECK_EQ(fe_engine_hits(e), 4000);
	ATF_CHECK_EQ(fe_trace_total(e), 40000);
	ATF_CHECK_EQ(fe_trace_kept(e), 16);
	fe_engine_destroy(e);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, counting_triggers);
	ATF_TP_ADD_TC(tp, decisions);
	ATF_TP_ADD_TC(tp, bitflip_random);
	ATF_TP_ADD_TC(tp, probability);
	ATF_TP_ADD_TC(tp, independent_streams);
	ATF_TP_ADD_TC(tp, first_rule_decides);
	ATF_TP_ADD_TC(tp, filters);
	ATF_TP_ADD_TC(tp, gate_and_counts);
	ATF_TP_ADD_TC(tp, trace_ring);
	ATF_TP_ADD_TC(tp, threads);
	return atf_no_error();
}
