/*
 * Named fault points inside the kernel (fail(9)-like).  A point is defined
 * once with FAULT_POINT_DEFINE and consulted with FAULT_POINT_CHECK (on
 * behalf of the calling routine) or FAULT_POINT_CHECK_SITE (the site the
 * caller describes: a struct rumpus_fault_site pointer, which is only
 * evaluated when a hook is installed), which give 0 (go on) or a NetBSD errno to fail with.
 * The decision belongs to the hook the layer above the kernel installs
 * (rumpus_fault_set_hook in rump/rumpus_ext.h); with no hook a check is
 * one predictable branch.  Every defined point appears in the registry
 * (rumpus_fault_points).
 *
 * Built without fault points (RUMPUS_NOFAULTS, make nofaults) a check is
 * the constant 0 whose arguments are not evaluated, a definition defines
 * nothing, and kern_fault.c (the hook and the registry) is not compiled.
 */
#ifndef _SYS_FAULT_H_
#define _SYS_FAULT_H_

#include <sys/types.h>
#include <rump/rumpus_ext.h>

#ifdef RUMPUS_NOFAULTS
#define FAULT_POINT_DEFINE(var, name, descr)				\
	extern const struct rumpus_fault_point var
#define FAULT_POINT_CHECK_SITE(point, ...)	((void)sizeof(__VA_ARGS__), 0)
#else
extern volatile rumpus_fault_hook_t fault_hook;
int	fault_check(const struct rumpus_fault_point *,
	    const struct rumpus_fault_site *);

#define FAULT_POINT_DEFINE(var, name, descr)				\
	const struct rumpus_fault_point var = { (name), (descr) };	\
	static const struct rumpus_fault_point *const			\
	    __fault_set_##var __used __section("rumpus_fault_set") = &var

#define FAULT_POINT_CHECK_SITE(point, ...)				\
	(__predict_false(fault_hook != NULL) ?				\
	    fault_check(&(point), (__VA_ARGS__)) : 0)
#endif

#define FAULT_POINT_CHECK(point, size, flags)				\
	FAULT_POINT_CHECK_SITE(point, &(const struct rumpus_fault_site){ \
		.fs_tag = __func__, .fs_file = __FILE__,		\
		.fs_line = __LINE__,					\
		.fs_caller = (uintptr_t)__builtin_return_address(0),	\
		.fs_size = (size), .fs_flags = (flags) })

#endif /* _SYS_FAULT_H_ */
