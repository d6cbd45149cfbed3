/*
 * The engine as librumpuser's hook (faults/engine/fe_rumpuser.c): real
 * hypercalls fail as the spec says, decisions map onto librumpuser's,
 * and an unarmed point never reaches fe_decide().
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
	struct fe_engine *e;
	struct fe_plan *plan;
	struct fe_error err;

	ATF_REQUIRE((e = fe_engine_create(1, NULL)) != NULL);
	ATF_REQUIRE_EQ_MSG(fe_plan_parse(spec, NULL, &plan, &err), 0, "%s",
	    err.fe_msg);
	ATF_REQUIRE_EQ(fe_engine_arm(e, plan), 0);
	rumpuser_fault_sethook(fe_rumpuser_hook, e);
	return e;
}

static void
unhook(struct fe_engine *e)
{

	rumpuser_fault_sethook(NULL, NULL);
	fe_engine_destroy(e);
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
	    "not reach fe_decide(), though the hook is installed");
}
ATF_TC_BODY(gate_closed, tc)
{
	struct fe_engine *e = hook_with("open:EACCES");
	void *m;

	ATF_REQUIRE_EQ(rumpuser_malloc(16, 0, &m), 0);
	rumpuser_free(m, 16);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 0);
	ATF_CHECK_EQ(rumpuser_fault_calls[RUMPUSER_FP_MALLOC], 1);

	/* Counting opens every point. */
	ATF_REQUIRE_EQ(fe_engine_set(e, FE_COUNT, 0), 0);
	ATF_REQUIRE_EQ(rumpuser_malloc(16, 0, &m), 0);
	rumpuser_free(m, 16);
	ATF_CHECK_EQ(fe_engine_calls(e, FE_PT_MALLOC), 1);
	unhook(e);
}

ATF_TC(mapping);
ATF_TC_HEAD(mapping, tc)
{
	atf_tc_set_md_var(tc, "descr", "Engine decisions become librumpuser "
	    "decisions: error, delay, yield, short (capped), unsupported");
}
ATF_TC_BODY(mapping, tc)
{
	static const struct {
		const char	*spec;
		int		 action;
		int		 error;
		uint64_t	 delay;
		size_t		 length;
	} cases[] = {
		{ "bio.read:EIO", RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0 },
		{ "bio.read:delay=7ms", RUMPUSER_FA_DELAY, 0, 7000, 0 },
		{ "bio.read:delay=yield", RUMPUSER_FA_DELAY, 0, 0, 0 },
		{ "bio.read:short=100", RUMPUSER_FA_SHORT, 0, 0, 100 },
		{ "bio.read:short=99999", RUMPUSER_FA_SHORT, 0, 0, 4096 },
		{ "bio.read:block=8:EIO", RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0 },
		{ "bio.read:block=15:EIO", RUMPUSER_FA_ERROR, RUMP_EIO, 0, 0 },
		{ "bio.read:block=16:EIO", RUMPUSER_FA_PASS, 0, 0, 0 },
		{ "bio.read:block=0-7:EIO", RUMPUSER_FA_PASS, 0, 0, 0 },
		{ "bio.read:bitflip", RUMPUSER_FA_PASS, 0, 0, 0 },
	};
	struct rumpuser_fault_decision rd;
	struct rumpuser_fault_call rc;
	struct fe_engine *e;
	struct fe_plan *plan;
	size_t i;

	memset(&rc, 0, sizeof(rc));
	rc.fc_point = RUMPUSER_FP_BIO_READ;
	rc.fc_fd = 3;
	rc.fc_off = 4096;	/* sectors 8 to 15 */
	rc.fc_len = 4096;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
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
		fe_engine_destroy(e);
	}
	ATF_CHECK_EQ(fe_rumpuser_unsupported(), 1);
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

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, malloc_nth);
	ATF_TP_ADD_TC(tp, gate_closed);
	ATF_TP_ADD_TC(tp, mapping);
	ATF_TP_ADD_TC(tp, panic);
	return atf_no_error();
}
