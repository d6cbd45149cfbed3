/*
 * The kernel table k: NetBSD system calls of the rump kernel in Lua form,
 * processes (lwprocs), spawned lwps, barriers, and the file-system variant
 * a case runs on.
 *
 * Conventions.  A call returns its result, or nil, the NetBSD errno name
 * and number ("ENOENT", 2).  Paths and data are Lua strings; stat returns
 * a table.  Wrong argument types raise a Lua error naming the argument.
 *
 * Locking.  One interpreter lock (lkern_lua) is held by whichever host
 * thread runs Lua; every kernel call releases it for its duration
 * (LKERN_CALL), as do join and barrier waits, so spawned lwps run in the
 * kernel in parallel.  Lock order: lkern_lua, then kernel locks (never the
 * other way: the kernel is never entered with a Lua callback pending).
 * Every wait here goes through rumpus_sched.h, so that in serial mode it
 * takes part in the seeded schedule; each kernel call is a point where
 * the schedule may switch lwps (rumpus_sched_yield).
 *
 * Contexts.  Every system call is a closure over a context: nil for the
 * calling thread's current lwp (the table k), or a process object (the
 * table returned by k.process{}), whose calls run on that process's lwp.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>
#include <rump/rumperrno.h>
#include <rump/rumpus_ext.h>
#include <rump/rumpvfs_if_pub.h>

#include "lrumpus.h"
#include "rumpus_overlay.h"
#include "rumpus_sched.h"

#define LKERN_PROC_MT	"rumpus.process"
#define LKERN_LWP_MT	"rumpus.lwp"
#define LKERN_BARRIER_MT "rumpus.barrier"
#define LKERN_REG	"rumpus.k"	/* registry: k, the fs argument */
#define LKERN_MNT	"/mnt"		/* where the fs variant is mounted */
#define LKERN_NMOUNTS	16		/* mounts noted for the teardown */
#define LKERN_NFDS	1024		/* descriptors it looks at */
#define LKERN_IOMAX	(64u << 20)	/* bytes one read may ask for */

/* The interpreter lock; see above. */
static pthread_mutex_t lkern_lua = PTHREAD_MUTEX_INITIALIZER;

/*
 * Run stmt with the interpreter lock released, after a turn through the
 * schedule (serial mode); errno survives.
 */
#define LKERN_CALL(stmt) do {						\
	int _lk_e;							\
	rumpus_sched_unlock(&lkern_lua);				\
	rumpus_sched_yield();						\
	errno = 0;							\
	stmt;								\
	_lk_e = errno;							\
	rumpus_sched_lock(&lkern_lua);					\
	errno = _lk_e;							\
} while (0)

/*
 * A process made by k.process{}: its own lwp, credentials, fd table.  Its
 * one lwp cannot run on two host threads at once, so its calls take turns
 * under p_mtx (taken with the interpreter lock released: order p_mtx,
 * then the interpreter lock).
 */
struct lkern_proc {
	pthread_mutex_t	 p_mtx;
	struct lwp	*p_lwp;
	pid_t		 p_pid;
};

/* A spawned lwp: a host thread running a Lua function in the kernel. */
struct lkern_lwp {
	pthread_t	 l_thread;
	lua_State	*l_co;		/* its Lua thread */
	int		 l_coref;	/* registry anchor of l_co */
	pid_t		 l_pid;		/* the process it joins */
	int		 l_started;
	int		 l_joined;
	int		 l_ok;		/* the function returned normally */
};

struct lkern_barrier {
	unsigned	 b_n;		/* lwps it waits for */
	unsigned	 b_count;	/* waiting now */
	unsigned	 b_gen;		/* rounds completed */
};

/*
 * Every barrier waits under one mutex and condvar; a spawned lwp that
 * ends with an error (it will not arrive) breaks them all, so a failure
 * in one lwp ends the others' waits instead of hanging the case.
 */
static pthread_mutex_t lkern_bar_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lkern_bar_cv = PTHREAD_COND_INITIALIZER;
static int lkern_bar_broken;
static char lkern_bar_why[256];		/* the first lwp's error */

/* The case's state in this child. */
static struct {
	int	booted;
	char	fs[16];		/* the variant mounted at LKERN_MNT, or "" */
	char	etfs[64];	/* etfs key of the ext2 image, or "" */
	char	imgname[1100];	/* host name of the attached image, or "" */
	char	imgsrc[1024];	/* the pristine image attached */
	int	ovfd;		/* the overlay it writes to */
	char	snapshot[256];	/* k.image_copy()'s file, or "" */
	int	nlwps;		/* spawned lwps not yet joined */
	struct lwp *bodylwp;	/* the body's own lwp (its process) */
	/* The last LKERN_NMOUNTS directories the scenario mounted on. */
	char	mounts[LKERN_NMOUNTS][128];
	unsigned nmounts;
} lkern;

/*
 * A mount on dir succeeded: note it, so that the teardown can tell a
 * file system left mounted under the fs variant.  Interpreter lock held.
 */
static void
lkern_mounted(const char *dir)
{

	snprintf(lkern.mounts[lkern.nmounts++ % LKERN_NMOUNTS],
	    sizeof(lkern.mounts[0]), "%s", dir);
}

/*
 * The failure convention: nil, "ENAME", errno.  e is a NetBSD errno.
 */
static int
lkern_err(lua_State *L, int e)
{
	const char *name = rump_errno_name(e);

	lfault_errno(e);
	lua_pushnil(L);
	if (name != NULL)
		lua_pushstring(L, name);
	else
		lua_pushfstring(L, "errno %d", e);
	lua_pushinteger(L, e);
	return 3;
}

/* Result of a call returning -1 on failure: the value, or the error. */
static int
lkern_ret(lua_State *L, long long rv, int e)
{

	if (rv == -1)
		return lkern_err(L, e);
	lua_pushinteger(L, rv);
	return 1;
}

/* Result of a call returning 0 or -1: true, or the error. */
static int
lkern_ok(lua_State *L, int rv, int e)
{

	if (rv == -1)
		return lkern_err(L, e);
	lua_pushboolean(L, 1);
	return 1;
}

/*
 * Enter the context of the running closure (upvalue 1): wait for the
 * process's turn and switch to its lwp; *pp is the process (NULL for
 * none) and the lwp to come back to is returned.  Called with the
 * interpreter lock held.
 */
static struct lwp *
lkern_enter(lua_State *L, struct lkern_proc **pp)
{
	struct lkern_proc *p;
	struct lwp *prev;

	*pp = NULL;
	if (lua_isnil(L, lua_upvalueindex(1)))
		return NULL;
	p = lua_touserdata(L, lua_upvalueindex(1));
	LKERN_CALL(rumpus_sched_lock(&p->p_mtx));
	if (p->p_lwp == NULL) {
		rumpus_sched_unlock(&p->p_mtx);
		luaL_error(L, "process %d has ended", (int)p->p_pid);
	}
	prev = rump_pub_lwproc_curlwp();
	rump_pub_lwproc_switch(p->p_lwp);
	*pp = p;
	return prev;
}

/* Back from lkern_enter: the previous lwp, the process's turn ends. */
static void
lkern_leave(struct lkern_proc *p, struct lwp *prev)
{

	if (p == NULL)
		return;
	rump_pub_lwproc_switch(prev);
	rumpus_sched_unlock(&p->p_mtx);
}

/* Bracket a system call: context switch and interpreter lock. */
#define LKERN_SYS(L, stmt) do {						\
	struct lkern_proc *_lk_p;					\
	struct lwp *_lk_prev = lkern_enter(L, &_lk_p);			\
	LKERN_CALL(stmt);						\
	lkern_leave(_lk_p, _lk_prev);					\
} while (0)

/* open(2) flags by name, for the table form. */
static const struct {
	const char	*name;
	int		 flag;
} lkern_oflags[] = {
	{ "rdonly",	RUMP_O_RDONLY },	{ "wronly",	RUMP_O_WRONLY },
	{ "rdwr",	RUMP_O_RDWR },		{ "nonblock",	RUMP_O_NONBLOCK },
	{ "append",	RUMP_O_APPEND },	{ "sync",	RUMP_O_SYNC },
	{ "nofollow",	RUMP_O_NOFOLLOW },	{ "creat",	RUMP_O_CREAT },
	{ "trunc",	RUMP_O_TRUNC },		{ "excl",	RUMP_O_EXCL },
	{ "dsync",	RUMP_O_DSYNC },		{ "rsync",	RUMP_O_RSYNC },
	{ "directory",	RUMP_O_DIRECTORY },	{ "cloexec",	RUMP_O_CLOEXEC },
	{ "regular",	RUMP_O_REGULAR },	{ "search",	RUMP_O_SEARCH },
	{ NULL,		0 }
};

/*
 * The open(2) flags of argument arg: an fopen-style string ("r", "r+",
 * "w", "w+", "a", "a+", with "x" for O_EXCL), a table of flag names
 * ({"rdwr", "creat"} or {"O_RDWR", "O_CREAT"}), or a number.
 */
static int
lkern_openflags(lua_State *L, int arg)
{
	const char *s, *name;
	lua_Integer i, n;
	int flags = 0, j;

	switch (lua_type(L, arg)) {
	case LUA_TNUMBER:
		return (int)luaL_checkinteger(L, arg);
	case LUA_TTABLE:
		n = luaL_len(L, arg);
		for (i = 1; i <= n; i++) {
			lua_geti(L, arg, i);
			if ((name = lua_tostring(L, -1)) == NULL)
				luaL_argerror(L, arg, "flag names are strings");
			if (strncasecmp(name, "O_", 2) == 0)
				name += 2;
			for (j = 0; lkern_oflags[j].name != NULL; j++)
				if (strcasecmp(name, lkern_oflags[j].name) == 0)
					break;
			if (lkern_oflags[j].name == NULL)
				luaL_argerror(L, arg, lua_pushfstring(L,
				    "unknown open flag \"%s\"", name));
			flags |= lkern_oflags[j].flag;
			lua_pop(L, 1);
		}
		return flags;
	case LUA_TSTRING:
		s = lua_tostring(L, arg);
		switch (s[0]) {
		case 'r':
			flags = s[1] == '+' ? RUMP_O_RDWR : RUMP_O_RDONLY;
			break;
		case 'w':
			flags = (s[1] == '+' ? RUMP_O_RDWR : RUMP_O_WRONLY) |
			    RUMP_O_CREAT | RUMP_O_TRUNC;
			break;
		case 'a':
			flags = (s[1] == '+' ? RUMP_O_RDWR : RUMP_O_WRONLY) |
			    RUMP_O_CREAT | RUMP_O_APPEND;
			break;
		default:
			goto bad;
		}
		s += s[1] == '+' ? 2 : 1;
		if (*s == 'x') {
			flags |= RUMP_O_EXCL;
			s++;
		}
		if (*s != '\0')
			goto bad;
		return flags;
	}
bad:
	return luaL_argerror(L, arg, "open flags must be \"r\", \"r+\", "
	    "\"w\", \"w+\", \"a\", \"a+\" (optionally with \"x\"), a table of "
	    "flag names or a number");
}

/*
 * An optional mode argument (permission bits), default def: an octal
 * string ("0755", "755": Lua has no octal literals) or a number.
 */
static uint32_t
lkern_mode(lua_State *L, int arg, uint32_t def)
{
	const char *s;
	lua_Integer m = 0;

	if (lua_type(L, arg) == LUA_TSTRING) {
		s = lua_tostring(L, arg);
		if (*s == '\0' || strspn(s, "01234567") != strlen(s))
			luaL_argerror(L, arg, "mode must be an octal string "
			    "such as \"0755\", or a number");
		while (*s != '\0')
			m = m * 8 + (*s++ - '0');
	} else
		m = luaL_optinteger(L, arg, def);
	if (m < 0 || m > 07777)
		luaL_argerror(L, arg, "mode must be within 0..07777");
	return (uint32_t)m;
}

/* A file descriptor argument. */
static int
lkern_fd(lua_State *L, int arg)
{

	return (int)luaL_checkinteger(L, arg);
}

/* An optional directory descriptor argument ("cwd" or nil: AT_FDCWD). */
static int
lkern_dirfd(lua_State *L, int arg)
{

	if (lua_isnoneornil(L, arg) || (lua_type(L, arg) == LUA_TSTRING &&
	    strcmp(lua_tostring(L, arg), "cwd") == 0))
		return RUMP_AT_FDCWD;
	return (int)luaL_checkinteger(L, arg);
}

/*
 * openat(2), noting the descriptor for the durable record (a truncating
 * open is a change of the file).  Inside LKERN_SYS.
 */
static int
lkern_opendur(int dfd, const char *path, int flags, uint32_t mode)
{
	int rv;

	if (flags & RUMP_O_TRUNC)
		ldur_change(dfd, path);
	rv = rump_sys_openat(dfd, path, flags, mode);
	if (flags & RUMP_O_TRUNC)
		ldur_done();
	if (rv != -1)
		ldur_opened(dfd, path, rv);
	return rv;
}

/* k.open(path, flags [, mode=0644]) -> fd */
static int
lkern_open(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int flags = lkern_openflags(L, 2), rv;
	uint32_t mode = lkern_mode(L, 3, 0644);

	LKERN_SYS(L, rv = lkern_opendur(RUMP_AT_FDCWD, path, flags, mode));
	return lkern_ret(L, rv, errno);
}

/* k.openat(dirfd, path, flags [, mode=0644]) -> fd */
static int
lkern_openat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), flags, rv;
	const char *path = luaL_checkstring(L, 2);
	uint32_t mode;

	flags = lkern_openflags(L, 3);
	mode = lkern_mode(L, 4, 0644);
	LKERN_SYS(L, rv = lkern_opendur(dfd, path, flags, mode));
	return lkern_ret(L, rv, errno);
}

/* k.close(fd) -> true */
static int
lkern_close(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;

	LKERN_SYS(L, rv = rump_sys_close(fd); if (rv == 0) ldur_closed(fd));
	return lkern_ok(L, rv, errno);
}

/* The byte count argument of a read. */
static size_t
lkern_count(lua_State *L, int arg)
{
	lua_Integer n = luaL_checkinteger(L, arg);

	if (n < 0 || (lua_Unsigned)n > LKERN_IOMAX)
		luaL_argerror(L, arg, "byte count must be within 0..64M");
	return (size_t)n;
}

/* k.read(fd, n) -> string (possibly shorter; "" at end of file) */
static int
lkern_read(lua_State *L)
{
	int fd = lkern_fd(L, 1);
	size_t n = lkern_count(L, 2);
	luaL_Buffer b;
	ssize_t rv;
	char *buf;

	buf = luaL_buffinitsize(L, &b, n);
	LKERN_SYS(L, rv = rump_sys_read(fd, buf, n));
	if (rv == -1)
		return lkern_err(L, errno);
	luaL_pushresultsize(&b, (size_t)rv);
	return 1;
}

/* k.pread(fd, n, offset) -> string */
static int
lkern_pread(lua_State *L)
{
	int fd = lkern_fd(L, 1);
	size_t n = lkern_count(L, 2);
	int64_t off = luaL_checkinteger(L, 3);
	luaL_Buffer b;
	ssize_t rv;
	char *buf;

	buf = luaL_buffinitsize(L, &b, n);
	LKERN_SYS(L, rv = rump_sys_pread(fd, buf, n, off));
	if (rv == -1)
		return lkern_err(L, errno);
	luaL_pushresultsize(&b, (size_t)rv);
	return 1;
}

/* k.write(fd, data) -> bytes written */
static int
lkern_write(lua_State *L)
{
	int fd = lkern_fd(L, 1);
	size_t n;
	const char *data = luaL_checklstring(L, 2, &n);
	ssize_t rv;
	uint64_t g;

	LKERN_SYS(L, g = ldur_fdchange(fd); rv = rump_sys_write(fd, data, n);
	    ldur_written(fd, rv, n, g));
	return lkern_ret(L, rv, errno);
}

/* k.pwrite(fd, data, offset) -> bytes written */
static int
lkern_pwrite(lua_State *L)
{
	int fd = lkern_fd(L, 1);
	size_t n;
	const char *data = luaL_checklstring(L, 2, &n);
	int64_t off = luaL_checkinteger(L, 3);
	ssize_t rv;
	uint64_t g;

	LKERN_SYS(L, g = ldur_fdchange(fd);
	    rv = rump_sys_pwrite(fd, data, n, off);
	    ldur_written(fd, rv, n, g));
	return lkern_ret(L, rv, errno);
}

/*
 * k.readv(fd, {n1, n2, ...}) -> {s1, s2, ...} and
 * k.writev(fd, {s1, s2, ...}) -> bytes written.
 */
static int
lkern_rwv(lua_State *L, int write)
{
	int fd = lkern_fd(L, 1), i, n, e;
	struct rump_iovec *iov;
	size_t len, total = 0;
	ssize_t rv;
	uint64_t g;

	luaL_checktype(L, 2, LUA_TTABLE);
	n = (int)luaL_len(L, 2);
	if (n < 1 || n > RUMP_IOV_MAX)
		return luaL_argerror(L, 2, "want 1 to 1024 elements");
	lua_settop(L, 2);
	lua_createtable(L, n, 0);		/* 3: anchors the buffers */
	iov = lua_newuserdatauv(L, n * sizeof(*iov), 0);
	for (i = 0; i < n; i++) {
		lua_geti(L, 2, i + 1);
		if (write) {
			/* The string is anchored by the table argument. */
			iov[i].iov_base = (void *)luaL_checklstring(L, -1,
			    &iov[i].iov_len);
			total += iov[i].iov_len;
			lua_pop(L, 1);
		} else {
			len = lkern_count(L, -1);
			lua_pop(L, 1);
			iov[i].iov_base = lua_newuserdatauv(L, len ? len : 1,
			    0);
			iov[i].iov_len = len;
			lua_seti(L, 3, i + 1);
		}
	}
	if (write)
		LKERN_SYS(L, g = ldur_fdchange(fd);
		    rv = rump_sys_writev(fd, iov, n);
		    ldur_written(fd, rv, total, g));
	else
		LKERN_SYS(L, rv = rump_sys_readv(fd, iov, n));
	e = errno;
	if (rv == -1)
		return lkern_err(L, e);
	if (write)
		return lkern_ret(L, rv, e);
	lua_createtable(L, n, 0);
	for (i = 0, total = (size_t)rv; i < n; i++) {
		len = total < iov[i].iov_len ? total : iov[i].iov_len;
		lua_pushlstring(L, iov[i].iov_base, len);
		lua_seti(L, -2, i + 1);
		total -= len;
	}
	return 1;
}

static int
lkern_readv(lua_State *L)
{

	return lkern_rwv(L, 0);
}

static int
lkern_writev(lua_State *L)
{

	return lkern_rwv(L, 1);
}

/* k.lseek(fd, offset [, "set"|"cur"|"end"]) -> new offset */
static int
lkern_lseek(lua_State *L)
{
	static const char *const whences[] = { "set", "cur", "end", NULL };
	int fd = lkern_fd(L, 1), whence;
	int64_t off = luaL_checkinteger(L, 2), rv;

	whence = luaL_checkoption(L, 3, "set", whences);
	LKERN_SYS(L, rv = rump_sys_lseek(fd, off, whence));
	return lkern_ret(L, rv, errno);
}

/* k.fsync(fd), k.fdatasync(fd) -> true; the file is made durable. */
static int
lkern_fsync(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	uint64_t g;

	LKERN_SYS(L, g = ldur_gen(); rv = rump_sys_fsync(fd);
	    if (rv == 0) ldur_fsynced(fd, g));
	return lkern_ok(L, rv, errno);
}

static int
lkern_fdatasync(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	uint64_t g;

	LKERN_SYS(L, g = ldur_gen(); rv = rump_sys_fdatasync(fd);
	    if (rv == 0) ldur_fsynced(fd, g));
	return lkern_ok(L, rv, errno);
}

/* k.ftruncate(fd, length), k.truncate(path, length) -> true */
static int
lkern_ftruncate(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	int64_t len = luaL_checkinteger(L, 2);

	LKERN_SYS(L, ldur_fdchange(fd); rv = rump_sys_ftruncate(fd, len);
	    ldur_done());
	return lkern_ok(L, rv, errno);
}

static int
lkern_truncate(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int64_t len = luaL_checkinteger(L, 2);
	int rv;

	LKERN_SYS(L, ldur_change(RUMP_AT_FDCWD, path);
	    rv = rump_sys_truncate(path, len); ldur_done());
	return lkern_ok(L, rv, errno);
}

/* The name of a file type (st_mode & S_IFMT), as stat tables carry it. */
static const char *
lkern_typename(uint32_t mode)
{

	switch (mode & RUMP_S_IFMT) {
	case RUMP_S_IFREG:	return "reg";
	case RUMP_S_IFDIR:	return "dir";
	case RUMP_S_IFLNK:	return "lnk";
	case RUMP_S_IFCHR:	return "chr";
	case RUMP_S_IFBLK:	return "blk";
	case RUMP_S_IFIFO:	return "fifo";
	case RUMP_S_IFSOCK:	return "sock";
	default:		return "unknown";
	}
}

/* Set field name of the table on top to integer v. */
static void
lkern_setint(lua_State *L, const char *name, lua_Integer v)
{

	lua_pushinteger(L, v);
	lua_setfield(L, -2, name);
}

/* Push a struct rump_stat as a table. */
static void
lkern_pushstat(lua_State *L, const struct rump_stat *st)
{
	char octal[8];

	lua_createtable(L, 0, 20);
	lkern_setint(L, "dev", (lua_Integer)st->st_dev);
	lkern_setint(L, "ino", (lua_Integer)st->st_ino);
	lkern_setint(L, "mode", st->st_mode);
	lkern_setint(L, "perm", st->st_mode & RUMP_ALLPERMS);
	snprintf(octal, sizeof(octal), "%04o",
	    (unsigned)(st->st_mode & RUMP_ALLPERMS));
	lua_pushstring(L, octal);
	lua_setfield(L, -2, "octal");
	lua_pushstring(L, lkern_typename(st->st_mode));
	lua_setfield(L, -2, "type");
	lkern_setint(L, "nlink", st->st_nlink);
	lkern_setint(L, "uid", st->st_uid);
	lkern_setint(L, "gid", st->st_gid);
	lkern_setint(L, "rdev", (lua_Integer)st->st_rdev);
	lkern_setint(L, "size", st->st_size);
	lkern_setint(L, "blocks", st->st_blocks);
	lkern_setint(L, "blksize", st->st_blksize);
	lkern_setint(L, "flags", st->st_flags);
	lkern_setint(L, "gen", st->st_gen);
	lkern_setint(L, "atime", st->st_atim.tv_sec);
	lkern_setint(L, "atime_nsec", st->st_atim.tv_nsec);
	lkern_setint(L, "mtime", st->st_mtim.tv_sec);
	lkern_setint(L, "mtime_nsec", st->st_mtim.tv_nsec);
	lkern_setint(L, "ctime", st->st_ctim.tv_sec);
	lkern_setint(L, "ctime_nsec", st->st_ctim.tv_nsec);
	lkern_setint(L, "birthtime", st->st_birthtim.tv_sec);
}

/* k.stat(path), k.lstat(path), k.fstat(fd), k.fstatat(dirfd, path, flags) */
#define LKERN_STATPATH(name)						\
static int								\
lkern_##name(lua_State *L)						\
{									\
	const char *path = luaL_checkstring(L, 1);			\
	struct rump_stat st;						\
	int rv;								\
									\
	LKERN_SYS(L, rv = rump_sys_##name(path, &st));			\
	if (rv == -1)							\
		return lkern_err(L, errno);				\
	lkern_pushstat(L, &st);						\
	return 1;							\
}
LKERN_STATPATH(stat)
LKERN_STATPATH(lstat)

static int
lkern_fstat(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	struct rump_stat st;

	LKERN_SYS(L, rv = rump_sys_fstat(fd, &st));
	if (rv == -1)
		return lkern_err(L, errno);
	lkern_pushstat(L, &st);
	return 1;
}

static int
lkern_fstatat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), rv, flags;
	const char *path = luaL_checkstring(L, 2);
	struct rump_stat st;

	flags = (int)luaL_optinteger(L, 3, 0);
	LKERN_SYS(L, rv = rump_sys_fstatat(dfd, path, &st, flags));
	if (rv == -1)
		return lkern_err(L, errno);
	lkern_pushstat(L, &st);
	return 1;
}

/* k.mkdir(path [, mode=0755]), k.mkdirat(dirfd, path [, mode]) */
static int
lkern_mkdir(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint32_t mode = lkern_mode(L, 2, 0755);
	int rv;

	LKERN_SYS(L, rv = rump_sys_mkdir(path, mode));
	return lkern_ok(L, rv, errno);
}

static int
lkern_mkdirat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), rv;
	const char *path = luaL_checkstring(L, 2);
	uint32_t mode = lkern_mode(L, 3, 0755);

	LKERN_SYS(L, rv = rump_sys_mkdirat(dfd, path, mode));
	return lkern_ok(L, rv, errno);
}

/* Calls taking one path and returning 0 or -1. */
#define LKERN_PATH1(name)						\
static int								\
lkern_##name(lua_State *L)						\
{									\
	const char *path = luaL_checkstring(L, 1);			\
	int rv;								\
									\
	LKERN_SYS(L, rv = rump_sys_##name(path));			\
	return lkern_ok(L, rv, errno);					\
}
LKERN_PATH1(chdir)

/* Calls taking a path away: the durable record follows. */
#define LKERN_REMOVE(name)						\
static int								\
lkern_##name(lua_State *L)						\
{									\
	const char *path = luaL_checkstring(L, 1);			\
	int rv;								\
									\
	LKERN_SYS(L, ldur_remove(RUMP_AT_FDCWD, path, 0, NULL);		\
	    rv = rump_sys_##name(path); ldur_done());			\
	return lkern_ok(L, rv, errno);					\
}
LKERN_REMOVE(rmdir)
LKERN_REMOVE(unlink)

/* Calls taking two paths and returning 0 or -1. */
#define LKERN_PATH2(name)						\
static int								\
lkern_##name(lua_State *L)						\
{									\
	const char *a = luaL_checkstring(L, 1);				\
	const char *b = luaL_checkstring(L, 2);				\
	int rv;								\
									\
	LKERN_SYS(L, rv = rump_sys_##name(a, b));			\
	return lkern_ok(L, rv, errno);					\
}
LKERN_PATH2(link)
LKERN_PATH2(symlink)

/* k.unlinkat(dirfd, path [, flags]) */
static int
lkern_unlinkat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), rv, flags;
	const char *path = luaL_checkstring(L, 2);

	flags = (int)luaL_optinteger(L, 3, 0);
	LKERN_SYS(L, ldur_remove(dfd, path, 0, NULL);
	    rv = rump_sys_unlinkat(dfd, path, flags); ldur_done());
	return lkern_ok(L, rv, errno);
}

/*
 * k.renameat(fromdirfd, from, todirfd, to), k.rename(from, to); the
 * durable record follows.
 */
static int
lkern_renameat(lua_State *L)
{
	int fdf = lkern_dirfd(L, 1), fdt = lkern_dirfd(L, 3), rv;
	const char *from = luaL_checkstring(L, 2);
	const char *to = luaL_checkstring(L, 4);

	LKERN_SYS(L, ldur_remove(fdf, from, fdt, to);
	    rv = rump_sys_renameat(fdf, from, fdt, to);
	    if (rv == 0) ldur_renamed(fdf, from, fdt, to); ldur_done());
	return lkern_ok(L, rv, errno);
}

static int
lkern_rename(lua_State *L)
{

	luaL_checkstring(L, 1);
	luaL_checkstring(L, 2);
	lua_settop(L, 2);
	lua_pushnil(L);
	lua_insert(L, 1);
	lua_pushnil(L);
	lua_insert(L, 3);
	return lkern_renameat(L);
}

/* k.linkat(fromdirfd, from, todirfd, to [, flags]) */
static int
lkern_linkat(lua_State *L)
{
	int fdf = lkern_dirfd(L, 1), fdt = lkern_dirfd(L, 3), rv, flags;
	const char *from = luaL_checkstring(L, 2);
	const char *to = luaL_checkstring(L, 4);

	flags = (int)luaL_optinteger(L, 5, 0);
	LKERN_SYS(L, rv = rump_sys_linkat(fdf, from, fdt, to, flags));
	return lkern_ok(L, rv, errno);
}

/* k.symlinkat(target, dirfd, path) */
static int
lkern_symlinkat(lua_State *L)
{
	const char *target = luaL_checkstring(L, 1);
	int dfd = lkern_dirfd(L, 2), rv;
	const char *path = luaL_checkstring(L, 3);

	LKERN_SYS(L, rv = rump_sys_symlinkat(target, dfd, path));
	return lkern_ok(L, rv, errno);
}

/* k.readlink(path), k.readlinkat(dirfd, path) -> target */
static int
lkern_readlinkat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1);
	const char *path = luaL_checkstring(L, 2);
	char buf[RUMP_MAXPATHLEN];
	ssize_t rv;

	LKERN_SYS(L, rv = rump_sys_readlinkat(dfd, path, buf, sizeof(buf)));
	if (rv == -1)
		return lkern_err(L, errno);
	lua_pushlstring(L, buf, (size_t)rv);
	return 1;
}

static int
lkern_readlink(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[RUMP_MAXPATHLEN];
	ssize_t rv;

	LKERN_SYS(L, rv = rump_sys_readlink(path, buf, sizeof(buf)));
	if (rv == -1)
		return lkern_err(L, errno);
	lua_pushlstring(L, buf, (size_t)rv);
	return 1;
}

static const char *
lkern_dtname(int t)
{

	switch (t) {
	case RUMP_DT_REG:	return "reg";
	case RUMP_DT_DIR:	return "dir";
	case RUMP_DT_LNK:	return "lnk";
	case RUMP_DT_CHR:	return "chr";
	case RUMP_DT_BLK:	return "blk";
	case RUMP_DT_FIFO:	return "fifo";
	case RUMP_DT_SOCK:	return "sock";
	case RUMP_DT_WHT:	return "wht";
	default:		return "unknown";
	}
}

/*
 * Append the records of one getdents buffer to the list on top of the
 * stack; returns -1 (after raising) on a malformed record.
 */
static void
lkern_pushdents(lua_State *L, const char *buf, ssize_t len)
{
	const struct rump_dirent *d;
	ssize_t off;

	for (off = 0; off < len; off += d->d_reclen) {
		d = (const struct rump_dirent *)(buf + off);
		if (d->d_reclen == 0 || off + d->d_reclen > len ||
		    d->d_namlen > RUMP_MAXNAMLEN)
			luaL_error(L, "getdents: malformed record at offset "
			    "%d (reclen %d, namlen %d)", (int)off,
			    d->d_reclen, d->d_namlen);
		lua_createtable(L, 0, 3);
		lua_pushlstring(L, d->d_name, d->d_namlen);
		lua_setfield(L, -2, "name");
		lkern_setint(L, "ino", (lua_Integer)d->d_fileno);
		lua_pushstring(L, lkern_dtname(d->d_type));
		lua_setfield(L, -2, "type");
		lua_seti(L, -2, luaL_len(L, -2) + 1);
	}
}

/* k.getdents(fd [, bufsize=8192]) -> list of {name, ino, type}; {} at end */
static int
lkern_getdents(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	size_t len = (size_t)luaL_optinteger(L, 2, 8192);
	char *buf;

	if (len < 16 || len > LKERN_IOMAX)
		return luaL_argerror(L, 2, "buffer size must be 16..64M");
	buf = lua_newuserdatauv(L, len, 0);
	LKERN_SYS(L, rv = rump_sys_getdents(fd, buf, len));
	if (rv == -1)
		return lkern_err(L, errno);
	lua_newtable(L);
	lkern_pushdents(L, buf, rv);
	return 1;
}

/*
 * k.readdir(path) -> list of {name, ino, type}, "." and ".." included,
 * in the order the file system returns them.
 */
static int
lkern_readdir(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	char buf[8192];
	int fd, rv, e;

	LKERN_SYS(L, fd = rump_sys_open(path, RUMP_O_RDONLY |
	    RUMP_O_DIRECTORY));
	if (fd == -1)
		return lkern_err(L, errno);
	lua_newtable(L);
	for (;;) {
		LKERN_SYS(L, rv = rump_sys_getdents(fd, buf, sizeof(buf)));
		if (rv <= 0)
			break;
		lkern_pushdents(L, buf, rv);
	}
	e = errno;
	LKERN_SYS(L, rump_sys_close(fd));
	if (rv == -1)
		return lkern_err(L, e);
	return 1;
}

/* k.chmod(path, mode), k.fchmod(fd, mode), k.fchmodat(dirfd, path, mode, flags) */
static int
lkern_chmod(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint32_t mode;
	int rv;

	luaL_checkany(L, 2);
	mode = lkern_mode(L, 2, 0);
	LKERN_SYS(L, rv = rump_sys_chmod(path, mode));
	return lkern_ok(L, rv, errno);
}

static int
lkern_fchmod(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	uint32_t mode;

	luaL_checkany(L, 2);
	mode = lkern_mode(L, 2, 0);
	LKERN_SYS(L, rv = rump_sys_fchmod(fd, mode));
	return lkern_ok(L, rv, errno);
}

static int
lkern_fchmodat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), rv, flags;
	const char *path = luaL_checkstring(L, 2);
	uint32_t mode;

	luaL_checkany(L, 3);
	mode = lkern_mode(L, 3, 0);
	flags = (int)luaL_optinteger(L, 4, 0);
	LKERN_SYS(L, rv = rump_sys_fchmodat(dfd, path, mode, flags));
	return lkern_ok(L, rv, errno);
}

/* A uid or gid argument; -1 means "leave unchanged". */
static uint32_t
lkern_id(lua_State *L, int arg)
{

	return (uint32_t)luaL_checkinteger(L, arg);
}

/* k.chown(path, uid, gid), k.lchown(...), k.fchown(fd, uid, gid) */
static int
lkern_chown(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint32_t uid = lkern_id(L, 2), gid = lkern_id(L, 3);
	int rv;

	LKERN_SYS(L, rv = rump_sys_chown(path, uid, gid));
	return lkern_ok(L, rv, errno);
}

static int
lkern_lchown(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	uint32_t uid = lkern_id(L, 2), gid = lkern_id(L, 3);
	int rv;

	LKERN_SYS(L, rv = rump_sys_lchown(path, uid, gid));
	return lkern_ok(L, rv, errno);
}

static int
lkern_fchown(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	uint32_t uid = lkern_id(L, 2), gid = lkern_id(L, 3);

	LKERN_SYS(L, rv = rump_sys_fchown(fd, uid, gid));
	return lkern_ok(L, rv, errno);
}

/* Two timevals from seconds arguments a and a + 1 (nil: both NULL). */
static struct rump_timeval *
lkern_timevals(lua_State *L, int arg, struct rump_timeval tv[2])
{
	lua_Number t;
	int i;

	if (lua_isnoneornil(L, arg))
		return NULL;
	for (i = 0; i < 2; i++) {
		t = luaL_checknumber(L, arg + i);
		tv[i].tv_sec = (int64_t)t;
		tv[i].tv_usec = (int32_t)((t - (lua_Number)tv[i].tv_sec) * 1e6);
	}
	return tv;
}

/* k.utimes(path, atime, mtime), k.futimes(fd, atime, mtime): seconds */
static int
lkern_utimes(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct rump_timeval tv[2], *tvp = lkern_timevals(L, 2, tv);
	int rv;

	LKERN_SYS(L, rv = rump_sys_utimes(path, tvp));
	return lkern_ok(L, rv, errno);
}

static int
lkern_futimes(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	struct rump_timeval tv[2], *tvp = lkern_timevals(L, 2, tv);

	LKERN_SYS(L, rv = rump_sys_futimes(fd, tvp));
	return lkern_ok(L, rv, errno);
}

/*
 * k.utimensat(dirfd, path, atime, mtime [, flags]): times in seconds, or
 * "now" / "omit".
 */
static int
lkern_utimensat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), rv, flags, i;
	const char *path = luaL_checkstring(L, 2), *s;
	struct rump_timespec ts[2];
	lua_Number t;

	for (i = 0; i < 2; i++) {
		if (lua_type(L, 3 + i) == LUA_TSTRING) {
			s = lua_tostring(L, 3 + i);
			ts[i].tv_sec = 0;
			if (strcmp(s, "now") == 0)
				ts[i].tv_nsec = RUMP_UTIME_NOW;
			else if (strcmp(s, "omit") == 0)
				ts[i].tv_nsec = RUMP_UTIME_OMIT;
			else
				return luaL_argerror(L, 3 + i, "want seconds, "
				    "\"now\" or \"omit\"");
			continue;
		}
		t = luaL_checknumber(L, 3 + i);
		ts[i].tv_sec = (int64_t)t;
		ts[i].tv_nsec = (long)((t - (lua_Number)ts[i].tv_sec) * 1e9);
	}
	flags = (int)luaL_optinteger(L, 5, 0);
	LKERN_SYS(L, rv = rump_sys_utimensat(dfd, path, ts, flags));
	return lkern_ok(L, rv, errno);
}

/* An access(2) mode: "rwx" letters, "f" (exists), or a number. */
static int
lkern_amode(lua_State *L, int arg)
{
	const char *s;
	int m = 0;

	if (lua_type(L, arg) == LUA_TNUMBER)
		return (int)lua_tointeger(L, arg);
	for (s = luaL_checkstring(L, arg); *s != '\0'; s++) {
		switch (*s) {
		case 'r':	m |= RUMP_R_OK; break;
		case 'w':	m |= RUMP_W_OK; break;
		case 'x':	m |= RUMP_X_OK; break;
		case 'f':	break;
		default:
			return luaL_argerror(L, arg, "access mode is letters "
			    "of \"rwx\", or \"f\"");
		}
	}
	return m;
}

/* k.access(path, "rw"), k.faccessat(dirfd, path, mode [, flags]) */
static int
lkern_access(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	int mode = lkern_amode(L, 2), rv;

	LKERN_SYS(L, rv = rump_sys_access(path, mode));
	return lkern_ok(L, rv, errno);
}

static int
lkern_faccessat(lua_State *L)
{
	int dfd = lkern_dirfd(L, 1), mode, flags, rv;
	const char *path = luaL_checkstring(L, 2);

	mode = lkern_amode(L, 3);
	flags = (int)luaL_optinteger(L, 4, 0);
	LKERN_SYS(L, rv = rump_sys_faccessat(dfd, path, mode, flags));
	return lkern_ok(L, rv, errno);
}

/* k.fchdir(fd), k.getcwd() -> path */
static int
lkern_fchdir(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;

	LKERN_SYS(L, rv = rump_sys_fchdir(fd));
	return lkern_ok(L, rv, errno);
}

static int
lkern_getcwd(lua_State *L)
{
	char buf[RUMP_MAXPATHLEN];
	int rv;

	LKERN_SYS(L, rv = rump_sys___getcwd(buf, sizeof(buf)));
	if (rv == -1)
		return lkern_err(L, errno);
	buf[sizeof(buf) - 1] = '\0';
	lua_pushstring(L, buf);
	return 1;
}

/* k.dup(fd), k.dup2(fd, newfd) -> fd */
static int
lkern_dup(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;

	LKERN_SYS(L, rv = rump_sys_dup(fd); if (rv != -1) ldur_dup(fd, rv));
	return lkern_ret(L, rv, errno);
}

static int
lkern_dup2(lua_State *L)
{
	int fd = lkern_fd(L, 1), nfd = lkern_fd(L, 2), rv;

	LKERN_SYS(L, rv = rump_sys_dup2(fd, nfd);
	    if (rv != -1) ldur_dup(fd, rv));
	return lkern_ret(L, rv, errno);
}

/*
 * k.fcntl(fd, cmd [, arg]): cmd "getfl", "setfl", "getfd", "setfd",
 * "dupfd" (arg: open flags as for open, FD_CLOEXEC as 1, the lowest fd).
 */
static int
lkern_fcntl(lua_State *L)
{
	static const char *const cmds[] = { "dupfd", "getfd", "setfd",
	    "getfl", "setfl", NULL };
	static const int cmdval[] = { RUMP_F_DUPFD, RUMP_F_GETFD,
	    RUMP_F_SETFD, RUMP_F_GETFL, RUMP_F_SETFL };
	int fd = lkern_fd(L, 1), cmd, arg = 0, rv;

	cmd = cmdval[luaL_checkoption(L, 2, NULL, cmds)];
	if (cmd == RUMP_F_SETFL)
		arg = lkern_openflags(L, 3);
	else if (cmd == RUMP_F_SETFD || cmd == RUMP_F_DUPFD)
		arg = (int)luaL_checkinteger(L, 3);
	LKERN_SYS(L, rv = rump_sys_fcntl(fd, cmd, arg);
	    if (rv != -1 && cmd == RUMP_F_DUPFD) ldur_dup(fd, rv));
	return lkern_ret(L, rv, errno);
}

/* k.umask(mask) -> previous mask */
static int
lkern_umask(lua_State *L)
{
	uint32_t mask, rv;

	luaL_checkany(L, 1);
	mask = lkern_mode(L, 1, 0);
	LKERN_SYS(L, rv = rump_sys_umask(mask));
	lua_pushinteger(L, rv);
	return 1;
}

/* k.setuid(uid), k.setgid(gid) */
static int
lkern_setuid(lua_State *L)
{
	uint32_t id = lkern_id(L, 1);
	int rv;

	LKERN_SYS(L, rv = rump_sys_setuid(id));
	return lkern_ok(L, rv, errno);
}

static int
lkern_setgid(lua_State *L)
{
	uint32_t id = lkern_id(L, 1);
	int rv;

	LKERN_SYS(L, rv = rump_sys_setgid(id));
	return lkern_ok(L, rv, errno);
}

/* k.getuid(), k.geteuid(), k.getgid(), k.getegid() */
#define LKERN_GETID(name)						\
static int								\
lkern_##name(lua_State *L)						\
{									\
	uint32_t id;							\
									\
	LKERN_SYS(L, id = rump_sys_##name());				\
	lua_pushinteger(L, id);						\
	return 1;							\
}
LKERN_GETID(getuid)
LKERN_GETID(geteuid)
LKERN_GETID(getgid)
LKERN_GETID(getegid)

/* Push a struct rump_statvfs as a table. */
static void
lkern_pushstatvfs(lua_State *L, const struct rump_statvfs *sv)
{

	lua_createtable(L, 0, 14);
	lkern_setint(L, "flag", (lua_Integer)sv->f_flag);
	lkern_setint(L, "bsize", (lua_Integer)sv->f_bsize);
	lkern_setint(L, "frsize", (lua_Integer)sv->f_frsize);
	lkern_setint(L, "iosize", (lua_Integer)sv->f_iosize);
	lkern_setint(L, "blocks", (lua_Integer)sv->f_blocks);
	lkern_setint(L, "bfree", (lua_Integer)sv->f_bfree);
	lkern_setint(L, "bavail", (lua_Integer)sv->f_bavail);
	lkern_setint(L, "files", (lua_Integer)sv->f_files);
	lkern_setint(L, "ffree", (lua_Integer)sv->f_ffree);
	lkern_setint(L, "favail", (lua_Integer)sv->f_favail);
	lkern_setint(L, "namemax", (lua_Integer)sv->f_namemax);
	lua_pushstring(L, sv->f_fstypename);
	lua_setfield(L, -2, "fstypename");
	lua_pushstring(L, sv->f_mntonname);
	lua_setfield(L, -2, "mntonname");
	lua_pushstring(L, sv->f_mntfromname);
	lua_setfield(L, -2, "mntfromname");
}

/* k.statvfs(path), k.fstatvfs(fd) -> table */
static int
lkern_statvfs(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	struct rump_statvfs sv;
	int rv;

	LKERN_SYS(L, rv = rump_sys_statvfs1(path, &sv, RUMP_ST_WAIT));
	if (rv == -1)
		return lkern_err(L, errno);
	lkern_pushstatvfs(L, &sv);
	return 1;
}

static int
lkern_fstatvfs(lua_State *L)
{
	int fd = lkern_fd(L, 1), rv;
	struct rump_statvfs sv;

	LKERN_SYS(L, rv = rump_sys_fstatvfs1(fd, &sv, RUMP_ST_WAIT));
	if (rv == -1)
		return lkern_err(L, errno);
	lkern_pushstatvfs(L, &sv);
	return 1;
}

/* k.sync(); every changed file is made durable. */
static int
lkern_sync(lua_State *L)
{
	uint64_t g;

	LKERN_SYS(L, g = ldur_gen(); rump_sys_sync(); ldur_synced(g));
	return 0;
}

/* Mount flags from a table of names ({"rdonly", "force"}) or a number. */
static int
lkern_mntflags(lua_State *L, int arg)
{
	static const struct { const char *n; int f; } names[] = {
		{ "rdonly", RUMP_MNT_RDONLY }, { "sync", RUMP_MNT_SYNCHRONOUS },
		{ "noexec", RUMP_MNT_NOEXEC }, { "nosuid", RUMP_MNT_NOSUID },
		{ "nodev", RUMP_MNT_NODEV }, { "async", RUMP_MNT_ASYNC },
		{ "noatime", RUMP_MNT_NOATIME }, { "update", RUMP_MNT_UPDATE },
		{ "force", RUMP_MNT_FORCE }, { NULL, 0 }
	};
	lua_Integer i, n;
	const char *s;
	int f = 0, j;

	if (lua_isnoneornil(L, arg))
		return 0;
	if (lua_type(L, arg) == LUA_TNUMBER)
		return (int)lua_tointeger(L, arg);
	luaL_checktype(L, arg, LUA_TTABLE);
	n = luaL_len(L, arg);
	for (i = 1; i <= n; i++) {
		lua_geti(L, arg, i);
		s = lua_tostring(L, -1);
		for (j = 0; s != NULL && names[j].n != NULL; j++)
			if (strcmp(s, names[j].n) == 0)
				break;
		if (s == NULL || names[j].n == NULL)
			luaL_argerror(L, arg, lua_pushfstring(L, "unknown "
			    "mount flag \"%s\"", s ? s : "?"));
		f |= names[j].f;
		lua_pop(L, 1);
	}
	return f;
}

/*
 * k.mount_tmpfs(dir [, {size=bytes, nodes=n, mode=0755, uid=0, gid=0,
 * flags={...}}]): mount a tmpfs with tmpfs_args limits.
 */
static int
lkern_mount_tmpfs(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	struct rump_tmpfs_args ta;
	int flags = 0, rv, e;

	memset(&ta, 0, sizeof(ta));
	ta.ta_version = RUMP_TMPFS_ARGS_VERSION;
	ta.ta_root_mode = 0755;
	if (!lua_isnoneornil(L, 2)) {
		luaL_checktype(L, 2, LUA_TTABLE);
		lua_getfield(L, 2, "size");
		ta.ta_size_max = luaL_optinteger(L, -1, 0);
		lua_getfield(L, 2, "nodes");
		ta.ta_nodes_max = (uint64_t)luaL_optinteger(L, -1, 0);
		lua_getfield(L, 2, "mode");
		ta.ta_root_mode = lkern_mode(L, lua_gettop(L), 0755);
		lua_getfield(L, 2, "uid");
		ta.ta_root_uid = (uint32_t)luaL_optinteger(L, -1, 0);
		lua_getfield(L, 2, "gid");
		ta.ta_root_gid = (uint32_t)luaL_optinteger(L, -1, 0);
		lua_getfield(L, 2, "flags");
		flags = lkern_mntflags(L, lua_gettop(L));
		lua_settop(L, 2);
	}
	LKERN_SYS(L, rv = rump_sys_mount(RUMP_MOUNT_TMPFS, dir, flags, &ta,
	    sizeof(ta)); e = errno);
	if (rv == 0)
		lkern_mounted(dir);
	return lkern_ok(L, rv, e);
}

/*
 * k.mount_args(dir) -> {type=, ...}: the arguments in force of the file
 * system mounted at dir (mount(2) with MNT_GETARGS); for tmpfs the
 * options k.mount_tmpfs takes (size, nodes: 0 for no limit; mode, uid,
 * gid of the root now), for ext2fs the type alone.
 */
static int
lkern_mount_args(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	struct rump_tmpfs_args ta;
	struct rump_statvfs sv;
	int rv;

	/* ta is large enough for every file system's arguments. */
	LKERN_SYS(L, rv = rump_sys_statvfs1(dir, &sv, RUMP_ST_WAIT) == -1 ?
	    -1 : rump_sys_mount(NULL, dir, RUMP_MNT_GETARGS, &ta, sizeof(ta)));
	if (rv == -1)
		return lkern_err(L, errno);
	lua_createtable(L, 0, 6);
	lua_pushstring(L, sv.f_fstypename);
	lua_setfield(L, -2, "type");
	if (strcmp(sv.f_fstypename, RUMP_MOUNT_TMPFS) == 0) {
		lkern_setint(L, "size", (lua_Integer)ta.ta_size_max);
		lkern_setint(L, "nodes", (lua_Integer)ta.ta_nodes_max);
		lkern_setint(L, "mode", (lua_Integer)ta.ta_root_mode);
		lkern_setint(L, "uid", (lua_Integer)ta.ta_root_uid);
		lkern_setint(L, "gid", (lua_Integer)ta.ta_root_gid);
	}
	return 1;
}

/*
 * Attach the pristine image src to this instance's overlay (made by the
 * runner, so that it outlives the instance), under a host name that
 * cannot exist on the host ("/dev/null/..."), register that name with
 * etfs as a block device, and mount it at dir.  The pristine file is never written: librumpuser
 * sends the writes to the overlay (rumpus_overlay.h).  Returns 0, a
 * NetBSD errno, or -1 when the host could not attach (errno set, host
 * numbering).  Called with the interpreter lock held; inproc: from a
 * closure with a process upvalue (else, at boot, in the body's own lwp).
 */
/* Why the host could not attach an image (host errno e). */
static const char *
lkern_attach_why(int e)
{

	if (e == EFBIG)
		return "the image is larger than the overlay has room for "
		    "(the runner's file-size limit, ulimit -f)";
	return strerror(e);
}

static int
lkern_ext2_attach(lua_State *L, const char *src, const char *dir,
    int flags, int inproc)
{
	static const char key[] = "/dev/rumpus-ext2";
	struct rump_ufs_args ua;
	const void *map;
	uint64_t size;
	int rv, e;

	if (lkern.imgname[0] != '\0' && strcmp(lkern.imgsrc, src) != 0)
		return luaL_error(L, "mount_ext2: one image per instance");
	/* A remount uses the attachment (and registration) it has. */
	if (lkern.imgname[0] == '\0') {
		if ((map = limage_pristine(src, &size)) == NULL) {
			errno = ENOENT;
			return -1;
		}
		lkern.ovfd = lscen_overlay();
		snprintf(lkern.imgname, sizeof(lkern.imgname),
		    "/dev/null/rumpus-overlay%s", src);
		if ((e = rumpus_overlay_attach(lkern.ovfd, lkern.imgname, src,
		    map, size)) != 0) {
			lkern.imgname[0] = '\0';
			errno = e;
			return -1;
		}
		snprintf(lkern.imgsrc, sizeof(lkern.imgsrc), "%s", src);
	}
	if (lkern.etfs[0] == '\0') {
		LKERN_CALL(e = rump_pub_etfs_register(key, lkern.imgname,
		    RUMP_ETFS_BLK));
		if (e != 0)
			return e;
		snprintf(lkern.etfs, sizeof(lkern.etfs), "%s", key);
	}
	ua.fspec = (char *)key;
	if (inproc)
		LKERN_SYS(L, rv = rump_sys_mount(RUMP_MOUNT_EXT2FS, dir, flags,
		    &ua, sizeof(ua)); if (rv == 0) ldur_mounted(dir));
	else
		LKERN_CALL(rv = rump_sys_mount(RUMP_MOUNT_EXT2FS, dir, flags,
		    &ua, sizeof(ua)); if (rv == 0) ldur_mounted(dir));
	if (rv == -1)
		return errno;
	lkern_mounted(dir);
	return 0;
}

/*
 * k.mount_ext2(img, dir [, {flags={...}}]): mount an image from
 * image.ext2{} (through the instance's overlay: see lkern_ext2_attach).
 */
static int
lkern_mount_ext2(lua_State *L)
{
	const char *src, *dir;
	int flags = 0, e;

	luaL_checkany(L, 1);
	dir = luaL_checkstring(L, 2);
	/* The options first: the image's path goes on the stack above them. */
	if (!lua_isnoneornil(L, 3)) {
		luaL_checktype(L, 3, LUA_TTABLE);
		lua_getfield(L, 3, "flags");
		flags = lkern_mntflags(L, lua_gettop(L));
	}
	if (lua_getfield(L, 1, "path") != LUA_TSTRING)
		return luaL_argerror(L, 1, "want an image from image.ext2{}");
	src = lua_tostring(L, -1);
	if ((e = lkern_ext2_attach(L, src, dir, flags, 1)) == -1)
		return luaL_error(L, "mount_ext2: attaching %s: %s", src,
		    lkern_attach_why(errno));
	if (e != 0)
		return lkern_err(L, e);
	lua_pushboolean(L, 1);
	return 1;
}

/*
 * k.image_copy() -> a file holding this instance's ext2 image as the disk
 * holds it now (pristine + overlay), written anew at each call (for
 * img:fsck(path) after an unmount), or nil before any ext2 mount.  The
 * file goes at the end of the instance, however it ends.
 *
 * The runner caps the files the instance writes at its console limit
 * (the soft RLIMIT_FSIZE, see harness/run.c); an image may be larger, so
 * the export alone runs with the soft limit raised to the hard one.
 */
static int
lkern_image_copy(lua_State *L)
{
	struct rlimit fsz, wide;
	int fd, e, capped;

	if (lkern.imgname[0] == '\0')
		return 0;
	if (lkern.snapshot[0] == '\0') {
		snprintf(lkern.snapshot, sizeof(lkern.snapshot),
		    "%s/rumpus-img.XXXXXX", getenv("TMPDIR") ?
		    getenv("TMPDIR") : "/tmp");
		fd = mkostemp(lkern.snapshot, O_CLOEXEC);
	} else
		fd = open(lkern.snapshot, O_WRONLY | O_CLOEXEC);
	if (fd == -1) {
		e = errno;
		lkern.snapshot[0] = '\0';
		return luaL_error(L, "image_copy: %s", strerror(e));
	}
	lfault_snapshot(lkern.snapshot);
	if ((capped = getrlimit(RLIMIT_FSIZE, &fsz) == 0)) {
		wide = fsz;
		wide.rlim_cur = wide.rlim_max;
		(void)setrlimit(RLIMIT_FSIZE, &wide);
	}
	e = rumpus_overlay_export(lkern.ovfd, fd);
	if (capped)
		(void)setrlimit(RLIMIT_FSIZE, &fsz);
	close(fd);
	if (e != 0)
		return luaL_error(L, "image_copy: writing %s: %s",
		    lkern.snapshot, strerror(e));
	lua_pushstring(L, lkern.snapshot);
	return 1;
}

/* k.unmount(dir [, {"force"}]) */
static int
lkern_unmount(lua_State *L)
{
	const char *dir = luaL_checkstring(L, 1);
	int flags = lkern_mntflags(L, 2), rv, n;
	struct ldur_file *dur;
	uint64_t g;

	LKERN_SYS(L, g = ldur_gen(); n = ldur_unmounting(dir, &dur);
	    rv = rump_sys_unmount(dir, flags);
	    ldur_unmounted(rv == 0, n, dur, g));
	return lkern_ok(L, rv, errno);
}

/* k.write_file(path, data [, mode]) -> true: create or truncate, write all. */
static int
lkern_write_file(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	size_t len, off = 0;
	const char *data = luaL_checklstring(L, 2, &len);
	uint32_t mode = lkern_mode(L, 3, 0644);
	ssize_t n = 0;
	int fd, e = 0;

	LKERN_SYS(L, ldur_change(RUMP_AT_FDCWD, path);
	    fd = rump_sys_open(path, RUMP_O_WRONLY | RUMP_O_CREAT |
	    RUMP_O_TRUNC, mode); if (fd == -1) ldur_done());
	if (fd == -1)
		return lkern_err(L, errno);
	while (off < len) {
		LKERN_SYS(L, n = rump_sys_write(fd, data + off, len - off));
		if (n <= 0) {
			e = n == 0 ? RUMP_EIO : errno;
			break;
		}
		off += (size_t)n;
	}
	LKERN_SYS(L, rump_sys_close(fd); ldur_done());
	if (off < len)
		return lkern_err(L, e);
	lua_pushboolean(L, 1);
	return 1;
}

/* k.read_file(path) -> the whole contents */
static int
lkern_read_file(lua_State *L)
{
	const char *path = luaL_checkstring(L, 1);
	luaL_Buffer b;
	ssize_t n;
	char *p;
	int fd, e;

	LKERN_SYS(L, fd = rump_sys_open(path, RUMP_O_RDONLY));
	if (fd == -1)
		return lkern_err(L, errno);
	luaL_buffinit(L, &b);
	for (;;) {
		p = luaL_prepbuffsize(&b, 65536);
		LKERN_SYS(L, n = rump_sys_read(fd, p, 65536));
		if (n <= 0)
			break;
		luaL_addsize(&b, (size_t)n);
	}
	e = errno;
	LKERN_SYS(L, rump_sys_close(fd));
	if (n == -1)
		return lkern_err(L, e);
	luaL_pushresult(&b);
	return 1;
}

/* k.getpid() -> the pid of the context's process */
static int
lkern_getpid(lua_State *L)
{
	pid_t pid;

	LKERN_SYS(L, pid = rump_sys_getpid());
	lua_pushinteger(L, pid);
	return 1;
}

/*
 * k.counters() -> table of the kernel's counters since boot (rumpus_ext),
 * or nil, "ENOSYS" for a kernel without the extension.
 */
static int
lkern_counters(lua_State *L)
{
	struct rumpus_counters c;

	if (rumpus_ext_version() != RUMPUS_EXT_VERSION)
		return lkern_err(L, RUMP_ENOSYS);
	memset(&c, 0, sizeof(c));
	LKERN_CALL(rumpus_counters(&c));
	lua_createtable(L, 0, 11);
	lkern_setint(L, "kmem_allocs", (lua_Integer)c.c_kmem_allocs);
	lkern_setint(L, "kmem_frees", (lua_Integer)c.c_kmem_frees);
	lkern_setint(L, "kmem_failures", (lua_Integer)c.c_kmem_failures);
	lkern_setint(L, "kmem_bytes", (lua_Integer)c.c_kmem_bytes);
	lkern_setint(L, "lwps_created", (lua_Integer)c.c_lwps_created);
	lkern_setint(L, "kthreads_created",
	    (lua_Integer)c.c_kthreads_created);
	lkern_setint(L, "procs_created", (lua_Integer)c.c_procs_created);
	lkern_setint(L, "schedules", (lua_Integer)c.c_schedules);
	lkern_setint(L, "callouts_fired", (lua_Integer)c.c_callouts_fired);
	lkern_setint(L, "clock_threads", (lua_Integer)c.c_clock_threads);
	lkern_setint(L, "faults_injected", (lua_Integer)c.c_faults_injected);
	return 1;
}

/*
 * k.books() -> what the running kernel holds: {kmem_count=, kmem_bytes=,
 * locks=, lwps=}, or nil, "ENOSYS" without the extension.
 */
static int
lkern_books_lua(lua_State *L)
{
	static struct rumpus_books b;	/* large: not on the stack */
	int e;

	if (rumpus_ext_version() != RUMPUS_EXT_VERSION)
		return lkern_err(L, RUMP_ENOSYS);
	LKERN_CALL(e = rumpus_books(&b));
	if (e != 0)
		return lkern_err(L, e);
	lua_createtable(L, 0, 4);
	lkern_setint(L, "kmem_count", (lua_Integer)b.b_kmem_count);
	lkern_setint(L, "kmem_bytes", (lua_Integer)b.b_kmem_bytes);
	lkern_setint(L, "locks", b.b_locks_total);
	lkern_setint(L, "lwps", b.b_lwps_total);
	return 1;
}

static int lkern_process(lua_State *);
static int lkern_spawn(lua_State *);
static int lkern_barrier(lua_State *);

/* Every call of k and of a process table, in one list. */
static const luaL_Reg lkern_calls[] = {
	{ "open", lkern_open },		{ "openat", lkern_openat },
	{ "close", lkern_close },	{ "read", lkern_read },
	{ "write", lkern_write },	{ "pread", lkern_pread },
	{ "pwrite", lkern_pwrite },	{ "readv", lkern_readv },
	{ "writev", lkern_writev },	{ "lseek", lkern_lseek },
	{ "fsync", lkern_fsync },	{ "fdatasync", lkern_fdatasync },
	{ "ftruncate", lkern_ftruncate }, { "truncate", lkern_truncate },
	{ "stat", lkern_stat },		{ "lstat", lkern_lstat },
	{ "fstat", lkern_fstat },	{ "fstatat", lkern_fstatat },
	{ "mkdir", lkern_mkdir },	{ "mkdirat", lkern_mkdirat },
	{ "rmdir", lkern_rmdir },	{ "unlink", lkern_unlink },
	{ "unlinkat", lkern_unlinkat },	{ "rename", lkern_rename },
	{ "renameat", lkern_renameat },	{ "link", lkern_link },
	{ "linkat", lkern_linkat },	{ "symlink", lkern_symlink },
	{ "symlinkat", lkern_symlinkat }, { "readlink", lkern_readlink },
	{ "readlinkat", lkern_readlinkat }, { "getdents", lkern_getdents },
	{ "readdir", lkern_readdir },	{ "chmod", lkern_chmod },
	{ "fchmod", lkern_fchmod },	{ "fchmodat", lkern_fchmodat },
	{ "chown", lkern_chown },	{ "fchown", lkern_fchown },
	{ "lchown", lkern_lchown },	{ "utimes", lkern_utimes },
	{ "futimes", lkern_futimes },	{ "utimensat", lkern_utimensat },
	{ "access", lkern_access },	{ "faccessat", lkern_faccessat },
	{ "chdir", lkern_chdir },	{ "fchdir", lkern_fchdir },
	{ "getcwd", lkern_getcwd },	{ "dup", lkern_dup },
	{ "dup2", lkern_dup2 },		{ "fcntl", lkern_fcntl },
	{ "umask", lkern_umask },	{ "setuid", lkern_setuid },
	{ "setgid", lkern_setgid },	{ "getuid", lkern_getuid },
	{ "geteuid", lkern_geteuid },	{ "getgid", lkern_getgid },
	{ "getegid", lkern_getegid },	{ "statvfs", lkern_statvfs },
	{ "fstatvfs", lkern_fstatvfs },	{ "sync", lkern_sync },
	{ "mount_tmpfs", lkern_mount_tmpfs }, { "mount_ext2", lkern_mount_ext2 },
	{ "mount_args", lkern_mount_args },
	{ "unmount", lkern_unmount },	{ "write_file", lkern_write_file },
	{ "read_file", lkern_read_file }, { "getpid", lkern_getpid },
	{ "spawn", lkern_spawn },	{ "process", lkern_process },
	{ "barrier", lkern_barrier },	{ "counters", lkern_counters },
	{ "books", lkern_books_lua },	{ "image_copy", lkern_image_copy },
	{ NULL, NULL }
};

/*
 * Push a table of every call, each closed over the context on top of the
 * stack (nil or a process), which is popped.
 */
static void
lkern_pushcalls(lua_State *L)
{

	lua_newtable(L);
	lua_insert(L, -2);
	luaL_setfuncs(L, lkern_calls, 1);
	/* The *at(2) flags, NetBSD's values: k.AT.REMOVEDIR, ... */
	lua_createtable(L, 0, 5);
	lkern_setint(L, "FDCWD", RUMP_AT_FDCWD);
	lkern_setint(L, "EACCESS", RUMP_AT_EACCESS);
	lkern_setint(L, "SYMLINK_NOFOLLOW", RUMP_AT_SYMLINK_NOFOLLOW);
	lkern_setint(L, "SYMLINK_FOLLOW", RUMP_AT_SYMLINK_FOLLOW);
	lkern_setint(L, "REMOVEDIR", RUMP_AT_REMOVEDIR);
	lua_setfield(L, -2, "AT");
}

/*
 * k.process{uid=, gid=} -> a table of the same calls, run as a new process
 * (its own descriptor table, cwd and credentials) made with rfork.
 */
static int
lkern_process(lua_State *L)
{
	struct lkern_proc *p, *pp;
	struct lwp *prev;
	uint32_t uid, gid;
	int rv = 0, e = 0;

	if (lua_isnoneornil(L, 1)) {
		lua_settop(L, 0);
		lua_newtable(L);
	} else
		luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "uid");
	uid = (uint32_t)luaL_optinteger(L, -1, 0);
	lua_getfield(L, 1, "gid");
	gid = (uint32_t)luaL_optinteger(L, -1, 0);
	lua_settop(L, 1);

	p = lua_newuserdatauv(L, sizeof(*p), 0);
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->p_mtx, NULL);
	luaL_setmetatable(L, LKERN_PROC_MT);
	prev = lkern_enter(L, &pp);
	LKERN_CALL(
		struct lwp *me = rump_pub_lwproc_curlwp();
		if ((e = rump_pub_lwproc_rfork(RUMP_RFCFDG)) == 0) {
			if ((rv = rump_sys_setgid(gid)) == -1 ||
			    (rv = rump_sys_setuid(uid)) == -1) {
				/* Not made after all: end it here. */
				e = errno;
				rump_pub_lwproc_releaselwp();
			} else {
				p->p_lwp = rump_pub_lwproc_curlwp();
				p->p_pid = rump_sys_getpid();
			}
			rump_pub_lwproc_switch(me);
		}
	);
	lkern_leave(pp, prev);
	if (e != 0)
		return luaL_error(L, "k.process: %s", rump_errno_name(e) ?
		    rump_errno_name(e) : "error");
	/* Anchored until teardown ends the process. */
	lua_getfield(L, LUA_REGISTRYINDEX, LKERN_REG);
	lua_getfield(L, -1, "procs");
	lua_pushvalue(L, -3);
	lua_pushboolean(L, 1);
	lua_settable(L, -3);
	lua_pop(L, 2);
	lua_pushvalue(L, -1);
	lkern_pushcalls(L);
	lua_pushvalue(L, -2);
	lua_setfield(L, -2, "proc");
	lkern_setint(L, "pid", p->p_pid);
	return 1;
}

/*
 * The body of a spawned lwp's host thread: become a new lwp of the
 * process, run the Lua function, release the lwp.
 */
static void *
lkern_lwp_main(void *arg)
{
	struct lkern_lwp *l = arg;
	int nargs, e;

	rumpus_sched_lock(&lkern_lua);
	LKERN_CALL(e = rump_pub_lwproc_newlwp(l->l_pid));
	if (e != 0) {
		lua_settop(l->l_co, 0);
		lua_pushfstring(l->l_co, "k.spawn: newlwp: %s",
		    rump_errno_name(e) ? rump_errno_name(e) : "error");
	} else {
		nargs = lua_gettop(l->l_co) - 1;
		l->l_ok = lua_pcall(l->l_co, nargs, LUA_MULTRET, 0) == LUA_OK;
		LKERN_CALL(rump_pub_lwproc_releaselwp());
	}
	if (!l->l_ok) {
		pthread_mutex_lock(&lkern_bar_mtx);
		if (!lkern_bar_broken && lua_type(l->l_co, -1) == LUA_TSTRING)
			snprintf(lkern_bar_why, sizeof(lkern_bar_why), ": %s",
			    lua_tostring(l->l_co, -1));
		lkern_bar_broken = 1;
		rumpus_sched_broadcast(&lkern_bar_cv);
		pthread_mutex_unlock(&lkern_bar_mtx);
	}
	rumpus_sched_unlock(&lkern_lua);
	return NULL;
}

/*
 * k.spawn(fn, ...) -> lwp: run fn(...) as a new lwp of the context's
 * process, on its own host thread and Lua thread.  lwp:join() waits and
 * returns what fn returned; an error in fn (a failed expectation too) is
 * raised again by join.
 */
static int
lkern_spawn(lua_State *L)
{
	struct lkern_proc *pp;
	struct lkern_lwp *l;
	struct lwp *prev;
	int n = lua_gettop(L), i, e;

	luaL_checktype(L, 1, LUA_TFUNCTION);
	l = lua_newuserdatauv(L, sizeof(*l), 0);
	memset(l, 0, sizeof(*l));
	luaL_setmetatable(L, LKERN_LWP_MT);
	l->l_co = lua_newthread(L);
	l->l_coref = luaL_ref(L, LUA_REGISTRYINDEX);
	for (i = 1; i <= n; i++)
		lua_pushvalue(L, i);
	lua_xmove(L, l->l_co, n);
	prev = lkern_enter(L, &pp);
	l->l_pid = rump_sys_getpid();
	lkern_leave(pp, prev);
	if ((e = rumpus_sched_create(&l->l_thread, lkern_lwp_main, l)) != 0)
		return luaL_error(L, "k.spawn: pthread_create: %s",
		    strerror(e));
	l->l_started = 1;
	lkern.nlwps++;
	/* Anchor the lwp object until joined: teardown joins the rest. */
	lua_getfield(L, LUA_REGISTRYINDEX, LKERN_REG);
	lua_getfield(L, -1, "lwps");
	lua_pushvalue(L, -3);
	lua_pushboolean(L, 1);
	lua_settable(L, -3);
	lua_pop(L, 2);
	return 1;
}

/* Wait for l's thread with the interpreter lock released. */
static void
lkern_lwp_wait(struct lkern_lwp *l)
{

	if (!l->l_started || l->l_joined)
		return;
	LKERN_CALL(rumpus_sched_join(l->l_thread));
	l->l_joined = 1;
	lkern.nlwps--;
}

/* lwp:join() -> the function's results */
static int
lkern_lwp_join(lua_State *L)
{
	struct lkern_lwp *l = luaL_checkudata(L, 1, LKERN_LWP_MT);
	int n;

	if (l->l_joined)
		return luaL_error(L, "lwp:join: already joined");
	lkern_lwp_wait(l);
	lua_getfield(L, LUA_REGISTRYINDEX, LKERN_REG);
	lua_getfield(L, -1, "lwps");
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	lua_settable(L, -3);
	lua_settop(L, 1);
	n = lua_gettop(l->l_co);
	lua_xmove(l->l_co, L, n);
	luaL_unref(L, LUA_REGISTRYINDEX, l->l_coref);
	if (!l->l_ok)
		return lua_error(L);
	return n;
}

/* k.barrier(n) -> b; b:wait() returns when n lwps wait. */
static int
lkern_barrier(lua_State *L)
{
	lua_Integer n = luaL_checkinteger(L, 1);
	struct lkern_barrier *b;

	if (n < 1 || n > 1024)
		return luaL_argerror(L, 1, "want 1..1024 lwps");
	b = lua_newuserdatauv(L, sizeof(*b), 0);
	memset(b, 0, sizeof(*b));
	b->b_n = (unsigned)n;
	luaL_setmetatable(L, LKERN_BARRIER_MT);
	return 1;
}

/*
 * b:wait(): return once b_n lwps wait, or raise an error when a spawned
 * lwp ended with an error first (it would never arrive).
 */
static int
lkern_barrier_wait(lua_State *L)
{
	struct lkern_barrier *b = luaL_checkudata(L, 1, LKERN_BARRIER_MT);
	unsigned gen;
	int broken;

	LKERN_CALL(
		pthread_mutex_lock(&lkern_bar_mtx);
		gen = b->b_gen;
		if (++b->b_count == b->b_n) {
			b->b_count = 0;
			b->b_gen++;
			rumpus_sched_broadcast(&lkern_bar_cv);
		}
		while (b->b_gen == gen && !lkern_bar_broken)
			rumpus_sched_wait(&lkern_bar_cv, &lkern_bar_mtx);
		broken = b->b_gen == gen;
		pthread_mutex_unlock(&lkern_bar_mtx);
	);
	if (broken)
		return luaL_error(L, "barrier: a spawned lwp ended with an "
		    "error before it reached the barrier%s", lkern_bar_why);
	return 0;
}

/* The kernel's symbolizer (rumpus_set_symbolizer): lsym_lookup. */
static const char *
lkern_symbolize(void *arg, uintptr_t addr, uintptr_t *offp)
{

	return lsym_lookup(addr, offp);
}

void
lkern_openlib(lua_State *L)
{
	static const luaL_Reg lwpm[] = {
		{ "join", lkern_lwp_join }, { NULL, NULL }
	};
	static const luaL_Reg barm[] = {
		{ "wait", lkern_barrier_wait }, { NULL, NULL }
	};

	luaL_newmetatable(L, LKERN_PROC_MT);
	lua_pop(L, 1);
	luaL_newmetatable(L, LKERN_LWP_MT);
	luaL_newlib(L, lwpm);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);
	luaL_newmetatable(L, LKERN_BARRIER_MT);
	luaL_setfuncs(L, barm, 0);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "__index");
	lua_pop(L, 1);

	lua_newtable(L);
	lua_newtable(L);
	lua_setfield(L, -2, "lwps");
	lua_newtable(L);
	lua_setfield(L, -2, "procs");
	lua_setfield(L, LUA_REGISTRYINDEX, LKERN_REG);

	/* In the zygote: every instance inherits the symbol table. */
	(void)lsym_load();

	lua_pushnil(L);
	lkern_pushcalls(L);
}

int
lkern_fs_known(const char *fs)
{

	return strcmp(fs, "tmpfs") == 0 || strcmp(fs, "ext2") == 0;
}

/*
 * Boot the kernel and mount the fs variant at /mnt (for ext2, the image
 * file image through the instance's overlay); push the body's fs argument ({type=, dir="/mnt"}, or nil).  The interpreter lock is taken
 * here and held by the body's thread from now on.
 */
int
lkern_boot(lua_State *L, const char *fs, const char *image,
    struct rumpus_result *res)
{
	int e, rv;

	rumpus_sched_lock(&lkern_lua);
	if (lfault_boot(res) != 0)
		return -1;
	ldur_boot(res);
	LKERN_CALL(e = rump_init());
	if (e != 0) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "rump_init: %s", rump_errno_name(e) ?
		    rump_errno_name(e) : "error");
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	lkern.booted = 1;
	rumpus_set_symbolizer(lkern_symbolize, NULL);
	/* The body runs as a process of its own, not as proc0. */
	LKERN_CALL(e = rump_pub_lwproc_rfork(RUMP_RFCFDG));
	if (e != 0) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "rump_pub_lwproc_rfork: %s", rump_errno_name(e) ?
		    rump_errno_name(e) : "error");
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	LKERN_CALL(lkern.bodylwp = rump_pub_lwproc_curlwp());
	if (*fs == '\0') {
		lua_pushnil(L);
		return 0;
	}
	LKERN_CALL(rv = rump_sys_mkdir(LKERN_MNT, 0755));
	e = rv == -1 ? errno : 0;
	if (e == 0 && strcmp(fs, "tmpfs") == 0) {
		struct rump_tmpfs_args ta;

		memset(&ta, 0, sizeof(ta));
		ta.ta_version = RUMP_TMPFS_ARGS_VERSION;
		ta.ta_root_mode = 01777;
		LKERN_CALL(rv = rump_sys_mount(RUMP_MOUNT_TMPFS, LKERN_MNT, 0,
		    &ta, sizeof(ta)));
		e = rv == -1 ? errno : 0;
	} else if (e == 0) {
		/* ext2: the scenario's image (lscenario.c makes a default). */
		if (image == NULL) {
			lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
			    "fs variant %s: the scenario has no image", fs);
			res->rr_outcome = RUMPUS_ERROR;
			return -1;
		}
		if ((e = lkern_ext2_attach(L, image, LKERN_MNT, 0, 0)) == -1) {
			lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
			    "fs variant %s: attaching %s: %s", fs, image,
			    lkern_attach_why(errno));
			res->rr_outcome = RUMPUS_ERROR;
			return -1;
		}
	}
	if (e != 0) {
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
		    "setting up fs variant %s at %s: %s", fs, LKERN_MNT,
		    rump_errno_name(e) ? rump_errno_name(e) : "error");
		res->rr_outcome = RUMPUS_ERROR;
		return -1;
	}
	snprintf(lkern.fs, sizeof(lkern.fs), "%s", fs);
	lua_createtable(L, 0, 2);
	lua_pushstring(L, fs);
	lua_setfield(L, -2, "type");
	lua_pushstring(L, LKERN_MNT);
	lua_setfield(L, -2, "dir");
	return 0;
}

/*
 * Stop the kernel with rumpus_teardown() and turn what its books still
 * hold into the verdict: rr_leak naming the biggest site, rr_books one
 * line per entry, and outcome "leak" when nothing else failed.  Only for a
 * kernel that has the rumpus extension of this version.
 */
static void
lkern_books(struct rumpus_result *res)
{
	static struct rumpus_books b;	/* large: not on the stack */
	char *out = res->rr_books;
	size_t len = sizeof(res->rr_books), n = 0;
	unsigned i;
	int e;

	if (rumpus_ext_version() != RUMPUS_EXT_VERSION)
		return;
	memset(&b, 0, sizeof(b));
	LKERN_CALL(e = rumpus_teardown(&b));
	if (e != 0 && e != RUMP_EBUSY)
		return;
	for (i = 0; i < b.b_nkmem && n < len; i++)
		n += snprintf(out + n, len - n, "kmem: %llu x %s at %s:%d, "
		    "%llu bytes\n", (unsigned long long)b.b_kmem[i].bk_count,
		    b.b_kmem[i].bk_tag ? b.b_kmem[i].bk_tag : "?",
		    b.b_kmem[i].bk_file ? b.b_kmem[i].bk_file : "?",
		    b.b_kmem[i].bk_line,
		    (unsigned long long)b.b_kmem[i].bk_bytes);
	for (i = 0; i < b.b_nlocks && n < len; i++)
		n += snprintf(out + n, len - n, "lock: 0x%lx held by lwp %d.%d "
		    "\"%s\"\n", (unsigned long)b.b_locks[i].bl_lock,
		    b.b_locks[i].bl_pid, b.b_locks[i].bl_lid,
		    b.b_locks[i].bl_holder);
	for (i = 0; i < b.b_nlwps && n < len; i++)
		n += snprintf(out + n, len - n, "lwp: %d.%d \"%s\" did not "
		    "stop (%s)\n", b.b_lwps[i].li_pid, b.b_lwps[i].li_lid,
		    b.b_lwps[i].li_name, b.b_lwps[i].li_wmesg ?
		    b.b_lwps[i].li_wmesg : "running");
	if (b.b_kmem_count > 0)
		lscen_setstr(res->rr_leak, sizeof(res->rr_leak),
		    "teardown: %llu kmem allocations (%llu bytes) not freed, "
		    "most at %s:%d", (unsigned long long)b.b_kmem_count,
		    (unsigned long long)b.b_kmem_bytes, b.b_nkmem > 0 &&
		    b.b_kmem[0].bk_file ? b.b_kmem[0].bk_file : "?",
		    b.b_nkmem > 0 ? b.b_kmem[0].bk_line : 0);
	else if (b.b_locks_total > 0 || b.b_lwps_total > 0 || e != 0)
		lscen_setstr(res->rr_leak, sizeof(res->rr_leak),
		    "teardown: %u locks still held, %u lwps did not stop",
		    b.b_locks_total, b.b_lwps_total);
	/* A case that failed already keeps its outcome; the leak is noted. */
	if (res->rr_leak[0] != '\0' && res->rr_outcome == RUMPUS_NONE) {
		res->rr_outcome = RUMPUS_LEAK;
		lscen_setstr(res->rr_reason, sizeof(res->rr_reason), "%s",
		    res->rr_leak);
	}
}

/*
 * Append pc to out (len bytes, n used) as function+offset when the
 * symbol table knows it, else as an address; the new length.
 */
static size_t
lkern_pc(char *out, size_t len, size_t n, const char *prefix, uintptr_t pc)
{
	const char *name;
	uintptr_t off;

	if (n >= len)
		return n;
	if ((name = lsym_lookup(pc, &off)) != NULL)
		return n + snprintf(out + n, len - n, "%s%s+0x%lx", prefix,
		    name, (unsigned long)off);
	return n + snprintf(out + n, len - n, "%s0x%lx", prefix,
	    (unsigned long)pc);
}

static const char *
lkern_lock_kind(int kind)
{

	switch (kind) {
	case RUMPUS_LOCK_MUTEX:
		return "mutex";
	case RUMPUS_LOCK_RW_READ:
		return "rwlock (read)";
	case RUMPUS_LOCK_RW_WRITE:
		return "rwlock (write)";
	}
	return "lock";
}

/*
 * At a timeout, from the SIGUSR1 handler (and at a crash, from the
 * sandbox's): the kernel's lwps, one line each, into rr_lwps, and the
 * kernel's deadlock cycle, if it has one, into rr_deadlock.  The kernel
 * only tries its locks here, and the instance is killed shortly anyway,
 * so a kernel in a bad state costs nothing worse than a missing dump.  Its
 * lock hypercalls bypass serial mode's schedule, whose lock the
 * interrupted code may hold.
 */
void
lkern_interrupt(struct rumpus_result *res)
{
	static struct rumpus_lwpinfo li[RUMPUS_BOOKS_LWPS];
	static struct rumpus_lockwait lw[RUMPUS_DEADLOCK_LWPS];
	char *out = res->rr_lwps;
	size_t len = sizeof(res->rr_lwps), n = 0, nl, i;
	unsigned j;
	const char *w;
	int bypass;

	if (!lkern.booted || rumpus_ext_version() != RUMPUS_EXT_VERSION)
		return;
	bypass = rumpus_sched_bypass(1);
	nl = rumpus_lwp_dump(li, RUMPUS_BOOKS_LWPS);
	for (i = 0; i < nl && i < RUMPUS_BOOKS_LWPS && n < len; i++) {
		w = li[i].li_wmesg;
		n += snprintf(out + n, len - n, "lwp %d.%d \"%s\"%s: %s%s%s%s, "
		    "%u locks held, stack", li[i].li_pid, li[i].li_lid,
		    li[i].li_name, li[i].li_kthread ? " (kthread)" : "",
		    li[i].li_running ? "on a CPU" : "off CPU",
		    w ? ", waits \"" : "", w ? w : "", w ? "\"" : "",
		    li[i].li_nlocks);
		for (j = 0; j < li[i].li_nstack; j++)
			n = lkern_pc(out, len, n, " ", li[i].li_stack[j]);
		if (n < len)
			n += snprintf(out + n, len - n, "\n");
	}

	/* lwp A waits for mutex M (initialised at ...) held by lwp B, ... */
	out = res->rr_deadlock;
	len = sizeof(res->rr_deadlock);
	n = 0;
	nl = rumpus_deadlock(lw, RUMPUS_DEADLOCK_LWPS);
	for (i = 0; i < nl && n < len; i++) {
		n += snprintf(out + n, len - n, "%slwp %d.%d \"%s\" waits for "
		    "%s 0x%lx", i ? "; " : "", lw[i].lw_pid, lw[i].lw_lid,
		    lw[i].lw_name, lkern_lock_kind(lw[i].lw_kind),
		    (unsigned long)lw[i].lw_lock);
		n = lkern_pc(out, len, n, " (initialised at ",
		    lw[i].lw_initsite);
		j = (i + 1) % nl;
		if (n < len)
			n += snprintf(out + n, len - n, ") held%s by lwp %d.%d",
			    lw[i].lw_hkind == RUMPUS_LOCK_RW_READ ?
			    " for reading" : "", lw[j].lw_pid, lw[j].lw_lid);
		n = lkern_pc(out, len, n, ", taken at ", lw[i].lw_hsite);
	}
	(void)rumpus_sched_bypass(bypass);
}

/*
 * Why the unmount of the fs variant failed with e, in a few words into
 * buf (with the body's lwp current): a file system the scenario left
 * mounted under it, descriptors of the body's process left open on it,
 * or its working directory in it, when one of them is found.
 */
static void
lkern_busy_why(int e, char *buf, size_t len)
{
	struct rump_statvfs sv;
	struct rump_stat mst, st;
	char cwd[256];
	size_t n = strlen(LKERN_MNT);
	unsigned i;
	int fd, first = -1, nfd = 0;

	buf[0] = '\0';
	if (e == RUMP_EINVAL) {
		snprintf(buf, len, " (not a mount point any more: the scenario "
		    "unmounted it)");
		return;
	}
	if (e != RUMP_EBUSY || rump_sys_stat(LKERN_MNT, &mst) == -1)
		return;
	for (i = 0; i < LKERN_NMOUNTS && i < lkern.nmounts; i++)
		if (rump_sys_statvfs1(lkern.mounts[i], &sv, RUMP_ST_NOWAIT) ==
		    0 && strncmp(sv.f_mntonname, LKERN_MNT, n) == 0 &&
		    sv.f_mntonname[n] == '/') {
			snprintf(buf, len, " (a file system left mounted on "
			    "%.256s)", sv.f_mntonname);
			return;
		}
	for (fd = 0; fd < LKERN_NFDS; fd++)
		if (rump_sys_fstat(fd, &st) == 0 && st.st_dev == mst.st_dev &&
		    nfd++ == 0)
			first = fd;
	if (nfd == 1)
		snprintf(buf, len, " (descriptor %d left open on it)", first);
	else if (nfd > 1)
		snprintf(buf, len, " (%d descriptors left open on it, the "
		    "lowest %d)", nfd, first);
	else if (rump_sys___getcwd(cwd, sizeof(cwd)) != -1 &&
	    strncmp(cwd, LKERN_MNT, n) == 0 &&
	    (cwd[n] == '\0' || cwd[n] == '/'))
		snprintf(buf, len, " (the working directory is in it: %s)",
		    cwd);
	else
		snprintf(buf, len, " (busy, with no mount, descriptor or "
		    "working directory of the scenario's found on it)");
}

/*
 * After the body: join lwps still running, end the processes k.process{}
 * made, unmount the fs variant (a
 * failure is the case's failure when nothing else failed), stop the
 * kernel and read its books, remove k.image_copy()'s file.  Called with the interpreter lock held; returns with it released.
 */
void
lkern_teardown(lua_State *L, struct rumpus_result *res)
{
	struct lkern_proc *p;
	struct lkern_lwp *l;
	char why[384];
	int rv, e;

	if (!lkern.booted)
		goto out;
	/* A body that failed will not reach its barriers again. */
	if (res->rr_outcome != RUMPUS_NONE) {
		pthread_mutex_lock(&lkern_bar_mtx);
		lkern_bar_broken = 1;
		rumpus_sched_broadcast(&lkern_bar_cv);
		pthread_mutex_unlock(&lkern_bar_mtx);
	}
	lua_getfield(L, LUA_REGISTRYINDEX, LKERN_REG);
	lua_getfield(L, -1, "lwps");
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		lua_pop(L, 1);
		l = lua_touserdata(L, -1);
		lkern_lwp_wait(l);
	}
	lua_pop(L, 2);
	/* End the processes of k.process{}: their cwd and descriptors go. */
	lua_getfield(L, LUA_REGISTRYINDEX, LKERN_REG);
	lua_getfield(L, -1, "procs");
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		lua_pop(L, 1);
		p = lua_touserdata(L, -1);
		if (p->p_lwp != NULL) {
			LKERN_CALL(rump_pub_lwproc_switch(p->p_lwp);
			    rump_pub_lwproc_releaselwp());
			p->p_lwp = NULL;
		}
	}
	lua_pop(L, 2);
	if (lkern.bodylwp == NULL)
		goto out;
	LKERN_CALL(
		if (rump_pub_lwproc_curlwp() != lkern.bodylwp)
			rump_pub_lwproc_switch(lkern.bodylwp);
	);
	if (lkern.fs[0] != '\0') {
		LKERN_CALL(rv = rump_sys_unmount(LKERN_MNT, 0);
		    e = errno; if (rv == -1) lkern_busy_why(e, why,
		    sizeof(why)));
		if (rv == -1 && res->rr_outcome == RUMPUS_NONE) {
			lscen_setstr(res->rr_reason, sizeof(res->rr_reason),
			    "teardown: unmount %s: %s%s", LKERN_MNT,
			    rump_errno_name(e) ? rump_errno_name(e) : "error",
			    why);
			res->rr_outcome = RUMPUS_FAIL;
		}
	}
	if (lkern.etfs[0] != '\0')
		LKERN_CALL(rump_pub_etfs_remove(lkern.etfs));
	/* The body's process ends with its lwp; then the books. */
	LKERN_CALL(rump_pub_lwproc_releaselwp());
	lkern_books(res);
out:
	lfault_finish(res);
	if (lkern.snapshot[0] != '\0')
		unlink(lkern.snapshot);
	rumpus_sched_unlock(&lkern_lua);
}
