/*
 * Host programs the binding runs for a scenario (mke2fs, e2fsck, rm):
 * image.ext2{} and img:fsck() need them, at a file's top level (in the
 * zygote) and in a body.
 *
 * An instance is confined by the sandbox (lsandbox.c) before its kernel
 * boots, and a confined process may neither fork nor exec.  So an
 * instance whose scenario file holds images forks a helper first, still
 * unconfined: the helper runs the programs the binding asks for and
 * sends their status and output back over a socket pair.  The helper
 * dies with its instance (PR_SET_PDEATHSIG) and leaves when the socket
 * closes.  An instance without a helper refuses, saying why, instead of
 * reaching for the host.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrumpus.h"

#define LHOST_ARGS	32		/* arguments of one program */
#define LHOST_REQ	4096		/* bytes of one request */
#define LHOST_OUT	16384		/* bytes of output sent back */

static int lhost_fd = -1;		/* the helper's socket, or -1 */
static int lhost_confined;		/* this process may not fork */

/*
 * Run argv[0] (found on PATH, with /sbin and /usr/sbin added) here, with
 * stdout and stderr into out.  Returns the exit status, or -1 with out
 * saying why.
 */
static int
lhost_exec(char *const argv[], char *out, size_t outlen)
{
	int pfd[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	out[0] = '\0';
	if (pipe(pfd) == -1) {
		snprintf(out, outlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		snprintf(out, outlen, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		/* Not even a program outlives the runner. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], out + n, outlen - 1 - n)) > 0 ||
	    (r == -1 && errno == EINTR)) {
		if (r > 0)
			n += (size_t)r;
		if (n == outlen - 1) {
			char sink[512];

			while (read(pfd[0], sink, sizeof(sink)) > 0)
				continue;
			break;
		}
	}
	out[n] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			snprintf(out, outlen, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	snprintf(out, outlen, "%s killed by signal %d", argv[0],
	    WTERMSIG(st));
	return -1;
}

/*
 * The helper's loop: a request is the arguments, each NUL-terminated; the
 * answer is the int status, then the output (NUL-terminated).  Ends when
 * its instance closes the socket or dies.
 */
static void __attribute__((__noreturn__))
lhost_serve(int fd)
{
	static char req[LHOST_REQ], ans[sizeof(int) + LHOST_OUT];
	char *argv[LHOST_ARGS + 1], *p;
	ssize_t n;
	int argc, st;

	for (;;) {
		if ((n = read(fd, req, sizeof(req) - 1)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			_exit(0);
		}
		req[n] = '\0';
		for (argc = 0, p = req; p < req + n && argc < LHOST_ARGS;
		    p += strlen(p) + 1)
			argv[argc++] = p;
		argv[argc] = NULL;
		if (argc == 0) {
			st = -1;
			snprintf(ans + sizeof(int), LHOST_OUT, "empty request");
		} else
			st = lhost_exec(argv, ans + sizeof(int), LHOST_OUT);
		memcpy(ans, &st, sizeof(int));
		if (write(fd, ans, sizeof(int) + strlen(ans + sizeof(int)) +
		    1) == -1)
			_exit(1);
	}
}

/*
 * This instance is about to be confined: from now on host programs run
 * through a helper forked here (helper != 0), or not at all.  Returns 0,
 * or -1 with errno when the helper could not be started.
 */
int
lhost_confine(int helper)
{
	int sv[2];
	pid_t pid, parent = getpid();

	lhost_confined = 1;
	if (!helper)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
		    getppid() != parent)
			_exit(0);
		signal(SIGUSR1, SIG_DFL);
		lhost_serve(sv[1]);
	}
	close(sv[1]);
	lhost_fd = sv[0];
	return 0;
}

/*
 * Run argv[0] with its output into out (see lhost_exec), through the
 * helper when this process is confined.  Returns the exit status, or -1
 * with out saying why.
 */
int
lhost_run(char *const argv[], char *out, size_t outlen)
{
	static char ans[sizeof(int) + LHOST_OUT];
	char req[LHOST_REQ];
	size_t n = 0, len;
	ssize_t r;
	int i, st;

	if (!lhost_confined)
		return lhost_exec(argv, out, outlen);
	if (lhost_fd == -1) {
		snprintf(out, outlen, "%s cannot run in this instance: it is "
		    "sandboxed, and only an instance of a scenario file that "
		    "holds images (image.ext2{} at its top level) gets a "
		    "helper for host programs", argv[0]);
		return -1;
	}
	for (i = 0; argv[i] != NULL; i++) {
		len = strlen(argv[i]) + 1;
		if (i == LHOST_ARGS || n + len > sizeof(req)) {
			snprintf(out, outlen, "%s: too many or too long "
			    "arguments", argv[0]);
			return -1;
		}
		memcpy(req + n, argv[i], len);
		n += len;
	}
	do
		r = write(lhost_fd, req, n);
	while (r == -1 && errno == EINTR);
	if (r != -1)
		do
			r = read(lhost_fd, ans, sizeof(ans) - 1);
		while (r == -1 && errno == EINTR);
	if (r < (ssize_t)sizeof(int)) {
		snprintf(out, outlen, "%s: the host helper is gone (%s)",
		    argv[0], r == -1 ? strerror(errno) : "no answer");
		return -1;
	}
	ans[r] = '\0';
	memcpy(&st, ans, sizeof(int));
	snprintf(out, outlen, "%s", ans + sizeof(int));
	return st;
}
