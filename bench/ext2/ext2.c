/*
 * bench/ext2: ext2 in the kernel (an image file through etfs, the buffer
 * cache and ext2fs) against the same workloads on the host's own file
 * system:
 *   - 64 MiB written sequentially (64 KiB writes, then fsync), and read
 *     back after a remount (kernel) or as written (host), in MB/s;
 *   - 10,000 small files (create, write 100 bytes, close) in one
 *     directory, in creates per second;
 *   - a rename / unlink heavy run: 2,000 files each renamed twice and
 *     unlinked, in operations per second;
 * and what a disposable ext2 instance of the runner costs to set up and
 * to check, on the scenarios' default image (mke2fs -t ext2 -b 1024
 * -I 128, 8 MiB), from a zygote with no kernel up (medians of forked
 * instances that give themselves the disk, boot, mount, write 4 KiB,
 * unmount, tear down and exit):
 *   - the old way: the instance copies the image (holes kept) and the
 *     parent removes the copy;
 *   - the overlay: the parent makes an overlay, the instance attaches the
 *     zygote's read-only mapping (rumpus_overlay.h);
 *   - after an overlay instance, the parent's check: export the image
 *     into a memfd and run e2fsck -fn on it.
 * Usage: ext2 [-m RUMPUS_MODE] [directory for the image and host files]
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumperrno.h>
#include <rump/rumpus_ext.h>
#include <rump/rumpvfs_if_pub.h>

#include "bench.h"
#include "rumpus_overlay.h"

#define SEQ_BYTES	(64 << 20)
#define SEQ_CHUNK	(64 << 10)
#define NSMALL		10000
#define NRENAME		2000
#define NSETUP		200	/* instances of each kind */
#define NFSCK		50	/* checks after an instance */

/* The operations, once for the kernel and once for the host. */
struct ops {
	const char *name;
	int	(*open)(const char *, int, ...);
	int	(*close)(int);
	ssize_t	(*write)(int, const void *, size_t);
	ssize_t	(*read)(int, void *, size_t);
	int	(*fsync)(int);
	int	(*mkdir)(const char *, mode_t);
	int	(*rename)(const char *, const char *);
	int	(*unlink)(const char *);
	int	o_creat, o_rdwr, o_rdonly, o_trunc;
};

static int
k_open(const char *p, int fl, ...)
{

	return rump_sys_open(p, fl, 0644);
}

static int
k_mkdir(const char *p, mode_t m)
{

	return rump_sys_mkdir(p, m);
}

static int
h_open(const char *p, int fl, ...)
{

	return open(p, fl, 0644);
}

static const struct ops kops = {
	"kernel ext2", k_open, rump_sys_close, rump_sys_write, rump_sys_read,
	rump_sys_fsync, k_mkdir, rump_sys_rename, rump_sys_unlink,
	RUMP_O_CREAT, RUMP_O_RDWR, RUMP_O_RDONLY, RUMP_O_TRUNC
};
static const struct ops hops = {
	"host", h_open, close, write, read, fsync, mkdir, rename, unlink,
	O_CREAT, O_RDWR, O_RDONLY, O_TRUNC
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{

	fprintf(stderr, "ext2 bench: %s: errno %d\n", what, errno);
	exit(1);
}

static double
seq_write(const struct ops *o, const char *path)
{
	static char buf[SEQ_CHUNK];
	double t0 = now();
	size_t done;
	int fd;

	memset(buf, 'w', sizeof(buf));
	if ((fd = o->open(path, o->o_creat | o->o_rdwr | o->o_trunc)) == -1)
		die("open for writing");
	for (done = 0; done < SEQ_BYTES; done += sizeof(buf))
		if (o->write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write");
	if (o->fsync(fd) == -1)
		die("fsync");
	o->close(fd);
	return SEQ_BYTES / (now() - t0) / 1e6;
}

static double
seq_read(const struct ops *o, const char *path)
{
	static char buf[SEQ_CHUNK];
	double t0 = now();
	size_t done = 0;
	ssize_t n;
	int fd;

	if ((fd = o->open(path, o->o_rdonly)) == -1)
		die("open for reading");
	while ((n = o->read(fd, buf, sizeof(buf))) > 0)
		done += n;
	o->close(fd);
	if (done != SEQ_BYTES)
		die("short read");
	return SEQ_BYTES / (now() - t0) / 1e6;
}

static double
small_files(const struct ops *o, const char *dir)
{
	char path[512], data[100];
	double t0;
	int i, fd;

	memset(data, 's', sizeof(data));
	if (o->mkdir(dir, 0755) == -1)
		die("mkdir");
	t0 = now();
	for (i = 0; i < NSMALL; i++) {
		snprintf(path, sizeof(path), "%s/file%05d", dir, i);
		if ((fd = o->open(path, o->o_creat | o->o_rdwr)) == -1)
			die("create");
		if (o->write(fd, data, sizeof(data)) != sizeof(data))
			die("write small");
		o->close(fd);
	}
	return NSMALL / (now() - t0);
}

static double
rename_unlink(const struct ops *o, const char *dir)
{
	char a[512], b[512], c[512];
	double t0;
	int i, fd;

	if (o->mkdir(dir, 0755) == -1)
		die("mkdir");
	for (i = 0; i < NRENAME; i++) {
		snprintf(a, sizeof(a), "%s/a%d", dir, i);
		if ((fd = o->open(a, o->o_creat | o->o_rdwr)) == -1)
			die("create");
		o->close(fd);
	}
	t0 = now();
	for (i = 0; i < NRENAME; i++) {
		snprintf(a, sizeof(a), "%s/a%d", dir, i);
		snprintf(b, sizeof(b), "%s/b%d", dir, i);
		snprintf(c, sizeof(c), "%s/c%d", dir, NRENAME - 1 - i);
		if (o->rename(a, b) == -1 || o->rename(b, c) == -1)
			die("rename");
	}
	for (i = 0; i < NRENAME; i++) {
		snprintf(c, sizeof(c), "%s/c%d", dir, i);
		if (o->unlink(c) == -1)
			die("unlink");
	}
	return 3.0 * NRENAME / (now() - t0);
}

static void
kmount(void)
{
	struct rump_ufs_args args;
	static char key[] = "/dev/bench";

	args.fspec = key;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt", 0, &args,
	    sizeof(args)) == -1)
		die("mount");
}

/* The image of the setup figures, the zygote's mapping of it. */
static struct {
	char		 path[600];
	const void	*map;
	uint64_t	 size;
	char		 copy[640];	/* the old way: the instance's copy */
	int		 ovfd;		/* the overlay way */
} setup;

/* The old way's copy of the image, holes kept; 0 or -1. */
static int
setup_copy(void)
{
	static const char zero[65536];
	char buf[65536];
	ssize_t n;
	off_t off = 0;
	int in, out, rv = -1;

	if ((in = open(setup.path, O_RDONLY)) == -1)
		return -1;
	if ((out = open(setup.copy, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1) {
		while ((n = read(in, buf, sizeof(buf))) > 0) {
			if (memcmp(buf, zero, (size_t)n) != 0 &&
			    pwrite(out, buf, (size_t)n, off) != n)
				break;
			off += n;
		}
		if (n == 0 && ftruncate(out, off) == 0)
			rv = 0;
		close(out);
	}
	close(in);
	return rv;
}

/*
 * One forked instance: kind 0 copies the image, kind 1 attaches it to
 * the overlay; then boot, mount, write 4 KiB, unmount, tear down.
 * Returns 0 or the step that failed.
 */
static int
setup_instance(int kind)
{
	static const char name[] = "/dev/null/bench-overlay";
	static char data[4096];
	const char *host = kind ? name : setup.copy;
	int fd;

	if (kind == 0 && setup_copy() != 0)
		return 1;
	if (kind == 1 && rumpus_overlay_attach(setup.ovfd, name, setup.path,
	    setup.map, setup.size) != 0)
		return 2;
	if (rump_init() != 0 ||
	    rump_pub_etfs_register("/dev/bench", host, RUMP_ETFS_BLK) != 0)
		return 3;
	rump_sys_mkdir("/mnt", 0755);
	kmount();
	if ((fd = rump_sys_open("/mnt/f", RUMP_O_CREAT | RUMP_O_RDWR, 0644)) ==
	    -1 || rump_sys_write(fd, data, sizeof(data)) != sizeof(data) ||
	    rump_sys_close(fd) == -1)
		return 4;
	if (rump_sys_unmount("/mnt", 0) == -1 || rumpus_teardown(NULL) != 0)
		return 5;
	return 0;
}

/*
 * The setup figures in microseconds: old way, overlay, and the check
 * after an overlay instance (export + e2fsck -fn).
 */
static void
setup_costs(const char *base, double *r)
{
	int64_t *t[3], t0;
	char cmd[800], fsck[128];
	struct stat sb;
	int i, fd, img;

	snprintf(setup.path, sizeof(setup.path), "%s/default.img", base);
	snprintf(setup.copy, sizeof(setup.copy), "%s/copy.img", base);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/mke2fs -q -F -t ext2 -b 1024 "
	    "-I 128 %s 8M >/dev/null 2>&1", setup.path);
	if (system(cmd) != 0 || (fd = open(setup.path, O_RDONLY)) == -1 ||
	    fstat(fd, &sb) == -1 || (setup.map = mmap(NULL,
	    (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		die("the default image");
	close(fd);
	setup.size = (uint64_t)sb.st_size;
	for (i = 0; i < 3; i++)
		t[i] = bench_samples(NSETUP);
	for (i = 0; i < NSETUP; i++) {
		t0 = bench_now_ns();
		bench_fork(setup_instance, 0);
		unlink(setup.copy);
		t[0][i] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (rumpus_overlay_create(&setup.ovfd) != 0)
			die("rumpus_overlay_create");
		bench_fork(setup_instance, 1);
		t[1][i] = bench_now_ns() - t0;
		if (i >= NFSCK) {
			close(setup.ovfd);
			continue;
		}
		t0 = bench_now_ns();
		if ((img = memfd_create("image", MFD_CLOEXEC)) == -1 ||
		    rumpus_overlay_export(setup.ovfd, img) != 0)
			die("export");
		snprintf(fsck, sizeof(fsck), "/usr/sbin/e2fsck -fn "
		    "/proc/%ld/fd/%d >/dev/null 2>&1", (long)getpid(), img);
		if (system(fsck) != 0)
			die("e2fsck -fn found the image damaged");
		close(img);
		t[2][i] = bench_now_ns() - t0;
		close(setup.ovfd);
	}
	r[0] = bench_median_us(t[0], NSETUP);
	r[1] = bench_median_us(t[1], NSETUP);
	r[2] = bench_median_us(t[2], NFSCK);
	for (i = 0; i < 3; i++)
		free(t[i]);
}

int
main(int argc, char **argv)
{
	char tmpl[] = "/tmp/ext2bench.XXXXXX", img[600], cmd[800];
	char hdir[600];
	const char *base;
	double r[2][4], su[3];
	int error;

	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		setenv("RUMPUS_MODE", argv[2], 1);
		argc -= 2;
		argv += 2;
	}
	base = argc > 1 ? argv[1] : mkdtemp(tmpl);
	if (base == NULL)
		die("mkdtemp");
	snprintf(img, sizeof(img), "%s/bench.img", base);
	snprintf(cmd, sizeof(cmd), "/usr/sbin/mke2fs -q -F -t ext2 -b 4096 "
	    "%s 256M >/dev/null 2>&1", img);
	if (system(cmd) != 0) {
		fprintf(stderr, "ext2 bench: mke2fs failed (e2fsprogs?)\n");
		return 1;
	}

	/* The kernel. */
	if ((error = rump_init()) != 0 ||
	    (error = rump_pub_etfs_register("/dev/bench", img,
	    RUMP_ETFS_BLK)) != 0) {
		fprintf(stderr, "ext2 bench: boot: %d\n", error);
		return 1;
	}
	rump_sys_mkdir("/mnt", 0755);
	kmount();
	r[0][0] = seq_write(&kops, "/mnt/seq");
	rump_sys_unmount("/mnt", 0);
	kmount();
	r[0][1] = seq_read(&kops, "/mnt/seq");
	r[0][2] = small_files(&kops, "/mnt/small");
	r[0][3] = rename_unlink(&kops, "/mnt/ren");
	if (rump_sys_unmount("/mnt", 0) == -1)
		die("unmount");
	rumpus_teardown(NULL);

	/* The host, beside the image. */
	snprintf(hdir, sizeof(hdir), "%s/seq", base);
	r[1][0] = seq_write(&hops, hdir);
	r[1][1] = seq_read(&hops, hdir);
	snprintf(hdir, sizeof(hdir), "%s/small", base);
	r[1][2] = small_files(&hops, hdir);
	snprintf(hdir, sizeof(hdir), "%s/ren", base);
	r[1][3] = rename_unlink(&hops, hdir);

	/* The runner's ext2 instance, from a zygote (no kernel up). */
	setup_costs(base, su);

	printf("ext2 (4 KiB blocks, 256 MiB image; mode %s) vs host file "
	    "system (%s)\n", getenv("RUMPUS_MODE") ? getenv("RUMPUS_MODE") :
	    "threads", base);
	printf("%-34s %12s %12s\n", "", "kernel", "host");
	printf("%-34s %9.1f MB/s %7.1f MB/s\n", "64 MiB sequential write+fsync",
	    r[0][0], r[1][0]);
	printf("%-34s %9.1f MB/s %7.1f MB/s\n", "64 MiB sequential read",
	    r[0][1], r[1][1]);
	printf("%-34s %8.0f ops/s %6.0f ops/s\n", "10,000 small-file creates",
	    r[0][2], r[1][2]);
	printf("%-34s %8.0f ops/s %6.0f ops/s\n",
	    "rename x2 + unlink (2,000 files)", r[0][3], r[1][3]);
	printf("(host read: from its page cache; kernel read: after a "
	    "remount, through the buffer cache from the image file)\n");
	printf("ext2 instance setup (8 MiB default image; fork + disk + boot "
	    "+ mount + 4 KiB write + unmount + teardown + exit + wait), "
	    "median of %d:\n", NSETUP);
	printf("  image copied by the instance (old):   %8.1f us\n", su[0]);
	printf("  overlay over the zygote's mapping:    %8.1f us (%.2fx)\n",
	    su[1], su[1] / su[0]);
	printf("  then the runner's check (export + e2fsck -fn), median of "
	    "%d: %.1f us\n", NFSCK, su[2]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (argc <= 1)
		(void)system(cmd);
	return 0;
}
