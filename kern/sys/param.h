/*
 * Kernel-wide constants with NetBSD's values.
 */
#ifndef _SYS_PARAM_H_
#define _SYS_PARAM_H_

#include <sys/types.h>

#define MAXPATHLEN	1024		/* PATH_MAX */
#define MAXNAMLEN	511		/* NAME_MAX */
#define MAXCOMLEN	16		/* command name */
#define MAXHOSTNAMELEN	256
#define NGROUPS		16		/* groups in a credential */
#define MAXSYMLINKS	32

#define NBBY		8
#define DEV_BSHIFT	9
#define DEV_BSIZE	(1 << DEV_BSHIFT)
#define PAGE_SHIFT	12
#define PAGE_SIZE	(1 << PAGE_SHIFT)
#define PAGE_MASK	(PAGE_SIZE - 1)
#define ALIGNBYTES	(sizeof(long) - 1)
#define ALIGN(p)	(((uintptr_t)(p) + ALIGNBYTES) & ~ALIGNBYTES)

#define HZ		100		/* clock ticks per second */
extern int hz;

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define howmany(x, y)	(((x) + ((y) - 1)) / (y))
#define roundup(x, y)	((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)	(((x) / (y)) * (y))
#define roundup2(x, m)	(((x) + ((m) - 1)) & ~((m) - 1))
#define powerof2(x)	((((x) - 1) & (x)) == 0)

#endif /* _SYS_PARAM_H_ */
