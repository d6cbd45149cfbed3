/*
 * ext2 interoperability with e2fsprogs: images made by mke2fs -d at every
 * block and inode size, with default features, with none, and revision 0,
 * read back byte for byte; then changed in the kernel (every change made
 * to a host model directory too) and, after unmount, found clean by
 * e2fsck -fn with debugfs seeing the model's tree.  Also: read-only
 * mounts, remount, features the driver does not implement.
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
#include <rump/rumpus_vfs.h>
#include <rump/rumpvfs_if_pub.h>

#include "h_macros.h"
#include "h_ext2.h"
#include "h_ext2ops.h"
#include "h_fsmacros.h"

#define IMG_MIB		8

/* The changes every interop variant makes, to the kernel and the model. */
static void
interop_changes(const struct ext2_variant *ev)
{
	uint64_t bsize = ev->ev_bsize, nind = bsize / 4, off;
	char name[64];
	int fd, i;

	/* New files: small, into the triple indirect tree (sparse). */
	ATF_REQUIRE(op_write("new", 0, 3000, 11, true));
	off = (12 + nind + nind * nind + 5) * bsize;
	if (strncmp(ev->ev_name, "rev0", 4) == 0 && off >= (1ULL << 31)) {
		/* No large_file in revision 0: 2 GiB at most. */
		ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/tind",
		    RUMP_O_WRONLY | RUMP_O_CREAT, 0644)) != -1);
		ATF_REQUIRE(rump_sys_pwrite(fd, "x", 1, off) == -1);
		ATF_REQUIRE_EQ(errno, RUMP_EFBIG);
		ATF_REQUIRE(rump_sys_close(fd) == 0);
		ATF_REQUIRE(op_write("tind", (1ULL << 31) - 1001, 1000, 12,
		    true));
	} else
		ATF_REQUIRE(op_write("tind", off, 1000, 12, true));
	/* Overwrite across a block boundary, extend past the end. */
	ATF_REQUIRE(op_write("direct", bsize - 10, 20, 13, false));
	ATF_REQUIRE(op_write("small", 90, bsize * 2, 14, false));
	/* Fill a hole, shrink across the indirect blocks, grow sparse. */
	ATF_REQUIRE(op_write("dindir", 20 * (uint64_t)bsize, 100, 15, false));
	ATF_REQUIRE(op_truncate("dindir", 13 * (uint64_t)bsize + 5));
	ATF_REQUIRE(op_truncate("sparse", 5 * 1024 * 1024));
	ATF_REQUIRE(op_truncate("hard1", 10));
	/* Names. */
	ATF_REQUIRE(op_mkdir("newdir", 0750));
	ATF_REQUIRE(op_rename("sub/deeper", "newdir/moved"));
	ATF_REQUIRE(op_rename("new", "newdir/moved/new2"));
	ATF_REQUIRE(op_rename("direct", "hard2"));
	ATF_REQUIRE(op_link("newdir/moved/new2", "newlink"));
	ATF_REQUIRE(op_symlink("newdir/moved/new2", "sym-fast"));
	memset(name, 'y', 63);
	name[63] = '\0';
	ATF_REQUIRE(op_symlink(name, "sym-63"));
	ATF_REQUIRE(op_unlink("empty"));
	ATF_REQUIRE(op_unlink("fastlink"));
	ATF_REQUIRE(op_chmod("small", 0604));
	ATF_REQUIRE(!op_rmdir("newdir"));
	/* Change an indexed directory: its index flag must go. */
	for (i = 0; i < 200; i += 3) {
		snprintf(name, sizeof(name), "big/entry-with-a-long-name-%04d",
		    i);
		ATF_REQUIRE(op_unlink(name));
	}
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "big/n%d", i);
		ATF_REQUIRE(op_write(name, 0, i * 37, 200 + i, true));
	}
	ATF_REQUIRE(op_mkdir("big/subdir", 0755));
	ATF_REQUIRE(op_rename("big/subdir", "newdir/fromindexed"));
}

/*
 * With dir_index and ext_attr: let e2fsck index "big" (htree) and give
 * "empty" (unlinked by the changes) an extended-attribute block, so the
 * driver must clear the index flag and release the block.
 */
static void
index_and_xattr(void)
{
	char out[4096], val[301];
	FILE *f;

	(void)ext2_sh(out, sizeof(out), "/usr/sbin/e2fsck -fyD %s", EXT2_IMG);
	ATF_REQUIRE_MSG(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -R "
	    "'stat /big' %s | grep -q 'Flags: 0x1000'", EXT2_IMG) == 0,
	    "e2fsck -D did not index /big");
	memset(val, 'x', 300);
	val[300] = '\0';
	ATF_REQUIRE((f = fopen("eacmd", "w")) != NULL);
	fprintf(f, "ea_set /empty user.test %s\n", val);
	fclose(f);
	ATF_REQUIRE(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -w -f eacmd "
	    "%s", EXT2_IMG) == 0);
	ATF_REQUIRE_MSG(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -R "
	    "'stat /empty' %s | grep -q 'File ACL: [1-9]'", EXT2_IMG) == 0,
	    "no extended-attribute block on /empty");
	ext2_require_fsck_clean(EXT2_IMG);
}

static void
interop(const struct ext2_variant *ev)
{

	ext2_require_tools();
	ext2_populate("model", ev->ev_bsize);
	ext2_mkimage(EXT2_IMG, IMG_MIB, ev->ev_opts, "model");
	ops_set_model("model");
	if (strstr(ev->ev_opts, "-O none") == NULL &&
	    strncmp(ev->ev_name, "rev0", 4) != 0)
		index_and_xattr();

	RZ(rump_init());
	ATF_REQUIRE_MSG(ext2_mount(EXT2_IMG, 0) == 0, "mount: %s",
	    rump_errno_name(errno));
	ops_require_same("as mke2fs made it");
	interop_changes(ev);
	ops_require_same("after the changes");
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	ext2_require_fsck_clean(EXT2_IMG);
	/* Again, from the image alone. */
	ATF_REQUIRE(ext2_mount(EXT2_IMG, RUMP_MNT_RDONLY) == 0);
	ops_require_same("after remounting");
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	fstest_teardown();
	ext2_require_debugfs_tree(EXT2_IMG, "model");
}

#define INTEROP(idx, vname)						\
ATF_TC(interop_##vname);						\
ATF_TC_HEAD(interop_##vname, tc)					\
{									\
	atf_tc_set_md_var(tc, "descr", "mke2fs " #vname " image: read "	\
	    "back, changed, e2fsck clean, debugfs agrees");		\
}									\
ATF_TC_BODY(interop_##vname, tc)					\
{									\
	ATF_REQUIRE_STREQ(ext2_variants[idx].ev_name, #vname);		\
	interop(&ext2_variants[idx]);					\
}

INTEROP(0, b1024_i128)
INTEROP(1, b1024_i256)
INTEROP(2, b2048_i128)
INTEROP(3, b2048_i256)
INTEROP(4, b4096_i128)
INTEROP(5, b4096_i256)
INTEROP(6, none_b1024)
INTEROP(7, none_b4096)
INTEROP(8, rev0_b1024)
INTEROP(9, rev0_b4096)

ATF_TC(readonly);
ATF_TC_HEAD(readonly, tc)
{
	atf_tc_set_md_var(tc, "descr", "MNT_RDONLY refuses changes with "
	    "EROFS and leaves the image as it was; remount rw and back");
}
ATF_TC_BODY(readonly, tc)
{
	char out[256];
	int fd;

	ext2_require_tools();
	ext2_populate("model", 1024);
	ext2_mkimage(EXT2_IMG, IMG_MIB, "-b 1024", "model");
	ATF_REQUIRE(ext2_sh(NULL, 0, "cp %s pristine.img", EXT2_IMG) == 0);
	ops_set_model("model");
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, RUMP_MNT_RDONLY) == 0);
	ops_require_same("read-only");
	errno = 0;
	ATF_REQUIRE(rump_sys_open(EXT2_MNT "/x", RUMP_O_CREAT | RUMP_O_RDWR,
	    0644) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EROFS);
	ATF_REQUIRE(rump_sys_unlink(EXT2_MNT "/small") == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EROFS);
	ATF_REQUIRE(rump_sys_mkdir(EXT2_MNT "/d", 0755) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EROFS);
	/* To read-write: changes work. */
	ATF_REQUIRE(ext2_mount(EXT2_IMG, RUMP_MNT_UPDATE) == 0);
	ATF_REQUIRE(op_write("after-rw", 0, 5000, 1, true));
	/* Back to read-only: the change is on the image, clean. */
	ATF_REQUIRE(ext2_mount(EXT2_IMG, RUMP_MNT_UPDATE | RUMP_MNT_RDONLY) ==
	    0);
	ext2_require_fsck_clean(EXT2_IMG);
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/y", RUMP_O_CREAT |
	    RUMP_O_RDWR, 0644)) == -1);
	ops_require_same("after rw and back");
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	fstest_teardown();
	ext2_require_fsck_clean(EXT2_IMG);
	ATF_REQUIRE(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -R "
	    "'cat /after-rw' %s | cmp -s - model/after-rw", EXT2_IMG) == 0);
}

/* Owners, modes and times of a file on an image with isize-byte inodes. */
static void
attrs_case(unsigned isize)
{
	struct rump_timespec ts[2];
	struct rump_stat sb;
	char opts[64], out[4096];
	long wantns = isize > 128 ? 123456789 : 0;
	int fd;

	ext2_require_tools();
	snprintf(opts, sizeof(opts), "-b 1024 -I %u", isize);
	ext2_mkimage(EXT2_IMG, 4, opts, NULL);
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	ATF_REQUIRE((fd = rump_sys_open(EXT2_MNT "/f", RUMP_O_CREAT |
	    RUMP_O_RDWR, 0640)) != -1);
	ATF_REQUIRE(rump_sys_close(fd) == 0);
	/* 32-bit owners: the high halves live in revision 1's osd2. */
	ATF_REQUIRE(rump_sys_chown(EXT2_MNT "/f", 70000, 80000) == 0);
	ATF_REQUIRE(rump_sys_chmod(EXT2_MNT "/f", 04751) == 0);
	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 1500000000;
	ts[1].tv_nsec = 123456789;
	ATF_REQUIRE(rump_sys_utimensat(RUMP_AT_FDCWD, EXT2_MNT "/f", ts, 0) ==
	    0);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	ATF_REQUIRE(rump_sys_stat(EXT2_MNT "/f", &sb) == 0);
	ATF_REQUIRE_EQ(sb.st_uid, 70000);
	ATF_REQUIRE_EQ(sb.st_gid, 80000);
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFREG | 04751);
	ATF_REQUIRE_EQ(sb.st_atim.tv_sec, 1000000000);
	ATF_REQUIRE_EQ(sb.st_mtim.tv_sec, 1500000000);
	/* Nanoseconds where the inode has room for them. */
	ATF_REQUIRE_EQ(sb.st_mtim.tv_nsec, wantns);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	fstest_teardown();
	ext2_require_fsck_clean(EXT2_IMG);
	ATF_REQUIRE_MSG(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -R "
	    "'stat /f' %s | grep -q 'User: 70000   Group: 80000'",
	    EXT2_IMG) == 0, "debugfs sees other owners");
	ATF_REQUIRE_MSG(ext2_sh(out, sizeof(out), "/usr/sbin/debugfs -R "
	    "'stat /f' %s | grep -q 'Mode:  04751'", EXT2_IMG) == 0,
	    "debugfs sees another mode");
}

ATF_TC(attrs_i128);
ATF_TC_HEAD(attrs_i128, tc)
{
	atf_tc_set_md_var(tc, "descr", "32-bit owners, set-id modes and "
	    "times survive a remount; debugfs agrees (128-byte inodes)");
}
ATF_TC_BODY(attrs_i128, tc)
{

	attrs_case(128);
}

ATF_TC(attrs_i256);
ATF_TC_HEAD(attrs_i256, tc)
{
	atf_tc_set_md_var(tc, "descr", "32-bit owners, set-id modes and "
	    "nanosecond times survive a remount; debugfs agrees (256-byte "
	    "inodes)");
}
ATF_TC_BODY(attrs_i256, tc)
{

	attrs_case(256);
}

ATF_TC(features);
ATF_TC_HEAD(features, tc)
{
	atf_tc_set_md_var(tc, "descr", "unsupported incompat features fail "
	    "the mount (EINVAL); unknown ro_compat ones allow read-only only");
}
ATF_TC_BODY(features, tc)
{

	ext2_require_tools();
	RZ(rump_init());
	/* extents: incompatible. */
	ext2_mkimage("ext4.img", 4, "-O extents", NULL);
	ATF_REQUIRE(ext2_mount("ext4.img", 0) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EINVAL);
	ATF_REQUIRE(ext2_mount("ext4.img", RUMP_MNT_RDONLY) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EINVAL);
	RZ(rump_pub_etfs_remove(EXT2_DEV));
	/* huge_file: read-only compatible. */
	ext2_mkimage("huge.img", 4, "-O huge_file", NULL);
	ATF_REQUIRE(ext2_mount("huge.img", 0) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EROFS);
	ATF_REQUIRE(ext2_mount("huge.img", RUMP_MNT_RDONLY) == 0);
	ATF_REQUIRE(ext2_mount("huge.img", RUMP_MNT_UPDATE) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EROFS);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	fstest_teardown();
	ext2_require_fsck_clean("huge.img");
}

ATF_TC(mounted_twice);
ATF_TC_HEAD(mounted_twice, tc)
{
	atf_tc_set_md_var(tc, "descr", "a device mounted already cannot be "
	    "mounted a second time (EBUSY)");
}
ATF_TC_BODY(mounted_twice, tc)
{
	struct rump_ufs_args args;
	static char key[] = EXT2_DEV;

	ext2_require_tools();
	ext2_mkimage(EXT2_IMG, 4, "-b 1024", NULL);
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	ATF_REQUIRE(rump_sys_mkdir("/mnt2", 0755) == 0);
	args.fspec = key;
	ATF_REQUIRE(rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt2", 0, &args,
	    sizeof(args)) == -1);
	ATF_REQUIRE_EQ(errno, RUMP_EBUSY);
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	ATF_REQUIRE(rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt2", 0, &args,
	    sizeof(args)) == 0);
	ATF_REQUIRE(rump_sys_unmount("/mnt2", 0) == 0);
	fstest_teardown();
	ext2_require_fsck_clean(EXT2_IMG);
}

ATF_TC(teardown_mounted);
ATF_TC_HEAD(teardown_mounted, tc)
{
	atf_tc_set_md_var(tc, "descr", "teardown with an ext2 file system "
	    "still mounted and a file open on it unmounts it by force and "
	    "writes it back (found by rumpus run: a failing ext2 scenario "
	    "with a descriptor open crashed in teardown, ext2fs_fini having "
	    "destroyed the mounts lock before the VFS unmounted it)");
}
ATF_TC_BODY(teardown_mounted, tc)
{
	int fd;

	ext2_require_tools();
	ext2_mkimage(EXT2_IMG, 4, "-b 1024", NULL);
	RZ(rump_init());
	ATF_REQUIRE(ext2_mount(EXT2_IMG, 0) == 0);
	RL(fd = rump_sys_open(EXT2_MNT "/left", RUMP_O_WRONLY |
	    RUMP_O_CREAT, 0644));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "open", 4), 4);
	fstest_teardown();
	ext2_require_fsck_clean(EXT2_IMG);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, interop_b1024_i128);
	ATF_TP_ADD_TC(tp, interop_b1024_i256);
	ATF_TP_ADD_TC(tp, interop_b2048_i128);
	ATF_TP_ADD_TC(tp, interop_b2048_i256);
	ATF_TP_ADD_TC(tp, interop_b4096_i128);
	ATF_TP_ADD_TC(tp, interop_b4096_i256);
	ATF_TP_ADD_TC(tp, interop_none_b1024);
	ATF_TP_ADD_TC(tp, interop_none_b4096);
	ATF_TP_ADD_TC(tp, interop_rev0_b1024);
	ATF_TP_ADD_TC(tp, interop_rev0_b4096);
	ATF_TP_ADD_TC(tp, readonly);
	ATF_TP_ADD_TC(tp, attrs_i128);
	ATF_TP_ADD_TC(tp, attrs_i256);
	ATF_TP_ADD_TC(tp, features);
	ATF_TP_ADD_TC(tp, mounted_twice);
	ATF_TP_ADD_TC(tp, teardown_mounted);
	return atf_no_error();
}
