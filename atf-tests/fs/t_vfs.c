/*
 * The VFS and every file system under it, one body per semantic check
 * (h_fsmacros.h): each system call's success and documented errors.
 */
#include <sys/types.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rumpus_ext.h>
#include <rump/rumpus_vfs.h>

#include "h_fsmacros.h"

FSTEST(open_rw, "open, write, lseek, read back, close")
static void
open_rw(const struct fstest_fs *fs)
{
	char buf[64];
	struct rump_stat sb;
	int fd;

	RL(fd = rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "hello, world", 12), 12);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 12);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 7, RUMP_SEEK_SET), 7);
	ATF_REQUIRE_EQ(rump_sys_read(fd, buf, sizeof(buf)), 5);
	ATF_REQUIRE(memcmp(buf, "world", 5) == 0);
	ATF_REQUIRE_EQ(rump_sys_read(fd, buf, sizeof(buf)), 0);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, -2, RUMP_SEEK_END), 10);
	FS_ERR(rump_sys_lseek(fd, -20, RUMP_SEEK_END), RUMP_EINVAL);
	FS_ERR(rump_sys_lseek(fd, 0, 42), RUMP_EINVAL);
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_size, 12);
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFREG);
	ATF_REQUIRE_EQ(sb.st_nlink, 1);
	RL(rump_sys_fsync(fd));
	RL(rump_sys_fdatasync(fd));
	RL(rump_sys_close(fd));
	FS_ERR(rump_sys_close(fd), RUMP_EBADF);
	FS_ERR(rump_sys_read(fd, buf, 1), RUMP_EBADF);
	fs_require_contents("f", "hello, world");
}

FSTEST(open_errors, "open's documented errors")
static void
open_errors(const struct fstest_fs *fs)
{
	char name[600], path[1100];
	int fd;

	fs_mkfile("f", "x");
	RL(rump_sys_mkdir("d", 0755));
	FS_ERR(rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT | RUMP_O_EXCL,
	    0644), RUMP_EEXIST);
	FS_ERR(rump_sys_open("nope", RUMP_O_RDONLY), RUMP_ENOENT);
	FS_ERR(rump_sys_open("nodir/f", RUMP_O_RDWR | RUMP_O_CREAT, 0644),
	    RUMP_ENOENT);
	FS_ERR(rump_sys_open("f/x", RUMP_O_RDONLY), RUMP_ENOTDIR);
	FS_ERR(rump_sys_open("f", RUMP_O_RDONLY | RUMP_O_DIRECTORY),
	    RUMP_ENOTDIR);
	FS_ERR(rump_sys_open("d", RUMP_O_RDWR), RUMP_EISDIR);
	/* A directory opens for reading, but read(2) on it is EISDIR. */
	RL(fd = rump_sys_open("d", RUMP_O_RDONLY));
	FS_ERR(rump_sys_read(fd, name, 1), RUMP_EISDIR);
	RL(rump_sys_close(fd));
	FS_ERR(rump_sys_open("d", RUMP_O_RDONLY | RUMP_O_REGULAR),
	    RUMP_EFTYPE);
	FS_ERR(rump_sys_open("f", RUMP_O_ACCMODE), RUMP_EINVAL);
	FS_ERR(rump_sys_open("f", 0x80000000), RUMP_EINVAL);
	FS_ERR(rump_sys_open(NULL, RUMP_O_RDONLY), RUMP_EFAULT);
	FS_ERR(rump_sys_open("", RUMP_O_RDONLY), RUMP_ENOENT);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	FS_ERR(rump_sys_open(name, RUMP_O_RDONLY), RUMP_ENAMETOOLONG);
	memset(path, 'a', sizeof(path) - 1);
	for (size_t i = 1; i < sizeof(path) - 1; i += 2)
		path[i] = '/';
	path[sizeof(path) - 1] = '\0';
	FS_ERR(rump_sys_open(path, RUMP_O_RDONLY), RUMP_ENAMETOOLONG);
	RL(rump_sys_symlink("f", "l"));
	FS_ERR(rump_sys_open("l", RUMP_O_RDONLY | RUMP_O_NOFOLLOW),
	    RUMP_EFTYPE);
	RL(fd = rump_sys_open("d", RUMP_O_RDONLY | RUMP_O_DIRECTORY));
	RL(rump_sys_close(fd));
	RL(fd = rump_sys_open("f", RUMP_O_RDONLY));
	FS_ERR(rump_sys_write(fd, "y", 1), RUMP_EBADF);
	RL(rump_sys_close(fd));
	RL(fd = rump_sys_open("f", RUMP_O_WRONLY));
	FS_ERR(rump_sys_read(fd, name, 1), RUMP_EBADF);
	FS_ERR(rump_sys_write(fd, NULL, 1), RUMP_EFAULT);
	RL(rump_sys_close(fd));
	FS_ERR(rump_sys_close(-1), RUMP_EBADF);
	FS_ERR(rump_sys_close(12345), RUMP_EBADF);
}

FSTEST(trunc_append, "O_TRUNC empties, O_APPEND writes at the end")
static void
trunc_append(const struct fstest_fs *fs)
{
	int fd;

	fs_mkfile("f", "0123456789");
	RL(fd = rump_sys_open("f", RUMP_O_WRONLY | RUMP_O_APPEND));
	RL(rump_sys_lseek(fd, 0, RUMP_SEEK_SET));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "ab", 2), 2);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 12);
	RL(rump_sys_close(fd));
	fs_require_contents("f", "0123456789ab");
	RL(fd = rump_sys_open("f", RUMP_O_WRONLY | RUMP_O_TRUNC));
	RL(rump_sys_close(fd));
	fs_require_contents("f", "");
}

FSTEST(positional_vectored, "pread, pwrite, readv, writev")
static void
positional_vectored(const struct fstest_fs *fs)
{
	struct rump_iovec iov[3];
	char a[4], b[6], buf[16], w1[] = "abc", w2[] = "defgh";
	int fd;

	RL(fd = rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	iov[0].iov_base = w1;
	iov[0].iov_len = 3;
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	iov[2].iov_base = w2;
	iov[2].iov_len = 5;
	ATF_REQUIRE_EQ(rump_sys_writev(fd, iov, 3), 8);
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "XY", 2, 2), 2);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 8);
	ATF_REQUIRE_EQ(rump_sys_pread(fd, buf, 3, 1), 3);
	ATF_REQUIRE(memcmp(buf, "bXY", 3) == 0);
	RL(rump_sys_lseek(fd, 0, RUMP_SEEK_SET));
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = b;
	iov[1].iov_len = sizeof(b);
	ATF_REQUIRE_EQ(rump_sys_readv(fd, iov, 2), 8);
	ATF_REQUIRE(memcmp(a, "abXY", 4) == 0 && memcmp(b, "efgh", 4) == 0);
	FS_ERR(rump_sys_pread(fd, buf, 1, -5), RUMP_EINVAL);
	FS_ERR(rump_sys_pwrite(fd, buf, 1, -5), RUMP_EINVAL);
	FS_ERR(rump_sys_readv(fd, iov, 0), RUMP_EINVAL);
	FS_ERR(rump_sys_readv(fd, iov, RUMP_IOV_MAX + 1), RUMP_EINVAL);
	FS_ERR(rump_sys_readv(fd, NULL, 1), RUMP_EFAULT);
	FS_ERR(rump_sys_pread(fd, NULL, 4, 0), RUMP_EFAULT);
	RL(rump_sys_close(fd));
}

FSTEST(sparse, "holes read as zeroes and hold no storage")
static void
sparse(const struct fstest_fs *fs)
{
	const int64_t off = 64 * 1024 * 1024 + 100;
	struct rump_stat sb;
	char buf[8192];
	int fd;

	RL(fd = rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "end", 3, off), 3);
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_size, off + 3);
	ATF_REQUIRE_MSG(sb.st_blocks <= 64, "st_blocks %jd",
	    (intmax_t)sb.st_blocks);
	memset(buf, 'x', sizeof(buf));
	ATF_REQUIRE_EQ(rump_sys_pread(fd, buf, sizeof(buf), off - 5000),
	    5003);
	for (int i = 0; i < 5000; i++)
		ATF_REQUIRE_EQ_MSG(buf[i], 0, "byte %d", i);
	ATF_REQUIRE(memcmp(buf + 5000, "end", 3) == 0);
	/* Shrink into the middle of a page, grow: the tail reads zero. */
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "abcdef", 6, 10), 6);
	RL(rump_sys_ftruncate(fd, 12));
	RL(rump_sys_ftruncate(fd, 100));
	ATF_REQUIRE_EQ(rump_sys_pread(fd, buf, 100, 0), 100);
	ATF_REQUIRE(memcmp(buf + 10, "ab\0\0\0\0", 6) == 0);
	FS_ERR(rump_sys_ftruncate(fd, -1), RUMP_EINVAL);
	RL(rump_sys_close(fd));
	RL(rump_sys_truncate("f", 3));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE_EQ(sb.st_size, 3);
	RL(fd = rump_sys_open("f", RUMP_O_RDONLY));
	FS_ERR(rump_sys_ftruncate(fd, 0), RUMP_EINVAL);
	RL(rump_sys_close(fd));
	RL(rump_sys_mkdir("d", 0755));
	FS_ERR(rump_sys_truncate("d", 0), RUMP_EISDIR);
	FS_ERR(rump_sys_truncate("nope", 0), RUMP_ENOENT);
}

FSTEST(dirs, "mkdir and rmdir, link counts, their errors")
static void
dirs(const struct fstest_fs *fs)
{
	struct rump_stat sb;

	RL(rump_sys_mkdir("d", 0755));
	RL(rump_sys_mkdir("d/e/", 0755));
	RL(rump_sys_stat("d", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 3);
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFDIR | 0755);
	FS_ERR(rump_sys_mkdir("d", 0755), RUMP_EEXIST);
	FS_ERR(rump_sys_mkdir("/", 0755), RUMP_EEXIST);
	FS_ERR(rump_sys_mkdir("x/y", 0755), RUMP_ENOENT);
	FS_ERR(rump_sys_rmdir("d"), RUMP_ENOTEMPTY);
	FS_ERR(rump_sys_rmdir("d/e/."), RUMP_EINVAL);
	FS_ERR(rump_sys_rmdir("d/e/.."), RUMP_ENOTEMPTY);
	FS_ERR(rump_sys_rmdir("nope"), RUMP_ENOENT);
	fs_mkfile("f", "");
	FS_ERR(rump_sys_rmdir("f"), RUMP_ENOTDIR);
	FS_ERR(rump_sys_mkdir("f/x", 0755), RUMP_ENOTDIR);
	RL(rump_sys_rmdir("d/e/"));
	RL(rump_sys_stat("d", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 2);
	RL(rump_sys_rmdir("d"));
	ATF_REQUIRE(!fs_exists("d"));
}

FSTEST(unlink_open, "unlink: errors; an open file outlives its name")
static void
unlink_open(const struct fstest_fs *fs)
{
	struct rump_stat sb;
	char buf[16];
	int fd;

	fs_mkfile("f", "still here");
	RL(fd = rump_sys_open("f", RUMP_O_RDWR));
	RL(rump_sys_unlink("f"));
	ATF_REQUIRE(!fs_exists("f"));
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 0);
	ATF_REQUIRE_EQ(rump_sys_pread(fd, buf, sizeof(buf), 0), 10);
	ATF_REQUIRE(memcmp(buf, "still here", 10) == 0);
	ATF_REQUIRE_EQ(rump_sys_pwrite(fd, "more", 4, 10), 4);
	RL(rump_sys_close(fd));
	FS_ERR(rump_sys_unlink("f"), RUMP_ENOENT);
	RL(rump_sys_mkdir("d", 0755));
	FS_ERR(rump_sys_unlink("d"), RUMP_EPERM);
	fs_mkfile("g", "");
	FS_ERR(rump_sys_unlink("g/"), RUMP_ENOTDIR);
	FS_ERR(rump_sys_unlink("g/x"), RUMP_ENOTDIR);
	FS_ERR(rump_sys_unlinkat(RUMP_AT_FDCWD, "g", 0x1), RUMP_EINVAL);
	RL(rump_sys_unlinkat(RUMP_AT_FDCWD, "d", RUMP_AT_REMOVEDIR));
	RL(rump_sys_unlinkat(RUMP_AT_FDCWD, "g", 0));
}

FSTEST(rename_cases, "rename: the classic cases")
static void
rename_cases(const struct fstest_fs *fs)
{
	struct rump_stat sb, sb2;

	fs_mkfile("a", "A");
	fs_mkfile("b", "B");
	RL(rump_sys_rename("a", "c"));
	ATF_REQUIRE(!fs_exists("a"));
	fs_require_contents("c", "A");
	/* Over an existing file. */
	RL(rump_sys_rename("c", "b"));
	fs_require_contents("b", "A");
	ATF_REQUIRE(!fs_exists("c"));
	/* Onto a hard link of itself: nothing happens. */
	RL(rump_sys_link("b", "b2"));
	RL(rump_sys_rename("b", "b2"));
	ATF_REQUIRE(fs_exists("b") && fs_exists("b2"));
	RL(rump_sys_stat("b", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 2);
	/* Directories. */
	RL(rump_sys_mkdir("d", 0755));
	RL(rump_sys_mkdir("d/sub", 0755));
	RL(rump_sys_mkdir("e", 0755));
	FS_ERR(rump_sys_rename("d", "d/sub/x"), RUMP_EINVAL);
	FS_ERR(rump_sys_rename("d", "d/x"), RUMP_EINVAL);
	FS_ERR(rump_sys_rename("e", "d"), RUMP_ENOTEMPTY);
	FS_ERR(rump_sys_rename("b", "e"), RUMP_EISDIR);
	FS_ERR(rump_sys_rename("e", "b"), RUMP_ENOTDIR);
	FS_ERR(rump_sys_rename(".", "x"), RUMP_EINVAL);
	FS_ERR(rump_sys_rename("d/sub/..", "x"), RUMP_EINVAL);
	FS_ERR(rump_sys_rename("nope", "x"), RUMP_ENOENT);
	FS_ERR(rump_sys_rename("b", "nodir/x"), RUMP_ENOENT);
	/* Over an empty directory; ".." follows. */
	RL(rump_sys_rename("d/sub", "e"));
	RL(rump_sys_stat("d", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 2);
	RL(rump_sys_mkdir("e/inner", 0755));
	RL(rump_sys_rename("e/inner", "d/inner"));
	RL(rump_sys_stat("d/inner/..", &sb));
	RL(rump_sys_stat("d", &sb2));
	ATF_REQUIRE_EQ(sb.st_ino, sb2.st_ino);
	RL(rump_sys_stat("d", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 3);
	RL(rump_sys_stat("e", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 2);
	/* Across mounts. */
	RL(rump_sys_mkdir("m", 0755));
	RL(fs->fs_mount(fs, "m", 0));
	FS_ERR(rump_sys_rename("b", "m/b"), RUMP_EXDEV);
	FS_ERR(rump_sys_link("b", "m/b"), RUMP_EXDEV);
	RL(rump_sys_unmount("m", 0));
	RL(rump_sys_renameat(RUMP_AT_FDCWD, "b2", RUMP_AT_FDCWD, "b3"));
	ATF_REQUIRE(fs_exists("b3"));
}

FSTEST(links, "link: counts, errors")
static void
links(const struct fstest_fs *fs)
{
	struct rump_stat sb;

	fs_mkfile("f", "data");
	RL(rump_sys_link("f", "g"));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 2);
	RL(rump_sys_unlink("f"));
	fs_require_contents("g", "data");
	RL(rump_sys_stat("g", &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 1);
	RL(rump_sys_mkdir("d", 0755));
	FS_ERR(rump_sys_link("d", "d2"), RUMP_EPERM);
	FS_ERR(rump_sys_link("g", "d"), RUMP_EEXIST);
	FS_ERR(rump_sys_link("nope", "x"), RUMP_ENOENT);
	FS_ERR(rump_sys_linkat(RUMP_AT_FDCWD, "g", RUMP_AT_FDCWD, "x", 0x1),
	    RUMP_EINVAL);
	RL(rump_sys_linkat(RUMP_AT_FDCWD, "g", RUMP_AT_FDCWD, "d/x", 0));
	fs_require_contents("d/x", "data");
}

FSTEST(symlinks, "symlink, readlink, lstat; loops and dangling links")
static void
symlinks(const struct fstest_fs *fs)
{
	struct rump_stat sb;
	char buf[64];
	ssize_t n;

	fs_mkfile("f", "target");
	RL(rump_sys_mkdir("d", 0755));
	fs_mkfile("d/in", "inside");
	RL(rump_sys_symlink("f", "l"));
	RL(rump_sys_symlink("d", "ld"));
	RL(rump_sys_symlink("/mnt/d/in", "abs"));
	RL(rump_sys_symlink("loop1", "loop2"));
	RL(rump_sys_symlink("loop2", "loop1"));
	RL(rump_sys_symlink("nowhere", "dangling"));
	RL(n = rump_sys_readlink("l", buf, sizeof(buf)));
	ATF_REQUIRE_EQ(n, 1);
	ATF_REQUIRE_EQ(buf[0], 'f');
	ATF_REQUIRE_EQ(rump_sys_readlink("l", buf, 0), 0);
	fs_require_contents("l", "target");
	fs_require_contents("ld/in", "inside");
	fs_require_contents("abs", "inside");
	RL(rump_sys_lstat("l", &sb));
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFLNK);
	ATF_REQUIRE_EQ(sb.st_size, 1);
	RL(rump_sys_stat("l", &sb));
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFREG);
	RL(rump_sys_stat("ld/", &sb));
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFDIR);
	FS_ERR(rump_sys_stat("loop1", &sb), RUMP_ELOOP);
	FS_ERR(rump_sys_stat("dangling", &sb), RUMP_ENOENT);
	RL(rump_sys_lstat("dangling", &sb));
	FS_ERR(rump_sys_readlink("f", buf, sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_symlink("x", "f"), RUMP_EEXIST);
	FS_ERR(rump_sys_symlink(NULL, "y"), RUMP_EFAULT);
	FS_ERR(rump_sys_stat("l/", &sb), RUMP_ENOTDIR);
	/* Creating through a dangling link makes its target. */
	fs_mkfile("dangling", "made");
	fs_require_contents("nowhere", "made");
	RL(rump_sys_unlink("l"));
	fs_require_contents("f", "target");
	RL(n = rump_sys_readlinkat(RUMP_AT_FDCWD, "abs", buf, sizeof(buf)));
	ATF_REQUIRE_EQ(n, 9);
	RL(rump_sys_symlinkat("f", RUMP_AT_FDCWD, "l2"));
	fs_require_contents("l2", "target");
}

/* Read the whole directory, return entries in names[] (caller frees). */
static int
read_dir(const char *path, char names[][32], uint8_t *types, int max)
{
	char buf[512];
	int fd, n, count = 0;

	RL(fd = rump_sys_open(path, RUMP_O_RDONLY | RUMP_O_DIRECTORY));
	while ((n = rump_sys_getdents(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct rump_dirent *d = (struct rump_dirent *)p;

			ATF_REQUIRE(d->d_reclen % 8 == 0);
			ATF_REQUIRE_EQ(d->d_reclen,
			    RUMP_DIRENT_RECLEN(d->d_namlen));
			ATF_REQUIRE_EQ(strlen(d->d_name), d->d_namlen);
			ATF_REQUIRE(count < max);
			snprintf(names[count], 32, "%.31s", d->d_name);
			types[count++] = d->d_type;
			p += d->d_reclen;
		}
	}
	RL(n);
	RL(rump_sys_close(fd));
	return count;
}

static uint8_t
dir_type_of(const char *name, char names[][32], uint8_t *types, int n)
{

	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return types[i];
	atf_tc_fail("no entry \"%s\"", name);
	return 0;
}

FSTEST(getdents, "getdents: every entry once, NetBSD d_type values")
static void
getdents(const struct fstest_fs *fs)
{
	char names[64][32], small[8], name[32];
	uint8_t types[64];
	int n, fd;

	RL(rump_sys_mkdir("d", 0755));
	fs_mkfile("d/file", "");
	RL(rump_sys_mkdir("d/sub", 0755));
	RL(rump_sys_symlink("file", "d/link"));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "d/many%02d", i);
		fs_mkfile(name, "");
	}
	RL(rump_sys_unlink("d/many07"));
	n = read_dir("d", names, types, 64);
	ATF_REQUIRE_EQ(n, 2 + 3 + 39);
	ATF_REQUIRE_EQ(dir_type_of(".", names, types, n), RUMP_DT_DIR);
	ATF_REQUIRE_EQ(dir_type_of("..", names, types, n), RUMP_DT_DIR);
	ATF_REQUIRE_EQ(dir_type_of("file", names, types, n), RUMP_DT_REG);
	ATF_REQUIRE_EQ(dir_type_of("sub", names, types, n), RUMP_DT_DIR);
	ATF_REQUIRE_EQ(dir_type_of("link", names, types, n), RUMP_DT_LNK);
	ATF_REQUIRE_EQ(dir_type_of("many39", names, types, n), RUMP_DT_REG);
	RL(fd = rump_sys_open("d", RUMP_O_RDONLY));
	FS_ERR(rump_sys_getdents(fd, small, sizeof(small)), RUMP_EINVAL);
	RL(rump_sys_close(fd));
	RL(fd = rump_sys_open("d/file", RUMP_O_RDONLY));
	FS_ERR(rump_sys_getdents(fd, small, sizeof(small)), RUMP_ENOTDIR);
	RL(rump_sys_close(fd));
	FS_ERR(rump_sys_getdents(-1, small, sizeof(small)), RUMP_EBADF);
}

FSTEST(attrs, "chmod, chown, utimes, utimensat")
static void
attrs(const struct fstest_fs *fs)
{
	struct rump_timeval tv[2];
	struct rump_timespec ts[2];
	struct rump_stat sb;
	int fd;

	fs_mkfile("f", "");
	RL(rump_sys_chmod("f", 0600));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFREG | 0600);
	RL(rump_sys_chown("f", 100, 200));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE(sb.st_uid == 100 && sb.st_gid == 200);
	RL(rump_sys_chown("f", (uint32_t)-1, 300));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE(sb.st_uid == 100 && sb.st_gid == 300);
	RL(fd = rump_sys_open("f", RUMP_O_RDONLY));
	RL(rump_sys_fchmod(fd, 0644));
	RL(rump_sys_fchown(fd, 0, 0));
	tv[0].tv_sec = 1000000000;
	tv[0].tv_usec = 5;
	tv[1].tv_sec = 1200000000;
	tv[1].tv_usec = 7;
	RL(rump_sys_futimes(fd, tv));
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFREG | 0644);
	ATF_REQUIRE(sb.st_atim.tv_sec == 1000000000 &&
	    sb.st_atim.tv_nsec == 5000);
	ATF_REQUIRE(sb.st_mtim.tv_sec == 1200000000 &&
	    sb.st_mtim.tv_nsec == 7000);
	RL(rump_sys_close(fd));
	tv[1].tv_usec = 1000000;
	FS_ERR(rump_sys_utimes("f", tv), RUMP_EINVAL);
	RL(rump_sys_utimes("f", NULL));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE(sb.st_mtim.tv_sec != 1200000000);
	ts[0].tv_sec = 5;
	ts[0].tv_nsec = RUMP_UTIME_OMIT;
	ts[1].tv_sec = 77;
	ts[1].tv_nsec = 8;
	RL(rump_sys_utimensat(RUMP_AT_FDCWD, "f", ts, 0));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE(sb.st_mtim.tv_sec == 77 && sb.st_mtim.tv_nsec == 8);
	ATF_REQUIRE(sb.st_atim.tv_sec != 5);
	ts[1].tv_nsec = -1;
	FS_ERR(rump_sys_utimensat(RUMP_AT_FDCWD, "f", ts, 0), RUMP_EINVAL);
	FS_ERR(rump_sys_utimensat(RUMP_AT_FDCWD, "f", NULL, 0x1),
	    RUMP_EINVAL);
	RL(rump_sys_symlink("f", "l"));
	RL(rump_sys_lchown("l", 5, 6));
	RL(rump_sys_lstat("l", &sb));
	ATF_REQUIRE(sb.st_uid == 5 && sb.st_gid == 6);
	RL(rump_sys_stat("l", &sb));
	ATF_REQUIRE(sb.st_uid == 0);
	RL(rump_sys_fchmodat(RUMP_AT_FDCWD, "f", 0640, 0));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE_EQ(sb.st_mode & 07777, 0640);
	FS_ERR(rump_sys_chmod("nope", 0644), RUMP_ENOENT);
	FS_ERR(rump_sys_fchmod(-1, 0644), RUMP_EBADF);
}

FSTEST(umask_modes, "umask masks the modes of new files")
static void
umask_modes(const struct fstest_fs *fs)
{
	struct rump_stat sb;
	int fd;

	ATF_REQUIRE_EQ(rump_sys_umask(077), 022);
	RL(fd = rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT, 0666));
	RL(rump_sys_close(fd));
	RL(rump_sys_mkdir("d", 0777));
	RL(rump_sys_stat("f", &sb));
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFREG | 0600);
	RL(rump_sys_stat("d", &sb));
	ATF_REQUIRE_EQ(sb.st_mode, RUMP_S_IFDIR | 0700);
	ATF_REQUIRE_EQ(rump_sys_umask(022), 077);
}

FSTEST(cwd, "chdir, fchdir, getcwd, relative paths, \"..\" out of a mount")
static void
cwd(const struct fstest_fs *fs)
{
	char buf[256];
	int fd, fd2;

	RL(rump_sys_mkdir("a", 0755));
	RL(rump_sys_mkdir("a/b", 0755));
	RL(rump_sys_chdir("a/b"));
	RL(rump_sys___getcwd(buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "/mnt/a/b");
	fs_mkfile("../f", "up");
	fs_require_contents("/mnt/a/f", "up");
	RL(rump_sys_chdir("../../.."));
	RL(rump_sys___getcwd(buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "/");
	RL(fd = rump_sys_open("/mnt/a", RUMP_O_RDONLY));
	RL(rump_sys_fchdir(fd));
	fs_require_contents("f", "up");
	RL(fd2 = rump_sys_openat(fd, "g", RUMP_O_RDONLY | RUMP_O_CREAT, 0644));
	RL(rump_sys_close(fd2));
	RL(rump_sys_close(fd));
	ATF_REQUIRE(fs_exists("/mnt/a/g"));
	RL(rump_sys___getcwd(buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "/mnt/a");
	FS_ERR(rump_sys___getcwd(buf, 3), RUMP_ERANGE);
	FS_ERR(rump_sys_chdir("f"), RUMP_ENOTDIR);
	FS_ERR(rump_sys_chdir("nope"), RUMP_ENOENT);
	FS_ERR(rump_sys_fchdir(-1), RUMP_EBADF);
	RL(rump_sys_chdir(FSTEST_MNT));
}

FSTEST(descriptors, "dup, dup2, fcntl")
static void
descriptors(const struct fstest_fs *fs)
{
	int fd, fd2, fd3;

	fs_mkfile("f", "abcdef");
	RL(fd = rump_sys_open("f", RUMP_O_RDWR));
	RL(fd2 = rump_sys_dup(fd));
	ATF_REQUIRE(fd2 != fd);
	RL(rump_sys_lseek(fd, 4, RUMP_SEEK_SET));
	ATF_REQUIRE_EQ(rump_sys_lseek(fd2, 0, RUMP_SEEK_CUR), 4);
	ATF_REQUIRE_EQ(rump_sys_dup2(fd, 20), 20);
	ATF_REQUIRE_EQ(rump_sys_lseek(20, 0, RUMP_SEEK_CUR), 4);
	ATF_REQUIRE_EQ(rump_sys_dup2(fd, fd), fd);
	FS_ERR(rump_sys_dup2(fd, -1), RUMP_EBADF);
	FS_ERR(rump_sys_dup2(99, 3), RUMP_EBADF);
	FS_ERR(rump_sys_dup(-1), RUMP_EBADF);
	ATF_REQUIRE_EQ(rump_sys_fcntl(fd, RUMP_F_GETFL), RUMP_O_RDWR);
	RL(rump_sys_fcntl(fd, RUMP_F_SETFL, RUMP_O_APPEND));
	ATF_REQUIRE_EQ(rump_sys_fcntl(fd2, RUMP_F_GETFL),
	    RUMP_O_RDWR | RUMP_O_APPEND);
	ATF_REQUIRE_EQ(rump_sys_fcntl(fd, RUMP_F_GETFD), 0);
	RL(rump_sys_fcntl(fd, RUMP_F_SETFD, RUMP_FD_CLOEXEC));
	ATF_REQUIRE_EQ(rump_sys_fcntl(fd, RUMP_F_GETFD), RUMP_FD_CLOEXEC);
	ATF_REQUIRE_EQ(rump_sys_fcntl(fd2, RUMP_F_GETFD), 0);
	RL(fd3 = rump_sys_fcntl(fd, RUMP_F_DUPFD, 30));
	ATF_REQUIRE(fd3 >= 30);
	FS_ERR(rump_sys_fcntl(fd, RUMP_F_DUPFD, -1), RUMP_EINVAL);
	FS_ERR(rump_sys_fcntl(fd, 999, 0), RUMP_EINVAL);
	FS_ERR(rump_sys_fcntl(-1, RUMP_F_GETFL), RUMP_EBADF);
	ATF_REQUIRE_EQ(rump_sys_write(fd2, "Z", 1), 1);
	RL(rump_sys_close(fd));
	RL(rump_sys_close(fd2));
	RL(rump_sys_close(fd3));
	RL(rump_sys_close(20));
	fs_require_contents("f", "abcdefZ");
}

FSTEST(fd_limits, "a full descriptor table: EMFILE from open, dup and "
    "F_DUPFD; dup2 and F_DUPFD past it: EBADF, EINVAL")
static void
fd_limits(const struct fstest_fs *fs)
{
	enum { fdmax = 1024 };		/* FD_MAX, as NetBSD's default */
	int fd, n;

	fs_mkfile("f", "");
	for (n = 0; (fd = rump_sys_open("f", RUMP_O_RDONLY)) != -1; n++)
		ATF_REQUIRE_EQ(fd, n);
	ATF_REQUIRE_EQ_MSG(errno, RUMP_EMFILE, "open %d: %s", n,
	    rump_errno_name(errno));
	ATF_REQUIRE_EQ(n, fdmax);
	FS_ERR(rump_sys_dup(0), RUMP_EMFILE);
	FS_ERR(rump_sys_fcntl(0, RUMP_F_DUPFD, 0), RUMP_EMFILE);
	FS_ERR(rump_sys_fcntl(0, RUMP_F_DUPFD, fdmax), RUMP_EINVAL);
	FS_ERR(rump_sys_dup2(0, fdmax), RUMP_EBADF);
	RL(rump_sys_dup2(0, fdmax - 1));
	RL(rump_sys_close(500));
	ATF_REQUIRE_EQ(rump_sys_dup(0), 500);
	for (n = 0; n < fdmax; n++)
		RL(rump_sys_close(n));
}

FSTEST(file_size_limits, "a write or truncate past the largest file: "
    "EFBIG, the file unchanged")
static void
file_size_limits(const struct fstest_fs *fs)
{
	struct rump_stat sb;
	int fd;

	RL(fd = rump_sys_open("f", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "abc", 3), 3);
	FS_ERR(rump_sys_pwrite(fd, "x", 1, (off_t)1 << 62), RUMP_EFBIG);
	FS_ERR(rump_sys_ftruncate(fd, (off_t)1 << 62), RUMP_EFBIG);
	FS_ERR(rump_sys_truncate("f", (off_t)1 << 62), RUMP_EFBIG);
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_size, 3);
	RL(rump_sys_close(fd));
	fs_require_contents("f", "abc");
}

FSTEST(ids, "set and get the real and effective ids; open checks the "
    "effective ones, access the real ones")
static void
ids(const struct fstest_fs *fs)
{

	fs_mkfile("f", "x");
	RL(rump_sys_chmod("f", 0600));
	RZ(rump_pub_lwproc_rfork(RUMP_RFFDG));
	RL(rump_sys_setegid(500));
	RL(rump_sys_seteuid(1000));
	ATF_REQUIRE(rump_sys_getuid() == 0 && rump_sys_geteuid() == 1000);
	ATF_REQUIRE(rump_sys_getgid() == 0 && rump_sys_getegid() == 500);
	FS_ERR(rump_sys_open("f", RUMP_O_RDONLY), RUMP_EACCES);
	RL(rump_sys_access("f", RUMP_R_OK | RUMP_W_OK));
	/* Not root now: only the real (or saved) ids. */
	FS_ERR(rump_sys_setgid(600), RUMP_EPERM);
	FS_ERR(rump_sys_setegid(600), RUMP_EPERM);
	FS_ERR(rump_sys_seteuid(2000), RUMP_EPERM);
	RL(rump_sys_seteuid(0));
	ATF_REQUIRE_EQ(rump_sys_geteuid(), 0);
	fs_require_contents("f", "x");
	RL(rump_sys_setegid(0));
	ATF_REQUIRE_EQ(rump_sys_getegid(), 0);
	/* setuid and setgid set all three. */
	RL(rump_sys_setgid(700));
	RL(rump_sys_setuid(800));
	ATF_REQUIRE(rump_sys_getuid() == 800 && rump_sys_geteuid() == 800);
	ATF_REQUIRE(rump_sys_getgid() == 700 && rump_sys_getegid() == 700);
	FS_ERR(rump_sys_seteuid(0), RUMP_EPERM);
	FS_ERR(rump_sys_access("f", RUMP_R_OK), RUMP_EACCES);
	rump_pub_lwproc_releaselwp();
}

FSTEST(access_stat, "access, faccessat, fstatat, statvfs")
static void
access_stat(const struct fstest_fs *fs)
{
	struct rump_statvfs sv, sv2;
	struct rump_stat sb;
	char buf[8192];
	int fd;

	fs_mkfile("f", "");
	RL(rump_sys_chmod("f", 0644));
	RL(rump_sys_access("f", RUMP_R_OK | RUMP_W_OK));
	FS_ERR(rump_sys_access("f", RUMP_X_OK), RUMP_EACCES);
	FS_ERR(rump_sys_access("f", 0x100), RUMP_EINVAL);
	FS_ERR(rump_sys_access("nope", RUMP_F_OK), RUMP_ENOENT);
	RL(rump_sys_faccessat(RUMP_AT_FDCWD, "f", RUMP_R_OK,
	    RUMP_AT_EACCESS));
	RL(rump_sys_symlink("f", "l"));
	RL(rump_sys_fstatat(RUMP_AT_FDCWD, "l", &sb,
	    RUMP_AT_SYMLINK_NOFOLLOW));
	ATF_REQUIRE_EQ(sb.st_mode & RUMP_S_IFMT, RUMP_S_IFLNK);
	FS_ERR(rump_sys_fstatat(RUMP_AT_FDCWD, "l", &sb, 0x4000),
	    RUMP_EINVAL);
	FS_ERR(rump_sys_stat("f", NULL), RUMP_EFAULT);
	FS_ERR(rump_sys_fstat(-1, &sb), RUMP_EBADF);
	RL(rump_sys_statvfs1(".", &sv, RUMP_ST_WAIT));
	ATF_REQUIRE_STREQ(sv.f_fstypename, fs->fs_name);
	ATF_REQUIRE_STREQ(sv.f_mntonname, FSTEST_MNT);
	ATF_REQUIRE(sv.f_bsize > 0 && sv.f_frsize > 0);
	RL(fd = rump_sys_open("big", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	memset(buf, 'b', sizeof(buf));
	for (int i = 0; i < 16; i++)
		ATF_REQUIRE_EQ(rump_sys_write(fd, buf, sizeof(buf)),
		    (ssize_t)sizeof(buf));
	RL(rump_sys_fstatvfs1(fd, &sv2, RUMP_ST_WAIT));
	ATF_REQUIRE_MSG(sv2.f_bfree < sv.f_bfree, "bfree %ju then %ju",
	    (uintmax_t)sv.f_bfree, (uintmax_t)sv2.f_bfree);
	ATF_REQUIRE(sv2.f_ffree < sv.f_ffree);
	RL(rump_sys_close(fd));
	rump_sys_sync();
}

FSTEST(mounts, "mount and unmount: busy, forced, errors")
static void
mounts(const struct fstest_fs *fs)
{
	struct rump_statvfs sv;
	struct rump_stat sb, sb2;
	char buf[4];
	int fd;

	RL(rump_sys_mkdir("m", 0755));
	fs_mkfile("file", "");
	RL(fs->fs_mount(fs, "m", 0));
	FS_ERR(fs->fs_mount(fs, "m", 0), RUMP_EBUSY);
	FS_ERR(fs->fs_mount(fs, "file", 0), RUMP_ENOTDIR);
	FS_ERR(fs->fs_mount(fs, "nope", 0), RUMP_ENOENT);
	FS_ERR(rump_sys_mount("nosuchfs", "m", 0, NULL, 0), RUMP_ENODEV);
	FS_ERR(rump_sys_unmount("file", 0), RUMP_EINVAL);
	FS_ERR(rump_sys_unmount("/", 0), RUMP_EBUSY);
	/* Mount point crossing, both ways. */
	RL(rump_sys_stat("m/..", &sb));
	RL(rump_sys_stat(".", &sb2));
	ATF_REQUIRE_EQ(sb.st_ino, sb2.st_ino);
	RL(rump_sys_stat("m", &sb));
	ATF_REQUIRE(sb.st_dev != sb2.st_dev);
	/* Busy while a file is open; gone by force. */
	RL(fd = rump_sys_open("m/x", RUMP_O_RDWR | RUMP_O_CREAT, 0644));
	FS_ERR(rump_sys_unmount("m", 0), RUMP_EBUSY);
	RL(rump_sys_unmount("m", RUMP_MNT_FORCE));
	FS_ERR(rump_sys_read(fd, buf, 1), RUMP_EBADF);
	FS_ERR(rump_sys_fstat(fd, &sb), RUMP_EBADF);
	RL(rump_sys_close(fd));
	ATF_REQUIRE(!fs_exists("m/x"));
	/* Busy while it is a working directory. */
	RL(fs->fs_mount(fs, "m", 0));
	RL(rump_sys_chdir("m"));
	FS_ERR(rump_sys_unmount("/mnt/m", 0), RUMP_EBUSY);
	RL(rump_sys_chdir(".."));
	RL(rump_sys_unmount("m", 0));
	/* Read-only, and updated between read-only and read-write. */
	RL(fs->fs_mount(fs, "m", 0));
	fs_mkfile("m/f", "rw");
	RL(fd = rump_sys_open("m/f", RUMP_O_RDWR));
	RL(fs->fs_mount(fs, "m", RUMP_MNT_UPDATE | RUMP_MNT_RDONLY));
	RL(rump_sys_statvfs1("m", &sv, RUMP_ST_WAIT));
	ATF_REQUIRE(sv.f_flag & RUMP_MNT_RDONLY);
	FS_ERR(rump_sys_write(fd, "x", 1), RUMP_EROFS);
	FS_ERR(rump_sys_open("m/f", RUMP_O_WRONLY), RUMP_EROFS);
	FS_ERR(rump_sys_open("m/g", RUMP_O_WRONLY | RUMP_O_CREAT, 0644),
	    RUMP_EROFS);
	FS_ERR(rump_sys_mkdir("m/d", 0755), RUMP_EROFS);
	FS_ERR(rump_sys_unlink("m/f"), RUMP_EROFS);
	FS_ERR(rump_sys_rename("m/f", "m/g"), RUMP_EROFS);
	FS_ERR(rump_sys_chmod("m/f", 0600), RUMP_EROFS);
	FS_ERR(rump_sys_truncate("m/f", 0), RUMP_EROFS);
	FS_ERR(rump_sys_access("m/f", RUMP_W_OK), RUMP_EROFS);
	fs_require_contents("m/f", "rw");
	FS_ERR(fs->fs_mount(fs, "m/f", RUMP_MNT_UPDATE), RUMP_EINVAL);
	RL(fs->fs_mount(fs, "m", RUMP_MNT_UPDATE));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "RW", 2), 2);
	RL(rump_sys_close(fd));
	fs_require_contents("m/f", "RW");
	RL(rump_sys_unmount("m", 0));
	RL(rump_sys_rmdir("m"));
}

/*
 * Teardown with the file system still mounted, a tmpfs mounted on one of
 * its directories and a file on it open and written: every mount goes by
 * force, newest first, while its type is still attached; the books are
 * empty and the image clean.
 */
static void
teardown_mounted(const struct fstest_fs *fs)
{
	int fd;

	RZ(rump_init());
	RL(rump_sys_mkdir(FSTEST_MNT, 0777));
	RL(fs->fs_mount(fs, FSTEST_MNT, 0));
	RL(rump_sys_mkdir(FSTEST_MNT "/sub", 0755));
	RL(fstest_tmpfs.fs_mount(&fstest_tmpfs, FSTEST_MNT "/sub", 0));
	RL(fd = rump_sys_open(FSTEST_MNT "/f", RUMP_O_RDWR | RUMP_O_CREAT,
	    0644));
	ATF_REQUIRE_EQ(rump_sys_write(fd, "data", 4), 4);
	FS_ERR(rump_sys_unmount(FSTEST_MNT, 0), RUMP_EBUSY);
	fstest_teardown();
	if (fs->fs_check != NULL)
		fs->fs_check(fs);
}

ATF_TC(tmpfs_teardown_mounted);
ATF_TC_HEAD(tmpfs_teardown_mounted, tc)
{
	atf_tc_set_md_var(tc, "descr", "teardown unmounts what is left "
	    "mounted, nested mounts and open files included (tmpfs)");
}
ATF_TC_BODY(tmpfs_teardown_mounted, tc)
{

	teardown_mounted(&fstest_tmpfs);
}

ATF_TC(ext2_teardown_mounted);
ATF_TC_HEAD(ext2_teardown_mounted, tc)
{
	atf_tc_set_md_var(tc, "descr", "teardown unmounts what is left "
	    "mounted, nested mounts and open files included (ext2)");
}
ATF_TC_BODY(ext2_teardown_mounted, tc)
{

	teardown_mounted(&fstest_ext2);
}

FSTEST(getargs, "mount(MNT_GETARGS): the arguments in force, NetBSD's "
    "errors")
static void
getargs(const struct fstest_fs *fs)
{
	union {
		struct rump_tmpfs_args ta;
		struct rump_ufs_args ua;
		unsigned char bytes[128];
	} buf;
	bool tmpfs = strcmp(fs->fs_name, RUMP_MOUNT_TMPFS) == 0;
	int want = tmpfs ? (int)sizeof(buf.ta) : (int)sizeof(buf.ua);

	RL(rump_sys_mkdir("sub", 0755));
	fs_mkfile("file", "");
	/* The file system's layout, its length returned, type not read. */
	memset(&buf, 0xa5, sizeof(buf));
	ATF_REQUIRE_EQ(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS,
	    &buf, sizeof(buf)), want);
	if (tmpfs) {
		ATF_REQUIRE_EQ(buf.ta.ta_version, RUMP_TMPFS_ARGS_VERSION);
		ATF_REQUIRE_EQ(buf.ta.ta_nodes_max, 0);
		ATF_REQUIRE_EQ(buf.ta.ta_size_max, 0);
		ATF_REQUIRE(buf.ta.ta_root_uid == 0 &&
		    buf.ta.ta_root_gid == 0);
		ATF_REQUIRE_EQ(buf.ta.ta_root_mode, 0777);
	} else
		ATF_REQUIRE(buf.ua.fspec == NULL);
	ATF_REQUIRE_EQ(buf.bytes[want], 0xa5);
	/* Length 0: the file system's own. */
	ATF_REQUIRE_EQ(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS,
	    &buf, 0), want);
	/* Any process may ask. */
	fs_become(1000, 1000);
	ATF_REQUIRE_EQ(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS,
	    &buf, sizeof(buf)), want);
	rump_pub_lwproc_releaselwp();
	/* A mount on a subdirectory answers for itself. */
	RL(fs->fs_mount(fs, "sub", 0));
	ATF_REQUIRE_EQ(rump_sys_mount(NULL, "sub", RUMP_MNT_GETARGS, &buf,
	    sizeof(buf)), want);
	RL(rump_sys_unmount("sub", 0));
	/* Errors. */
	FS_ERR(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS, &buf,
	    want - 1), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS, NULL,
	    sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS |
	    RUMP_MNT_RDONLY, &buf, sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS |
	    RUMP_MNT_UPDATE, &buf, sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, "sub", RUMP_MNT_GETARGS, &buf,
	    sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, "file", RUMP_MNT_GETARGS, &buf,
	    sizeof(buf)), RUMP_EINVAL);
	FS_ERR(rump_sys_mount(NULL, "nope", RUMP_MNT_GETARGS, &buf,
	    sizeof(buf)), RUMP_ENOENT);
	FS_ERR(rump_sys_mount(NULL, NULL, RUMP_MNT_GETARGS, &buf,
	    sizeof(buf)), RUMP_EFAULT);
	FS_ERR(rump_sys_mount(NULL, FSTEST_MNT, RUMP_MNT_GETARGS, &buf,
	    65537), RUMP_EINVAL);
	RL(rump_sys_rmdir("sub"));
	RL(rump_sys_unlink("file"));
}

FSTEST(nonroot, "permission checks as an unprivileged process")
static void
nonroot(const struct fstest_fs *fs)
{
	struct rump_stat sb;
	int fd;

	RL(rump_sys_mkdir("ro", 0755));
	fs_mkfile("ro/secret", "s");
	RL(rump_sys_chmod("ro/secret", 0600));
	RL(rump_sys_mkdir("noexec", 0700));
	RL(rump_sys_mkdir("sticky", 0755));
	RL(rump_sys_chmod("sticky", 01777));
	fs_mkfile("sticky/roots", "r");
	RL(rump_sys_chmod("sticky/roots", 0666));
	RL(rump_sys_mkdir("mine", 0755));
	RL(rump_sys_chown("mine", 1000, 1000));
	fs_mkfile("grp", "g");
	RL(rump_sys_chown("grp", 0, 1000));
	RL(rump_sys_chmod("grp", 0640));

	fs_become(1000, 1000);
	FS_ERR(rump_sys_open("ro/secret", RUMP_O_RDONLY), RUMP_EACCES);
	FS_ERR(rump_sys_open("ro/new", RUMP_O_RDWR | RUMP_O_CREAT, 0644),
	    RUMP_EACCES);
	FS_ERR(rump_sys_mkdir("ro/d", 0755), RUMP_EACCES);
	FS_ERR(rump_sys_unlink("ro/secret"), RUMP_EACCES);
	FS_ERR(rump_sys_stat("noexec/x", &sb), RUMP_EACCES);
	FS_ERR(rump_sys_chmod("ro/secret", 0666), RUMP_EPERM);
	FS_ERR(rump_sys_chown("ro/secret", 1000, 1000), RUMP_EPERM);
	FS_ERR(rump_sys_utimes("ro/secret", NULL), RUMP_EACCES);
	FS_ERR(rump_sys_access("ro/secret", RUMP_R_OK), RUMP_EACCES);
	FS_ERR(rump_sys_mount(RUMP_MOUNT_TMPFS, "mine", 0, NULL, 0),
	    RUMP_EPERM);
	FS_ERR(rump_sys_unmount(FSTEST_MNT, 0), RUMP_EPERM);
	fs_require_contents("grp", "g");
	FS_ERR(rump_sys_open("grp", RUMP_O_WRONLY), RUMP_EACCES);
	/* Sticky: others' files stay, one's own go. */
	FS_ERR(rump_sys_unlink("sticky/roots"), RUMP_EPERM);
	FS_ERR(rump_sys_rename("sticky/roots", "sticky/x"), RUMP_EPERM);
	fs_mkfile("sticky/own", "o");
	RL(rump_sys_rename("sticky/own", "sticky/own2"));
	RL(rump_sys_unlink("sticky/own2"));
	/* In one's own directory: anything. */
	RL(fd = rump_sys_open("mine/f", RUMP_O_RDWR | RUMP_O_CREAT, 0600));
	RL(rump_sys_close(fd));
	RL(rump_sys_stat("mine/f", &sb));
	ATF_REQUIRE(sb.st_uid == 1000 && sb.st_gid == 1000);
	RL(rump_sys_chmod("mine/f", 0644));
	FS_ERR(rump_sys_chown("mine/f", 0, 1000), RUMP_EPERM);
	FS_ERR(rump_sys_chown("mine/f", 1000, 0), RUMP_EPERM);
	FS_ERR(rump_sys_chmod("mine/f", 01644), RUMP_EFTYPE);
	RL(rump_sys_unlink("mine/f"));
	rump_pub_lwproc_releaselwp();
}

FSTEST(processes, "two processes: separate descriptor tables and cwds")
static void
processes(const struct fstest_fs *fs)
{
	struct lwp *parent, *child;
	char buf[256];
	int fd, cfd;

	fs_mkfile("f", "shared");
	RL(rump_sys_mkdir("d", 0755));
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	parent = rump_pub_lwproc_curlwp();
	RL(fd = rump_sys_open("f", RUMP_O_RDONLY));
	RL(rump_sys_lseek(fd, 2, RUMP_SEEK_SET));
	/* A clean table: the parent's descriptor is not the child's. */
	RZ(rump_pub_lwproc_rfork(RUMP_RFCFDG));
	child = rump_pub_lwproc_curlwp();
	FS_ERR(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), RUMP_EBADF);
	RL(cfd = rump_sys_open("d", RUMP_O_RDONLY));
	RL(rump_sys_chdir("d"));
	RL(rump_sys___getcwd(buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "/mnt/d");
	rump_pub_lwproc_switch(parent);
	RL(rump_sys___getcwd(buf, sizeof(buf)));
	ATF_REQUIRE_STREQ(buf, "/mnt");
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 2);
	if (cfd != fd)
		FS_ERR(rump_sys_close(cfd), RUMP_EBADF);
	/* A copied table: the same open file, the same offset. */
	RZ(rump_pub_lwproc_rfork(RUMP_RFFDG));
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 2);
	RL(rump_sys_lseek(fd, 4, RUMP_SEEK_SET));
	rump_pub_lwproc_releaselwp();		/* the copy exits */
	rump_pub_lwproc_switch(parent);
	ATF_REQUIRE_EQ(rump_sys_lseek(fd, 0, RUMP_SEEK_CUR), 4);
	RL(rump_sys_close(fd));
	rump_pub_lwproc_switch(child);
	rump_pub_lwproc_releaselwp();		/* exits, closing "d" */
	rump_pub_lwproc_switch(parent);
	rump_pub_lwproc_releaselwp();
}

#define NTHREADS	8
#define NROUNDS		200

/*
 * The churning lwps meet here twice: before their first call and
 * halfway through, so all eight are alive and working at once (each one's
 * first half precedes every one's second half), whatever the host's
 * scheduling.
 */
static pthread_barrier_t churn_barrier;

/* One round of lwp id in "dir": the calls, or the name of one that failed. */
static const char *
churn_round(int id, int i)
{
	char a[32], b[32];
	int fd;

	snprintf(a, sizeof(a), "dir/t%d_%d", id, i);
	snprintf(b, sizeof(b), "dir/r%d_%d", id, i);
	if ((fd = rump_sys_open(a, RUMP_O_RDWR | RUMP_O_CREAT, 0644)) == -1)
		return "open";
	if (rump_sys_write(fd, a, strlen(a)) != (ssize_t)strlen(a))
		return "write";
	if (rump_sys_close(fd) == -1)
		return "close";
	if (rump_sys_rename(a, b) == -1)
		return "rename";
	/* One name all lwps fight over. */
	if (rump_sys_link(b, "dir/hot") == -1 && errno != RUMP_EEXIST)
		return "link hot";
	if (rump_sys_unlink("dir/hot") == -1 && errno != RUMP_ENOENT)
		return "unlink hot";
	if (i % 2 == 0 && rump_sys_unlink(b) == -1)
		return "unlink";
	return NULL;
}

/* A host thread with an lwp of its own, as NetBSD's rump tests do it. */
static void *
churn(void *arg)
{
	int id = (int)(intptr_t)arg;
	const char *err = NULL;
	bool lwp, halfway = false;

	pthread_barrier_wait(&churn_barrier);
	lwp = rump_pub_lwproc_newlwp(rump_sys_getpid()) == 0;
	if (!lwp)
		err = "newlwp";
	for (int i = 0; err == NULL && i < NROUNDS; i++) {
		if (i == NROUNDS / 2) {
			pthread_barrier_wait(&churn_barrier);
			halfway = true;
		}
		err = churn_round(id, i);
	}
	if (!halfway)
		pthread_barrier_wait(&churn_barrier);
	if (lwp)
		rump_pub_lwproc_releaselwp();
	return (void *)err;
}

FSTEST_PARALLEL(threads, "eight lwps create, rename and unlink in one "
    "directory; the final tree is exactly what they leave")
static void
threads(const struct fstest_fs *fs)
{
	static char names[NTHREADS * NROUNDS + 2][32];
	static uint8_t types[NTHREADS * NROUNDS + 2];
	bool seen[NTHREADS][NROUNDS];
	pthread_t t[NTHREADS];
	char path[40], expect[32];
	struct rump_stat sb;
	int n, i, j;
	void *rv;

	RL(rump_sys_mkdir("dir", 0755));
	ATF_REQUIRE(pthread_barrier_init(&churn_barrier, NULL, NTHREADS) == 0);
	for (i = 0; i < NTHREADS; i++)
		ATF_REQUIRE(pthread_create(&t[i], NULL, churn,
		    (void *)(intptr_t)i) == 0);
	for (i = 0; i < NTHREADS; i++) {
		ATF_REQUIRE(pthread_join(t[i], &rv) == 0);
		ATF_REQUIRE_MSG(rv == NULL, "lwp %d: %s failed", i,
		    (char *)rv);
	}
	ATF_REQUIRE(pthread_barrier_destroy(&churn_barrier) == 0);
	/* Every link to "hot" was unlinked after it by the same lwp. */
	FS_ERR(rump_sys_unlink("dir/hot"), RUMP_ENOENT);
	/*
	 * Left: ".", ".." and exactly the odd rounds' renamed files, each
	 * once, regular, with one link and its data.
	 */
	n = read_dir("dir", names, types, NTHREADS * NROUNDS + 2);
	ATF_REQUIRE_EQ(n, 2 + NTHREADS * NROUNDS / 2);
	memset(seen, 0, sizeof(seen));
	for (int k = 0; k < n; k++) {
		char tail;

		if (strcmp(names[k], ".") == 0 || strcmp(names[k], "..") == 0) {
			ATF_REQUIRE_EQ(types[k], RUMP_DT_DIR);
			continue;
		}
		ATF_REQUIRE_MSG(sscanf(names[k], "r%d_%d%c", &i, &j,
		    &tail) == 2 && i >= 0 && i < NTHREADS && j >= 0 &&
		    j < NROUNDS && j % 2 == 1 && !seen[i][j],
		    "unexpected entry \"%s\"", names[k]);
		ATF_REQUIRE_EQ(types[k], RUMP_DT_REG);
		seen[i][j] = true;
	}
	for (i = 0; i < NTHREADS; i++) {
		for (j = 1; j < NROUNDS; j += 2) {
			snprintf(path, sizeof(path), "dir/r%d_%d", i, j);
			snprintf(expect, sizeof(expect), "dir/t%d_%d", i, j);
			RL(rump_sys_stat(path, &sb));
			ATF_REQUIRE_EQ(sb.st_nlink, 1);
			fs_require_contents(path, expect);
			RL(rump_sys_unlink(path));
		}
	}
	RL(rump_sys_rmdir("dir"));
}

/*
 * Operations in different directories run in parallel.  lwp A's create
 * in "a" is held, by the kernel's fault hook, at its first allocation in
 * tmpfs (the new node, with "a" locked exclusively), until lwp B has
 * created, written, renamed, linked, listed and removed in "b".  lwp C's
 * lookup in "a", the control, must still be waiting for A then.  tmpfs
 * only: ext2 runs each vnode operation under its mount's lock.
 */
static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	cv;
	bool		held;		/* A is held in the hook */
	bool		release;	/* A may go on */
	bool		bdone, cdone;
} pdirs = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    false, false, false, false };
static __thread bool pdirs_holdme;	/* this host thread runs lwp A */

#define PDIRS_WAIT	10		/* seconds, for what must happen */

static int
pdirs_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *site)
{

	if (!pdirs_holdme || strcmp(fp->fp_name, RUMPUS_FAULT_KMEM_ALLOC) != 0 ||
	    site->fs_file == NULL ||
	    strstr(site->fs_file, "/kern/fs/tmpfs/") == NULL)
		return 0;
	pdirs_holdme = false;
	pthread_mutex_lock(&pdirs.lock);
	pdirs.held = true;
	pthread_cond_broadcast(&pdirs.cv);
	while (!pdirs.release)
		pthread_cond_wait(&pdirs.cv, &pdirs.lock);
	pthread_mutex_unlock(&pdirs.lock);
	return 0;
}

/* Set *flag under pdirs.lock and wake the waiters. */
static void
pdirs_set(bool *flag)
{

	pthread_mutex_lock(&pdirs.lock);
	*flag = true;
	pthread_cond_broadcast(&pdirs.cv);
	pthread_mutex_unlock(&pdirs.lock);
}

/* Wait up to secs seconds for *flag; its value then. */
static bool
pdirs_wait(bool *flag, int secs)
{
	struct timespec ts;
	bool v;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	pthread_mutex_lock(&pdirs.lock);
	while (!*flag && pthread_cond_timedwait(&pdirs.cv, &pdirs.lock,
	    &ts) == 0)
		continue;
	v = *flag;
	pthread_mutex_unlock(&pdirs.lock);
	return v;
}

static void *
pdirs_a(void *arg)
{
	const char *err = NULL;
	int fd;

	if (rump_pub_lwproc_newlwp(rump_sys_getpid()) != 0)
		return (void *)"newlwp";
	pdirs_holdme = true;
	if ((fd = rump_sys_open("a/new", RUMP_O_RDWR | RUMP_O_CREAT,
	    0644)) == -1 || rump_sys_close(fd) == -1)
		err = "create a/new";
	rump_pub_lwproc_releaselwp();
	return (void *)err;
}

static const char *
pdirs_b_calls(void)
{
	struct rump_stat sb;
	char buf[512];
	int fd;

	if ((fd = rump_sys_open("b/f", RUMP_O_RDWR | RUMP_O_CREAT,
	    0644)) == -1)
		return "create b/f";
	if (rump_sys_write(fd, "data", 4) != 4 || rump_sys_close(fd) == -1)
		return "write b/f";
	if (rump_sys_rename("b/f", "b/g") == -1)
		return "rename b/f b/g";
	if (rump_sys_link("b/g", "b/h") == -1)
		return "link b/g b/h";
	if (rump_sys_stat("b/h", &sb) == -1 || sb.st_nlink != 2)
		return "stat b/h";
	if (rump_sys_mkdir("b/d", 0755) == -1 || rump_sys_rmdir("b/d") == -1)
		return "mkdir, rmdir b/d";
	if ((fd = rump_sys_open("b", RUMP_O_RDONLY)) == -1 ||
	    rump_sys_getdents(fd, buf, sizeof(buf)) <= 0 ||
	    rump_sys_close(fd) == -1)
		return "getdents b";
	if (rump_sys_unlink("b/g") == -1 || rump_sys_unlink("b/h") == -1)
		return "unlink b/g, b/h";
	return NULL;
}

static void *
pdirs_b(void *arg)
{
	const char *err;

	if (rump_pub_lwproc_newlwp(rump_sys_getpid()) != 0)
		return (void *)"newlwp";
	err = pdirs_b_calls();
	rump_pub_lwproc_releaselwp();
	pdirs_set(&pdirs.bdone);
	return (void *)err;
}

static void *
pdirs_c(void *arg)
{
	struct rump_stat sb;
	const char *err = NULL;

	if (rump_pub_lwproc_newlwp(rump_sys_getpid()) != 0)
		return (void *)"newlwp";
	if (rump_sys_stat("a/old", &sb) == -1)
		err = "stat a/old";
	rump_pub_lwproc_releaselwp();
	pdirs_set(&pdirs.cdone);
	return (void *)err;
}

static void
parallel_dirs(const struct fstest_fs *fs)
{
	pthread_t a, b, c;
	bool bdone, cdone;
	void *rv;

	RL(rump_sys_mkdir("a", 0755));
	RL(rump_sys_mkdir("b", 0755));
	fs_mkfile("a/old", "");
	rumpus_fault_set_hook(pdirs_hook, NULL);
	ATF_REQUIRE(pthread_create(&a, NULL, pdirs_a, NULL) == 0);
	ATF_REQUIRE_MSG(pdirs_wait(&pdirs.held, PDIRS_WAIT),
	    "the create in \"a\" made no tmpfs allocation");
	ATF_REQUIRE(pthread_create(&c, NULL, pdirs_c, NULL) == 0);
	ATF_REQUIRE(pthread_create(&b, NULL, pdirs_b, NULL) == 0);
	bdone = pdirs_wait(&pdirs.bdone, PDIRS_WAIT);
	/* The control: a lookup in "a" waits for the create in "a". */
	usleep(20000);
	cdone = pdirs_wait(&pdirs.cdone, 0);
	pdirs_set(&pdirs.release);
	ATF_REQUIRE(pthread_join(a, &rv) == 0);
	ATF_REQUIRE_MSG(rv == NULL, "lwp A: %s failed", (char *)rv);
	ATF_REQUIRE(pthread_join(b, &rv) == 0);
	ATF_REQUIRE_MSG(rv == NULL, "lwp B: %s failed", (char *)rv);
	ATF_REQUIRE(pthread_join(c, &rv) == 0);
	ATF_REQUIRE_MSG(rv == NULL, "lwp C: %s failed", (char *)rv);
	rumpus_fault_set_hook(NULL, NULL);
	ATF_REQUIRE_MSG(bdone, "the calls in \"b\" waited for the create "
	    "held in \"a\"");
	ATF_REQUIRE_MSG(!cdone, "a lookup in \"a\" did not wait for the "
	    "create held there");
	RL(rump_sys_unlink("a/new"));
	RL(rump_sys_unlink("a/old"));
	RL(rump_sys_rmdir("a"));
	RL(rump_sys_rmdir("b"));
}

ATF_TC(tmpfs_parallel_dirs);
ATF_TC_HEAD(tmpfs_parallel_dirs, tc)
{
	atf_tc_set_md_var(tc, "descr", "calls in one directory complete "
	    "while a create in another is held with its directory locked");
}
ATF_TC_BODY(tmpfs_parallel_dirs, tc)
{

	fstest_run_parallel(&fstest_tmpfs, parallel_dirs);
}

/*
 * Moves between two directories from eight lwps at once: four move a
 * file of their own between "a" and "b"; four move a directory of their
 * own ("p") between them and another ("c") in and out of it, and try to
 * move "p" into its own subtree.  Nothing may hang, be lost or appear
 * twice; each lwp knows where its entries must end up.
 */
static void *
mover(void *arg)
{
	int id = (int)(intptr_t)arg;
	const char *side[2] = { "a", "b" };
	char from[64], to[64], inner[64];
	int at = 0, cin = 0;

	if (rump_pub_lwproc_newlwp(rump_sys_getpid()) != 0)
		return (void *)"newlwp";
	for (int i = 0; i < NROUNDS; i++) {
		if (id < 4) {
			snprintf(from, sizeof(from), "%s/f%d", side[at], id);
			snprintf(to, sizeof(to), "%s/f%d", side[!at], id);
			if (rump_sys_rename(from, to) == -1)
				return (void *)"move file";
			at = !at;
			continue;
		}
		/* c in or out of p, then p across, then p into itself. */
		if (cin) {
			snprintf(from, sizeof(from), "%s/p%d/c%d", side[at],
			    id, id);
			snprintf(to, sizeof(to), "%s/c%d", side[at], id);
		} else {
			snprintf(from, sizeof(from), "%s/c%d", side[at], id);
			snprintf(to, sizeof(to), "%s/p%d/c%d", side[at], id,
			    id);
		}
		if (rump_sys_rename(from, to) == -1)
			return (void *)"move c";
		cin = !cin;
		if (cin) {
			snprintf(from, sizeof(from), "%s/p%d", side[at], id);
			snprintf(inner, sizeof(inner), "%s/p%d/c%d/p%d",
			    side[at], id, id, id);
			if (rump_sys_rename(from, inner) != -1 ||
			    errno != RUMP_EINVAL)
				return (void *)"p into its own subtree";
			snprintf(to, sizeof(to), "%s/p%d", side[!at], id);
			if (rump_sys_rename(from, to) == -1)
				return (void *)"move p";
			at = !at;
		}
	}
	rump_pub_lwproc_releaselwp();
	return NULL;
}

FSTEST_PARALLEL(threads_across, "eight lwps move files and directories "
    "between two directories")
static void
threads_across(const struct fstest_fs *fs)
{
	pthread_t t[NTHREADS];
	struct rump_stat sb;
	char path[64];
	void *rv;
	int i;

	RL(rump_sys_mkdir("a", 0755));
	RL(rump_sys_mkdir("b", 0755));
	for (i = 0; i < NTHREADS; i++) {
		if (i < 4) {
			snprintf(path, sizeof(path), "a/f%d", i);
			fs_mkfile(path, "f");
		} else {
			snprintf(path, sizeof(path), "a/p%d", i);
			RL(rump_sys_mkdir(path, 0755));
			snprintf(path, sizeof(path), "a/c%d", i);
			RL(rump_sys_mkdir(path, 0755));
		}
	}
	for (i = 0; i < NTHREADS; i++)
		ATF_REQUIRE(pthread_create(&t[i], NULL, mover,
		    (void *)(intptr_t)i) == 0);
	for (i = 0; i < NTHREADS; i++) {
		ATF_REQUIRE(pthread_join(t[i], &rv) == 0);
		ATF_REQUIRE_MSG(rv == NULL, "lwp %d: %s failed", i,
		    (char *)rv);
	}
	/*
	 * NROUNDS is even: the files are back in "a"; each p crossed
	 * NROUNDS / 2 times (back in "a") with its c out of it.
	 */
	for (i = 0; i < NTHREADS; i++) {
		snprintf(path, sizeof(path), i < 4 ? "a/f%d" : "a/p%d", i);
		RL(rump_sys_stat(path, &sb));
		if (i >= 4) {
			ATF_REQUIRE_EQ(sb.st_nlink, 2);
			RL(rump_sys_rmdir(path));
			snprintf(path, sizeof(path), "a/c%d", i);
			RL(rump_sys_rmdir(path));
		} else
			RL(rump_sys_unlink(path));
	}
	RL(rump_sys_rmdir("a"));
	RL(rump_sys_rmdir("b"));
}

/* Every path-taking call with a NULL, an empty and an overlong path. */
static void
bad_path(const char *p, int err)
{
	struct rump_timeval tv[2] = { { 0, 0 }, { 0, 0 } };
	struct rump_statvfs sv;
	struct rump_stat sb;
	char buf[16];

	FS_ERR(rump_sys_open(p, RUMP_O_RDONLY), err);
	FS_ERR(rump_sys_open(p, RUMP_O_RDWR | RUMP_O_CREAT, 0644), err);
	FS_ERR(rump_sys_openat(RUMP_AT_FDCWD, p, RUMP_O_RDONLY), err);
	FS_ERR(rump_sys_stat(p, &sb), err);
	FS_ERR(rump_sys_lstat(p, &sb), err);
	FS_ERR(rump_sys_fstatat(RUMP_AT_FDCWD, p, &sb, 0), err);
	FS_ERR(rump_sys_truncate(p, 0), err);
	FS_ERR(rump_sys_mkdir(p, 0755), err);
	FS_ERR(rump_sys_mkdirat(RUMP_AT_FDCWD, p, 0755), err);
	FS_ERR(rump_sys_rmdir(p), err);
	FS_ERR(rump_sys_unlink(p), err);
	FS_ERR(rump_sys_unlinkat(RUMP_AT_FDCWD, p, 0), err);
	FS_ERR(rump_sys_rename(p, "x"), err);
	FS_ERR(rump_sys_rename("f", p), err);
	FS_ERR(rump_sys_link(p, "x"), err);
	FS_ERR(rump_sys_link("f", p), err);
	FS_ERR(rump_sys_symlink("f", p), err);
	FS_ERR(rump_sys_readlink(p, buf, sizeof(buf)), err);
	FS_ERR(rump_sys_chmod(p, 0644), err);
	FS_ERR(rump_sys_chown(p, 0, 0), err);
	FS_ERR(rump_sys_lchown(p, 0, 0), err);
	FS_ERR(rump_sys_utimes(p, tv), err);
	FS_ERR(rump_sys_utimensat(RUMP_AT_FDCWD, p, NULL, 0), err);
	FS_ERR(rump_sys_access(p, RUMP_F_OK), err);
	FS_ERR(rump_sys_chdir(p), err);
	FS_ERR(rump_sys_statvfs1(p, &sv, RUMP_ST_WAIT), err);
	FS_ERR(rump_sys_unmount(p, 0), err);
	FS_ERR(rump_sys_mount(RUMP_MOUNT_TMPFS, p, 0, NULL, 0), err);
}

/* Every descriptor-taking call with a descriptor that is not open. */
static void
bad_fd(int fd)
{
	struct rump_iovec iov = { NULL, 0 };
	struct rump_timeval tv[2] = { { 0, 0 }, { 0, 0 } };
	struct rump_statvfs sv;
	struct rump_stat sb;
	char buf[512];

	FS_ERR(rump_sys_close(fd), RUMP_EBADF);
	FS_ERR(rump_sys_read(fd, buf, 1), RUMP_EBADF);
	FS_ERR(rump_sys_write(fd, buf, 1), RUMP_EBADF);
	FS_ERR(rump_sys_pread(fd, buf, 1, 0), RUMP_EBADF);
	FS_ERR(rump_sys_pwrite(fd, buf, 1, 0), RUMP_EBADF);
	FS_ERR(rump_sys_readv(fd, &iov, 1), RUMP_EBADF);
	FS_ERR(rump_sys_writev(fd, &iov, 1), RUMP_EBADF);
	FS_ERR(rump_sys_lseek(fd, 0, RUMP_SEEK_SET), RUMP_EBADF);
	FS_ERR(rump_sys_fsync(fd), RUMP_EBADF);
	FS_ERR(rump_sys_fdatasync(fd), RUMP_EBADF);
	FS_ERR(rump_sys_ftruncate(fd, 0), RUMP_EBADF);
	FS_ERR(rump_sys_fstat(fd, &sb), RUMP_EBADF);
	FS_ERR(rump_sys_getdents(fd, buf, sizeof(buf)), RUMP_EBADF);
	FS_ERR(rump_sys_fchmod(fd, 0644), RUMP_EBADF);
	FS_ERR(rump_sys_fchown(fd, 0, 0), RUMP_EBADF);
	FS_ERR(rump_sys_futimes(fd, tv), RUMP_EBADF);
	FS_ERR(rump_sys_fchdir(fd), RUMP_EBADF);
	FS_ERR(rump_sys_dup(fd), RUMP_EBADF);
	FS_ERR(rump_sys_dup2(fd, 5), RUMP_EBADF);
	FS_ERR(rump_sys_fcntl(fd, RUMP_F_GETFD), RUMP_EBADF);
	FS_ERR(rump_sys_fcntl(fd, RUMP_F_SETFL, 0), RUMP_EBADF);
	FS_ERR(rump_sys_fstatvfs1(fd, &sv, RUMP_ST_WAIT), RUMP_EBADF);
	FS_ERR(rump_sys_openat(fd, "f", RUMP_O_RDONLY), RUMP_EBADF);
	FS_ERR(rump_sys_fstatat(fd, "f", &sb, 0), RUMP_EBADF);
	FS_ERR(rump_sys_mkdirat(fd, "x", 0755), RUMP_EBADF);
	FS_ERR(rump_sys_unlinkat(fd, "f", 0), RUMP_EBADF);
	FS_ERR(rump_sys_renameat(fd, "f", RUMP_AT_FDCWD, "g"), RUMP_EBADF);
	FS_ERR(rump_sys_linkat(RUMP_AT_FDCWD, "f", fd, "g", 0), RUMP_EBADF);
	FS_ERR(rump_sys_symlinkat("f", fd, "g"), RUMP_EBADF);
	FS_ERR(rump_sys_readlinkat(fd, "f", buf, sizeof(buf)), RUMP_EBADF);
	FS_ERR(rump_sys_fchmodat(fd, "f", 0644, 0), RUMP_EBADF);
	FS_ERR(rump_sys_faccessat(fd, "f", RUMP_F_OK, 0), RUMP_EBADF);
	FS_ERR(rump_sys_utimensat(fd, "f", NULL, 0), RUMP_EBADF);
}

FSTEST(bad_input, "bad paths and descriptors give NetBSD's errno to "
    "every call")
static void
bad_input(const struct fstest_fs *fs)
{
	char longpath[RUMP_MAXPATHLEN + 10];
	int fd;

	fs_mkfile("f", "");
	bad_path(NULL, RUMP_EFAULT);
	bad_path("", RUMP_ENOENT);
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	bad_path(longpath, RUMP_ENAMETOOLONG);
	bad_fd(-1);
	bad_fd(7);
	bad_fd(1023);
	bad_fd(1024);
	bad_fd(0x7fffffff);
	/* A regular file as the directory of an *at call. */
	RL(fd = rump_sys_open("f", RUMP_O_RDONLY));
	FS_ERR(rump_sys_openat(fd, "x", RUMP_O_RDONLY), RUMP_ENOTDIR);
	FS_ERR(rump_sys_mkdirat(fd, "x", 0755), RUMP_ENOTDIR);
	RL(rump_sys_close(fd));
	ATF_REQUIRE(fs_exists("f"));
}

FSTEST(vnode_cache, "the vnode cache keeps at most its limit of "
    "unreferenced vnodes and lets removed files go")
static void
vnode_cache(const struct fstest_fs *fs)
{
	struct rumpus_vfs_books vb, vb0;
	struct rump_stat sb;
	char name[32];
	int i, n, fd;

	RZ(rumpus_vfs_books(&vb0));
	RL(rump_sys_mkdir("d", 0755));
	n = (int)vb0.vb_cachemax + 500;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/%d", i);
		RL(fd = rump_sys_open(name, RUMP_O_RDWR | RUMP_O_CREAT, 0644));
		RL(rump_sys_close(fd));
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/%d", i);
		RL(rump_sys_stat(name, &sb));
	}
	RZ(rumpus_vfs_books(&vb));
	ATF_REQUIRE_MSG(vb.vb_cached <= vb.vb_cachemax, "%u cached",
	    vb.vb_cached);
	ATF_REQUIRE_MSG(vb.vb_vnodes - vb.vb_cached < 16, "%u vnodes, %u "
	    "cached", vb.vb_vnodes, vb.vb_cached);
	/* A held file's vnode stays; removed files' vnodes go. */
	RL(fd = rump_sys_open("d/0", RUMP_O_RDONLY));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/%d", i);
		RL(rump_sys_unlink(name));
	}
	RL(rump_sys_fstat(fd, &sb));
	ATF_REQUIRE_EQ(sb.st_nlink, 0);
	RL(rump_sys_close(fd));
	RL(rump_sys_rmdir("d"));
	RZ(rumpus_vfs_books(&vb));
	ATF_REQUIRE_MSG(vb.vb_vnodes <= vb0.vb_vnodes + 1, "%u vnodes "
	    "after removing all, %u before", vb.vb_vnodes, vb0.vb_vnodes);
}

/* A small deterministic generator (xorshift64*), seeded per run. */
static uint64_t fuzz_state;

static uint32_t
fuzz_next(uint32_t bound)
{

	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return (uint32_t)((fuzz_state * 2685821657736338717ULL) >> 32) %
	    bound;
}

static const char *
fuzz_path(void)
{
	static char longp[RUMP_MAXPATHLEN + 8];
	static const char *pool[] = {
		"a", "a/b", "a/b/c", "b", "l", "l/x", "a/../b", ".", "..",
		"/", "/mnt/a", "a/", "dl", "", NULL, "/mnt/../mnt/a/b", "f",
		"a/f", "zz",
	};
	uint32_t i = fuzz_next((sizeof(pool) / sizeof(pool[0])) + 1);

	if (i == (sizeof(pool) / sizeof(pool[0]))) {
		memset(longp, 'x', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		return longp;
	}
	return pool[i];
}

static int
fuzz_fd(void)
{

	return (int)fuzz_next(14) - 2;
}

static void
fuzz_one(void)
{
	static char buf[9000];
	struct rump_iovec iov[3] = {
		{ buf, 10 }, { NULL, 0 }, { buf + 100, 4000 },
	};
	struct rump_timeval tv[2] = { { 1, 2 }, { 3, 4 } };
	struct rump_timespec ts[2] = { { 1, RUMP_UTIME_NOW }, { 3, 4 } };
	struct rump_statvfs sv;
	struct rump_stat sb;
	int64_t off = (int64_t)fuzz_next(3) * 4096 - 4096 +
	    (int64_t)fuzz_next(5000);
	size_t len = fuzz_next(4) == 0 ? sizeof(buf) : fuzz_next(600);
	int flags = (int)(fuzz_next(2) ? fuzz_next(0x1000) :
	    (fuzz_next(0x7fffffff) | fuzz_next(2)));

	switch (fuzz_next(40)) {
	case 0: (void)rump_sys_open(fuzz_path(), flags, 0644); break;
	case 1: (void)rump_sys_openat(fuzz_fd(), fuzz_path(), flags, 0600);
		break;
	case 2: (void)rump_sys_close(fuzz_fd()); break;
	case 3: (void)rump_sys_read(fuzz_fd(), buf, len); break;
	case 4: (void)rump_sys_write(fuzz_fd(), buf, len); break;
	case 5: (void)rump_sys_pread(fuzz_fd(), buf, len, off); break;
	case 6: (void)rump_sys_pwrite(fuzz_fd(), buf, len, off); break;
	case 7: (void)rump_sys_readv(fuzz_fd(), iov, (int)fuzz_next(5) - 1);
		break;
	case 8: (void)rump_sys_writev(fuzz_fd(), iov, (int)fuzz_next(5) - 1);
		break;
	case 9: (void)rump_sys_lseek(fuzz_fd(), off, (int)fuzz_next(4));
		break;
	case 10: (void)rump_sys_ftruncate(fuzz_fd(), off); break;
	case 11: (void)rump_sys_truncate(fuzz_path(), off); break;
	case 12: (void)rump_sys_stat(fuzz_path(), &sb); break;
	case 13: (void)rump_sys_lstat(fuzz_path(), fuzz_next(8) ? &sb : NULL);
		break;
	case 14: (void)rump_sys_fstat(fuzz_fd(), &sb); break;
	case 15: (void)rump_sys_mkdir(fuzz_path(), (uint32_t)flags); break;
	case 16: (void)rump_sys_rmdir(fuzz_path()); break;
	case 17: (void)rump_sys_unlink(fuzz_path()); break;
	case 18: (void)rump_sys_unlinkat(fuzz_fd(), fuzz_path(),
		    fuzz_next(2) ? RUMP_AT_REMOVEDIR : flags); break;
	case 19: (void)rump_sys_rename(fuzz_path(), fuzz_path()); break;
	case 20: (void)rump_sys_link(fuzz_path(), fuzz_path()); break;
	case 21: (void)rump_sys_symlink(fuzz_path(), fuzz_path()); break;
	case 22: (void)rump_sys_readlink(fuzz_path(), buf, len); break;
	case 23: (void)rump_sys_getdents(fuzz_fd(), buf, len); break;
	case 24: (void)rump_sys_chmod(fuzz_path(), (uint32_t)flags); break;
	case 25: (void)rump_sys_fchmod(fuzz_fd(), (uint32_t)flags); break;
	case 26: (void)rump_sys_chown(fuzz_path(), fuzz_next(3),
		    fuzz_next(3)); break;
	case 27: (void)rump_sys_utimes(fuzz_path(), fuzz_next(2) ? tv : NULL);
		break;
	case 28: (void)rump_sys_utimensat(fuzz_fd(), fuzz_path(), ts,
		    fuzz_next(2) ? 0 : flags); break;
	case 29: (void)rump_sys_access(fuzz_path(), (int)fuzz_next(9)); break;
	case 30: (void)rump_sys_chdir(fuzz_path()); break;
	case 31: (void)rump_sys_fchdir(fuzz_fd()); break;
	case 32: (void)rump_sys___getcwd(buf, len); break;
	case 33: (void)rump_sys_dup(fuzz_fd()); break;
	case 34: (void)rump_sys_dup2(fuzz_fd(), fuzz_fd()); break;
	case 35: (void)rump_sys_fcntl(fuzz_fd(), (int)fuzz_next(16),
		    (int)fuzz_next(20)); break;
	case 36: (void)rump_sys_statvfs1(fuzz_path(), &sv, 0); break;
	case 37: (void)rump_sys_fsync(fuzz_fd()); break;
	case 38: (void)rump_sys_umask((uint32_t)flags); break;
	default: (void)rump_sys_fstatvfs1(fuzz_fd(), &sv, 0); break;
	}
}

FSTEST(random_calls, "20000 seeded random calls with random arguments: "
    "no panic, and everything is released afterwards")
static void
random_calls(const struct fstest_fs *fs)
{
	const char *seed = getenv("FSTEST_SEED");
	int i;

	/* FSTEST_SEED=n in the environment tries another sequence. */
	fuzz_state = seed != NULL ? strtoull(seed, NULL, 10) * 2 + 1 :
	    0x9e3779b97f4a7c15ULL;
	RL(rump_sys_mkdir("a", 0777));
	fs_mkfile("f", "data");
	RL(rump_sys_symlink("a", "l"));
	RL(rump_sys_symlink("nowhere", "dl"));
	for (i = 0; i < 20000; i++)
		fuzz_one();
	/* Let go of everything, so the unmount must succeed. */
	for (i = 0; i < 1024; i++)
		(void)rump_sys_close(i);
	RL(rump_sys_chdir(FSTEST_MNT));
	(void)rump_sys_umask(022);
}

FSTEST(namei_edges, "lookups: \"..\" at \"/\", slashes, ELOOP on a long chain")
static void
namei_edges(const struct fstest_fs *fs)
{
	struct rump_stat sb, sb2;
	char name[32], target[32];

	RL(rump_sys_stat("/..", &sb));
	RL(rump_sys_stat("/", &sb2));
	ATF_REQUIRE_EQ(sb.st_ino, sb2.st_ino);
	RL(rump_sys_mkdir("d", 0755));
	RL(rump_sys_stat("d//", &sb));
	RL(rump_sys_stat("//mnt///d/./../d", &sb2));
	ATF_REQUIRE_EQ(sb.st_ino, sb2.st_ino);
	/* 32 links resolve, 33 do not. */
	fs_mkfile("l0", "end");
	for (int i = 1; i <= 33; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		RL(rump_sys_symlink(target, name));
	}
	fs_require_contents("l32", "end");
	FS_ERR(rump_sys_stat("l33", &sb), RUMP_ELOOP);
	FS_ERR(rump_sys_stat("l0/", &sb), RUMP_ENOTDIR);
}

ATF_TP_ADD_TCS(tp)
{

	FSTEST_ADD(tp, open_rw);
	FSTEST_ADD(tp, open_errors);
	FSTEST_ADD(tp, trunc_append);
	FSTEST_ADD(tp, positional_vectored);
	FSTEST_ADD(tp, sparse);
	FSTEST_ADD(tp, dirs);
	FSTEST_ADD(tp, unlink_open);
	FSTEST_ADD(tp, rename_cases);
	FSTEST_ADD(tp, links);
	FSTEST_ADD(tp, symlinks);
	FSTEST_ADD(tp, getdents);
	FSTEST_ADD(tp, attrs);
	FSTEST_ADD(tp, umask_modes);
	FSTEST_ADD(tp, cwd);
	FSTEST_ADD(tp, descriptors);
	FSTEST_ADD(tp, fd_limits);
	FSTEST_ADD(tp, file_size_limits);
	FSTEST_ADD(tp, ids);
	FSTEST_ADD(tp, access_stat);
	FSTEST_ADD(tp, mounts);
	FSTEST_ADD(tp, getargs);
	ATF_TP_ADD_TC(tp, tmpfs_teardown_mounted);
	ATF_TP_ADD_TC(tp, ext2_teardown_mounted);
	FSTEST_ADD(tp, nonroot);
	FSTEST_ADD(tp, processes);
	FSTEST_ADD(tp, threads);
	FSTEST_ADD(tp, threads_across);
	ATF_TP_ADD_TC(tp, tmpfs_parallel_dirs);
	FSTEST_ADD(tp, bad_input);
	FSTEST_ADD(tp, vnode_cache);
	FSTEST_ADD(tp, random_calls);
	FSTEST_ADD(tp, namei_edges);
	return atf_no_error();
}
