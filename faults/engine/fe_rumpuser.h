/*
 * The fault engine as librumpuser's hook (faults/fault_hook.h):
 *
 *	rumpuser_fault_sethook(fe_rumpuser_hook, engine);
 *
 * Host code only; links libfaultengine.a and librumpuser.
 */
#ifndef _FAULTS_ENGINE_FE_RUMPUSER_H_
#define _FAULTS_ENGINE_FE_RUMPUSER_H_

#include "fault_engine.h"
#include "fault_hook.h"

void	fe_rumpuser_hook(const struct rumpuser_fault_call *,
	    struct rumpuser_fault_decision *, void *);
uint64_t fe_rumpuser_unsupported(void);

#endif /* _FAULTS_ENGINE_FE_RUMPUSER_H_ */
