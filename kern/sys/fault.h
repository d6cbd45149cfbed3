/*
 * Named fault points inside the kernel (fail(9)-like).  A point is defined
 * once with FAULT_POINT_DEFINE and consulted with FAULT_POINT_CHECK, which
 * gives 0 (go on) or a NetBSD errno to fail with.  The decision belongs to
 * the hook the layer above the kernel installs (rumpus_fault_set_hook in
 * rump/rumpus_ext.h); with no hook a check is one predictable branch.
 * Every defined point appears in the registry (rumpus_fault_points).
 */
#ifndef _SYS_FAULT_H_
#define _SYS_FAULT_H_

#include <sys/types.h>
#include <rump/rumpus_ext.h>

extern volatile rumpus_fault_hook_t fault_hook;
int	fault_check(const struct rumpus_fault_point *,
	    const struct rumpus_fault_site *);

#define FAULT_POINT_DEFINE(var, name, descr)				\
	const struct rumpus_fault_point var = { (name), (descr) };	\
	static const struct rumpus_fault_point *const			\
	    __fault_set_##var __used __section("rumpus_fault_set") = &var

/* Check point for an operation on behalf of the calling routine. */
#define FAULT_POINT_CHECK(point, size, flags)				\
	(__predict_false(fault_hook != NULL) ?				\
	    fault_check(&(point), &(const struct rumpus_fault_site){	\
		.fs_tag = __func__, .fs_file = __FILE__,		\
		.fs_line = __LINE__,					\
		.fs_caller = (uintptr_t)__builtin_return_address(0),	\
		.fs_size = (size), .fs_flags = (flags) }) : 0)

#endif /* _SYS_FAULT_H_ */
