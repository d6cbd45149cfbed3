/*
 * Seeded random operations on ext2: create, write at random offsets,
 * truncate, mkdir, rename, unlink, rmdir, link, symlink, chmod, unmount and
 * remount, applied to the kernel's ext2 and to a host directory (the
 * model); the whole tree is compared after every step; at the end the
 * image is unmounted and e2fsck -fn must find it clean.
 *
 * On a difference the failure names the seed and the step: that prefix of
 * operations is the shortest failing one (every shorter one compared
 * equal).  If only e2fsck objects, the run is repeated from a fresh image
 * with fewer operations to find the shortest prefix e2fsck rejects.
 *
 * Knobs: EXT2_RANDOM_SEED (default: a fixed seed per test case),
 * EXT2_RANDOM_OPS (default 1500 per case).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpus_ext.h>

#include "h_macros.h"
#include "h_ext2.h"
#include "h_ext2ops.h"

#define MAXENT		40		/* entries in the tree at most */
#define MAXOFF		(300 * 1024)	/* past the single indirect at 1 KiB */
#define MAXLEN		(6 * 1024)

static uint64_t rnd_state;

static uint32_t
rnd(uint32_t n)
{

	return (uint32_t)ext2_rnd(&rnd_state, n);
}

/* The model's entries by kind, relative paths ("" is the root). */
struct tree {
	char	files[MAXENT * 2][128];
	int	nfiles;
	char	dirs[MAXENT * 2][128];
	int	ndirs;
	char	links[MAXENT * 2][128];
	int	nlinks;
	int	total;
};

static void
tree_scan(struct tree *t, const char *rel)
{
	char path[512], sub[256];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (rel[0] == '\0')
		snprintf(t->dirs[t->ndirs++], 128, "%s", "");
	snprintf(path, sizeof(path), "model/%s", rel);
	ATF_REQUIRE((d = opendir(path)) != NULL);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "lost+found") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "",
		    de->d_name);
		snprintf(path, sizeof(path), "model/%s", sub);
		ATF_REQUIRE(lstat(path, &sb) == 0);
		t->total++;
		if (S_ISDIR(sb.st_mode)) {
			if (t->ndirs < MAXENT * 2)
				snprintf(t->dirs[t->ndirs++], 128, "%s", sub);
			tree_scan(t, sub);
		} else if (S_ISLNK(sb.st_mode)) {
			if (t->nlinks < MAXENT * 2)
				snprintf(t->links[t->nlinks++], 128, "%s", sub);
		} else if (t->nfiles < MAXENT * 2)
			snprintf(t->files[t->nfiles++], 128, "%s", sub);
	}
	closedir(d);
}

/* A new path: a short name (perhaps an existing one) in a random directory. */
static void
newpath(struct tree *t, char *buf, size_t len)
{
	const char *dir = t->dirs[rnd(t->ndirs)];

	snprintf(buf, len, "%s%s%c%u", dir, dir[0] ? "/" : "",
	    "fdl"[rnd(3)], rnd(8));
}

/* Any entry. */
static const char *
anypath(struct tree *t)
{
	uint32_t n = t->nfiles + t->nlinks + t->ndirs - 1;
	uint32_t i;

	if (n == 0)
		return NULL;
	i = rnd(n);
	if (i < (uint32_t)t->nfiles)
		return t->files[i];
	i -= t->nfiles;
	if (i < (uint32_t)t->nlinks)
		return t->links[i];
	return t->dirs[i - t->nlinks + 1];
}

static void
mount_image(void)
{

	ATF_REQUIRE_MSG(ext2_mount(EXT2_IMG, 0) == 0, "mount: %s",
	    rump_errno_name(errno));
}

/*
 * One step.  Writes what it did into desc.
 */
static void
step(char *desc, size_t desclen)
{
	struct tree t;
	char a[256], b[256];
	const char *p;
	uint64_t off;
	uint32_t what;

	memset(&t, 0, sizeof(t));
	tree_scan(&t, "");
	what = rnd(100);
	if (t.total >= MAXENT && what < 45)
		what += 45;		/* full: remove rather than add */
	if (what < 25) {
		if (t.nfiles > 0 && rnd(2))
			snprintf(a, sizeof(a), "%s", t.files[rnd(t.nfiles)]);
		else
			newpath(&t, a, sizeof(a));
		off = rnd(4) == 0 ? rnd(MAXOFF) : rnd(4096);
		snprintf(desc, desclen, "write %s at %ju", a, (uintmax_t)off);
		ops_set_context(desc);
		(void)op_write(a, off, rnd(MAXLEN) + 1, rnd(1000), true);
	} else if (what < 32) {
		newpath(&t, a, sizeof(a));
		snprintf(desc, desclen, "mkdir %s", a);
		ops_set_context(desc);
		(void)op_mkdir(a, 0700 + rnd(0100));
	} else if (what < 38) {
		newpath(&t, a, sizeof(a));
		snprintf(b, sizeof(b), "%c%u", "fdl"[rnd(3)], rnd(8));
		snprintf(desc, desclen, "symlink %s -> %s", a, b);
		ops_set_context(desc);
		(void)op_symlink(b, a);
	} else if (what < 45) {
		if (t.nfiles == 0)
			goto out;
		p = t.files[rnd(t.nfiles)];
		newpath(&t, a, sizeof(a));
		snprintf(desc, desclen, "link %s %s", p, a);
		ops_set_context(desc);
		(void)op_link(p, a);
	} else if (what < 55) {
		if (t.nfiles == 0)
			goto out;
		p = t.files[rnd(t.nfiles)];
		off = rnd(3) == 0 ? rnd(MAXOFF) : rnd(8192);
		snprintf(desc, desclen, "truncate %s %ju", p, (uintmax_t)off);
		ops_set_context(desc);
		(void)op_truncate(p, off);
	} else if (what < 72) {
		if ((p = anypath(&t)) == NULL)
			goto out;
		if (rnd(3) == 0 && (t.nfiles + t.nlinks + t.ndirs) > 2)
			snprintf(a, sizeof(a), "%s", anypath(&t));
		else
			newpath(&t, a, sizeof(a));
		snprintf(desc, desclen, "rename %s %s", p, a);
		ops_set_context(desc);
		(void)op_rename(p, a);
	} else if (what < 85) {
		if (t.nfiles + t.nlinks == 0)
			goto out;
		what = rnd(t.nfiles + t.nlinks);
		p = what < (uint32_t)t.nfiles ? t.files[what] :
		    t.links[what - t.nfiles];
		snprintf(desc, desclen, "unlink %s", p);
		ops_set_context(desc);
		(void)op_unlink(p);
	} else if (what < 92) {
		if (t.ndirs < 2)
			goto out;
		p = t.dirs[1 + rnd(t.ndirs - 1)];
		snprintf(desc, desclen, "rmdir %s", p);
		ops_set_context(desc);
		(void)op_rmdir(p);
	} else if (what < 96) {
		if ((p = anypath(&t)) == NULL || rnd(2) == 0)
			goto out;
		snprintf(desc, desclen, "chmod %s", p);
		ops_set_context(desc);
		/* Keep directories searchable: the model is the host's. */
		(void)op_chmod(p, 0700 | rnd(0100));
	} else {
		snprintf(desc, desclen, "unmount and mount");
		ops_set_context(desc);
		ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
		mount_image();
	}
	return;
out:
	snprintf(desc, desclen, "nothing");
}

/*
 * From a fresh image and model, nops steps of the stream of seed; with
 * compare, the trees are compared after each.  Returns unmounted and torn
 * down.
 */
static void
run(const char *opts, uint32_t seed, int nops, bool compare)
{
	struct rumpus_books books;
	char desc[400], ctx[512];
	int i;

	ATF_REQUIRE(ext2_sh(NULL, 0, "rm -rf model && mkdir model") == 0);
	ext2_mkimage(EXT2_IMG, 16, opts, NULL);
	ops_set_model("model");
	rnd_state = 0x9e3779b97f4a7c15ULL ^ seed;
	RZ(rump_init());
	mount_image();
	for (i = 0; i < nops; i++) {
		step(desc, sizeof(desc));
		snprintf(ctx, sizeof(ctx), "seed %u, failing prefix %d "
		    "steps, last: %s: ", seed, i + 1, desc);
		ops_set_context(ctx);
		if (compare)
			ops_require_same("after the step");
	}
	ops_set_context("");
	ATF_REQUIRE(rump_sys_unmount(EXT2_MNT, 0) == 0);
	RZ(rumpus_teardown(&books));
	ATF_REQUIRE_EQ(books.b_kmem_count, 0);
}

static void
random_case(const char *opts, uint32_t defseed)
{
	const char *s;
	uint32_t seed = defseed;
	int nops = 1500, lo, hi, mid;
	char out[8192];

	ext2_require_tools();
	if ((s = getenv("EXT2_RANDOM_SEED")) != NULL)
		seed = (uint32_t)strtoul(s, NULL, 0);
	if ((s = getenv("EXT2_RANDOM_OPS")) != NULL)
		nops = atoi(s);
	fprintf(stderr, "seed %u, %d operations, mke2fs %s\n", seed, nops,
	    opts);
	run(opts, seed, nops, true);
	if (ext2_fsck_clean(EXT2_IMG, out, sizeof(out)))
		return;
	/* The shortest prefix e2fsck rejects. */
	lo = 0;
	hi = nops;
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		run(opts, seed, mid, false);
		if (ext2_fsck_clean(EXT2_IMG, NULL, 0))
			lo = mid;
		else
			hi = mid;
	}
	run(opts, seed, hi, false);
	(void)ext2_fsck_clean(EXT2_IMG, out, sizeof(out));
	atf_tc_fail("seed %u: e2fsck -fn rejects the image after the first "
	    "%d operations:\n%s", seed, hi, out);
}

ATF_TC(random_b1024);
ATF_TC_HEAD(random_b1024, tc)
{
	atf_tc_set_md_var(tc, "descr", "random operations against a model, "
	    "1 KiB blocks, default features");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(random_b1024, tc)
{

	random_case("-b 1024 -g 2048", 1);
}

ATF_TC(random_b4096_none);
ATF_TC_HEAD(random_b4096_none, tc)
{
	atf_tc_set_md_var(tc, "descr", "random operations against a model, "
	    "4 KiB blocks, 256-byte inodes, no features");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(random_b4096_none, tc)
{

	random_case("-O none -b 4096 -I 256 -g 1024", 2);
}

ATF_TC(random_rev0);
ATF_TC_HEAD(random_rev0, tc)
{
	atf_tc_set_md_var(tc, "descr", "random operations against a model, "
	    "revision 0, 2 KiB blocks");
	atf_tc_set_md_var(tc, "timeout", "300");
}
ATF_TC_BODY(random_rev0, tc)
{

	random_case("-r 0 -b 2048 -g 2048", 3);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, random_b1024);
	ATF_TP_ADD_TC(tp, random_b4096_none);
	ATF_TP_ADD_TC(tp, random_rev0);
	return atf_no_error();
}
