/*
 * The kernel table of a rumpus built without a kernel (kern/rumpkern.o was
 * not there when lua/ was built).  Scenarios that need no kernel (the
 * runner's self-tests) run; anything that reaches for the kernel ends as
 * "error", saying why.
 */
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "lrumpus.h"

#define LNOKERN_WHY	"this rumpus was built without a kernel " \
			"(kern/rumpkern.o was missing)"

const char *
lkern_fs_unavailable(const char *fs)
{

	return *fs != '\0' ? LNOKERN_WHY : NULL;
}

/* Every field of k raises the same error. */
static int
lnokern_index(lua_State *L)
{

	return luaL_error(L, "k.%s: " LNOKERN_WHY, luaL_checkstring(L, 2));
}

void
lkern_openlib(lua_State *L)
{

	lua_newtable(L);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, lnokern_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
}

int
lkern_fs_known(const char *fs)
{

	return strcmp(fs, "tmpfs") == 0 || strcmp(fs, "ext2") == 0;
}

int
lkern_boot(lua_State *L, const char *fs, const char *image,
    struct rumpus_result *res)
{

	if (*fs != '\0') {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "fs variant %s: %s", fs, LNOKERN_WHY);
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	lua_pushnil(L);
	return 0;
}

void
lkern_teardown(lua_State *L, struct rumpus_result *res)
{
}

void
lkern_interrupt(struct rumpus_result *res)
{
}

/* The fault engine needs the kernel and librumpuser: none here. */
void
lfault_openlib(lua_State *L)
{

	lkern_openlib(L);
}

void
rumpus_case_faults(const char *plan, uint64_t seed)
{
}

int
rumpus_faults_check(const char *plan, char *err, size_t len)
{

	if (plan == NULL || *plan == '\0')
		return 0;
	snprintf(err, len, "%s", LNOKERN_WHY);
	return -1;
}

const char *
rumpus_fault_point_name(size_t i)
{

	return NULL;
}

int
rumpus_durable_verify(const char *image, const struct rumpus_result *res,
    int *checked, char *why, size_t len)
{

	*checked = 0;
	snprintf(why, len, "%s", LNOKERN_WHY);
	return -1;
}
