/*
 * librumpuser: host files as the kernel's devices and images: open,
 * close, getfileinfo, scatter/gather I/O and syncfd.  Every call that
 * may wait for the disk runs without a vCPU (RUMPUSER_BLOCKING).
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <unistd.h>

#include <rump/rumperrno.h>

#include "fe_rumpuser.h"
#include "rumpuser_int.h"

/* struct rumpuser_iovec is passed to the host as struct iovec. */
_Static_assert(sizeof(struct rumpuser_iovec) == sizeof(struct iovec),
    "rumpuser_iovec and iovec differ in size");
_Static_assert(offsetof(struct rumpuser_iovec, iov_base) ==
    offsetof(struct iovec, iov_base), "iov_base offsets differ");
_Static_assert(offsetof(struct rumpuser_iovec, iov_len) ==
    offsetof(struct iovec, iov_len), "iov_len offsets differ");

/*
 * Open host file name.  mode: RUMPUSER_OPEN_RDONLY/WRONLY/RDWR, with
 * CREATE (0644), EXCL and BIO (a hint: block I/O will follow).
 */
int
rumpuser_open(const char *name, int mode, int *fdp)
{
	int flags, fd, error;

	if (RUMPUSER_FAULT(RUMPUSER_FP_OPEN, -1, 0, 0, name)
	    == RUMPUSER_FA_ERROR)
		return rumpuser__fault_last.fd_error;
	switch (mode & RUMPUSER_OPEN_ACCMODE) {
	case RUMPUSER_OPEN_RDONLY:
		flags = O_RDONLY;
		break;
	case RUMPUSER_OPEN_WRONLY:
		flags = O_WRONLY;
		break;
	case RUMPUSER_OPEN_RDWR:
		flags = O_RDWR;
		break;
	default:
		return RUMP_EINVAL;
	}
	if (mode & ~(RUMPUSER_OPEN_ACCMODE | RUMPUSER_OPEN_CREATE |
	    RUMPUSER_OPEN_EXCL | RUMPUSER_OPEN_BIO))
		return RUMP_EINVAL;
	if (mode & RUMPUSER_OPEN_CREATE)
		flags |= O_CREAT;
	if (mode & RUMPUSER_OPEN_EXCL)
		flags |= O_EXCL;
	flags |= O_CLOEXEC;
	/* An attached image: a handle on its overlay. */
	if ((error = rumpuser__ovl_open(name, mode, fdp)) != -1)
		return error;

	error = 0;
	RUMPUSER_BLOCKING(NULL, {
		if ((fd = open(name, flags, 0644)) == -1)
			error = errno;
	});
	if (error != 0)
		return rumpuser__errtrans(error);
	*fdp = fd;
	return 0;
}

/* Close a handle from rumpuser_open. */
int
rumpuser_close(int fd)
{

	rumpuser__ovl_close(fd);
	if (close(fd) == -1 && errno != EINTR)
		return rumpuser__errtrans(errno);
	return 0;
}

/*
 * Size and type of host file name; either pointer may be NULL.  A block
 * device's size is its capacity; an attached image is a regular file of
 * its pristine size.
 */
int
rumpuser_getfileinfo(const char *name, uint64_t *sizep, int *typep)
{
	struct stat sb;
	uint64_t size;
	int fd, error;

	if (rumpuser__ovl_fileinfo(name, sizep)) {
		if (typep != NULL)
			*typep = RUMPUSER_FT_REG;
		return 0;
	}
	if (stat(name, &sb) == -1)
		return rumpuser__errtrans(errno);
	size = (uint64_t)sb.st_size;
	if (S_ISBLK(sb.st_mode) && sizep != NULL) {
		if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
			return rumpuser__errtrans(errno);
		error = ioctl(fd, BLKGETSIZE64, &size) == -1 ? errno : 0;
		close(fd);
		if (error != 0)
			return rumpuser__errtrans(error);
	}
	if (sizep != NULL)
		*sizep = size;
	if (typep != NULL) {
		if (S_ISDIR(sb.st_mode))
			*typep = RUMPUSER_FT_DIR;
		else if (S_ISREG(sb.st_mode))
			*typep = RUMPUSER_FT_REG;
		else if (S_ISBLK(sb.st_mode))
			*typep = RUMPUSER_FT_BLK;
		else if (S_ISCHR(sb.st_mode))
			*typep = RUMPUSER_FT_CHR;
		else
			*typep = RUMPUSER_FT_OTHER;
	}
	return 0;
}

/* Total bytes a vector describes. */
static size_t
iov_total(const struct rumpuser_iovec *ruiov, size_t iovlen)
{
	size_t i, total = 0;

	for (i = 0; i < iovlen; i++)
		total += ruiov[i].iov_len;
	return total;
}

/*
 * The body of iovread/iovwrite: point is RUMPUSER_FP_IOVREAD or _IOVWRITE.
 * Faults: SHORT moves only the first fd_length bytes; TORN (writes) moves
 * them and cuts the power; BITFLIP (reads) flips a bit of what was read.
 */
static inline __attribute__((__always_inline__)) int
iov_transfer(int point, int fd, const struct rumpuser_iovec *ruiov,
    size_t iovlen, int64_t off, size_t *retv)
{
	struct rumpuser_iovec clipped[IOV_MAX];
	const struct iovec *iov;
	ssize_t n;
	int niov, error, action, io;

	*retv = 0;
	if (iovlen > IOV_MAX || (off < 0 && off != RUMPUSER_IOV_NOSEEK))
		return RUMP_EINVAL;
	iov = (const struct iovec *)(const void *)ruiov;
	niov = (int)iovlen;
	action = RUMPUSER_FAULT(point, fd, off, iov_total(ruiov, iovlen),
	    NULL);
	if (action == RUMPUSER_FA_TORN && point != RUMPUSER_FP_IOVWRITE)
		action = RUMPUSER_FA_PASS;
	if (action == RUMPUSER_FA_BITFLIP && point != RUMPUSER_FP_IOVREAD)
		action = RUMPUSER_FA_PASS;
	switch (action) {
	case RUMPUSER_FA_ERROR:
		return rumpuser__fault_last.fd_error;
	case RUMPUSER_FA_SHORT:
	case RUMPUSER_FA_TORN:
		niov = (int)fe_rumpuser_clip(ruiov, iovlen, clipped,
		    rumpuser__fault_last.fd_length);
		iov = (const struct iovec *)(const void *)clipped;
		break;
	}

	/*
	 * The transfer holds the power-cut lock only while it has no vCPU,
	 * so a cut never waits for a thread that waits for a vCPU.
	 */
	error = 0;
	if (action == RUMPUSER_FA_TORN)
		rumpuser__fault_cut_begin();
	RUMPUSER_BLOCKING(NULL, {
		io = action == RUMPUSER_FA_TORN ? 0 :
		    rumpuser__fault_io_begin();
		n = rumpuser__xfer(fd, point == RUMPUSER_FP_IOVWRITE, iov,
		    niov, off);
		if (n == -1)
			error = errno;
		if (action == RUMPUSER_FA_TORN)
			rumpuser__fault_cut_end(
			    rumpuser__fault_last.fd_status);
		rumpuser__fault_io_end(io);
	});
	if (error != 0)
		return rumpuser__errtrans(error);
	if (action == RUMPUSER_FA_BITFLIP)
		fe_rumpuser_flip(ruiov, iovlen, (size_t)n,
		    rumpuser__fault_last.fd_bit);
	*retv = (size_t)n;
	return 0;
}

/* Scatter read at off (RUMPUSER_IOV_NOSEEK: the current position). */
int
rumpuser_iovread(int fd, struct rumpuser_iovec *ruiov, size_t iovlen,
    int64_t off, size_t *retv)
{

	return iov_transfer(RUMPUSER_FP_IOVREAD, fd, ruiov, iovlen, off, retv);
}

/* Gather write at off (RUMPUSER_IOV_NOSEEK: the current position). */
int
rumpuser_iovwrite(int fd, const struct rumpuser_iovec *ruiov, size_t iovlen,
    int64_t off, size_t *retv)
{

	return iov_transfer(RUMPUSER_FP_IOVWRITE, fd, ruiov, iovlen, off,
	    retv);
}

/*
 * Flush fd's writes to stable storage: WRITE (or BARRIER) syncs the data,
 * with SYNC also the metadata (fsync); READ alone has nothing to do, nor
 * has an attached image (its overlay is the disk).  The range (start,
 * len; len 0 = to the end) is not narrowed on Linux.
 */
int
rumpuser_syncfd(int fd, int flags, uint64_t start, uint64_t len)
{
	int error, io;

	if (flags & ~(RUMPUSER_SYNCFD_BOTH | RUMPUSER_SYNCFD_BARRIER |
	    RUMPUSER_SYNCFD_SYNC))
		return RUMP_EINVAL;
	if (RUMPUSER_FAULT(RUMPUSER_FP_SYNCFD, fd, (int64_t)start, len, NULL)
	    == RUMPUSER_FA_ERROR)
		return rumpuser__fault_last.fd_error;
	if ((flags & (RUMPUSER_SYNCFD_WRITE | RUMPUSER_SYNCFD_BARRIER)) == 0 ||
	    rumpuser__ovl_isfd(fd))
		return 0;
	error = 0;
	RUMPUSER_BLOCKING(NULL, {
		io = rumpuser__fault_io_begin();
		if ((flags & RUMPUSER_SYNCFD_SYNC ? fsync(fd) : fdatasync(fd))
		    == -1)
			error = errno;
		rumpuser__fault_io_end(io);
	});
	return rumpuser__errtrans(error);
}
