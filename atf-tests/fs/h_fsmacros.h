/*
 * One test body per semantic check, applied to every file system the
 * kernel has, in the manner of NetBSD's tests/fs/common/h_fsmacros.h.
 *
 * FSTEST(name, descr) declares "static void name(const struct fstest_fs *)"
 * and one ATF test case per file system (tmpfs_name, ...), each of which
 * boots a fresh kernel, mounts the file system at FSTEST_MNT, makes it the
 * working directory, runs the body, unmounts (which must succeed: a body
 * closes what it opens), tears the kernel down and requires empty books.
 * FSTEST_PARALLEL does the same with several virtual CPUs in threads mode.
 * A new file system adds itself to FSTEST_RUN and FSTEST_ADD.
 */
#ifndef _ATF_TESTS_FS_H_FSMACROS_H_
#define _ATF_TESTS_FS_H_FSMACROS_H_

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <atf-c.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumperrno.h>

#include "h_macros.h"

#define FSTEST_MNT	"/mnt"

struct fstest_fs {
	const char	*fs_name;	/* the mount(2) type */
	/* Mount a fresh, empty file system on the directory path. */
	int		(*fs_mount)(const struct fstest_fs *, const char *, int);
	/* After the unmount, check the file system's image (or NULL). */
	void		(*fs_check)(const struct fstest_fs *);
};

extern const struct fstest_fs fstest_tmpfs;
extern const struct fstest_fs fstest_ext2;

/* Boot, mount, body, unmount, teardown with the books checked. */
void	fstest_run(const struct fstest_fs *,
	    void (*)(const struct fstest_fs *));
/*
 * fstest_run in the threads mode of librumpuser (whatever RUMPUS_MODE
 * says) with at least FSTEST_NCPU virtual CPUs, so that lwps on host
 * threads run in the kernel at the same time even on a one-core host.
 */
#define FSTEST_NCPU	2
void	fstest_run_parallel(const struct fstest_fs *,
	    void (*)(const struct fstest_fs *));
/* Teardown with the books checked (after rump_init and an unmount). */
void	fstest_teardown(void);

#define FSTEST_RUN(name, descr, run)					\
static void name(const struct fstest_fs *);				\
ATF_TC(tmpfs_##name);							\
ATF_TC_HEAD(tmpfs_##name, tc)						\
{									\
	atf_tc_set_md_var(tc, "descr", descr " (tmpfs)");		\
}									\
ATF_TC_BODY(tmpfs_##name, tc)						\
{									\
	run(&fstest_tmpfs, name);					\
}									\
ATF_TC(ext2_##name);							\
ATF_TC_HEAD(ext2_##name, tc)						\
{									\
	atf_tc_set_md_var(tc, "descr", descr " (ext2)");		\
}									\
ATF_TC_BODY(ext2_##name, tc)						\
{									\
	run(&fstest_ext2, name);					\
}

#define FSTEST(name, descr)	FSTEST_RUN(name, descr, fstest_run)
/* A body whose lwps must run in parallel (fstest_run_parallel). */
#define FSTEST_PARALLEL(name, descr)					\
	FSTEST_RUN(name, descr, fstest_run_parallel)

#define FSTEST_ADD(tp, name)						\
	ATF_TP_ADD_TC(tp, tmpfs_##name);				\
	ATF_TP_ADD_TC(tp, ext2_##name)

/* A system call that must succeed (not return -1). */
#define RL(expr) do {							\
	long _rl_rv = (long)(expr);					\
	ATF_REQUIRE_MSG(_rl_rv != -1, "%s: %s (%d)", #expr,		\
	    rump_errno_name(errno) ? rump_errno_name(errno) : "?", errno); \
} while (0)

/* A system call that must fail with NetBSD errno "want" (RUMP_E...). */
#define FS_ERR(expr, want) do {						\
	long _fe_rv;							\
	errno = 0;							\
	_fe_rv = (long)(expr);						\
	ATF_REQUIRE_MSG(_fe_rv == -1 && errno == (want),		\
	    "%s: returned %ld errno %s (%d), want -1 %s", #expr, _fe_rv, \
	    rump_errno_name(errno) ? rump_errno_name(errno) : "0",	\
	    errno, rump_errno_name(want));				\
} while (0)

/* Helpers for bodies. */
void	fs_mkfile(const char *, const char *);		/* path, contents */
void	fs_require_contents(const char *, const char *);
bool	fs_exists(const char *);
/* As an unprivileged process: fork an lwproc, switch to uid/gid. */
void	fs_become(uint32_t, uint32_t);

#endif /* _ATF_TESTS_FS_H_FSMACROS_H_ */
