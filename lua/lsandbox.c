/*
 * The instance sandbox: outcome "sandbox" of DESIGN.md, the instance
 * reached for the host outside the hypercalls.
 *
 * Once the zygote's work is done and before the kernel boots, the
 * instance confines itself with a seccomp filter (libseccomp: it keeps
 * the architecture and x32 checks right, and names system calls).  The
 * zygote builds the program once; an instance only puts its pid in and
 * loads it.  The
 * filter is an allow list: what librumpuser's hypercalls, the kernel's
 * threads, Lua and the binding, the instance's own reporting and the
 * sanitizer runtime need.  Everything else (exec, a fork that is not a
 * thread, socket and connect, ptrace, mount, a signal to another process,
 * ...) is trapped: SIGSYS, whose handler writes the call, its arguments
 * and where it was made (the C frames of this executable, the Lua stack
 * when the body's thread made it) into the shared verdict, and ends the
 * instance.  The runner names the outcome from the verdict, however the
 * instance ends afterwards.  A crash signal (SIGSEGV, ...) writes where
 * it happened, the same way, and the kernel's lwps, before it ends the
 * instance.
 *
 * Host files stay reachable (librumpuser opens them for etfs and image
 * copies, and a filter cannot tell its callers apart); host programs
 * that image.ext2{} and img:fsck() run go through lhost.c's helper.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
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

/* The signals of a crash: where it happened goes into the verdict. */
static const int lsandbox_crashsigs[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT
};

/*
 * The filter, built in the zygote (lsandbox_prepare); the instance's pid
 * goes where it has this mark (above any pid: pid_max is 2^22).
 */
#define LSANDBOX_PIDMARK	0x7ead5eedu
static struct sock_filter *lsandbox_prog;
static unsigned short lsandbox_nprog;
static int lsandbox_builderr;		/* why it could not be built */

static pid_t lsandbox_pid;		/* this instance */
static struct rumpus_result *lsandbox_res;
static volatile sig_atomic_t lsandbox_crashing;	/* a crash is reported */
static struct sigaction lsandbox_old[NSIG];	/* handlers we replaced */

/*
 * Write header and where the signal described by uc and pc came: pc,
 * then (pc in our executable) the frame-pointer chain, then the body's
 * Lua stack when the body's thread got it, into the verdict's backtrace.
 * Safe in a signal handler.
 */
static void
lsandbox_where(const ucontext_t *uc, uintptr_t pc, const char *header)
{
	struct rumpus_result *res = lsandbox_res;
	uintptr_t pcs[LSANDBOX_FRAMES], off;
	size_t len = sizeof(res->rr_backtrace), n, npc, i;
	char *bt = res->rr_backtrace;
	const char *name;
	Dl_info dli;

	pcs[0] = pc;
	npc = 1;
	if (lsym_lookup(pcs[0], &off) != NULL)
		npc += lsym_walk((const uintptr_t *)
		    uc->uc_mcontext.gregs[REG_RBP], pcs + 1,
		    LSANDBOX_FRAMES - 1);
	n = (size_t)snprintf(bt, len, "%s", header);
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
}

/*
 * SIGSYS from the filter: write the trapped call and where it was made
 * into the verdict, then end the instance.  The call comes first, so the
 * runner names the outcome even if the walk went wrong.
 */
static void
lsandbox_trap(int sig, siginfo_t *si, void *ctx)
{
	struct rumpus_result *res = lsandbox_res;
	const ucontext_t *uc = ctx;
	const greg_t *gr = uc->uc_mcontext.gregs;

	if (si->si_code != SYS_SECCOMP)
		_exit(RUMPUS_SANDBOX_STATUS);
	/*
	 * While a crash is being reported (a sanitizer's handler may reach
	 * for a symbolizer), a trapped call fails with ENOSYS instead: the
	 * crash is the finding.
	 */
	if (lsandbox_crashing) {
		((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
		return;
	}
	res->rr_sandbox_args[0] = (uint64_t)gr[REG_RDI];
	res->rr_sandbox_args[1] = (uint64_t)gr[REG_RSI];
	res->rr_sandbox_args[2] = (uint64_t)gr[REG_RDX];
	res->rr_sandbox_args[3] = (uint64_t)gr[REG_R10];
	res->rr_sandbox_args[4] = (uint64_t)gr[REG_R8];
	res->rr_sandbox_args[5] = (uint64_t)gr[REG_R9];
	res->rr_sandbox = si->si_syscall + 1;
	lsandbox_where(uc, (uintptr_t)si->si_call_addr,
	    "the host call was made at:");
	_exit(RUMPUS_SANDBOX_STATUS);
}

/*
 * A crash signal: write where it happened and the kernel's lwps into the
 * verdict, then let the signal end the instance as it would have: the
 * handler it replaced (a sanitizer's) or the default action.
 */
static void
lsandbox_crash(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;

	lsandbox_crashing = 1;
	lsandbox_where(uc, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
	    "the instance crashed at:");
	lkern_interrupt(lsandbox_res);
	sigaction(sig, &lsandbox_old[sig], NULL);
	/* A fault comes back when the instruction runs again; a kill not. */
	if (si->si_code <= 0)
		raise(sig);
}

/*
 * Build the filter program once, in the zygote: libseccomp's rules,
 * exported as BPF into lsandbox_prog, with LSANDBOX_PIDMARK standing for
 * the instance's pid.  Returns 0, or a negative errno (kept for the
 * instances to report).
 */
static int
lsandbox_build(void)
{
	scmp_filter_ctx ctx;
	struct stat sb;
	int i, nr, fd = -1, rv = -ENOMEM;

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
	    SCMP_A0(SCMP_CMP_EQ, LSANDBOX_PIDMARK))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    SCMP_A0(SCMP_CMP_EQ, LSANDBOX_PIDMARK))) != 0)
		goto out;
	/*
	 * The size of an etfs block device (rumpuser_getfileinfo), and
	 * isatty (the sanitizers' reports ask before they colour).
	 */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, BLKGETSIZE64))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TCGETS))) != 0)
		goto out;
	/*
	 * A thread's name (pthread_setname_np on itself), and the dumpable
	 * flag, which LeakSanitizer reads at exit.
	 */
	if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_GET_DUMPABLE))) != 0 ||
	    (rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	    SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME))) != 0)
		goto out;
	/* libseccomp 2.5 exports to a descriptor only. */
	if ((fd = memfd_create("rumpus-bpf", MFD_CLOEXEC)) == -1 ||
	    (rv = seccomp_export_bpf(ctx, fd)) != 0 ||
	    fstat(fd, &sb) == -1 ||
	    (lsandbox_prog = malloc((size_t)sb.st_size)) == NULL ||
	    pread(fd, lsandbox_prog, (size_t)sb.st_size, 0) != sb.st_size) {
		rv = rv != 0 ? rv : -(errno ? errno : EIO);
		goto out;
	}
	lsandbox_nprog = (unsigned short)(sb.st_size / sizeof(*lsandbox_prog));
	rv = 0;
out:
	if (fd != -1)
		close(fd);
	seccomp_release(ctx);
	return rv;
}

/*
 * In the zygote, once: build the filter every instance will load.
 */
void
lsandbox_prepare(void)
{

	if (lsandbox_prog == NULL && lsandbox_builderr == 0)
		lsandbox_builderr = lsandbox_build();
}

/*
 * In the instance: put its pid where the program has LSANDBOX_PIDMARK
 * (this process's copy) and load it.  Returns 0, or a negative errno.
 */
static int
lsandbox_install(void)
{
	struct sock_fprog fp;
	unsigned i, marks = 0;

	if (lsandbox_prog == NULL)
		return lsandbox_builderr != 0 ? lsandbox_builderr : -EINVAL;
	for (i = 0; i < lsandbox_nprog; i++)
		if (BPF_CLASS(lsandbox_prog[i].code) == BPF_JMP &&
		    BPF_SRC(lsandbox_prog[i].code) == BPF_K &&
		    lsandbox_prog[i].k == LSANDBOX_PIDMARK) {
			lsandbox_prog[i].k = (uint32_t)lsandbox_pid;
			marks++;
		}
	/* kill's and tgkill's checks (libseccomp may share one). */
	if (marks == 0)
		return -EINVAL;
	fp.len = lsandbox_nprog;
	fp.filter = lsandbox_prog;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) == -1)
		return -errno;
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * LeakSanitizer's hook (sanitizer/lsan_interface.h): its check at exit
 * stops the world with ptrace from a forked tracer, which the sandbox
 * traps.  A confined instance (one that ends by exit(), as os.exit or
 * rump_sys_reboot do) has the kernel's books for leaks instead.
 */
int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{

	return lsandbox_res != NULL;
}
#endif

/*
 * In the instance, before its kernel boots: start the host helper when
 * the scenario file made images (interpreter L), set the SIGSYS handler
 * and the crash handlers, and confine this process.  Returns 0, or -1 with an error verdict in
 * *res.
 */
int
lsandbox_enter(lua_State *L, struct rumpus_result *res)
{
	struct sigaction sa;
	size_t i;
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
	sa.sa_sigaction = lsandbox_crash;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(lsandbox_crashsigs) / sizeof(int); i++)
		(void)sigaction(lsandbox_crashsigs[i], &sa,
		    &lsandbox_old[lsandbox_crashsigs[i]]);
	sa.sa_sigaction = lsandbox_trap;
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
