/*
 * The instance sandbox: outcome "sandbox" of DESIGN.md, the instance
 * reached for the host outside the hypercalls.
 *
 * Once the zygote's work is done and before the kernel boots, the
 * instance confines itself with a seccomp filter (libseccomp: it keeps
 * the architecture and x32 checks right, and names system calls).  The
 * filter is an allow list: what librumpuser's hypercalls, the kernel's
 * threads, Lua and the binding, the instance's own reporting and the
 * sanitizer runtime need.  Everything else (exec, a fork that is not a
 * thread, socket and connect, ptrace, mount, a signal to another process,
 * ...) is trapped: SIGSYS, whose handler writes the call, its arguments
 * and where it was made (the C frames of this executable, the Lua stack
 * when the body's thread made it) into the shared verdict, and ends the
 * instance.  The runner names the outcome from the verdict, however the
 * instance ends afterwards.
 *
 * Host files stay reachable (librumpuser opens them for etfs and image
 * copies, and a filter cannot tell its callers apart); host programs
 * that image.ext2{} and img:fsck() run go through lhost.c's helper.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <linux/fs.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "lrumpus.h"

#define LSANDBOX_FRAMES	24	/* C frames reported at most */
#ifndef SYS_SECCOMP
#define SYS_SECCOMP	1	/* si_code of a seccomp trap (Linux) */
#endif

/*
 * System calls an instance may make, whatever their arguments.  The ones
 * allowed only with some arguments are in lsandbox_install.
 */
static const char *const lsandbox_allow[] = {
	/* memory: malloc, Lua, thread stacks, the sanitizer runtime */
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise",
	/* threads (clone is below), their locks and their end */
	"futex", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "gettid", "getpid", "getppid", "sched_yield",
	"sched_getaffinity", "exit", "exit_group", "restart_syscall",
	/* signals: the timeout's SIGUSR1, blocking around fork-free code */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	/* clocks and sleeping (rumpuser_clock_*, cv_timedwait) */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time",
	/* rumpuser_getrandom */
	"getrandom",
	/* host files: etfs devices and files, image copies, Lua's io */
	"openat", "open", "close", "read", "write", "pread64", "pwrite64",
	"readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2",
	"lseek", "fsync", "fdatasync", "ftruncate", "fallocate", "fstat",
	"newfstatat", "stat", "lstat", "statx", "unlink", "unlinkat",
	"mkdir", "mkdirat", "rename", "renameat", "renameat2", "fcntl",
	"dup", "dup2", "dup3", "getdents64", "access", "faccessat",
	"faccessat2", "readlink", "readlinkat", "getcwd",
	/* reading limits and identity */
	"prlimit64", "getrlimit", "getuid", "geteuid", "getgid", "getegid",
	"uname", "sysinfo", "getrusage", "times",
	NULL
};

static pid_t lsandbox_pid;		/* this instance */
static struct rumpus_result *lsandbox_res;

/*
 * SIGSYS from the filter: write the trapped call and where it was made
 * into the verdict, then end the instance.  The call comes first, so the
 * runner names the outcome even if the walk below went wrong.
 */
static void
lsandbox_trap(int sig, siginfo_t *si, void *ctx)
{
	struct rumpus_result *res = lsandbox_res;
	const ucontext_t *uc = ctx;
	uintptr_t pcs[LSANDBOX_FRAMES], off;
	size_t len = sizeof(res->rr_backtrace), n, npc, i;
	const greg_t *gr = uc->uc_mcontext.gregs;
	char *bt = res->rr_backtrace;
	const char *name;
	Dl_info dli;

	if (si->si_code != SYS_SECCOMP)
		_exit(RUMPUS_SANDBOX_STATUS);
	res->rr_sandbox_args[0] = (uint64_t)gr[REG_RDI];
	res->rr_sandbox_args[1] = (uint64_t)gr[REG_RSI];
	res->rr_sandbox_args[2] = (uint64_t)gr[REG_RDX];
	res->rr_sandbox_args[3] = (uint64_t)gr[REG_R10];
	res->rr_sandbox_args[4] = (uint64_t)gr[REG_R8];
	res->rr_sandbox_args[5] = (uint64_t)gr[REG_R9];
	res->rr_sandbox = si->si_syscall + 1;

	/* Where: the calling instruction, then our own frames. */
	pcs[0] = (uintptr_t)si->si_call_addr;
	npc = 1;
	if (lsym_lookup(pcs[0], &off) != NULL)
		npc += lsym_walk((const uintptr_t *)gr[REG_RBP], pcs + 1,
		    LSANDBOX_FRAMES - 1);
	n = (size_t)snprintf(bt, len, "the host call was made at:");
	for (i = 0; i < npc && n < len; i++) {
		if ((name = lsym_lookup(pcs[i], &off)) != NULL)
			n += (size_t)snprintf(bt + n, len - n, "\n\t%s+0x%lx",
			    name, (unsigned long)off);
		else if (dladdr((void *)pcs[i], &dli) != 0 &&
		    dli.dli_fname != NULL)
			n += (size_t)snprintf(bt + n, len - n,
			    "\n\t%s+0x%lx (%s)", dli.dli_sname ?
			    dli.dli_sname : "?", (unsigned long)(pcs[i] -
			    (uintptr_t)(dli.dli_sname ? dli.dli_saddr :
			    dli.dli_fbase)), dli.dli_fname);
		else
			n += (size_t)snprintf(bt + n, len - n, "\n\t0x%lx",
			    (unsigned long)pcs[i]);
	}
	/* The body's thread is the instance's first one. */
	if (gettid() == lsandbox_pid && n < len)
		lscen_luastack(bt + n, len - n, "\nthe body was running at:");
	_exit(RUMPUS_SANDBOX_STATUS);
}

/*
 * Build and load the filter.  Returns 0, or a negative errno.
 */
static int
lsandbox_install(void)
{
	scmp_filter_ctx ctx;
	int i, nr, rv = -ENOMEM;

	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL)
		return rv;
	for (i = 0; lsandbox_allow[i] != NULL; i++) {
		/* A call this architecture lacks (open on arm64) is skipped. */
		if ((nr = seccomp_syscall_resolve_name(lsandbox_allow[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			goto out;
	}
	/* clone: threads only (pthread_create); fork and vfork trap. */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD))) != 0)
		goto out;
	/*
	 * clone3 hides its flags behind a pointer: ENOSYS makes the C
	 * library fall back to clone, whose flags the filter sees.
	 */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
	    SCMP_SYS(clone3), 0)) != 0)
		goto out;
	/* Signals to this instance only (raise, abort, rumpuser_kill). */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)lsandbox_pid))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)lsandbox_pid))) != 0)
		goto out;
	/* The size of an etfs block device (rumpuser_getfileinfo). */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, BLKGETSIZE64))) != 0)
		goto out;
	/* A thread's name (pthread_setname_np on itself). */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME))) != 0)
		goto out;
	rv = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	return rv;
}

/*
 * In the instance, before its kernel boots: start the host helper when
 * the scenario file made images (interpreter L), set the SIGSYS handler
 * and confine this process.  Returns 0, or -1 with an error verdict in
 * *res.
 */
int
lsandbox_enter(lua_State *L, struct rumpus_result *res)
{
	struct sigaction sa;
	int images, rv;

	lsandbox_pid = getpid();
	lsandbox_res = res;
	images = lua_getfield(L, LUA_REGISTRYINDEX, LRUMPUS_IMAGES) ==
	    LUA_TBOOLEAN;
	lua_pop(L, 1);
	if (lhost_confine(images) != 0) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "sandbox: starting the host helper: %s", strerror(errno));
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = lsandbox_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	rv = sigaction(SIGSYS, &sa, NULL) == -1 ? -errno : lsandbox_install();
	if (rv != 0) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "sandbox: loading the seccomp filter: %s", strerror(-rv));
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	return 0;
}

/*
 * The runner's reason for a verdict whose rr_sandbox is set, e.g.
 * "the instance called the host directly: execve(0x..., ...)".
 */
void
rumpus_sandbox_reason(const struct rumpus_result *res, char *buf,
    size_t len)
{
	const uint64_t *a = res->rr_sandbox_args;
	char *name;

	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
	    res->rr_sandbox - 1);
	snprintf(buf, len, "the instance called the host directly, outside "
	    "the hypercalls: %s(0x%llx, 0x%llx, 0x%llx, ...) (system call "
	    "%d)", name != NULL ? name : "?", (unsigned long long)a[0],
	    (unsigned long long)a[1], (unsigned long long)a[2],
	    res->rr_sandbox - 1);
	free(name);
}
