/*
 * The power-cut oracle of DESIGN.md, for an instance that ended with
 * RUMPUS_POWERCUT_STATUS.  Given the image as the disk held it at the cut:
 *
 *  1. e2fsck -fy repairs a copy (a memfd, so that nothing is left
 *     behind when the runner kills the check); exit status 4 or more (errors left
 *     uncorrected, or fsck failed) is "corrupt" (what e2fsck -fn found on
 *     the image as it was is kept by the runner's run_fsck, as
 *     information: a cut leaves work for fsck, not a finding);
 *  2. the files the instance recorded as made durable (rr_durable, by
 *     lua/ldurable.c: fsync, fdatasync, sync, unmount, O_SYNC writes; at
 *     most RUMPUS_DURABLE_MAX, the reason says when more were made
 *     durable and not checked) are read back from
 *     the repaired copy by a fresh kernel in a child forked for it
 *     (rumpus_durable_verify); one that is missing or differs is
 *     "corrupt", and the reason names it.
 * Otherwise the outcome is "pass".  Without an image nothing can be
 * damaged: pass.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Seconds the checking kernel may take. */
#define ORACLE_VERIFY_TIMEOUT	30

/* What the checking child reports, in memory shared with it. */
struct oracle_check {
	int	oc_bad;			/* files that differ; -1: no check */
	int	oc_checked;
	char	oc_why[1024];
};

/*
 * In a child: check the recorded files on the repaired image with a
 * fresh kernel, into *oc.  Never returns.
 */
static void
oracle_child(const char *image, const struct rumpus_result *res,
    struct oracle_check *oc)
{

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(125);
	alarm(ORACLE_VERIFY_TIMEOUT);
	setenv("RUMPUS_MODE", "serial", 1);
	oc->oc_bad = rumpus_durable_verify(image, res, &oc->oc_checked,
	    oc->oc_why, sizeof(oc->oc_why));
	_exit(0);
}

/*
 * Check what res recorded as durable on the repaired image, in a child;
 * 0 with *oc filled, or -1 with oc_why saying why it could not be done.
 */
static int
oracle_verify(const char *image, const struct rumpus_result *res,
    struct oracle_check *oc)
{
	struct oracle_check *shared;
	pid_t pid;
	int st;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		snprintf(oc->oc_why, sizeof(oc->oc_why), "mmap: %s",
		    strerror(errno));
		return -1;
	}
	shared->oc_bad = -1;
	snprintf(shared->oc_why, sizeof(shared->oc_why), "the checking "
	    "kernel ended without a word");
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(oc->oc_why, sizeof(oc->oc_why), "fork: %s",
		    strerror(errno));
		munmap(shared, sizeof(*shared));
		return -1;
	}
	if (pid == 0)
		oracle_child(image, res, shared);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	memcpy(oc, shared, sizeof(*oc));
	munmap(shared, sizeof(*shared));
	if (WIFSIGNALED(st))
		snprintf(oc->oc_why, sizeof(oc->oc_why), "the checking kernel "
		    "was killed by SIG%s", sigabbrev_np(WTERMSIG(st)) ?
		    sigabbrev_np(WTERMSIG(st)) : "?");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && oc->oc_bad >= 0 ?
	    0 : -1;
}

/*
 * Decide the outcome of an instance cut at site (the fault's point and
 * call site) whose disk held image at the cut, from res (its verdict
 * area: what it made durable); into hv_outcome and hv_reason.
 */
void
oracle_powercut(const char *image, const struct rumpus_result *res,
    struct hverdict *hv)
{
	struct oracle_check oc;
	const char *site = res->rr_site[0] ? res->rr_site : "?";
	static char out[65536];		/* e2fsck -fy may list much */
	char copy[64];
	int cfd, i, st, n;

	if (image == NULL || image[0] == '\0' || access(image, F_OK) != 0) {
		hv->hv_outcome = RUMPUS_PASS;
		snprintf(hv->hv_reason, sizeof(hv->hv_reason), "power cut at "
		    "%s; no disk image to check", site);
		return;
	}
	n = snprintf(hv->hv_reason, sizeof(hv->hv_reason), "power cut at %s",
	    site);
	if ((cfd = memfd_create("rumpus-powercut", MFD_CLOEXEC)) == -1) {
		hv->hv_outcome = RUMPUS_ERROR;
		snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; "
		    "no copy to repair: memfd_create: %s", strerror(errno));
		return;
	}
	snprintf(copy, sizeof(copy), "/proc/%ld/fd/%d", (long)getpid(), cfd);
	st = rumpus_image_repair(image, copy, out, sizeof(out));
	if (st == -1 || st >= 4) {
		hv->hv_outcome = RUMPUS_CORRUPT;
		snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; "
		    "e2fsck -fy could not repair the image (status %d)", st);
		goto out;
	}
	n += snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; "
	    "e2fsck -fy repaired it (status %d)", st);
	for (i = 0; i < RUMPUS_DURABLE_MAX && !res->rr_durable[i].rd_valid;
	    i++)
		continue;
	if (i == RUMPUS_DURABLE_MAX) {
		hv->hv_outcome = RUMPUS_PASS;
		snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; %s",
		    res->rr_durable_lost || res->rr_durable_full ? "no file "
		    "made durable could be followed: none was checked" :
		    "no file was made durable before the cut");
	} else if (oracle_verify(copy, res, &oc) != 0) {
		hv->hv_outcome = RUMPUS_CORRUPT;
		snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; "
		    "the durable files could not be read back: %s",
		    oc.oc_why);
	} else if (oc.oc_bad > 0) {
		hv->hv_outcome = RUMPUS_CORRUPT;
		snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n, "; "
		    "%d of %d durable files wrong after repair: %s",
		    oc.oc_bad, oc.oc_checked, oc.oc_why);
	} else {
		hv->hv_outcome = RUMPUS_PASS;
		n += snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n,
		    "; %d durable files intact%s", oc.oc_checked,
		    res->rr_durable_lost ? " (some could not be followed)" :
		    "");
		if (res->rr_durable_full)
			snprintf(hv->hv_reason + n, sizeof(hv->hv_reason) - n,
			    " (the record holds %d files: files made durable "
			    "past them were not checked)", RUMPUS_DURABLE_MAX);
	}
out:
	close(cfd);
}
