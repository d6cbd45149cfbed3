/*
 * Scenario files: loading them in the zygote, the scenario{} declaration,
 * the expect*() checks, and running one case in a forked child.
 *
 * Every interpreter here is single-threaded except while a body runs with
 * spawned lwps; then the interpreter lock of lkern.c is held by whichever
 * host thread runs Lua (see lkern.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include <rump/rumperrno.h>

#include "rumpus_lua.h"
#include "lrumpus.h"

/* A scenario's interpreter may not grow past this (outcome "limit"). */
#define RUMPUS_LUA_MEMLIMIT	(256u << 20)

/* The error object of a failed expectation: a table with this field set. */
#define RUMPUS_FAILKEY		"rumpus_fail"

/* Registry keys. */
#define RUMPUS_SCENARIOS	"rumpus.scenarios"
#define RUMPUS_DECLARING	"rumpus.declaring"

struct rumpus_file {
	lua_State	*rf_L;
	char		*rf_path;
	size_t		 rf_used;	/* bytes the interpreter holds */
	int		 rf_memlimit_hit;
	struct rumpus_case *rf_cases;
	size_t		 rf_ncases;
};

/* The case this child runs, for rumpus_case_interrupt(). */
static lua_State *lscen_running_L;
static struct rumpus_result *lscen_running_res;
/* The overlay the runner made for this instance, or -1. */
static int lscen_ovfd = -1;

static const char *const rumpus_outcome_names[] = {
#define _RUMPUS_OUTCOME_NAME(e, name, descr)	name,
	RUMPUS_OUTCOMES(_RUMPUS_OUTCOME_NAME)
#undef _RUMPUS_OUTCOME_NAME
};

/*
 * The name of outcome o ("pass", ...), or "none".
 */
const char *
rumpus_outcome_name(int o)
{

	if (o < 0 || o >= RUMPUS_NOUTCOMES)
		return "none";
	return rumpus_outcome_names[o];
}

/*
 * The outcome called name, or -1.
 */
int
rumpus_outcome_byname(const char *name)
{
	int o;

	for (o = 0; o < RUMPUS_NOUTCOMES; o++)
		if (strcmp(rumpus_outcome_names[o], name) == 0)
			return o;
	return -1;
}

/*
 * The allocator of every scenario interpreter: realloc, bounded so that a
 * runaway scenario ends as "limit" instead of taking the machine.
 */
static void *
lscen_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rumpus_file *rf = ud;
	void *n;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		rf->rf_used -= osize;
		return NULL;
	}
	if (nsize > osize && rf->rf_used + (nsize - osize) > RUMPUS_LUA_MEMLIMIT) {
		rf->rf_memlimit_hit = 1;
		return NULL;
	}
	if ((n = realloc(ptr, nsize)) == NULL)
		return NULL;
	rf->rf_used += nsize - osize;
	return n;
}

/*
 * Copy a formatted string into a fixed buffer, always terminated.
 */
void
lscen_setstr(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/*
 * The "file:line:" of the Lua function level frames up, or "?:" when
 * there is none (a C caller).
 */
static void
lscen_where(lua_State *L, int level, char *buf, size_t len)
{
	lua_Debug ar;

	if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
	    ar.currentline > 0) {
		snprintf(buf, len, "%s:%d:", ar.short_src, ar.currentline);
		return;
	}
	snprintf(buf, len, "?:");
}

/*
 * Raise a failed expectation: an error object {rumpus_fail = message},
 * the message starting with the scenario's file:line (the caller of the
 * expect function).  Does not return.
 */
static int
lscen_fail(lua_State *L, const char *fmt, ...)
{
	char where[256];
	va_list ap;

	lscen_where(L, 1, where, sizeof(where));
	lua_createtable(L, 0, 1);
	lua_pushstring(L, where);
	lua_pushstring(L, " ");
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_concat(L, 3);
	lua_setfield(L, -2, RUMPUS_FAILKEY);
	return lua_error(L);
}

/*
 * The NetBSD errno number called name, or -1.
 */
static int
lscen_errno_byname(const char *name)
{
#define _LSCEN_ERRNO_CMP(ename, num, msg) \
	if (strcmp(name, #ename) == 0) \
		return num;
	RUMP_ERRNO_LIST(_LSCEN_ERRNO_CMP)
#undef _LSCEN_ERRNO_CMP
	return -1;
}

/* expect(cond [, message]): fail unless cond is true. */
static int
lscen_expect(lua_State *L)
{

	luaL_checkany(L, 1);
	if (lua_toboolean(L, 1))
		return lua_gettop(L);
	return lscen_fail(L, "expectation failed: %s",
	    luaL_optstring(L, 2, "(no message)"));
}

/* expect_eq(got, want [, message]): fail unless got == want. */
static int
lscen_expect_eq(lua_State *L)
{
	const char *msg;

	luaL_checkany(L, 2);
	msg = luaL_optstring(L, 3, "values differ");
	if (lua_compare(L, 1, 2, LUA_OPEQ))
		return 0;
	return lscen_fail(L, "%s: got %s, want %s", msg,
	    luaL_tolstring(L, 1, NULL), luaL_tolstring(L, 2, NULL));
}

/*
 * expect_ok(v, errname, errno): the kernel-call result convention.  Returns
 * every argument when v is not nil; fails naming the error otherwise.
 */
static int
lscen_expect_ok(lua_State *L)
{

	if (!lua_isnoneornil(L, 1))
		return lua_gettop(L);
	return lscen_fail(L, "unexpected error %s",
	    lua_isstring(L, 2) ? lua_tostring(L, 2) : "(no error name)");
}

/*
 * expect_errno(fn, "ENAME" [, message]): call fn(); fail unless it returns
 * nil followed by the NetBSD error name ENAME.
 */
static int
lscen_expect_errno(lua_State *L)
{
	const char *want, *msg, *got;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	want = luaL_checkstring(L, 2);
	msg = luaL_optstring(L, 3, "");
	if (lscen_errno_byname(want) < 0)
		return luaL_argerror(L, 2, lua_pushfstring(L,
		    "\"%s\" is not a NetBSD errno name", want));
	lua_settop(L, 3);
	lua_pushvalue(L, 1);
	lua_call(L, 0, 2);
	if (!lua_isnil(L, 4))
		return lscen_fail(L, "%s%swant %s, got success (%s)", msg,
		    *msg ? ": " : "", want, luaL_tolstring(L, 4, NULL));
	got = lua_isstring(L, 5) ? lua_tostring(L, 5) : "(no error name)";
	if (strcmp(got, want) != 0)
		return lscen_fail(L, "%s%swant %s, got %s", msg,
		    *msg ? ": " : "", want, got);
	return 0;
}

/*
 * expect_error(fn, pattern): call fn(); fail unless it raises a Lua error
 * whose message matches the Lua pattern (for checks of argument errors).
 */
static int
lscen_expect_error(lua_State *L)
{
	const char *pat, *msg;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	pat = luaL_checkstring(L, 2);
	lua_settop(L, 2);
	lua_pushvalue(L, 1);
	if (lua_pcall(L, 0, 0, 0) == LUA_OK)
		return lscen_fail(L, "want an error matching \"%s\", got none",
		    pat);
	msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "(not a string)";
	lua_getglobal(L, "string");
	lua_getfield(L, -1, "find");
	lua_pushstring(L, msg);
	lua_pushstring(L, pat);
	lua_call(L, 2, 1);
	if (lua_isnil(L, -1))
		return lscen_fail(L, "want an error matching \"%s\", got \"%s\"",
		    pat, msg);
	return 0;
}

/* fail(message): an expectation that never holds. */
static int
lscen_failfn(lua_State *L)
{

	return lscen_fail(L, "%s", luaL_checkstring(L, 1));
}

/*
 * Check one optional field of a scenario{} table: nil or of type want.
 * Leaves the value on the stack.
 */
static void
lscen_field(lua_State *L, const char *field, int want)
{
	int t;

	t = lua_getfield(L, 1, field);
	if (t != LUA_TNIL && t != want)
		luaL_error(L, "scenario: field \"%s\" must be a %s, not a %s",
		    field, lua_typename(L, want), luaL_typename(L, -1));
}

/*
 * Refuse a field scenario{} does not know (a misspelt "timout" would
 * otherwise be ignored): the table at index 1 may hold the named fields
 * and the body at [1].
 */
static void
lscen_known_fields(lua_State *L)
{
	static const char *const known[] = { "name", "description",
	    "timeout", "tags", "fs", "outcome", "image", "faults", "seed",
	    "mode", NULL };
	const char *key;
	int i;

	lua_pushnil(L);
	while (lua_next(L, 1) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TNUMBER &&
		    lua_tointeger(L, -1) == 1)
			continue;
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "scenario: unexpected positional element "
			    "(only the body, first, is positional)");
		key = lua_tostring(L, -1);
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(key, known[i]) == 0)
				break;
		if (known[i] == NULL)
			luaL_error(L, "scenario: unknown field \"%s\" (known: "
			    "name, description, timeout, tags, fs, outcome, "
			    "image, faults, seed, mode)", key);
	}
}

/*
 * Refuse a second scenario of the same name in one file: the name is
 * part of the case id.
 */
static void
lscen_unique_name(lua_State *L, const char *name)
{
	lua_Integer i, n;
	int dup;

	lua_getfield(L, LUA_REGISTRYINDEX, RUMPUS_SCENARIOS);
	n = luaL_len(L, -1);
	for (i = 1; i <= n; i++) {
		lua_geti(L, -1, i);
		lua_getfield(L, -1, "name");
		dup = strcmp(lua_tostring(L, -1), name) == 0;
		lua_pop(L, 2);
		if (dup)
			luaL_error(L, "scenario: \"%s\" is declared twice in "
			    "this file", name);
	}
	lua_pop(L, 1);
}

/*
 * Whether the declaration at index 1 lists ext2.
 */
static int
lscen_wants_ext2(lua_State *L)
{
	lua_Integer i, n;
	int found = 0;
	const char *fs;

	if (lua_getfield(L, 1, "fs") == LUA_TTABLE) {
		n = luaL_len(L, -1);
		for (i = 1; i <= n && !found; i++) {
			lua_geti(L, -1, i);
			fs = lua_tostring(L, -1);
			found = fs != NULL && strcmp(fs, "ext2") == 0;
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	return found;
}

/*
 * Give the declaration at index 1 the default ext2 image (image.ext2{}
 * with its defaults), built now, in the zygote.
 */
static void
lscen_default_image(lua_State *L)
{

	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, "rumpus");
	lua_getfield(L, -1, "image");
	lua_getfield(L, -1, "ext2");
	lua_newtable(L);
	lua_call(L, 1, 1);
	lua_setfield(L, 1, "image");
	lua_pop(L, 3);
}

/*
 * The fault fields of the declaration at index 1: faults= (a
 * rumpus-faults(7) plan, checked against this build's points), seed= (an
 * integer from 0) and mode= ("serial" or "threads").
 */
static void
lscen_fault_fields(lua_State *L)
{
	char err[512];

	lscen_field(L, "faults", LUA_TSTRING);
	if (!lua_isnil(L, -1) && rumpus_faults_check(lua_tostring(L, -1), err,
	    sizeof(err)) != 0)
		luaL_error(L, "scenario: field \"faults\": %s", err);
	lscen_field(L, "seed", LUA_TNUMBER);
	if (!lua_isnil(L, -1) && (!lua_isinteger(L, -1) ||
	    lua_tointeger(L, -1) < 0))
		luaL_error(L, "scenario: field \"seed\" must be an integer "
		    "from 0");
	lscen_field(L, "mode", LUA_TSTRING);
	if (!lua_isnil(L, -1) && strcmp(lua_tostring(L, -1), "serial") != 0 &&
	    strcmp(lua_tostring(L, -1), "threads") != 0)
		luaL_error(L, "scenario: field \"mode\" is neither \"serial\" "
		    "nor \"threads\"");
	lua_pop(L, 3);
}

/*
 * scenario{name=, description=, timeout=, tags=, fs=, outcome=, image=,
 * faults=, seed=, mode=, function(k, fs) end}: validate the declaration
 * and append it to the file's list.  Only the top level of a scenario
 * file may declare.
 */
static int
lscen_scenario(lua_State *L)
{
	lua_Integer i, n;
	const char *fs;

	luaL_checktype(L, 1, LUA_TTABLE);
	lscen_known_fields(L);
	lscen_field(L, "name", LUA_TSTRING);
	if (lua_isnil(L, -1))
		luaL_error(L, "scenario: field \"name\" is missing");
	lscen_unique_name(L, lua_tostring(L, -1));
	lscen_field(L, "description", LUA_TSTRING);
	lscen_field(L, "timeout", LUA_TNUMBER);
	if (!lua_isnil(L, -1) && lua_tonumber(L, -1) <= 0)
		luaL_error(L, "scenario: field \"timeout\" must be positive");
	lscen_field(L, "outcome", LUA_TSTRING);
	if (!lua_isnil(L, -1) && rumpus_outcome_byname(lua_tostring(L, -1)) < 0)
		luaL_error(L, "scenario: outcome \"%s\" is not one of pass, "
		    "fail, error, panic, crash, hang, deadlock, leak, corrupt, "
		    "sandbox, limit", lua_tostring(L, -1));
	lscen_fault_fields(L);
	lscen_field(L, "tags", LUA_TTABLE);
	lscen_field(L, "fs", LUA_TTABLE);
	if (!lua_isnil(L, -1)) {
		n = luaL_len(L, -1);
		if (n == 0)
			luaL_error(L, "scenario: field \"fs\" is empty");
		for (i = 1; i <= n; i++) {
			lua_geti(L, -1, i);
			fs = lua_tostring(L, -1);
			if (fs == NULL || !lkern_fs_known(fs))
				luaL_error(L, "scenario: fs[%d] is not a known "
				    "file system (tmpfs, ext2)", (int)i);
			lua_pop(L, 1);
		}
	}
	if (lua_getfield(L, 1, "image") != LUA_TNIL &&
	    limage_path(L, -1) == NULL)
		luaL_error(L, "scenario: field \"image\" must be an image "
		    "from image.ext2{}, not a %s", luaL_typename(L, -1));
	if (lua_isnil(L, -1) && lscen_wants_ext2(L))
		lscen_default_image(L);
	if (lua_geti(L, 1, 1) != LUA_TFUNCTION)
		luaL_error(L, "scenario: the body (first positional element) "
		    "must be a function");
	lua_settop(L, 1);
	if (lua_getfield(L, LUA_REGISTRYINDEX, RUMPUS_DECLARING) !=
	    LUA_TBOOLEAN || !lua_toboolean(L, -1))
		luaL_error(L, "scenario: may only be called while the file "
		    "loads, not from a body");
	lua_getfield(L, LUA_REGISTRYINDEX, RUMPUS_SCENARIOS);
	lua_pushvalue(L, 1);
	lua_seti(L, -2, luaL_len(L, -2) + 1);
	return 0;
}

/*
 * raise("SIGSEGV"): send this instance a host signal, so the runner's own
 * tests can check how it names a crash.  Only in a body.
 */
static int
lscen_raise(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *abbrev;
	int sig;

	if (lscen_running_L == NULL)
		return luaL_error(L, "raise: only in a scenario body");
	for (sig = 1; sig < NSIG; sig++)
		if ((abbrev = sigabbrev_np(sig)) != NULL &&
		    strncmp(name, "SIG", 3) == 0 && strcmp(name + 3, abbrev) == 0)
			break;
	if (sig == NSIG)
		return luaL_argerror(L, 1, lua_pushfstring(L,
		    "\"%s\" is not a signal name", name));
	fflush(NULL);
	raise(sig);
	return luaL_error(L, "raise: %s did not end the instance", name);
}

static const luaL_Reg lscen_funcs[] = {
	{ "raise",		lscen_raise },
	{ "scenario",		lscen_scenario },
	{ "expect",		lscen_expect },
	{ "expect_eq",		lscen_expect_eq },
	{ "expect_ok",		lscen_expect_ok },
	{ "expect_errno",	lscen_expect_errno },
	{ "expect_error",	lscen_expect_error },
	{ "fail",		lscen_failfn },
	{ NULL,			NULL }
};

/*
 * The module "rumpus": the checks, scenario, the kernel table k, image
 * and fault.
 */
static int
luaopen_rumpus(lua_State *L)
{

	luaL_newlib(L, lscen_funcs);
	lkern_openlib(L);
	lua_setfield(L, -2, "k");
	limage_open(L);
	lua_setfield(L, -2, "image");
	lfault_openlib(L);
	lua_setfield(L, -2, "fault");
	return 1;
}

/*
 * The message handler of every protected call: a failed expectation keeps
 * its table and gains a traceback; any other error becomes a table
 * {error = message, traceback = ...}.
 */
static int
lscen_msgh(lua_State *L)
{
	const char *msg;

	if (lua_istable(L, 1) &&
	    lua_getfield(L, 1, RUMPUS_FAILKEY) == LUA_TSTRING) {
		lua_pop(L, 1);
	} else {
		msg = lua_isstring(L, 1) ? lua_tostring(L, 1) :
		    luaL_tolstring(L, 1, NULL);
		lua_createtable(L, 0, 2);
		lua_pushstring(L, msg);
		lua_setfield(L, -2, "error");
		lua_replace(L, 1);
	}
	lua_settop(L, 1);
	luaL_traceback(L, L, NULL, 1);
	lua_setfield(L, 1, "traceback");
	return 1;
}

/*
 * Run fn (on top of L's stack, its nargs arguments above it) protected.
 * On failure fill *res (fail, error or limit) and return -1.
 */
int
lscen_pcall(lua_State *L, int nargs, struct rumpus_result *res)
{
	int base, st, outcome;
	const char *msg;

	base = lua_gettop(L) - nargs;
	lua_pushcfunction(L, lscen_msgh);
	lua_insert(L, base);
	st = lua_pcall(L, nargs, 0, base);
	lua_remove(L, base);
	if (st == LUA_OK)
		return 0;
	if (st == LUA_ERRMEM) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "the scenario's Lua memory passed %u MiB",
		    RUMPUS_LUA_MEMLIMIT >> 20);
		res->rr_outcome = RUMPUS_LIMIT;
		lua_pop(L, 1);
		return -1;
	}
	/* The message handler made the error object a table. */
	outcome = RUMPUS_ERROR;
	if (lua_getfield(L, -1, RUMPUS_FAILKEY) == LUA_TSTRING)
		outcome = RUMPUS_FAIL;
	else {
		lua_pop(L, 1);
		lua_getfield(L, -1, "error");
	}
	msg = lua_tostring(L, -1);
	lscen_setstr(res->rr_reason, sizeof(res->rr_reason), "%s",
	    msg != NULL ? msg : "(error object is not a string)");
	lua_pop(L, 1);
	if (lua_getfield(L, -1, "traceback") == LUA_TSTRING)
		lscen_setstr(res->rr_backtrace, sizeof(res->rr_backtrace),
		    "%s", lua_tostring(L, -1));
	lua_settop(L, base - 1);
	res->rr_outcome = outcome;
	return -1;
}

/*
 * String field key of the declaration table at idx, or NULL when nil
 * (scenario{} checked its type); the table anchors the string.
 */
static const char *
lscen_decl_str(lua_State *L, int idx, const char *key)
{
	const char *v;

	lua_getfield(L, idx, key);
	v = lua_tostring(L, -1);
	lua_pop(L, 1);
	return v;
}

/*
 * Turn the declared scenarios (registry list) into the file's cases: one
 * per scenario and fs variant, or one with fs "" when none is declared.
 */
static int
lscen_cases(struct rumpus_file *rf, char *err, size_t errlen)
{
	lua_State *L = rf->rf_L;
	lua_Integer i, j, ns, nfs;
	struct rumpus_case *rc;
	size_t cap = 0;

	lua_getfield(L, LUA_REGISTRYINDEX, RUMPUS_SCENARIOS);
	ns = luaL_len(L, -1);
	if (ns == 0) {
		lscen_setstr(err, errlen, "%s: declares no scenario",
		    rf->rf_path);
		lua_pop(L, 1);
		return -1;
	}
	for (i = 1; i <= ns; i++) {
		lua_geti(L, -1, i);
		lua_getfield(L, -1, "fs");
		nfs = lua_isnil(L, -1) ? 1 : luaL_len(L, -1);
		for (j = 1; j <= nfs; j++) {
			if (rf->rf_ncases == cap) {
				cap = cap ? 2 * cap : 8;
				rc = realloc(rf->rf_cases, cap * sizeof(*rc));
				if (rc == NULL) {
					lscen_setstr(err, errlen, "%s: %s",
					    rf->rf_path, strerror(errno));
					lua_pop(L, 3);
					return -1;
				}
				rf->rf_cases = rc;
			}
			rc = &rf->rf_cases[rf->rf_ncases++];
			rc->rc_scenario = (int)i;
			rc->rc_fs = "";
			if (!lua_isnil(L, -1)) {
				lua_geti(L, -1, j);
				/* The declaration table anchors the string. */
				rc->rc_fs = lua_tostring(L, -1);
				lua_pop(L, 1);
			}
			rc->rc_name = lscen_decl_str(L, -2, "name");
			rc->rc_descr = lscen_decl_str(L, -2, "description");
			if (rc->rc_descr == NULL)
				rc->rc_descr = "";
			rc->rc_expect = lscen_decl_str(L, -2, "outcome");
			rc->rc_faults = lscen_decl_str(L, -2, "faults");
			rc->rc_mode = lscen_decl_str(L, -2, "mode");
			lua_getfield(L, -2, "timeout");
			rc->rc_timeout = lua_tonumber(L, -1);
			lua_pop(L, 1);
			lua_getfield(L, -2, "seed");
			rc->rc_hasseed = lua_isinteger(L, -1);
			rc->rc_seed = (uint64_t)lua_tointeger(L, -1);
			lua_pop(L, 1);
		}
		lua_pop(L, 2);
	}
	lua_pop(L, 1);
	return 0;
}

/*
 * Load path into a fresh interpreter and run its top level (the zygote's
 * work).  On any error return NULL with err naming file and line.
 */
struct rumpus_file *
rumpus_file_load(const char *path, char *err, size_t errlen)
{
	struct rumpus_result res;
	struct rumpus_file *rf;
	lua_State *L;

	lsandbox_prepare();
	if ((rf = calloc(1, sizeof(*rf))) == NULL ||
	    (rf->rf_path = strdup(path)) == NULL ||
	    (rf->rf_L = L = lua_newstate(lscen_alloc, rf)) == NULL) {
		lscen_setstr(err, errlen, "%s: %s", path, strerror(ENOMEM));
		goto bad;
	}
	luaL_openlibs(L);
	luaL_requiref(L, "rumpus", luaopen_rumpus, 0);
	/* The module's names are also globals: scenario files stay short. */
	lua_pushnil(L);
	while (lua_next(L, -2) != 0)
		lua_setglobal(L, lua_tostring(L, -2));
	lua_pop(L, 1);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, RUMPUS_SCENARIOS);
	lua_pushboolean(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, RUMPUS_DECLARING);

	switch (luaL_loadfilex(L, path, "t")) {
	case LUA_OK:
		break;
	case LUA_ERRFILE:
		lscen_setstr(err, errlen, "%s", lua_tostring(L, -1));
		goto bad;
	default:
		lscen_setstr(err, errlen, "%s", lua_tostring(L, -1));
		goto bad;
	}
	memset(&res, 0, sizeof(res));
	if (lscen_pcall(L, 0, &res) != 0) {
		lscen_setstr(err, errlen, "%s", res.rr_reason);
		goto bad;
	}
	if (lscen_cases(rf, err, errlen) != 0)
		goto bad;
	return rf;
bad:
	rumpus_file_free(rf);
	return NULL;
}

/*
 * Close the interpreter of a loaded file and free what it declared.
 */
void
rumpus_file_free(struct rumpus_file *rf)
{

	if (rf == NULL)
		return;
	if (rf->rf_L != NULL)
		lua_close(rf->rf_L);
	free(rf->rf_cases);
	free(rf->rf_path);
	free(rf);
}

size_t
rumpus_file_ncases(const struct rumpus_file *rf)
{

	return rf->rf_ncases;
}

const struct rumpus_case *
rumpus_file_case(const struct rumpus_file *rf, size_t i)
{

	return &rf->rf_cases[i];
}

const char *
rumpus_file_path(const struct rumpus_file *rf)
{

	return rf->rf_path;
}

/*
 * Write header, then the running body's Lua stack (one "\n\tfile:line: in
 * function" per frame, innermost first) into buf; "" when no Lua function
 * is running.  Only from the body's
 * own thread (or a hook or signal handler on it): the stack must not be
 * changing under the walk.
 */
void
lscen_luastack(char *buf, size_t len, const char *header)
{
	lua_State *L = lscen_running_L;
	lua_Debug d;
	int n, level;

	if (L == NULL || !lua_getstack(L, 0, &d)) {
		buf[0] = '\0';
		return;
	}
	n = snprintf(buf, len, "%s", header);
	for (level = 0; L != NULL && (size_t)n < len &&
	    lua_getstack(L, level, &d); level++) {
		lua_getinfo(L, "Sln", &d);
		n += snprintf(buf + n, len - n, "\n\t%s:%d: in %s",
		    d.short_src, d.currentline,
		    d.name != NULL ? d.name : d.what);
	}
}

/*
 * The hook rumpus_case_interrupt() sets: write the Lua stack into the
 * verdict and end the instance (the runner names it a hang).
 */
static void
lscen_hang_hook(lua_State *L, lua_Debug *ar)
{
	struct rumpus_result *res = lscen_running_res;

	lscen_luastack(res->rr_backtrace, sizeof(res->rr_backtrace),
	    "the body was running at:");
	fflush(NULL);
	_exit(3);
}

void
rumpus_case_interrupt(void)
{

	if (lscen_running_res != NULL)
		lkern_interrupt(lscen_running_res);
	/* lua_sethook is safe to call from a signal handler. */
	if (lscen_running_L != NULL)
		lua_sethook(lscen_running_L, lscen_hang_hook, LUA_MASKCALL |
		    LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void
rumpus_case_overlay(int fd)
{

	lscen_ovfd = fd;
}

int
lscen_overlay(void)
{

	return lscen_ovfd;
}

/*
 * In a forked child: boot the kernel, set up the fs variant, run the body
 * of case ci with (k, fs), tear down, and write the verdict into *res.
 * The first outcome that is not a pass wins; teardown runs after a failure
 * too, so the books are read.
 */
void
rumpus_case_run(struct rumpus_file *rf, size_t ci,
    struct rumpus_result *res)
{
	const struct rumpus_case *rc = &rf->rf_cases[ci];
	lua_State *L = rf->rf_L;
	const char *image;

	res->rr_outcome = RUMPUS_NONE;
	lscen_running_res = res;
	lscen_running_L = L;
	lua_pushboolean(L, 0);
	lua_setfield(L, LUA_REGISTRYINDEX, RUMPUS_DECLARING);

	res->rr_phase = RUMPUS_PH_BOOT;
	if (lsandbox_enter(L, res) != 0) {
		res->rr_phase = RUMPUS_PH_DONE;
		return;
	}
	lua_settop(L, 0);
	lua_getfield(L, LUA_REGISTRYINDEX, RUMPUS_SCENARIOS);
	lua_geti(L, -1, rc->rc_scenario);
	lua_replace(L, -2);
	/* The declaration (index 1) anchors the image path. */
	lua_getfield(L, 1, "image");
	image = limage_path(L, -1);
	lua_pop(L, 1);
	lua_geti(L, 1, 1);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, "rumpus");
	lua_getfield(L, -1, "k");
	lua_replace(L, -3);
	lua_pop(L, 1);
	if (lkern_boot(L, rc->rc_fs, image, res) == 0) {
		res->rr_phase = RUMPUS_PH_BODY;
		(void)lscen_pcall(L, 2, res);
	}
	lua_settop(L, 0);
	res->rr_phase = RUMPUS_PH_TEARDOWN;
	lkern_teardown(L, res);
	if (res->rr_outcome == RUMPUS_NONE)
		res->rr_outcome = RUMPUS_PASS;
	res->rr_phase = RUMPUS_PH_DONE;
}
