/*
 * Faults from the environment reaching a program through real
 * hypercalls: h_hyper (a small rump kernel program) runs with
 * RUMPUS_FAULTS, RUMPUS_SEED and RUMPUS_TRACE set, three ways: linked
 * with librumpuser.so.0 (librumpuser's own engine), linked with
 * librumpuser.a, and linked with librumpuser.so.0 under the LD_PRELOAD
 * interposer librumpus_faults.so (the interposer's engine; librumpuser's
 * stays uninstalled).  Each case checks what the program saw, its exit
 * status, the image file and the trace file; overlay_faults does it all
 * again with the image attached over an overlay (rumpus_overlay.h).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include "fault_points.h"
#include "rumpus_overlay.h"

#define BLK	4096
#define NBLK	4

enum how { H_SHARED, H_STATIC, H_PRELOAD, H_COUNT };
/* H_KERN: h_kern (the kernel as a shared object), with how H_PRELOAD. */
static const char *const hows[H_COUNT] = {
	"librumpuser.so", "librumpuser.a", "interposer"
};

/* One run of h_hyper: how, and the environment it gets. */
struct run {
	int		 how;
	const char	*prog;		/* another program than h_hyper */
	const char	*spec;		/* RUMPUS_FAULTS, or NULL */
	const char	*seed;		/* RUMPUS_SEED, or NULL */
	const char	*trace;		/* RUMPUS_TRACE, or NULL */
	const char	*mode;		/* RUMPUS_MODE; NULL: serial */
	int		 ovfd;		/* > 0: the file is an image over
					   this overlay (H_HYPER_OVERLAY) */
};

/*
 * Run h_hyper with the arguments after out (NULL-terminated) as r says;
 * out gets the last line it printed (its stderr goes to file "stderr").
 * Returns the wait status.
 */
static int
run(const struct run *r, char *out, size_t outlen, ...)
{
	const char *argv[8];
	char asan[256], *nl;
	const char *a;
	va_list ap;
	int fds[2], status, argc = 0, fd;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	argv[argc++] = r->prog != NULL ? r->prog : r->how == H_STATIC ?
	    H_HYPER_STATIC : H_HYPER;
	va_start(ap, outlen);
	while ((a = va_arg(ap, const char *)) != NULL && argc < 7)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;

	ATF_REQUIRE(pipe(fds) == 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		if ((fd = open("stderr", O_WRONLY | O_CREAT | O_TRUNC,
		    0644)) != -1)
			dup2(fd, 2);
		unsetenv("RUMPUS_FAULTS");
		unsetenv("RUMPUS_SEED");
		unsetenv("RUMPUS_TRACE");
		if (r->spec != NULL)
			setenv("RUMPUS_FAULTS", r->spec, 1);
		if (r->seed != NULL)
			setenv("RUMPUS_SEED", r->seed, 1);
		if (r->trace != NULL)
			setenv("RUMPUS_TRACE", r->trace, 1);
		setenv("RUMPUS_MODE", r->mode != NULL ? r->mode : "serial", 1);
		unsetenv("H_HYPER_OVERLAY");
		if (r->ovfd > 0) {
			dup2(r->ovfd, 9);
			setenv("H_HYPER_OVERLAY", "9", 1);
		}
		if (r->how == H_PRELOAD) {
			setenv("LD_PRELOAD", INTERPOSER, 1);
			/* The sanitizer flavour: libasan comes first anyway. */
			snprintf(asan, sizeof(asan),
			    "%s%sverify_asan_link_order=0",
			    getenv("ASAN_OPTIONS") != NULL ?
			    getenv("ASAN_OPTIONS") : "",
			    getenv("ASAN_OPTIONS") != NULL ? ":" : "");
			setenv("ASAN_OPTIONS", asan, 1);
		}
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	while (got + 1 < outlen &&
	    (n = read(fds[0], out + got, outlen - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	/* The last line: a kernel's console may come before. */
	while (got > 0 && out[got - 1] == '\n')
		out[--got] = '\0';
	if ((nl = strrchr(out, '\n')) != NULL)
		memmove(out, nl + 1, strlen(nl + 1) + 1);
	close(fds[0]);
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

/* Run, and require a clean exit. */
static void
run_ok(const struct run *r, char *out, size_t outlen, const char *cmd,
    const char *a1, const char *a2, const char *a3)
{
	int status;

	status = run(r, out, outlen, cmd, a1, a2, a3, NULL);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: h_hyper %s: status %#x, output \"%s\"", hows[r->how], cmd,
	    status, out);
}

/* A fresh image of NBLK zero blocks. */
static void
image_new(void)
{
	int fd;

	ATF_REQUIRE((fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644))
	    != -1);
	ATF_REQUIRE(ftruncate(fd, NBLK * BLK) == 0);
	close(fd);
}

/* Bytes of block i of the image that hold h_hyper's pattern 0xa0 + i. */
static size_t
image_newbytes(int i)
{
	unsigned char b[BLK];
	size_t j, n = 0;
	int fd;

	ATF_REQUIRE((fd = open("img", O_RDONLY)) != -1);
	ATF_REQUIRE(pread(fd, b, BLK, (off_t)i * BLK) == BLK);
	close(fd);
	for (j = 0; j < BLK; j++)
		n += b[j] == 0xa0 + i;
	return n;
}

/* Fill block i of the image with h_hyper's pattern (for reads). */
static void
image_fill(void)
{
	unsigned char b[BLK];
	int fd, i;

	ATF_REQUIRE((fd = open("img", O_RDWR)) != -1);
	for (i = 0; i < NBLK; i++) {
		memset(b, 0xa0 + i, sizeof(b));
		ATF_REQUIRE(pwrite(fd, b, BLK, (off_t)i * BLK) == BLK);
	}
	close(fd);
}

/* Does file name contain text? */
static int
file_has(const char *name, const char *text)
{
	char buf[65536];
	ssize_t n;
	int fd;

	if ((fd = open(name, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* The "digest: ..." line of trace file name, into buf. */
static void
trace_digest(const char *name, char *buf, size_t len)
{
	char line[256];
	FILE *f;

	buf[0] = '\0';
	ATF_REQUIRE_MSG((f = fopen(name, "r")) != NULL, "no trace %s", name);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "digest: ", 8) == 0)
			snprintf(buf, len, "%.40s", line + 8);
	fclose(f);
	ATF_REQUIRE_MSG(buf[0] != '\0', "no digest in %s", name);
}

ATF_TC(malloc_enomem);
ATF_TC_HEAD(malloc_enomem, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_FAULTS=malloc:nth=2:ENOMEM: "
	    "the second rumpuser_malloc returns NetBSD ENOMEM, the others "
	    "memory (each way of linking, and the interposer)");
}
ATF_TC_BODY(malloc_enomem, tc)
{
	struct run r = { .spec = "malloc:nth=2:ENOMEM" };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		run_ok(&r, out, sizeof(out), "malloc", "4", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "0 ENOMEM 0 0", "%s", hows[r.how]);
	}
}

ATF_TC(interposer_owns_env);
ATF_TC_HEAD(interposer_owns_env, tc)
{
	atf_tc_set_md_var(tc, "descr", "librumpuser installs its engine from "
	    "RUMPUS_FAULTS, but not under the interposer, which does the "
	    "faulting itself and leaves programs without librumpuser alone; "
	    "nothing set, nothing is installed");
}
ATF_TC_BODY(interposer_owns_env, tc)
{
	struct run r = { .spec = "malloc:nth=1:ENOMEM" };
	char out[256];

	r.how = H_SHARED;
	run_ok(&r, out, sizeof(out), "engine", NULL, NULL, NULL);
	ATF_CHECK_STREQ(out, "engine: librumpuser");
	r.how = H_PRELOAD;
	run_ok(&r, out, sizeof(out), "engine", NULL, NULL, NULL);
	ATF_CHECK_STREQ(out, "engine: none");
	run_ok(&r, out, sizeof(out), "malloc", "2", NULL, NULL);
	ATF_CHECK_STREQ(out, "ENOMEM 0");
#ifndef __SANITIZE_ADDRESS__
	/*
	 * A program without librumpuser runs unharmed under it (not in the
	 * sanitizer flavour: there the interposer needs libasan, which
	 * /bin/echo lacks).
	 */
	r.prog = "/bin/echo";
	run_ok(&r, out, sizeof(out), "plain", NULL, NULL, NULL);
	ATF_CHECK_STREQ(out, "plain");
	r.prog = NULL;
#endif
	r.spec = NULL;
	r.how = H_STATIC;
	run_ok(&r, out, sizeof(out), "engine", NULL, NULL, NULL);
	ATF_CHECK_STREQ(out, "engine: none");
}

ATF_TC(bio_eio);
ATF_TC_HEAD(bio_eio, tc)
{
	atf_tc_set_md_var(tc, "descr", "bio.read / bio.write errors reach "
	    "the kernel through biodone, with 0 bytes, at the chosen call, "
	    "in serial and threads mode");
}
ATF_TC_BODY(bio_eio, tc)
{
	static const char *const modes[] = { "serial", "threads" };
	struct run r;
	char out[256];
	size_t m;

	for (m = 0; m < 2; m++) {
		memset(&r, 0, sizeof(r));
		r.mode = modes[m];
		for (r.how = 0; r.how < H_COUNT; r.how++) {
			image_new();
			image_fill();
			r.spec = "bio.read:nth=2:EIO";
			run_ok(&r, out, sizeof(out), "bio", "read", "img",
			    "3");
			ATF_CHECK_STREQ_MSG(out, "4096:0/0@0 0:EIO 4096:0/0@0",
			    "%s %s", hows[r.how], modes[m]);
			image_new();
			r.spec = "bio.write:nth=1:EIO";
			run_ok(&r, out, sizeof(out), "bio", "write", "img",
			    "2");
			ATF_CHECK_STREQ_MSG(out, "0:EIO 4096:0", "%s %s",
			    hows[r.how], modes[m]);
			ATF_CHECK_EQ(image_newbytes(0), 0);
			ATF_CHECK_EQ(image_newbytes(1), BLK);
		}
	}
}

ATF_TC(short_transfer);
ATF_TC_HEAD(short_transfer, tc)
{
	atf_tc_set_md_var(tc, "descr", "short=N: iovread moves N bytes and "
	    "says so; a short bio read reports EIO with N bytes; getrandom "
	    "gives N bytes");
}
ATF_TC_BODY(short_transfer, tc)
{
	struct run r = { .spec = NULL };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		image_new();
		image_fill();
		r.spec = "iovread:nth=2:short=100";
		run_ok(&r, out, sizeof(out), "iov", "read", "img", "3");
		ATF_CHECK_STREQ_MSG(out, "4096:0/0@0 100:0/0@0 4096:0/0@0",
		    "%s", hows[r.how]);
		r.spec = "bio.read:nth=1:short=1000";
		run_ok(&r, out, sizeof(out), "bio", "read", "img", "2");
		ATF_CHECK_STREQ_MSG(out, "1000:EIO 4096:0/0@0", "%s",
		    hows[r.how]);
		r.spec = "getrandom:nth=1:short=8";
		run_ok(&r, out, sizeof(out), "random", "2", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "8:0 64:0", "%s", hows[r.how]);
	}
}

ATF_TC(bitflip);
ATF_TC_HEAD(bitflip, tc)
{
	atf_tc_set_md_var(tc, "descr", "bitflip=B changes exactly bit B of "
	    "what a read returns (bio.read, iovread); bitflip without B "
	    "exactly one bit");
}
ATF_TC_BODY(bitflip, tc)
{
	struct run r = { .spec = NULL };
	char out[256];
	unsigned flips, at;

	image_new();
	image_fill();
	for (r.how = 0; r.how < H_COUNT; r.how++) {
		r.spec = "bio.read:nth=2:bitflip=77";
		run_ok(&r, out, sizeof(out), "bio", "read", "img", "2");
		ATF_CHECK_STREQ_MSG(out, "4096:0/0@0 4096:0/1@77", "%s",
		    hows[r.how]);
		r.spec = "iovread:nth=1:bitflip";
		run_ok(&r, out, sizeof(out), "iov", "read", "img", "1");
		ATF_CHECK_MSG(sscanf(out, "4096:0/%u@%u", &flips, &at) == 2 &&
		    flips == 1 && at < BLK * 8, "%s: %s", hows[r.how], out);
	}
}

/* Expect a power cut's exit status. */
#define REQUIRE_CUT(st, what) ATF_REQUIRE_MSG(WIFEXITED(st) &&		\
	WEXITSTATUS(st) == RUMPUS_POWERCUT_STATUS, "%s: status %#x", what, st)

ATF_TC(powercut);
ATF_TC_HEAD(powercut, tc)
{
	atf_tc_set_md_var(tc, "descr", "powercut at the third write ends the "
	    "process with RUMPUS_POWERCUT_STATUS; the image holds exactly "
	    "the two writes before it (bio in serial and threads mode, "
	    "iovwrite, syncfd); the trace file says why");
}
ATF_TC_BODY(powercut, tc)
{
	static const char *const modes[] = { "serial", "threads" };
	struct run r;
	char out[256], what[64];
	size_t m;
	int st, i, iov;

	memset(&r, 0, sizeof(r));
	r.trace = "trace";
	for (r.how = 0; r.how < H_COUNT; r.how++)
		for (m = 0; m < 2; m++)
			for (iov = 0; iov < 2; iov++) {
				snprintf(what, sizeof(what), "%s %s %s",
				    hows[r.how], modes[m], iov ? "iov" : "bio");
				r.mode = modes[m];
				r.spec = iov ? "iovwrite:nth=3:powercut" :
				    "bio.write:nth=3:powercut";
				image_new();
				unlink("trace");
				st = run(&r, out, sizeof(out), iov ? "iov" :
				    "bio", "write", "img", "4", NULL);
				REQUIRE_CUT(st, what);
				for (i = 0; i < NBLK; i++)
					ATF_CHECK_EQ_MSG(image_newbytes(i),
					    i < 2 ? BLK : 0, "%s: block %d",
					    what, i);
				ATF_CHECK_MSG(file_has("trace",
				    "why: powercut"), "%s: trace", what);
			}
	r.mode = NULL;
	r.spec = "syncfd:nth=2:powercut";
	for (r.how = 0; r.how < H_COUNT; r.how++) {
		image_new();
		st = run(&r, out, sizeof(out), "sync", "img", "3", NULL);
		REQUIRE_CUT(st, hows[r.how]);
	}
	/* Without the rule, the same program ends normally. */
	r.spec = "syncfd:nth=9:powercut";
	run_ok(&r, out, sizeof(out), "sync", "img", "3", NULL);
	ATF_CHECK_STREQ(out, "0 0 0");
}

ATF_TC(torn);
ATF_TC_HEAD(torn, tc)
{
	atf_tc_set_md_var(tc, "descr", "torn=3 at the second write leaves "
	    "exactly its first 3 sectors (1536 bytes) in the image, then "
	    "cuts the power (bio in serial and threads mode, iovwrite)");
}
ATF_TC_BODY(torn, tc)
{
	static const char *const modes[] = { "serial", "threads" };
	struct run r;
	char out[256], what[64];
	size_t m;
	int st, iov;

	memset(&r, 0, sizeof(r));
	for (r.how = 0; r.how < H_COUNT; r.how++)
		for (m = 0; m < 2; m++)
			for (iov = 0; iov < 2; iov++) {
				snprintf(what, sizeof(what), "%s %s %s",
				    hows[r.how], modes[m], iov ? "iov" : "bio");
				r.mode = modes[m];
				r.spec = iov ? "iovwrite:nth=2:torn=3" :
				    "bio.write:nth=2:torn=3";
				image_new();
				st = run(&r, out, sizeof(out), iov ? "iov" :
				    "bio", "write", "img", "4", NULL);
				REQUIRE_CUT(st, what);
				ATF_CHECK_EQ_MSG(image_newbytes(0), BLK, "%s",
				    what);
				ATF_CHECK_EQ_MSG(image_newbytes(1), 1536, "%s",
				    what);
				ATF_CHECK_EQ_MSG(image_newbytes(2), 0, "%s",
				    what);
			}
}

ATF_TC(triggers);
ATF_TC_HEAD(triggers, tc)
{
	atf_tc_set_md_var(tc, "descr", "nth, every with max, after and p "
	    "pick the documented calls of real hypercalls");
}
ATF_TC_BODY(triggers, tc)
{
	struct run r = { .spec = NULL };
	char out[1024], *t;
	int fails;

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		r.spec = "malloc:every=3:max=2:ENOMEM";
		run_ok(&r, out, sizeof(out), "malloc", "10", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "0 0 ENOMEM 0 0 ENOMEM 0 0 0 0", "%s",
		    hows[r.how]);
		r.spec = "malloc:after=7:ENOMEM";
		run_ok(&r, out, sizeof(out), "malloc", "9", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "0 0 0 0 0 0 0 ENOMEM ENOMEM", "%s",
		    hows[r.how]);
		r.spec = "malloc:p=0.5:ENOMEM";
		r.seed = "3";
		run_ok(&r, out, sizeof(out), "malloc", "200", NULL, NULL);
		for (fails = 0, t = out; (t = strstr(t, "ENOMEM")) != NULL;
		    t++)
			fails++;
		ATF_CHECK_MSG(fails > 60 && fails < 140, "%s: %d of 200",
		    hows[r.how], fails);
		r.seed = NULL;
	}
}

ATF_TC(determinism);
ATF_TC_HEAD(determinism, tc)
{
	atf_tc_set_md_var(tc, "descr", "The same spec and seed give the same "
	    "outcomes and trace digest, whichever way the engine is linked "
	    "or interposed; another seed with p rules another digest");
}
ATF_TC_BODY(determinism, tc)
{
	struct run r = { .spec = "malloc:p=0.3:ENOMEM; bio.write:p=0.5:EIO",
	    .trace = "trace" };
	char out[H_COUNT][2][512], dig[H_COUNT][2][64], o8[512], d8[64];
	int s;

	for (r.how = 0; r.how < H_COUNT; r.how++)
		for (s = 0; s < 2; s++) {
			r.seed = "7";
			image_new();
			run_ok(&r, out[r.how][s], sizeof(out[r.how][s]),
			    "malloc", "100", NULL, NULL);
			trace_digest("trace", dig[r.how][s],
			    sizeof(dig[r.how][s]));
			ATF_CHECK_STREQ(out[r.how][s], out[0][0]);
			ATF_CHECK_STREQ_MSG(dig[r.how][s], dig[0][0], "%s",
			    hows[r.how]);
		}
	r.how = H_SHARED;
	r.seed = "8";
	run_ok(&r, o8, sizeof(o8), "malloc", "100", NULL, NULL);
	trace_digest("trace", d8, sizeof(d8));
	ATF_CHECK(strcmp(o8, out[0][0]) != 0);
	ATF_CHECK(strcmp(d8, dig[0][0]) != 0);
}

ATF_TC(bad_spec);
ATF_TC_HEAD(bad_spec, tc)
{
	atf_tc_set_md_var(tc, "descr", "A bad RUMPUS_FAULTS makes "
	    "rumpuser_init fail with EINVAL after the engine's message, "
	    "which names the position");
}
ATF_TC_BODY(bad_spec, tc)
{
	struct run r = { .spec = "malloc:nht=3:ENOMEM" };
	char out[256];
	int st;

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		st = run(&r, out, sizeof(out), "malloc", "1", NULL);
		ATF_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 2,
		    "%s: status %#x", hows[r.how], st);
		ATF_CHECK_STREQ(out, "init: EINVAL");
		ATF_CHECK_MSG(file_has("stderr", "RUMPUS_FAULTS: spec:1:8: "
		    "unknown trigger \"nht\""), "%s", hows[r.how]);
		ATF_CHECK_MSG(file_has("stderr", "malloc:nht=3:ENOMEM\n"
		    "       ^"), "%s: no caret", hows[r.how]);
	}
}

ATF_TC(trace_file);
ATF_TC_HEAD(trace_file, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_TRACE: at exit the file holds "
	    "the seed, spec, per-point counts, per-call-site counts and the "
	    "ring of decisions; also without a spec");
}
ATF_TC_BODY(trace_file, tc)
{
	struct run r = { .spec = "malloc:nth=2:ENOMEM", .seed = "5",
	    .trace = "trace" };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		unlink("trace");
		run_ok(&r, out, sizeof(out), "malloc", "4", NULL, NULL);
		ATF_CHECK(file_has("trace", "why: exit\nseed: 5\n"
		    "spec: malloc:nth=2:ENOMEM\n"));
		ATF_CHECK(file_has("trace", "decisions: 4\nfaults: 1\n"));
		ATF_CHECK_MSG(file_has("trace", "  malloc           calls 4 "
		    "faults 1\n"), "%s", hows[r.how]);
		ATF_CHECK(file_has("trace", "sites: (the last 4 decisions)\n"
		    "  malloc           h_hyper"));
		ATF_CHECK(file_has("trace", "faults: 1\nring:\n  #0 malloc"));
		ATF_CHECK(file_has("trace", " ENOMEM (rule 0)\n  #2 malloc"));
	}
	r.spec = NULL;
	r.how = H_SHARED;
	run_ok(&r, out, sizeof(out), "yield", "3", NULL, NULL);
	ATF_CHECK(file_has("trace", "  mutex.enter      calls 3 faults 0\n"));
}

ATF_TC(yield);
ATF_TC_HEAD(yield, tc)
{
	atf_tc_set_md_var(tc, "descr", "threads mode: delay=yield yields "
	    "the host thread (sched_yield) once per hit; delay=0us does not");
}
ATF_TC_BODY(yield, tc)
{
	struct run r = { .spec = NULL, .mode = "threads" };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		r.spec = "mutex.enter:every=2:delay=yield";
		run_ok(&r, out, sizeof(out), "yield", "10", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "yields 5", "%s", hows[r.how]);
		r.spec = "mutex.enter:delay=0us";
		run_ok(&r, out, sizeof(out), "yield", "10", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "yields 0", "%s", hows[r.how]);
	}
}

ATF_TC(serial_pause);
ATF_TC_HEAD(serial_pause, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode, librumpuser's engine "
	    "(shared, static): delay=yield gives another thread the turn, "
	    "delay=1ms waits 1 ms of virtual time, meanwhile another thread "
	    "runs; without a rule it never does");
}
ATF_TC_BODY(serial_pause, tc)
{
	struct run r = { .spec = NULL };
	char out[256];
	int k, ns;

	for (r.how = H_SHARED; r.how <= H_STATIC; r.how++) {
		r.spec = NULL;
		run_ok(&r, out, sizeof(out), "pause", "10", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "ran after 10 in 0ns", "%s",
		    hows[r.how]);
		r.spec = "mutex.enter:delay=yield";
		run_ok(&r, out, sizeof(out), "pause", "10", NULL, NULL);
		ATF_CHECK_MSG(sscanf(out, "ran after %d in %dns", &k, &ns) ==
		    2 && k >= 1 && k < 10 && ns > 0 && ns < 1000000,
		    "%s: %s", hows[r.how], out);
		r.spec = "mutex.enter:nth=1:delay=1ms";
		run_ok(&r, out, sizeof(out), "pause", "10", NULL, NULL);
		ATF_CHECK_MSG(sscanf(out, "ran after 1 in %dns", &ns) == 1 &&
		    ns >= 1000000 && ns < 1100000, "%s: %s", hows[r.how], out);
	}
}

ATF_TC(panic);
ATF_TC_HEAD(panic, tc)
{
	atf_tc_set_md_var(tc, "descr", "panic ends the process by SIGABRT, "
	    "as a kernel panic does, after the trace file is written");
}
ATF_TC_BODY(panic, tc)
{
	struct run r = { .spec = "malloc:nth=2:panic", .trace = "trace" };
	char out[256];
	int st;

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		unlink("trace");
		st = run(&r, out, sizeof(out), "malloc", "3", NULL);
		ATF_CHECK_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
		    "%s: status %#x", hows[r.how], st);
		ATF_CHECK_MSG(file_has("trace", "why: panic"), "%s",
		    hows[r.how]);
	}
}

/* Bytes equal to v in [off, off + len) of file. */
static size_t
file_count(const char *file, off_t off, size_t len, int v)
{
	unsigned char b[NBLK * BLK];
	size_t j, n = 0;
	int fd;

	ATF_REQUIRE(len <= sizeof(b));
	ATF_REQUIRE((fd = open(file, O_RDONLY)) != -1);
	ATF_REQUIRE(pread(fd, b, len, off) == (ssize_t)len);
	close(fd);
	for (j = 0; j < len; j++)
		n += b[j] == v;
	return n;
}

/*
 * A fresh overlay in r->ovfd (the last one closed) over a pristine "img"
 * of NBLK blocks of 0x55.
 */
static void
overlay_new(struct run *r)
{
	unsigned char b[NBLK * BLK];
	int fd;

	if (r->ovfd > 0)
		close(r->ovfd);
	ATF_REQUIRE_EQ(rumpus_overlay_create(&r->ovfd), 0);
	memset(b, 0x55, sizeof(b));
	ATF_REQUIRE((fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644))
	    != -1);
	ATF_REQUIRE(write(fd, b, sizeof(b)) == (ssize_t)sizeof(b));
	close(fd);
}

/*
 * The image as the overlay holds it into "out"; how many blocks were
 * written; and the pristine "img" must be untouched.
 */
static uint64_t
overlay_out(const struct run *r, const char *what)
{
	uint64_t size, nwritten;
	char path[256];
	int fd;

	ATF_REQUIRE((fd = open("out", O_RDWR | O_CREAT | O_TRUNC, 0644))
	    != -1);
	ATF_REQUIRE_EQ_MSG(rumpus_overlay_export(r->ovfd, fd), 0, "%s", what);
	close(fd);
	ATF_REQUIRE_EQ(rumpus_overlay_info(r->ovfd, path, sizeof(path), &size,
	    &nwritten), 0);
	ATF_CHECK_MATCH("/img$", path);
	ATF_CHECK_EQ(size, NBLK * BLK);
	ATF_CHECK_EQ_MSG(file_count("img", 0, NBLK * BLK, 0x55), NBLK * BLK,
	    "%s: the pristine image was written", what);
	return nwritten;
}

ATF_TC(overlay_faults);
ATF_TC_HEAD(overlay_faults, tc)
{
	atf_tc_set_md_var(tc, "descr", "With the image over an overlay, the "
	    "pristine file is never written and the overlay holds what a "
	    "host file would: every write; none after an EIO; exactly the "
	    "first 3 sectors of a torn write, the rest of its block from the "
	    "pristine image; the writes before a power cut; and reads come "
	    "from the pristine image with bit flips and short transfers "
	    "(bio and iov, serial and threads, each way of linking and the "
	    "interposer)");
}
ATF_TC_BODY(overlay_faults, tc)
{
	static const char *const modes[] = { "serial", "threads" };
	struct run r;
	char out[256], what[64], spec[64];
	const char *pt;
	size_t m;
	int st, i, iov;

	memset(&r, 0, sizeof(r));
	for (r.how = 0; r.how < H_COUNT; r.how++)
	for (m = 0; m < 2; m++)
	for (iov = 0; iov < 2; iov++) {
		snprintf(what, sizeof(what), "%s %s %s", hows[r.how],
		    modes[m], iov ? "iov" : "bio");
		r.mode = modes[m];
		pt = iov ? "iovwrite" : "bio.write";

		overlay_new(&r);
		r.spec = NULL;
		run_ok(&r, out, sizeof(out), iov ? "iov" : "bio", "write",
		    "img", "4");
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), NBLK, "%s", what);
		for (i = 0; i < NBLK; i++)
			ATF_CHECK_EQ_MSG(file_count("out", i * BLK, BLK,
			    0xa0 + i), BLK, "%s: block %d", what, i);

		overlay_new(&r);
		snprintf(spec, sizeof(spec), "%s:nth=1:EIO", pt);
		r.spec = spec;
		run_ok(&r, out, sizeof(out), iov ? "iov" : "bio", "write",
		    "img", "2");
		ATF_CHECK_STREQ_MSG(out, "0:EIO 4096:0", "%s", what);
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), 1, "%s", what);
		ATF_CHECK_EQ(file_count("out", 0, BLK, 0x55), BLK);
		ATF_CHECK_EQ(file_count("out", BLK, BLK, 0xa1), BLK);

		overlay_new(&r);
		snprintf(spec, sizeof(spec), "%s:nth=2:torn=3", pt);
		st = run(&r, out, sizeof(out), iov ? "iov" : "bio", "write",
		    "img", "4", NULL);
		REQUIRE_CUT(st, what);
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), 2, "%s", what);
		ATF_CHECK_EQ_MSG(file_count("out", 0, BLK, 0xa0), BLK, "%s",
		    what);
		ATF_CHECK_EQ_MSG(file_count("out", BLK, 1536, 0xa1), 1536,
		    "%s: the torn write's 3 sectors", what);
		ATF_CHECK_EQ_MSG(file_count("out", BLK + 1536, BLK - 1536,
		    0x55), BLK - 1536, "%s: the rest of the torn block", what);
		ATF_CHECK_EQ(file_count("out", 2 * BLK, 2 * BLK, 0x55),
		    2 * BLK);

		overlay_new(&r);
		snprintf(spec, sizeof(spec), "%s:nth=3:powercut", pt);
		st = run(&r, out, sizeof(out), iov ? "iov" : "bio", "write",
		    "img", "4", NULL);
		REQUIRE_CUT(st, what);
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), 2, "%s", what);
		for (i = 0; i < NBLK; i++)
			ATF_CHECK_EQ_MSG(file_count("out", i * BLK, BLK,
			    i < 2 ? 0xa0 + i : 0x55), BLK, "%s: block %d",
			    what, i);

		overlay_new(&r);
		snprintf(spec, sizeof(spec), "%s:nth=2:bitflip=77",
		    iov ? "iovread" : "bio.read");
		run_ok(&r, out, sizeof(out), iov ? "iov" : "bio", "read",
		    "img", "2");
		ATF_CHECK_STREQ_MSG(out, "4096:0/0@0 4096:0/1@77", "%s", what);
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), 0, "%s", what);
		overlay_new(&r);
		snprintf(spec, sizeof(spec), "%s:nth=1:short=1000",
		    iov ? "iovread" : "bio.read");
		run_ok(&r, out, sizeof(out), iov ? "iov" : "bio", "read",
		    "img", "2");
		ATF_CHECK_STREQ_MSG(out, iov ? "1000:0/0@0 4096:0/0@0" :
		    "1000:EIO 4096:0/0@0", "%s", what);
		ATF_CHECK_EQ_MSG(overlay_out(&r, what), 0, "%s", what);
	}
	close(r.ovfd);
}

ATF_TC(kernel_dynamic);
ATF_TC_HEAD(kernel_dynamic, tc)
{
	atf_tc_set_md_var(tc, "descr", "rumpus's kernel linked as a shared "
	    "object over librumpuser.so.0: its allocations fail from "
	    "RUMPUS_FAULTS, through librumpuser's engine and through the "
	    "interposer, and the trace names the kernel's call site");
}
ATF_TC_BODY(kernel_dynamic, tc)
{
#ifdef H_KERN
	struct run r = { .prog = H_KERN, .trace = "trace" };
	char out[256];

	for (r.how = H_SHARED; r.how <= H_PRELOAD; r.how += 2) {
		r.spec = NULL;
		run_ok(&r, out, sizeof(out), NULL, NULL, NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "rump_init: 0 getpid: 1", "%s",
		    hows[r.how]);
		r.spec = "malloc:nth=1:ENOMEM";
		run_ok(&r, out, sizeof(out), NULL, NULL, NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "rump_init: 12", "%s", hows[r.how]);
		ATF_CHECK_MSG(file_has("trace", "  malloc           "
		    "librumpkern.so+"), "%s: no kernel call site", hows[r.how]);
	}
#else
	atf_tc_skip("the tree has no kernel yet (kern/rumpkern.o)");
#endif
}

ATF_TC(io_ranges);
ATF_TC_HEAD(io_ranges, tc)
{
	atf_tc_set_md_var(tc, "descr", "block= (512-byte sectors) and bytes= "
	    "fault only the transfers that touch the range, at bio and iov "
	    "points, three ways");
}
ATF_TC_BODY(io_ranges, tc)
{
	struct run r = { .spec = NULL };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		image_new();
		r.spec = "bio.write:block=17:EIO";	/* inside block 2 */
		run_ok(&r, out, sizeof(out), "bio", "write", "img", "4");
		ATF_CHECK_STREQ_MSG(out, "4096:0 4096:0 0:EIO 4096:0", "%s",
		    hows[r.how]);
		image_fill();
		r.spec = "iovread:bytes=4095-4096:EIO";	/* blocks 0 and 1 */
		run_ok(&r, out, sizeof(out), "iov", "read", "img", "3");
		ATF_CHECK_STREQ_MSG(out, "0:EIO 0:EIO 4096:0/0@0", "%s",
		    hows[r.how]);
		r.spec = "bio.read:block=100-200:EIO";	/* past the image */
		run_ok(&r, out, sizeof(out), "bio", "read", "img", "2");
		ATF_CHECK_STREQ_MSG(out, "4096:0/0@0 4096:0/0@0", "%s",
		    hows[r.how]);
	}
}

ATF_TC(every_point);
ATF_TC_HEAD(every_point, tc)
{
	atf_tc_set_md_var(tc, "descr", "an errno reaches the caller of open, "
	    "thread_create, clock_sleep, cv_timedwait and syncfd exactly at "
	    "the call the spec names, and a yield at rw.enter, through librumpuser's "
	    "engine (shared, static) and the interposer; nothing without a "
	    "spec");
}
ATF_TC_BODY(every_point, tc)
{
	struct run r = { .spec = "open:nth=2:EACCES; "
	    "thread_create:nth=1:EAGAIN; clock_sleep:nth=3:EINTR; "
	    "cv_timedwait:nth=2:EINTR; rw.enter:every=2:delay=yield",
	    .mode = "threads" };
	char out[256];

	for (r.how = 0; r.how < H_COUNT; r.how++) {
		run_ok(&r, out, sizeof(out), "each", "3", NULL, NULL);
		ATF_CHECK_STREQ_MSG(out, "open:0,EACCES,0 "
		    "thread_create:EAGAIN,0,0 clock_sleep:0,0,EINTR "
		    "cv_timedwait:ETIMEDOUT,EINTR,ETIMEDOUT rw.enter:yields 1",
		    "%s", hows[r.how]);
	}
	r.spec = NULL;
	r.how = H_SHARED;
	run_ok(&r, out, sizeof(out), "each", "2", NULL, NULL);
	ATF_CHECK_STREQ(out, "open:0,0 thread_create:0,0 clock_sleep:0,0 "
	    "cv_timedwait:ETIMEDOUT,ETIMEDOUT rw.enter:yields 0");
	r.spec = "syncfd:nth=2:EIO";
	for (r.how = 0; r.how < H_COUNT; r.how++) {
		image_new();
		run_ok(&r, out, sizeof(out), "sync", "img", "3", NULL);
		ATF_CHECK_STREQ_MSG(out, "0 EIO 0", "%s", hows[r.how]);
	}
}

ATF_TC(kernel_named);
ATF_TC_HEAD(kernel_named, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_FAULTS alone names the "
	    "kernel's named points (kmem.alloc), through librumpuser's engine "
	    "(kernel linked statically and as a shared object) and through "
	    "the interposer; pid= filters by the calling kernel process; an "
	    "unknown point is an error at rump_init listing the kernel's "
	    "points, with a caret; an @site filter is refused there");
}
ATF_TC_BODY(kernel_named, tc)
{
#ifdef H_KERN
	static const struct {
		const char	*ks_spec;
		const char	*ks_out;
		const char	*ks_err;	/* in stderr, or NULL */
	} ks[] = {
		{ "kmem.alloc:nth=1:ENOMEM", "rump_init: 12", NULL },
		{ "kmem.alloc:pid=0:nth=1:ENOMEM", "rump_init: 12", NULL },
		{ "kmem.alloc:pid=7:nth=1:ENOMEM", "rump_init: 0 getpid: 1",
		    NULL },
		{ "malloc:nth=9:EIO;kmem.alocc:EIO", "rump_init: 22",
		    "RUMPUS_FAULTS: spec:1:18: unknown point \"kmem.alocc\" (expected malloc, "
		    "bio.read, bio.write, iovread, iovwrite, open, syncfd, "
		    "thread_create, getrandom, clock_sleep, cv_timedwait, "
		    "mutex.enter, rw.enter, cv.wait, or a named point of the "
		    "kernel's: kmem.alloc)\nmalloc:nth=9:EIO;kmem.alocc:EIO\n"
		    "                 ^" },
		{ "kmem.alloc@ext2_*:ENOMEM", "rump_init: 22", "spec:1:11: an "
		    "@site filter needs the kernel's function names" },
	};
	static const char *const progs[] = { H_KERN, H_KERN_STATIC, H_KERN };
	struct run r = { .trace = NULL };
	char out[256];
	size_t i;

	for (r.how = H_SHARED; r.how < H_COUNT; r.how++) {
		r.prog = progs[r.how];
		for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
			r.spec = ks[i].ks_spec;
			run_ok(&r, out, sizeof(out), NULL, NULL, NULL, NULL);
			ATF_CHECK_STREQ_MSG(out, ks[i].ks_out, "%s: %s",
			    hows[r.how], r.spec);
			if (ks[i].ks_err != NULL)
				ATF_CHECK_MSG(file_has("stderr", ks[i].ks_err),
				    "%s: %s: stderr lacks %s", hows[r.how],
				    r.spec, ks[i].ks_err);
		}
	}
#else
	atf_tc_skip("the tree has no kernel yet (kern/rumpkern.o)");
#endif
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, malloc_enomem);
	ATF_TP_ADD_TC(tp, interposer_owns_env);
	ATF_TP_ADD_TC(tp, bio_eio);
	ATF_TP_ADD_TC(tp, short_transfer);
	ATF_TP_ADD_TC(tp, bitflip);
	ATF_TP_ADD_TC(tp, powercut);
	ATF_TP_ADD_TC(tp, torn);
	ATF_TP_ADD_TC(tp, triggers);
	ATF_TP_ADD_TC(tp, determinism);
	ATF_TP_ADD_TC(tp, bad_spec);
	ATF_TP_ADD_TC(tp, trace_file);
	ATF_TP_ADD_TC(tp, yield);
	ATF_TP_ADD_TC(tp, serial_pause);
	ATF_TP_ADD_TC(tp, panic);
	ATF_TP_ADD_TC(tp, overlay_faults);
	ATF_TP_ADD_TC(tp, kernel_dynamic);
	ATF_TP_ADD_TC(tp, kernel_named);
	ATF_TP_ADD_TC(tp, every_point);
	ATF_TP_ADD_TC(tp, io_ranges);
	return atf_no_error();
}
