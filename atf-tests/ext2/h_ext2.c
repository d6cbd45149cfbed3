/*
 * Helpers of the ext2 tests (h_ext2.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpvfs_if_pub.h>

#include "h_macros.h"
#include "h_ext2.h"

/*
 * Every block size and inode size, default features and none, revision 0;
 * four groups each (so backups and group choice matter).
 */
const struct ext2_variant ext2_variants[] = {
	{ "b1024_i128", "-b 1024 -I 128 -g 2048", 1024 },
	{ "b1024_i256", "-b 1024 -I 256 -g 2048", 1024 },
	{ "b2048_i128", "-b 2048 -I 128 -g 1024", 2048 },
	{ "b2048_i256", "-b 2048 -I 256 -g 1024", 2048 },
	{ "b4096_i128", "-b 4096 -I 128 -g 512", 4096 },
	{ "b4096_i256", "-b 4096 -I 256 -g 512", 4096 },
	{ "none_b1024", "-O none -b 1024 -g 2048", 1024 },
	{ "none_b4096", "-O none -b 4096 -I 256 -g 512", 4096 },
	{ "rev0_b1024", "-r 0 -b 1024 -g 2048", 1024 },
	{ "rev0_b4096", "-r 0 -b 4096 -g 512", 4096 },
};
const size_t ext2_nvariants = sizeof(ext2_variants) / sizeof(ext2_variants[0]);

int
ext2_sh(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	FILE *p;
	size_t n = 0;
	int status;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	ATF_REQUIRE_MSG(p != NULL, "popen %s: %s", cmd, strerror(errno));
	if (out != NULL && outlen > 0) {
		n = fread(out, 1, outlen - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		continue;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void
ext2_require_tools(void)
{

	REQUIRE_DEPENDENCY(access("/usr/sbin/mke2fs", X_OK) == 0 &&
	    access("/usr/sbin/e2fsck", X_OK) == 0 &&
	    access("/usr/sbin/debugfs", X_OK) == 0,
	    "e2fsprogs (mke2fs, e2fsck, debugfs)");
}

void
ext2_mkimage(const char *img, unsigned mib, const char *opts,
    const char *srcdir)
{
	char out[4096];
	int rv;

	(void)unlink(img);
	rv = ext2_sh(out, sizeof(out),
	    "/usr/sbin/mke2fs -q -F -t ext2 -E root_owner=0:0 %s %s%s %s %uM",
	    opts, srcdir ? "-d " : "", srcdir ? srcdir : "", img, mib);
	ATF_REQUIRE_MSG(rv == 0, "mke2fs %s failed (%d): %s", opts, rv, out);
}

int
ext2_mount(const char *img, int flags)
{
	struct rump_ufs_args args;
	static char key[] = EXT2_DEV;
	int error;

	error = rump_pub_etfs_register(EXT2_DEV, img, RUMP_ETFS_BLK);
	ATF_REQUIRE_MSG(error == 0 || error == RUMP_EEXIST,
	    "etfs_register: %d", error);
	if (rump_sys_mkdir(EXT2_MNT, 0755) == -1)
		ATF_REQUIRE_EQ(errno, RUMP_EEXIST);
	args.fspec = key;
	/* Modes as asked for, as the model's (op_mkdir chmods the host's). */
	(void)rump_sys_umask(0);
	return rump_sys_mount(RUMP_MOUNT_EXT2FS, EXT2_MNT, flags, &args,
	    sizeof(args));
}

bool
ext2_fsck_clean(const char *img, char *out, size_t outlen)
{

	return ext2_sh(out, outlen, "/usr/sbin/e2fsck -fn %s", img) == 0;
}

void
ext2_require_fsck_clean(const char *img)
{
	char out[8192];

	ATF_REQUIRE_MSG(ext2_fsck_clean(img, out, sizeof(out)),
	    "e2fsck -fn %s:\n%s", img, out);
}

void
ext2_require_debugfs_tree(const char *img, const char *model)
{
	char out[4096], why[1024];
	int rv;

	(void)ext2_sh(NULL, 0, "rm -rf dump && mkdir dump");
	rv = ext2_sh(out, sizeof(out),
	    "/usr/sbin/debugfs -R 'rdump / dump' %s", img);
	ATF_REQUIRE_MSG(rv == 0, "debugfs rdump: %s", out);
	ATF_REQUIRE_MSG(ext2_tree_compare(&ext2_host, "dump", &ext2_host,
	    model, false, why, sizeof(why)),
	    "debugfs sees another tree: %s", why);
}

uint64_t
ext2_rnd(uint64_t *state, uint64_t n)
{

	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return ((*state * 0x2545f4914f6cdd1dULL) >> 11) % n;
}

uint8_t
ext2_data(uint32_t seed, uint64_t i)
{
	uint64_t x = (i / 8) * 0x9e3779b97f4a7c15ULL ^ seed * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (i % 8)));
}

/* The host's side of a tree reader. */
static int
host_list(const char *path, char ***namesp, size_t *np)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "lost+found") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	*namesp = names;
	*np = n;
	return 0;
}

static int
host_stat(const char *path, struct ext2_stat *st)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return -1;
	st->type = sb.st_mode & S_IFMT;
	st->perm = sb.st_mode & 07777;
	st->size = sb.st_size;
	st->nlink = sb.st_nlink;
	return 0;
}

static ssize_t
host_pread(const char *path, void *buf, size_t len, off_t off)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = pread(fd, buf, len, off);
	close(fd);
	return n;
}

static ssize_t
host_readlink(const char *path, char *buf, size_t len)
{

	return readlink(path, buf, len);
}

const struct ext2_reader ext2_host = {
	"host", host_list, host_stat, host_pread, host_readlink
};

/* The kernel's side. */
static int
rump_list(const char *path, char ***namesp, size_t *np)
{
	char buf[8192], **names = NULL;
	struct rump_dirent *d;
	size_t n = 0;
	int fd, len, off;

	if ((fd = rump_sys_open(path, RUMP_O_RDONLY | RUMP_O_DIRECTORY)) == -1)
		return -1;
	while ((len = rump_sys_getdents(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < len; off += d->d_reclen) {
			d = (struct rump_dirent *)(buf + off);
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0 ||
			    strcmp(d->d_name, "lost+found") == 0)
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(d->d_name);
		}
	}
	rump_sys_close(fd);
	if (len < 0) {
		while (n > 0)
			free(names[--n]);
		free(names);
		return -1;
	}
	*namesp = names;
	*np = n;
	return 0;
}

static int
rump_stat(const char *path, struct ext2_stat *st)
{
	struct rump_stat sb;

	if (rump_sys_lstat(path, &sb) == -1)
		return -1;
	st->type = sb.st_mode & RUMP_S_IFMT;
	st->perm = sb.st_mode & 07777;
	st->size = sb.st_size;
	st->nlink = sb.st_nlink;
	return 0;
}

static ssize_t
rump_pread(const char *path, void *buf, size_t len, off_t off)
{
	ssize_t n;
	int fd;

	if ((fd = rump_sys_open(path, RUMP_O_RDONLY)) == -1)
		return -1;
	n = rump_sys_pread(fd, buf, len, off);
	rump_sys_close(fd);
	return n;
}

static ssize_t
rump_readlink(const char *path, char *buf, size_t len)
{

	return rump_sys_readlink(path, buf, len);
}

const struct ext2_reader ext2_kernel = {
	"kernel", rump_list, rump_stat, rump_pread, rump_readlink
};

static int
name_cmp(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **names, size_t n)
{

	while (n > 0)
		free(names[--n]);
	free(names);
}

#define WHY(...) do {							\
	snprintf(why, whylen, __VA_ARGS__);				\
	goto out;							\
} while (0)

/* Compare one file (not a directory) of both trees. */
static bool
file_equal(const struct ext2_reader *ra, const char *pa,
    const struct ext2_reader *rb, const char *pb, const struct ext2_stat *st,
    char *why, size_t whylen)
{
	static char bufa[65536], bufb[65536];
	ssize_t na, nb;
	off_t off;

	if (st->type == S_IFLNK) {
		na = ra->r_readlink(pa, bufa, sizeof(bufa));
		nb = rb->r_readlink(pb, bufb, sizeof(bufb));
		if (na != nb || na < 0 || memcmp(bufa, bufb, na) != 0) {
			snprintf(why, whylen, "%s: symlink targets differ "
			    "(%zd, %zd)", pa, na, nb);
			return false;
		}
		return true;
	}
	if (st->type != S_IFREG)
		return true;
	for (off = 0; off < st->size; off += na) {
		na = ra->r_pread(pa, bufa, sizeof(bufa), off);
		nb = rb->r_pread(pb, bufb, sizeof(bufb), off);
		if (na <= 0 || na != nb || memcmp(bufa, bufb, na) != 0) {
			snprintf(why, whylen, "%s: contents differ in the "
			    "64 KiB at %jd (%s read %zd, %s read %zd)", pa,
			    (intmax_t)off, ra->r_name, na, rb->r_name, nb);
			return false;
		}
	}
	return true;
}

bool
ext2_tree_compare(const struct ext2_reader *ra, const char *pa,
    const struct ext2_reader *rb, const char *pb, bool nlinks,
    char *why, size_t whylen)
{
	char **na = NULL, **nb = NULL, ca[1024], cb[1024];
	size_t ia = 0, ib = 0, i;
	struct ext2_stat sa, sb;
	bool ok = false;

	if (ra->r_list(pa, &na, &ia) == -1 || rb->r_list(pb, &nb, &ib) == -1)
		WHY("cannot list %s or %s", pa, pb);
	if (ia > 1)
		qsort(na, ia, sizeof(*na), name_cmp);
	if (ib > 1)
		qsort(nb, ib, sizeof(*nb), name_cmp);
	for (i = 0; i < ia || i < ib; i++) {
		if (i >= ia || i >= ib || strcmp(na[i], nb[i]) != 0)
			WHY("%s: entries differ: %s has \"%s\", %s has \"%s\"",
			    pa, ra->r_name, i < ia ? na[i] : "(end)",
			    rb->r_name, i < ib ? nb[i] : "(end)");
		snprintf(ca, sizeof(ca), "%s/%s", pa, na[i]);
		snprintf(cb, sizeof(cb), "%s/%s", pb, nb[i]);
		if (ra->r_stat(ca, &sa) == -1 || rb->r_stat(cb, &sb) == -1)
			WHY("cannot stat %s or %s", ca, cb);
		/* Symlink modes differ by system (0777 on Linux). */
		if (sa.type != sb.type ||
		    (sa.type != S_IFLNK && sa.perm != sb.perm) ||
		    (sa.type != S_IFDIR && sa.size != sb.size) ||
		    (nlinks && sa.type != S_IFDIR && sa.nlink != sb.nlink))
			WHY("%s: %s has type 0%o mode 0%o size %jd links %u, "
			    "%s has 0%o 0%o %jd %u", ca, ra->r_name, sa.type,
			    sa.perm, (intmax_t)sa.size, sa.nlink, rb->r_name,
			    sb.type, sb.perm, (intmax_t)sb.size, sb.nlink);
		if (sa.type == S_IFDIR) {
			if (!ext2_tree_compare(ra, ca, rb, cb, nlinks, why,
			    whylen))
				goto out;
		} else if (!file_equal(ra, ca, rb, cb, &sa, why, whylen))
			goto out;
	}
	ok = true;
out:
	names_free(na, ia);
	names_free(nb, ib);
	return ok;
}

/* Write a host file of size bytes of ext2_data(seed), holes where asked. */
static void
host_file(const char *path, uint64_t size, uint32_t seed, uint64_t hole0,
    uint64_t hole1, mode_t mode)
{
	static uint8_t buf[65536];
	uint64_t off, i;
	size_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ATF_REQUIRE_MSG(fd != -1, "%s: %s", path, strerror(errno));
	for (off = 0; off < size; off += n) {
		n = (size_t)(size - off < sizeof(buf) ? size - off : sizeof(buf));
		if (off >= hole0 && off < hole1) {
			if (hole1 - off < n)
				n = (size_t)(hole1 - off);
			continue;
		}
		if (off < hole0 && off + n > hole0)
			n = (size_t)(hole0 - off);
		for (i = 0; i < n; i++)
			buf[i] = ext2_data(seed, off + i);
		ATF_REQUIRE(pwrite(fd, buf, n, off) == (ssize_t)n);
	}
	ATF_REQUIRE(ftruncate(fd, size) == 0);
	ATF_REQUIRE(fchmod(fd, mode) == 0);
	close(fd);
}

void
ext2_populate(const char *dir, unsigned bsize)
{
	char p[1024], target[300];
	uint64_t nind = bsize / 4;
	int i;

	ATF_REQUIRE(mkdir(dir, 0755) == 0 || errno == EEXIST);
	snprintf(p, sizeof(p), "%s/empty", dir);
	host_file(p, 0, 1, 0, 0, 0644);
	snprintf(p, sizeof(p), "%s/small", dir);
	host_file(p, 100, 2, 0, 0, 0600);
	snprintf(p, sizeof(p), "%s/direct", dir);
	host_file(p, 12 * bsize, 3, 0, 0, 0644);
	/* Into the double indirect block, with a hole in the single. */
	snprintf(p, sizeof(p), "%s/dindir", dir);
	host_file(p, (12 + nind + 3) * bsize + 17, 4, 14 * bsize,
	    (12 + nind - 2) * bsize, 0755);
	snprintf(p, sizeof(p), "%s/sparse", dir);
	host_file(p, 3 * 1024 * 1024, 5, 4096, 3 * 1024 * 1024 - 10, 0640);
	snprintf(p, sizeof(p), "%s/fastlink", dir);
	ATF_REQUIRE(symlink("small", p) == 0);
	memset(target, 'x', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	snprintf(p, sizeof(p), "%s/slowlink", dir);
	ATF_REQUIRE(symlink(target, p) == 0);
	snprintf(p, sizeof(p), "%s/hard1", dir);
	host_file(p, 5000, 6, 0, 0, 0644);
	snprintf(target, sizeof(target), "%s/hard2", dir);
	ATF_REQUIRE(link(p, target) == 0);
	snprintf(p, sizeof(p), "%s/sub", dir);
	ATF_REQUIRE(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/sub/deeper", dir);
	ATF_REQUIRE(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/sub/deeper/file", dir);
	host_file(p, 3 * bsize + 1, 7, 0, 0, 0444);
	/* A directory of several blocks (indexed by mke2fs -d). */
	snprintf(p, sizeof(p), "%s/big", dir);
	ATF_REQUIRE(mkdir(p, 0755) == 0);
	for (i = 0; i < 200; i++) {
		snprintf(p, sizeof(p), "%s/big/entry-with-a-long-name-%04d",
		    dir, i);
		host_file(p, i, 100 + i, 0, 0, 0644);
	}
}
