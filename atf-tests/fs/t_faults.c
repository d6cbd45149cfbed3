/*
 * The VFS's and tmpfs's allocation-failure paths: a tmpfs workload run
 * once per allocation it makes, failing that one ("fail the Nth malloc",
 * as Lua's testalloc and SQLite's fault simulator do it).  Every run must
 * end without a panic, with the workload's calls failing cleanly (ENOMEM
 * or a consequence of it) and the books empty after teardown.
 */
#include <sys/types.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <atf-c.h>

#include <rump/rumpus_ext.h>

#include "h_fsmacros.h"

struct failnth {
	long	fn_count;	/* VFS allocations seen */
	long	fn_fail;	/* the one to fail (1-based), 0: none */
	long	fn_failed;	/* injected */
};

static bool
vfs_site(const char *file)
{

	return file != NULL && (strstr(file, "/kern/vfs/") != NULL ||
	    strstr(file, "/kern/fs/") != NULL ||
	    strstr(file, "/kern/dev/") != NULL);
}

static int
failnth_hook(void *arg, const struct rumpus_fault_point *fp,
    const struct rumpus_fault_site *site)
{
	struct failnth *fn = arg;

	if (strcmp(fp->fp_name, RUMPUS_FAULT_KMEM_ALLOC) != 0 ||
	    !vfs_site(site->fs_file))
		return 0;
	if (++fn->fn_count == fn->fn_fail) {
		fn->fn_failed++;
		return RUMP_ENOMEM;
	}
	return 0;
}

/* Everything but boot and teardown; failures are allowed, not crashes. */
static void
workload(void)
{
	struct rump_tmpfs_args args;
	struct rump_stat sb;
	char buf[600];
	int fd, fd2;

	memset(&args, 0, sizeof(args));
	args.ta_version = RUMP_TMPFS_ARGS_VERSION;
	args.ta_root_mode = 0777;
	(void)rump_sys_mkdir("/mnt", 0777);
	if (rump_sys_mount(RUMP_MOUNT_TMPFS, "/mnt", 0, &args,
	    sizeof(args)) == -1)
		return;
	(void)rump_sys_mkdir("/mnt/d", 0755);
	fd = rump_sys_open("/mnt/d/f", RUMP_O_RDWR | RUMP_O_CREAT, 0644);
	memset(buf, 'w', sizeof(buf));
	(void)rump_sys_pwrite(fd, buf, sizeof(buf), 5000);
	(void)rump_sys_pwrite(fd, buf, sizeof(buf), 1 << 22);
	(void)rump_sys_ftruncate(fd, 100);
	fd2 = rump_sys_dup(fd);
	(void)rump_sys_dup2(fd, 50);
	(void)rump_sys_symlink("d/f", "/mnt/l");
	(void)rump_sys_stat("/mnt/l", &sb);
	(void)rump_sys_link("/mnt/d/f", "/mnt/g");
	(void)rump_sys_rename("/mnt/g", "/mnt/d/h");
	(void)rump_sys_rename("/mnt/d", "/mnt/e");
	(void)rump_sys_chdir("/mnt/e");
	(void)rump_sys___getcwd(buf, sizeof(buf));
	(void)rump_sys_chdir("/");
	(void)rump_sys_close(50);
	(void)rump_sys_close(fd2);
	if (fd != -1) {
		int dfd = rump_sys_open("/mnt/e", RUMP_O_RDONLY);

		(void)rump_sys_getdents(dfd, buf, sizeof(buf));
		(void)rump_sys_close(dfd);
	}
	if (rump_pub_lwproc_rfork(RUMP_RFFDG) == 0) {
		(void)rump_sys_close(fd);
		rump_pub_lwproc_releaselwp();
	}
	(void)rump_sys_unlink("/mnt/e/f");
	(void)rump_sys_close(fd);
	(void)rump_sys_unmount("/mnt", 0);
}

ATF_TC(failnth_tmpfs);
ATF_TC_HEAD(failnth_tmpfs, tc)
{
	atf_tc_set_md_var(tc, "descr", "every VFS/tmpfs allocation of a "
	    "workload fails in turn: no panic, the books empty after "
	    "teardown");
	atf_tc_set_md_var(tc, "timeout", "120");
}
ATF_TC_BODY(failnth_tmpfs, tc)
{
	struct failnth fn;
	long total, n;

	/* Count the allocations of a clean run. */
	memset(&fn, 0, sizeof(fn));
	RZ(rump_init());
	rumpus_fault_set_hook(failnth_hook, &fn);
	workload();
	rumpus_fault_set_hook(NULL, NULL);
	fstest_teardown();
	total = fn.fn_count;
	ATF_REQUIRE_MSG(total > 20, "only %ld allocations counted", total);

	for (n = 1; n <= total; n++) {
		memset(&fn, 0, sizeof(fn));
		fn.fn_fail = n;
		RZ(rump_init());
		rumpus_fault_set_hook(failnth_hook, &fn);
		workload();
		rumpus_fault_set_hook(NULL, NULL);
		ATF_REQUIRE_EQ_MSG(fn.fn_failed, 1, "allocation %ld of %ld "
		    "was never reached", n, total);
		fstest_teardown();
	}
	printf("failed each of %ld VFS allocations in turn\n", total);
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, failnth_tmpfs);
	return atf_no_error();
}
