/*
 * The Lua scenario binding as the runner sees it.
 *
 * A scenario file is loaded once into its own interpreter in the runner (the
 * zygote): its top level runs there, declares scenarios and builds images,
 * and never touches a kernel.  Each case (scenario x file-system variant)
 * then runs in a forked child, which boots the kernel, runs the body and
 * writes its verdict into a struct rumpus_result that lives in memory shared
 * with the runner, so that the runner can read it whatever way the child
 * ends.
 */
#ifndef _RUMPUS_LUA_H_
#define _RUMPUS_LUA_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The outcomes of DESIGN.md, fixed once.  Name, then what it means.
 */
#define RUMPUS_OUTCOMES(X) \
	X(PASS,     "pass",     "every expectation held") \
	X(FAIL,     "fail",     "an expectation did not hold") \
	X(ERROR,    "error",    "the scenario itself is wrong") \
	X(PANIC,    "panic",    "the kernel panicked") \
	X(CRASH,    "crash",    "the instance died by a signal") \
	X(HANG,     "hang",     "the instance did not finish in time") \
	X(DEADLOCK, "deadlock", "lwps wait for each other's locks") \
	X(LEAK,     "leak",     "the kernel's books were not empty") \
	X(CORRUPT,  "corrupt",  "fsck found the image damaged") \
	X(SANDBOX,  "sandbox",  "the instance reached the host directly") \
	X(LIMIT,    "limit",    "the instance ran out of a resource limit")

enum rumpus_outcome {
	RUMPUS_NONE = -1,		/* not decided yet */
#define _RUMPUS_OUTCOME_ENUM(e, name, descr)	RUMPUS_##e,
	RUMPUS_OUTCOMES(_RUMPUS_OUTCOME_ENUM)
#undef _RUMPUS_OUTCOME_ENUM
	RUMPUS_NOUTCOMES
};

const char	*rumpus_outcome_name(int);
int		 rumpus_outcome_byname(const char *);

/* Where a child is: the runner names a hang by the last phase reached. */
enum rumpus_phase {
	RUMPUS_PH_FORKED,		/* child started, nothing done */
	RUMPUS_PH_BOOT,			/* rump_init() running */
	RUMPUS_PH_BODY,			/* the scenario body running */
	RUMPUS_PH_TEARDOWN,		/* unmount, teardown, books */
	RUMPUS_PH_DONE			/* verdict written */
};

/*
 * The exit status of an instance the sandbox stopped (lsandbox.c); the
 * runner goes by rr_sandbox, the status only tells it apart in a trace.
 */
#define RUMPUS_SANDBOX_STATUS	87

/* Points the verdict counts calls at: the hypercalls, then named ones. */
#define RUMPUS_FAULT_MAXPOINTS	48

/*
 * A regular file of the instance's ext2 file system whose content a
 * successful fsync, fdatasync, sync, unmount or O_SYNC write made durable
 * (lua/ldurable.c), for the power-cut oracle.  rd_valid is set last and
 * cleared first: a valid entry is true whenever the child stops.  Past
 * RUMPUS_DURABLE_MAX files a file made durable is not recorded, and
 * rr_durable_full says so.
 */
#define RUMPUS_DURABLE_MAX	64
struct rumpus_durable {
	volatile int	rd_valid;
	char		rd_path[236];	/* from the file system's root */
	uint64_t	rd_size;
	uint64_t	rd_digest;	/* fe_hash64(content, size, 0) */
};

/*
 * The verdict a child writes.  It lives in a MAP_SHARED page the runner
 * mapped before fork; every string is NUL-terminated within its array.
 * The runner trusts rr_outcome only when rr_phase is RUMPUS_PH_DONE.
 */
struct rumpus_result {
	volatile int	rr_phase;	/* enum rumpus_phase */
	int		rr_outcome;	/* enum rumpus_outcome */
	char		rr_reason[1024];/* one line: what happened, with file:line */
	char		rr_backtrace[6144]; /* Lua traceback, lwp dump */
	char		rr_books[1024];	/* teardown books when not empty */
	char		rr_leak[256];	/* what they hold, in one line, or ""
					   (also when another outcome won) */
	char		rr_deadlock[1024]; /* the kernel's deadlock cycle at
					   the timeout, or "" */
	char		rr_lwps[4096];	/* the kernel's lwps at the timeout */
	int		rr_sandbox;	/* the host call the sandbox trapped
					   (its number + 1), or 0 */
	uint64_t	rr_sandbox_args[6]; /* and its arguments */
	/* The fault engine (lfault.c); rr_counted: the counts are valid. */
	int		rr_counted;
	uint64_t	rr_calls[RUMPUS_FAULT_MAXPOINTS]; /* calls per point */
	uint64_t	rr_hits;	/* calls faulted */
	uint64_t	rr_digest;	/* trace digest of every decision */
	char		rr_site[256];	/* the first fault: point and site */
	char		rr_stack[1024];	/* its kernel stack, innermost first */
	char		rr_snapshot[256]; /* k.image_copy()'s file, or "" */
	int		rr_injected;	/* errno of the first fault, or 0 */
	int		rr_surfaced;	/* kernel calls that returned it to
					   the scenario after the fault */
	/* What was durable on the ext2 image; rr_durable_lost: some
	   durable file or some change could not be followed;
	   rr_durable_full: some durable file found every entry taken. */
	int		rr_durable_lost;
	int		rr_durable_full;
	struct rumpus_durable rr_durable[RUMPUS_DURABLE_MAX];
};

/* What one scenario declared; owned by the interpreter that loaded it. */
struct rumpus_case {
	int		 rc_scenario;	/* index of the scenario in its file */
	const char	*rc_name;	/* scenario name */
	const char	*rc_descr;	/* description, or "" */
	const char	*rc_fs;		/* fs variant, or "" for none */
	double		 rc_timeout;	/* seconds; 0 when not declared */
	const char	*rc_expect;	/* declared outcome (self-tests), or NULL */
	const char	*rc_faults;	/* declared fault plan, or NULL */
	const char	*rc_mode;	/* declared mode, or NULL */
	int		 rc_hasseed;	/* a seed is declared: */
	uint64_t	 rc_seed;
};

struct rumpus_file;

/*
 * Load FILE into a fresh interpreter and run its top level.  Returns NULL
 * and fills err (an "error" verdict naming the file and line) on a syntax
 * error, a runtime error or a bad scenario{} declaration.
 */
struct rumpus_file *rumpus_file_load(const char *, char *, size_t);
void		 rumpus_file_free(struct rumpus_file *);
size_t		 rumpus_file_ncases(const struct rumpus_file *);
const struct rumpus_case *rumpus_file_case(const struct rumpus_file *, size_t);
const char	*rumpus_file_path(const struct rumpus_file *);

/*
 * In a forked child: run one case and write the verdict into *res.
 * Returns when the verdict is written; the caller then exits.
 */
void		 rumpus_case_run(struct rumpus_file *, size_t,
		    struct rumpus_result *);

/*
 * In a child, from a signal handler: the runner is about to kill this
 * instance for a timeout.  Write the kernel's lwps (and whether they
 * deadlocked) into the verdict; when Lua code is running, write where it
 * is into the backtrace and end the instance.
 */
void		 rumpus_case_interrupt(void);

/*
 * The runner's words for a verdict whose rr_sandbox is set: the host call
 * by name, and its arguments.
 */
void		 rumpus_sandbox_reason(const struct rumpus_result *, char *,
		    size_t);

/*
 * The fault engine of the next case this child runs (before
 * rumpus_case_run): plan (a rumpus-faults(7) spec, NULL or "" for none),
 * seed, and whether a trace is asked for.  An instance counts and traces
 * its calls at every point when its plan arms a rule, a trace is asked
 * for, or the body arms a rule (from then on); otherwise nothing about
 * faults runs.
 */
void		 rumpus_case_faults(const char *, uint64_t, int);
/*
 * Check plan against the points this build has: 0, or -1 with err
 * (the position and what is wrong).
 */
int		 rumpus_faults_check(const char *, char *, size_t);
/* Name of point i of rr_calls, or NULL past the last point. */
const char	*rumpus_fault_point_name(size_t);

/*
 * The power-cut oracle's check, in a child forked for it: a fresh kernel
 * mounts image read-only and reads back every file res recorded as
 * durable.  Returns how many differ, named in why, and sets *checked; -1
 * with why when the check cannot be made.
 */
int		 rumpus_durable_verify(const char *,
		    const struct rumpus_result *, int *, char *, size_t);

/* Where built images are cached (set by the runner before loading). */
void		 rumpus_image_cachedir(const char *);
/*
 * e2fsck -fn on the image file path: its exit status (0: clean), or -1;
 * out gets what it printed (or why it did not run).
 */
int		 rumpus_image_fsck(const char *, char *, size_t);
/*
 * Copy the image file src to dst (sparse) and let e2fsck -fy repair the
 * copy: e2fsck's exit status, or -1; out as for rumpus_image_fsck.
 */
int		 rumpus_image_repair(const char *, const char *, char *,
		    size_t);
/*
 * Before rumpus_case_run, in the child: the overlay (rumpus_overlay.h)
 * that the instance's disk image writes go to, made by the runner before
 * the fork so that it outlives the instance; with -1 (none), an image
 * cannot be mounted (EBADF).
 */
void		 rumpus_case_overlay(int);

#endif /* !_RUMPUS_LUA_H_ */
