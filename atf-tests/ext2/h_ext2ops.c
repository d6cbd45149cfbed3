/*
 * Operations applied both to the kernel's ext2 (under EXT2_MNT) and to the
 * host model directory: each must succeed on both or fail on both.
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

#include "h_macros.h"
#include "h_ext2.h"
#include "h_ext2ops.h"

static char ops_model[256] = "model";
static char ops_context[512];

void
ops_set_context(const char *ctx)
{

	snprintf(ops_context, sizeof(ops_context), "%s", ctx);
}

void
ops_set_model(const char *dir)
{

	snprintf(ops_model, sizeof(ops_model), "%s", dir);
}

static void
paths(const char *rel, char *h, char *k)
{

	snprintf(h, 1024, "%s/%s", ops_model, rel);
	snprintf(k, 1024, "%s/%s", EXT2_MNT, rel);
}

/* Both succeeded or both failed; returns whether they succeeded. */
static bool
agree(const char *what, const char *rel, int hrv, int herr, int krv, int kerr)
{

	if ((hrv == -1) != (krv == -1))
		atf_tc_fail("%s%s %s: host %s (%s), kernel %s (%s)",
		    ops_context, what, rel,
		    hrv == -1 ? "failed" : "succeeded",
		    hrv == -1 ? strerror(herr) : "-",
		    krv == -1 ? "failed" : "succeeded",
		    krv == -1 ? rump_errno_name(kerr) : "-");
	return hrv != -1;
}

bool
op_write(const char *rel, uint64_t off, size_t len, uint32_t seed, bool creat)
{
	char h[1024], k[1024];
	uint8_t *buf;
	int hfd, kfd, herr, kerr;
	ssize_t hn, kn;
	size_t i;

	paths(rel, h, k);
	buf = malloc(len ? len : 1);
	for (i = 0; i < len; i++)
		buf[i] = ext2_data(seed, off + i);
	hfd = open(h, O_WRONLY | (creat ? O_CREAT : 0), 0644);
	herr = errno;
	kfd = rump_sys_open(k, RUMP_O_WRONLY | (creat ? RUMP_O_CREAT : 0),
	    0644);
	kerr = errno;
	if (!agree("open", rel, hfd, herr, kfd, kerr)) {
		free(buf);
		return false;
	}
	hn = pwrite(hfd, buf, len, off);
	kn = rump_sys_pwrite(kfd, buf, len, off);
	ATF_REQUIRE_MSG(hn == (ssize_t)len && kn == (ssize_t)len,
	    "%spwrite %s at %ju: host %zd, kernel %zd (%s)", ops_context, rel,
	    (uintmax_t)off, hn, kn, kn < 0 ? rump_errno_name(errno) : "-");
	close(hfd);
	ATF_REQUIRE(rump_sys_close(kfd) == 0);
	free(buf);
	return true;
}

bool
op_truncate(const char *rel, uint64_t size)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = truncate(h, size);
	herr = errno;
	krv = rump_sys_truncate(k, size);
	return agree("truncate", rel, hrv, herr, krv, errno);
}

bool
op_mkdir(const char *rel, unsigned mode)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = mkdir(h, mode);
	herr = errno;
	krv = rump_sys_mkdir(k, mode);
	if (hrv == 0)
		(void)chmod(h, mode);	/* the host's umask */
	return agree("mkdir", rel, hrv, herr, krv, errno);
}

bool
op_rename(const char *from, const char *to)
{
	char hf[1024], kf[1024], ht[1024], kt[1024];
	int hrv, krv, herr;

	paths(from, hf, kf);
	paths(to, ht, kt);
	hrv = rename(hf, ht);
	herr = errno;
	krv = rump_sys_rename(kf, kt);
	return agree("rename", from, hrv, herr, krv, errno);
}

bool
op_unlink(const char *rel)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = unlink(h);
	herr = errno;
	krv = rump_sys_unlink(k);
	return agree("unlink", rel, hrv, herr, krv, errno);
}

bool
op_rmdir(const char *rel)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = rmdir(h);
	herr = errno;
	krv = rump_sys_rmdir(k);
	return agree("rmdir", rel, hrv, herr, krv, errno);
}

bool
op_link(const char *from, const char *to)
{
	char hf[1024], kf[1024], ht[1024], kt[1024];
	int hrv, krv, herr;

	paths(from, hf, kf);
	paths(to, ht, kt);
	hrv = link(hf, ht);
	herr = errno;
	krv = rump_sys_link(kf, kt);
	return agree("link", from, hrv, herr, krv, errno);
}

bool
op_symlink(const char *target, const char *rel)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = symlink(target, h);
	herr = errno;
	krv = rump_sys_symlink(target, k);
	return agree("symlink", rel, hrv, herr, krv, errno);
}

bool
op_chmod(const char *rel, unsigned mode)
{
	char h[1024], k[1024];
	int hrv, krv, herr;

	paths(rel, h, k);
	hrv = chmod(h, mode);
	herr = errno;
	krv = rump_sys_chmod(k, mode);
	return agree("chmod", rel, hrv, herr, krv, errno);
}

void
ops_require_same(const char *when)
{
	char why[2048];

	ATF_REQUIRE_MSG(ext2_tree_compare(&ext2_kernel, EXT2_MNT, &ext2_host,
	    ops_model, true, why, sizeof(why)), "%s%s: %s", ops_context, when,
	    why);
}
