/*
 * Scatter/gather I/O descriptions (NetBSD's uio(9)).  In a rump kernel the
 * caller's buffers are in the same address space, so uiomove() is a copy.
 */
#ifndef _SYS_UIO_H_
#define _SYS_UIO_H_

#include <sys/types.h>
#include <rump/rumpdefs.h>

#define iovec		rump_iovec
#define IOV_MAX		RUMP_IOV_MAX

enum uio_rw { UIO_READ, UIO_WRITE };

struct uio {
	struct iovec	*uio_iov;	/* the segments, advanced as consumed */
	int		 uio_iovcnt;	/* segments left */
	off_t		 uio_offset;	/* file offset of the next byte */
	size_t		 uio_resid;	/* bytes left */
	enum uio_rw	 uio_rw;	/* UIO_READ: kernel to caller */
};

void	uio_init1(struct uio *, struct iovec *, void *, size_t, off_t,
	    enum uio_rw);
int	uiomove(void *, size_t, struct uio *);
int	uiomove_zero(size_t, struct uio *);

#endif /* _SYS_UIO_H_ */
