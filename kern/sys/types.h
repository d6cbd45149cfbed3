/*
 * Basic kernel types with NetBSD's widths.  Only the compiler's own
 * stddef.h, stdint.h and stdbool.h are used: no host header.
 */
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#include <sys/cdefs.h>

typedef unsigned char	u_char;
typedef unsigned short	u_short;
typedef unsigned int	u_int;
typedef unsigned long	u_long;
typedef unsigned int	uint;
typedef uint8_t		u_int8_t;
typedef uint16_t	u_int16_t;
typedef uint32_t	u_int32_t;
typedef uint64_t	u_int64_t;

typedef long		ssize_t;
typedef long		register_t;
typedef char		*caddr_t;
typedef int64_t		off_t;
typedef int32_t		pid_t;
typedef int32_t		lwpid_t;
typedef uint32_t	uid_t;
typedef uint32_t	gid_t;
typedef uint32_t	id_t;
typedef uint32_t	mode_t;
typedef uint64_t	dev_t;
typedef uint64_t	ino_t;
typedef uint32_t	nlink_t;
typedef int64_t		time_t;
typedef int		suseconds_t;
typedef int64_t		blkcnt_t;
typedef int32_t		blksize_t;
typedef int64_t		daddr_t;
typedef uint64_t	fsblkcnt_t;
typedef uint64_t	fsfilcnt_t;
typedef uint32_t	fixpt_t;
typedef int		pri_t;
typedef uintptr_t	vaddr_t;
typedef uintptr_t	paddr_t;
typedef size_t		vsize_t;

#define NODEV		((dev_t)-1)

/* Opaque kernel objects many headers mention. */
struct lwp;
struct proc;
struct cpu_info;
typedef struct lwp	lwp_t;
typedef struct proc	proc_t;

#endif /* _SYS_TYPES_H_ */
