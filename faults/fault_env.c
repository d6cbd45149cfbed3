/*
 * librumpuser's fault engine: the engine of faults/engine installed as
 * the wrapper points' hook, with librumpuser's gate word kept equal to
 * the engine's gate.  Configured by the harness (rumpus_faults_configure,
 * fault_engine.h) or, at rumpuser_init, from the environment.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>

#include <rump/rumperrno.h>

#include "fe_rumpuser.h"
#include "rumpuser_int.h"

/*
 * A rumpus kernel's extension entry points, when the program has that
 * kernel (statically, or a shared object that exports them): weak, so
 * that librumpuser still links under any other kernel or none.
 */
extern size_t rumpus_fault_points(const struct rumpus_fault_point **,
    size_t) __attribute__((__weak__));
extern void rumpus_fault_set_hook(rumpus_fault_hook_t, void *)
    __attribute__((__weak__));
extern int rumpus_curlwp_ident(int *, int *) __attribute__((__weak__));

/* rumpus_faults_configure was called: the environment is not read. */
static int faults_configured;

/* The engine's gate mirrored into the wrapper points' gate word. */
static void
faults_gate(void *arg, uint64_t mask)
{

	rumpuser_fault_setgate(mask);
}

/* Make the wrapper points consult engine e (NULL: none). */
static void
faults_install(struct fe_engine *e)
{

	if (e == NULL) {
		rumpuser_fault_sethook(NULL, NULL);
		return;
	}
	rumpuser_fault_sethook(fe_rumpuser_hook, e);
	fe_engine_watch_gate(e, faults_gate, NULL);
}

/* fault_engine.h: replace the engine (set-up only). */
int
rumpus_faults_configure(const char *spec, uint64_t seed,
    const struct fe_registry *reg, const char *trace, struct fe_error *err)
{

	faults_configured = 1;
	return fe_host_configure(spec, seed, reg, trace, faults_install, err);
}

/* fault_engine.h: the installed engine, or NULL. */
struct fe_engine *
rumpus_faults_engine(void)
{

	return fe_host_engine();
}

/* fault_engine.h: write the trace file now. */
int
rumpus_faults_dump(const char *why)
{

	return fe_host_dump(why);
}

/* fault_engine.h: uninstall and free the engine. */
void
rumpus_faults_unconfigure(void)
{

	fe_host_unconfigure(faults_install);
}

/* fault_engine.h: decide call c at the kernel's named point idx. */
int
rumpus_faults_named(unsigned idx, const struct fe_call *c)
{

	return fe_host_named(idx, c);
}

/*
 * rumpuser_init's part, with the seed it read: configure from
 * RUMPUS_FAULTS and RUMPUS_TRACE, with the named points of the kernel
 * that called (rumpus_fault_points, when it has them), once per process, unless the harness
 * configured the engine itself or the LD_PRELOAD interposer (which
 * defines rumpus_faults_interposer) owns those variables.  Returns 0, or
 * EINVAL (NetBSD's) after a message naming the position in the spec.
 */
int
rumpuser__faults_init(uint64_t seed)
{
	struct fe_kernel kern;
	int error;

	if (faults_configured || dlsym(RTLD_DEFAULT,
	    "rumpus_faults_interposer") != NULL)
		return 0;
	kern.fk_points = rumpus_fault_points;
	kern.fk_sethook = rumpus_fault_set_hook;
	kern.fk_ident = rumpus_curlwp_ident;
	error = fe_host_configure_env("librumpuser", seed,
	    fe_kernel_attach(&kern), faults_install);
	if (error != 0)
		return error == EINVAL ? RUMP_EINVAL : RUMP_ENOMEM;
	faults_configured = 1;
	return 0;
}

/* The process ends by a power cut or a panic: write the trace file. */
void
rumpuser__faults_stop(const char *why)
{

	(void)fe_host_dump(why);
}
