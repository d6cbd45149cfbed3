/*
 * What the instance's ext2 file system holds durably, for the runner's
 * power-cut oracle (harness/oracle.c): every regular file a successful
 * fsync or fdatasync, sync or unmount, or a whole write through a
 * descriptor open with O_SYNC or O_DSYNC made durable, by path from the
 * file system's root, with its size and a digest of its content.
 *
 * The record lives in the verdict (rr_durable, memory shared with the
 * runner), so the runner reads it after a power cut ended the child.  An
 * entry is made valid last and invalidated first: an entry that is valid
 * when the child dies, at any instant, names content that was durable
 * then.  So a change is invalidated before the kernel call that makes it
 * (ldur_change, ldur_remove, ldur_fdchange), and the call is closed by
 * ldur_done; a file is recorded after the fsync returned, from what it
 * reads back then, and only when no change was in flight or happened
 * meanwhile (on any file: one generation count for all).
 *
 * Which file a descriptor is: the binding notes the path of every
 * descriptor it opens (ldur_opened, per process).  A change through a
 * descriptor is matched by inode number too (fstat), so hard links and
 * descriptors the binding cannot name are followed; a change by a path
 * this cannot resolve (a directory descriptor it does not know, a
 * relative ".." walk) invalidates every entry and sets rr_durable_lost.
 * A file this cannot follow, or one past RUMPUS_DURABLE_MAX files, is not
 * recorded: the oracle checks less, and says so; it never checks what was
 * not durable.
 *
 * Every hook runs inside the binding's kernel-call bracket (LKERN_SYS:
 * interpreter lock released, the calling context's lwp current), so its
 * own system calls act for the caller's process; each keeps errno.  Lock:
 * ldur_lock, never held across a kernel call.
 *
 * rumpus_durable_verify is the other half: in a child the runner forks
 * after the repair, a fresh kernel mounts the repaired image read-only
 * and reads back every recorded file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>
#include <rump/rumperrno.h>
#include <rump/rumpvfs_if_pub.h>

#include "fault_engine.h"
#include "lrumpus.h"

#define LDUR_PATHMAX	sizeof(((struct rumpus_durable *)0)->rd_path)
#define LDUR_NFD	256		/* descriptors followed */
#define LDUR_NDIRTY	128		/* changed files awaiting sync */
#define LDUR_MAXSIZE	(64u << 20)	/* largest file recorded */

/* A descriptor the binding opened: its process, and its file's path. */
struct ldur_fd {
	int	 lf_pid;		/* 0: free */
	int	 lf_fd;
	char	 lf_path[LDUR_PATHMAX];	/* from the fs root; "": not on it */
};

/* A file read back for the record. */
struct ldur_file {
	char	 lr_path[LDUR_PATHMAX];
	uint64_t lr_ino;
	uint64_t lr_size;
	uint64_t lr_digest;
};

static pthread_mutex_t ldur_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct rumpus_result *res;
	char		 mnt[LDUR_PATHMAX];	/* the ext2 mount, or "" */
	uint64_t	 dev;			/* its st_dev */
	uint64_t	 gen;			/* changes closed so far */
	int		 inflight;		/* changes under way */
	uint64_t	 ino[RUMPUS_DURABLE_MAX]; /* inode of each entry */
	struct ldur_fd	 fds[LDUR_NFD];
	char		 dirty[LDUR_NDIRTY][LDUR_PATHMAX];
	int		 ndirty;
} ldur;

/* A new case: nothing recorded, nothing mounted. */
void
ldur_boot(struct rumpus_result *res)
{

	memset(&ldur, 0, sizeof(ldur));
	ldur.res = res;
}

/*
 * path (absolute or relative to the caller's cwd) as a normalized
 * absolute path in out; -1 when it cannot be (too long, no cwd).
 * Lexical: ".." takes off the last component.
 */
static int
ldur_abs(const char *path, char *out, size_t len)
{
	char buf[2 * LDUR_PATHMAX];
	const char *p, *e;
	size_t n = 0, cl;

	if (*path != '/') {
		if (rump_sys___getcwd(buf, sizeof(buf) / 2) == -1)
			return -1;
		n = strlen(buf);
		if (n + 1 + strlen(path) >= sizeof(buf))
			return -1;
		buf[n++] = '/';
		strcpy(buf + n, path);
		path = buf;
	}
	n = 0;
	for (p = path; *p != '\0'; p = e) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchrnul(p, '/');
		cl = (size_t)(e - p);
		if (cl == 1 && p[0] == '.')
			continue;
		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[--n] != '/')
				continue;
			continue;
		}
		if (n + 1 + cl >= len)
			return -1;
		out[n++] = '/';
		memcpy(out + n, p, cl);
		n += cl;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/*
 * path as the ext2 file system's own path ("/" its root) in out: 1; 0
 * when it is not on that file system; -1 when it cannot be resolved.
 * ldur_lock not held (getcwd).
 */
static int
ldur_rel(const char *path, char *out)
{
	char abs[LDUR_PATHMAX], mnt[LDUR_PATHMAX];
	size_t n;

	pthread_mutex_lock(&ldur_lock);
	memcpy(mnt, ldur.mnt, sizeof(mnt));
	pthread_mutex_unlock(&ldur_lock);
	if (mnt[0] == '\0')
		return 0;
	if (ldur_abs(path, abs, sizeof(abs)) != 0)
		return -1;
	n = strlen(mnt);
	if (strncmp(abs, mnt, n) != 0 || (abs[n] != '/' && abs[n] != '\0'))
		return 0;
	snprintf(out, LDUR_PATHMAX, "%s", abs[n] != '\0' ? abs + n : "/");
	return 1;
}

/* Invalidate entry i.  ldur_lock held. */
static void
ldur_kill(int i)
{

	__atomic_store_n(&ldur.res->rr_durable[i].rd_valid, 0,
	    __ATOMIC_SEQ_CST);
}

static void	ldur_dirty(const char *);

/*
 * Invalidate the entries of path (and, with sub, of everything under
 * it), and those of inode ino (0: none; a content change: those entries,
 * other names of the file, are changed files again).  ldur_lock held.
 */
static void
ldur_kill_match(const char *path, int sub, uint64_t ino)
{
	struct rumpus_durable *d;
	size_t n = path != NULL ? strlen(path) : 0;
	int i;

	for (i = 0; i < RUMPUS_DURABLE_MAX; i++) {
		d = &ldur.res->rr_durable[i];
		if (!d->rd_valid)
			continue;
		if (ino != 0 && ldur.ino[i] == ino) {
			ldur_kill(i);
			ldur_dirty(d->rd_path);
		} else if (path != NULL && strncmp(d->rd_path, path, n) == 0 &&
		    (d->rd_path[n] == '\0' || (sub && (d->rd_path[n] == '/' ||
		    n == 1))))
			ldur_kill(i);
	}
}

/* A change this cannot follow: no entry can be trusted.  ldur_lock held. */
static void
ldur_kill_all(void)
{
	int i;

	for (i = 0; i < RUMPUS_DURABLE_MAX; i++)
		ldur_kill(i);
	ldur.res->rr_durable_lost = 1;
}

/* Note path as changed since it was last made durable.  ldur_lock held. */
static void
ldur_dirty(const char *path)
{
	int i;

	for (i = 0; i < ldur.ndirty; i++)
		if (strcmp(ldur.dirty[i], path) == 0)
			return;
	if (ldur.ndirty == LDUR_NDIRTY) {
		ldur.res->rr_durable_lost = 1;	/* a sync records less */
		return;
	}
	snprintf(ldur.dirty[ldur.ndirty++], LDUR_PATHMAX, "%s", path);
}

/* The descriptor slot of (pid, fd), or NULL.  ldur_lock held. */
static struct ldur_fd *
ldur_fdslot(int pid, int fd)
{
	int i;

	for (i = 0; i < LDUR_NFD; i++)
		if (ldur.fds[i].lf_pid == pid && ldur.fds[i].lf_fd == fd)
			return &ldur.fds[i];
	return NULL;
}

/*
 * The ext2 file system was mounted at dir (after a successful mount,
 * in the caller's context).
 */
void
ldur_mounted(const char *dir)
{
	struct rump_stat st;
	char abs[LDUR_PATHMAX];
	int e = errno;

	if (ldur.res != NULL && ldur_abs(dir, abs, sizeof(abs)) == 0 &&
	    rump_sys_stat(abs, &st) == 0) {
		pthread_mutex_lock(&ldur_lock);
		memcpy(ldur.mnt, abs, sizeof(ldur.mnt));
		ldur.dev = st.st_dev;
		pthread_mutex_unlock(&ldur_lock);
	}
	errno = e;
}

/* A change begins (closed by ldur_done).  ldur_lock not held. */
static void
ldur_begin(void)
{

	pthread_mutex_lock(&ldur_lock);
	ldur.inflight++;
	pthread_mutex_unlock(&ldur_lock);
}

/*
 * The descriptors open at path (and under it) no longer name their file
 * by path (it is gone or replaced).  ldur_lock held.
 */
static void
ldur_forget(const char *path)
{
	struct ldur_fd *lf;
	size_t n = strlen(path);
	int i;

	for (i = 0; i < LDUR_NFD; i++) {
		lf = &ldur.fds[i];
		if (lf->lf_pid != 0 && strncmp(lf->lf_path, path, n) == 0 &&
		    (lf->lf_path[n] == '\0' || lf->lf_path[n] == '/' ||
		    n == 1))
			lf->lf_path[0] = '\0';
	}
}

/* What a call is about to do to a path (ldur_at). */
#define LDUR_CHANGE	0	/* change the content of the file */
#define LDUR_GONE	1	/* take it (and what is under it) away */
#define LDUR_MOVED	2	/* rename it (ldur_renamed follows) */

/*
 * A call is about to do how to the file at path (relative to directory
 * descriptor dfd, or RUMP_AT_FDCWD).  A path this cannot resolve
 * invalidates everything.  ldur_lock not held.
 */
static void
ldur_at(int dfd, const char *path, int how)
{
	struct rump_stat st;
	char rel[LDUR_PATHMAX];
	uint64_t ino = 0;
	int r;

	r = dfd == RUMP_AT_FDCWD || *path == '/' ? ldur_rel(path, rel) : -1;
	if (r == 1 && how == LDUR_CHANGE && rump_sys_stat(path, &st) == 0 &&
	    st.st_dev == ldur.dev)
		ino = st.st_ino;
	pthread_mutex_lock(&ldur_lock);
	if (r == -1 && ldur.mnt[0] != '\0') {
		ldur_kill_all();
		memset(ldur.fds, 0, sizeof(ldur.fds));
	} else if (r == 1) {
		ldur_kill_match(rel, how != LDUR_CHANGE, ino);
		if (how == LDUR_GONE)
			ldur_forget(rel);
		else if (how == LDUR_CHANGE)
			ldur_dirty(rel);
	}
	pthread_mutex_unlock(&ldur_lock);
}

/*
 * Before a call that changes the content of the file at path (truncate,
 * an open with O_TRUNC).  Close with ldur_done.
 */
void
ldur_change(int dfd, const char *path)
{
	int e = errno;

	if (ldur.res == NULL)
		return;
	ldur_begin();
	ldur_at(dfd, path, LDUR_CHANGE);
	errno = e;
}

/*
 * Before a call that takes path away (unlink, rmdir) or, with to, renames
 * it to to.  Close with ldur_done.
 */
void
ldur_remove(int dfd, const char *path, int tdfd, const char *to)
{
	int e = errno;

	if (ldur.res == NULL)
		return;
	ldur_begin();
	ldur_at(dfd, path, to != NULL ? LDUR_MOVED : LDUR_GONE);
	if (to != NULL)
		ldur_at(tdfd, to, LDUR_GONE);
	errno = e;
}

/*
 * Before a call that changes the file open as fd (write, pwrite, writev,
 * ftruncate).  Close with ldur_done, or for a write with ldur_written
 * given what this returns (as ldur_gen).
 */
uint64_t
ldur_fdchange(int fd)
{
	struct ldur_fd *lf;
	struct rump_stat st;
	uint64_t gen = ~(uint64_t)0;
	int e = errno, pid, known;

	if (ldur.res == NULL)
		goto out;
	pid = rump_sys_getpid();
	known = rump_sys_fstat(fd, &st) == 0;
	pthread_mutex_lock(&ldur_lock);
	if (ldur.inflight == 0)
		gen = ldur.gen;
	ldur.inflight++;
	if (known && ldur.mnt[0] != '\0' && st.st_dev == ldur.dev) {
		lf = ldur_fdslot(pid, fd);
		ldur_kill_match(lf != NULL && lf->lf_path[0] != '\0' ?
		    lf->lf_path : NULL, 0, st.st_ino);
		if (lf != NULL && lf->lf_path[0] != '\0')
			ldur_dirty(lf->lf_path);
	}
	pthread_mutex_unlock(&ldur_lock);
out:
	errno = e;
	return gen;
}

/* The change announced by ldur_*change or ldur_remove is over. */
void
ldur_done(void)
{
	int e = errno;

	if (ldur.res == NULL)
		goto out;
	pthread_mutex_lock(&ldur_lock);
	ldur.inflight--;
	ldur.gen++;
	pthread_mutex_unlock(&ldur_lock);
out:
	errno = e;
}

/* Note (pid, fd) as the file at path; a NULL path forgets the slot. */
static void
ldur_fdnote(int pid, int fd, const char *path)
{
	struct ldur_fd *lf;

	pthread_mutex_lock(&ldur_lock);
	if ((lf = ldur_fdslot(pid, fd)) == NULL && path != NULL &&
	    (lf = ldur_fdslot(0, 0)) == NULL) {
		/* A descriptor not followed: its fsync is not recorded. */
		ldur.res->rr_durable_lost = 1;
	} else if (lf != NULL && path == NULL)
		memset(lf, 0, sizeof(*lf));
	else if (lf != NULL) {
		lf->lf_pid = pid;
		lf->lf_fd = fd;
		snprintf(lf->lf_path, sizeof(lf->lf_path), "%s", path);
	}
	pthread_mutex_unlock(&ldur_lock);
}

/*
 * fd was opened at path (after a successful open; dfd: RUMP_AT_FDCWD or
 * the directory of an openat).
 */
void
ldur_opened(int dfd, const char *path, int fd)
{
	char rel[LDUR_PATHMAX];
	int e = errno;

	if (ldur.res == NULL)
		goto out;
	if ((dfd != RUMP_AT_FDCWD && *path != '/') || ldur_rel(path, rel) != 1)
		rel[0] = '\0';
	ldur_fdnote(rump_sys_getpid(), fd, rel);
out:
	errno = e;
}

/* fd was closed. */
void
ldur_closed(int fd)
{
	int e = errno;

	if (ldur.res != NULL)
		ldur_fdnote(rump_sys_getpid(), fd, NULL);
	errno = e;
}

/* nfd is now a duplicate of fd (dup, dup2, F_DUPFD). */
void
ldur_dup(int fd, int nfd)
{
	struct ldur_fd *lf;
	char path[LDUR_PATHMAX];
	int e = errno, pid;

	if (ldur.res == NULL)
		goto out;
	pid = rump_sys_getpid();
	pthread_mutex_lock(&ldur_lock);
	lf = ldur_fdslot(pid, fd);
	snprintf(path, sizeof(path), "%s", lf != NULL ? lf->lf_path : "");
	pthread_mutex_unlock(&ldur_lock);
	ldur_fdnote(pid, nfd, path);
out:
	errno = e;
}

/*
 * from was renamed to to (after success; each relative to its directory
 * descriptor): descriptors open under from now name files under to.
 * When either cannot be resolved, no descriptor is trusted to name its
 * file any more.
 */
void
ldur_renamed(int fdf, const char *from, int fdt, const char *to)
{
	char rf[LDUR_PATHMAX], rt[LDUR_PATHMAX], buf[2 * LDUR_PATHMAX];
	struct ldur_fd *lf;
	size_t n;
	int e = errno, i, r1, r2;

	if (ldur.res == NULL)
		return;
	r1 = fdf == RUMP_AT_FDCWD || *from == '/' ? ldur_rel(from, rf) : -1;
	r2 = fdt == RUMP_AT_FDCWD || *to == '/' ? ldur_rel(to, rt) : -1;
	pthread_mutex_lock(&ldur_lock);
	if (r1 == -1 || r2 == -1 || r1 != r2) {
		if (ldur.mnt[0] != '\0')
			memset(ldur.fds, 0, sizeof(ldur.fds));
		goto out;
	}
	if (r1 == 0)
		goto out;
	n = strlen(rf);
	for (i = 0; i < LDUR_NFD; i++) {
		lf = &ldur.fds[i];
		if (lf->lf_pid == 0 || strncmp(lf->lf_path, rf, n) != 0 ||
		    (lf->lf_path[n] != '\0' && lf->lf_path[n] != '/'))
			continue;
		snprintf(buf, sizeof(buf), "%s%s", rt, lf->lf_path + n);
		if (strlen(buf) < LDUR_PATHMAX)
			memcpy(lf->lf_path, buf, strlen(buf) + 1);
		else
			lf->lf_path[0] = '\0';
	}
	ldur_dirty(rt);
out:
	pthread_mutex_unlock(&ldur_lock);
	errno = e;
}

/*
 * Read the regular file open as fd (or, when fd is -1 or cannot be read,
 * the one at the fs path rel) back into *f: path, inode, size and
 * digest.  0, or -1.  ldur_lock not held.
 */
static int
ldur_readback(int fd, const char *rel, struct ldur_file *f)
{
	struct rump_stat st;
	char abs[2 * LDUR_PATHMAX];
	uint64_t done = 0, dev;
	ssize_t n = 0;
	char *buf;
	int rfd = -1, rv = -1;

	pthread_mutex_lock(&ldur_lock);
	snprintf(abs, sizeof(abs), "%s%s", ldur.mnt, rel);
	dev = ldur.dev;
	pthread_mutex_unlock(&ldur_lock);
	if (fd == -1 || rump_sys_pread(fd, abs, 0, 0) == -1) {
		if ((rfd = rump_sys_open(abs, RUMP_O_RDONLY, 0)) == -1)
			return -1;
		fd = rfd;
	}
	if (rump_sys_fstat(fd, &st) == -1 ||
	    (st.st_mode & RUMP_S_IFMT) != RUMP_S_IFREG || st.st_dev != dev ||
	    (uint64_t)st.st_size > LDUR_MAXSIZE ||
	    (buf = malloc(st.st_size + 1)) == NULL)
		goto out;
	/* One byte more than the size: a file that grew is not recorded. */
	while (done <= (uint64_t)st.st_size && (n = rump_sys_pread(fd,
	    buf + done, st.st_size + 1 - done, (int64_t)done)) > 0)
		done += (uint64_t)n;
	if (n == 0 && done == (uint64_t)st.st_size) {
		snprintf(f->lr_path, sizeof(f->lr_path), "%s", rel);
		f->lr_ino = st.st_ino;
		f->lr_size = done;
		f->lr_digest = fe_hash64(buf, done, 0);
		rv = 0;
	}
	free(buf);
out:
	if (rfd != -1)
		rump_sys_close(rfd);
	return rv;
}

/*
 * Record f as durable, replacing an entry of the same path, if no change
 * was under way or closed since generation gen.  ldur_lock held.
 */
static void
ldur_store(const struct ldur_file *f, uint64_t gen)
{
	struct rumpus_durable *d;
	int i, free = -1;

	if (ldur.inflight != 0 || ldur.gen != gen)
		return;
	for (i = 0; i < RUMPUS_DURABLE_MAX; i++) {
		d = &ldur.res->rr_durable[i];
		if (d->rd_valid && strcmp(d->rd_path, f->lr_path) == 0)
			ldur_kill(i);
		if (!d->rd_valid && free == -1)
			free = i;
	}
	for (i = 0; i < ldur.ndirty; i++)
		if (strcmp(ldur.dirty[i], f->lr_path) == 0) {
			memcpy(ldur.dirty[i], ldur.dirty[--ldur.ndirty],
			    LDUR_PATHMAX);
			break;
		}
	if (free == -1) {
		ldur.res->rr_durable_full = 1;
		return;
	}
	d = &ldur.res->rr_durable[free];
	memcpy(d->rd_path, f->lr_path, sizeof(d->rd_path));
	d->rd_size = f->lr_size;
	d->rd_digest = f->lr_digest;
	ldur.ino[free] = f->lr_ino;
	__atomic_store_n(&d->rd_valid, 1, __ATOMIC_SEQ_CST);
}

/*
 * The generation before a call that makes files durable (fsync,
 * fdatasync, sync, unmount): what ldur_fsynced and ldur_synced want.
 */
uint64_t
ldur_gen(void)
{
	uint64_t g;

	pthread_mutex_lock(&ldur_lock);
	g = ldur.inflight != 0 ? ~(uint64_t)0 : ldur.gen;
	pthread_mutex_unlock(&ldur_lock);
	return g;
}

/* fsync(fd) or fdatasync(fd) succeeded; gen from ldur_gen before it. */
void
ldur_fsynced(int fd, uint64_t gen)
{
	struct ldur_file f;
	struct ldur_fd *lf;
	char rel[LDUR_PATHMAX];
	int e = errno, pid;

	if (ldur.res == NULL || ldur.mnt[0] == '\0')
		goto out;
	pid = rump_sys_getpid();
	pthread_mutex_lock(&ldur_lock);
	lf = ldur_fdslot(pid, fd);
	snprintf(rel, sizeof(rel), "%s", lf != NULL ? lf->lf_path : "");
	pthread_mutex_unlock(&ldur_lock);
	if (rel[0] == '\0' || ldur_readback(fd, rel, &f) != 0)
		goto out;
	pthread_mutex_lock(&ldur_lock);
	ldur_store(&f, gen);
	pthread_mutex_unlock(&ldur_lock);
out:
	errno = e;
}

/*
 * A write of len bytes through fd, announced by ldur_fdchange (which
 * returned gen), returned rv.  When the descriptor is open with O_SYNC or
 * O_DSYNC and the whole write succeeded, the kernel flushed the file
 * system before returning (vfs_syscalls.c do_rw, IO_SYNC): the file is
 * durable as after an fsync, and recorded so if no other change came
 * between (the generation is then gen + 1, this write's own).  A short
 * write is not recorded: it may have stopped before the flush.
 */
void
ldur_written(int fd, ssize_t rv, size_t len, uint64_t gen)
{
	int e = errno, fl;

	ldur_done();
	if (ldur.res == NULL || rv <= 0 || (size_t)rv != len ||
	    gen == ~(uint64_t)0)
		goto out;
	fl = rump_sys_fcntl(fd, RUMP_F_GETFL);
	if (fl != -1 && (fl & (RUMP_O_SYNC | RUMP_O_DSYNC)) != 0)
		ldur_fsynced(fd, gen + 1);
out:
	errno = e;
}

/*
 * Read back every file changed since it was last made durable, into
 * files (ndirty of them, NULL for none); returns how many were read.
 */
static int
ldur_readdirty(struct ldur_file **filesp)
{
	char (*paths)[LDUR_PATHMAX];
	struct ldur_file *files;
	int i, n, nread = 0;

	*filesp = NULL;
	pthread_mutex_lock(&ldur_lock);
	n = ldur.ndirty;
	paths = malloc(sizeof(*paths) * (n ? n : 1));
	if (paths != NULL)
		memcpy(paths, ldur.dirty, sizeof(*paths) * n);
	pthread_mutex_unlock(&ldur_lock);
	files = malloc(sizeof(*files) * (n ? n : 1));
	if (paths == NULL || files == NULL) {
		free(paths);
		free(files);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (ldur_readback(-1, paths[i], &files[nread]) == 0)
			nread++;
	free(paths);
	*filesp = files;
	return nread;
}

/* Record the n files read by ldur_readdirty as durable; free them. */
static void
ldur_storeall(struct ldur_file *files, int n, uint64_t gen)
{
	int i;

	pthread_mutex_lock(&ldur_lock);
	for (i = 0; i < n; i++)
		ldur_store(&files[i], gen);
	pthread_mutex_unlock(&ldur_lock);
	free(files);
}

/* sync() returned: every changed file is durable. */
void
ldur_synced(uint64_t gen)
{
	struct ldur_file *files;
	int e = errno, n;

	if (ldur.res != NULL && ldur.mnt[0] != '\0') {
		n = ldur_readdirty(&files);
		ldur_storeall(files, n, gen);
	}
	errno = e;
}

/*
 * Before unmount(dir): when dir is the ext2 mount, read back every
 * changed file (after the unmount they cannot be read); *filesp, and the
 * return value, for ldur_unmounted.
 */
int
ldur_unmounting(const char *dir, struct ldur_file **filesp)
{
	char abs[LDUR_PATHMAX];
	int e = errno, n = -1;

	*filesp = NULL;
	if (ldur.res != NULL && ldur.mnt[0] != '\0' &&
	    ldur_abs(dir, abs, sizeof(abs)) == 0 &&
	    strcmp(abs, ldur.mnt) == 0)
		n = ldur_readdirty(filesp);
	errno = e;
	return n;
}

/*
 * unmount returned (ok: it succeeded); n and files from ldur_unmounting.
 * After a successful unmount of the ext2 file system the files read
 * before are durable, and nothing is mounted.
 */
void
ldur_unmounted(int ok, int n, struct ldur_file *files, uint64_t gen)
{
	int e = errno;

	if (n >= 0 && ok) {
		ldur_storeall(files, n, gen);
		pthread_mutex_lock(&ldur_lock);
		ldur.mnt[0] = '\0';
		ldur.ndirty = 0;
		memset(ldur.fds, 0, sizeof(ldur.fds));
		pthread_mutex_unlock(&ldur_lock);
	} else
		free(files);
	errno = e;
}

/*
 * Check the file at path against entry d of the record; 0 when it holds
 * what was made durable, else 1 with what differs in msg.
 */
static int
ldur_check(const char *path, const struct rumpus_durable *d, char *msg,
    size_t len)
{
	struct rump_stat st;
	uint64_t done = 0;
	ssize_t n = 0;
	char *buf = NULL;
	int fd, e = 0, bad = 1;

	if ((fd = rump_sys_open(path, RUMP_O_RDONLY, 0)) == -1 ||
	    rump_sys_fstat(fd, &st) == -1)
		e = errno;
	else if ((uint64_t)st.st_size != d->rd_size)
		snprintf(msg, len, "%s: %llu bytes, %llu were made durable",
		    d->rd_path, (unsigned long long)st.st_size,
		    (unsigned long long)d->rd_size);
	else if ((buf = malloc(d->rd_size + 1)) == NULL)
		e = RUMP_ENOMEM;
	else {
		while (done < d->rd_size && (n = rump_sys_pread(fd,
		    buf + done, d->rd_size - done, (int64_t)done)) > 0)
			done += (uint64_t)n;
		if (n == -1)
			e = errno;
		else if (done == d->rd_size &&
		    fe_hash64(buf, done, 0) == d->rd_digest)
			bad = 0;
		else
			snprintf(msg, len, "%s: content differs from what was "
			    "made durable", d->rd_path);
	}
	if (e != 0)
		snprintf(msg, len, "%s: %s", d->rd_path, rump_errno_name(e) ?
		    rump_errno_name(e) : "error");
	free(buf);
	if (fd != -1)
		rump_sys_close(fd);
	return bad;
}

/*
 * In a child the runner forked for the power-cut oracle: boot a fresh
 * kernel, mount image (repaired) read-only and read back every file res
 * recorded as durable.  Returns how many differ (each named in why,
 * "; "-separated) and sets *checked; -1 with why when the check could not
 * be made.
 */
int
rumpus_durable_verify(const char *image, const struct rumpus_result *res,
    int *checked, char *why, size_t len)
{
	static const char key[] = "/dev/rumpus-oracle", dir[] = "/oracle";
	const struct rumpus_durable *d;
	struct rump_ufs_args ua;
	char path[LDUR_PATHMAX + sizeof(dir)], msg[LDUR_PATHMAX + 64];
	size_t off = 0;
	int bad = 0, e, i;

	*checked = 0;
	why[0] = '\0';
	if ((e = rump_init()) != 0 ||
	    (e = rump_pub_etfs_register(key, image, RUMP_ETFS_BLK)) != 0 ||
	    (rump_sys_mkdir(dir, 0755) == -1 && (e = errno) != 0)) {
		snprintf(why, len, "the checking kernel: %s",
		    rump_errno_name(e) ? rump_errno_name(e) : "error");
		return -1;
	}
	memset(&ua, 0, sizeof(ua));
	ua.fspec = (char *)key;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, dir, RUMP_MNT_RDONLY, &ua,
	    sizeof(ua)) == -1) {
		e = errno;
		snprintf(why, len, "mounting the repaired image: %s",
		    rump_errno_name(e) ? rump_errno_name(e) : "error");
		return -1;
	}
	for (i = 0; i < RUMPUS_DURABLE_MAX; i++) {
		d = &res->rr_durable[i];
		if (!d->rd_valid)
			continue;
		(*checked)++;
		snprintf(path, sizeof(path), "%s%s", dir, d->rd_path);
		if (ldur_check(path, d, msg, sizeof(msg)) == 0)
			continue;
		if (off < len)
			off += snprintf(why + off, len - off, "%s%s",
			    bad ? "; " : "", msg);
		bad++;
	}
	return bad;
}
