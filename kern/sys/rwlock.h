/*
 * rwlock(9): reader/writer locks over the rumpuser rwlock hypercalls.
 * The writer and the count of readers are kept for assertions and books.
 */
#ifndef _SYS_RWLOCK_H_
#define _SYS_RWLOCK_H_

#include <sys/types.h>

struct rumpuser_rw;

typedef enum krw_t {
	RW_WRITER = 0,
	RW_READER = 1
} krw_t;

struct krwlock {
	struct rumpuser_rw	*rw_hyp;	/* the host's lock */
	struct lwp		*rw_owner;	/* the writer, or NULL */
	u_int			 rw_readers;	/* readers inside (atomic) */
	const void		*rw_site;	/* where the writer took it */
	const void		*rw_initsite;
};
typedef struct krwlock krwlock_t;

void	rw_init(krwlock_t *);
void	rw_destroy(krwlock_t *);
void	rw_enter(krwlock_t *, const krw_t);
int	rw_tryenter(krwlock_t *, const krw_t);
void	rw_exit(krwlock_t *);
void	rw_downgrade(krwlock_t *);
int	rw_tryupgrade(krwlock_t *);
int	rw_read_held(krwlock_t *);	/* held by someone as reader */
int	rw_write_held(krwlock_t *);	/* held by curlwp as writer */
int	rw_lock_held(krwlock_t *);	/* either of the above */
krw_t	rw_lock_op(krwlock_t *);	/* how curlwp holds it */

krwlock_t *rw_obj_alloc(void);
void	 rw_obj_free(krwlock_t *);

#endif /* _SYS_RWLOCK_H_ */
