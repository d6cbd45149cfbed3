/*
 * etfs (host files under key paths) and tmpfs's own mount arguments.
 */
#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rumpvfs_if_pub.h>

#include "h_fsmacros.h"

/* A host file of len bytes: byte i is i % 251. */
static void
host_file(const char *path, size_t len)
{
	char *buf;
	int fd;

	ATF_REQUIRE((buf = malloc(len)) != NULL);
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i % 251);
	ATF_REQUIRE((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) != -1);
	ATF_REQUIRE_EQ(write(fd, buf, len), (ssize_t)len);
	ATF_REQUIRE(close(fd) == 0);
	free(buf);
}

ATF_TC(etfs_reg);
ATF_TC_HEAD(etfs_reg, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMP_ETFS_REG: a host file read "
	    "and written through a key path");
}
ATF_TC_BODY(etfs_reg, tc)
{
	struct rump_stat sb;
	char buf[16];
	int fd, hfd;

	host_file("host.dat", 1000);
	RZ(rump_init());
	RZ(rump_pub_etfs_register("/hostfile", "host.dat", RUMP_ETFS_REG));
	REQUIRE_NBERRNO(rump_pub_etfs_register("/hostfile", "host.dat",
	    RUMP_ETFS_REG), RUMP_EEXIST);
	REQUIRE_NBERRNO(rump_pub_etfs_register("/x", "no/such/file",
	    RUMP_ETFS_REG), RUMP_ENOENT);
	REQUIRE_NBERRNO(rump_pub_etfs_register("relative", "host.dat",
	    RUMP_ETFS_REG), RUMP_EINVAL);
	RL(rump_sys_stat("/hostfile", &sb));
	ATF_REQUIRE_EQ(sb.st_size, 1000);
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFREG);
	RL(fd = rump_sys_open("/hostfile", RUMP_O_RDWR));
	ATF_REQUIRE_EQ(rump_sys_pread(fd, buf, 4, 251), 4);
	ATF_REQUIRE(buf[0] == 0 && buf[1] == 1 && buf[3] == 3);
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "HELLO", 5, 998), 5);
	REQUIRE_NBERRNO(rump_pub_etfs_remove("/hostfile"), RUMP_EBUSY);
	RL(rump_sys_close(fd));
	RZ(rump_pub_etfs_remove("/hostfile"));
	REQUIRE_NBERRNO(rump_pub_etfs_remove("/hostfile"), RUMP_ENOENT);
	FS_ERR(rump_sys_stat("/hostfile", &sb), RUMP_ENOENT);
	fstest_teardown();
	ATF_REQUIRE((hfd = open("host.dat", O_RDONLY)) != -1);
	ATF_REQUIRE_EQ(pread(hfd, buf, 5, 998), 5);
	ATF_REQUIRE(memcmp(buf, "HELLO", 5) == 0);
	close(hfd);
}

ATF_TC(etfs_blk);
ATF_TC_HEAD(etfs_blk, tc)
{
	atf_tc_set_md_var(tc, "descr", "RUMP_ETFS_BLK: a host file as a "
	    "block device, whole blocks only, windows by withsize");
}
ATF_TC_BODY(etfs_blk, tc)
{
	struct rump_stat sb;
	char blk[1024];
	int fd;

	host_file("disk.img", 64 * 1024);
	RZ(rump_init());
	RZ(rump_pub_etfs_register("/dev/disk", "disk.img", RUMP_ETFS_BLK));
	RZ(rump_pub_etfs_register_withsize("/dev/part", "disk.img",
	    RUMP_ETFS_BLK, 4096, 8192));
	REQUIRE_NBERRNO(rump_pub_etfs_register_withsize("/dev/bad",
	    "disk.img", RUMP_ETFS_BLK, 100, 512), RUMP_EINVAL);
	RL(rump_sys_stat("/dev/disk", &sb));
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFBLK);
	ATF_REQUIRE_EQ(sb.st_size, 64 * 1024);
	RL(rump_sys_stat("/dev/part", &sb));
	ATF_REQUIRE_EQ(sb.st_size, 8192);
	RL(fd = rump_sys_open("/dev/part", RUMP_O_RDWR));
	ATF_REQUIRE_EQ(rump_sys_pread(fd, blk, 512, 512), 512);
	for (int i = 0; i < 512; i++)
		ATF_REQUIRE_EQ((unsigned char)blk[i], (4096 + 512 + i) % 251);
	FS_ERR(rump_sys_pread(fd, blk, 100, 0), RUMP_EINVAL);
	FS_ERR(rump_sys_pread(fd, blk, 512, 7), RUMP_EINVAL);
	ATF_REQUIRE_EQ(rump_sys_pread(fd, blk, 1024, 8192), 0);
	memset(blk, 0xee, sizeof(blk));
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, blk, 1024, 0), 1024);
	RL(rump_sys_fsync(fd));
	RL(rump_sys_close(fd));
	RL(fd = rump_sys_open("/dev/disk", RUMP_O_RDONLY));
	ATF_REQUIRE_EQ(rump_sys_pread(fd, blk, 512, 4096), 512);
	ATF_REQUIRE_EQ((unsigned char)blk[0], 0xee);
	RL(rump_sys_close(fd));
	RZ(rump_pub_etfs_remove("/dev/part"));
	fstest_teardown();
}

ATF_TC(etfs_blk_teardown);
ATF_TC_HEAD(etfs_blk_teardown, tc)
{
	atf_tc_set_md_var(tc, "descr", "threads mode: teardown right after "
	    "a block read waits for the host's I/O thread to leave the "
	    "kernel (500 boots): never EBUSY, books clean");
}
ATF_TC_BODY(etfs_blk_teardown, tc)
{
	char blk[512];
	int fd, run;

	host_file("disk.img", 8 * 1024);
	ATF_REQUIRE(setenv("RUMPUS_MODE", "threads", 1) == 0);
	for (run = 0; run < 500; run++) {
		RZ(rump_init());
		RZ(rump_pub_etfs_register("/dev/disk", "disk.img",
		    RUMP_ETFS_BLK));
		RL(fd = rump_sys_open("/dev/disk", RUMP_O_RDONLY));
		ATF_REQUIRE_EQ(rump_sys_pread(fd, blk, 512, 512), 512);
		ATF_REQUIRE_EQ((unsigned char)blk[0], 512 % 251);
		RL(rump_sys_close(fd));
		fstest_teardown();
	}
}

ATF_TC(tmpfs_limits);
ATF_TC_HEAD(tmpfs_limits, tc)
{
	atf_tc_set_md_var(tc, "descr", "tmpfs_args: size and node limits "
	    "give ENOSPC, a bad version EINVAL, the root's attributes");
}
ATF_TC_BODY(tmpfs_limits, tc)
{
	struct rump_tmpfs_args args;
	struct rump_statvfs sv;
	struct rump_stat sb;
	char page[4096];
	int fd, i;

	RZ(rump_init());
	RL(rump_sys_mkdir("/mnt", 0755));
	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_size_max = 4 * 4096;
	args.ta_nodes_max = 3;
	args.ta_root_uid = 7;
	args.ta_root_gid = 8;
	args.ta_root_mode = 01770;
	args.ta_version = 99;
	FS_ERR(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args,
	    sizeof(args)), RUMP_EINVAL);
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	FS_ERR(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args, 4),
	    RUMP_EINVAL);
	FS_ERR(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, NULL,
	    sizeof(args)), RUMP_EFAULT);
	RL(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args, sizeof(args)));
	RL(rump_sys_stat("/mnt", &sb));
	ATF_REQUIRE(sb.st_uid == 7 && sb.st_gid == 8);
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFDIR | 01770);
	RL(rump_sys_statvfs1("/mnt", &sv, RUMP_ST_WAIT));
	ATF_REQUIRE_EQ(sv.f_blocks, 4);
	ATF_REQUIRE_EQ(sv.f_files, 3);
	/* Four pages fit, the fifth does not. */
	RL(fd = rump_sys_open("/mnt/f", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	memset(page, 'p', sizeof(page));
	for (i = 0; i < 4; i++)
		ATF_REQUIRE_EQ(rump_sys_write(fd, page, sizeof(page)),
		    (ssize_t)sizeof(page));
	FS_ERR(rump_sys_write(fd, page, sizeof(page)), RUMP_ENOSPC);
	/* A hole costs nothing; truncating gives the pages back. */
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "", 0, 1 << 20), 0);
	RL(rump_sys_ftruncate(fd, 4096));
	ATF_REQUIRE_EQ(rump_sys_write(fd, page, sizeof(page)),
	    (ssize_t)sizeof(page));
	RL(rump_sys_close(fd));
	/* Root + f + one more node. */
	RL(rump_sys_mkdir("/mnt/d", 0755));
	FS_ERR(rump_sys_mkdir("/mnt/e", 0755), RUMP_ENOSPC);
	FS_ERR(rump_sys_symlink("x", "/mnt/l"), RUMP_ENOSPC);
	RL(rump_sys_rmdir("/mnt/d"));
	RL(rump_sys_symlink("x", "/mnt/l"));
	RL(rump_sys_unmount("/mnt", 0));
	fstest_teardown();
}

/* mount(MNT_GETARGS) of the tmpfs at path, which must answer. */
static struct rump_tmpfs_args
tmpfs_getargs(const char *path)
{
	struct rump_tmpfs_args args;

	memset(&args, 0xa5, sizeof(args));
	ATF_REQUIRE_EQ(rump_sys_mount(NULL, path, RUMP_MNT_GETARGS, &args,
	    sizeof(args)), (int)sizeof(args));
	ATF_REQUIRE_EQ(args.ta_version, RUMP_TMPFS_ARGS_VERSION);
	return args;
}

ATF_TC(tmpfs_getargs);
ATF_TC_HEAD(tmpfs_getargs, tc)
{
	atf_tc_set_md_var(tc, "descr", "MNT_GETARGS gives tmpfs_args in "
	    "force: limits, the root's owner and mode now; they mount again");
}
ATF_TC_BODY(tmpfs_getargs, tc)
{
	struct rump_tmpfs_args args, got;
	struct rump_statvfs sv, sv2;

	RZ(rump_init());
	/* "/": no limits, mode 0755, root's. */
	got = tmpfs_getargs("/");
	ATF_REQUIRE(got.ta_nodes_max == 0 && got.ta_size_max == 0);
	ATF_REQUIRE(got.ta_root_uid == 0 && got.ta_root_gid == 0);
	ATF_REQUIRE_EQ(got.ta_root_mode, 0755);
	RL(rump_sys_mkdir("/mnt", 0755));
	RL(rump_sys_mkdir("/mnt2", 0755));
	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_size_max = 4 * 4096 + 1;
	args.ta_nodes_max = 5;
	args.ta_root_uid = 7;
	args.ta_root_gid = 8;
	args.ta_root_mode = 01770;
	RL(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args, sizeof(args)));
	/* The size as the whole pages it allows. */
	got = tmpfs_getargs("/mnt");
	ATF_REQUIRE_EQ(got.ta_nodes_max, 5);
	ATF_REQUIRE_EQ(got.ta_size_max, 5 * 4096);
	ATF_REQUIRE(got.ta_root_uid == 7 && got.ta_root_gid == 8);
	ATF_REQUIRE_EQ(got.ta_root_mode, 01770);
	/* The root's attributes as they are now. */
	RL(rump_sys_chown("/mnt", 9, 10));
	RL(rump_sys_chmod("/mnt", 0700));
	got = tmpfs_getargs("/mnt");
	ATF_REQUIRE(got.ta_root_uid == 9 && got.ta_root_gid == 10);
	ATF_REQUIRE_EQ(got.ta_root_mode, 0700);
	/* What it gives, a mount takes: the same file system again. */
	RL(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt2", 0, &got, sizeof(got)));
	RL(rump_sys_statvfs1("/mnt", &sv, RUMP_ST_WAIT));
	RL(rump_sys_statvfs1("/mnt2", &sv2, RUMP_ST_WAIT));
	ATF_REQUIRE(sv.f_blocks == sv2.f_blocks && sv.f_files == sv2.f_files);
	args = tmpfs_getargs("/mnt2");
	ATF_REQUIRE(memcmp(&args, &got, sizeof(args)) == 0);
	RL(rump_sys_unmount("/mnt2", 0));
	RL(rump_sys_unmount("/mnt", 0));
	/* A limit too large to name in pages' bytes is clamped. */
	args.ta_size_max = INT64_MAX;
	RL(rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args, sizeof(args)));
	got = tmpfs_getargs("/mnt");
	ATF_REQUIRE_EQ(got.ta_size_max, INT64_MAX / 4096 * 4096);
	RL(rump_sys_unmount("/mnt", 0));
	fstest_teardown();
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, etfs_reg);
	ATF_TP_ADD_TC(tp, etfs_blk);
	ATF_TP_ADD_TC(tp, etfs_blk_teardown);
	ATF_TP_ADD_TC(tp, tmpfs_limits);
	ATF_TP_ADD_TC(tp, tmpfs_getargs);
	return atf_no_error();
}
