/*
 * The kernel core (kern/): boot and teardown, locks, callouts, lwprocs,
 * kmem and its debug mode, the books, panic.  Every case boots its own
 * kernel; cases that end the process run in a forked child.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rumpus_ext.h>
#include <rump/rumpvfs_if_pub.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpus_vfs.h>

#include "h_macros.h"
#include "h_kern.h"

/* Host threads of this process (the kernel must start none at boot). */
static int
count_threads(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	ATF_REQUIRE((d = opendir("/proc/self/task")) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/* Kernel threads alive, from the lwp dump. */
static int
count_kthreads(void)
{
	struct rumpus_lwpinfo li[64];
	size_t i, n;
	int k = 0;

	n = rumpus_lwp_dump(li, 64);
	for (i = 0; i < n && i < 64; i++)
		k += li[i].li_kthread;
	return k;
}

/* Tear down and require clean books. */
static void
teardown_clean(void)
{
	struct rumpus_books b;
	int error;

	error = rumpus_teardown(&b);
	if (error != 0 || b.b_kmem_count != 0 || b.b_locks_total != 0 ||
	    b.b_lwps_total != 0)
		rumpus_books_print(&b);
	RZ(error);
	ATF_REQUIRE_EQ_MSG(b.b_kmem_count, 0, "%ju allocations left",
	    (uintmax_t)b.b_kmem_count);
	ATF_REQUIRE_EQ(b.b_locks_total, 0);
	ATF_REQUIRE_EQ(b.b_lwps_total, 0);
}

/*
 * Run fn in a child with stdout and stderr into a pipe; return the wait
 * status and the output (NUL-terminated, in out).
 */
static int
run_child(void (*fn)(void), char *out, size_t outlen)
{
	int fds[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	ATF_REQUIRE(pipe(fds) == 0);
	ATF_REQUIRE((pid = fork()) != -1);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(99);
	}
	close(fds[1]);
	while (len + 1 < outlen &&
	    (n = read(fds[0], out + len, outlen - len - 1)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	ATF_REQUIRE(waitpid(pid, &status, 0) == pid);
	return status;
}

ATF_TC(boot_no_threads);
ATF_TC_HEAD(boot_no_threads, tc)
{
	atf_tc_set_md_var(tc, "descr", "rump_init starts no host thread and "
	    "teardown leaves clean books");
}
ATF_TC_BODY(boot_no_threads, tc)
{
	ATF_REQUIRE_EQ(count_threads(), 1);
	RZ(rump_init());
	ATF_REQUIRE_EQ_MSG(count_threads(), 1, "boot started %d threads",
	    count_threads() - 1);
	ATF_REQUIRE_EQ(rumpus_ext_version(), RUMPUS_EXT_VERSION);
	ATF_REQUIRE_EQ(rump_sys_getpid(), 1);
	teardown_clean();
	ATF_REQUIRE_EQ(rumpus_teardown(NULL), RUMP_EINVAL);
}

ATF_TC(boot_host_refuses);
ATF_TC_HEAD(boot_host_refuses, tc)
{
	atf_tc_set_md_var(tc, "descr", "rump_init returns the host's error "
	    "when rumpuser_init fails, and no kernel is up");
}
ATF_TC_BODY(boot_host_refuses, tc)
{

	ATF_REQUIRE(setenv("RUMPUS_MODE", "bogus", 1) == 0);
	REQUIRE_NBERRNO(rump_init(), RUMP_EINVAL);
	REQUIRE_NBERRNO(rumpus_teardown(NULL), RUMP_EINVAL);
	ATF_REQUIRE_EQ(rumpus_lwp_dump(NULL, 0), 0);
	ATF_REQUIRE(setenv("RUMPUS_MODE", "threads", 1) == 0);
	RZ(rump_init());
	teardown_clean();
}

/* Fail kmem allocation number nth_left (counting from 1), once. */
struct nth {
	int	 n_left;
	int	 n_core;	/* count only the core's (kern/kern/) */
};

/* Is file (a kernel source path) in the core's directory, kern/kern/? */
static int
core_file(const char *file)
{
	const char *slash = strrchr(file, '/');
	const char *dir = "/kern/kern";
	size_t len = strlen(dir);

	return slash != NULL && (size_t)(slash - file) >= len &&
	    strncmp(slash - len, dir, len) == 0;
}

static int
nth_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	struct nth *n = arg;

	if (strcmp(fp->fp_name, RUMPUS_FAULT_KMEM_ALLOC) != 0 ||
	    (n->n_core && !core_file(fs->fs_file)))
		return 0;
	return --n->n_left == 0 ? RUMP_ENOMEM : 0;
}

#define BOOT_ALLOCS_MAX	1000

ATF_TC(boot_alloc_failures);
ATF_TC_HEAD(boot_alloc_failures, tc)
{
	atf_tc_set_md_var(tc, "descr", "fail each allocation of the "
	    "boot in turn (the core's and every layer's): rump_init "
	    "returns ENOMEM and leaves nothing behind, so the next boot "
	    "starts afresh, until every allocation passes");
}
ATF_TC_BODY(boot_alloc_failures, tc)
{
	struct rumpus_counters c;
	struct nth n;
	int nth, error;

	for (nth = 1; nth < BOOT_ALLOCS_MAX; nth++) {
		n.n_left = nth;
		n.n_core = 0;
		rumpus_fault_set_hook(nth_hook, &n);
		error = rump_init();
		rumpus_fault_set_hook(NULL, NULL);
		if (n.n_left > 0) {	/* boot made fewer allocations */
			RZ(error);
			break;
		}
		REQUIRE_NBERRNO(error, RUMP_ENOMEM);
		rumpus_counters(&c);
		ATF_REQUIRE_EQ_MSG(c.c_kmem_bytes, 0, "failing allocation %d "
		    "of boot left %ju bytes", nth, (uintmax_t)c.c_kmem_bytes);
		ATF_REQUIRE_EQ(rumpus_teardown(NULL), RUMP_EINVAL);
	}
	ATF_REQUIRE_MSG(nth > 1 && nth < BOOT_ALLOCS_MAX, "boot made %d "
	    "allocations", nth - 1);
	teardown_clean();
}

ATF_TC(rfork_alloc_failures);
ATF_TC_HEAD(rfork_alloc_failures, tc)
{
	atf_tc_set_md_var(tc, "descr", "fail each allocation of "
	    "rump_pub_lwproc_rfork in turn: ENOMEM, the caller keeps its "
	    "context, and teardown finds nothing left over");
}
ATF_TC_BODY(rfork_alloc_failures, tc)
{
	struct nth n;
	int nth, error;

	for (nth = 1; nth < 100; nth++) {
		RZ(rump_init());
		n.n_left = nth;
		n.n_core = 0;
		rumpus_fault_set_hook(nth_hook, &n);
		error = rump_pub_lwproc_rfork(RUMP_RFCFDG);
		rumpus_fault_set_hook(NULL, NULL);
		if (n.n_left > 0) {	/* rfork made fewer allocations */
			RZ(error);
			rump_pub_lwproc_releaselwp();
			rump_pub_lwproc_switch(NULL);
			teardown_clean();
			break;
		}
		REQUIRE_NBERRNO(error, RUMP_ENOMEM);
		ATF_REQUIRE(rump_pub_lwproc_curlwp() == NULL);
		ATF_REQUIRE_EQ(rump_sys_getpid(), 1);
		teardown_clean();
	}
	ATF_REQUIRE_MSG(nth > 1 && nth < 100, "rfork made %d allocations",
	    nth - 1);
}

ATF_TC(boot_teardown_1000);
ATF_TC_HEAD(boot_teardown_1000, tc)
{
	atf_tc_set_md_var(tc, "descr", "1,000 boots and teardowns in one "
	    "process: clean books each time, no growth of heap, threads or "
	    "descriptors");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(boot_teardown_1000, tc)
{
	struct rumpus_books b;
	struct mallinfo2 m0, m1;
	int i, threads0, fd0, fd1;
	void *p;

	for (i = 0; i < 1000; i++) {
		if (i == 10) {
			m0 = mallinfo2();
			threads0 = count_threads();
			fd0 = dup(0);
			close(fd0);
		}
		RZ(rump_init());
		/* Some work each time: an lwproc, an allocation. */
		RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
		ATF_REQUIRE((p = ktest_alloc(64, 0)) != NULL);
		ktest_free(p, 64);
		rump_pub_lwproc_releaselwp();
		rump_pub_lwproc_switch(NULL);
		RZ(rumpus_teardown(&b));
		ATF_REQUIRE_EQ_MSG(b.b_kmem_count, 0, "cycle %d: %ju "
		    "allocations left", i, (uintmax_t)b.b_kmem_count);
		ATF_REQUIRE_EQ(b.b_lwps_total, 0);
	}
	m1 = mallinfo2();
	fd1 = dup(0);
	close(fd1);
	ATF_REQUIRE_EQ(count_threads(), threads0);
	ATF_REQUIRE_EQ_MSG(fd1, fd0, "descriptors grew");
	ATF_REQUIRE_MSG(m1.uordblks <= m0.uordblks + 4096,
	    "heap grew from %zu to %zu bytes over 990 boots", m0.uordblks,
	    m1.uordblks);
}

static void
locks_case(int kind)
{
	char err[256] = "";

	RZ(rump_init());
	ATF_REQUIRE_MSG(ktest_locks(kind, 8, 2000, err, sizeof(err)) == 0,
	    "%s", err);
	ATF_REQUIRE_EQ(count_kthreads(), 0);
	teardown_clean();
}

ATF_TC(lock_mutex);
ATF_TC_HEAD(lock_mutex, tc)
{
	atf_tc_set_md_var(tc, "descr", "adaptive mutex: 8 kernel threads, "
	    "one inside at a time, no lost update");
}
ATF_TC_BODY(lock_mutex, tc)
{
	locks_case(KTEST_LOCK_MUTEX);
}

ATF_TC(lock_spin);
ATF_TC_HEAD(lock_spin, tc)
{
	atf_tc_set_md_var(tc, "descr", "spin mutex: 8 kernel threads, one "
	    "inside at a time, no lost update");
}
ATF_TC_BODY(lock_spin, tc)
{
	locks_case(KTEST_LOCK_SPIN);
}

ATF_TC(lock_rwlock);
ATF_TC_HEAD(lock_rwlock, tc)
{
	atf_tc_set_md_var(tc, "descr", "rwlock: 8 kernel threads, writers "
	    "alone, readers never see a half-done write");
}
ATF_TC_BODY(lock_rwlock, tc)
{
	locks_case(KTEST_LOCK_RWLOCK);
}

ATF_TC(lock_condvar);
ATF_TC_HEAD(lock_condvar, tc)
{
	atf_tc_set_md_var(tc, "descr", "condvar: 8 kernel threads pass a "
	    "token round a ring in order");
}
ATF_TC_BODY(lock_condvar, tc)
{
	locks_case(KTEST_LOCK_CONDVAR);
}

ATF_TC(callout_order);
ATF_TC_HEAD(callout_order, tc)
{
	atf_tc_set_md_var(tc, "descr", "callouts fire by deadline, ties in "
	    "scheduling order, a stopped one never; the clock thread exists "
	    "only while one is pending");
}
ATF_TC_BODY(callout_order, tc)
{
	struct rumpus_counters c;
	int order[8], n, i;

	RZ(rump_init());
	ATF_REQUIRE_EQ(count_kthreads(), 0);
	n = ktest_callouts(order, 8);
	ATF_REQUIRE_EQ_MSG(n, 4, "%d callouts fired", n);
	ATF_REQUIRE_MSG(order[0] == 1 && order[1] == 3 && order[2] == 2 &&
	    order[3] == 0, "order %d %d %d %d, want 1 3 2 0", order[0],
	    order[1], order[2], order[3]);
	rumpus_counters(&c);
	ATF_REQUIRE_EQ(c.c_callouts_fired, 4);
	ATF_REQUIRE(c.c_clock_threads >= 1);
	for (i = 0; i < 100 && count_kthreads() != 0; i++)
		usleep(10000);
	ATF_REQUIRE_EQ_MSG(count_kthreads(), 0, "the clock thread stayed");
	teardown_clean();
}

ATF_TC(lwproc_creds);
ATF_TC_HEAD(lwproc_creds, tc)
{
	atf_tc_set_md_var(tc, "descr", "lwprocs: each process has its own "
	    "credentials, inherited at rfork, shared by its lwps");
}
ATF_TC_BODY(lwproc_creds, tc)
{
	struct lwp *l1, *l2, *l3;
	pid_t p1;

	RZ(rump_init());
	ATF_REQUIRE(rump_pub_lwproc_curlwp() == NULL);	/* implicit */
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	ATF_REQUIRE((l1 = rump_pub_lwproc_curlwp()) != NULL);
	p1 = rump_sys_getpid();
	ATF_REQUIRE(p1 > 1);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 0);

	/* A child changes its copy; the parent keeps its own. */
	RZ(rump_pub_lwproc_rfork(RUMP_RFFDG));
	l2 = rump_pub_lwproc_curlwp();
	ATF_REQUIRE(l2 != NULL && l2 != l1);
	ATF_REQUIRE(rump_sys_getpid() != p1);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 0);
	ATF_REQUIRE_EQ(rump_sys_setgid(500), 0);
	ATF_REQUIRE_EQ(rump_sys_setuid(1000), 0);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 1000);
	ATF_REQUIRE_EQ(rump_sys_geteuid(), 1000);
	ATF_REQUIRE_EQ(rump_sys_getgid(), 500);
	/* Not root any more. */
	errno = 0;
	ATF_REQUIRE_EQ(rump_sys_setuid(0), -1);
	ATF_REQUIRE_EQ(errno, RUMP_EPERM);
	rump_pub_lwproc_switch(l1);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 0);
	ATF_REQUIRE_EQ(rump_sys_getgid(), 0);
	ATF_REQUIRE_EQ(rump_sys_setuid(2000), 0);
	rump_pub_lwproc_switch(l2);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 1000);
	rump_pub_lwproc_switch(l1);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 2000);

	/* A bare thread is root in initproc. */
	rump_pub_lwproc_switch(NULL);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 0);
	ATF_REQUIRE_EQ(rump_sys_getpid(), 1);

	/* A second lwp of p1 shares its credentials. */
	RZ(rump_pub_lwproc_newlwp(p1));
	l3 = rump_pub_lwproc_curlwp();
	ATF_REQUIRE(l3 != NULL && l3 != l1);
	ATF_REQUIRE_EQ(rump_sys_getpid(), p1);
	ATF_REQUIRE_EQ(rump_sys_getuid(), 2000);
	REQUIRE_NBERRNO(rump_pub_lwproc_newlwp(99999), RUMP_ESRCH);

	/* Release everything: the books must be clean. */
	rump_pub_lwproc_releaselwp();		/* l3 */
	rump_pub_lwproc_switch(l2);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(l1);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	ATF_REQUIRE(rump_pub_lwproc_curlwp() == NULL);
	teardown_clean();
}

static int
nosleep_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	int *hits = arg;

	if (strcmp(fp->fp_name, RUMPUS_FAULT_KMEM_ALLOC) == 0 &&
	    (fs->fs_flags & RUMPUS_KMEM_NOSLEEP) && fs->fs_tag != NULL &&
	    strcmp(fs->fs_tag, "ktest_alloc") == 0) {
		(*hits)++;
		return RUMP_ENOMEM;
	}
	return 0;
}

/* What the hook saw of the site of "ktest.point". */
struct point_seen {
	char		ps_tag[32];
	uint64_t	ps_size;
	int		ps_inpoint;	/* a frame in ktest_fault_point */
};

static int
point_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *fs)
{
	struct point_seen *ps = arg;

	if (strcmp(fp->fp_name, "ktest.point") != 0)
		return 0;
	uintptr_t pcs[16];
	size_t i, n;

	snprintf(ps->ps_tag, sizeof(ps->ps_tag), "%s", fs->fs_tag);
	ps->ps_size = fs->fs_size;
	n = rumpus_backtrace(pcs, 16);
	for (i = 0; i < n; i++) {
		if (pcs[i] >= (uintptr_t)ktest_fault_point &&
		    pcs[i] < (uintptr_t)ktest_fault_point + 1024)
			ps->ps_inpoint = 1;
	}
	return RUMP_EIO;
}

ATF_TC(fault_point_registry);
ATF_TC_HEAD(fault_point_registry, tc)
{
	atf_tc_set_md_var(tc, "descr", "a point defined in another object "
	    "is in the registry, and its check asks the hook with its site; "
	    "the hook can see the kernel stack (rumpus_backtrace)");
}
ATF_TC_BODY(fault_point_registry, tc)
{
	const struct rumpus_fault_point *fp[16];
	struct point_seen seen = { "", 0, 0 };
	size_t i, n;
	int names = 0;

	RZ(rump_init());
	n = rumpus_fault_points(fp, 16);
	ATF_REQUIRE(n >= 2 && n <= 16);
	for (i = 0; i < n; i++) {
		names += strcmp(fp[i]->fp_name, "ktest.point") == 0;
		names += strcmp(fp[i]->fp_name, RUMPUS_FAULT_KMEM_ALLOC) == 0;
	}
	ATF_REQUIRE_EQ(names, 2);
	ATF_REQUIRE_EQ(ktest_fault_point(), 0);		/* no hook */
	rumpus_fault_set_hook(point_hook, &seen);
	REQUIRE_NBERRNO(ktest_fault_point(), RUMP_EIO);
	ATF_REQUIRE_STREQ(seen.ps_tag, "ktest_fault_point");
	ATF_REQUIRE_EQ(seen.ps_size, 7);
	ATF_REQUIRE_MSG(seen.ps_inpoint, "rumpus_backtrace in the hook "
	    "missed the kernel function at the point");
	ATF_REQUIRE_EQ(rumpus_backtrace(NULL, 0), 0);	/* no lwp here */
	rumpus_fault_set_hook(NULL, NULL);
	ATF_REQUIRE_EQ(ktest_fault_point(), 0);
	teardown_clean();
}

ATF_TC(kmem_nosleep_fault);
ATF_TC_HEAD(kmem_nosleep_fault, tc)
{
	atf_tc_set_md_var(tc, "descr", "kmem.alloc is a registered fault "
	    "point; a failed KM_NOSLEEP allocation returns NULL");
}
ATF_TC_BODY(kmem_nosleep_fault, tc)
{
	const struct rumpus_fault_point *fp[16];
	struct rumpus_counters c;
	size_t i, n;
	int hits = 0;
	void *p;

	RZ(rump_init());
	n = rumpus_fault_points(fp, 16);
	for (i = 0; i < n && i < 16; i++) {
		if (strcmp(fp[i]->fp_name, RUMPUS_FAULT_KMEM_ALLOC) == 0)
			break;
	}
	ATF_REQUIRE_MSG(i < n, "kmem.alloc not in the registry");

	rumpus_fault_set_hook(nosleep_hook, &hits);
	ATF_REQUIRE(ktest_alloc(128, 1) == NULL);
	ATF_REQUIRE_EQ(hits, 1);
	ATF_REQUIRE((p = ktest_alloc(128, 0)) != NULL);	/* KM_SLEEP */
	ktest_free(p, 128);
	rumpus_fault_set_hook(NULL, NULL);
	ATF_REQUIRE((p = ktest_alloc(128, 1)) != NULL);
	ktest_free(p, 128);
	rumpus_counters(&c);
	ATF_REQUIRE_EQ(c.c_kmem_failures, 1);
	ATF_REQUIRE_EQ(c.c_faults_injected, 1);
	teardown_clean();
}

ATF_TC(books_leak);
ATF_TC_HEAD(books_leak, tc)
{
	atf_tc_set_md_var(tc, "descr", "a leaked allocation is in the books "
	    "with its tag, file and line");
}
ATF_TC_BODY(books_leak, tc)
{
	struct rumpus_books b;

	RZ(rump_init());
	ktest_leak();
	/* Every count is set, whatever the books held before. */
	memset(&b, 0xa5, sizeof(b));
	RZ(rumpus_teardown(&b));
	rumpus_books_print(&b);
	ATF_REQUIRE_EQ(b.b_version, RUMPUS_EXT_VERSION);
	ATF_REQUIRE_EQ(b.b_kmem_count, 1);
	ATF_REQUIRE_EQ(b.b_kmem_sites, 1);
	ATF_REQUIRE_EQ(b.b_nlocks + b.b_locks_total, 0);
	ATF_REQUIRE_EQ(b.b_nlwps + b.b_lwps_total, 0);
	ATF_REQUIRE_EQ(b.b_kmem_overruns + b.b_kmem_uafs, 0);
	ATF_REQUIRE_EQ(b.b_callouts, 0);
	ATF_REQUIRE_EQ(b.b_nkmem, 1);
	ATF_REQUIRE_EQ(b.b_kmem[0].bk_bytes, 100);
	ATF_REQUIRE_STREQ(b.b_kmem[0].bk_tag, "ktest_leak");
	ATF_REQUIRE(strstr(b.b_kmem[0].bk_file, "k_kern.c") != NULL);
	ATF_REQUIRE_EQ(b.b_kmem[0].bk_line, ktest_leak_line);
	ATF_REQUIRE((uintptr_t)b.b_kmem[0].bk_caller >=
	    (uintptr_t)ktest_leak &&
	    (uintptr_t)b.b_kmem[0].bk_caller < (uintptr_t)ktest_leak + 256);
	/* Pool items carry the pool's name as their tag. */
	RZ(rump_init());
	ktest_pool_leak();
	RZ(rumpus_teardown(&b));
	ATF_REQUIRE_EQ(b.b_kmem_count, 1);
	ATF_REQUIRE_STREQ(b.b_kmem[0].bk_tag, "ktestpool");
	ATF_REQUIRE_EQ(b.b_kmem[0].bk_bytes, 48);
	/* Freed by teardown: the next instance starts clean. */
	RZ(rump_init());
	teardown_clean();
}

ATF_TC(books_bio_held);
ATF_TC_HEAD(books_bio_held, tc)
{
	atf_tc_set_md_var(tc, "descr", "a buffer never released is in the "
	    "books, and the next boot's buffer cache does not know it (the "
	    "hash is emptied at teardown, not cleared at boot)");
}
ATF_TC_BODY(books_bio_held, tc)
{
	struct rumpus_books b;
	char blk[512], want[512];
	int fd, i, run;

	for (i = 0; i < (int)sizeof(want); i++)
		want[i] = (char)(i % 251);
	ATF_REQUIRE((fd = open("disk.img", O_RDWR | O_CREAT | O_TRUNC,
	    0644)) != -1);
	for (i = 0; i < 16; i++)
		ATF_REQUIRE_EQ(write(fd, want, sizeof(want)),
		    (ssize_t)sizeof(want));
	ATF_REQUIRE(close(fd) == 0);
	for (run = 0; run < 20; run++) {
		RZ(rump_init());
		RZ(rump_pub_etfs_register("/dev/blk", "disk.img",
		    RUMP_ETFS_BLK));
		RZ(ktest_bio_hold("/dev/blk", 3));
		RZ(rumpus_teardown(&b));
		/* The buffer and its data. */
		ATF_REQUIRE_EQ(b.b_kmem_count, 2);

		RZ(rump_init());
		RZ(rump_pub_etfs_register("/dev/blk", "disk.img",
		    RUMP_ETFS_BLK));
		memset(blk, 0, sizeof(blk));
		RZ(ktest_bio_read("/dev/blk", 3, blk));
		ATF_REQUIRE(memcmp(blk, want, sizeof(blk)) == 0);
		teardown_clean();
	}
}

ATF_TC(vcache_grow);
ATF_TC_HEAD(vcache_grow, tc)
{
	atf_tc_set_md_var(tc, "descr", "past 64 vnodes the vnode cache moves "
	    "its chains to the big table and still finds every vnode (one "
	    "vnode per file), twice: teardown goes back to the small table");
}
ATF_TC_BODY(vcache_grow, tc)
{
	struct rumpus_vfs_books vb;
	struct rump_stat sb, sb0;
	char path[32];
	unsigned nvnodes;
	int fd, fd0, i, run;

	for (run = 0; run < 2; run++) {
		RZ(rump_init());
		/* Referenced through the growth: found again by name. */
		ATF_REQUIRE((fd0 = rump_sys_open("/f0",
		    RUMP_O_RDWR | RUMP_O_CREAT, 0644)) != -1);
		ATF_REQUIRE(rump_sys_fstat(fd0, &sb0) == 0);
		for (i = 1; i < 200; i++) {
			snprintf(path, sizeof(path), "/f%d", i);
			ATF_REQUIRE((fd = rump_sys_open(path,
			    RUMP_O_RDWR | RUMP_O_CREAT, 0644)) != -1);
			ATF_REQUIRE(rump_sys_close(fd) == 0);
		}
		RZ(rumpus_vfs_books(&vb));
		nvnodes = vb.vb_vnodes;
		ATF_REQUIRE_MSG(nvnodes > 200, "%u vnodes", nvnodes);
		for (i = 0; i < 200; i++) {
			snprintf(path, sizeof(path), "/f%d", i);
			ATF_REQUIRE(rump_sys_stat(path, &sb) == 0);
		}
		ATF_REQUIRE(rump_sys_stat("/f0", &sb) == 0);
		ATF_REQUIRE_EQ(sb.st_ino, sb0.st_ino);
		RZ(rumpus_vfs_books(&vb));
		ATF_REQUIRE_EQ_MSG(vb.vb_vnodes, nvnodes, "%u vnodes after "
		    "looking each file up again, %u before", vb.vb_vnodes,
		    nvnodes);
		ATF_REQUIRE(rump_sys_close(fd0) == 0);
		for (i = 0; i < 200; i++) {
			snprintf(path, sizeof(path), "/f%d", i);
			ATF_REQUIRE(rump_sys_unlink(path) == 0);
		}
		teardown_clean();
	}
}

ATF_TC(mount_names);
ATF_TC_HEAD(mount_names, tc)
{
	atf_tc_set_md_var(tc, "descr", "statvfs gives each mount's "
	    "f_mntonname and f_mntfromname (kept as copies of their own "
	    "length), the root's too");
}
ATF_TC_BODY(mount_names, tc)
{
	struct rump_tmpfs_args args;
	struct rump_statvfs sv;

	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_root_mode = 0777;
	RZ(rump_init());
	ATF_REQUIRE(rump_sys_statvfs1("/", &sv, RUMP_ST_WAIT) == 0);
	ATF_REQUIRE_STREQ(sv.f_mntonname, "/");
	ATF_REQUIRE_STREQ(sv.f_mntfromname, "tmpfs");
	ATF_REQUIRE(rump_sys_mkdir("/a-mount-point", 0777) == 0);
	ATF_REQUIRE(rump_sys_mount(RUMP_MOUNT_TMPFS, "/a-mount-point", 0,
	    &args, sizeof(args)) == 0);
	ATF_REQUIRE(rump_sys_statvfs1("/a-mount-point", &sv,
	    RUMP_ST_WAIT) == 0);
	ATF_REQUIRE_STREQ(sv.f_mntonname, "/a-mount-point");
	ATF_REQUIRE_STREQ(sv.f_mntfromname, "tmpfs");
	ATF_REQUIRE(rump_sys_unmount("/a-mount-point", 0) == 0);
	teardown_clean();
}

ATF_TC(books_lock_held);
ATF_TC_HEAD(books_lock_held, tc)
{
	atf_tc_set_md_var(tc, "descr", "a mutex left held is in the books "
	    "with its holder and the site that took it");
}
ATF_TC_BODY(books_lock_held, tc)
{
	struct rumpus_books b;
	pid_t pid;

	RZ(rump_init());
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	pid = rump_sys_getpid();
	ktest_hold_lock();
	RZ(rumpus_teardown(&b));
	rumpus_books_print(&b);
	ATF_REQUIRE_EQ(b.b_locks_total, 1);
	ATF_REQUIRE_EQ(b.b_locks[0].bl_kind, RUMPUS_LOCK_MUTEX);
	ATF_REQUIRE_EQ(b.b_locks[0].bl_pid, pid);
	ATF_REQUIRE(b.b_locks[0].bl_site >= (uintptr_t)ktest_hold_lock &&
	    b.b_locks[0].bl_site < (uintptr_t)ktest_hold_lock + 256);
	ATF_REQUIRE_EQ(b.b_lwps_total, 1);
	ATF_REQUIRE_EQ(b.b_lwps[0].li_pid, pid);
	ATF_REQUIRE_EQ(b.b_lwps[0].li_nlocks, 1);
	/* The mutex object itself is a leak too. */
	ATF_REQUIRE_EQ(b.b_kmem_count, 1);
	ATF_REQUIRE_STREQ(b.b_kmem[0].bk_tag, "mutex_obj_alloc");
}

ATF_TC(lwp_dump);
ATF_TC_HEAD(lwp_dump, tc)
{
	atf_tc_set_md_var(tc, "descr", "the lwp dump shows a blocked kernel "
	    "thread, the lock it waits for and its stack");
}
ATF_TC_BODY(lwp_dump, tc)
{
	struct rumpus_lwpinfo li[16];
	struct rumpus_books b;
	size_t i, j, n;
	void *mtx;
	int found = 0, inthread = 0;

	RZ(rump_init());
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	ATF_REQUIRE((mtx = ktest_block_start()) != NULL);
	n = rumpus_lwp_dump(li, 16);
	rumpus_lwp_dump_print();
	for (i = 0; i < n && i < 16; i++) {
		if (strcmp(li[i].li_name, "ktestblock") != 0)
			continue;
		found = 1;
		ATF_REQUIRE(li[i].li_kthread);
		ATF_REQUIRE_EQ(li[i].li_wchan, (uintptr_t)mtx);
		ATF_REQUIRE_STREQ(li[i].li_wmesg, "mutex");
		ATF_REQUIRE(li[i].li_nstack >= 2);
		for (j = 0; j < li[i].li_nstack; j++) {
			if (li[i].li_stack[j] >= (uintptr_t)ktest_block_thread &&
			    li[i].li_stack[j] < (uintptr_t)ktest_block_thread +
			    128)
				inthread = 1;
		}
	}
	ATF_REQUIRE_MSG(found, "the blocked thread is not in the dump");
	ATF_REQUIRE_MSG(inthread, "no frame in the thread's function");
	/* The caller's lwp holds the mutex: in the dump and the books. */
	for (i = 0; i < n && i < 16; i++) {
		if (li[i].li_pid != rump_sys_getpid())
			continue;
		ATF_REQUIRE_EQ(li[i].li_nlocks, 1);
		ATF_REQUIRE_EQ(li[i].li_locks[0].ll_lock, (uintptr_t)mtx);
		ATF_REQUIRE_EQ(li[i].li_locks[0].ll_kind, RUMPUS_LOCK_MUTEX);
	}
	RZ(rumpus_books(&b));
	ATF_REQUIRE_EQ(b.b_locks_total, 1);
	ATF_REQUIRE_EQ(b.b_locks[0].bl_lock, (uintptr_t)mtx);
	ATF_REQUIRE_EQ(b.b_locks[0].bl_pid, rump_sys_getpid());
	ktest_block_stop();
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	teardown_clean();
}

/*
 * Wait (10 s at most) until ktestdl1 waits to write the rwlock, ktestdl3
 * waits for the mutex and ktestdl2 waits as want2 says (NULL: any).
 */
static void
deadlock_settle(const char *want2)
{
	struct rumpus_lwpinfo li[16];
	const char *want[3] = { "rwlock write", want2, "mutex" };
	char name[16];
	size_t i, n;
	int k, tries, ok = 0;

	for (tries = 0; tries < 5000 && ok != 3; tries++) {
		usleep(2000);
		n = rumpus_lwp_dump(li, 16);
		for (ok = 0, k = 0; k < 3; k++) {
			snprintf(name, sizeof(name), "ktestdl%d", k + 1);
			for (i = 0; i < n && i < 16; i++) {
				if (strcmp(li[i].li_name, name) == 0 &&
				    (want[k] == NULL || (li[i].li_wmesg &&
				    strcmp(li[i].li_wmesg, want[k]) == 0)))
					ok++;
			}
		}
	}
	rumpus_lwp_dump_print();
	ATF_REQUIRE_MSG(ok == 3, "the ktestdl threads never settled");
}

/* Is pc in fn's first 512 bytes? */
#define IN_FN(pc, fn)	((pc) >= (uintptr_t)(fn) && \
	(pc) < (uintptr_t)(fn) + 512)

/*
 * lw is name waiting (as kind) for lock, initialised by
 * ktest_deadlock_start and held (as hkind) by an lwp that took it in
 * holder.
 */
static void
deadlock_check(const struct rumpus_lockwait *lw, const char *name,
    void *lock, int kind, int hkind, void (*holder)(void *))
{

	ATF_REQUIRE_STREQ(lw->lw_name, name);
	ATF_REQUIRE_EQ(lw->lw_lock, (uintptr_t)lock);
	ATF_REQUIRE_EQ(lw->lw_kind, kind);
	ATF_REQUIRE(IN_FN(lw->lw_initsite, ktest_deadlock_start));
	ATF_REQUIRE_EQ(lw->lw_hkind, hkind);
	ATF_REQUIRE(IN_FN(lw->lw_hsite, holder));
}

ATF_TC(deadlock_cycle);
ATF_TC_HEAD(deadlock_cycle, tc)
{
	atf_tc_set_md_var(tc, "descr", "two kernel threads deadlocked on a "
	    "mutex and an rwlock (ABBA), a third waiting into the cycle: "
	    "rumpus_deadlock names the two, their locks and where the "
	    "holders took them");
}
ATF_TC_BODY(deadlock_cycle, tc)
{
	struct rumpus_lockwait lw[8];
	void *mtx, *rw;
	size_t n, i;

	RZ(rump_init());
	RZ(ktest_deadlock_start(1, &mtx, &rw));
	deadlock_settle("mutex");
	n = rumpus_deadlock(lw, 8);
	ATF_REQUIRE_EQ_MSG(n, 2, "%zu lwps in the cycle", n);
	ATF_REQUIRE_EQ(rumpus_deadlock(NULL, 0), 2);
	/* Entry i waits for a lock held by entry i + 1. */
	i = lw[0].lw_lock == (uintptr_t)mtx ? 0 : 1;
	deadlock_check(&lw[i], "ktestdl2", mtx, RUMPUS_LOCK_MUTEX,
	    RUMPUS_LOCK_MUTEX, ktest_dl_thread1);
	deadlock_check(&lw[1 - i], "ktestdl1", rw, RUMPUS_LOCK_RW_WRITE,
	    RUMPUS_LOCK_RW_READ, ktest_dl_thread2);
	ATF_REQUIRE(lw[0].lw_pid == lw[1].lw_pid &&
	    lw[0].lw_lid != lw[1].lw_lid);
	/* The threads cannot stop: the process ends with them. */
}

ATF_TC(deadlock_none);
ATF_TC_HEAD(deadlock_none, tc)
{
	atf_tc_set_md_var(tc, "descr", "a chain of lock waits that ends in a "
	    "holder asleep in kpause (off CPU, no lock waited for) is no "
	    "deadlock, and ends when the holder wakes");
}
ATF_TC_BODY(deadlock_none, tc)
{
	void *mtx, *rw;
	int i;

	RZ(rump_init());
	RZ(ktest_deadlock_start(0, &mtx, &rw));
	deadlock_settle(NULL);
	/* Look a while: the holder wakes every tick and sleeps again. */
	for (i = 0; i < 50; i++) {
		ATF_REQUIRE_EQ(rumpus_deadlock(NULL, 0), 0);
		usleep(1000);
	}
	ktest_deadlock_stop();
	teardown_clean();
}

static void
child_stuck(void)
{
	struct rumpus_books b;
	unsigned i;

	if (rump_init() != 0)
		_exit(98);
	ktest_stuck_thread();
	if (rumpus_teardown(&b) != RUMP_EBUSY)
		_exit(1);
	for (i = 0; i < b.b_nlwps; i++) {
		if (strcmp(b.b_lwps[i].li_name, "ktestwedge") == 0 &&
		    b.b_lwps[i].li_kthread && b.b_lwps[i].li_wmesg != NULL &&
		    strcmp(b.b_lwps[i].li_wmesg, "stuck") == 0)
			_exit(0);
	}
	_exit(2);
}

ATF_TC(teardown_stuck_thread);
ATF_TC_HEAD(teardown_stuck_thread, tc)
{
	atf_tc_set_md_var(tc, "descr", "a kernel thread that will not stop "
	    "makes teardown return EBUSY with the thread in the books");
}
ATF_TC_BODY(teardown_stuck_thread, tc)
{
	char out[8192];
	int status;

	status = run_child(child_stuck, out, sizeof(out));
	printf("%s", out);
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x", status);
	ATF_REQUIRE(strstr(out, "kernel threads did not stop") != NULL);
}

static void *
gate_thread(void *arg)
{

	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	ktest_gate_pass();
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	return NULL;
}

ATF_TC(teardown_busy);
ATF_TC_HEAD(teardown_busy, tc)
{
	atf_tc_set_md_var(tc, "descr", "teardown refuses (EBUSY) while "
	    "another thread is inside a kernel call, and names it");
}
ATF_TC_BODY(teardown_busy, tc)
{
	struct rumpus_books b;
	struct rumpus_lwpinfo li[16];
	pthread_t t;
	size_t i, n;
	int waiting = 0, tries;

	RZ(rump_init());
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	ktest_gate_hold();
	ATF_REQUIRE(pthread_create(&t, NULL, gate_thread, NULL) == 0);
	for (tries = 0; tries < 5000 && !waiting; tries++) {
		usleep(2000);
		n = rumpus_lwp_dump(li, 16);
		for (i = 0; i < n && i < 16; i++) {
			if (li[i].li_wmesg != NULL &&
			    strcmp(li[i].li_wmesg, "mutex") == 0)
				waiting = 1;
		}
	}
	ATF_REQUIRE_MSG(waiting, "the second thread never waited");
	ATF_REQUIRE_EQ(rumpus_teardown(&b), RUMP_EBUSY);
	ATF_REQUIRE_EQ(b.b_lwps_total, 2);
	ktest_gate_release();
	ATF_REQUIRE(pthread_join(t, NULL) == 0);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	RZ(rumpus_teardown(&b));
	/* The gate itself was never destroyed: nothing of kmem, no lwps. */
	ATF_REQUIRE_EQ(b.b_kmem_count, 0);
	ATF_REQUIRE_EQ(b.b_lwps_total, 0);
}

#define BARE_RUNS	2000
#define BARE_THREADS	8
#define BARE_CALLS	50

/* Thread i: its own process with uid 1000 + i, or a bare thread. */
static void *
syscall_thread(void *arg)
{
	intptr_t i = (intptr_t)arg;
	intptr_t bad = 0;
	int n;

	if (i % 2 == 0) {
		for (n = 0; n < 2000; n++)
			bad += rump_sys_getpid() != 1 || rump_sys_getuid() != 0;
		return (void *)bad;
	}
	if (rump_pub_lwproc_rfork(RUMP_RFCFDG) != 0 ||
	    rump_sys_setuid((uid_t)(1000 + i)) != 0)
		return (void *)1;
	for (n = 0; n < 2000; n++)
		bad += rump_sys_getuid() != (uid_t)(1000 + i);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	return (void *)bad;
}

ATF_TC(syscalls_concurrent);
ATF_TC_HEAD(syscalls_concurrent, tc)
{
	atf_tc_set_md_var(tc, "descr", "16 host threads in the kernel at "
	    "once, half bare (implicit lwps), half each in its own process: "
	    "every one sees its own credentials; books clean after");
}
ATF_TC_BODY(syscalls_concurrent, tc)
{
	pthread_t t[16];
	void *bad;
	intptr_t i;

	RZ(rump_init());
	for (i = 0; i < 16; i++)
		ATF_REQUIRE(pthread_create(&t[i], NULL, syscall_thread,
		    (void *)i) == 0);
	for (i = 0; i < 16; i++) {
		ATF_REQUIRE(pthread_join(t[i], &bad) == 0);
		ATF_REQUIRE_EQ_MSG((intptr_t)bad, 0, "thread %jd: %jd wrong "
		    "answers", (intmax_t)i, (intmax_t)(intptr_t)bad);
	}
	teardown_clean();
}

/* A bare host thread: each call makes and frees an implicit lwp. */
static void *
bare_thread(void *arg)
{
	intptr_t bad = 0;
	int n;

	for (n = 0; n < BARE_CALLS; n++)
		bad += rump_sys_getpid() != 1;
	return (void *)bad;
}

/* The stress case hung: print where every lwp waits, and fail. */
static void
bare_watchdog(int sig)
{
	static const char msg[] = "bare_threads_stress: hung; the lwps:\n";

	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
	rumpus_lwp_dump_print();
	abort();
}

ATF_TC(bare_threads_stress);
ATF_TC_HEAD(bare_threads_stress, tc)
{
	atf_tc_set_md_var(tc, "descr", "2000 boots, each with 8 bare host "
	    "threads on 2 virtual CPUs making syscalls (an implicit lwp "
	    "made and freed per call): none hangs, books clean");
}
ATF_TC_BODY(bare_threads_stress, tc)
{
	pthread_t t[BARE_THREADS];
	void *bad;
	int run, i;

	ATF_REQUIRE(setenv("RUMP_NCPU", "2", 1) == 0);
	ATF_REQUIRE(signal(SIGALRM, bare_watchdog) != SIG_ERR);
	for (run = 0; run < BARE_RUNS; run++) {
		alarm(30);
		RZ(rump_init());
		for (i = 0; i < BARE_THREADS; i++)
			ATF_REQUIRE(pthread_create(&t[i], NULL, bare_thread,
			    NULL) == 0);
		for (i = 0; i < BARE_THREADS; i++) {
			ATF_REQUIRE(pthread_join(t[i], &bad) == 0);
			ATF_REQUIRE_EQ_MSG((intptr_t)bad, 0, "run %d: a bare "
			    "thread was not in initproc", run);
		}
		teardown_clean();
	}
	alarm(0);
}

ATF_TC(lock_serial);
ATF_TC_HEAD(lock_serial, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_MODE=serial: one virtual "
	    "CPU; every lock kind still works under 8 kernel threads");
}
ATF_TC_BODY(lock_serial, tc)
{
	char err[256] = "";
	int kind;

	ATF_REQUIRE(setenv("RUMPUS_MODE", "serial", 1) == 0);
	RZ(rump_init());
	for (kind = KTEST_LOCK_MUTEX; kind <= KTEST_LOCK_CONDVAR; kind++)
		ATF_REQUIRE_MSG(ktest_locks(kind, 8, 300, err,
		    sizeof(err)) == 0, "kind %d: %s", kind, err);
	teardown_clean();
}

ATF_TC(kmem_debug_overrun);
ATF_TC_HEAD(kmem_debug_overrun, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_KMEM_DEBUG: a write past the "
	    "end is reported at kmem_free with both sites; "
	    "rumpus_kmem_debug switches the mode between boots");
}
ATF_TC_BODY(kmem_debug_overrun, tc)
{
	struct rumpus_books b;
	char tail[RUMPUS_CONSOLE_RING];

	ATF_REQUIRE(setenv("RUMPUS_KMEM_DEBUG", "1", 1) == 0);
	RZ(rump_init());
	ktest_overrun();
	RZ(rumpus_teardown(&b));
	rumpus_console_tail(tail, sizeof(tail));
	printf("%s", tail);
	ATF_REQUIRE_EQ(b.b_kmem_overruns, 1);
	ATF_REQUIRE_EQ(b.b_kmem_uafs, 0);
	ATF_REQUIRE(strstr(tail, "write past the end") != NULL);
	ATF_REQUIRE(strstr(tail, "24 bytes, byte 24) allocated by "
	    "ktest_overrun at") != NULL);
	ATF_REQUIRE(strstr(tail, "freed by 0x") != NULL);

	/* Switched off, nothing is checked. */
	rumpus_kmem_debug(0);
	RZ(rump_init());
	ktest_overrun();
	RZ(rumpus_teardown(&b));
	ATF_REQUIRE_EQ(b.b_kmem_overruns, 0);
	rumpus_kmem_debug(1);
	RZ(rump_init());
	ktest_overrun();
	RZ(rumpus_teardown(&b));
	ATF_REQUIRE_EQ(b.b_kmem_overruns, 1);
}

ATF_TC(kmem_debug_uaf);
ATF_TC_HEAD(kmem_debug_uaf, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMPUS_KMEM_DEBUG: a write after "
	    "free is caught in the quarantine with both sites");
}
ATF_TC_BODY(kmem_debug_uaf, tc)
{
	struct rumpus_books b;
	char tail[RUMPUS_CONSOLE_RING];

	ATF_REQUIRE(setenv("RUMPUS_KMEM_DEBUG", "1", 1) == 0);
	RZ(rump_init());
	ktest_uaf();
	RZ(rumpus_teardown(&b));
	rumpus_console_tail(tail, sizeof(tail));
	printf("%s", tail);
	ATF_REQUIRE_EQ(b.b_kmem_uafs, 1);
	ATF_REQUIRE_EQ(b.b_kmem_overruns, 0);
	ATF_REQUIRE(strstr(tail, "use after free (a write) of") != NULL);
	ATF_REQUIRE(strstr(tail, "32 bytes, byte 5) allocated by ktest_uaf")
	    != NULL);
}

static void
child_panic(void)
{

	if (rump_init() != 0)
		_exit(98);
	ktest_panic("ktest panic 42");
}

/* A symbolizer that knows one function. */
static const char *
panic_symbolizer(void *arg, uintptr_t pc, uintptr_t *offp)
{

	if (pc < (uintptr_t)ktest_panic || pc >= (uintptr_t)ktest_panic + 64)
		return NULL;
	*offp = pc - (uintptr_t)ktest_panic;
	return "ktest_panic";
}

static void
child_panic_symbolized(void)
{

	if (rump_init() != 0)
		_exit(98);
	rumpus_set_symbolizer(panic_symbolizer, NULL);
	ktest_panic("named");
}

static void
child_double_free(void)
{

	/* Debug mode keeps freed headers, so the second free names both. */
	rumpus_kmem_debug(1);
	if (rump_init() != 0)
		_exit(98);
	ktest_double_free();
	_exit(97);
}

static void
child_kassert(void)
{

	if (rump_init() != 0)
		_exit(98);
	ktest_kassert(41);
}

/* The backtrace lines: at least two, one in func (within 256 bytes). */
static void
check_backtrace(const char *out, void *func)
{
	const char *s = out;
	int frames = 0, in_func = 0;
	unsigned long a;

	while ((s = strstr(s, "\n#")) != NULL) {
		s++;
		if (sscanf(s, "#%*d 0x%lx", &a) != 1)
			continue;
		frames++;
		if (a >= (uintptr_t)func && a < (uintptr_t)func + 256)
			in_func = 1;
	}
	ATF_REQUIRE_MSG(frames >= 2, "%d frames in:\n%s", frames, out);
	ATF_REQUIRE_MSG(in_func, "no frame in the panicking function:\n%s",
	    out);
}

ATF_TC(panic_backtrace);
ATF_TC_HEAD(panic_backtrace, tc)
{
	atf_tc_set_md_var(tc, "descr", "panic (also KASSERT and a double "
	    "free) prints the message and the lwp's backtrace, then ends the "
	    "process as a crash");
}
ATF_TC_BODY(panic_backtrace, tc)
{
	char out[8192];
	int status;

	status = run_child(child_panic, out, sizeof(out));
	printf("%s", out);
	ATF_REQUIRE_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	    "status 0x%x", status);
	ATF_REQUIRE(strstr(out, "panic: ktest panic 42\n") != NULL);
	ATF_REQUIRE(strstr(out, "backtrace of lwp 1.") != NULL);
	check_backtrace(out, (void *)ktest_panic);

	status = run_child(child_panic_symbolized, out, sizeof(out));
	printf("%s", out);
	ATF_REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	ATF_REQUIRE(strstr(out, " <ktest_panic+0x") != NULL);

	status = run_child(child_double_free, out, sizeof(out));
	printf("%s", out);
	ATF_REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	ATF_REQUIRE(strstr(out, "panic: kmem_free: double free of ") != NULL);
	ATF_REQUIRE(strstr(out, "(16 bytes) allocated by ktest_double_free "
	    "at ") != NULL);
	ATF_REQUIRE(strstr(out, ", freed by 0x") != NULL);
	ATF_REQUIRE(strstr(out, " and again by 0x") != NULL);

	status = run_child(child_kassert, out, sizeof(out));
	printf("%s", out);
	ATF_REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	ATF_REQUIRE(strstr(out, "kernel diagnostic assertion \"v == 42\" "
	    "failed") != NULL);
	check_backtrace(out, (void *)ktest_kassert);
}

static void
child_reboot(void)
{

	if (rump_init() != 0)
		_exit(98);
	rump_sys_reboot(0, NULL);
	_exit(97);
}

static void
child_reboot_dump(void)
{

	if (rump_init() != 0)
		_exit(98);
	rump_sys_reboot(RUMP_RB_DUMP, NULL);
	_exit(97);
}

ATF_TC(reboot);
ATF_TC_HEAD(reboot, tc)
{
	atf_tc_set_md_var(tc, "descr", "rump_sys_reboot ends the process "
	    "(exit 0; RB_DUMP as a panic); EPERM for non-root");
}
ATF_TC_BODY(reboot, tc)
{
	char out[4096];
	int status;

	status = run_child(child_reboot, out, sizeof(out));
	ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status 0x%x: %s", status, out);
	ATF_REQUIRE(strstr(out, "rump kernel halting...") != NULL);
	status = run_child(child_reboot_dump, out, sizeof(out));
	ATF_REQUIRE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);

	RZ(rump_init());
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	ATF_REQUIRE_EQ(rump_sys_setuid(1000), 0);
	errno = 0;
	ATF_REQUIRE_EQ(rump_sys_reboot(0, NULL), -1);
	ATF_REQUIRE_EQ(errno, RUMP_EPERM);
	rump_pub_lwproc_releaselwp();
	rump_pub_lwproc_switch(NULL);
	teardown_clean();
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, boot_no_threads);
	ATF_TP_ADD_TC(tp, boot_host_refuses);
	ATF_TP_ADD_TC(tp, boot_alloc_failures);
	ATF_TP_ADD_TC(tp, rfork_alloc_failures);
	ATF_TP_ADD_TC(tp, boot_teardown_1000);
	ATF_TP_ADD_TC(tp, lock_mutex);
	ATF_TP_ADD_TC(tp, lock_spin);
	ATF_TP_ADD_TC(tp, lock_rwlock);
	ATF_TP_ADD_TC(tp, lock_condvar);
	ATF_TP_ADD_TC(tp, callout_order);
	ATF_TP_ADD_TC(tp, lwproc_creds);
	ATF_TP_ADD_TC(tp, fault_point_registry);
	ATF_TP_ADD_TC(tp, kmem_nosleep_fault);
	ATF_TP_ADD_TC(tp, books_leak);
	ATF_TP_ADD_TC(tp, books_bio_held);
	ATF_TP_ADD_TC(tp, books_lock_held);
	ATF_TP_ADD_TC(tp, vcache_grow);
	ATF_TP_ADD_TC(tp, mount_names);
	ATF_TP_ADD_TC(tp, lwp_dump);
	ATF_TP_ADD_TC(tp, deadlock_cycle);
	ATF_TP_ADD_TC(tp, deadlock_none);
	ATF_TP_ADD_TC(tp, teardown_stuck_thread);
	ATF_TP_ADD_TC(tp, teardown_busy);
	ATF_TP_ADD_TC(tp, syscalls_concurrent);
	ATF_TP_ADD_TC(tp, bare_threads_stress);
	ATF_TP_ADD_TC(tp, lock_serial);
	ATF_TP_ADD_TC(tp, kmem_debug_overrun);
	ATF_TP_ADD_TC(tp, kmem_debug_uaf);
	ATF_TP_ADD_TC(tp, panic_backtrace);
	ATF_TP_ADD_TC(tp, reboot);
	return atf_no_error();
}
