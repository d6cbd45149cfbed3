/*
 * librumpuser against its documentation (rumpuser(3) v17 and
 * faults/librumpuser.3): one test case per documented behaviour, each
 * driven by the recording test kernel of h_testkern.c.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rumperrno.h>
#include <rump/rumpuser.h>

#include "fault_hook.h"
#include "h_macros.h"
#include "h_testkern.h"
#include "rumpus_overlay.h"
#include "rumpus_sched.h"

/* librumpuser's errno translation (an internal, exported for tests). */
int	rumpuser__errtrans(int);

/*
 * Since index from, thread made exactly one backend unschedule and one
 * backend schedule, in that order, both naming interlock.
 */
static void
require_wrapped(int from, int thread, void *interlock, const char *what)
{
	struct tk_record log[TK_LOGMAX];
	int i, n, seen = 0;

	n = tk_log(log, TK_LOGMAX);
	for (i = from; i < n; i++) {
		if (log[i].r_thread != thread ||
		    (log[i].r_event != TK_BUNSCHED &&
		    log[i].r_event != TK_BSCHED))
			continue;
		ATF_REQUIRE_MSG(log[i].r_event ==
		    (seen == 0 ? TK_BUNSCHED : TK_BSCHED),
		    "%s: backend upcalls out of order", what);
		ATF_REQUIRE_MSG(log[i].r_interlock == interlock,
		    "%s: interlock %p, want %p", what, log[i].r_interlock,
		    interlock);
		seen++;
	}
	ATF_REQUIRE_MSG(seen == 2, "%s: %d backend (un)schedule upcalls, "
	    "want 2", what, seen);
	ATF_REQUIRE_MSG(tk_hascpu(), "%s: returned without a vCPU", what);
	TK_REQUIRE_CLEAN();
}

/* Since index from, thread gave its vCPU up nowhere. */
static void
require_unwrapped(int from, int thread, const char *what)
{

	ATF_REQUIRE_MSG(tk_count(TK_BUNSCHED, thread, from) == 0 &&
	    tk_count(TK_BSCHED, thread, from) == 0,
	    "%s gave up the vCPU", what);
	ATF_REQUIRE(tk_hascpu());
	TK_REQUIRE_CLEAN();
}

/* A scratch file of len bytes, each byte (offset & 0xff); its fd. */
static int
scratch_file(const char *path, size_t len)
{
	unsigned char buf[4096];
	size_t i, n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ATF_REQUIRE(fd != -1);
	for (i = 0; i < len; i += n) {
		n = len - i < sizeof(buf) ? len - i : sizeof(buf);
		for (size_t j = 0; j < n; j++)
			buf[j] = (unsigned char)((i + j) & 0xff);
		ATF_REQUIRE(write(fd, buf, n) == (ssize_t)n);
	}
	return fd;
}

ATF_TC(init_version);
ATF_TC_HEAD(init_version, tc)
{
	atf_tc_set_md_var(tc, "descr", "rumpuser_init refuses another "
	    "version and a table without the scheduling upcalls, accepts "
	    "17, and starts no host thread");
}
ATF_TC_BODY(init_version, tc)
{
	struct rumpuser_hyperup empty;

	memset(&empty, 0, sizeof(empty));
	REQUIRE_NBERRNO(rumpuser_init(16, &empty), RUMP_EINVAL);
	REQUIRE_NBERRNO(rumpuser_init(RUMPUSER_VERSION, &empty), RUMP_EINVAL);
	ATF_REQUIRE_EQ(tk_nthreads(), 1);
	RZ(tk_boot());
	ATF_REQUIRE_EQ_MSG(tk_nthreads(), 1, "booting started a thread");
}

ATF_TC(init_badmode);
ATF_TC_HEAD(init_badmode, tc)
{
	atf_tc_set_md_var(tc, "descr", "a bad RUMPUS_MODE or RUMPUS_SEED "
	    "makes rumpuser_init fail with EINVAL");
}
ATF_TC_BODY(init_badmode, tc)
{

	setenv("RUMPUS_MODE", "fibers", 1);
	REQUIRE_NBERRNO(tk_boot(), RUMP_EINVAL);
	setenv("RUMPUS_MODE", "serial", 1);
	setenv("RUMPUS_SEED", "12x", 1);
	REQUIRE_NBERRNO(tk_boot(), RUMP_EINVAL);
	setenv("RUMPUS_SEED", "-1", 1);
	REQUIRE_NBERRNO(tk_boot(), RUMP_EINVAL);
	setenv("RUMPUS_SEED", "18446744073709551615", 1);
	RZ(tk_boot());
}

ATF_TC(wrap_clock_sleep);
ATF_TC_HEAD(wrap_clock_sleep, tc)
{
	atf_tc_set_md_var(tc, "descr", "clock_sleep gives up the vCPU and "
	    "sleeps at least as long as asked, relative and absolute");
}
ATF_TC_BODY(wrap_clock_sleep, tc)
{
	int64_t t0, sec;
	long nsec;
	int from;

	RZ(tk_boot());
	from = tk_lognow();
	t0 = tk_msec();
	RZ(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0, 30000000L));
	ATF_REQUIRE(tk_msec() - t0 >= 30);
	require_wrapped(from, 0, NULL, "clock_sleep RELWALL");

	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec));
	nsec += 30000000L;
	if (nsec >= 1000000000L) {
		sec++;
		nsec -= 1000000000L;
	}
	from = tk_lognow();
	t0 = tk_msec();
	RZ(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO, sec, nsec));
	ATF_REQUIRE(tk_msec() - t0 >= 29);
	require_wrapped(from, 0, NULL, "clock_sleep ABSMONO");
	REQUIRE_NBERRNO(rumpuser_clock_sleep(7, 0, 0), RUMP_EINVAL);
}

ATF_TC(wrap_file_io);
ATF_TC_HEAD(wrap_file_io, tc)
{
	atf_tc_set_md_var(tc, "descr", "open, iovwrite, iovread and syncfd "
	    "give up the vCPU and move the bytes asked for");
}
ATF_TC_BODY(wrap_file_io, tc)
{
	char a[5] = "hello", b[6] = " world", back[11];
	struct rumpuser_iovec wv[2] = { { a, 5 }, { b, 6 } };
	struct rumpuser_iovec rv[1] = { { back, sizeof(back) } };
	size_t n;
	int fd, from;

	RZ(tk_boot());
	from = tk_lognow();
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_CREATE |
	    RUMPUSER_OPEN_BIO, &fd));
	require_wrapped(from, 0, NULL, "open");

	from = tk_lognow();
	RZ(rumpuser_iovwrite(fd, wv, 2, 100, &n));
	ATF_REQUIRE_EQ(n, 11);
	require_wrapped(from, 0, NULL, "iovwrite");

	from = tk_lognow();
	RZ(rumpuser_iovread(fd, rv, 1, 100, &n));
	ATF_REQUIRE_EQ(n, 11);
	ATF_REQUIRE(memcmp(back, "hello world", 11) == 0);
	require_wrapped(from, 0, NULL, "iovread");

	from = tk_lognow();
	RZ(rumpuser_syncfd(fd, RUMPUSER_SYNCFD_WRITE | RUMPUSER_SYNCFD_SYNC,
	    0, 0));
	require_wrapped(from, 0, NULL, "syncfd");
	RZ(rumpuser_close(fd));
}

/* The image of overlay_api: 3 blocks and 100 bytes of 'p'. */
#define OV_SIZE	(3 * RUMPUS_OVERLAY_BLOCK + 100)

ATF_TC(overlay_api);
ATF_TC_HEAD(overlay_api, tc)
{
	atf_tc_set_md_var(tc, "descr", "An attached image (rumpus_overlay.h): "
	    "getfileinfo and open answer for its name; a write to part of a "
	    "block keeps the rest of the block from the pristine file, which "
	    "is never written; no position (ESPIPE), ENOSPC from the end on "
	    "and a short write across it, EBADF on a read-only handle, "
	    "EEXIST for CREATE|EXCL, nothing to sync; info and export see "
	    "the writes through another descriptor; ENOENT, EFBIG, EEXIST "
	    "and EBUSY as documented");
}
ATF_TC_BODY(overlay_api, tc)
{
	static const char name[] = "/dev/null/t_rumpuser-image";
	static char want[OV_SIZE], back[OV_SIZE];
	struct rumpuser_iovec wv = { "0123456789abcdefghij", 20 };
	struct rumpuser_iovec rv = { back, sizeof(back) };
	char path[PATH_MAX];
	uint64_t size, nwritten;
	void *map;
	size_t n;
	struct stat sb;
	int fd, ro, ov, out, type;

	RZ(tk_boot());
	memset(want, 'p', sizeof(want));
	ATF_REQUIRE((fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644)) != -1);
	ATF_REQUIRE(write(fd, want, sizeof(want)) == (ssize_t)sizeof(want));
	ATF_REQUIRE((map = mmap(NULL, sizeof(want), PROT_READ, MAP_SHARED, fd,
	    0)) != MAP_FAILED);
	close(fd);
	ATF_REQUIRE((out = open("out", O_RDWR | O_CREAT | O_TRUNC, 0644)) !=
	    -1);

	ATF_REQUIRE_EQ(rumpus_overlay_create(&ov), 0);
	ATF_REQUIRE_EQ(rumpus_overlay_info(ov, NULL, 0, NULL, NULL), ENOENT);
	ATF_REQUIRE_EQ(rumpus_overlay_export(ov, out), ENOENT);
	ATF_REQUIRE_EQ(rumpus_overlay_attach(ov, name, "img", map,
	    RUMPUS_OVERLAY_MAXIMAGE + 1), EFBIG);
	ATF_REQUIRE_EQ(rumpus_overlay_attach(ov, name, "img", map, OV_SIZE), 0);
	ATF_REQUIRE_EQ(rumpus_overlay_attach(ov, name, "img", map, OV_SIZE),
	    EEXIST);
	ATF_REQUIRE_EQ(rumpus_overlay_attach(ov, "/dev/null/other", "img", map,
	    OV_SIZE), EBUSY);

	RZ(rumpuser_getfileinfo(name, &size, &type));
	ATF_REQUIRE_EQ(size, OV_SIZE);
	ATF_REQUIRE_EQ(type, RUMPUSER_FT_REG);
	REQUIRE_NBERRNO(rumpuser_open(name, RUMPUSER_OPEN_RDWR |
	    RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL, &fd), RUMP_EEXIST);
	RZ(rumpuser_open(name, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd));
	REQUIRE_NBERRNO(rumpuser_iovwrite(fd, &wv, 1, RUMPUSER_IOV_NOSEEK, &n),
	    RUMP_ESPIPE);

	/* 10 bytes inside block 1: the rest of it stays pristine. */
	wv.iov_len = 10;
	RZ(rumpuser_iovwrite(fd, &wv, 1, RUMPUS_OVERLAY_BLOCK + 100, &n));
	ATF_REQUIRE_EQ(n, 10);
	memcpy(want + RUMPUS_OVERLAY_BLOCK + 100, "0123456789", 10);
	/* 20 bytes from 10 before the end: 10 written, then ENOSPC. */
	wv.iov_len = 20;
	RZ(rumpuser_iovwrite(fd, &wv, 1, OV_SIZE - 10, &n));
	ATF_REQUIRE_EQ(n, 10);
	memcpy(want + OV_SIZE - 10, "0123456789", 10);
	REQUIRE_NBERRNO(rumpuser_iovwrite(fd, &wv, 1, OV_SIZE, &n),
	    RUMP_ENOSPC);
	RZ(rumpuser_iovread(fd, &rv, 1, 0, &n));
	ATF_REQUIRE_EQ(n, OV_SIZE);
	ATF_REQUIRE(memcmp(back, want, sizeof(want)) == 0);
	RZ(rumpuser_iovread(fd, &rv, 1, OV_SIZE, &n));
	ATF_REQUIRE_EQ(n, 0);
	RZ(rumpuser_syncfd(fd, RUMPUSER_SYNCFD_WRITE | RUMPUSER_SYNCFD_SYNC,
	    0, 0));
	RZ(rumpuser_open(name, RUMPUSER_OPEN_RDONLY, &ro));
	REQUIRE_NBERRNO(rumpuser_iovwrite(ro, &wv, 1, 0, &n), RUMP_EBADF);
	RZ(rumpuser_close(ro));
	RZ(rumpuser_close(fd));

	/* The pristine file is as it was; the overlay has two blocks. */
	ATF_REQUIRE((fd = open("img", O_RDONLY)) != -1);
	ATF_REQUIRE(pread(fd, back, sizeof(back), 0) == (ssize_t)sizeof(back));
	close(fd);
	memset(want + RUMPUS_OVERLAY_BLOCK + 100, 'p', 10);
	memset(want + OV_SIZE - 10, 'p', 10);
	ATF_REQUIRE(memcmp(back, want, sizeof(want)) == 0);
	ATF_REQUIRE_EQ(rumpus_overlay_info(ov, path, sizeof(path), &size,
	    &nwritten), 0);
	ATF_REQUIRE_MATCH("^/.*/img$", path);
	ATF_REQUIRE_EQ(size, OV_SIZE);
	ATF_REQUIRE_EQ(nwritten, 2);
	ATF_REQUIRE_EQ(rumpus_overlay_export(ov, out), 0);
	ATF_REQUIRE(fstat(out, &sb) == 0 && sb.st_size == OV_SIZE);
	ATF_REQUIRE(pread(out, back, sizeof(back), 0) == (ssize_t)sizeof(back));
	memcpy(want + RUMPUS_OVERLAY_BLOCK + 100, "0123456789", 10);
	memcpy(want + OV_SIZE - 10, "0123456789", 10);
	ATF_REQUIRE(memcmp(back, want, sizeof(want)) == 0);
	close(out);
	close(ov);
	munmap(map, sizeof(want));
}

/* A thread that holds a lock until the main thread gives up its vCPU. */
struct holder {
	struct rumpuser_mtx *h_mtx;
	struct rumpuser_rw *h_rw;
	int		 h_from;	/* log index to look from */
	int		 h_waitms;	/* how long to wait for the upcall */
	int		 h_held;	/* set once it holds the lock */
	int		 h_sawupcall;	/* the main thread unscheduled */
};

static void *
holder_main(void *arg)
{
	struct holder *h = arg;

	tk_setcpu(1);
	if (h->h_mtx != NULL)
		rumpuser_mutex_enter_nowrap(h->h_mtx);
	else
		rumpuser_rw_enter(RUMPUSER_RW_READER, h->h_rw);
	__atomic_store_n(&h->h_held, 1, __ATOMIC_SEQ_CST);
	h->h_sawupcall = tk_wait_event(TK_BUNSCHED, 0, h->h_from, h->h_waitms);
	if (h->h_mtx != NULL)
		rumpuser_mutex_exit(h->h_mtx);
	else
		rumpuser_rw_exit(h->h_rw);
	return NULL;
}

/* Start a holder and wait until it holds its lock. */
static void
holder_start(pthread_t *pt, struct holder *h)
{

	h->h_from = tk_lognow();
	ATF_REQUIRE(pthread_create(pt, NULL, holder_main, h) == 0);
	while (!__atomic_load_n(&h->h_held, __ATOMIC_SEQ_CST))
		usleep(1000);
}

ATF_TC(wrap_mutex_enter);
ATF_TC_HEAD(wrap_mutex_enter, tc)
{
	atf_tc_set_md_var(tc, "descr", "mutex_enter of a held mutex gives up "
	    "the vCPU while it waits; of a free one it does not");
}
ATF_TC_BODY(wrap_mutex_enter, tc)
{
	struct rumpuser_mtx *mtx;
	struct holder h = { .h_waitms = 5000 };
	pthread_t pt;
	int from;

	RZ(tk_boot());
	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	from = tk_lognow();
	rumpuser_mutex_enter(mtx);
	rumpuser_mutex_exit(mtx);
	require_unwrapped(from, 0, "mutex_enter of a free mutex");

	h.h_mtx = mtx;
	holder_start(&pt, &h);
	rumpuser_mutex_enter(mtx);
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
	ATF_REQUIRE_MSG(h.h_sawupcall, "no unschedule while waiting");
	require_wrapped(h.h_from, 0, NULL, "mutex_enter of a held mutex");
	rumpuser_mutex_destroy(mtx);
}

ATF_TC(nowrap_mutex);
ATF_TC_HEAD(nowrap_mutex, tc)
{
	atf_tc_set_md_var(tc, "descr", "mutex_enter_nowrap, and mutex_enter "
	    "of a SPIN mutex, wait for a held mutex keeping the vCPU");
}
ATF_TC_BODY(nowrap_mutex, tc)
{
	struct rumpuser_mtx *mtx, *spin;
	struct holder h = { .h_waitms = 100 };
	pthread_t pt;

	RZ(tk_boot());
	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	h.h_mtx = mtx;
	holder_start(&pt, &h);
	rumpuser_mutex_enter_nowrap(mtx);
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
	require_unwrapped(h.h_from, 0, "mutex_enter_nowrap");

	rumpuser_mutex_init(&spin, RUMPUSER_MTX_SPIN);
	memset(&h, 0, sizeof(h));
	h.h_waitms = 100;
	h.h_mtx = spin;
	holder_start(&pt, &h);
	rumpuser_mutex_enter(spin);
	rumpuser_mutex_exit(spin);
	pthread_join(pt, NULL);
	require_unwrapped(h.h_from, 0, "mutex_enter of a spin mutex");
}

ATF_TC(wrap_rw_enter);
ATF_TC_HEAD(wrap_rw_enter, tc)
{
	atf_tc_set_md_var(tc, "descr", "rw_enter as writer of a lock held "
	    "shared gives up the vCPU while it waits");
}
ATF_TC_BODY(wrap_rw_enter, tc)
{
	struct rumpuser_rw *rw;
	struct holder h = { .h_waitms = 5000 };
	pthread_t pt;
	int from;

	RZ(tk_boot());
	rumpuser_rw_init(&rw);
	from = tk_lognow();
	rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw);
	rumpuser_rw_exit(rw);
	require_unwrapped(from, 0, "rw_enter of a free lock");

	h.h_rw = rw;
	holder_start(&pt, &h);
	rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw);
	rumpuser_rw_exit(rw);
	pthread_join(pt, NULL);
	ATF_REQUIRE_MSG(h.h_sawupcall, "no unschedule while waiting");
	require_wrapped(h.h_from, 0, NULL, "rw_enter of a held lock");
	rumpuser_rw_destroy(rw);
}

/* A thread that signals cv once the main thread is waiting on it. */
struct signaller {
	struct rumpuser_cv *s_cv;
	struct rumpuser_mtx *s_mtx;
	int		 s_broadcast;
};

static void *
signaller_main(void *arg)
{
	struct signaller *s = arg;
	int waiters;

	tk_setcpu(1);
	for (;;) {
		rumpuser_mutex_enter_nowrap(s->s_mtx);
		rumpuser_cv_has_waiters(s->s_cv, &waiters);
		if (waiters > 0)
			break;
		rumpuser_mutex_exit(s->s_mtx);
		usleep(1000);
	}
	if (s->s_broadcast)
		rumpuser_cv_broadcast(s->s_cv);
	else
		rumpuser_cv_signal(s->s_cv);
	rumpuser_mutex_exit(s->s_mtx);
	return NULL;
}

ATF_TC(wrap_cv_wait);
ATF_TC_HEAD(wrap_cv_wait, tc)
{
	atf_tc_set_md_var(tc, "descr", "cv_wait gives up the vCPU naming its "
	    "interlock; cv_wait_nowrap keeps it; both return holding the "
	    "interlock");
}
ATF_TC_BODY(wrap_cv_wait, tc)
{
	struct signaller s;
	struct rumpuser_mtx *mtx;
	struct rumpuser_cv *cv;
	struct lwp *owner;
	pthread_t pt;
	int from;

	RZ(tk_boot());
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&s);
	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&cv);
	s.s_cv = cv;
	s.s_mtx = mtx;
	s.s_broadcast = 0;

	rumpuser_mutex_enter(mtx);
	from = tk_lognow();
	ATF_REQUIRE(pthread_create(&pt, NULL, signaller_main, &s) == 0);
	rumpuser_cv_wait(cv, mtx);
	rumpuser_mutex_owner(mtx, &owner);
	ATF_REQUIRE_EQ(owner, (struct lwp *)&s);
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
	require_wrapped(from, 0, mtx, "cv_wait");

	rumpuser_mutex_enter(mtx);
	from = tk_lognow();
	ATF_REQUIRE(pthread_create(&pt, NULL, signaller_main, &s) == 0);
	rumpuser_cv_wait_nowrap(cv, mtx);
	rumpuser_mutex_owner(mtx, &owner);
	ATF_REQUIRE_EQ(owner, (struct lwp *)&s);
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
	require_unwrapped(from, 0, "cv_wait_nowrap");
}

/* At backend schedule: is the interlock free (tryenter 0) or held? */
static int wakeup_tryenter = -1;

static void
wakeup_probe(void *interlock)
{

	if (interlock == NULL)
		return;
	wakeup_tryenter = rumpuser_mutex_tryenter(interlock);
	if (wakeup_tryenter == 0)
		rumpuser_mutex_exit(interlock);
}

/* Wait on cv with a mutex of the given flags; the probe's result. */
static int
wakeup_order(int flags)
{
	struct signaller s;
	struct rumpuser_mtx *mtx;
	struct rumpuser_cv *cv;
	struct lwp *owner;
	pthread_t pt;

	rumpuser_mutex_init(&mtx, flags);
	rumpuser_cv_init(&cv);
	s.s_cv = cv;
	s.s_mtx = mtx;
	s.s_broadcast = 0;
	wakeup_tryenter = -1;
	tk_bsched_hook = wakeup_probe;
	rumpuser_mutex_enter(mtx);
	ATF_REQUIRE(pthread_create(&pt, NULL, signaller_main, &s) == 0);
	rumpuser_cv_wait(cv, mtx);
	tk_bsched_hook = NULL;
	/* Held again on return, by this thread. */
	ATF_REQUIRE_EQ(rumpuser_mutex_tryenter(mtx), RUMP_EBUSY);
	if (flags & RUMPUSER_MTX_KMUTEX) {
		rumpuser_mutex_owner(mtx, &owner);
		ATF_REQUIRE_EQ(owner, rumpuser_curlwp());
	}
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
	rumpuser_cv_destroy(cv);
	rumpuser_mutex_destroy(mtx);
	return wakeup_tryenter;
}

ATF_TC(cv_wakeup_order);
ATF_TC_HEAD(cv_wakeup_order, tc)
{
	atf_tc_set_md_var(tc, "descr", "on wakeup a SPIN+KMUTEX interlock is "
	    "taken after the vCPU, a pure SPIN one before it");
}
ATF_TC_BODY(cv_wakeup_order, tc)
{
	int l;

	RZ(tk_boot());
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&l);
	ATF_REQUIRE_EQ_MSG(wakeup_order(RUMPUSER_MTX_SPIN |
	    RUMPUSER_MTX_KMUTEX), 0, "SPIN+KMUTEX interlock held at schedule");
	ATF_REQUIRE_EQ_MSG(wakeup_order(RUMPUSER_MTX_SPIN), RUMP_EBUSY,
	    "SPIN interlock not held at schedule");
	TK_REQUIRE_CLEAN();
}

ATF_TC(mutex_owner);
ATF_TC_HEAD(mutex_owner, tc)
{
	atf_tc_set_md_var(tc, "descr", "mutex_owner reports the lwp holding "
	    "a KMUTEX, to any thread, and NULL when it is free");
}

static struct rumpuser_mtx *owner_mtx;

static void *
owner_main(void *arg)
{
	struct lwp *owner;

	tk_setcpu(1);
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&owner);
	rumpuser_mutex_owner(owner_mtx, &owner);
	if (rumpuser_mutex_tryenter(owner_mtx) != RUMP_EBUSY)
		return NULL;
	return owner;
}

ATF_TC_BODY(mutex_owner, tc)
{
	struct lwp *owner;
	pthread_t pt;
	void *seen;
	int l;

	RZ(tk_boot());
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&l);
	rumpuser_mutex_init(&owner_mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_mutex_owner(owner_mtx, &owner);
	ATF_REQUIRE_EQ(owner, NULL);
	rumpuser_mutex_enter(owner_mtx);
	rumpuser_mutex_owner(owner_mtx, &owner);
	ATF_REQUIRE_EQ(owner, (struct lwp *)&l);
	ATF_REQUIRE(pthread_create(&pt, NULL, owner_main, NULL) == 0);
	pthread_join(pt, &seen);
	ATF_REQUIRE_EQ_MSG(seen, (void *)&l, "another thread sees owner %p",
	    seen);
	rumpuser_mutex_exit(owner_mtx);
	rumpuser_mutex_owner(owner_mtx, &owner);
	ATF_REQUIRE_EQ(owner, NULL);
	RZ(rumpuser_mutex_tryenter(owner_mtx));
	rumpuser_mutex_owner(owner_mtx, &owner);
	ATF_REQUIRE_EQ(owner, (struct lwp *)&l);
	rumpuser_mutex_exit(owner_mtx);
}

/* Fork; the child misuses a mutex as told; its wait status. */
static int
misuse_status(int twice)
{
	struct rlimit nocore = { 0, 0 };
	struct rumpuser_mtx *mtx;
	pid_t pid;
	int status;

	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &nocore);
		close(STDERR_FILENO);
		rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
		if (twice) {
			rumpuser_mutex_enter(mtx);
			rumpuser_mutex_enter(mtx);
		} else
			rumpuser_mutex_exit(mtx);
		_exit(0);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

ATF_TC(mutex_misuse);
ATF_TC_HEAD(mutex_misuse, tc)
{
	atf_tc_set_md_var(tc, "descr", "unlocking a mutex that is not held, "
	    "or locking one twice, aborts the process");
}
ATF_TC_BODY(mutex_misuse, tc)
{
	int status;

	RZ(tk_boot());
	status = misuse_status(0);
	ATF_REQUIRE_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "exit of a free mutex: status %#x", status);
	status = misuse_status(1);
	ATF_REQUIRE_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "second enter: status %#x", status);
}

ATF_TC(mutex_tryenter);
ATF_TC_HEAD(mutex_tryenter, tc)
{
	atf_tc_set_md_var(tc, "descr", "mutex_tryenter returns 0 for a free "
	    "mutex and EBUSY for a held one");
}
ATF_TC_BODY(mutex_tryenter, tc)
{
	struct rumpuser_mtx *mtx;
	struct holder h = { .h_waitms = 0 };
	pthread_t pt;

	RZ(tk_boot());
	rumpuser_mutex_init(&mtx, 0);
	RZ(rumpuser_mutex_tryenter(mtx));
	REQUIRE_NBERRNO(rumpuser_mutex_tryenter(mtx), RUMP_EBUSY);
	rumpuser_mutex_exit(mtx);

	h.h_mtx = mtx;
	h.h_waitms = 2000;
	holder_start(&pt, &h);
	REQUIRE_NBERRNO(rumpuser_mutex_tryenter(mtx), RUMP_EBUSY);
	tk_note(TK_BUNSCHED, 0, 0);	/* releases the holder */
	pthread_join(pt, NULL);
	RZ(rumpuser_mutex_tryenter(mtx));
	rumpuser_mutex_exit(mtx);
}

/* rw_tryenter from another thread, for rw_locks. */
static struct rumpuser_rw *other_rw;
static int other_op;

static void *
other_tryenter(void *arg)
{
	intptr_t rv;

	tk_setcpu(1);
	rv = rumpuser_rw_tryenter(other_op, other_rw);
	if (rv == 0)
		rumpuser_rw_exit(other_rw);
	return (void *)rv;
}

static int
tryenter_elsewhere(int op, struct rumpuser_rw *rw)
{
	pthread_t pt;
	void *rv;

	other_rw = rw;
	other_op = op;
	ATF_REQUIRE(pthread_create(&pt, NULL, other_tryenter, NULL) == 0);
	pthread_join(pt, &rv);
	return (int)(intptr_t)rv;
}

ATF_TC(rw_locks);
ATF_TC_HEAD(rw_locks, tc)
{
	atf_tc_set_md_var(tc, "descr", "rw_tryenter, rw_tryupgrade (only "
	    "for a sole reader), rw_downgrade and rw_held");
}
ATF_TC_BODY(rw_locks, tc)
{
	struct rumpuser_rw *rw;
	int held, l;

	RZ(tk_boot());
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&l);
	rumpuser_rw_init(&rw);
	rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held);
	ATF_REQUIRE_EQ(held, 0);
	RZ(rumpuser_rw_tryenter(RUMPUSER_RW_READER, rw));
	RZ(rumpuser_rw_tryenter(RUMPUSER_RW_READER, rw));
	rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held);
	ATF_REQUIRE_EQ(held, 1);
	REQUIRE_NBERRNO(rumpuser_rw_tryupgrade(rw), RUMP_EBUSY);
	REQUIRE_NBERRNO(tryenter_elsewhere(RUMPUSER_RW_WRITER, rw),
	    RUMP_EBUSY);
	rumpuser_rw_exit(rw);
	RZ(rumpuser_rw_tryupgrade(rw));
	rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held);
	ATF_REQUIRE_EQ(held, 1);
	rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held);
	ATF_REQUIRE_EQ(held, 0);
	REQUIRE_NBERRNO(tryenter_elsewhere(RUMPUSER_RW_READER, rw),
	    RUMP_EBUSY);
	REQUIRE_NBERRNO(rumpuser_rw_tryenter(RUMPUSER_RW_WRITER, rw),
	    RUMP_EBUSY);

	rumpuser_rw_downgrade(rw);
	rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held);
	ATF_REQUIRE_EQ(held, 0);
	rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held);
	ATF_REQUIRE_EQ(held, 1);
	RZ(tryenter_elsewhere(RUMPUSER_RW_READER, rw));
	REQUIRE_NBERRNO(tryenter_elsewhere(RUMPUSER_RW_WRITER, rw),
	    RUMP_EBUSY);
	rumpuser_rw_exit(rw);
	RZ(tryenter_elsewhere(RUMPUSER_RW_WRITER, rw));
	rumpuser_rw_destroy(rw);
	TK_REQUIRE_CLEAN();
}

ATF_TC(cv_timedwait);
ATF_TC_HEAD(cv_timedwait, tc)
{
	atf_tc_set_md_var(tc, "descr", "cv_timedwait takes a relative "
	    "timeout: ETIMEDOUT once it has passed, 0 when signalled");
}
ATF_TC_BODY(cv_timedwait, tc)
{
	struct signaller s;
	struct rumpuser_mtx *mtx;
	struct rumpuser_cv *cv;
	pthread_t pt;
	int64_t t0, dt;
	int from;

	RZ(tk_boot());
	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&cv);
	rumpuser_mutex_enter(mtx);
	from = tk_lognow();
	t0 = tk_msec();
	REQUIRE_NBERRNO(rumpuser_cv_timedwait(cv, mtx, 0, 200000000L),
	    RUMP_ETIMEDOUT);
	dt = tk_msec() - t0;
	ATF_REQUIRE_MSG(dt >= 199 && dt < 3000, "timed out after %jd ms",
	    (intmax_t)dt);
	require_wrapped(from, 0, mtx, "cv_timedwait");

	s.s_cv = cv;
	s.s_mtx = mtx;
	s.s_broadcast = 0;
	ATF_REQUIRE(pthread_create(&pt, NULL, signaller_main, &s) == 0);
	t0 = tk_msec();
	RZ(rumpuser_cv_timedwait(cv, mtx, 10, 0));
	ATF_REQUIRE(tk_msec() - t0 < 9000);
	rumpuser_mutex_exit(mtx);
	pthread_join(pt, NULL);
}

/* The waiters of cv_broadcast_all. */
#define NWAITERS	4
static struct rumpuser_mtx *bc_mtx;
static struct rumpuser_cv *bc_cv;
static int bc_go, bc_woken;

static void *
bc_waiter(void *arg)
{

	tk_setcpu(1);
	rumpuser_mutex_enter(bc_mtx);
	while (!bc_go)
		rumpuser_cv_wait(bc_cv, bc_mtx);
	bc_woken++;
	rumpuser_mutex_exit(bc_mtx);
	tk_setcpu(0);
	return NULL;
}

ATF_TC(cv_broadcast_all);
ATF_TC_HEAD(cv_broadcast_all, tc)
{
	atf_tc_set_md_var(tc, "descr", "cv_broadcast wakes every waiter; "
	    "cv_has_waiters counts them");
}
ATF_TC_BODY(cv_broadcast_all, tc)
{
	void *cookie[NWAITERS];
	int i, waiters, woken;
	int64_t t0;

	RZ(tk_boot());
	rumpuser_mutex_init(&bc_mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&bc_cv);
	for (i = 0; i < NWAITERS; i++)
		RZ(rumpuser_thread_create(bc_waiter, NULL, "waiter", 1, 0, -1,
		    &cookie[i]));
	t0 = tk_msec();
	do {
		usleep(1000);
		rumpuser_mutex_enter(bc_mtx);
		rumpuser_cv_has_waiters(bc_cv, &waiters);
		rumpuser_mutex_exit(bc_mtx);
	} while (waiters < NWAITERS && tk_msec() - t0 < 5000);
	ATF_REQUIRE_EQ(waiters, NWAITERS);

	rumpuser_mutex_enter(bc_mtx);
	bc_go = 1;
	rumpuser_cv_broadcast(bc_cv);
	rumpuser_mutex_exit(bc_mtx);
	t0 = tk_msec();
	do {
		usleep(1000);
		rumpuser_mutex_enter(bc_mtx);
		woken = bc_woken;
		rumpuser_mutex_exit(bc_mtx);
	} while (woken < NWAITERS && tk_msec() - t0 < 3000);
	ATF_REQUIRE_EQ_MSG(woken, NWAITERS, "broadcast woke %d of %d",
	    woken, NWAITERS);
	for (i = 0; i < NWAITERS; i++)
		RZ(rumpuser_thread_join(cookie[i]));
	rumpuser_cv_has_waiters(bc_cv, &waiters);
	ATF_REQUIRE_EQ(waiters, 0);
	TK_REQUIRE_CLEAN();
}

static int thr_ran;

static void *
thr_main(void *arg)
{

	__atomic_store_n(&thr_ran, (int)(intptr_t)arg, __ATOMIC_SEQ_CST);
	rumpuser_thread_exit();
}

ATF_TC(thread_create_join);
ATF_TC_HEAD(thread_create_join, tc)
{
	atf_tc_set_md_var(tc, "descr", "thread_create runs the function; "
	    "thread_join waits for a mustjoin thread, giving up the vCPU");
}
ATF_TC_BODY(thread_create_join, tc)
{
	void *cookie;
	int64_t t0;
	int from;

	RZ(tk_boot());
	RZ(rumpuser_thread_create(thr_main, (void *)7, "joinme", 1, 0, -1,
	    &cookie));
	from = tk_lognow();
	RZ(rumpuser_thread_join(cookie));
	ATF_REQUIRE_EQ(thr_ran, 7);
	require_wrapped(from, 0, NULL, "thread_join");

	RZ(rumpuser_thread_create(thr_main, (void *)8, "detached", 0, 0, -1,
	    NULL));
	t0 = tk_msec();
	while (__atomic_load_n(&thr_ran, __ATOMIC_SEQ_CST) != 8 &&
	    tk_msec() - t0 < 5000)
		usleep(1000);
	ATF_REQUIRE_EQ(thr_ran, 8);
}

ATF_TC(getparam);
ATF_TC_HEAD(getparam, tc)
{
	atf_tc_set_md_var(tc, "descr", "getparam: _RUMPUSER_NCPU, "
	    "_RUMPUSER_HOSTNAME, environment names, ENOENT and E2BIG");
}
ATF_TC_BODY(getparam, tc)
{
	char buf[256], want[256];

	unsetenv("RUMP_NCPU");
	unsetenv("RUMP_HOSTNAME");
	RZ(tk_boot());
	RZ(rumpuser_getparam(RUMPUSER_PARAM_NCPU, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	ATF_REQUIRE_STREQ(buf, want);
	RZ(rumpuser_getparam(RUMPUSER_PARAM_HOSTNAME, buf, sizeof(buf)));
	ATF_REQUIRE(gethostname(want, sizeof(want)) == 0);
	ATF_REQUIRE_STREQ(buf, want);

	setenv("RUMP_NCPU", "3", 1);
	RZ(rumpuser_getparam(RUMPUSER_PARAM_NCPU, buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "3");
	setenv("RUMP_VERBOSE", "1", 1);
	RZ(rumpuser_getparam("RUMP_VERBOSE", buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "1");
	unsetenv("RUMP_MEMLIMIT");
	REQUIRE_NBERRNO(rumpuser_getparam("RUMP_MEMLIMIT", buf, sizeof(buf)),
	    RUMP_ENOENT);
	REQUIRE_NBERRNO(rumpuser_getparam("_RUMPUSER_NOSUCH", buf,
	    sizeof(buf)), RUMP_ENOENT);
	/* "3" needs two bytes. */
	REQUIRE_NBERRNO(rumpuser_getparam(RUMPUSER_PARAM_NCPU, buf, 1),
	    RUMP_E2BIG);
	REQUIRE_NBERRNO(rumpuser_getparam("RUMP_VERBOSE", buf, 1),
	    RUMP_E2BIG);
	RZ(rumpuser_getparam("RUMP_VERBOSE", buf, 2));

	/* Serial mode: one CPU whatever the host or RUMP_NCPU say. */
	setenv("RUMPUS_MODE", "serial", 1);
	RZ(tk_boot());
	RZ(rumpuser_getparam(RUMPUSER_PARAM_NCPU, buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "1");
}

ATF_TC(errno_translation);
ATF_TC_HEAD(errno_translation, tc)
{
	atf_tc_set_md_var(tc, "descr", "host errors come back as NetBSD "
	    "errno values: ENOENT, EISDIR, EEXIST, EBADF, EAGAIN 11->35");
}
ATF_TC_BODY(errno_translation, tc)
{
	struct rumpuser_iovec iov;
	char c;
	size_t n;
	int fd, p[2];

	RZ(tk_boot());
	REQUIRE_NBERRNO(rumpuser_open("/nonexistent/file", RUMPUSER_OPEN_RDONLY,
	    &fd), 2);
	ATF_REQUIRE(mkdir("dir", 0755) == 0);
	REQUIRE_NBERRNO(rumpuser_open("dir", RUMPUSER_OPEN_RDWR, &fd), 21);
	close(scratch_file("file", 1));
	REQUIRE_NBERRNO(rumpuser_open("file", RUMPUSER_OPEN_RDWR |
	    RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL, &fd), 17);
	iov.iov_base = &c;
	iov.iov_len = 1;
	REQUIRE_NBERRNO(rumpuser_iovread(1000, &iov, 1, 0, &n), 9);
	/* An empty non-blocking pipe: host EAGAIN (11) is NetBSD's 35. */
	ATF_REQUIRE(pipe2(p, O_NONBLOCK) == 0);
	REQUIRE_NBERRNO(rumpuser_iovread(p[0], &iov, 1, RUMPUSER_IOV_NOSEEK,
	    &n), 35);
	REQUIRE_NBERRNO(rumpuser_open("file", 0x100, &fd), RUMP_EINVAL);

	ATF_REQUIRE_EQ(rumpuser__errtrans(EAGAIN), 35);
	ATF_REQUIRE_EQ(rumpuser__errtrans(EDEADLK), 11);
	ATF_REQUIRE_EQ(rumpuser__errtrans(ENAMETOOLONG), 63);
	ATF_REQUIRE_EQ(rumpuser__errtrans(ENOTEMPTY), 66);
	ATF_REQUIRE_EQ(rumpuser__errtrans(ETIMEDOUT), 60);
	ATF_REQUIRE_EQ(rumpuser__errtrans(ENOSPC), 28);
	ATF_REQUIRE_EQ(rumpuser__errtrans(EOPNOTSUPP), 45);
	/* Linux-only errors have no NetBSD number: EIO. */
	ATF_REQUIRE_EQ(rumpuser__errtrans(ENOMEDIUM), RUMP_EIO);
	ATF_REQUIRE_EQ(rumpuser__errtrans(0), 0);
}

static int seterrno_other;

static void *
seterrno_main(void *arg)
{

	errno = 0;
	rumpuser_seterrno(RUMP_ENOSPC);
	seterrno_other = errno;
	return NULL;
}

ATF_TC(seterrno);
ATF_TC_HEAD(seterrno, tc)
{
	atf_tc_set_md_var(tc, "descr", "seterrno sets the calling thread's "
	    "errno to the NetBSD number, and only that thread's");
}
ATF_TC_BODY(seterrno, tc)
{
	pthread_t pt;

	RZ(tk_boot());
	rumpuser_seterrno(RUMP_EAGAIN);
	ATF_REQUIRE_EQ(errno, 35);
	ATF_REQUIRE(pthread_create(&pt, NULL, seterrno_main, NULL) == 0);
	pthread_join(pt, NULL);
	ATF_REQUIRE_EQ(seterrno_other, RUMP_ENOSPC);
	ATF_REQUIRE_EQ(errno, 35);
}

/* Fork; the child calls rumpuser_exit(value); its wait status. */
static int
exit_status(int value)
{
	struct rlimit nocore = { 0, 0 };
	pid_t pid;
	int status;

	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &nocore);
		rumpuser_putchar('x');
		rumpuser_exit(value);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

ATF_TC(exit_panic);
ATF_TC_HEAD(exit_panic, tc)
{
	atf_tc_set_md_var(tc, "descr", "rumpuser_exit(RUMPUSER_PANIC) aborts "
	    "(SIGABRT is seen); another value is the exit status");
}
ATF_TC_BODY(exit_panic, tc)
{
	int status;

	RZ(tk_boot());
	status = exit_status(RUMPUSER_PANIC);
	ATF_REQUIRE_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "status %#x", status);
	status = exit_status(3);
	ATF_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

static void *
curlwp_main(void *arg)
{

	return rumpuser_curlwp();
}

ATF_TC(curlwp);
ATF_TC_HEAD(curlwp, tc)
{
	atf_tc_set_md_var(tc, "descr", "curlwpop SET/CLEAR bind an lwp to "
	    "the calling host thread only; curlwp reports it");
}
ATF_TC_BODY(curlwp, tc)
{
	pthread_t pt;
	void *seen;
	int l;

	RZ(tk_boot());
	ATF_REQUIRE_EQ(rumpuser_curlwp(), NULL);
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, (struct lwp *)&l);
	ATF_REQUIRE_EQ(rumpuser_curlwp(), NULL);
	rumpuser_curlwpop(RUMPUSER_LWP_SET, (struct lwp *)&l);
	ATF_REQUIRE_EQ(rumpuser_curlwp(), (struct lwp *)&l);
	ATF_REQUIRE(pthread_create(&pt, NULL, curlwp_main, NULL) == 0);
	pthread_join(pt, &seen);
	ATF_REQUIRE_EQ(seen, NULL);
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, (struct lwp *)&l);
	ATF_REQUIRE_EQ(rumpuser_curlwp(), NULL);
	rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, (struct lwp *)&l);
}

/* biodone of the bio tests: log it and wake the test. */
static pthread_mutex_t bio_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_cv = PTHREAD_COND_INITIALIZER;
static int bio_ndone;

static void
bio_done(void *arg, size_t bytes, int error)
{

	tk_note(TK_BIODONE, (int64_t)bytes, error);
	pthread_mutex_lock(&bio_mtx);
	bio_ndone++;
	pthread_cond_broadcast(&bio_cv);
	pthread_mutex_unlock(&bio_mtx);
}

/* Wait until n biodones have come (at most 5 s). */
static void
bio_wait(int n)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&bio_mtx);
	while (bio_ndone < n)
		if (pthread_cond_timedwait(&bio_cv, &bio_mtx, &ts) != 0)
			break;
	pthread_mutex_unlock(&bio_mtx);
	ATF_REQUIRE_EQ_MSG(bio_ndone, n, "%d biodones, want %d", bio_ndone, n);
}

/* The n-th TK_BIODONE record from index from. */
static struct tk_record
bio_record(int from, int nth)
{
	struct tk_record log[TK_LOGMAX];
	int i, n;

	n = tk_log(log, TK_LOGMAX);
	for (i = from; i < n; i++)
		if (log[i].r_event == TK_BIODONE && nth-- == 0)
			return log[i];
	atf_tc_fail("no biodone record");
}

ATF_TC(bio_async);
ATF_TC_HEAD(bio_async, tc)
{
	atf_tc_set_md_var(tc, "descr", "threads mode: bio completes in an "
	    "I/O thread started with the first bio, which calls biodone "
	    "holding a vCPU; short reads report EIO");
}
ATF_TC_BODY(bio_async, tc)
{
	unsigned char buf[8192], out[4096];
	struct tk_record r;
	int fd, from, from0, i;

	unsetenv("RUMPUS_MODE");
	RZ(tk_boot());
	close(scratch_file("img", 16384));
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd));
	ATF_REQUIRE_EQ_MSG(tk_nthreads(), 1, "a thread before the first bio");

	from0 = from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 8192, 4096, bio_done, NULL);
	bio_wait(1);
	r = bio_record(from, 0);
	ATF_REQUIRE_MSG(r.r_thread != 0, "biodone ran in the caller");
	ATF_REQUIRE_MSG(r.r_hascpu, "biodone ran without a vCPU");
	ATF_REQUIRE_EQ(r.r_value, 8192);
	ATF_REQUIRE_EQ(r.r_aux, 0);
	ATF_REQUIRE_EQ(tk_count(TK_SCHED, r.r_thread, from), 1);
	ATF_REQUIRE_EQ(buf[0], 0);
	ATF_REQUIRE_EQ(buf[1], 1);
	ATF_REQUIRE(tk_nthreads() > 1);

	for (i = 0; i < 4096; i++)
		out[i] = 0xa5;
	from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_WRITE | RUMPUSER_BIO_SYNC, out, 4096,
	    0, bio_done, NULL);
	bio_wait(2);
	r = bio_record(from, 0);
	ATF_REQUIRE_EQ(r.r_value, 4096);
	ATF_REQUIRE_EQ(r.r_aux, 0);
	ATF_REQUIRE(pread(fd, buf, 1, 4095) == 1 && buf[0] == 0xa5);

	/* Past the end: nothing read, EIO. */
	from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 4096, 16384 - 512, bio_done,
	    NULL);
	bio_wait(3);
	r = bio_record(from, 0);
	ATF_REQUIRE_EQ(r.r_value, 512);
	ATF_REQUIRE_EQ(r.r_aux, RUMP_EIO);

	/* A burst of requests: still a small pool (two I/O threads). */
	for (i = 0; i < 16; i++)
		rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 512, i * 512,
		    bio_done, NULL);
	bio_wait(3 + 16);
	ATF_REQUIRE_MSG(tk_nthreads() <= 3, "%d threads", tk_nthreads());
	require_unwrapped(from0, 0, "rumpuser_bio");
}

ATF_TC(bio_fork);
ATF_TC_HEAD(bio_fork, tc)
{
	atf_tc_set_md_var(tc, "descr", "threads mode: after a fork the "
	    "child's bio starts I/O threads of its own and completes");
}
ATF_TC_BODY(bio_fork, tc)
{
	unsigned char buf[512];
	pid_t pid;
	int fd, status;

	unsetenv("RUMPUS_MODE");
	RZ(tk_boot());
	close(scratch_file("img", 4096));
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd));
	rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 512, 0, bio_done, NULL);
	bio_wait(1);
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		alarm(10);
		bio_ndone = 0;
		rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 512, 512, bio_done,
		    NULL);
		while (__atomic_load_n(&bio_ndone, __ATOMIC_SEQ_CST) == 0)
			usleep(1000);
		_exit(buf[0] == 0 && buf[1] == 1 ? 0 : 3);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child's bio: status %#x", status);
}

ATF_TC(bio_serial);
ATF_TC_HEAD(bio_serial, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: bio completes in the "
	    "caller before it returns, holding the caller's vCPU, and no "
	    "thread is started");
}
ATF_TC_BODY(bio_serial, tc)
{
	unsigned char buf[4096];
	struct tk_record r;
	int fd, from;

	setenv("RUMPUS_MODE", "serial", 1);
	RZ(tk_boot());
	close(scratch_file("img", 8192));
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd));
	from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 4096, 512, bio_done, NULL);
	ATF_REQUIRE_EQ_MSG(bio_ndone, 1, "bio returned before biodone");
	r = bio_record(from, 0);
	ATF_REQUIRE_EQ(r.r_thread, 0);
	ATF_REQUIRE(r.r_hascpu);
	ATF_REQUIRE_EQ(r.r_value, 4096);
	ATF_REQUIRE_EQ(buf[0], 0);
	ATF_REQUIRE_EQ(buf[1], 1);
	ATF_REQUIRE_EQ(tk_nthreads(), 1);
	require_unwrapped(from, 0, "serial bio");
}

/*
 * The serial workload: a fixed program of hypercalls whose upcalls, bio
 * completions and random bytes are logged.  Runs in a forked child that
 * writes its log to fd.
 */
static void
serial_workload(int out)
{
	struct tk_record log[TK_LOGMAX];
	unsigned char buf[4096], rnd[16];
	struct rumpuser_mtx *mtx;
	struct rumpuser_cv *cv;
	size_t n;
	void *mem[8];
	int fd, i, nlog;

	if (tk_boot() != 0)
		_exit(2);
	close(scratch_file("img", 65536));
	if (rumpuser_open("img", RUMPUSER_OPEN_RDWR, &fd) != 0)
		_exit(2);
	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&cv);
	for (i = 0; i < 8; i++) {
		if (rumpuser_malloc(4096, 0, &mem[i]) != 0)
			_exit(2);
		rumpuser_getrandom(rnd, sizeof(rnd), 0, &n);
		tk_note(TK_NOTE, rnd[0] | rnd[1] << 8, rnd[2] | rnd[3] << 8);
		rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, 4096,
		    (int64_t)(rnd[4] % 16) * 4096, bio_done, NULL);
		rumpuser_bio(fd, RUMPUSER_BIO_WRITE, mem[i], 4096,
		    (int64_t)(rnd[5] % 16) * 4096, bio_done, NULL);
		rumpuser_mutex_enter(mtx);
		rumpuser_cv_timedwait(cv, mtx, 0, 1000000);
		rumpuser_mutex_exit(mtx);
	}
	/* In threads mode the writes are still in flight until here. */
	bio_wait(16);
	for (i = 0; i < 8; i++)
		rumpuser_free(mem[i], 4096);
	nlog = tk_log(log, TK_LOGMAX);
	for (i = 0; i < nlog; i++)
		log[i].r_interlock = NULL;	/* addresses may differ */
	if (write(out, log, (size_t)nlog * sizeof(log[0])) !=
	    (ssize_t)(nlog * sizeof(log[0])))
		_exit(2);
	_exit(0);
}

/* Run work in a child with mode and seed; what it writes into buf. */
static size_t
serial_run(void (*work)(int), const char *mode, const char *seed, char *buf,
    size_t len)
{
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int p[2], status;

	ATF_REQUIRE(pipe(p) == 0);
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		close(p[0]);
		setenv("RUMPUS_MODE", mode, 1);
		setenv("RUMPUS_SEED", seed, 1);
		work(p[1]);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, len - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "workload child failed: status %#x", status);
	return got;
}

ATF_TC(serial_same_sequence);
ATF_TC_HEAD(serial_same_sequence, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: the same program and "
	    "seed make the same sequence of upcalls, completions and random "
	    "bytes twice; another seed or threads mode does not");
}
ATF_TC_BODY(serial_same_sequence, tc)
{
	static char a[TK_LOGMAX * sizeof(struct tk_record)];
	static char b[TK_LOGMAX * sizeof(struct tk_record)];
	size_t na, nb;

	na = serial_run(serial_workload, "serial", "42", a, sizeof(a));
	nb = serial_run(serial_workload, "serial", "42", b, sizeof(b));
	ATF_REQUIRE(na > 16 * sizeof(struct tk_record));
	ATF_REQUIRE_EQ_MSG(na, nb, "%zu and %zu log bytes", na, nb);
	ATF_REQUIRE_MSG(memcmp(a, b, na) == 0, "the two runs differ");

	nb = serial_run(serial_workload, "serial", "43", b, sizeof(b));
	ATF_REQUIRE_MSG(na != nb || memcmp(a, b, na) != 0,
	    "seed 43 made the same sequence as seed 42");
	nb = serial_run(serial_workload, "threads", "42", b, sizeof(b));
	ATF_REQUIRE_MSG(na != nb || memcmp(a, b, na) != 0,
	    "threads mode made the serial sequence");
}

/*
 * The schedule workload: SW_NTHR threads each run SW_ROUNDS rounds of:
 * a stretch with no lock (checking that no other thread runs meanwhile),
 * its number appended to sw_order under sw_mtx, and a 1 ms cv_timedwait
 * that nobody signals.  The child writes what came out.
 */
#define SW_NTHR		4
#define SW_ROUNDS	3
static struct rumpuser_mtx *sw_mtx;
static struct rumpuser_cv *sw_cv;
static char sw_order[SW_NTHR * SW_ROUNDS + 1];
static int sw_len, sw_running, sw_overlap, sw_timeouts;

static void *
sw_thread(void *arg)
{
	int id = (int)(intptr_t)arg, r, i;

	tk_setcpu(1);
	for (r = 0; r < SW_ROUNDS; r++) {
		if (__atomic_add_fetch(&sw_running, 1, __ATOMIC_SEQ_CST) != 1)
			__atomic_store_n(&sw_overlap, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < 200; i++)
			sched_yield();
		__atomic_sub_fetch(&sw_running, 1, __ATOMIC_SEQ_CST);
		rumpuser_mutex_enter(sw_mtx);
		sw_order[sw_len++] = (char)('0' + id);
		if (rumpuser_cv_timedwait(sw_cv, sw_mtx, 0, 1000000) ==
		    RUMP_ETIMEDOUT)
			sw_timeouts++;
		rumpuser_mutex_exit(sw_mtx);
	}
	tk_setcpu(0);
	return NULL;
}

static void
sched_workload(int out)
{
	void *cookie[SW_NTHR];
	char rec[128];
	int64_t sec, t0;
	long nsec;
	int i, n;

	if (tk_boot() != 0)
		_exit(2);
	rumpuser_mutex_init(&sw_mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&sw_cv);
	t0 = tk_msec();
	for (i = 0; i < SW_NTHR; i++)
		if (rumpuser_thread_create(sw_thread, (void *)(intptr_t)i,
		    "sw", 1, 0, -1, &cookie[i]) != 0)
			_exit(2);
	for (i = 0; i < SW_NTHR; i++)
		if (rumpuser_thread_join(cookie[i]) != 0)
			_exit(2);
	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec);
	n = snprintf(rec, sizeof(rec), "%s clock %jd.%09ld timeouts %d "
	    "overlap %d took %s", sw_order, (intmax_t)sec, nsec, sw_timeouts,
	    sw_overlap, tk_msec() - t0 < 2000 ? "<2s" : ">=2s");
	if (write(out, rec, (size_t)n) != n)
		_exit(2);
	_exit(0);
}

ATF_TC(serial_schedule);
ATF_TC_HEAD(serial_schedule, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: one thread runs at a "
	    "time; timed waits nobody ends time out on the virtual clock, "
	    "which jumps to their deadline (plus a quantum a turn); the "
	    "same seed gives the same interleaving, other seeds others");
}
ATF_TC_BODY(serial_schedule, tc)
{
	char a[128], b[128], seed[8];
	size_t na, nb;
	int s, other = 0;

	memset(a, 0, sizeof(a));
	na = serial_run(sched_workload, "serial", "42", a, sizeof(a) - 1);
	printf("seed 42: %s\n", a);
	/* 3 ms of waits, and a quantum for each of the few turns. */
	ATF_REQUIRE_MSG(na > SW_NTHR * SW_ROUNDS &&
	    strncmp(a + SW_NTHR * SW_ROUNDS, " clock 0.0030", 13) == 0 &&
	    strcmp(a + SW_NTHR * SW_ROUNDS + 18, " timeouts 12 overlap 0 "
	    "took <2s") == 0, "seed 42: %s", a);
	/* Seed 42 again, then seeds 1 to 5. */
	for (s = 0; s < 6; s++) {
		snprintf(seed, sizeof(seed), "%d", s == 0 ? 42 : s);
		memset(b, 0, sizeof(b));
		nb = serial_run(sched_workload, "serial", seed, b,
		    sizeof(b) - 1);
		printf("seed %s: %s\n", seed, b);
		if (s == 0)
			ATF_REQUIRE_MSG(na == nb && strcmp(a, b) == 0,
			    "seed 42 again: %s", b);
		else if (strncmp(a, b, SW_NTHR * SW_ROUNDS) != 0)
			other++;
	}
	ATF_REQUIRE_MSG(other > 0, "seeds 1 to 5 all gave seed 42's order");
}

/*
 * The poll workload: a thread waits 1 ms on a cv nobody signals while
 * another polls for the end of that wait, yielding at each poll (as the
 * Lua binding does at each kernel call), so that some thread is always
 * runnable.  The child writes how many polls it took.
 */
static struct rumpuser_mtx *sp_mtx;
static struct rumpuser_cv *sp_cv;
static int sp_done;

static void *
sp_waiter(void *arg)
{

	tk_setcpu(1);
	rumpuser_mutex_enter(sp_mtx);
	if (rumpuser_cv_timedwait(sp_cv, sp_mtx, 0, 1000000) ==
	    RUMP_ETIMEDOUT)
		__atomic_store_n(&sp_done, 1, __ATOMIC_RELAXED);
	rumpuser_mutex_exit(sp_mtx);
	tk_setcpu(0);
	return NULL;
}

static void
poll_workload(int out)
{
	void *cookie;
	char rec[64];
	int64_t sec;
	long nsec, polls;
	int n;

	if (tk_boot() != 0)
		_exit(2);
	rumpuser_mutex_init(&sp_mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&sp_cv);
	if (rumpuser_thread_create(sp_waiter, NULL, "sp", 1, 0, -1,
	    &cookie) != 0)
		_exit(2);
	for (polls = 0; polls < 1000000 &&
	    !__atomic_load_n(&sp_done, __ATOMIC_RELAXED); polls++)
		rumpus_sched_yield();
	if (rumpuser_thread_join(cookie) != 0)
		_exit(2);
	rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec);
	n = snprintf(rec, sizeof(rec), "timedout %d polls %ld clock %jd.%09ld",
	    sp_done, polls, (intmax_t)sec, nsec);
	if (write(out, rec, (size_t)n) != n)
		_exit(2);
	_exit(0);
}

ATF_TC(serial_poll);
ATF_TC_HEAD(serial_poll, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: a timed wait times out "
	    "while another thread keeps running (each turn through the "
	    "schedule moves the virtual clock on), after the same number of "
	    "turns for the same seed");
}
ATF_TC_BODY(serial_poll, tc)
{
	char a[64], b[64];
	long polls;

	memset(a, 0, sizeof(a));
	serial_run(poll_workload, "serial", "7", a, sizeof(a) - 1);
	printf("seed 7: %s\n", a);
	ATF_REQUIRE_MSG(sscanf(a, "timedout 1 polls %ld clock 0.00", &polls)
	    == 1 && polls >= 10 && polls < 1000, "seed 7: %s", a);
	memset(b, 0, sizeof(b));
	serial_run(poll_workload, "serial", "7", b, sizeof(b) - 1);
	ATF_REQUIRE_MSG(strcmp(a, b) == 0, "seed 7 again: %s", b);
}

ATF_TC(serial_clocks);
ATF_TC_HEAD(serial_clocks, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: the wall clock starts "
	    "at 2000-01-01, the monotonic one at 0, and clock_sleep to an "
	    "ABSMONO deadline wakes on that clock");
}
ATF_TC_BODY(serial_clocks, tc)
{
	int64_t sec;
	long nsec;

	setenv("RUMPUS_MODE", "serial", 1);
	RZ(tk_boot());
	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &sec, &nsec));
	ATF_REQUIRE_EQ(sec, 946684800);
	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec));
	ATF_REQUIRE_EQ(sec, 0);
	RZ(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO, 0, 300000000L));
	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec));
	ATF_REQUIRE_MSG(sec == 0 && nsec >= 300000000L && nsec < 900000000L,
	    "woke at %jd.%09ld", (intmax_t)sec, nsec);
}

ATF_TC(getrandom);
ATF_TC_HEAD(getrandom, tc)
{
	atf_tc_set_md_var(tc, "descr", "getrandom fills the buffer and "
	    "reports the count; serial mode repeats a seed's bytes");
}
ATF_TC_BODY(getrandom, tc)
{
	unsigned char a[64], b[64], zero[64];
	size_t n;

	memset(zero, 0, sizeof(zero));
	memset(a, 0, sizeof(a));
	RZ(tk_boot());
	RZ(rumpuser_getrandom(a, sizeof(a), RUMPUSER_RANDOM_NOWAIT, &n));
	ATF_REQUIRE_EQ(n, sizeof(a));
	ATF_REQUIRE(memcmp(a, zero, sizeof(a)) != 0);

	setenv("RUMPUS_MODE", "serial", 1);
	setenv("RUMPUS_SEED", "7", 1);
	RZ(tk_boot());
	RZ(rumpuser_getrandom(a, sizeof(a), RUMPUSER_RANDOM_HARD, &n));
	RZ(tk_boot());
	RZ(rumpuser_getrandom(b, sizeof(b), RUMPUSER_RANDOM_HARD, &n));
	ATF_REQUIRE_EQ(n, sizeof(b));
	ATF_REQUIRE(memcmp(a, b, sizeof(a)) == 0);
	ATF_REQUIRE(memcmp(a, zero, sizeof(a)) != 0);
}

ATF_TC(memory);
ATF_TC_HEAD(memory, tc)
{
	atf_tc_set_md_var(tc, "descr", "malloc honours the alignment (0: "
	    "pointer size) and refuses a non-power of two; anonmmap aligns "
	    "to 2^alignbit and is writable");
}
ATF_TC_BODY(memory, tc)
{
	static const int aligns[] = { 0, 16, 64, 4096 };
	void *p;
	size_t i;

	RZ(tk_boot());
	for (i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		RZ(rumpuser_malloc(100, aligns[i], &p));
		ATF_REQUIRE(((uintptr_t)p % (aligns[i] ? (size_t)aligns[i] :
		    sizeof(void *))) == 0);
		memset(p, 1, 100);
		rumpuser_free(p, 100);
	}
	REQUIRE_NBERRNO(rumpuser_malloc(100, 24, &p), RUMP_EINVAL);

	RZ(rumpuser_anonmmap(NULL, 100000, 20, 0, &p));
	ATF_REQUIRE(((uintptr_t)p & ((1 << 20) - 1)) == 0);
	memset(p, 1, 100000);
	rumpuser_unmap(p, 100000);
}

ATF_TC(getfileinfo);
ATF_TC_HEAD(getfileinfo, tc)
{
	atf_tc_set_md_var(tc, "descr", "getfileinfo reports size and type, "
	    "takes NULL pointers, and ENOENT for a missing name");
}
ATF_TC_BODY(getfileinfo, tc)
{
	uint64_t size;
	int type;

	RZ(tk_boot());
	close(scratch_file("f", 12345));
	RZ(rumpuser_getfileinfo("f", &size, &type));
	ATF_REQUIRE_EQ(size, 12345);
	ATF_REQUIRE_EQ(type, RUMPUSER_FT_REG);
	RZ(rumpuser_getfileinfo(".", NULL, &type));
	ATF_REQUIRE_EQ(type, RUMPUSER_FT_DIR);
	RZ(rumpuser_getfileinfo("/dev/null", &size, NULL));
	RZ(rumpuser_getfileinfo("/dev/null", NULL, &type));
	ATF_REQUIRE_EQ(type, RUMPUSER_FT_CHR);
	REQUIRE_NBERRNO(rumpuser_getfileinfo("nosuch", &size, &type),
	    RUMP_ENOENT);
}

static void
never_modinit(const struct modinfo *const *mi, size_t n)
{

	atf_tc_fail("dl_bootstrap reported a module");
}

static int
never_symload(void *a, uint64_t b, char *c, uint64_t d)
{

	atf_tc_fail("dl_bootstrap reported a symbol table");
}

static void
never_compload(const struct rump_component *rc)
{

	atf_tc_fail("dl_bootstrap reported a component");
}

ATF_TC(dl_bootstrap);
ATF_TC_HEAD(dl_bootstrap, tc)
{
	atf_tc_set_md_var(tc, "descr", "dl_bootstrap reports nothing for a "
	    "statically linked kernel, and returns");
}
ATF_TC_BODY(dl_bootstrap, tc)
{

	RZ(tk_boot());
	rumpuser_dl_bootstrap(never_modinit, never_symload, never_compload);
	TK_REQUIRE_CLEAN();
}

static volatile sig_atomic_t got_usr1;

static void
on_usr1(int sig)
{

	got_usr1 = 1;
}

ATF_TC(kill);
ATF_TC_HEAD(kill, tc)
{
	atf_tc_set_md_var(tc, "descr", "kill raises the host signal for a "
	    "NetBSD one (SIGUSR1 = 30) in this process");
}
ATF_TC_BODY(kill, tc)
{

	RZ(tk_boot());
	signal(SIGUSR1, on_usr1);
	RZ(rumpuser_kill(RUMPUSER_PID_SELF, 30));
	ATF_REQUIRE(got_usr1);
	REQUIRE_NBERRNO(rumpuser_kill(RUMPUSER_PID_SELF, 99), RUMP_EINVAL);
}

ATF_TC(daemonize);
ATF_TC_HEAD(daemonize, tc)
{
	atf_tc_set_md_var(tc, "descr", "daemonize_begin forks; the parent "
	    "exits with the error the child passes to daemonize_done");
}
ATF_TC_BODY(daemonize, tc)
{
	pid_t pid;
	int status;

	RZ(tk_boot());
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		if (rumpuser_daemonize_begin() != 0)
			_exit(99);
		rumpuser_daemonize_done(RUMP_ENOSPC);
		_exit(0);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == RUMP_ENOSPC,
	    "status %#x", status);
}

/* The hook of the fault_hook test: what to decide, and what it saw. */
static struct rumpuser_fault_decision hook_decide;
static int hook_point = -1;
static struct rumpuser_fault_call hook_saw;

static void
test_hook(const struct rumpuser_fault_call *c,
    struct rumpuser_fault_decision *d, void *arg)
{

	ATF_REQUIRE_EQ(arg, (void *)&hook_point);
	if (c->fc_point != hook_point)
		return;
	hook_saw = *c;
	*d = hook_decide;
}

ATF_TC(fault_hook);
ATF_TC_HEAD(fault_hook, tc)
{
	atf_tc_set_md_var(tc, "descr", "an armed hook is consulted at the "
	    "wrapper points: error, short transfer and delay take effect, "
	    "calls are counted; disarmed, calls go through");
}
ATF_TC_BODY(fault_hook, tc)
{
	char buf[100];
	struct rumpuser_iovec iov = { buf, sizeof(buf) };
	struct rumpuser_mtx *mtx;
	unsigned char bbuf[4096];
	struct tk_record r;
	void *p;
	size_t n;
	int fd, from;
	int64_t sec, t0;
	long nsec;

	setenv("RUMPUS_MODE", "serial", 1);
	RZ(tk_boot());
	ATF_REQUIRE_STREQ(rumpuser_fault_pointname(RUMPUSER_FP_BIO_WRITE),
	    "bio.write");
	ATF_REQUIRE_EQ(rumpuser_fault_pointname(RUMPUSER_FP__COUNT), NULL);
	rumpuser_fault_sethook(test_hook, &hook_point);
	ATF_REQUIRE(rumpuser_fault_gate() != 0);

	hook_point = RUMPUSER_FP_MALLOC;
	hook_decide.fd_action = RUMPUSER_FA_ERROR;
	hook_decide.fd_error = RUMP_ENOMEM;
	REQUIRE_NBERRNO(rumpuser_malloc(64, 0, &p), RUMP_ENOMEM);
	ATF_REQUIRE_EQ(hook_saw.fc_len, 64);
	ATF_REQUIRE_EQ(rumpuser_fault_calls[RUMPUSER_FP_MALLOC], 1);

	close(scratch_file("img", 8192));
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR, &fd));
	hook_point = RUMPUSER_FP_IOVREAD;
	hook_decide.fd_action = RUMPUSER_FA_SHORT;
	hook_decide.fd_length = 10;
	RZ(rumpuser_iovread(fd, &iov, 1, 512, &n));
	ATF_REQUIRE_EQ(n, 10);
	ATF_REQUIRE_EQ(hook_saw.fc_off, 512);
	ATF_REQUIRE_EQ(hook_saw.fc_fd, fd);

	hook_point = RUMPUSER_FP_BIO_READ;
	hook_decide.fd_action = RUMPUSER_FA_ERROR;
	hook_decide.fd_error = RUMP_EIO;
	from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_READ, bbuf, 4096, 0, bio_done, NULL);
	r = bio_record(from, 0);
	ATF_REQUIRE_EQ(r.r_aux, RUMP_EIO);
	ATF_REQUIRE_EQ(r.r_value, 0);

	hook_point = RUMPUSER_FP_MUTEX_ENTER;
	hook_decide.fd_action = RUMPUSER_FA_DELAY;
	hook_decide.fd_delay_us = 50000;
	rumpuser_mutex_init(&mtx, 0);
	/* Serial mode: a delay waits on the virtual clock. */
	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec));
	t0 = sec * 1000000000 + nsec;
	rumpuser_mutex_enter(mtx);
	RZ(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &sec, &nsec));
	ATF_REQUIRE_MSG(sec * 1000000000 + nsec - t0 >= 50000000,
	    "the delay took %jd ns", (intmax_t)(sec * 1000000000 + nsec - t0));
	rumpuser_mutex_exit(mtx);

	rumpuser_fault_sethook(NULL, NULL);
	ATF_REQUIRE_EQ(rumpuser_fault_gate(), 0);
	RZ(rumpuser_malloc(64, 0, &p));
	rumpuser_free(p, 64);
	RZ(rumpuser_iovread(fd, &iov, 1, 512, &n));
	ATF_REQUIRE_EQ(n, sizeof(buf));
	ATF_REQUIRE_EQ(rumpuser_fault_calls[RUMPUSER_FP_MALLOC], 0);
}

/* The 51 hypercalls a file-system rump kernel imports (rumpuser-v17.md). */
static const char *const kernel_imports[] = {
	"rumpuser_anonmmap", "rumpuser_bio", "rumpuser_clock_gettime",
	"rumpuser_clock_sleep", "rumpuser_close", "rumpuser_curlwp",
	"rumpuser_curlwpop", "rumpuser_cv_broadcast", "rumpuser_cv_destroy",
	"rumpuser_cv_has_waiters", "rumpuser_cv_init", "rumpuser_cv_signal",
	"rumpuser_cv_timedwait", "rumpuser_cv_wait", "rumpuser_cv_wait_nowrap",
	"rumpuser_daemonize_begin", "rumpuser_daemonize_done",
	"rumpuser_dl_bootstrap", "rumpuser_dprintf", "rumpuser_exit",
	"rumpuser_free", "rumpuser_getfileinfo", "rumpuser_getparam",
	"rumpuser_getrandom", "rumpuser_init", "rumpuser_iovread",
	"rumpuser_iovwrite", "rumpuser_kill", "rumpuser_malloc",
	"rumpuser_mutex_destroy", "rumpuser_mutex_enter",
	"rumpuser_mutex_enter_nowrap", "rumpuser_mutex_exit",
	"rumpuser_mutex_init", "rumpuser_mutex_owner",
	"rumpuser_mutex_tryenter", "rumpuser_open", "rumpuser_putchar",
	"rumpuser_rw_destroy", "rumpuser_rw_downgrade", "rumpuser_rw_enter",
	"rumpuser_rw_exit", "rumpuser_rw_held", "rumpuser_rw_init",
	"rumpuser_rw_tryenter", "rumpuser_rw_tryupgrade", "rumpuser_seterrno",
	"rumpuser_thread_create", "rumpuser_thread_exit",
	"rumpuser_thread_join", "rumpuser_unmap",
};

/* A hook deciding the n-th call (from 1) at one point. */
static int nth_point, nth_n, nth_seen;
static struct rumpuser_fault_decision nth_decide;

static void
nth_hook(const struct rumpuser_fault_call *c,
    struct rumpuser_fault_decision *d, void *arg)
{

	if (c->fc_point == nth_point && ++nth_seen == nth_n)
		*d = nth_decide;
}

/* Arm nth_hook: the n-th call at point gets action (with its args). */
static void
arm_nth(int point, int n, int action, size_t length, uint64_t bit,
    int status)
{

	nth_point = point;
	nth_n = n;
	nth_seen = 0;
	memset(&nth_decide, 0, sizeof(nth_decide));
	nth_decide.fd_action = action;
	nth_decide.fd_length = length;
	nth_decide.fd_bit = bit;
	nth_decide.fd_status = status;
	rumpuser_fault_sethook(nth_hook, NULL);
}

ATF_TC(fault_bitflip);
ATF_TC_HEAD(fault_bitflip, tc)
{
	atf_tc_set_md_var(tc, "descr", "a BITFLIP decision flips one bit "
	    "(modulo the bits read) of what iovread and bio read return");
}
ATF_TC_BODY(fault_bitflip, tc)
{
	unsigned char a[8], b[8], bbuf[4096];
	struct rumpuser_iovec iov[2] = { { a, 8 }, { b, 8 } };
	struct tk_record r;
	size_t n;
	int fd, from;

	setenv("RUMPUS_MODE", "serial", 1);
	RZ(tk_boot());
	close(scratch_file("img", 8192));
	RZ(rumpuser_open("img", RUMPUSER_OPEN_RDWR, &fd));

	/* Bit 8 * 10 + 3: byte 2 of the second vector, bit 3. */
	arm_nth(RUMPUSER_FP_IOVREAD, 1, RUMPUSER_FA_BITFLIP, 0, 83, 0);
	RZ(rumpuser_iovread(fd, iov, 2, 100, &n));
	ATF_REQUIRE_EQ(n, 16);
	ATF_REQUIRE_EQ(a[0], 100);
	ATF_REQUIRE_EQ(b[1], 109);
	ATF_REQUIRE_EQ(b[2], 110 ^ 8);
	ATF_REQUIRE_EQ(b[3], 111);

	/* Modulo the bits read: 4096 * 8 + 5 is bit 5 of byte 0. */
	arm_nth(RUMPUSER_FP_BIO_READ, 1, RUMPUSER_FA_BITFLIP, 0,
	    4096 * 8 + 5, 0);
	from = tk_lognow();
	rumpuser_bio(fd, RUMPUSER_BIO_READ, bbuf, 4096, 4096, bio_done, NULL);
	r = bio_record(from, 0);
	ATF_REQUIRE_EQ(r.r_aux, 0);
	ATF_REQUIRE_EQ(bbuf[0], 0 ^ 32);
	ATF_REQUIRE_EQ(bbuf[1], 1);
	rumpuser_fault_sethook(NULL, NULL);
}

ATF_TC(fault_short_random);
ATF_TC_HEAD(fault_short_random, tc)
{
	atf_tc_set_md_var(tc, "descr", "a SHORT decision makes getrandom "
	    "fill and report only fd_length bytes");
}
ATF_TC_BODY(fault_short_random, tc)
{
	unsigned char buf[64];
	size_t n, i;

	RZ(tk_boot());
	memset(buf, 0, sizeof(buf));
	arm_nth(RUMPUSER_FP_GETRANDOM, 1, RUMPUSER_FA_SHORT, 8, 0, 0);
	RZ(rumpuser_getrandom(buf, sizeof(buf), RUMPUSER_RANDOM_NOWAIT, &n));
	ATF_REQUIRE_EQ(n, 8);
	for (i = 8; i < sizeof(buf); i++)
		ATF_REQUIRE_EQ_MSG(buf[i], 0, "byte %zu written", i);
	rumpuser_fault_sethook(NULL, NULL);
}

/*
 * In a child, in serial mode: write blocks 0..4 of a 5-block image (block
 * i filled with 0xa0 + i) with write op (0: bio, 1: iovwrite), the hook
 * armed as arm_nth says.  Returns the child's wait status; the image is
 * left in "img" (zeros at first).
 */
static int
cut_run(int op, int point, int n, int action, size_t length)
{
	unsigned char blk[4096];
	struct rumpuser_iovec iov = { blk, sizeof(blk) };
	size_t done;
	pid_t pid;
	int fd, i, status;

	fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ATF_REQUIRE(fd != -1 && ftruncate(fd, 5 * 4096) == 0);
	close(fd);
	pid = fork();
	ATF_REQUIRE(pid != -1);
	if (pid == 0) {
		setenv("RUMPUS_MODE", "serial", 1);
		if (tk_boot() != 0 ||
		    rumpuser_open("img", RUMPUSER_OPEN_RDWR, &fd) != 0)
			_exit(2);
		arm_nth(point, n, action, length, 0, 77);
		for (i = 0; i < 5; i++) {
			memset(blk, 0xa0 + i, sizeof(blk));
			if (op == 0)
				rumpuser_bio(fd, RUMPUSER_BIO_WRITE, blk,
				    sizeof(blk), i * 4096, bio_done, NULL);
			else if (rumpuser_iovwrite(fd, &iov, 1, i * 4096,
			    &done) != 0)
				_exit(3);
		}
		_exit(0);
	}
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

/* Bytes of block i of "img" that hold the new pattern 0xa0 + i. */
static size_t
cut_newbytes(int i)
{
	unsigned char blk[4096];
	size_t j, n = 0;
	int fd;

	ATF_REQUIRE((fd = open("img", O_RDONLY)) != -1);
	ATF_REQUIRE(pread(fd, blk, sizeof(blk), i * 4096) == 4096);
	close(fd);
	for (j = 0; j < sizeof(blk); j++)
		n += blk[j] == 0xa0 + i;
	return n;
}

ATF_TC(fault_powercut);
ATF_TC_HEAD(fault_powercut, tc)
{
	atf_tc_set_md_var(tc, "descr", "a POWERCUT decision at the third "
	    "write ends the process with the decided status; the image keeps "
	    "exactly the two writes before it (bio and iovwrite)");
}
ATF_TC_BODY(fault_powercut, tc)
{
	int status, op, i;

	for (op = 0; op < 2; op++) {
		status = cut_run(op, op == 0 ? RUMPUSER_FP_BIO_WRITE :
		    RUMPUSER_FP_IOVWRITE, 3, RUMPUSER_FA_POWERCUT, 0);
		ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 77,
		    "op %d: status %#x", op, status);
		for (i = 0; i < 5; i++)
			ATF_REQUIRE_EQ_MSG(cut_newbytes(i) == 4096, i < 2,
			    "op %d: block %d", op, i);
	}
}

ATF_TC(fault_torn);
ATF_TC_HEAD(fault_torn, tc)
{
	atf_tc_set_md_var(tc, "descr", "a TORN decision at the second write "
	    "lets only its first fd_length bytes reach the image, then cuts "
	    "the power (bio and iovwrite)");
}
ATF_TC_BODY(fault_torn, tc)
{
	int status, op;

	for (op = 0; op < 2; op++) {
		status = cut_run(op, op == 0 ? RUMPUSER_FP_BIO_WRITE :
		    RUMPUSER_FP_IOVWRITE, 2, RUMPUSER_FA_TORN, 1024);
		ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 77,
		    "op %d: status %#x", op, status);
		ATF_REQUIRE_EQ(cut_newbytes(0), 4096);
		ATF_REQUIRE_EQ_MSG(cut_newbytes(1), 1024, "op %d", op);
		ATF_REQUIRE_EQ(cut_newbytes(2), 0);
	}
}

ATF_TC(shared_library);
ATF_TC_HEAD(shared_library, tc)
{
	atf_tc_set_md_var(tc, "descr", "librumpuser.so.0 loads on its own "
	    "and exports the 51 hypercalls a file-system kernel imports, "
	    "and none of the library's internals");
}
ATF_TC_BODY(shared_library, tc)
{
	void *h;
	size_t i;

	ATF_REQUIRE_EQ(sizeof(kernel_imports) / sizeof(kernel_imports[0]),
	    51);
	h = dlopen(LIBRUMPUSER_SO, RTLD_NOW | RTLD_LOCAL);
	ATF_REQUIRE_MSG(h != NULL, "%s", dlerror());
	for (i = 0; i < 51; i++)
		ATF_REQUIRE_MSG(dlsym(h, kernel_imports[i]) != NULL,
		    "%s: %s missing", LIBRUMPUSER_SO, kernel_imports[i]);
	ATF_REQUIRE(dlsym(h, "rumpuser_syncfd") != NULL);
	ATF_REQUIRE(dlsym(h, "rumpuser_fault_sethook") != NULL);
	ATF_REQUIRE_MSG(dlsym(h, "rumpuser__hyp") == NULL,
	    "an internal symbol is exported");
	dlclose(h);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, init_version);
	ATF_TP_ADD_TC(tp, init_badmode);
	ATF_TP_ADD_TC(tp, wrap_clock_sleep);
	ATF_TP_ADD_TC(tp, wrap_file_io);
	ATF_TP_ADD_TC(tp, overlay_api);
	ATF_TP_ADD_TC(tp, wrap_mutex_enter);
	ATF_TP_ADD_TC(tp, nowrap_mutex);
	ATF_TP_ADD_TC(tp, wrap_rw_enter);
	ATF_TP_ADD_TC(tp, wrap_cv_wait);
	ATF_TP_ADD_TC(tp, cv_wakeup_order);
	ATF_TP_ADD_TC(tp, mutex_owner);
	ATF_TP_ADD_TC(tp, mutex_tryenter);
	ATF_TP_ADD_TC(tp, mutex_misuse);
	ATF_TP_ADD_TC(tp, rw_locks);
	ATF_TP_ADD_TC(tp, cv_timedwait);
	ATF_TP_ADD_TC(tp, cv_broadcast_all);
	ATF_TP_ADD_TC(tp, thread_create_join);
	ATF_TP_ADD_TC(tp, getparam);
	ATF_TP_ADD_TC(tp, errno_translation);
	ATF_TP_ADD_TC(tp, seterrno);
	ATF_TP_ADD_TC(tp, exit_panic);
	ATF_TP_ADD_TC(tp, curlwp);
	ATF_TP_ADD_TC(tp, bio_async);
	ATF_TP_ADD_TC(tp, bio_fork);
	ATF_TP_ADD_TC(tp, bio_serial);
	ATF_TP_ADD_TC(tp, serial_same_sequence);
	ATF_TP_ADD_TC(tp, serial_schedule);
	ATF_TP_ADD_TC(tp, serial_poll);
	ATF_TP_ADD_TC(tp, serial_clocks);
	ATF_TP_ADD_TC(tp, getrandom);
	ATF_TP_ADD_TC(tp, memory);
	ATF_TP_ADD_TC(tp, getfileinfo);
	ATF_TP_ADD_TC(tp, dl_bootstrap);
	ATF_TP_ADD_TC(tp, kill);
	ATF_TP_ADD_TC(tp, daemonize);
	ATF_TP_ADD_TC(tp, fault_hook);
	ATF_TP_ADD_TC(tp, fault_bitflip);
	ATF_TP_ADD_TC(tp, fault_short_random);
	ATF_TP_ADD_TC(tp, fault_powercut);
	ATF_TP_ADD_TC(tp, fault_torn);
	ATF_TP_ADD_TC(tp, shared_library);
	return atf_no_error();
}
