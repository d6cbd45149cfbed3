/*
 * librumpuser: asynchronous block I/O (rumpuser_bio).
 *
 * Threads mode: a request is queued and the caller returns at once; a
 * small pool of I/O threads (at most BIO_MAXTHREADS) does the pread/pwrite
 * and calls biodone holding a vCPU (hyp_schedule ... hyp_unschedule).  The
 * threads start lazily, with the first request that finds none idle, so a
 * kernel that does no block I/O never gets one.
 *
 * Serial mode: the transfer happens in the caller, still holding its vCPU
 * (no scheduling point), and biodone runs before rumpuser_bio returns.
 *
 * Faults: in either mode the fault engine decides in the caller, in
 * rumpuser_bio() before the request is queued, so the decision sees the
 * calling lwp and its kernel stack (@site filters, lwp= and pid=); the
 * transfer, on an I/O thread or here, carries the decision out: an
 * error, a short transfer, a torn write, a bit flip, a lost write, a
 * delay or a power cut.
 *
 * Lock order: bio_lock is a leaf; it is never held across I/O or biodone.
 */
#define _GNU_SOURCE
#include <sys/uio.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <rump/rumperrno.h>

#include "fe_rumpuser.h"
#include "rumpuser_int.h"

#define BIO_MAXTHREADS	2

struct bio_req {
	struct bio_req	*br_next;
	int		 br_fd;
	int		 br_op;		/* RUMPUSER_BIO_* */
	void		*br_data;
	size_t		 br_len;
	int64_t		 br_off;
	rump_biodone_fn	 br_done;
	void		*br_donearg;
	struct rumpuser_fault_decision br_fault;	/* made by the caller */
};

static pthread_mutex_t bio_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_cv = PTHREAD_COND_INITIALIZER;
static struct bio_req *bio_head;	/* FIFO of queued requests */
static struct bio_req **bio_tailp = &bio_head;
static int bio_nthreads;		/* I/O threads started */
static int bio_nidle;			/* of which waiting for work */

/*
 * Do one transfer: the whole length, or until an error or end of file,
 * carrying out the fault decision rumpuser_bio() made (see
 * rumpuser__fault_act): SHORT stops after fd_length bytes; TORN writes
 * fd_length bytes and cuts the power; BITFLIP flips a bit of what was
 * read; LOST reports a write done without making it; a delay sleeps and
 * a power cut ends the process before the transfer.  Returns a NetBSD
 * errno: the host's translated, a fault's as is, EIO for a transfer that
 * came up short without one; *donep gets the bytes moved.  No lock held.
 */
static int
bio_transfer(int fd, int op, void *data, size_t len, int64_t off,
    const struct rumpuser_fault_decision *fault, size_t *donep)
{
	struct rumpuser_iovec flipv;
	struct iovec iov;
	size_t done, limit;
	ssize_t n;
	int error, torn, flip, io;

	*donep = 0;
	limit = len;
	torn = flip = 0;
	/* Nothing decided (no rule armed): not even a call. */
	switch (fault->fd_action == RUMPUSER_FA_PASS ? 0 :
	    rumpuser__fault_act(fault, len)) {
	case RUMPUSER_FA_ERROR:
		return fault->fd_error;
	case RUMPUSER_FA_SHORT:
		limit = fault->fd_length;
		break;
	case RUMPUSER_FA_TORN:
		if ((op & RUMPUSER_BIO_WRITE) == 0)
			break;
		torn = 1;
		if (fault->fd_length < len)
			limit = fault->fd_length;
		break;
	case RUMPUSER_FA_BITFLIP:
		flip = (op & RUMPUSER_BIO_WRITE) == 0;
		break;
	case RUMPUSER_FA_LOST:
		if ((op & RUMPUSER_BIO_WRITE) == 0)
			break;
		*donep = len;
		return 0;
	}

	error = 0;
	io = 0;
	if (torn)
		rumpuser__fault_cut_begin();
	else
		io = rumpuser__fault_io_begin();
	for (done = 0; done < limit; done += (size_t)n) {
		iov.iov_base = (char *)data + done;
		iov.iov_len = limit - done;
		n = rumpuser__xfer(fd, (op & RUMPUSER_BIO_WRITE) != 0, &iov, 1,
		    off + (int64_t)done);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n == -1) {
			error = rumpuser__errtrans(errno);
			goto out;
		}
		if (n == 0)
			break;
	}
	if (torn)
		rumpuser__fault_cut_end(fault->fd_status);
	if (done < len)
		error = RUMP_EIO;
	else if ((op & (RUMPUSER_BIO_SYNC | RUMPUSER_BIO_WRITE)) ==
	    (RUMPUSER_BIO_SYNC | RUMPUSER_BIO_WRITE) &&
	    !rumpuser__ovl_isfd(fd) && fdatasync(fd) == -1)
		error = rumpuser__errtrans(errno);
out:
	rumpuser__fault_io_end(io);
	if (flip && error == 0) {
		flipv.iov_base = data;
		flipv.iov_len = done;
		fe_rumpuser_flip(&flipv, 1, done, fault->fd_bit);
	}
	*donep = done;
	return error;
}

/*
 * In the child of a fork the I/O threads are gone: forget them, and the
 * requests queued for them (they belong to the parent's kernel), so the
 * child's first bio starts a thread of its own.
 */
static void
bio_atfork_child(void)
{

	pthread_mutex_init(&bio_lock, NULL);
	pthread_cond_init(&bio_cv, NULL);
	bio_head = NULL;
	bio_tailp = &bio_head;
	bio_nthreads = 0;
	bio_nidle = 0;
}

/* Runs when the library is loaded. */
__attribute__((__constructor__))
static void
bio_init(void)
{

	pthread_atfork(NULL, NULL, bio_atfork_child);
}

/*
 * An I/O thread: take requests in order, do them without a vCPU, and
 * report each one holding a vCPU.  Runs until the process ends.
 */
static void *
bio_thread(void *arg)
{
	struct bio_req *br;
	size_t moved;
	int error;

	for (;;) {
		pthread_mutex_lock(&bio_lock);
		bio_nidle++;
		while (bio_head == NULL)
			pthread_cond_wait(&bio_cv, &bio_lock);
		bio_nidle--;
		br = bio_head;
		if ((bio_head = br->br_next) == NULL)
			bio_tailp = &bio_head;
		pthread_mutex_unlock(&bio_lock);

		error = bio_transfer(br->br_fd, br->br_op, br->br_data,
		    br->br_len, br->br_off, &br->br_fault, &moved);
		rumpuser__hyp.hyp_schedule();
		br->br_done(br->br_donearg, moved, error);
		rumpuser__hyp.hyp_unschedule();
		free(br);
	}
	return NULL;
}

/*
 * Start block I/O of dlen bytes at off (op: RUMPUSER_BIO_READ or WRITE,
 * optionally SYNC); biodone(donearg, bytes, error) reports it with a vCPU
 * held.  The fault point decides here, in the caller.  Never fails: a
 * request that cannot be queued is done at once.
 */
void
rumpuser_bio(int fd, int op, void *data, size_t dlen, int64_t off,
    rump_biodone_fn biodone, void *donearg)
{
	struct rumpuser_fault_decision fault;
	struct bio_req *br;
	pthread_t pt;
	pthread_attr_t attr;
	size_t moved;
	int error, start;

	fault.fd_action = RUMPUSER_FA_PASS;	/* the ask fills it all */
	(void)RUMPUSER_FAULT_ASK(op & RUMPUSER_BIO_WRITE ?
	    RUMPUSER_FP_BIO_WRITE : RUMPUSER_FP_BIO_READ, fd, off, dlen, NULL,
	    &fault);
	if (rumpuser__serial || (br = malloc(sizeof(*br))) == NULL)
		goto now;
	br->br_next = NULL;
	br->br_fd = fd;
	br->br_op = op;
	br->br_data = data;
	br->br_len = dlen;
	br->br_off = off;
	br->br_done = biodone;
	br->br_donearg = donearg;
	br->br_fault = fault;

	pthread_mutex_lock(&bio_lock);
	start = bio_nidle == 0 && bio_nthreads < BIO_MAXTHREADS;
	if (start) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&pt, &attr, bio_thread, NULL) == 0) {
			(void)pthread_setname_np(pt, "rumpuser_bio");
			bio_nthreads++;
		}
		pthread_attr_destroy(&attr);
	}
	if (bio_nthreads == 0) {
		/* No thread could be started: do it here. */
		pthread_mutex_unlock(&bio_lock);
		free(br);
		goto now;
	}
	*bio_tailp = br;
	bio_tailp = &br->br_next;
	pthread_cond_signal(&bio_cv);
	pthread_mutex_unlock(&bio_lock);
	return;

now:
	/* Serial mode, or no request or thread to be had: do it here. */
	error = bio_transfer(fd, op, data, dlen, off, &fault, &moved);
	biodone(donearg, moved, error);
}
