/*
 * Virtual CPUs.  A host thread runs kernel code only while its lwp holds
 * one (rump_schedule); their number comes from the host (_RUMPUSER_NCPU,
 * which follows RUMP_NCPU).
 */
#ifndef _SYS_CPU_H_
#define _SYS_CPU_H_

#include <sys/types.h>

#define MAXCPUS		32

struct cpu_info {
	u_int		 ci_index;
	u_int		 ci_busy;	/* held by an lwp (atomic) */
	struct lwp	*ci_curlwp;	/* the lwp holding it */
	u_long		 ci_nschedule;	/* times taken */
};

extern u_int ncpu;
#define cpu_index(ci)	((ci)->ci_index)
#define curcpu()	(curlwp->l_cpu)

#endif /* _SYS_CPU_H_ */
