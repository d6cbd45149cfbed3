/*
 * The fault engine in an instance (issue 7): before rump_init the child
 * installs librumpuser's engine with the kernel's named points and its
 * plan, counting and tracing every call at every point; the kernel's
 * named-point hook (rumpus_ext) asks the same engine.  The counts and the
 * trace digest are kept current in the verdict (fe_engine_mirror), so the
 * runner has the real ones up to any end of the instance.  The first injected
 * fault writes its point, site and kernel stack into the verdict at once,
 * so the runner has them however the instance ends.  And the Lua table
 * fault: inject, clear, count, hits.
 *
 * Call-site filters (kmem.alloc@tmpfs_*): a glob is resolved once, at its
 * first test, to the address ranges of the kernel functions it names
 * (from the executable's .symtab, lsymtab.c); a call matches when any
 * return address of its stack lies in one of them.  The stack is walked
 * by frame pointers (the kernel, librumpuser and the binding are built
 * with them) and the walk stops at the first address outside this
 * executable's functions.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include <rump/rumpus_ext.h>

#include "fault_engine.h"
#include "fault_hook.h"
#include "fe_rumpuser.h"
#include "lrumpus.h"

#define LFAULT_STACK	32	/* return addresses walked at most */
#define LFAULT_GLOBS	16	/* globs resolved at most */
#define LFAULT_RING	64	/* trace entries kept (the digest covers all) */

/* A stack, walked when a site filter first needs it. */
struct lfault_stack {
	uintptr_t	*st_fp;		/* frame to start from */
	int		 st_walked;
	size_t		 st_n;
	uintptr_t	 st_pc[LFAULT_STACK];
};

/* A glob and the address ranges of the functions it names. */
struct lfault_glob {
	char		*g_glob;
	size_t		 g_n;
	uintptr_t	(*g_range)[2];
};

static const struct fe_registry *lfault_reg;
static struct lfault_glob lfault_globs[LFAULT_GLOBS];
static size_t lfault_nglobs;

/* The next case's plan, and the verdict of the running one. */
static const char *lfault_plan;
static uint64_t lfault_seed;
static int lfault_trace;		/* a trace was asked for */
static int lfault_tracing;		/* counting and tracing are on */
static struct rumpus_result *lfault_res;

/*
 * The kernel's named points and who calls (fe_kernel.c), read once (no
 * kernel needs to be up); the hook on the named points is ours.
 */
static const struct fe_registry *
lfault_registry(void)
{
	static const struct fe_kernel kern = {
		.fk_points = rumpus_fault_points,
		.fk_ident = rumpus_curlwp_ident
	};

	if (lfault_reg == NULL)
		lfault_reg = fe_kernel_attach(&kern);
	return lfault_reg;
}

const char *
rumpus_fault_point_name(size_t i)
{

	if (i >= FE_PT_NHYPER + lfault_registry()->fr_count)
		return NULL;
	return fe_point_name((unsigned)i, lfault_reg);
}

int
rumpus_faults_check(const char *plan, char *err, size_t len)
{
	struct fe_plan *p;
	struct fe_error fe;

	if (fe_plan_parse(plan, lfault_registry(), &p, &fe) != 0) {
		fe_error_format(&fe, plan, err, len);
		return -1;
	}
	fe_plan_free(p);
	return 0;
}

void
rumpus_case_faults(const char *plan, uint64_t seed, int trace)
{

	lfault_plan = plan;
	lfault_seed = seed;
	lfault_trace = trace;
}

/* Collect the return addresses of st's frames inside this executable. */
static void
lfault_walk(struct lfault_stack *st)
{

	st->st_walked = 1;
	st->st_n = lsym_walk(st->st_fp, st->st_pc, LFAULT_STACK);
}

/* The ranges of glob g, resolved already (lfault_resolve), or NULL. */
static struct lfault_glob *
lfault_glob(const char *g)
{
	size_t i;

	for (i = 0; i < lfault_nglobs; i++)
		if (strcmp(lfault_globs[i].g_glob, g) == 0)
			return &lfault_globs[i];
	return NULL;
}

/*
 * Resolve every @site glob of plan to the address ranges of the kernel
 * functions it names (from .symtab), once, before the plan is armed, so
 * that a match under the engine's lock only compares addresses.  0, or
 * -1 with msg saying why.
 */
static int
lfault_resolve(const struct fe_plan *plan, char *msg, size_t len)
{
	struct lfault_glob *lg;
	uintptr_t start, end;
	const char *g, *name;
	size_t r, i, cap;
	void *nr;

	for (r = 0; r < fe_plan_nrules(plan); r++) {
		if ((g = fe_plan_rule_site(plan, r)) == NULL ||
		    lfault_glob(g) != NULL)
			continue;
		if (lfault_nglobs == LFAULT_GLOBS) {
			snprintf(msg, len, "more than %d distinct @site "
			    "patterns in one instance", LFAULT_GLOBS);
			return -1;
		}
		lg = &lfault_globs[lfault_nglobs];
		memset(lg, 0, sizeof(*lg));
		if ((lg->g_glob = strdup(g)) == NULL)
			goto nomem;
		for (cap = 0, i = 0; (name = lsym_entry(i, &start, &end)) !=
		    NULL; i++) {
			if (!fe_site_match(g, &name, 1))
				continue;
			if (lg->g_n == cap) {
				cap = cap ? 2 * cap : 16;
				if ((nr = realloc(lg->g_range, cap *
				    sizeof(*lg->g_range))) == NULL)
					goto nomem;
				lg->g_range = nr;
			}
			lg->g_range[lg->g_n][0] = start;
			lg->g_range[lg->g_n][1] = end;
			lg->g_n++;
		}
		lfault_nglobs++;
	}
	return 0;

nomem:
	free(lfault_globs[lfault_nglobs].g_range);
	free(lfault_globs[lfault_nglobs].g_glob);
	snprintf(msg, len, "%s", strerror(ENOMEM));
	return -1;
}

/*
 * Parse spec against the kernel's points and resolve its @site globs:
 * the plan into *planp, or -1 with msg (the position and what is wrong).
 */
static int
lfault_parse(const char *spec, struct fe_plan **planp, char *msg, size_t len)
{
	struct fe_error fe;

	if (fe_plan_parse(spec, lfault_registry(), planp, &fe) != 0) {
		fe_error_format(&fe, spec, msg, len);
		return -1;
	}
	if (lfault_resolve(*planp, msg, len) != 0) {
		fe_plan_free(*planp);
		return -1;
	}
	return 0;
}

/* fc_match: does any frame of the stack lie in a function glob names? */
static int
lfault_match(void *arg, const char *g)
{
	struct lfault_stack *st = arg;
	struct lfault_glob *lg;
	size_t i, j;

	if ((lg = lfault_glob(g)) == NULL)
		return 0;
	if (!st->st_walked)
		lfault_walk(st);
	for (i = 0; i < st->st_n; i++)
		for (j = 0; j < lg->g_n; j++)
			if (st->st_pc[i] >= lg->g_range[j][0] &&
			    st->st_pc[i] < lg->g_range[j][1])
				return 1;
	return 0;
}

/*
 * The first fault of the instance: write where into the verdict, with
 * the stack's function names (innermost first).
 */
static void
lfault_note(struct lfault_stack *st, int error, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));
static void
lfault_note(struct lfault_stack *st, int error, const char *fmt, ...)
{
	struct rumpus_result *res = lfault_res;
	const char *name;
	uintptr_t off;
	size_t i, n = 0;
	va_list ap;

	if (res == NULL || res->rr_site[0] != '\0')
		return;
	if (!st->st_walked)
		lfault_walk(st);
	for (i = 0; i < st->st_n && n < sizeof(res->rr_stack); i++) {
		if ((name = lsym_lookup(st->st_pc[i], &off)) == NULL)
			continue;
		n += snprintf(res->rr_stack + n, sizeof(res->rr_stack) - n,
		    "%s%s", n ? " " : "", name);
	}
	va_start(ap, fmt);
	vsnprintf(res->rr_site, sizeof(res->rr_site), fmt, ap);
	va_end(ap);
	res->rr_injected = error;
}

/* A kernel call returned e to the scenario: the injected errno? */
void
lfault_errno(int e)
{

	if (lfault_res != NULL && lfault_res->rr_injected != 0 &&
	    e == lfault_res->rr_injected)
		lfault_res->rr_surfaced++;
}

/*
 * The kernel's named-point hook (rumpus_fault_set_hook): find the point's
 * index in the registry and ask the engine.  Called with a vCPU held.
 */
static int
lfault_named(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	struct lfault_stack st;
	struct fe_call c;
	int i, error;

	if ((i = fe_kernel_call(fp, fs, &c)) < 0)
		return 0;
	memset(&st, 0, sizeof(st));
	st.st_fp = __builtin_frame_address(0);
	c.fc_match = lfault_match;
	c.fc_matcharg = &st;
	if ((error = rumpus_faults_named((unsigned)i, &c)) != 0)
		lfault_note(&st, error, "%s in %s at %s:%d", fp->fp_name,
		    fs->fs_tag ? fs->fs_tag : "?",
		    fs->fs_file ? fs->fs_file : "?", fs->fs_line);
	return error;
}

/*
 * librumpuser's hook (called only at a point whose gate is open): the
 * engine decides (fe_rumpuser_decide) with the calling lwp and process
 * and, for @site rules, a matcher over the kernel frames above the
 * hypercall; a fault other than a pause is noted with its caller and
 * stack.
 */
static void
lfault_hyper(const struct rumpuser_fault_call *rc,
    struct rumpuser_fault_decision *rd, void *arg)
{
	struct lfault_stack st;
	struct fe_call c;
	const char *name;
	uintptr_t off = 0;

	memset(&st, 0, sizeof(st));
	st.st_fp = __builtin_frame_address(0);
	memset(&c, 0, sizeof(c));
	c.fc_match = lfault_match;
	c.fc_matcharg = &st;
	fe_kernel_ident(&c);
	fe_rumpuser_decide(arg, rc, &c, rd);
	if (rd->fd_action == RUMPUSER_FA_PASS ||
	    rd->fd_action == RUMPUSER_FA_DELAY ||
	    rd->fd_action == RUMPUSER_FA_YIELD)
		return;
	name = lsym_lookup((uintptr_t)rc->fc_caller, &off);
	lfault_note(&st, rd->fd_action == RUMPUSER_FA_ERROR ? rd->fd_error :
	    0, "%s in %s+0x%lx", fe_point_name(
	    (unsigned)rc->fc_point, NULL), name ? name : "?",
	    (unsigned long)off);
}

/*
 * Count and trace every call at every point from now on (a rule is
 * armed, or a trace was asked for), the counts, hits and digest kept
 * current in the verdict, which the runner reads however the instance
 * ends (a crash, a panic, a kill at the timeout).  0 or an errno.
 */
static int
lfault_count(struct fe_engine *e)
{
	struct rumpus_result *res = lfault_res;
	int error;

	if (lfault_tracing)
		return 0;
	if ((error = fe_engine_set(e, FE_COUNT | FE_TRACE, LFAULT_RING)) != 0)
		return error;
	lfault_tracing = 1;
	fe_engine_mirror(e, res->rr_calls, RUMPUS_FAULT_MAXPOINTS,
	    &res->rr_hits, &res->rr_digest);
	res->rr_counted = 1;
	return 0;
}

/*
 * Make the kernel's named points ask the engine while its gate has one
 * open (a rule at a named point, or tracing), and only then.
 */
static void
lfault_sync(struct fe_engine *e)
{

	rumpus_fault_set_hook(fe_engine_gate(e)->fg_mask >> FE_PT_NHYPER ?
	    lfault_named : NULL, NULL);
}

/*
 * In the child, before rump_init: install the engine with the plan of
 * rumpus_case_faults() (@site globs resolved first) and, when a rule is
 * armed or a trace was asked for, count and trace every call, with the
 * hypercall points and the kernel's named points hooked to it.  With no
 * rule and no trace nothing is hooked: every point costs its one branch.
 * 0, or -1 with the verdict filled ("error").
 */
int
lfault_boot(struct rumpus_result *res)
{
	struct fe_plan *plan = NULL;
	struct fe_engine *e;
	struct fe_error fe;
	char msg[512];
	int error = 0;

	lfault_res = res;
	lfault_tracing = 0;
	if (lfault_plan != NULL && lfault_parse(lfault_plan, &plan, msg,
	    sizeof(msg)) != 0)
		goto bad;
	if ((error = rumpus_faults_configure(NULL, lfault_seed,
	    lfault_registry(), NULL, &fe)) == 0 &&
	    (e = rumpus_faults_engine()) != NULL) {
		if (lfault_trace || (plan != NULL && fe_plan_nrules(plan) != 0))
			error = lfault_count(e);
		if (error == 0 && plan != NULL)
			error = fe_engine_arm(e, plan);	/* takes plan */
		plan = NULL;
	}
	fe_plan_free(plan);
	if (error != 0) {
		snprintf(msg, sizeof(msg), "%s", strerror(error));
		goto bad;
	}
	rumpuser_fault_sethook(lfault_hyper, e);
	rumpuser_fault_setgate(fe_engine_gate(e)->fg_mask);
	lfault_sync(e);
	return 0;

bad:
	lscen_setstr(res->rr_reason, sizeof(res->rr_reason), "fault plan: %s",
	    msg);
	res->rr_outcome = RUMPUS_ERROR;
	return -1;
}

/* A file k.image_copy() made, for the runner to remove at the end. */
void
lfault_snapshot(const char *path)
{

	if (lfault_res != NULL)
		lscen_setstr(lfault_res->rr_snapshot,
		    sizeof(lfault_res->rr_snapshot), "%s", path);
}

/* lsym_lookup as the engine's symbolizer. */
static const char *
lfault_symbol(uintptr_t pc, uintptr_t *offp)
{

	return lsym_lookup(pc, offp);
}

/*
 * After teardown (no kernel call in flight): unhook, stop copying the
 * counts into the verdict and, when the instance counted and its verdict
 * is other than pass, write the trace, summarized per point and call site, on the
 * console (kept with the case's artifacts).
 */
void
lfault_finish(struct rumpus_result *res)
{
	struct fe_engine *e = rumpus_faults_engine();

	rumpus_fault_set_hook(NULL, NULL);
	if (e == NULL || !lfault_tracing)
		return;
	fe_engine_mirror(e, NULL, 0, NULL, NULL);
	if (res->rr_outcome != RUMPUS_NONE) {
		fflush(stdout);
		(void)fe_host_report(e, lfault_plan, rumpus_outcome_name(
		    res->rr_outcome), lfault_symbol, stdout);
		fflush(stdout);
	}
}

/* The point named by argument 1, or a Lua error. */
static unsigned
lfault_checkpoint(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1), *n;
	size_t i;

	for (i = 0; (n = rumpus_fault_point_name(i)) != NULL; i++)
		if (strcmp(n, name) == 0)
			return (unsigned)i;
	return (unsigned)luaL_argerror(L, 1, lua_pushfstring(L,
	    "no fault point \"%s\"", name));
}

/* The engine, or a Lua error (outside a body). */
static struct fe_engine *
lfault_engine(lua_State *L)
{
	struct fe_engine *e = rumpus_faults_engine();

	if (e == NULL || lfault_res == NULL)
		luaL_error(L, "fault: no kernel instance here (only in a "
		    "scenario body)");
	return e;
}

/*
 * One table field of fault.inject{} as spec text: "key=value" after ':',
 * when the field is set.
 */
static void
lfault_field(lua_State *L, luaL_Buffer *b, const char *key)
{

	if (lua_getfield(L, 1, key) != LUA_TNIL) {
		luaL_addchar(b, ':');
		luaL_addstring(b, key);
		luaL_addchar(b, '=');
		luaL_addstring(b, luaL_tolstring(L, -1, NULL));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/*
 * fault.inject(spec) or fault.inject{point=, site=, nth=, every=, after=,
 * max=, p=, lwp=, pid=, block=, bytes=, action=}: arm the rules beside
 * those armed.  A bad spec is an error naming the position.  Returns
 * the spec text armed.
 */
static int
lfault_inject(lua_State *L)
{
	static const char *const trig[] = { "nth", "every", "after", "max",
	    "p", "lwp", "pid", "block", "bytes", NULL };
	struct fe_engine *e = lfault_engine(L);
	struct fe_plan *p;
	luaL_Buffer b;
	const char *spec;
	char msg[512];
	int i, error;

	if (lua_istable(L, 1)) {
		luaL_buffinit(L, &b);
		if (lua_getfield(L, 1, "point") != LUA_TSTRING)
			return luaL_argerror(L, 1, "point: a string wanted");
		luaL_addvalue(&b);
		if (lua_getfield(L, 1, "site") == LUA_TSTRING) {
			luaL_addchar(&b, '@');
			luaL_addvalue(&b);
		} else
			lua_pop(L, 1);
		for (i = 0; trig[i] != NULL; i++)
			lfault_field(L, &b, trig[i]);
		if (lua_getfield(L, 1, "action") != LUA_TSTRING)
			return luaL_argerror(L, 1, "action: a string wanted "
			    "(\"ENOMEM\", \"EIO\", \"delay=10us\", ...)");
		luaL_addchar(&b, ':');
		luaL_addvalue(&b);
		luaL_pushresult(&b);
		lua_replace(L, 1);
	}
	spec = luaL_checkstring(L, 1);
	if (lfault_parse(spec, &p, msg, sizeof(msg)) != 0)
		return luaL_error(L, "fault.inject: %s", msg);
	if ((error = lfault_count(e)) != 0)
		fe_plan_free(p);
	else
		error = fe_engine_arm(e, p);	/* takes p */
	if (error != 0)
		return luaL_error(L, "fault.inject: %s", strerror(error));
	lfault_sync(e);
	lua_settop(L, 1);
	return 1;
}

/* fault.clear(): disarm every rule (the plan's too). */
static int
lfault_clear(lua_State *L)
{
	struct fe_engine *e = lfault_engine(L);

	fe_engine_clear(e);
	lfault_sync(e);
	return 0;
}

/*
 * fault.count(point): calls at the point since counting began (the first
 * armed rule, or the start of a traced instance).
 */
static int
lfault_calls(lua_State *L)
{
	struct fe_engine *e = lfault_engine(L);

	lua_pushinteger(L, (lua_Integer)fe_engine_calls(e,
	    lfault_checkpoint(L)));
	return 1;
}

/* fault.hits([point]): calls faulted, at the point or in all. */
static int
lfault_hits(lua_State *L)
{
	struct fe_engine *e = lfault_engine(L);

	if (lua_isnoneornil(L, 1))
		lua_pushinteger(L, (lua_Integer)fe_engine_hits(e));
	else
		lua_pushinteger(L, (lua_Integer)fe_engine_point_hits(e,
		    lfault_checkpoint(L)));
	return 1;
}

/* Push the table fault. */
void
lfault_openlib(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "inject",	lfault_inject },
		{ "clear",	lfault_clear },
		{ "count",	lfault_calls },
		{ "hits",	lfault_hits },
		{ NULL,		NULL }
	};

	luaL_newlib(L, funcs);
}
