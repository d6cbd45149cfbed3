/*
 * The runner: one disposable instance per case, forked from this process
 * (the zygote: every scenario file already loaded and compiled, images
 * built, no kernel and no thread), at most -j at a time.
 *
 * Each instance gets, before the fork, a MAP_SHARED page for its verdict
 * (struct rumpus_result), a memfd that becomes its stdout and stderr
 * (the kernel console, Lua's print, sanitizer reports) and an overlay
 * (rumpus_overlay.h) that its disk image's writes go to.  All outlive the
 * child, so the runner names the outcome however the child ends: its own
 * verdict, a panic line on the console, a signal, or the runner's timeout;
 * and it builds the image as the disk held it, checks it with e2fsck and
 * keeps it for a case that was not ok.  The check runs in a child of its
 * own in the instance's slot (run_check), so it takes one of the -j
 * slots and the loop goes on reaping and starting meanwhile; the case's
 * record is written when the check ends.
 *
 * Signals: SIGCHLD, SIGINT, SIGTERM and SIGHUP stay blocked in the runner
 * and are taken with sigtimedwait(), so there is no handler and no race.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault_points.h"
#include "harness.h"
#include "rumpus_overlay.h"

/* Console output an instance may write before it is cut off. */
#define RUN_CONSOLE_LIMIT	(8 << 20)
#define RUN_CONSOLE_CUT	"\n[rumpus: console output past 8 MiB was dropped]\n"
/* How long a timed-out instance gets to write where it hangs. */
#define RUN_DUMP_GRACE		0.5
/* How long the check of an image (e2fsck, the power-cut oracle) may take. */
#define RUN_CHECK_TIMEOUT	120.0

/* One running instance. */
struct slot {
	pid_t			 s_pid;		/* 0: free */
	struct hcase		*s_case;
	struct rumpus_result	*s_res;		/* shared with the child */
	int			 s_console;	/* memfd: child's fd 1 and 2 */
	int			 s_overlay;	/* the disk image's overlay */
	int			 s_image;	/* memfd: the image built from
						   it, -1 until needed */
	char			 s_imgpath[64];	/* its name for other programs */
	double			 s_start;
	double			 s_deadline;
	int			 s_timedout;	/* 1: asked to dump, 2: killed */
	int			 s_powercut;	/* ended by a power cut */
	struct hverdict		 s_hv;		/* decided when it ended */
	struct hverdict		*s_chk;		/* shared with the check that
						   s_pid is now, or NULL */
};

/* Tallies for the terminal view. */
struct tally {
	size_t	t_total;
	size_t	t_done;
	size_t	t_notok;
	size_t	t_by[RUMPUS_NOUTCOMES];
	int	t_tty;
	double	t_lastprogress;
};

static pid_t run_parent;

/* Seconds on the monotonic clock. */
double
harness_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * SIGUSR1 in a child: the runner's timeout is near; the binding writes
 * where the body is, when it can, and ends the instance.
 */
static void
run_child_usr1(int sig)
{

	rumpus_case_interrupt();
}

/*
 * The child side of one instance: never returns.
 */
static void
run_child(struct slot *s, const struct hopts *ho)
{
	struct rlimit rl;
	char seed[32];
	sigset_t none;
	int fd;

	/* Die with the runner, including a runner killed by SIGKILL. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != run_parent)
		_exit(125);
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGUSR1, run_child_usr1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, 0);
		close(fd);
	}
	dup2(s->s_console, 1);
	dup2(s->s_console, 2);
	close(s->s_console);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/*
	 * A console flood is cut at RUN_CONSOLE_LIMIT (writes fail).  The
	 * hard limit stays, for k.image_copy() of a larger image.
	 */
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 &&
	    rl.rlim_max > RUN_CONSOLE_LIMIT) {
		rl.rlim_cur = RUN_CONSOLE_LIMIT;
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);

	/* librumpuser reads these when the kernel boots. */
	snprintf(seed, sizeof(seed), "%llu",
	    (unsigned long long)hcase_seed(s->s_case, ho));
	setenv("RUMPUS_MODE", hcase_mode(s->s_case, ho), 1);
	setenv("RUMPUS_SEED", seed, 1);

	rumpus_case_faults(s->s_case->hc_plan, hcase_seed(s->s_case, ho),
	    ho->ho_trace);
	rumpus_case_overlay(s->s_overlay);
	rumpus_case_run(s->s_case->hc_file, s->s_case->hc_idx, s->s_res);
	fflush(NULL);
	_exit(0);
}

/*
 * Start the instance of case hc in slot s.  Returns -1 (with a message)
 * when the host refuses a resource.
 */
static int
run_start(struct slot *s, struct hcase *hc, const struct hopts *ho)
{
	void *p;
	int e;

	memset(s, 0, sizeof(*s));
	s->s_case = hc;
	s->s_console = s->s_overlay = s->s_image = -1;
	p = mmap(NULL, sizeof(struct rumpus_result), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "rumpus: mmap: %s\n", strerror(errno));
		return -1;
	}
	s->s_res = p;
	s->s_res->rr_outcome = RUMPUS_NONE;
	if ((s->s_console = memfd_create("rumpus-console", MFD_CLOEXEC)) ==
	    -1) {
		fprintf(stderr, "rumpus: memfd_create: %s\n", strerror(errno));
		goto bad;
	}
	if ((e = rumpus_overlay_create(&s->s_overlay)) != 0) {
		fprintf(stderr, "rumpus: image overlay: %s\n", strerror(e));
		goto bad;
	}
	fflush(NULL);
	s->s_start = harness_now();
	s->s_deadline = s->s_start + hc->hc_timeout;
	if ((s->s_pid = fork()) == -1) {
		fprintf(stderr, "rumpus: fork: %s\n", strerror(errno));
		goto bad;
	}
	if (s->s_pid == 0)
		run_child(s, ho);
	setpgid(s->s_pid, s->s_pid);
	return 0;
bad:
	if (s->s_console != -1)
		close(s->s_console);
	if (s->s_overlay != -1)
		close(s->s_overlay);
	munmap(s->s_res, sizeof(struct rumpus_result));
	s->s_pid = 0;
	return -1;
}

/*
 * The last lines of an instance's console (at most len - 1 bytes, cut at
 * a line start), into buf.
 */
static void
run_console_tail(int fd, char *buf, size_t len)
{
	struct stat sb;
	off_t off;
	ssize_t n;
	char *nl;

	buf[0] = '\0';
	if (fstat(fd, &sb) == -1 || sb.st_size == 0)
		return;
	off = sb.st_size > (off_t)len - 1 ? sb.st_size - (off_t)(len - 1) : 0;
	if ((n = pread(fd, buf, len - 1, off)) <= 0)
		return;
	buf[n] = '\0';
	if (off > 0 && (nl = strchr(buf, '\n')) != NULL)
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
	/* Say so when the flood limit cut the console. */
	if (sb.st_size >= RUN_CONSOLE_LIMIT) {
		n = (ssize_t)strlen(buf);
		if ((size_t)n > len - sizeof(RUN_CONSOLE_CUT))
			n = (ssize_t)(len - sizeof(RUN_CONSOLE_CUT));
		memcpy(buf + n, RUN_CONSOLE_CUT, sizeof(RUN_CONSOLE_CUT));
	}
}

/*
 * The first "panic: " line of the console, copied into out; 0 if none.
 */
static int
run_panic_line(const char *console, char *out, size_t len)
{
	const char *p, *e;

	for (p = console; (p = strstr(p, "panic: ")) != NULL; p++)
		if (p == console || p[-1] == '\n')
			break;
	if (p == NULL)
		return 0;
	e = strchr(p, '\n');
	snprintf(out, len, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	return 1;
}

/*
 * The disk image of the instance in slot s as the disk held it when the
 * instance ended (the pristine image with the overlay's blocks over it),
 * built into a memfd on first need: a path other programs can open
 * (/proc/PID/fd/N of this runner), or NULL when the instance attached no
 * image or it could not be built (*why says which, when why is not NULL).
 */
static const char *
run_image(struct slot *s, const char **why)
{
	int e;

	if (why != NULL)
		*why = NULL;
	if (s->s_image != -1)
		return s->s_imgpath;
	if ((e = rumpus_overlay_info(s->s_overlay, NULL, 0, NULL, NULL)) ==
	    ENOENT)
		return NULL;
	if (e == 0 && (s->s_image = memfd_create("rumpus-image",
	    MFD_CLOEXEC)) == -1)
		e = errno;
	if (e == 0)
		e = rumpus_overlay_export(s->s_overlay, s->s_image);
	if (e != 0) {
		if (s->s_image != -1)
			close(s->s_image);
		s->s_image = -1;
		if (why != NULL)
			*why = strerror(e);
		return NULL;
	}
	snprintf(s->s_imgpath, sizeof(s->s_imgpath), "/proc/%ld/fd/%d",
	    (long)getpid(), s->s_image);
	return s->s_imgpath;
}

/* The most of one problem that run_fsck_problems keeps. */
#define RUN_FSCK_PROBLEM	200

/*
 * e2fsck's output, out, as its first problems on one line: its problems
 * (paragraphs, each cut at RUN_FSCK_PROBLEM bytes) joined with "; ",
 * without its version, its "Pass N: ..." lines and its summary (the
 * lines naming the image, path).
 */
static void
run_fsck_problems(const char *out, const char *path, char *buf, size_t len)
{
	const char *p, *e;
	size_t n = 0, start = 0, l;
	int sep = 0;

	buf[0] = '\0';
	for (p = out; *p != '\0' && n + 1 < len; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		l = (size_t)(e - p);
		if (l == 0) {
			sep = n > 0;	/* a blank line ends a problem */
			continue;
		}
		if (strncmp(p, "e2fsck ", 7) == 0 ||
		    strncmp(p, "Pass ", 5) == 0 ||
		    strncmp(p, path, strlen(path)) == 0)
			continue;
		if (sep) {
			n += (size_t)snprintf(buf + n, len - n, "; ");
			start = n;
			sep = 0;
		} else if (n >= start + RUN_FSCK_PROBLEM)
			continue;
		else if (n > start)
			n += (size_t)snprintf(buf + n, len - n, " ");
		if (n >= len)
			break;
		if (n + l > start + RUN_FSCK_PROBLEM)
			l = start + RUN_FSCK_PROBLEM - n;
		n += (size_t)snprintf(buf + n, len - n, "%.*s", (int)l, p);
	}
	if (n >= len)
		n = len - 1;
	buf[n] = '\0';
}

/*
 * Has the instance in slot s left an image for e2fsck: one it attached
 * and wrote?  When not, hv says so: nothing attached leaves hv_imaged 0;
 * an image without a written block is the pristine one, which mke2fs
 * built clean, and is not checked again.
 */
static int
run_written(struct slot *s, struct hverdict *hv)
{
	uint64_t nwritten;
	int e;

	hv->hv_fsck = -1;
	e = rumpus_overlay_info(s->s_overlay, NULL, 0, NULL, &nwritten);
	if (e == ENOENT)
		return 0;
	hv->hv_imaged = 1;
	if (e == 0 && nwritten == 0) {
		snprintf(hv->hv_fsckout, sizeof(hv->hv_fsckout), "skipped: "
		    "the image was not written (it is the pristine image, "
		    "which mke2fs built clean)");
		return 0;
	}
	return 1;
}

/*
 * After any end of an instance that wrote a disk image: e2fsck -fn on
 * the image as the disk held it.  A case that would pass, but whose image
 * e2fsck rejects, is corrupt, with e2fsck's first problems in the reason;
 * for any other end the result is kept as information (the power-cut
 * oracle has judged a cut).
 */
static void
run_fsck(struct slot *s, struct hverdict *hv)
{
	static char out[65536];		/* a problem may list many blocks */
	const char *path, *why;

	if (!run_written(s, hv))
		return;
	if ((path = run_image(s, &why)) == NULL) {
		if (why == NULL)
			return;
		snprintf(hv->hv_fsckout, sizeof(hv->hv_fsckout),
		    "the image could not be built: %s", why);
		return;
	}
	hv->hv_fsck = rumpus_image_fsck(path, out, sizeof(out));
	if (hv->hv_fsck == 0)
		return;
	if (hv->hv_fsck == -1) {
		snprintf(hv->hv_fsckout, sizeof(hv->hv_fsckout), "%.*s",
		    (int)sizeof(hv->hv_fsckout) - 1, out);
		return;
	}
	run_fsck_problems(out, path, hv->hv_fsckout, sizeof(hv->hv_fsckout));
	if (hv->hv_outcome == RUMPUS_PASS && !s->s_powercut) {
		hv->hv_outcome = RUMPUS_CORRUPT;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "e2fsck -fn "
		    "(status %d): %s", hv->hv_fsck, hv->hv_fsckout);
	}
}

static const char *const run_phases[] = {
	"forked", "boot", "body", "teardown", "done"
};

/*
 * Name the outcome of the instance in slot s, which ended with wait
 * status st.
 */
static void
run_classify(struct slot *s, int st, struct hverdict *hv)
{
	const struct rumpus_result *res = s->s_res;
	int phase = res->rr_phase;
	const char *at;
	char line[512];

	memset(hv, 0, sizeof(*hv));
	hv->hv_duration = harness_now() - s->s_start;
	hv->hv_phase = phase >= 0 && phase <= RUMPUS_PH_DONE ?
	    run_phases[phase] : "?";
	run_console_tail(s->s_console, hv->hv_console,
	    sizeof(hv->hv_console));
	/* The Lua stack, then the kernel's lwps when there was a dump. */
	snprintf(hv->hv_backtrace, sizeof(hv->hv_backtrace), "%s%s%s",
	    res->rr_backtrace, res->rr_backtrace[0] && res->rr_lwps[0] ?
	    "\n" : "", res->rr_lwps);
	hv->hv_books = res->rr_books;
	hv->hv_leak = res->rr_leak;

	if (WIFSIGNALED(st))
		snprintf(hv->hv_signal, sizeof(hv->hv_signal), "SIG%s",
		    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) :
		    "?");
	if (res->rr_sandbox != 0) {
		/* Written by the trap itself, however the instance ended. */
		hv->hv_outcome = RUMPUS_SANDBOX;
		rumpus_sandbox_reason(res, hv->hv_reason,
		    sizeof(hv->hv_reason));
	} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) {
		/* A trap while SIGSYS was blocked: the kernel killed it. */
		hv->hv_outcome = RUMPUS_SANDBOX;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "killed by "
		    "SIGSYS in phase %s: the sandbox trapped a host call made "
		    "with every signal blocked (as posix_spawn, system and "
		    "popen make them), so it is not named", hv->hv_phase);
	} else if (s->s_timedout && res->rr_deadlock[0] != '\0') {
		hv->hv_outcome = RUMPUS_DEADLOCK;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "no verdict after %gs (timeout): deadlock: %s",
		    s->s_case->hc_timeout, res->rr_deadlock);
	} else if (s->s_timedout) {
		hv->hv_outcome = RUMPUS_HANG;
		/* The binding's dump starts with the innermost frame. */
		at = strchr(res->rr_backtrace, '\t');
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "no verdict after %gs (timeout), in phase %s%s%.*s",
		    s->s_case->hc_timeout, hv->hv_phase, at ? ", at " : "",
		    at ? (int)strcspn(at + 1, "\n") : 0, at ? at + 1 : "");
	} else if (WIFSIGNALED(st) &&
	    run_panic_line(hv->hv_console, line, sizeof(line))) {
		hv->hv_outcome = RUMPUS_PANIC;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "%s", line);
	} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGXCPU) {
		hv->hv_outcome = RUMPUS_LIMIT;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "CPU time limit (SIGXCPU) in phase %s", hv->hv_phase);
	} else if (WIFSIGNALED(st)) {
		hv->hv_outcome = RUMPUS_CRASH;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "killed by %s in phase %s", hv->hv_signal, hv->hv_phase);
	} else if (WEXITSTATUS(st) == 0 && phase == RUMPUS_PH_DONE &&
	    res->rr_outcome >= 0 && res->rr_outcome < RUMPUS_NOUTCOMES) {
		hv->hv_outcome = res->rr_outcome;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "%s",
		    res->rr_reason);
	} else if (WEXITSTATUS(st) == RUMPUS_POWERCUT_STATUS) {
		/* The oracle decides, in run_check; this if it cannot. */
		s->s_powercut = 1;
		hv->hv_outcome = RUMPUS_ERROR;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "power cut at "
		    "%s; the power-cut oracle did not decide",
		    res->rr_site[0] ? res->rr_site : "?");
	} else if (strstr(hv->hv_console, "Sanitizer") != NULL ||
	    strstr(hv->hv_console, "runtime error:") != NULL) {
		hv->hv_outcome = RUMPUS_CRASH;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "sanitizer report, exit status %d, in phase %s",
		    WEXITSTATUS(st), hv->hv_phase);
	} else {
		hv->hv_outcome = RUMPUS_ERROR;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason),
		    "the instance exited (status %d) in phase %s without a "
		    "verdict (os.exit in the scenario?)", WEXITSTATUS(st),
		    hv->hv_phase);
	}
	hv->hv_counted = res->rr_counted;
	memcpy(hv->hv_calls, res->rr_calls, sizeof(hv->hv_calls));
	hv->hv_hits = res->rr_hits;
	hv->hv_surfaced = res->rr_surfaced;
	hv->hv_digest = res->rr_digest;
	memcpy(hv->hv_site, res->rr_site, sizeof(hv->hv_site));
	hv->hv_site[sizeof(hv->hv_site) - 1] = '\0';
	memcpy(hv->hv_stack, res->rr_stack, sizeof(hv->hv_stack));
	hv->hv_stack[sizeof(hv->hv_stack) - 1] = '\0';
	/* An instance that did not end cleanly leaves k.image_copy()'s. */
	if (res->rr_snapshot[0] != '\0')
		(void)unlink(res->rr_snapshot);
}

/*
 * Kill the process of slot s (an instance or its check) and its process
 * group.
 */
static void
run_kill(struct slot *s)
{

	kill(-s->s_pid, SIGKILL);
	kill(s->s_pid, SIGKILL);
}

/* What run_check does, in its child or, when none can be had, here. */
static void
run_check_body(struct slot *s, struct hverdict *hv)
{

	if (s->s_powercut)
		oracle_powercut(run_image(s, NULL), s->s_res, hv);
	run_fsck(s, hv);
}

/*
 * The instance in slot s has ended and s_hv says how.  When its image
 * needs checking (e2fsck -fn on an image it wrote, the power-cut oracle
 * after a cut), start the check as the slot's process: 1, and the slot
 * stays busy until run_check_end.  0 when s_hv is final.  A check that
 * cannot get its child runs here.
 */
static int
run_check(struct slot *s)
{
	struct hverdict *chk;
	sigset_t none;
	pid_t pid;

	if (!s->s_powercut && !run_written(s, &s->s_hv))
		return 0;
	chk = mmap(NULL, sizeof(*chk), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (chk == MAP_FAILED) {
		run_check_body(s, &s->s_hv);
		return 0;
	}
	memcpy(chk, &s->s_hv, sizeof(*chk));
	fflush(NULL);
	if ((pid = fork()) == -1) {
		munmap(chk, sizeof(*chk));
		run_check_body(s, &s->s_hv);
		return 0;
	}
	if (pid == 0) {
		/* Like an instance: dies with the runner, own group. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != run_parent)
			_exit(125);
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		run_check_body(s, chk);
		_exit(0);
	}
	setpgid(pid, pid);
	s->s_pid = pid;
	s->s_chk = chk;
	s->s_timedout = 0;
	s->s_deadline = harness_now() + RUN_CHECK_TIMEOUT;
	return 1;
}

/*
 * The check of slot s ended with wait status st, or, with why, was
 * stopped (why says how).  Returns the case's verdict: the check's, or,
 * when it did not finish, s_hv saying so (what it half wrote is not
 * trusted), and a case that would have passed is an error.
 */
static struct hverdict *
run_check_end(struct slot *s, int st, const char *why)
{
	struct hverdict *hv = &s->s_hv;
	char buf[64];

	if (why == NULL && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return s->s_chk;
	if (why == NULL && s->s_timedout) {
		snprintf(buf, sizeof(buf), "it did not end in %gs",
		    RUN_CHECK_TIMEOUT);
		why = buf;
	} else if (why == NULL && WIFSIGNALED(st)) {
		snprintf(buf, sizeof(buf), "it was killed by SIG%s",
		    sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) :
		    "?");
		why = buf;
	} else if (why == NULL) {
		snprintf(buf, sizeof(buf), "it exited with status %d",
		    WEXITSTATUS(st));
		why = buf;
	}
	hv->hv_imaged = 1;
	hv->hv_fsck = -1;
	snprintf(hv->hv_fsckout, sizeof(hv->hv_fsckout), "not checked: %s",
	    why);
	if (s->s_powercut)
		snprintf(hv->hv_reason + strlen(hv->hv_reason),
		    sizeof(hv->hv_reason) - strlen(hv->hv_reason), ": %s", why);
	/* A written image nobody checked does not let its case pass. */
	if (hv->hv_outcome == RUMPUS_PASS) {
		hv->hv_outcome = RUMPUS_ERROR;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "the body "
		    "passed, but its image was not checked: %s", why);
	}
	return hv;
}

/* Is the outcome of case hc the one wanted (pass, or the declared one)? */
static void
run_judge(const struct hcase *hc, struct hverdict *hv)
{

	if (hc->hc_expect != NULL)
		hv->hv_ok = strcmp(hc->hc_expect,
		    rumpus_outcome_name(hv->hv_outcome)) == 0;
	else
		hv->hv_ok = hv->hv_outcome == RUMPUS_PASS;
	/* A scenario's own fault plan is also met by a clean error. */
	if (!hv->hv_ok && hc->hc_declplan)
		hv->hv_ok = harness_clean(hc->hc_plan, hv);
}

/* "file:name[fs]" for the terminal. */
static void
run_caseid(const struct hcase *hc, char *buf, size_t len)
{

	snprintf(buf, len, "%s%s%s%s%s%s", hc->hc_path,
	    *hc->hc_name ? ":" : "", hc->hc_name, *hc->hc_fs ? "[" : "",
	    hc->hc_fs, *hc->hc_fs ? "]" : "");
}

/* Erase the progress line, if one is shown. */
static void
run_progress_clear(struct tally *t)
{

	if (t->t_tty && t->t_lastprogress > 0)
		fputs("\r\033[K", stderr);
}

/* The progress line, at most ten times a second, only to a terminal. */
static void
run_progress(struct tally *t, size_t running)
{
	double now = harness_now();

	if (!t->t_tty || now - t->t_lastprogress < 0.1)
		return;
	t->t_lastprogress = now;
	fprintf(stderr, "\r\033[K[%zu/%zu] %zu running, %zu not ok",
	    t->t_done, t->t_total, running, t->t_notok);
}

/*
 * One case is over: tally it, show it when it is not ok (or -v), write its
 * record and, for a single-case run under ATF, the ATF result file.
 */
static void
run_report(struct hcase *hc, struct hverdict *hv, const struct hopts *ho,
    struct tally *t)
{
	char id[1024];
	FILE *f;

	t->t_done++;
	t->t_by[hv->hv_outcome]++;
	if (!hv->hv_ok)
		t->t_notok++;
	run_caseid(hc, id, sizeof(id));
	if (record_token(hc, ho, hv->hv_token, sizeof(hv->hv_token)) != 0)
		hv->hv_token[0] = '\0';
	if ((!hv->hv_ok || ho->ho_verbose) && !ho->ho_quiet) {
		run_progress_clear(t);
		printf("%-8s %s%s%s%s%s%s\n",
		    rumpus_outcome_name(hv->hv_outcome), id,
		    hv->hv_reason[0] ? ": " : "", hv->hv_reason,
		    hc->hc_expect ? " (expected " : "",
		    hc->hc_expect ? hc->hc_expect : "",
		    hc->hc_expect ? ")" : "");
		/* A failure that also leaked says both. */
		if (hv->hv_leak != NULL && hv->hv_leak[0] != '\0' &&
		    hv->hv_outcome != RUMPUS_LEAK)
			printf("  and leaked: %s\n", hv->hv_leak);
		if (!hv->hv_ok && hv->hv_token[0] != '\0')
			printf("  token: %s\n", hv->hv_token);
		if (!hv->hv_ok && ho->ho_verbose && hv->hv_console[0])
			printf("  console:\n%s\n", hv->hv_console);
		fflush(stdout);
	}
	if (ho->ho_out != NULL)
		record_write(ho->ho_out, hc, hv, ho);
	if (ho->ho_done != NULL)
		ho->ho_done(ho->ho_donearg, hc, hv);
	if (ho->ho_atf_result != NULL &&
	    (f = fopen(ho->ho_atf_result, "w")) != NULL) {
		if (hv->hv_ok)
			fprintf(f, "passed\n");
		else
			fprintf(f, "failed: %s: %s\n",
			    rumpus_outcome_name(hv->hv_outcome), hv->hv_reason);
		fclose(f);
	}
}

/*
 * Keep what a case that was not ok leaves behind, under the artifacts
 * directory: DIR/<file>.<name>[.<fs>]/console.txt (slashes of the file
 * made '_'), the whole console, and image.img beside it, the disk image
 * as the disk held it, when the instance attached one.  A passing case
 * keeps nothing.
 * A failure to keep is said on stderr and does not change the outcome.
 */
static void
run_keep(struct slot *s, struct hverdict *hv, const struct hopts *ho)
{
	const struct hcase *hc = s->s_case;
	char dir[900], buf[65536], *p;
	ssize_t n;
	off_t off = 0;
	int fd, e;

	if (ho->ho_artifacts == NULL || hv->hv_ok)
		return;
	snprintf(dir, sizeof(dir), "%s/%s.%s%s%s", ho->ho_artifacts,
	    hc->hc_path, hc->hc_name, *hc->hc_fs ? "." : "", hc->hc_fs);
	for (p = dir + strlen(ho->ho_artifacts) + 1; *p != '\0'; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	if ((mkdir(ho->ho_artifacts, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0755) == -1 && errno != EEXIST))
		goto bad;
	snprintf(hv->hv_artifact, sizeof(hv->hv_artifact), "%s/console.txt",
	    dir);
	if ((fd = open(hv->hv_artifact, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1)
		goto bad;
	while ((n = pread(s->s_console, buf, sizeof(buf), off)) > 0) {
		if (write(fd, buf, (size_t)n) != n) {
			close(fd);
			goto bad;
		}
		off += n;
	}
	if (close(fd) == -1)
		goto bad;
	if (run_image(s, NULL) == NULL)
		return;
	snprintf(hv->hv_imgartifact, sizeof(hv->hv_imgartifact),
	    "%s/image.img", dir);
	if ((fd = open(hv->hv_imgartifact, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) == -1)
		goto bad;
	if ((e = rumpus_overlay_export(s->s_overlay, fd)) != 0) {
		close(fd);
		errno = e;
		goto bad;
	}
	if (close(fd) == -1)
		goto bad;
	return;
bad:
	fprintf(stderr, "rumpus: keeping %s: %s\n", dir, strerror(errno));
	hv->hv_artifact[0] = '\0';
	hv->hv_imgartifact[0] = '\0';
}

/* Free what slot s held for its instance, which has ended. */
static void
run_release(struct slot *s)
{

	close(s->s_console);
	close(s->s_overlay);
	if (s->s_image != -1)
		close(s->s_image);
	munmap(s->s_res, sizeof(struct rumpus_result));
	if (s->s_chk != NULL)
		munmap(s->s_chk, sizeof(*s->s_chk));
	s->s_pid = 0;
}

/* The case of slot s is decided (hv): judge, keep, report, free. */
static void
run_finish(struct slot *s, struct hverdict *hv, const struct hopts *ho,
    struct tally *t)
{

	run_judge(s->s_case, hv);
	run_keep(s, hv, ho);
	run_report(s->s_case, hv, ho, t);
	run_release(s);
}

/*
 * Reap every instance and check that ended; returns how many cases are
 * over (their slots free).
 */
static size_t
run_reap(struct slot *slots, int nslots, const struct hopts *ho,
    struct tally *t)
{
	struct slot *s;
	size_t n = 0;
	pid_t pid;
	int i, st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < nslots && slots[i].s_pid != pid; i++)
			continue;
		if (i == nslots)
			continue;	/* not an instance (an image tool) */
		s = &slots[i];
		if (s->s_chk != NULL)
			run_finish(s, run_check_end(s, st, NULL), ho, t);
		else {
			run_classify(s, st, &s->s_hv);
			if (run_check(s))
				continue;
			run_finish(s, &s->s_hv, ho, t);
		}
		n++;
	}
	return n;
}

/*
 * A file that did not load is one case with outcome "error".
 */
static void
run_loaderror(struct hcase *hc, const struct hopts *ho, struct tally *t)
{
	struct hverdict hv;

	memset(&hv, 0, sizeof(hv));
	hv.hv_outcome = RUMPUS_ERROR;
	hv.hv_phase = "load";
	snprintf(hv.hv_reason, sizeof(hv.hv_reason), "%s", hc->hc_loaderr);
	hv.hv_ok = hc->hc_expect != NULL &&
	    strcmp(hc->hc_expect, "error") == 0;
	run_report(hc, &hv, ho, t);
}

/*
 * Run every case, at most ho_jobs at a time.  Returns the exit status of
 * the command: 0 when every case was ok, 1 otherwise, 130 when interrupted.
 */
int
harness_run(struct hcase *cases, size_t ncases, const struct hopts *ho)
{
	struct slot *slots;
	struct hcase *hc;
	struct tally t;
	struct timespec ts;
	sigset_t set;
	size_t next = 0, running = 0;
	double now, wake;
	int i, sig, interrupted = 0, o, first;

	memset(&t, 0, sizeof(t));
	t.t_total = ncases;
	t.t_tty = isatty(2);
	run_parent = getpid();
	if ((slots = calloc(ho->ho_jobs, sizeof(*slots))) == NULL) {
		fprintf(stderr, "rumpus: %s\n", strerror(errno));
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		/* Fill free slots; cases that run no instance take none. */
		for (i = 0; next < ncases; next++) {
			hc = &cases[next];
			if (hc->hc_file == NULL) {
				run_loaderror(hc, ho, &t);
				continue;
			}
			while (i < ho->ho_jobs && slots[i].s_pid != 0)
				i++;
			if (i == ho->ho_jobs)
				break;
			if (run_start(&slots[i], hc, ho) != 0) {
				interrupted = 1;
				break;
			}
			running++;
		}
		if (running == 0 || interrupted)
			break;

		/* Sleep until a child ends, a signal, or the next deadline. */
		now = harness_now();
		wake = now + 1.0;
		for (i = 0; i < ho->ho_jobs; i++) {
			if (slots[i].s_pid == 0)
				continue;
			if (now >= slots[i].s_deadline) {
				if (slots[i].s_timedout == 0 &&
				    slots[i].s_chk == NULL) {
					/* Ask where it hangs, then kill. */
					kill(slots[i].s_pid, SIGUSR1);
					slots[i].s_timedout = 1;
					slots[i].s_deadline = now +
					    RUN_DUMP_GRACE;
				} else if (slots[i].s_timedout < 2) {
					run_kill(&slots[i]);
					slots[i].s_timedout = 2;
					slots[i].s_deadline = now + 3600;
				}
			}
			if (slots[i].s_deadline < wake)
				wake = slots[i].s_deadline;
		}
		run_progress(&t, running);
		wake -= now;
		if (wake < 0.001)
			wake = 0.001;
		ts.tv_sec = (time_t)wake;
		ts.tv_nsec = (long)((wake - ts.tv_sec) * 1e9);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			interrupted = 1;
			break;
		}
		running -= run_reap(slots, ho->ho_jobs, ho, &t);
	}

	/*
	 * Interrupted: no instance or check outlives the runner; a case
	 * whose instance had ended still gets its record.
	 */
	for (i = 0; i < ho->ho_jobs; i++) {
		if (slots[i].s_pid == 0)
			continue;
		run_kill(&slots[i]);
		while (waitpid(slots[i].s_pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		if (slots[i].s_chk != NULL) {
			run_finish(&slots[i], run_check_end(&slots[i], 0,
			    "the run was interrupted"), ho, &t);
			continue;
		}
		if (slots[i].s_res->rr_snapshot[0] != '\0')
			(void)unlink(slots[i].s_res->rr_snapshot);
		run_release(&slots[i]);
	}
	free(slots);

	run_progress_clear(&t);
	fflush(stdout);
	fprintf(stderr, "rumpus: %zu of %zu cases done:", t.t_done, t.t_total);
	for (o = 0, first = 1; o < RUMPUS_NOUTCOMES; o++) {
		if (t.t_by[o] == 0)
			continue;
		fprintf(stderr, "%s %zu %s", first ? "" : ",", t.t_by[o],
		    rumpus_outcome_name(o));
		first = 0;
	}
	fprintf(stderr, "; %zu not ok%s\n", t.t_notok,
	    interrupted ? " (interrupted)" : "");
	if (interrupted)
		return 130;
	return t.t_notok > 0 || t.t_done < t.t_total ? 1 : 0;
}
