/*
 * librumpuser's fault wrapper points: the interface the fault engine
 * (issue 7) hooks into.  Every faultable hypercall passes through exactly
 * one point.  A point tests its bit in one gate word (one load, one branch
 * predicted not taken); nothing armed, the word is 0.  A point whose bit
 * is set asks the hook for a decision before the host is touched, and
 * counts the call in rumpuser_fault_calls[point].  The fault engine keeps
 * the word equal to its own gate (fe_engine_watch_gate()), so only points
 * with an armed rule (or all, while counting or tracing) reach the hook.
 *
 * Host code only (the kernel never sees this header).
 */
#ifndef _FAULTS_FAULT_HOOK_H_
#define _FAULTS_FAULT_HOOK_H_

#include <stddef.h>
#include <stdint.h>

#include "fault_points.h"

/* The points, one per faultable hypercall (fault_points.h). */
#define RUMPUSER_FAULT_POINTS(X)	RUMPUS_HYPER_POINTS(X)

#define _RUMPUSER_FP_ENUM(id, name)	RUMPUSER_FP_##id,
enum rumpuser_fault_point {
	RUMPUSER_FAULT_POINTS(_RUMPUSER_FP_ENUM)
	RUMPUSER_FP__COUNT
};
#undef _RUMPUSER_FP_ENUM

/*
 * What the hook decided for one call.  A power cut (POWERCUT, and TORN
 * after its partial write) first stops every other host transfer: none
 * starts after the cut (made at the decision, or for bio in threads mode
 * when an I/O thread carries the decision out), those in flight finish;
 * then the process ends with _exit(fd_status).  So the files keep
 * exactly the writes that completed before the cut (in threads mode,
 * "before" is the order in which the I/O threads reached the host).  The
 * fault engine's cuts use RUMPUS_POWERCUT_STATUS (fault_points.h).  Bio
 * is decided in the caller and carried out where the transfer is made:
 * in threads mode a delay there holds up an I/O thread, not a vCPU.
 */
enum rumpuser_fault_action {
	RUMPUSER_FA_PASS,	/* go to the host as if nothing were armed */
	RUMPUSER_FA_ERROR,	/* fail with fd_error, host untouched */
	RUMPUSER_FA_DELAY,	/* sleep fd_delay_us (vCPU held), then go on */
	RUMPUSER_FA_SHORT,	/* I/O: transfer at most fd_length bytes */
	RUMPUSER_FA_TORN,	/* write: only the first fd_length bytes
				   reach the host, then the power is cut */
	RUMPUSER_FA_BITFLIP,	/* read: then flip bit fd_bit (modulo the
				   bits read) of the data read */
	RUMPUSER_FA_POWERCUT,	/* this call does not happen: power cut */
	RUMPUSER_FA_YIELD,	/* sched_yield() (vCPU held), then go on */
	RUMPUSER_FA_LOST	/* bio write: reported done, host untouched
				   (a disk that loses a write it acknowledged) */
};

struct rumpuser_fault_decision {
	int	 fd_action;	/* enum rumpuser_fault_action */
	int	 fd_error;	/* FA_ERROR: a NetBSD errno value, not 0 */
	uint64_t fd_delay_us;	/* FA_DELAY: microseconds */
	size_t	 fd_length;	/* FA_SHORT, FA_TORN: bytes to transfer */
	uint64_t fd_bit;	/* FA_BITFLIP: which bit */
	int	 fd_status;	/* FA_POWERCUT, FA_TORN: the exit status */
};

/* What the hook is told about one call. */
struct rumpuser_fault_call {
	int	 fc_point;	/* enum rumpuser_fault_point */
	int	 fc_fd;		/* I/O points: the handle; else -1 */
	int64_t	 fc_off;	/* I/O points: the offset; else 0 */
	size_t	 fc_len;	/* bytes asked for (malloc, I/O, getrandom) */
	const char *fc_name;	/* open: the name; else NULL */
	void	*fc_caller;	/* return address into the caller */
};

/*
 * The hook.  It fills *d (preset to PASS) and must not call back into
 * librumpuser's faultable hypercalls.  Actions a point cannot honour are
 * ignored: ERROR at a void hypercall (the lock points), SHORT outside
 * I/O (bio, iovread, iovwrite) and getrandom, TORN outside bio.write and
 * iovwrite, BITFLIP outside bio.read and iovread.  DELAY, YIELD and POWERCUT work
 * at every point.  Called with the caller's vCPU held, from any thread.
 */
typedef void (*rumpuser_fault_hook_fn)(const struct rumpuser_fault_call *,
    struct rumpuser_fault_decision *, void *);

/*
 * Install the hook with an argument passed back on every call, and open
 * the gate of every point; NULL closes every gate.  Not to be called
 * while hypercalls are in flight on other threads: installing is set-up,
 * not a hot-path operation.
 */
void	rumpuser_fault_sethook(rumpuser_fault_hook_fn, void *);

/*
 * Which points call the installed hook: bit (1 << point) for each
 * (bits of points that do not exist are ignored).  May be called at any
 * time, from any thread, under any lock: one atomic store.
 */
void	rumpuser_fault_setgate(uint64_t);
uint64_t rumpuser_fault_gate(void);

/* The point's name ("bio.write"), or NULL for a number out of range. */
const char *rumpuser_fault_pointname(int);

/* Calls that reached the hook at each point (reset by sethook). */
extern uint64_t rumpuser_fault_calls[RUMPUSER_FP__COUNT];

/*
 * librumpuser also holds the fault engine, installed as this hook:
 * rumpus_faults_configure() and friends, declared in
 * faults/engine/fault_engine.h.
 */

#endif /* _FAULTS_FAULT_HOOK_H_ */
