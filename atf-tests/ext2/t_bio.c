/*
 * The buffer cache under ext2: I/O errors injected at the hypercall
 * boundary (librumpuser's bio.read / bio.write points) reach the caller
 * (a failed read as EIO; a failed write from fsync or unmount, never
 * dropped); the syncer writes delayed writes back by itself in threads
 * mode and never in serial mode; a file larger than the cache goes through
 * LRU reuse intact and within the cache's bound; kmem allocation failures
 * anywhere in ext2 and the buffer cache are survived.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpus_ext.h>

#include "fault_hook.h"
#include "h_macros.h"
#include "h_ext2.h"

static volatile int fail_reads, fail_writes;

static void
bio_hook(const struct rumpuser_fault_call *fc,
    struct rumpuser_fault_decision *d, void *arg)
{

	if ((fc->fc_point == RUMPUSER_FP_BIO_READ && fail_reads) ||
	    (fc->fc_point == RUMPUSER_FP_BIO_WRITE && fail_writes)) {
		d->fd_action = RUMPUSER_FA_ERROR;
		d->fd_error = RUMP_EIO;
	}
}

static bool
serial_mode(void)
{
	const char *m = getenv("RUMPUS_MODE");

	return m != NULL && strcmp(m, "serial") == 0;
}

/* Boot and mount a fresh image holding "model" (a few files). */
static void
setup(void)
{

	ext2_require_tools();
	ext2_populate("model", 1024);
	ext2_mkimage(EXT2_IMG, 8, "-b 1024", "model");
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	rumpuser_fault_sethook(bio_hook, NULL);
}

static void
finish(void)
{
	struct rumpus_books books;

	fail_reads = fail_writes = 0;
	rumpuser_fault_sethook(NULL, NULL);
	RZ(rumpus_teardown(&books));
	ATF_REQUIRE_EQ(books.b_kmem_count, 0);
	ext2_require_fsck_clean(EXT2_IMG);
}

/* Write a file of n bytes of ext2_data(seed) in the kernel. */
static void
kwrite(const char *path, size_t n, uint32_t seed)
{
	char *buf = malloc(n);
	size_t i;
	int fd;

	for (i = 0; i < n; i++)
		buf[i] = ext2_data(seed, i);
	ATF_REQUIRE((fd = rump_sys_open(path, RUMP_O_WRONLY | RUMP_O_CREAT |
	    RUMP_O_TRUNC, 0644)) != -1);
	ATF_REQUIRE(rump_sys_write(fd, buf, n) == (ssize_t)n);
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	free(buf);
}

/* The image (read by debugfs on the host) holds path with those bytes. */
static bool
image_has(const char *path, size_t n, uint32_t seed)
{
	char cmd[256], *buf = malloc(n + 1), *want = malloc(n);
	size_t i, got;
	FILE *p;
	bool ok;

	for (i = 0; i < n; i++)
		want[i] = ext2_data(seed, i);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/debugfs -R 'cat %s' %s "
	    "2>/dev/null", path, EXT2_IMG);
	ATF_REQUIRE((p = popen(cmd, "r")) != NULL);
	got = fread(buf, 1, n + 1, p);
	pclose(p);
	ok = got == n && memcmp(buf, want, n) == 0;
	free(buf);
	free(want);
	return ok;
}

ATF_TC(read_error);
ATF_TC_HEAD(read_error, tc)
{
	atf_tc_set_md_var(tc, "descr", "a failed block read is EIO to the "
	    "reader, and the block reads fine once the device does");
}
ATF_TC_BODY(read_error, tc)
{
	struct rump_stat sb;
	char buf[4096];
	int fd;

	setup();
	ATF_REQUIRE(rump_sys_stat(EXT2_MNT "/direct", &sb) == 0);
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/direct", RUMP_O_RDONLY))
	    != -1);
	fail_reads = 1;
	ATF_REQUIRE(rump_sys_read(fd, buf, sizeof(buf)) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EIO);
	fail_reads = 0;
	ATF_REQUIRE(rump_sys_pread(fd, buf, sizeof(buf), 0) ==
	    (ssize_t)sizeof(buf));
	ATF_REQUIRE_EQ((uint8_t)buf[100], ext2_data(3, 100));
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	finish();
}

ATF_TC(fsync_error);
ATF_TC_HEAD(fsync_error, tc)
{
	atf_tc_set_md_var(tc, "descr", "a failed write-back is EIO from "
	    "fsync; the data stays dirty and a later fsync writes it");
}
ATF_TC_BODY(fsync_error, tc)
{
	int fd;

	setup();
	kwrite(EXT2_MNT "/f", 20000, 7);
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/f", RUMP_O_RDWR)) != -1);
	fail_writes = 1;
	ATF_REQUIRE(rump_sys_fsync(fd) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EIO);
	fail_writes = 0;
	ATF_REQUIRE(rump_sys_fsync(fd) == 0);
	ATF_REQUIRE(image_has("/f", 20000, 7));
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	finish();
}

ATF_TC(unmount_error);
ATF_TC_HEAD(unmount_error, tc)
{
	atf_tc_set_md_var(tc, "descr", "a failed write-back fails the "
	    "unmount with EIO (still mounted); the next unmount succeeds");
}
ATF_TC_BODY(unmount_error, tc)
{
	struct rump_stat sb;

	setup();
	kwrite(EXT2_MNT "/f", 5000, 8);
	fail_writes = 1;
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EIO);
	fail_writes = 0;
	ATF_REQUIRE(rump_sys_stat(EXT2_MNT "/f", &sb) == 0);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	finish();
	ATF_REQUIRE(image_has("/f", 5000, 8));
}

ATF_TC(syncer);
ATF_TC_HEAD(syncer, tc)
{
	atf_tc_set_md_var(tc, "descr", "threads mode: the syncer writes "
	    "delayed writes back by itself, and a write-back it could not "
	    "do is reported by the next fsync");
}
ATF_TC_BODY(syncer, tc)
{
	int fd;

	if (serial_mode())
		atf_tc_skip("no syncer thread in serial mode");
	setup();
	kwrite(EXT2_MNT "/f", 9000, 9);
	usleep(2500 * 1000);
	ATF_REQUIRE_MSG(image_has("/f", 9000, 9),
	    "the syncer did not write the file back");
	/* A failing write-back is latched for fsync. */
	kwrite(EXT2_MNT "/g", 9000, 10);
	fail_writes = 1;
	usleep(2500 * 1000);
	fail_writes = 0;
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/g", RUMP_O_RDWR)) != -1);
	ATF_REQUIRE(rump_sys_fsync(fd) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EIO);
	ATF_REQUIRE(rump_sys_fsync(fd) == 0);
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	ATF_REQUIRE(image_has("/g", 9000, 10));
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	finish();
}

ATF_TC(serial_nosyncer);
ATF_TC_HEAD(serial_nosyncer, tc)
{
	atf_tc_set_md_var(tc, "descr", "serial mode: delayed writes stay in "
	    "memory until sync, fsync or unmount");
}
ATF_TC_BODY(serial_nosyncer, tc)
{

	setenv("RUMPUS_MODE", "serial", 1);
	setup();
	kwrite(EXT2_MNT "/f", 9000, 11);
	usleep(1500 * 1000);
	ATF_REQUIRE(!image_has("/f", 9000, 11));
	rump_sys_sync();
	ATF_REQUIRE(image_has("/f", 9000, 11));
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	finish();
}

ATF_TC(lru);
ATF_TC_HEAD(lru, tc)
{
	atf_tc_set_md_var(tc, "descr", "a file three times the cache goes "
	    "through buffer reuse intact; the cache stays within its bound");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(lru, tc)
{
	struct rumpus_books books;
	static char buf[65536];
	size_t i, n = 48 << 20;
	off_t off;
	int fd;

	ext2_require_tools();
	ext2_mkimage(EXT2_IMG, 64, "-b 4096", NULL);
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/big", RUMP_O_RDWR |
	    RUMP_O_CREAT, 0644)) != -1);
	for (off = 0; off < (off_t)n; off += sizeof(buf)) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = ext2_data(12, off + i);
		ATF_REQUIRE(rump_sys_write(fd, buf, sizeof(buf)) ==
		    (ssize_t)sizeof(buf));
	}
	RZ(rumpus_books(&books));
	ATF_REQUIRE_MSG(books.b_kmem_bytes < (24 << 20),
	    "%ju bytes of kmem with a 16 MiB cache",
	    (uintmax_t)books.b_kmem_bytes);
	for (off = 0; off < (off_t)n; off += sizeof(buf)) {
		ATF_REQUIRE(rump_sys_pread(fd, buf, sizeof(buf), off) ==
		    (ssize_t)sizeof(buf));
		for (i = 0; i < sizeof(buf); i += 997)
			ATF_REQUIRE_EQ((uint8_t)buf[i], ext2_data(12, off + i));
	}
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	RZ(rumpus_teardown(&books));
	ATF_REQUIRE_EQ(books.b_kmem_count, 0);
	ext2_require_fsck_clean(EXT2_IMG);
}

/* Fail the nth kmem allocation made by ext2 or the buffer cache. */
struct failnth {
	long	fn_count;	/* allocations seen */
	long	fn_fail;	/* the one to fail (1-based), 0: none */
};

static int
failnth_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *site)
{
	struct failnth *fn = arg;

	if (strcmp(fp->fp_name, RUMPUS_FAULT_KMEM_ALLOC) != 0 ||
	    site->fs_file == NULL ||
	    (strstr(site->fs_file, "/kern/fs/ext2fs/") == NULL &&
	    strstr(site->fs_file, "/kern/vfs/vfs_bio.c") == NULL))
		return 0;
	return ++fn->fn_count == fn->fn_fail ? RUMP_ENOMEM : 0;
}

/* Mount, change, unmount (by force if it must); failures are allowed. */
static void
failnth_workload(void)
{
	char buf[6000];
	int fd;

	if (ext2_mount("work.img", 0) == -1)
		return;
	memset(buf, 'a', sizeof(buf));
	(void)rump_sys_mkdir(EXT2_MNT "/d", 0755);
	if ((fd = rump_sys_open(EXT2_MNT "/d/f", RUMP_O_RDWR | RUMP_O_CREAT,
	    0644)) != -1) {
		(void)rump_sys_pwrite(fd, buf, sizeof(buf), 0);
		(void)rump_sys_pwrite(fd, buf, sizeof(buf), 300000);
		(void)rump_sys_ftruncate(fd, 100);
		(void)rump_sys_fsync(fd);
		(void)rump_sys_close(fd);
	}
	(void)rump_sys_symlink("d/f", EXT2_MNT "/l");
	(void)rump_sys_link(EXT2_MNT "/d/f", EXT2_MNT "/g");
	(void)rump_sys_rename(EXT2_MNT "/g", EXT2_MNT "/small");
	(void)rump_sys_rename(EXT2_MNT "/sub", EXT2_MNT "/d/sub");
	(void)rump_sys_unlink(EXT2_MNT "/dindir");
	(void)rump_sys_rmdir(EXT2_MNT "/d/sub/deeper");
	if (rump_sys_unmount(EXT2_MNT, 0) == -1)
		ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, RUMP_MNT_FORCE) == 0);
}

ATF_TC(failnth_kmem);
ATF_TC_HEAD(failnth_kmem, tc)
{
	atf_tc_set_md_var(tc, "descr", "every kmem allocation of ext2 and "
	    "the buffer cache in a workload fails in turn: no panic, the "
	    "books empty, e2fsck clean");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(failnth_kmem, tc)
{
	struct rumpus_books books;
	struct failnth fn;
	char out[4096];
	long total, n;

	ext2_require_tools();
	ext2_populate("model", 1024);
	ext2_mkimage("pristine.img", 4, "-b 1024", "model");
	for (n = 0;; n++) {
		ATF_REQUIRE(ext2_sh(NULL, 0, "cp pristine.img work.img") == 0);
		memset(&fn, 0, sizeof(fn));
		fn.fn_fail = n;
		RZ(rump_init());
		rumpus_fault_set_hook(failnth_hook, &fn);
		failnth_workload();
		rumpus_fault_set_hook(NULL, NULL);
		RZ(rumpus_teardown(&books));
		if (books.b_kmem_count != 0)
			rumpus_books_print(&books);
		ATF_REQUIRE_EQ_MSG(books.b_kmem_count, 0, "failing allocation "
		    "%ld: %ju allocations left", n,
		    (uintmax_t)books.b_kmem_count);
		ATF_REQUIRE_MSG(ext2_fsck_clean("work.img", out, sizeof(out)),
		    "failing allocation %ld: e2fsck -fn:\n%s", n, out);
		if (n == 0)
			total = fn.fn_count;
		else if (n >= total)
			break;
	}
	fprintf(stderr, "%ld allocations failed in turn\n", total);
	ATF_REQUIRE(total > 20);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, read_error);
	ATF_TP_ADD_TC(tp, fsync_error);
	ATF_TP_ADD_TC(tp, unmount_error);
	ATF_TP_ADD_TC(tp, syncer);
	ATF_TP_ADD_TC(tp, serial_nosyncer);
	ATF_TP_ADD_TC(tp, lru);
	ATF_TP_ADD_TC(tp, failnth_kmem);
	return atf_no_error();
}
