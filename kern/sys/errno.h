/*
 * NetBSD's errno values for kernel code, generated from the one list in
 * rump/rumperrno.h (as enum constants: E* cannot be tested with #ifdef),
 * plus the kernel-internal pseudo errors.
 */
#ifndef _SYS_ERRNO_H_
#define _SYS_ERRNO_H_

#include <rump/rumperrno.h>

enum {
#define _SYS_ERRNO_ENUM(name, num, msg)	name = num,
	RUMP_ERRNO_LIST(_SYS_ERRNO_ENUM)
#undef _SYS_ERRNO_ENUM
	ELAST = RUMP_ELAST
};
#define EWOULDBLOCK	EAGAIN

/* Never returned to a caller outside the kernel. */
#define ERESTART	(-3)		/* restart the system call */
#define EJUSTRETURN	(-2)		/* do not touch the return value */
#define EPASSTHROUGH	(-4)		/* ioctl not handled here */

#endif /* _SYS_ERRNO_H_ */
