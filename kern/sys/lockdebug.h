/*
 * What the lock debugger keeps per lwp: the locks it holds, each with the
 * address it was taken from.  The books and the lwp dump read these.
 */
#ifndef _SYS_LOCKDEBUG_H_
#define _SYS_LOCKDEBUG_H_

#include <sys/types.h>

#define LOCKDEBUG_MAXHELD	16	/* per lwp; more are counted only */

enum lockdebug_kind {
	LOCKDEBUG_MUTEX_ADAPTIVE = 1,
	LOCKDEBUG_MUTEX_SPIN,
	LOCKDEBUG_RW_READER,
	LOCKDEBUG_RW_WRITER
};

struct lockdebug_rec {
	const void	*lr_lock;	/* the kmutex or krwlock */
	const void	*lr_site;	/* return address of the enter call */
	int		 lr_kind;	/* enum lockdebug_kind */
};

#endif /* _SYS_LOCKDEBUG_H_ */
