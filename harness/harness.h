/*
 * The rumpus command: shared declarations of the runner (harness/).
 */
#ifndef _HARNESS_H_
#define _HARNESS_H_

#include <stdint.h>
#include <stdio.h>

#include "rumpus_lua.h"

/* One case to run: a scenario x fs variant of a loaded file. */
struct hcase {
	struct rumpus_file	*hc_file;	/* NULL: the file did not load */
	size_t			 hc_idx;	/* case index in the file */
	const char		*hc_path;	/* scenario file */
	const char		*hc_name;	/* scenario name, "" if none */
	const char		*hc_fs;		/* fs variant, "" if none */
	const char		*hc_expect;	/* declared outcome, or NULL */
	double			 hc_timeout;	/* seconds */
	char			 hc_loaderr[1024]; /* why the file did not load */
	const char		*hc_plan;	/* fault plan, or NULL */
	int			 hc_declplan;	/* hc_plan is the scenario's */
	const char		*hc_mode;	/* declared mode, or NULL */
	int			 hc_hasseed;	/* a seed is declared: */
	uint64_t		 hc_seed;
	char			 hc_hash[17];	/* scenario content hash (hex) */
};

/* What the runner decided about one case, ready to be written. */
struct hverdict {
	int		 hv_outcome;		/* enum rumpus_outcome */
	int		 hv_ok;			/* outcome is the wanted one */
	char		 hv_reason[1536];
	char		 hv_signal[16];		/* "SIGSEGV", or "" */
	const char	*hv_phase;		/* last phase the child reached */
	double		 hv_duration;		/* seconds */
	char		 hv_console[4096];	/* the console's last lines */
	char		 hv_backtrace[10240];	/* Lua stack, kernel lwps */
	const char	*hv_books;
	const char	*hv_leak;		/* the books in a line, or "" */
	char		 hv_artifact[1024];	/* the kept console, or "" */
	/* The disk image, when the instance attached one. */
	int		 hv_imaged;
	int		 hv_fsck;		/* e2fsck -fn's status, or -1 */
	char		 hv_fsckout[1024];	/* its first problems, or why
						   it did not run */
	char		 hv_imgartifact[1024];	/* the kept image, or "" */
	/* The fault engine's view (rumpus_result), when hv_counted. */
	int		 hv_counted;
	uint64_t	 hv_calls[RUMPUS_FAULT_MAXPOINTS];
	uint64_t	 hv_hits;
	uint64_t	 hv_digest;
	char		 hv_site[256];		/* the first fault, or "" */
	char		 hv_stack[1024];	/* its kernel stack */
	int		 hv_surfaced;		/* its errno reached the scenario */
	char		 hv_token[2048];	/* the reproducer token */
};

/* The options of one run. */
struct hopts {
	int		 ho_jobs;
	const char	*ho_mode;		/* "serial" or "threads" */
	uint64_t	 ho_seed;
	double		 ho_timeout;		/* 0: the scenario's or default */
	int		 ho_verbose;
	FILE		*ho_out;		/* JSON Lines, or NULL */
	const char	*ho_atf_result;		/* ATF result file, or NULL */
	const char	*ho_artifacts;		/* keep not-ok cases here */
	int		 ho_quiet;		/* no line per case */
	int		 ho_trace;		/* count and trace every case */
	/* Called for every case that ended, after its record. */
	void		(*ho_done)(void *, const struct hcase *,
			    const struct hverdict *);
	void		*ho_donearg;
};

#define HARNESS_DEFAULT_TIMEOUT	60.0

/* The mode and seed case hc runs with: its scenario's, or the run's. */
static inline const char *
hcase_mode(const struct hcase *hc, const struct hopts *ho)
{

	return hc->hc_mode != NULL ? hc->hc_mode : ho->ho_mode;
}

static inline uint64_t
hcase_seed(const struct hcase *hc, const struct hopts *ho)
{

	return hc->hc_hasseed ? hc->hc_seed : ho->ho_seed;
}

/* oracle.c: the power-cut oracle (image: the disk at the cut) */
void	 oracle_powercut(const char *, const struct rumpus_result *,
	    struct hverdict *);

/* run.c */
double	 harness_now(void);
int	 harness_run(struct hcase *, size_t, const struct hopts *);

/* main.c: shared by the commands */
void	 usage(void) __attribute__((__noreturn__));
double	 optnum(const char *, const char *, double);
const char *harness_mode(const char *);
uint64_t harness_seed(const char *);
int	 harness_opt(int, const char *, struct hopts *, const char **,
	    const char **);
/* The long options of what harness_opt parses, for a getopt_long table. */
#define HARNESS_LONGOPTS \
	{ "jobs",	required_argument,	NULL,	'j' }, \
	{ "mode",	required_argument,	NULL,	'm' }, \
	{ "seed",	required_argument,	NULL,	's' }, \
	{ "timeout",	required_argument,	NULL,	't' }, \
	{ "output",	required_argument,	NULL,	'o' }, \
	{ "case",	required_argument,	NULL,	'c' }
struct hcase *harness_load(char **, int, const char *, double, size_t *);
void	 harness_unload(void);
int	 harness_hash(const char *, char *);

/* sweep.c, replay */
int	 harness_clean(const char *, const struct hverdict *);
int	 harness_sweep(int, char **);
int	 harness_replay(int, char **);
struct fe_token;
int	 harness_save(const struct fe_token *, const char *, const char *);

/* record.c */
int	 record_token(const struct hcase *, const struct hopts *, char *,
	    size_t);
void	 record_write(FILE *, const struct hcase *, const struct hverdict *,
	    const struct hopts *);
const char *record_buildid(void);
void	 record_json_string(FILE *, const char *);

#endif /* !_HARNESS_H_ */
