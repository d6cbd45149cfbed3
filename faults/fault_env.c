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

/*
 * fault_engine.h: decide call c at the kernel's named point idx (its
 * index in the registry given to rumpus_faults_configure).  Serves a
 * delay or a yield here (the caller's vCPU held), ends the process for a
 * panic; returns a NetBSD errno to fail the operation with, or 0.  With
 * no engine, or no rule at the point, only the gate is tested.
 */
int
rumpus_faults_named(unsigned idx, const struct fe_call *c)
{
	struct fe_engine *e = fe_host_engine();
	struct fe_decision d;
	unsigned pt = FE_PT_NHYPER + idx;

	if (e == NULL || !fe_gate_open(fe_engine_gate(e), pt))
		return 0;
	fe_decide(e, pt, c, &d);
	switch (d.fd_action) {
	case FE_ERRNO:
		return d.fd_errno;
	case FE_DELAY:
	case FE_YIELD:
		fe_rumpuser_pause(d.fd_action == FE_YIELD, d.fd_arg);
		return 0;
	case FE_PANIC:
		fe_rumpuser_panic(e, pt, d.fd_rule);
	default:
		return 0;
	}
}

/*
 * rumpuser_init's part, with the seed it read: configure from
 * RUMPUS_FAULTS and RUMPUS_TRACE, once per process, unless the harness
 * configured the engine itself or the LD_PRELOAD interposer (which
 * defines rumpus_faults_interposer) owns those variables.  Returns 0, or
 * EINVAL (NetBSD's) after a message naming the position in the spec.
 */
int
rumpuser__faults_init(uint64_t seed)
{
	int error;

	if (faults_configured || dlsym(RTLD_DEFAULT,
	    "rumpus_faults_interposer") != NULL)
		return 0;
	error = fe_host_configure_env("librumpuser", seed, faults_install);
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
