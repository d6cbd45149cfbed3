/*
 * The engine as librumpuser's hook (faults/engine/fe_rumpuser.c, installed
 * by rumpus_faults_configure): real hypercalls fail as the spec says,
 * decisions map onto librumpuser's, and an unarmed point never reaches
 * the hook: librumpuser's gate word follows the engine's gate.
 */

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rumperrno.h>
#include <rump/rumpuser.h>

#include "fe_rumpuser.h"

/* An engine armed with spec, installed as librumpuser's hook. */
static struct fe_engine *
hook_with(const char *spec)
{
	struct fe_error err;

	ATF_REQUIRE_EQ_MSG(rumpus_faults_configure(spec, 1, NULL, NULL, &err),
	    0, "%s", err.fe_msg);
	ATF_REQUIRE(rumpus_faults_engine() != NULL);
	return rumpus_faults_engine();
}

static void
unhook(struct fe_engine *e)
{

	rumpus_faults_unconfigure();
	ATF_REQUIRE(rumpus_faults_engine() == NULL);
	ATF_REQUIRE_EQ(rumpuser_fault_gate(), 0);
}

ATF_TC(malloc_nth);
ATF_TC_HEAD(malloc_nth, tc)
{
	atf_tc_set_md_var(tc, "descr", "malloc:nth=2:ENOMEM fails exactly "
	    "the second rumpuser_malloc, with NetBSD's ENOMEM");
}
ATF_TC_BODY(malloc_nth, tc)
{
	struct fe_engine *e = hook_with("malloc:nth=2:ENOMEM");
	void *m[3];
	int i, rv[3];

	for (i = 0; i < 3; i++)
		rv[i] = rumpuser_malloc(64, 0, &m[i]);
	ATF_CHECK_EQ(rv[0], 0);
	ATF_CHECK_EQ(rv[1], RUMP_ENOMEM);
	ATF_CHECK(m[1] == NULL);
	ATF_CHECK_EQ(rv[2], 0);
	rumpuser_free(m[0], 64);
	rumpuser_free(m[2], 64);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 3);
	ATF_CHECK_EQ(fe_engine_hits(e), 1);
	unhook(e);
}

ATF_TC(gate_closed);
ATF_TC_HEAD(gate_closed, tc)
{
	atf_tc_set_md_var(tc, "descr", "A point without an armed rule does "
	    "not reach the hook: librumpuser's gate word is the engine's "
	    "gate, also after the rules or modes change");
}
ATF_TC_BODY(gate_closed, tc)
{
	struct fe_engine *e = hook_with("open:EACCES");
	struct fe_plan *plan;
	void *m;

	ATF_CHECK_EQ(rumpuser_fault_gate(), fe_point_bit(FE_PT_OPEN));
	ATF_REQUIRE_EQ(rumpuser_malloc(16, 0, &m), 0);
	rumpuser_free(m, 16);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 0);
	ATF_CHECK_EQ(rumpuser_fault_calls[RUMPUSER_FP_MALLOC], 0);

	/* Arming a rule at malloc opens its gate. */
	ATF_REQUIRE_EQ(fe_plan_parse("malloc:nth=9:ENOMEM", NULL, &plan,
	    NULL), 0);
	ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
	ATF_CHECK_EQ(rumpuser_fault_gate(), fe_point_bit(FE_PT_OPEN) |
	    fe_point_bit(FE_PT_MALLOC));
	ATF_REQUIRE_EQ(rumpuser_malloc(16, 0, &m), 0);
	rumpuser_free(m, 16);
	ATF_CHECK_EQ(rumpuser_fault_calls[RUMPUSER_FP_MALLOC], 1);
	fe_engine_clear(e);
	ATF_CHECK_EQ(rumpuser_fault_gate(), 0);

	/* Counting opens every point. */
	ATF_REQUIRE_EQ(fe_engine_set(e, FE_COUNT, 0), 0);
	ATF_CHECK_EQ(rumpuser_fault_gate(),
	    ((uint64_t)1 << RUMPUSER_FP__COUNT) - 1);
	ATF_REQUIRE_EQ(rumpuser_malloc(16, 0, &m), 0);
	rumpuser_free(m, 16);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 2);
	unhook(e);
}

ATF_TC(mapping);
ATF_TC_HEAD(mapping, tc)
{
	atf_tc_set_md_var(tc, "descr", "Engine decisions become librumpuser "
	    "decisions: error, delay, yield, short (capped), torn (sectors, "
	    "capped), bitflip, powercut (RUMPUS_POWERCUT_STATUS)");
}
ATF_TC_BODY(mapping, tc)
{
	static const struct {
		const char	*spec;
		int		 point;
		int		 action;
		int		 error;
		uint64_t	 delay;
		size_t		 length;
		uint64_t	 bit;
		int		 status;
	} cases[] = {
#define R	RUMPUSER_FP_BIO_READ
#define W	RUMPUSER_FP_BIO_WRITE
#define C	RUMPUS_POWERCUT_STATUS
		{ "bio.read:EIO", R, RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0, 0, 0 },
		{ "bio.read:delay=7ms", R, RUMPUSER_FA_DELAY, 0, 7000, 0, 0, 0 },
		{ "bio.read:delay=yield", R, RUMPUSER_FA_YIELD, 0, 0, 0, 0, 0 },
		{ "bio.read:short=100", R, RUMPUSER_FA_SHORT, 0, 0, 100, 0, 0 },
		{ "bio.read:short=99999", R, RUMPUSER_FA_SHORT, 0, 0, 4096, 0,
		    0 },
		{ "bio.read:block=8:EIO", R, RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0,
		    0, 0 },
		{ "bio.read:block=15:EIO", R, RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0,
		    0, 0 },
		{ "bio.read:block=16:EIO", R, RUMPUSER_FA_PASS, 0, 0, 0, 0, 0 },
		{ "bio.read:block=0-7:EIO", R, RUMPUSER_FA_PASS, 0, 0, 0, 0, 0 },
		{ "bio.read:bitflip=77", R, RUMPUSER_FA_BITFLIP, 0, 0, 0, 77,
		    0 },
		{ "bio.write:torn=3", W, RUMPUSER_FA_TORN, 0, 0, 1536, 0, C },
		{ "bio.write:torn=9", W, RUMPUSER_FA_TORN, 0, 0, 4096, 0, C },
		{ "bio.write:powercut", W, RUMPUSER_FA_POWERCUT, 0, 0, 0, 0, C },
#undef R
#undef W
#undef C
	};
	struct rumpuser_fault_decision rd;
	struct rumpuser_fault_call rc;
	struct fe_engine *e;
	struct fe_plan *plan;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	rc.fc_fd = 3;
	rc.fc_off = 4096;	/* sectors 8 to 15 */
	rc.fc_len = 4096;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc.fc_point = cases[i].point;
		ATF_REQUIRE((e = fe_engine_create(1, NULL)) != NULL);
		ATF_REQUIRE_EQ(fe_plan_parse(cases[i].spec, NULL, &plan,
		    NULL), 0);
		ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
		memset(&rd, 0, sizeof(rd));
		fe_rumpuser_hook(&rc, &rd, e);
		ATF_CHECK_EQ_MSG(rd.fd_action, cases[i].action, "%s: %d",
		    cases[i].spec, rd.fd_action);
		ATF_CHECK_EQ_MSG(rd.fd_error, cases[i].error, "%s",
		    cases[i].spec);
		ATF_CHECK_EQ_MSG(rd.fd_delay_us, cases[i].delay, "%s",
		    cases[i].spec);
		ATF_CHECK_EQ_MSG(rd.fd_length, cases[i].length, "%s",
		    cases[i].spec);
		ATF_CHECK_EQ_MSG(rd.fd_bit, cases[i].bit, "%s", cases[i].spec);
		ATF_CHECK_EQ_MSG(rd.fd_status, cases[i].status, "%s",
		    cases[i].spec);
		fe_engine_destroy(e);
	}
}

ATF_TC(panic);
ATF_TC_HEAD(panic, tc)
{
	atf_tc_set_md_var(tc, "descr", "panic stops the instance as "
	    "rumpuser_exit(RUMPUSER_PANIC) does: by SIGABRT");
}
ATF_TC_BODY(panic, tc)
{
	pid_t pid;
	void *m;
	int status;

	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		(void)hook_with("malloc:nth=2:panic");
		if (rumpuser_malloc(8, 0, &m) != 0)
			_exit(2);
		(void)rumpuser_malloc(8, 0, &m);
		_exit(3);
	}
	ATF_REQUIRE_EQ(waitpid(pid, &status, 0), pid);
	ATF_CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "status %#x", status);
}

ATF_TC(named_points);
ATF_TC_HEAD(named_points, tc)
{
	atf_tc_set_md_var(tc, "descr", "rumpus_faults_named decides the "
	    "kernel's named points of the registry given to "
	    "rumpus_faults_configure: nth, @site over frames, no rule");
}
ATF_TC_BODY(named_points, tc)
{
	static const char *const names[] = { "kmem.alloc", "ext2.alloc_block",
	    "ext2.other" };
	static const struct fe_registry reg = { names, 3 };
	static const char *const ext2[] = { "ext2_balloc", "vop_write" };
	static const char *const ffs[] = { "ffs_balloc" };
	struct fe_error err;
	struct fe_call c;
	struct fe_engine *e;

	ATF_REQUIRE_EQ_MSG(rumpus_faults_configure("kmem.alloc:nth=2:ENOMEM; "
	    "ext2.alloc_block@ext2_*:EIO", 9, &reg, NULL, &err), 0, "%s",
	    err.fe_msg);
	e = rumpus_faults_engine();
	memset(&c, 0, sizeof(c));
	c.fc_len = 64;
	ATF_CHECK_EQ(rumpus_faults_named(0, &c), 0);
	ATF_CHECK_EQ(rumpus_faults_named(0, &c), RUMP_ENOMEM);
	ATF_CHECK_EQ(rumpus_faults_named(0, &c), 0);
	c.fc_frames = ffs;
	c.fc_nframes = 1;
	ATF_CHECK_EQ(rumpus_faults_named(1, &c), 0);
	c.fc_frames = ext2;
	c.fc_nframes = 2;
	ATF_CHECK_EQ(rumpus_faults_named(1, &c), RUMP_EIO);
	ATF_CHECK_EQ(rumpus_faults_named(2, &c), 0);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_NHYPER + 0), 3);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_NHYPER + 2), 0);
	/* Named points never open librumpuser's hypercall gates. */
	ATF_CHECK_EQ(rumpuser_fault_gate(), 0);
	unhook(e);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, malloc_nth);
	ATF_TP_ADD_TC(tp, gate_closed);
	ATF_TP_ADD_TC(tp, mapping);
	ATF_TP_ADD_TC(tp, panic);
	ATF_TP_ADD_TC(tp, named_points);
	return atf_no_error();
}
