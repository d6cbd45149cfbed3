/*
 * condvar(9) over the rumpuser condition variable hypercalls.  A waiter's
 * lwp records the condvar and its wait message (the books' "where it
 * waits").  Timeouts are in ticks and end with EWOULDBLOCK.
 */
#ifndef _SYS_CONDVAR_H_
#define _SYS_CONDVAR_H_

#include <sys/types.h>

struct rumpuser_cv;
struct kmutex;

struct kcondvar {
	struct rumpuser_cv	*cv_hyp;
	const char		*cv_wmesg;
};
typedef struct kcondvar kcondvar_t;

void	cv_init(kcondvar_t *, const char *);
void	cv_destroy(kcondvar_t *);
void	cv_wait(kcondvar_t *, struct kmutex *);
int	cv_wait_sig(kcondvar_t *, struct kmutex *);
int	cv_timedwait(kcondvar_t *, struct kmutex *, int);
int	cv_timedwait_sig(kcondvar_t *, struct kmutex *, int);
void	cv_signal(kcondvar_t *);
void	cv_broadcast(kcondvar_t *);
bool	cv_has_waiters(kcondvar_t *);

#endif /* _SYS_CONDVAR_H_ */
