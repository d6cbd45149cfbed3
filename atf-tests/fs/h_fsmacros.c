/*
 * The file-system variants and the instance around each test body.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpus_ext.h>
#include <rump/rumpus_vfs.h>
#include <rump/rumpvfs_if_pub.h>

#include "h_fsmacros.h"

static int
tmpfs_mount(const struct fstest_fs *fs, const char *path, int flags)
{
	struct rump_tmpfs_args args;

	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_root_mode = 0777;
	return rump_sys_mount(RUMP_MOUNT_TMPFS, path, flags, &args,
	    sizeof(args));
}

const struct fstest_fs fstest_tmpfs = {
	.fs_name = "tmpfs",
	.fs_mount = tmpfs_mount,
};

/*
 * ext2: each mount a fresh 16 MiB image from mke2fs -t ext2 (Debian's
 * default features) in the work directory, through etfs; after the
 * unmount, e2fsck -fn must find every image clean.
 */
static int ext2_nimages;

static int
ext2_mount(const struct fstest_fs *fs, const char *path, int flags)
{
	struct rump_ufs_args args;
	char key[64], img[64], cmd[256];
	int error;

	REQUIRE_DEPENDENCY(access("/usr/sbin/mke2fs", X_OK) == 0 &&
	    access("/usr/sbin/e2fsck", X_OK) == 0, "e2fsprogs");
	if (flags & RUMP_MNT_UPDATE) {
		/* ext2 takes no arguments for an update. */
		args.fspec = NULL;
		return rump_sys_mount(RUMP_MOUNT_EXT2FS, path, flags, &args,
		    sizeof(args));
	}
	snprintf(img, sizeof(img), "fstest-ext2-%d.img", ext2_nimages);
	snprintf(key, sizeof(key), "/dev/fstest-ext2-%d", ext2_nimages++);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/mke2fs -q -F -t ext2 "
	    "-E root_owner=0:0 %s 16M >/dev/null 2>&1", img);
	ATF_REQUIRE_EQ_MSG(system(cmd), 0, "%s", cmd);
	error = rump_pub_etfs_register(key, img, RUMP_ETFS_BLK);
	if (error != 0) {
		errno = error;
		return -1;
	}
	args.fspec = key;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, path, flags, &args,
	    sizeof(args)) == -1)
		return -1;
	/* The shared bodies expect a root anyone may write, as tmpfs's. */
	return (flags & RUMP_MNT_RDONLY) ? 0 : rump_sys_chmod(path, 0777);
}

static void
ext2_check(const struct fstest_fs *fs)
{
	char cmd[256], out[4096];
	size_t n;
	FILE *p;
	int i, status;

	for (i = 0; i < ext2_nimages; i++) {
		snprintf(cmd, sizeof(cmd), "/usr/sbin/e2fsck -fn "
		    "fstest-ext2-%d.img 2>&1", i);
		ATF_REQUIRE((p = popen(cmd, "r")) != NULL);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		status = pclose(p);
		ATF_REQUIRE_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "%s after the test:\n%s", cmd, out);
	}
}

const struct fstest_fs fstest_ext2 = {
	.fs_name = "ext2fs",
	.fs_mount = ext2_mount,
	.fs_check = ext2_check,
};

void
fstest_teardown(void)
{
	struct rumpus_books books;
	struct rumpus_vfs_books vb;

	RZ(rumpus_teardown(&books));
	if (books.b_kmem_count != 0 || books.b_nlocks != 0 ||
	    books.b_nlwps != 0)
		rumpus_books_print(&books);
	ATF_REQUIRE_EQ_MSG(books.b_kmem_count, 0,
	    "%ju kernel allocations left", (uintmax_t)books.b_kmem_count);
	ATF_REQUIRE_EQ(books.b_nlocks, 0);
	ATF_REQUIRE_EQ(books.b_nlwps, 0);
	RZ(rumpus_vfs_books(&vb));
	ATF_REQUIRE_EQ_MSG(vb.vb_teardown_vnodes, 0,
	    "%u vnodes alive at teardown", vb.vb_teardown_vnodes);
}

void
fstest_run(const struct fstest_fs *fs, void (*body)(const struct fstest_fs *))
{
	struct rumpus_vfs_books vb;

	RZ(rump_init());
	RL(rump_sys_mkdir(FSTEST_MNT, 0777));
	RL(fs->fs_mount(fs, FSTEST_MNT, 0));
	RL(rump_sys_chdir(FSTEST_MNT));
	body(fs);
	RL(rump_sys_chdir("/"));
	RL(rump_sys_unmount(FSTEST_MNT, 0));
	RZ(rumpus_vfs_books(&vb));
	ATF_REQUIRE_EQ(vb.vb_mounts, 1);
	fstest_teardown();
	if (fs->fs_check != NULL)
		fs->fs_check(fs);
}

void
fstest_run_parallel(const struct fstest_fs *fs,
    void (*body)(const struct fstest_fs *))
{
	const char *ncpu = getenv("RUMP_NCPU");
	char buf[16];

	ATF_REQUIRE(setenv("RUMPUS_MODE", "threads", 1) == 0);
	if (ncpu == NULL || atoi(ncpu) < FSTEST_NCPU) {
		snprintf(buf, sizeof(buf), "%d", FSTEST_NCPU);
		ATF_REQUIRE(setenv("RUMP_NCPU", buf, 1) == 0);
	}
	fstest_run(fs, body);
}

void
fs_mkfile(const char *path, const char *contents)
{
	size_t len = strlen(contents);
	int fd;

	RL(fd = rump_sys_open(path, RUMP_O_WRONLY | RUMP_O_CREAT |
	    RUMP_O_TRUNC, 0644));
	ATF_REQUIRE_EQ(rump_sys_write(fd, contents, len), (ssize_t)len);
	RL(rump_sys_close(fd));
}

void
fs_require_contents(const char *path, const char *contents)
{
	char buf[4096];
	ssize_t n;
	int fd;

	RL(fd = rump_sys_open(path, RUMP_O_RDONLY));
	RL(n = rump_sys_read(fd, buf, sizeof(buf) - 1));
	RL(rump_sys_close(fd));
	buf[n] = '\0';
	ATF_REQUIRE_STREQ_MSG(buf, contents, "contents of %s", path);
}

bool
fs_exists(const char *path)
{
	struct rump_stat sb;

	return rump_sys_lstat(path, &sb) == 0;
}

void
fs_become(uint32_t uid, uint32_t gid)
{

	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	RL(rump_sys_setgid(gid));
	RL(rump_sys_setuid(uid));
	ATF_REQUIRE_EQ(rump_sys_geteuid(), uid);
}
