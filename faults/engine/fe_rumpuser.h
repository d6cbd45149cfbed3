/*
 * The fault engine as librumpuser's hook (faults/fault_hook.h):
 *
 *	rumpuser_fault_sethook(fe_rumpuser_hook, engine);
 *	fe_engine_watch_gate(engine, gate word mirror, ...);
 *
 * Host code only; the caller links rumpuser_exit() (librumpuser, or the
 * interposer's wrapper).
 */
#ifndef _FAULTS_ENGINE_FE_RUMPUSER_H_
#define _FAULTS_ENGINE_FE_RUMPUSER_H_

#include <stddef.h>
#include <stdint.h>

#include <rump/rumpuser.h>
#include <rump/rumpus_ext.h>

#include "fault_engine.h"
#include "fault_hook.h"

void	fe_rumpuser_hook(const struct rumpuser_fault_call *,
	    struct rumpuser_fault_decision *, void *);
/*
 * The same with engine e and the call c as the hook's caller has begun
 * it (lwp, pid, a frame matcher; the rest is filled here).
 */
void	fe_rumpuser_decide(struct fe_engine *,
	    const struct rumpuser_fault_call *, struct fe_call *,
	    struct rumpuser_fault_decision *);

/* Ask a hook; then serve a delay or a yield (see fe_rumpuser.c). */
int	fe_rumpuser_ask(rumpuser_fault_hook_fn, void *,
	    const struct rumpuser_fault_call *,
	    struct rumpuser_fault_decision *);
int	fe_rumpuser_serve(const struct rumpuser_fault_decision *);

/* Serving a delay or yield; a panic. */
void	fe_rumpuser_pause(int, uint64_t);
void	fe_rumpuser_panic(struct fe_engine *, unsigned, int) __dead;

/* Applying decisions to vectors: BITFLIP, and SHORT or TORN. */
void	fe_rumpuser_flip(const struct rumpuser_iovec *, size_t, size_t,
	    uint64_t);
size_t	fe_rumpuser_clip(const struct rumpuser_iovec *, size_t,
	    struct rumpuser_iovec *, size_t);

/*
 * The kernel's rumpus_ext entry points (fe_kernel.c), each NULL when the
 * kernel lacks it.
 */
struct fe_kernel {
	size_t	(*fk_points)(const struct rumpus_fault_point **, size_t);
	void	(*fk_sethook)(rumpus_fault_hook_t, void *);
	int	(*fk_ident)(int *, int *);
};

const struct fe_registry *fe_kernel_attach(const struct fe_kernel *);
void	fe_kernel_ident(struct fe_call *);
int	fe_kernel_call(const struct rumpus_fault_point *,
	    const struct rumpus_fault_site *, struct fe_call *);
void	fe_kernel_hook(int);

#endif /* _FAULTS_ENGINE_FE_RUMPUSER_H_ */
