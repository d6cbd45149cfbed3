/*
 * mutex(9): adaptive and spin mutexes over the rumpuser mutex hypercalls.
 * The owner and the site that took the lock are recorded for the books.
 * A spin mutex never gives up the virtual CPU while waiting (enter_nowrap).
 */
#ifndef _SYS_MUTEX_H_
#define _SYS_MUTEX_H_

#include <sys/types.h>

struct rumpuser_mtx;

typedef enum kmutex_type_t {
	MUTEX_SPIN = 0,
	MUTEX_ADAPTIVE = 1,
	MUTEX_DEFAULT = 2,
	MUTEX_DRIVER = 3,
	MUTEX_NODEBUG = 4
} kmutex_type_t;

/* Interrupt priority levels: only "none" versus "spin" matters here. */
#define IPL_NONE	0
#define IPL_SOFTCLOCK	1
#define IPL_SOFTBIO	2
#define IPL_SOFTNET	3
#define IPL_SOFTSERIAL	4
#define IPL_VM		5
#define IPL_SCHED	6
#define IPL_HIGH	7
typedef int ipl_t;

struct kmutex {
	struct rumpuser_mtx	*mtx_hyp;	/* the host's lock */
	struct lwp		*mtx_owner;	/* holder, or NULL */
	const void		*mtx_site;	/* where the holder took it */
	const void		*mtx_initsite;	/* where it was initialised */
	bool			 mtx_spin;
};
typedef struct kmutex kmutex_t;

void	mutex_init(kmutex_t *, kmutex_type_t, int);
void	mutex_destroy(kmutex_t *);
void	mutex_enter(kmutex_t *);
void	mutex_exit(kmutex_t *);
int	mutex_tryenter(kmutex_t *);
int	mutex_owned(const kmutex_t *);
struct lwp *mutex_owner(const kmutex_t *);
void	mutex_spin_enter(kmutex_t *);
void	mutex_spin_exit(kmutex_t *);

kmutex_t *mutex_obj_alloc(kmutex_type_t, int);
void	 mutex_obj_free(kmutex_t *);

#endif /* _SYS_MUTEX_H_ */
