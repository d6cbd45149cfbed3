/*
 * The fault engine's place in an instance, in a build without fault
 * points (make nofaults: the kernel and librumpuser have none, and no
 * engine; harness/Makefile links this file in lfault.c's stead).  What
 * needs a fault point is refused with one reason, never run without
 * effect: a plan (--faults, --trace, rumpus sweep, a scenario's faults=,
 * a replayed token's) fails rumpus_faults_check, and fault.inject,
 * clear, count and hits raise a Lua error at the caller's file:line.  An
 * instance's trace, which the runner asks for to count calls (replay),
 * is left out: there are no calls to count.
 */
#include <stdint.h>
#include <stdio.h>

#include <lauxlib.h>
#include <lua.h>

#include "lrumpus.h"

#define LNOFAULTS	"this build has no fault points (built with make " \
			"nofaults)"

/* The next case has a plan; the running case's verdict. */
static int lfault_asked;
static struct rumpus_result *lfault_res;

const char *
rumpus_fault_point_name(size_t i)
{

	return NULL;
}

int
rumpus_faults_check(const char *plan, char *err, size_t len)
{

	snprintf(err, len, "%s", LNOFAULTS);
	return -1;
}

void
rumpus_case_faults(const char *plan, uint64_t seed, int trace)
{

	lfault_asked = plan != NULL && *plan != '\0';
}

int
lfault_boot(struct rumpus_result *res)
{

	lfault_res = res;
	if (!lfault_asked)
		return 0;
	lscen_setstr(res->rr_reason, sizeof(res->rr_reason), "fault plan: %s",
	    LNOFAULTS);
	res->rr_outcome = RUMPUS_ERROR;
	return -1;
}

void
lfault_finish(struct rumpus_result *res)
{
}

void
lfault_snapshot(const char *path)
{

	if (lfault_res != NULL)
		lscen_setstr(lfault_res->rr_snapshot,
		    sizeof(lfault_res->rr_snapshot), "%s", path);
}

void
lfault_errno(int e)
{
}

/* Every function of the table fault, named by its upvalue. */
static int
lfault_none(lua_State *L)
{

	return luaL_error(L, "fault.%s: %s",
	    lua_tostring(L, lua_upvalueindex(1)), LNOFAULTS);
}

/* Push the table fault. */
void
lfault_openlib(lua_State *L)
{
	static const char *const names[] = { "inject", "clear", "count",
	    "hits" };
	size_t i;

	lua_createtable(L, 0, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		lua_pushstring(L, names[i]);
		lua_pushcclosure(L, lfault_none, 1);
		lua_setfield(L, -2, names[i]);
	}
}
