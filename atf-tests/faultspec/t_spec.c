/*
 * The fault spec grammar (faults/engine/fe_spec.c): every documented
 * example parses to the rule it means, and malformed specs are refused
 * with the right position and message.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <atf-c.h>

#include <rump/rumperrno.h>

#include "fe_impl.h"

static const char *const kpoint_names[] = {
	"kmem.alloc", "ext2.alloc_block", "vfs.namei"
};
static const struct fe_registry kreg = { kpoint_names, 3 };

/* Parse spec against the test registry; fail the case on an error. */
static struct fe_plan *
parse_ok(const char *spec)
{
	struct fe_plan *plan = NULL;
	struct fe_error err;
	char buf[512];
	int error;

	error = fe_plan_parse(spec, &kreg, &plan, &err);
	if (error != 0) {
		fe_error_format(&err, spec, buf, sizeof(buf));
		atf_tc_fail("\"%s\" refused: %s", spec, buf);
	}
	return plan;
}

ATF_TC(accept_examples);
ATF_TC_HEAD(accept_examples, tc)
{
	atf_tc_set_md_var(tc, "descr", "Every example of the manual parses, "
	    "to the point, triggers and action it names");
}
ATF_TC_BODY(accept_examples, tc)
{
	static const struct {
		const char	*spec;
		unsigned	 point;
		enum fe_action	 action;
		int		 eno;
		uint64_t	 arg;
	} cases[] = {
		{ "kmem.alloc@ext2_*:nth=3:ENOMEM", FE_PT_NHYPER + 0,
		  FE_ERRNO, RUMP_ENOMEM, 0 },
		{ "bio.write:p=0.01:EIO", FE_PT_BIO_WRITE, FE_ERRNO,
		  RUMP_EIO, 0 },
		{ "bio.write:after=10:powercut", FE_PT_BIO_WRITE,
		  FE_POWERCUT, 0, 0 },
		{ "malloc:every=5:max=2:ENOMEM", FE_PT_MALLOC, FE_ERRNO,
		  RUMP_ENOMEM, 0 },
		{ "bio.read:block=100-200:bitflip", FE_PT_BIO_READ,
		  FE_BITFLIP, 0, 0 },
		{ "bio.write:nth=4:torn=1", FE_PT_BIO_WRITE, FE_TORN, 0, 1 },
		{ "mutex.enter:p=0.1:delay=50us", FE_PT_MUTEX_ENTER,
		  FE_DELAY, 0, 50 },
		{ "rw.enter:delay=2ms", FE_PT_RW_ENTER, FE_DELAY, 0, 2000 },
		{ "cv.wait:delay=1s", FE_PT_CV_WAIT, FE_DELAY, 0, 1000000 },
		{ "cv.wait:delay=yield", FE_PT_CV_WAIT, FE_YIELD, 0, 0 },
		{ "iovread:bytes=0-4095:short=100", FE_PT_IOVREAD, FE_SHORT,
		  0, 100 },
		{ "iovwrite:lwp=3:EROFS", FE_PT_IOVWRITE, FE_ERRNO,
		  RUMP_EROFS, 0 },
		{ "open:pid=1:EACCES", FE_PT_OPEN, FE_ERRNO, RUMP_EACCES, 0 },
		{ "syncfd:nth=1:EIO", FE_PT_SYNCFD, FE_ERRNO, RUMP_EIO, 0 },
		{ "thread_create:EAGAIN", FE_PT_THREAD_CREATE, FE_ERRNO,
		  RUMP_EAGAIN, 0 },
		{ "getrandom:short=3", FE_PT_GETRANDOM, FE_SHORT, 0, 3 },
		{ "clock_sleep:delay=10us", FE_PT_CLOCK_SLEEP, FE_DELAY, 0,
		  10 },
		{ "cv_timedwait:ETIMEDOUT", FE_PT_CV_TIMEDWAIT, FE_ERRNO,
		  RUMP_ETIMEDOUT, 0 },
		{ "bio.read:bitflip=7", FE_PT_BIO_READ, FE_BITFLIP, 0, 7 },
		{ "ext2.alloc_block:nth=2:ENOSPC", FE_PT_NHYPER + 1, FE_ERRNO,
		  RUMP_ENOSPC, 0 },
		{ "vfs.namei:panic", FE_PT_NHYPER + 2, FE_PANIC, 0, 0 },
		{ "malloc@*alloc*:p=50%:ENOMEM", FE_PT_MALLOC, FE_ERRNO,
		  RUMP_ENOMEM, 0 },
	};
	const struct fe_rule *r;
	struct fe_plan *plan;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan = parse_ok(cases[i].spec);
		ATF_REQUIRE_EQ_MSG(plan->fp_nrules, 1, "%s", cases[i].spec);
		r = &plan->fp_rules[0];
		ATF_CHECK_EQ_MSG(r->fr_point, cases[i].point, "%s: point %u",
		    cases[i].spec, r->fr_point);
		ATF_CHECK_EQ_MSG(r->fr_action, cases[i].action,
		    "%s: action %d", cases[i].spec, (int)r->fr_action);
		ATF_CHECK_EQ_MSG(r->fr_errno, cases[i].eno, "%s: errno %d",
		    cases[i].spec, r->fr_errno);
		ATF_CHECK_EQ_MSG(r->fr_arg, cases[i].arg, "%s: arg %ju",
		    cases[i].spec, (uintmax_t)r->fr_arg);
		ATF_CHECK_STREQ(r->fr_text, cases[i].spec);
		fe_plan_free(plan);
	}
}

ATF_TC(accept_triggers);
ATF_TC_HEAD(accept_triggers, tc)
{
	atf_tc_set_md_var(tc, "descr", "Triggers and filters keep their "
	    "values: counts, integer probabilities, byte ranges, the site");
}
ATF_TC_BODY(accept_triggers, tc)
{
	const struct fe_rule *r;
	struct fe_plan *plan;

	plan = parse_ok("kmem.alloc@ext2_*:nth=3:ENOMEM");
	r = &plan->fp_rules[0];
	ATF_CHECK_STREQ(r->fr_site, "ext2_*");
	ATF_CHECK_EQ(r->fr_nth, 3);
	ATF_CHECK_EQ(r->fr_prob, FE_PROB_ONE);
	fe_plan_free(plan);

	plan = parse_ok("malloc:every=5:max=2:after=7:lwp=9:pid=4:ENOMEM");
	r = &plan->fp_rules[0];
	ATF_CHECK_EQ(r->fr_every, 5);
	ATF_CHECK_EQ(r->fr_max, 2);
	ATF_CHECK_EQ(r->fr_after, 7);
	ATF_CHECK(r->fr_haslwp && r->fr_lwp == 9);
	ATF_CHECK(r->fr_haspid && r->fr_pid == 4);
	ATF_CHECK(r->fr_site == NULL);
	fe_plan_free(plan);

	/* p is a fraction of 2^32, rounded to nearest. */
	plan = parse_ok("bio.write:p=0.01:EIO");
	ATF_CHECK_EQ(plan->fp_rules[0].fr_prob, 42949673);
	fe_plan_free(plan);
	plan = parse_ok("bio.write:p=0.5:EIO");
	ATF_CHECK_EQ(plan->fp_rules[0].fr_prob, (uint64_t)1 << 31);
	fe_plan_free(plan);
	plan = parse_ok("bio.write:p=25%:EIO");
	ATF_CHECK_EQ(plan->fp_rules[0].fr_prob, (uint64_t)1 << 30);
	fe_plan_free(plan);
	plan = parse_ok("bio.write:p=1:EIO");
	ATF_CHECK_EQ(plan->fp_rules[0].fr_prob, FE_PROB_ONE);
	fe_plan_free(plan);
	plan = parse_ok("bio.write:p=0:EIO");
	ATF_CHECK_EQ(plan->fp_rules[0].fr_prob, 0);
	fe_plan_free(plan);

	/* block= is in 512-byte sectors, inclusive; bytes= is bytes. */
	plan = parse_ok("bio.read:block=100-200:bitflip");
	r = &plan->fp_rules[0];
	ATF_CHECK(r->fr_hasrange);
	ATF_CHECK_EQ(r->fr_lo, 100 * 512);
	ATF_CHECK_EQ(r->fr_hi, 201 * 512 - 1);
	ATF_CHECK(!r->fr_hasarg);
	fe_plan_free(plan);
	plan = parse_ok("bio.read:bytes=7:EIO");
	r = &plan->fp_rules[0];
	ATF_CHECK(r->fr_lo == 7 && r->fr_hi == 7);
	fe_plan_free(plan);
}

ATF_TC(accept_lists);
ATF_TC_HEAD(accept_lists, tc)
{
	atf_tc_set_md_var(tc, "descr", "Rules separated by \";\", with "
	    "whitespace and newlines around them; the empty spec is no rule");
}
ATF_TC_BODY(accept_lists, tc)
{
	struct fe_plan *plan;

	plan = parse_ok("malloc:nth=1:ENOMEM;bio.write:p=0.01:EIO ; "
	    "\n\tbio.read:block=5:bitflip;");
	ATF_REQUIRE_EQ(fe_plan_nrules(plan), 3);
	ATF_CHECK_STREQ(fe_plan_rule_text(plan, 0), "malloc:nth=1:ENOMEM");
	ATF_CHECK_STREQ(fe_plan_rule_text(plan, 1), "bio.write:p=0.01:EIO");
	ATF_CHECK_STREQ(fe_plan_rule_text(plan, 2), "bio.read:block=5:bitflip");
	ATF_CHECK(fe_plan_rule_text(plan, 3) == NULL);
	ATF_CHECK_EQ(plan->fp_rules[1].fr_point, FE_PT_BIO_WRITE);
	fe_plan_free(plan);

	plan = parse_ok("");
	ATF_CHECK_EQ(fe_plan_nrules(plan), 0);
	fe_plan_free(plan);
	plan = parse_ok("  \n ");
	ATF_CHECK_EQ(fe_plan_nrules(plan), 0);
	fe_plan_free(plan);
}

ATF_TC(reject_table);
ATF_TC_HEAD(reject_table, tc)
{
	atf_tc_set_md_var(tc, "descr", "Malformed specs are refused with "
	    "the line, the column and the message that names the mistake");
}
ATF_TC_BODY(reject_table, tc)
{
	static const struct {
		const char	*spec;
		int		 line, col;
		const char	*msg;	/* the message starts with this */
	} cases[] = {
		{ "kmem.alloc@ext2_*:nht=3:ENOMEM", 1, 19,
		  "unknown trigger \"nht\" (expected nth, every, after, max, "
		  "p, lwp, pid, block, bytes)" },
		{ "bio.write:nth=3", 1, 16, "missing action after \"nth=3\"" },
		{ "bio.write:EIO:nth=3", 1, 14,
		  "the action \"EIO\" must come last" },
		{ "bio.write:EFOO", 1, 11,
		  "unknown errno name \"EFOO\" (NetBSD has no such error)" },
		{ "bio.write:frob", 1, 11, "unknown action \"frob\"" },
		{ "bio.wirte:EIO", 1, 1, "unknown point \"bio.wirte\"" },
		{ "kmem.free:ENOMEM", 1, 1, "unknown point \"kmem.free\"" },
		{ "malloc", 1, 7,
		  "expected \":\" and an action after point \"malloc\"" },
		{ "malloc:", 1, 8, "expected a trigger or an action after" },
		{ "malloc::ENOMEM", 1, 8,
		  "expected a trigger or an action after" },
		{ ":ENOMEM", 1, 1, "expected a point name" },
		{ "bio.:EIO", 1, 5, "expected a name after \".\"" },
		{ "malloc@:ENOMEM", 1, 8, "expected a function name pattern" },
		{ "malloc:nth=0:ENOMEM", 1, 12, "nth= must be at least 1" },
		{ "malloc:every=0:ENOMEM", 1, 14, "every= must be at least 1" },
		{ "malloc:max=0:ENOMEM", 1, 12, "max= must be at least 1" },
		{ "malloc:nth=x:ENOMEM", 1, 12, "expected a number for nth=" },
		{ "malloc:nth=3x:ENOMEM", 1, 13, "unexpected \"x\" after nth=" },
		{ "malloc:nth:ENOMEM", 1, 11, "nth= needs a value" },
		{ "malloc:nth=99999999999999999999:ENOMEM", 1, 12,
		  "number too large for nth=" },
		{ "malloc:nth=1:nth=2:ENOMEM", 1, 14,
		  "nth= given twice in one rule" },
		{ "malloc:nth=1:every=2:ENOMEM", 1, 14,
		  "every= cannot be combined with nth=" },
		{ "malloc:after=1:nth=2:ENOMEM", 1, 16,
		  "nth= cannot be combined with after=" },
		{ "bio.write:p=1.5:EIO", 1, 13, "p= must be at most 1" },
		{ "bio.write:p=101%:EIO", 1, 13, "p= must be at most 1" },
		{ "bio.write:p=0.:EIO", 1, 15, "expected digits after \".\"" },
		{ "bio.write:p=.5:EIO", 1, 13, "expected a number for p=" },
		{ "bio.write:p=0.1234567890123:EIO", 1, 27,
		  "too many digits in p=" },
		{ "bio.read:block=200-100:EIO", 1, 16, "empty range 200-100" },
		{ "bio.read:block=1-:EIO", 1, 18, "expected a number for block=" },
		{ "malloc:block=1-2:ENOMEM", 1, 8,
		  "block= applies only to I/O points" },
		{ "open:bytes=1-2:EIO", 1, 6, "bytes= applies only to I/O" },
		{ "mutex.enter:EIO", 1, 13,
		  "action errno does not apply to point mutex.enter "
		  "(it takes: delay, panic)" },
		{ "bio.write:bitflip", 1, 11,
		  "action bitflip does not apply to point bio.write" },
		{ "bio.read:powercut", 1, 10,
		  "action powercut does not apply to point bio.read" },
		{ "malloc:short=3", 1, 8,
		  "action short does not apply to point malloc" },
		{ "bio.write:torn=0", 1, 16, "torn= must be at least 1" },
		{ "bio.write:delay=50", 1, 19, "delay=50 needs a unit" },
		{ "bio.write:delay=50ns", 1, 19, "delay=50 needs a unit" },
		{ "bio.write:delay", 1, 16, "delay needs a value" },
		{ "bio.write:EIO=3", 1, 14, "errno action EIO takes no value" },
		{ "bio.write:powercut=1", 1, 19, "powercut takes no value" },
		{ "malloc:ENOMEM,bio.write:EIO", 1, 14,
		  "rules are separated by \";\", not \",\"" },
		{ "malloc:ENOMEM bio.write:EIO", 1, 15,
		  "expected \";\" between rules" },
		{ "malloc:ENOMEM;;bio.write:EIO", 1, 15, "empty rule before" },
		{ "malloc:nth=1:ENOMEM;\nbio.write:nht=2:EIO", 2, 11,
		  "unknown trigger \"nht\"" },
		{ "malloc:ENOMEM;\n\n  bio.wrote:EIO", 3, 3,
		  "unknown point \"bio.wrote\"" },
		{ "malloc:nth=1$:ENOMEM", 1, 13, "unexpected \"$\" after nth=" },
		{ "malloc:n-th=1:ENOMEM", 1, 9,
		  "unexpected character '-' after \"n\"" },
	};
	struct fe_plan *plan;
	struct fe_error err;
	size_t i;
	int error;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan = NULL;
		memset(&err, 0, sizeof(err));
		error = fe_plan_parse(cases[i].spec, &kreg, &plan, &err);
		ATF_CHECK_EQ_MSG(error, EINVAL, "\"%s\" accepted",
		    cases[i].spec);
		ATF_CHECK_MSG(plan == NULL, "\"%s\" gave a plan",
		    cases[i].spec);
		if (error != EINVAL)
			continue;
		ATF_CHECK_MSG(err.fe_line == cases[i].line &&
		    err.fe_column == cases[i].col,
		    "\"%s\": at %d:%d, want %d:%d (%s)", cases[i].spec,
		    err.fe_line, err.fe_column, cases[i].line, cases[i].col,
		    err.fe_msg);
		ATF_CHECK_MSG(strncmp(err.fe_msg, cases[i].msg,
		    strlen(cases[i].msg)) == 0, "\"%s\": message \"%s\", "
		    "want \"%s...\"", cases[i].spec, err.fe_msg, cases[i].msg);
	}
}

ATF_TC(reject_caret);
ATF_TC_HEAD(reject_caret, tc)
{
	atf_tc_set_md_var(tc, "descr", "A formatted error names spec:line:"
	    "col, repeats the offending line and puts a caret under the spot");
}
ATF_TC_BODY(reject_caret, tc)
{
	const char *spec = "malloc:ENOMEM;\n\tbio.write:nht=2:EIO";
	struct fe_plan *plan = NULL;
	struct fe_error err;
	char buf[512];

	ATF_REQUIRE_EQ(fe_plan_parse(spec, &kreg, &plan, &err), EINVAL);
	fe_error_format(&err, spec, buf, sizeof(buf));
	ATF_CHECK_STREQ(buf, "spec:2:12: unknown trigger \"nht\" (expected "
	    "nth, every, after, max, p, lwp, pid, block, bytes)\n"
	    "\tbio.write:nht=2:EIO\n"
	    "\t          ^");
	ATF_CHECK_EQ(err.fe_offset, 26);
}

ATF_TC(registry);
ATF_TC_HEAD(registry, tc)
{
	atf_tc_set_md_var(tc, "descr", "Named kernel points are checked "
	    "against the registry given at run time; without one, refused");
}
ATF_TC_BODY(registry, tc)
{
	struct fe_plan *plan = NULL;
	struct fe_error err;

	ATF_CHECK_EQ(fe_plan_parse("kmem.alloc:ENOMEM", NULL, &plan, &err),
	    EINVAL);
	ATF_CHECK(strstr(err.fe_msg, "once the kernel's registry is known") !=
	    NULL);
	ATF_CHECK_EQ(fe_plan_parse("malloc:ENOMEM", NULL, &plan, &err), 0);
	ATF_CHECK_EQ(plan->fp_rules[0].fr_point, FE_PT_MALLOC);
	fe_plan_free(plan);

	ATF_CHECK_STREQ(fe_point_name(FE_PT_NHYPER + 1, &kreg),
	    "ext2.alloc_block");
	ATF_CHECK_STREQ(fe_point_name(FE_PT_CV_WAIT, NULL), "cv.wait");
	ATF_CHECK(fe_point_name(FE_PT_NHYPER + 3, &kreg) == NULL);
	ATF_CHECK(fe_point_name(FE_PT_NHYPER, NULL) == NULL);
}

ATF_TC(site_match);
ATF_TC_HEAD(site_match, tc)
{
	atf_tc_set_md_var(tc, "descr", "The @site glob matches when any "
	    "frame name matches it");
}
ATF_TC_BODY(site_match, tc)
{
	const char *frames[] = { "kmem_alloc", "ext2_valloc", "vn_create" };

	ATF_CHECK(fe_site_match("ext2_*", frames, 3));
	ATF_CHECK(fe_site_match("vn_?reate", frames, 3));
	ATF_CHECK(fe_site_match("kmem_alloc", frames, 3));
	ATF_CHECK(!fe_site_match("ext2_*", frames, 1));
	ATF_CHECK(!fe_site_match("tmpfs_*", frames, 3));
	ATF_CHECK(!fe_site_match("ext2", frames, 3));
	ATF_CHECK(!fe_site_match("*", frames, 0));
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, accept_examples);
	ATF_TP_ADD_TC(tp, accept_triggers);
	ATF_TP_ADD_TC(tp, accept_lists);
	ATF_TP_ADD_TC(tp, reject_table);
	ATF_TP_ADD_TC(tp, reject_caret);
	ATF_TP_ADD_TC(tp, registry);
	ATF_TP_ADD_TC(tp, site_match);
	return atf_no_error();
}
