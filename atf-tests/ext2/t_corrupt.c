/*
 * Damaged ext2 images: a seeded run corrupts a populated image at many
 * places (superblock, group descriptors, block and inode bitmaps, inode
 * table, directory blocks, indirect blocks), then mounts each, walks the
 * whole tree (list, stat, read, readlink), changes it a little, unmounts.
 * Every call must return (any errno will do): the kernel must not panic,
 * crash or hang, and its books must be empty at the end.
 *
 * Knobs: EXT2_CORRUPT_SEED, EXT2_CORRUPT_N (default 105 per block size: 15 per region).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
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

enum region { R_SUPER, R_GDT, R_BBITMAP, R_IBITMAP, R_ITABLE, R_DIR, R_IND,
	R_COUNT };
static const char *const region_names[R_COUNT] = { "superblock",
	"group descriptors", "block bitmap", "inode bitmap", "inode table",
	"directory block", "indirect block" };

/* Byte ranges of each region in the image. */
struct span {
	uint64_t	off, len;
};
static struct span spans[R_COUNT][64];
static int nspans[R_COUNT];

static uint64_t rnd_state;

static uint64_t
rnd(uint64_t n)
{

	return ext2_rnd(&rnd_state, n);
}

static void
add_span(enum region r, uint64_t off, uint64_t len)
{

	if (nspans[r] < 64) {
		spans[r][nspans[r]].off = off;
		spans[r][nspans[r]].len = len;
		nspans[r]++;
	}
}

/* Blocks of a debugfs listing: the number after each tag (or every one). */
static void
add_blocks(enum region r, const char *cmd, const char *tag, unsigned bsize)
{
	char out[16384], *p;
	unsigned long b;

	char *end;

	(void)ext2_sh(out, sizeof(out),
	    "/usr/sbin/debugfs -R '%s' pristine.img 2>/dev/null; true", cmd);
	for (p = out; *p != '\0' && (p = strstr(p, tag)) != NULL;) {
		p += strlen(tag);
		b = strtoul(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		p = end;
		if (b != 0)
			add_span(r, (uint64_t)b * bsize, bsize);
	}
}

/* Find the regions of pristine.img (block size bsize). */
static void
find_regions(unsigned bsize)
{
	char out[16384], *p;
	unsigned long a, b;

	memset(nspans, 0, sizeof(nspans));
	add_span(R_SUPER, 1024, 1024);
	add_span(R_GDT, (bsize == 1024 ? 2 : 1) * (uint64_t)bsize, bsize);
	(void)ext2_sh(out, sizeof(out), "/usr/sbin/dumpe2fs pristine.img");
	for (p = out; (p = strstr(p, "Block bitmap at ")) != NULL;) {
		a = strtoul(p + 16, &p, 10);
		add_span(R_BBITMAP, (uint64_t)a * bsize, bsize);
	}
	for (p = out; (p = strstr(p, "Inode bitmap at ")) != NULL;) {
		a = strtoul(p + 16, &p, 10);
		add_span(R_IBITMAP, (uint64_t)a * bsize, bsize);
	}
	for (p = out; (p = strstr(p, "Inode table at ")) != NULL;) {
		a = strtoul(p + 15, &p, 10);
		b = strtoul(p + 1, &p, 10);
		/* The used inodes are in the first blocks of group 0's. */
		(void)b;
		add_span(R_ITABLE, (uint64_t)a * bsize, 8 * 1024);
		break;
	}
	add_blocks(R_DIR, "blocks /", "", bsize);
	add_blocks(R_DIR, "blocks /sub", "", bsize);
	add_blocks(R_DIR, "blocks /big", "", bsize);
	add_blocks(R_IND, "stat /dindir", "(IND):", bsize);
	add_blocks(R_IND, "stat /dindir", "(DIND):", bsize);
	for (int r = 0; r < R_COUNT; r++)
		ATF_REQUIRE_MSG(nspans[r] > 0, "no %s found", region_names[r]);
}

/* Walk the tree under path: list, stat, read, readlink; return nothing. */
static void
walk(const char *path, int depth, int *budget)
{
	char buf[8192], sub[1024], lnk[1024];
	struct rump_dirent *d;
	struct rump_stat sb;
	int fd, len, off, f;

	if (depth > 8 || --*budget < 0)
		return;
	if ((fd = rump_sys_open(path, RUMP_O_RDONLY | RUMP_O_DIRECTORY)) == -1)
		return;
	while ((len = rump_sys_getdents(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += d->d_reclen) {
			d = (struct rump_dirent *)(buf + off);
			if (d->d_reclen == 0)
				break;
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, d->d_name);
			if (rump_sys_lstat(sub, &sb) == -1)
				continue;
			if ((sb.st_mode & RUMP_S_IFMT) == RUMP_S_IFDIR)
				walk(sub, depth + 1, budget);
			else if ((sb.st_mode & RUMP_S_IFMT) == RUMP_S_IFLNK)
				(void)rump_sys_readlink(sub, lnk, sizeof(lnk));
			else if ((f = rump_sys_open(sub, RUMP_O_RDONLY)) != -1) {
				static char data[65536];
				int64_t pos = 0;
				ssize_t n;

				/* Read at most 1 MiB of each file. */
				while (pos < (1 << 20) && (n = rump_sys_pread(f,
				    data, sizeof(data), pos)) > 0)
					pos += n;
				rump_sys_close(f);
			}
		}
	}
	rump_sys_close(fd);
}

/* A few changes: any may fail. */
static void
change(void)
{
	char data[5000];
	int fd;

	memset(data, 'c', sizeof(data));
	if ((fd = rump_sys_open(EXT2_MNT "/newfile", RUMP_O_RDWR |
	    RUMP_O_CREAT, 0644)) != -1) {
		(void)rump_sys_write(fd, data, sizeof(data));
		(void)rump_sys_fsync(fd);
		rump_sys_close(fd);
	}
	(void)rump_sys_mkdir(EXT2_MNT "/newdir", 0755);
	(void)rump_sys_rename(EXT2_MNT "/small", EXT2_MNT "/newdir/small");
	(void)rump_sys_unlink(EXT2_MNT "/hard1");
	(void)rump_sys_unlink(EXT2_MNT "/dindir");
	(void)rump_sys_truncate(EXT2_MNT "/sparse", 10);
	(void)rump_sys_rmdir(EXT2_MNT "/sub/deeper");
	(void)rump_sys_unlink(EXT2_MNT "/big/entry-with-a-long-name-0007");
}

static void
corrupt_case(unsigned bsize, uint32_t defseed)
{
	struct rumpus_books books;
	struct rump_ufs_args args;
	char key[64], img[64], desc[256];
	const char *s;
	uint32_t seed = defseed;
	int n = 105, i, fd, budget, mounted = 0, refused = 0;
	enum region r;
	struct span *sp;
	uint64_t off;
	uint8_t junk[4];
	size_t nb, k;

	ext2_require_tools();
	if ((s = getenv("EXT2_CORRUPT_SEED")) != NULL)
		seed = (uint32_t)strtoul(s, NULL, 0);
	if ((s = getenv("EXT2_CORRUPT_N")) != NULL)
		n = atoi(s);
	fprintf(stderr, "seed %u, %d images\n", seed, n);
	rnd_state = 0x9e3779b97f4a7c15ULL ^ seed;
	ext2_populate("model", bsize);
	snprintf(desc, sizeof(desc), "-b %u -g %u", bsize, bsize * 2);
	ext2_mkimage("pristine.img", 4, desc, "model");
	find_regions(bsize);

	RZ(rump_init());
	ATF_REQUIRE(rump_sys_mkdir(EXT2_MNT, 0755) == 0);
	for (i = 0; i < n; i++) {
		r = (enum region)(i % R_COUNT);
		sp = &spans[r][rnd(nspans[r])];
		off = sp->off + rnd(sp->len);
		nb = 1 + rnd(4);
		for (k = 0; k < nb; k++)
			junk[k] = rnd(4) == 0 ? 0xff : (uint8_t)rnd(256);
		snprintf(desc, sizeof(desc), "seed %u image %d: %zu bytes of "
		    "the %s at %ju", seed, i, nb, region_names[r],
		    (uintmax_t)off);
		snprintf(img, sizeof(img), "c%d.img", i);
		ATF_REQUIRE(ext2_sh(NULL, 0, "cp pristine.img %s", img) == 0);
		ATF_REQUIRE((fd = open(img, O_RDWR)) != -1);
		ATF_REQUIRE_MSG(pwrite(fd, junk, nb, off) == (ssize_t)nb,
		    "%s: %s", desc, strerror(errno));
		close(fd);
		snprintf(key, sizeof(key), "/dev/c%d", i);
		RZ(rump_pub_etfs_register(key, img, RUMP_ETFS_BLK));
		args.fspec = key;
		if (rump_sys_mount(RUMP_MOUNT_EXT2FS, EXT2_MNT, 0, &args,
		    sizeof(args)) == -1) {
			refused++;
			ATF_REQUIRE_MSG(errno != 0, "%s: mount failed, no errno",
			    desc);
		} else {
			mounted++;
			budget = 2000;
			walk(EXT2_MNT, 0, &budget);
			change();
			budget = 2000;
			walk(EXT2_MNT, 0, &budget);
			if (rump_sys_unmount(EXT2_MNT, 0) == -1)
				ATF_REQUIRE_MSG(rump_sys_unmount(EXT2_MNT,
				    RUMP_MNT_FORCE) == 0, "%s: forced unmount: "
				    "%s", desc, rump_errno_name(errno));
		}
		RZ(rump_pub_etfs_remove(key));
		(void)unlink(img);
	}
	fprintf(stderr, "%d mounted, %d refused\n", mounted, refused);
	RZ(rumpus_teardown(&books));
	if (books.b_kmem_count != 0)
		rumpus_books_print(&books);
	ATF_REQUIRE_EQ(books.b_kmem_count, 0);
	ATF_REQUIRE_EQ(books.b_nlocks, 0);
	/* Damage the mount does not check must have been walked. */
	ATF_REQUIRE(mounted > 0);
}

ATF_TC(corrupt_b1024);
ATF_TC_HEAD(corrupt_b1024, tc)
{
	atf_tc_set_md_var(tc, "descr", "corrupted 1 KiB-block images: mount "
	    "fails or the walk returns errors; no crash, no hang, no leak");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(corrupt_b1024, tc)
{

	corrupt_case(1024, 1);
}

ATF_TC(corrupt_b4096);
ATF_TC_HEAD(corrupt_b4096, tc)
{
	atf_tc_set_md_var(tc, "descr", "corrupted 4 KiB-block images: mount "
	    "fails or the walk returns errors; no crash, no hang, no leak");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(corrupt_b4096, tc)
{

	corrupt_case(4096, 2);
}

ATF_TC(bad_superblock);
ATF_TC_HEAD(bad_superblock, tc)
{
	atf_tc_set_md_var(tc, "descr", "a superblock with a bad magic, block "
	    "size or geometry fails the mount with EINVAL");
}
ATF_TC_BODY(bad_superblock, tc)
{
	static const struct {
		unsigned	off;	/* in the superblock */
		uint32_t	val;
		unsigned	len;
	} bad[] = {
		{ 56, 0x1234, 2 },		/* magic */
		{ 24, 7, 4 },			/* log block size */
		{ 32, 0, 4 },			/* blocks per group */
		{ 40, 0xffffff, 4 },		/* inodes per group */
		{ 4, 0xfffffff0, 4 },		/* blocks count > device */
		{ 76, 5, 4 },			/* revision */
		{ 88, 100, 2 },			/* inode size */
	};
	struct rump_ufs_args args;
	char key[32], img[32];
	uint8_t v[4];
	size_t i;
	int fd;

	ext2_require_tools();
	ext2_mkimage("pristine.img", 4, "-b 1024", NULL);
	RZ(rump_init());
	ATF_REQUIRE(rump_sys_mkdir(EXT2_MNT, 0755) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(img, sizeof(img), "bad%zu.img", i);
		snprintf(key, sizeof(key), "/dev/bad%zu", i);
		ATF_REQUIRE(ext2_sh(NULL, 0, "cp pristine.img %s", img) == 0);
		v[0] = bad[i].val;
		v[1] = bad[i].val >> 8;
		v[2] = bad[i].val >> 16;
		v[3] = bad[i].val >> 24;
		ATF_REQUIRE((fd = open(img, O_RDWR)) != -1);
		ATF_REQUIRE(pwrite(fd, v, bad[i].len, 1024 + bad[i].off) ==
		    (ssize_t)bad[i].len);
		close(fd);
		RZ(rump_pub_etfs_register(key, img, RUMP_ETFS_BLK));
		args.fspec = key;
		errno = 0;
		ATF_REQUIRE_MSG(rump_sys_mount(RUMP_MOUNT_EXT2FS, EXT2_MNT, 0,
		    &args, sizeof(args)) == -1 && errno == RUMP_EINVAL,
		    "superblock byte %u = %#x: mount gave errno %d",
		    bad[i].off, bad[i].val, errno);
		RZ(rump_pub_etfs_remove(key));
	}
	RZ(rumpus_teardown(NULL));
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, corrupt_b1024);
	ATF_TP_ADD_TC(tp, corrupt_b4096);
	ATF_TP_ADD_TC(tp, bad_superblock);
	return atf_no_error();
}
