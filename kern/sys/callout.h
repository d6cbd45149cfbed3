/*
 * callout(9).  Pending callouts wait on one sorted queue; a clock kernel
 * thread that exists only while a callout is pending runs them, in deadline
 * order (equal deadlines in the order they were scheduled), one at a time.
 * Deadlines fall on tick boundaries (hz = 100).  callout_schedule may
 * start that thread, so it may block: never call it holding a spin mutex.
 */
#ifndef _SYS_CALLOUT_H_
#define _SYS_CALLOUT_H_

#include <sys/types.h>
#include <sys/queue.h>

struct callout {
	TAILQ_ENTRY(callout) c_link;	/* on the pending queue */
	void		(*c_func)(void *);
	void		*c_arg;
	int64_t		 c_when;	/* deadline, ns of uptime */
	uint64_t	 c_seq;		/* scheduling order */
	u_int		 c_flags;
	u_int		 c_magic;
};
typedef struct callout callout_t;

#define CALLOUT_MPSAFE		0x0100	/* accepted; all callouts are */
/* c_flags, internal */
#define CALLOUT_PENDING		0x0002
#define CALLOUT_FIRED		0x0004
#define CALLOUT_INVOKING	0x0008

void	callout_init(callout_t *, u_int);
void	callout_destroy(callout_t *);
void	callout_setfunc(callout_t *, void (*)(void *), void *);
void	callout_reset(callout_t *, int, void (*)(void *), void *);
void	callout_schedule(callout_t *, int);
bool	callout_stop(callout_t *);
bool	callout_halt(callout_t *, void *);
bool	callout_pending(callout_t *);
bool	callout_expired(callout_t *);
bool	callout_active(callout_t *);
bool	callout_invoking(callout_t *);
void	callout_ack(callout_t *);

#endif /* _SYS_CALLOUT_H_ */
