/*
 * librumpuser: the image overlay (rumpus_overlay.h).  An attached image
 * is a host file name that rumpuser_open and rumpuser_getfileinfo serve
 * from a pristine mapping plus an overlay memfd; the handles open gives
 * are dups of the memfd, so they are real, unique descriptors that
 * rumpuser__xfer (every host transfer of bio and iovread/iovwrite) and
 * syncfd recognise.
 *
 * The overlay file: a header page (struct ovl_header, its magic written
 * last), a bitmap of written blocks (one bit per RUMPUS_OVERLAY_BLOCK),
 * then block b's bytes at oh_data + b * RUMPUS_OVERLAY_BLOCK: sparse, so
 * only written blocks take memory.  The file is sized once, by its
 * creator, for the largest image (RUMPUS_OVERLAY_MAXIMAGE), so the
 * instance never grows it (its RLIMIT_FSIZE may be small) and the
 * offsets do not depend on the image.  A block's bit is set only once its
 * bytes are in place, so an instance killed during its first write to a
 * block leaves the block as the pristine image has it (the write did not
 * happen); later writes to it land in place, as on a disk.
 *
 * Locks: ovl_lock guards the table of attachments and of handles (open,
 * close, attach); lookups on the I/O path read the handle table without
 * it (each slot's descriptor is stored last, with release order).  Each
 * attachment's ov_fill serialises first writes to a block (the read-
 * modify-write), so two partial first writes to one block cannot undo
 * each other.  Both are leaves, held for a memcpy at most, never across
 * an upcall or a blocking call.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumperrno.h>

#include "rumpus_overlay.h"
#include "rumpuser_int.h"

#define OVL_BLK		RUMPUS_OVERLAY_BLOCK
#define OVL_MAGIC	"rumpusOV"
#define OVL_MAXHANDLES	16

/* The first page of an overlay file. */
struct ovl_header {
	char		oh_magic[8];	/* OVL_MAGIC once the rest is set */
	uint32_t	oh_version;	/* RUMPUS_OVERLAY_VERSION */
	uint32_t	oh_block;	/* RUMPUS_OVERLAY_BLOCK */
	uint64_t	oh_size;	/* image bytes */
	uint64_t	oh_nblocks;
	uint64_t	oh_bitmap;	/* file offset of the bitmap */
	uint64_t	oh_data;	/* file offset of block 0 */
	char		oh_path[OVL_BLK - 48]; /* the pristine image */
};
_Static_assert(sizeof(struct ovl_header) == OVL_BLK, "ovl_header size");

/* An attached image in this process. */
struct ovl {
	char		 ov_name[1024];	/* host file name it answers to */
	int		 ov_fd;		/* our own dup of the overlay */
	const unsigned char *ov_pristine; /* the caller's mapping */
	uint64_t	 ov_size;
	uint64_t	*ov_bitmap;	/* in ov_map */
	unsigned char	*ov_data;	/* block 0, in ov_map */
	pthread_mutex_t	 ov_fill;	/* first writes to a block */
};

/* A handle rumpuser_open gave on an attached image. */
struct ovl_handle {
	int		 oh_fd;		/* -1: free; stored last */
	int		 oh_rdonly;
	struct ovl	*oh_ovl;
};

static pthread_mutex_t ovl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ovl ovl_table[RUMPUS_OVERLAY_MAX];
static int ovl_nattached;		/* ovl_table[0 .. n) in use */
static struct ovl_handle ovl_handles[OVL_MAXHANDLES] = {
	[0 ... OVL_MAXHANDLES - 1] = { .oh_fd = -1 }
};
static int ovl_nopen;			/* handles in use; 0: fast path */

/*
 * The bitmap follows the header; the data follows the bitmap, so an
 * overlay of an image of size bytes needs about size * 1.00004 bytes of
 * file.  OVL_FILESIZE is the room for the largest image.
 */
#define OVL_BITMAP	OVL_BLK
#define OVL_FILESIZE	(OVL_BITMAP + RUMPUS_OVERLAY_MAXIMAGE / OVL_BLK / 8 + \
			    OVL_BLK + RUMPUS_OVERLAY_MAXIMAGE)

/* The header of an overlay of an image of size bytes. */
static void
ovl_layout(uint64_t size, struct ovl_header *h)
{

	h->oh_version = RUMPUS_OVERLAY_VERSION;
	h->oh_block = OVL_BLK;
	h->oh_size = size;
	h->oh_nblocks = (size + OVL_BLK - 1) / OVL_BLK;
	h->oh_bitmap = OVL_BITMAP;
	h->oh_data = OVL_BITMAP +
	    (h->oh_nblocks / 8 / OVL_BLK + 1) * OVL_BLK;
}

/*
 * Read and check the header of overlay fd into *h: 0, ENOENT when no
 * image was attached, EINVAL when it is not an overlay of this version.
 */
static int
ovl_header_read(int fd, struct ovl_header *h)
{
	struct ovl_header want;
	ssize_t n;

	n = pread(fd, h, sizeof(*h), 0);
	if (n == -1)
		return errno;
	if (n == 0 || (size_t)n < sizeof(*h) || h->oh_magic[0] == '\0')
		return ENOENT;
	ovl_layout(h->oh_size, &want);
	if (memcmp(h->oh_magic, OVL_MAGIC, sizeof(h->oh_magic)) != 0 ||
	    h->oh_version != want.oh_version || h->oh_block != want.oh_block ||
	    h->oh_nblocks != want.oh_nblocks ||
	    h->oh_bitmap != want.oh_bitmap || h->oh_data != want.oh_data ||
	    memchr(h->oh_path, '\0', sizeof(h->oh_path)) == NULL)
		return EINVAL;
	return 0;
}

int
rumpus_overlay_create(int *fdp)
{
	struct rlimit rl;
	uint64_t room = OVL_FILESIZE;
	int fd, e;

	/* Under a file-size limit, room for the images that fit under it. */
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < room)
		room = rl.rlim_cur;
	if ((fd = memfd_create("rumpus-overlay", MFD_CLOEXEC)) == -1)
		return errno;
	if (ftruncate(fd, (off_t)room) == -1) {
		e = errno;
		close(fd);
		return e;
	}
	*fdp = fd;
	return 0;
}

/*
 * Attach: map the overlay as far as the image needs, write its header
 * (the magic last), and enter the name in the table.  Takes ovl_lock.
 */
int
rumpus_overlay_attach(int ovfd, const char *name, const char *path,
    const void *pristine, uint64_t size)
{
	struct ovl_header h, *hp;
	struct stat sb;
	struct ovl *ov;
	void *map = MAP_FAILED;
	char *abspath = NULL;
	size_t maplen = 0;
	int i, fd = -1, error;

	if (size > RUMPUS_OVERLAY_MAXIMAGE)
		return EFBIG;
	if (name == NULL || *name == '\0' || path == NULL ||
	    pristine == NULL || size == 0 ||
	    strlen(name) >= sizeof(ov->ov_name))
		return EINVAL;
	/* The header names the pristine file wherever its reader runs. */
	if ((abspath = realpath(path, NULL)) == NULL)
		return errno;
	if (strlen(abspath) >= sizeof(h.oh_path)) {
		free(abspath);
		return ENAMETOOLONG;
	}
	pthread_mutex_lock(&ovl_lock);
	for (i = 0; i < ovl_nattached; i++)
		if (strcmp(ovl_table[i].ov_name, name) == 0) {
			error = EEXIST;
			goto out;
		}
	if (ovl_nattached == RUMPUS_OVERLAY_MAX) {
		error = ENFILE;
		goto out;
	}
	if ((error = ovl_header_read(ovfd, &h)) != ENOENT) {
		if (error == 0)
			error = EBUSY;
		goto out;
	}
	memset(&h, 0, sizeof(h));
	ovl_layout(size, &h);
	maplen = (size_t)(h.oh_data + h.oh_nblocks * OVL_BLK);
	if ((fd = fcntl(ovfd, F_DUPFD_CLOEXEC, 0)) == -1 ||
	    fstat(fd, &sb) == -1 ||
	    (sb.st_size < (off_t)maplen && (errno = EFBIG) != 0) ||
	    (map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		error = errno;
		goto out;
	}
	hp = map;
	memcpy((char *)hp + sizeof(hp->oh_magic), (char *)&h +
	    sizeof(h.oh_magic), sizeof(h) - sizeof(h.oh_magic));
	strcpy(hp->oh_path, abspath);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(hp->oh_magic, OVL_MAGIC, sizeof(hp->oh_magic));

	ov = &ovl_table[ovl_nattached];
	strcpy(ov->ov_name, name);
	ov->ov_fd = fd;
	ov->ov_pristine = pristine;
	ov->ov_size = size;
	ov->ov_bitmap = (uint64_t *)(void *)((char *)map + h.oh_bitmap);
	ov->ov_data = (unsigned char *)map + h.oh_data;
	pthread_mutex_init(&ov->ov_fill, NULL);
	/* Lookups without the lock see the entry whole. */
	__atomic_store_n(&ovl_nattached, ovl_nattached + 1, __ATOMIC_RELEASE);
	fd = -1;
	error = 0;
out:
	if (error != 0 && map != MAP_FAILED)
		munmap(map, maplen);
	if (fd != -1)
		close(fd);
	pthread_mutex_unlock(&ovl_lock);
	free(abspath);
	return error;
}

int
rumpus_overlay_info(int ovfd, char *pathbuf, size_t pathlen,
    uint64_t *sizep, uint64_t *nwrittenp)
{
	struct ovl_header h;
	uint64_t *bitmap, n = 0;
	size_t i, words;
	int error;

	if ((error = ovl_header_read(ovfd, &h)) != 0)
		return error;
	if (pathbuf != NULL && pathlen > 0)
		snprintf(pathbuf, pathlen, "%s", h.oh_path);
	if (sizep != NULL)
		*sizep = h.oh_size;
	if (nwrittenp == NULL)
		return 0;
	words = (size_t)(h.oh_nblocks + 63) / 64;
	if ((bitmap = malloc(words * 8)) == NULL)
		return errno;
	if (pread(ovfd, bitmap, words * 8, (off_t)h.oh_bitmap) !=
	    (ssize_t)(words * 8))
		error = EIO;
	else
		for (i = 0; i < words; i++)
			n += (uint64_t)__builtin_popcountll(bitmap[i]);
	free(bitmap);
	*nwrittenp = n;
	return error;
}

/* Copy len bytes at inoff of fd in to outoff of fd out. */
static int
ovl_copy(int in, off_t inoff, int out, off_t outoff, off_t len)
{
	char buf[65536];
	ssize_t n;

	while (len > 0) {
		n = pread(in, buf, len < (off_t)sizeof(buf) ? (size_t)len :
		    sizeof(buf), inoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? EIO : errno;
		if (pwrite(out, buf, (size_t)n, outoff) != n)
			return errno != 0 ? errno : EIO;
		inoff += n;
		outoff += n;
		len -= n;
	}
	return 0;
}

/*
 * Export: the pristine image's data (its holes skipped, SEEK_DATA), then
 * every written block over it.
 */
int
rumpus_overlay_export(int ovfd, int outfd)
{
	struct ovl_header h;
	struct stat sb;
	uint64_t *bitmap = NULL, b;
	off_t data, hole, end;
	size_t words, i;
	int in, error, bit;

	if ((error = ovl_header_read(ovfd, &h)) != 0)
		return error;
	if ((in = open(h.oh_path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno;
	if (fstat(in, &sb) == -1) {
		error = errno;
		goto out;
	}
	/* A pristine image that changed size is not the one attached. */
	if ((uint64_t)sb.st_size != h.oh_size) {
		error = ESTALE;
		goto out;
	}
	end = (off_t)h.oh_size;
	if (ftruncate(outfd, 0) == -1 || ftruncate(outfd, end) == -1) {
		error = errno;
		goto out;
	}
	for (data = 0; data < end; data = hole) {
		if ((data = lseek(in, data, SEEK_DATA)) == -1) {
			if (errno == ENXIO)
				break;
			error = errno;
			goto out;
		}
		if ((hole = lseek(in, data, SEEK_HOLE)) == -1) {
			error = errno;
			goto out;
		}
		if ((error = ovl_copy(in, data, outfd, data, (hole < end ?
		    hole : end) - data)) != 0)
			goto out;
	}
	words = (size_t)(h.oh_nblocks + 63) / 64;
	if ((bitmap = malloc(words * 8)) == NULL) {
		error = errno;
		goto out;
	}
	if (pread(ovfd, bitmap, words * 8, (off_t)h.oh_bitmap) !=
	    (ssize_t)(words * 8)) {
		error = EIO;
		goto out;
	}
	for (i = 0; i < words; i++)
		while (bitmap[i] != 0) {
			bit = __builtin_ctzll(bitmap[i]);
			bitmap[i] &= bitmap[i] - 1;
			b = i * 64 + (uint64_t)bit;
			/* Block b of the overlay onto block b of the image. */
			if ((error = ovl_copy(ovfd, (off_t)(h.oh_data +
			    b * OVL_BLK), outfd, (off_t)(b * OVL_BLK),
			    (off_t)(h.oh_size - b * OVL_BLK < OVL_BLK ?
			    h.oh_size - b * OVL_BLK : OVL_BLK))) != 0)
				goto out;
		}
out:
	free(bitmap);
	close(in);
	return error;
}

/*
 * The attachment answering to host file name, or NULL.  Entries below
 * ovl_nattached never change, so no lock is needed to read them.
 */
static struct ovl *
ovl_byname(const char *name)
{
	int i, n;

	n = __atomic_load_n(&ovl_nattached, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++)
		if (strcmp(ovl_table[i].ov_name, name) == 0)
			return &ovl_table[i];
	return NULL;
}

/* The handle that descriptor fd is, or NULL; one load when none is open. */
static struct ovl_handle *
ovl_handle(int fd)
{
	int i;

	if (__builtin_expect(__atomic_load_n(&ovl_nopen, __ATOMIC_ACQUIRE) ==
	    0, 1))
		return NULL;
	for (i = 0; i < OVL_MAXHANDLES; i++)
		if (__atomic_load_n(&ovl_handles[i].oh_fd, __ATOMIC_ACQUIRE) ==
		    fd)
			return &ovl_handles[i];
	return NULL;
}

int
rumpuser__ovl_fileinfo(const char *name, uint64_t *sizep)
{
	struct ovl *ov;

	if ((ov = ovl_byname(name)) == NULL)
		return 0;
	if (sizep != NULL)
		*sizep = ov->ov_size;
	return 1;
}

int
rumpuser__ovl_isfd(int fd)
{

	return ovl_handle(fd) != NULL;
}

/*
 * rumpuser_open of an attached image: a new handle (a dup of the
 * overlay), read-only unless mode asks for writing.  -1 when name is not
 * attached; else 0 or a NetBSD errno.  Takes ovl_lock.
 */
int
rumpuser__ovl_open(const char *name, int mode, int *fdp)
{
	struct ovl *ov;
	int i, fd, error;

	if ((ov = ovl_byname(name)) == NULL)
		return -1;
	if ((mode & (RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL)) ==
	    (RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL))
		return RUMP_EEXIST;
	pthread_mutex_lock(&ovl_lock);
	for (i = 0; i < OVL_MAXHANDLES && ovl_handles[i].oh_fd != -1; i++)
		continue;
	if (i == OVL_MAXHANDLES) {
		error = RUMP_EMFILE;
		goto out;
	}
	if ((fd = fcntl(ov->ov_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		error = rumpuser__errtrans(errno);
		goto out;
	}
	ovl_handles[i].oh_ovl = ov;
	ovl_handles[i].oh_rdonly =
	    (mode & RUMPUSER_OPEN_ACCMODE) == RUMPUSER_OPEN_RDONLY;
	__atomic_store_n(&ovl_handles[i].oh_fd, fd, __ATOMIC_RELEASE);
	__atomic_add_fetch(&ovl_nopen, 1, __ATOMIC_RELEASE);
	*fdp = fd;
	error = 0;
out:
	pthread_mutex_unlock(&ovl_lock);
	return error;
}

/*
 * Before fd is closed: when it is a handle on an attached image, free
 * its slot.  Takes ovl_lock.
 */
void
rumpuser__ovl_close(int fd)
{
	struct ovl_handle *oh;

	if ((oh = ovl_handle(fd)) == NULL)
		return;
	pthread_mutex_lock(&ovl_lock);
	__atomic_store_n(&oh->oh_fd, -1, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&ovl_nopen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ovl_lock);
}

/* Has block b been written? */
static inline int
ovl_written(const struct ovl *ov, uint64_t b)
{

	return (__atomic_load_n(&ov->ov_bitmap[b / 64], __ATOMIC_ACQUIRE) >>
	    (b % 64)) & 1;
}

/*
 * Write n bytes at image offset pos, all inside block b.  The block's
 * first write (under ov_fill) completes the block from the pristine
 * image unless it covers it whole, then sets its bit.
 */
static void
ovl_write_block(struct ovl *ov, uint64_t b, uint64_t pos, const void *src,
    size_t n)
{
	uint64_t start = b * OVL_BLK, blen;

	if (ovl_written(ov, b)) {
		memcpy(ov->ov_data + pos, src, n);
		return;
	}
	blen = ov->ov_size - start < OVL_BLK ? ov->ov_size - start : OVL_BLK;
	pthread_mutex_lock(&ov->ov_fill);
	if (!ovl_written(ov, b) && n < blen)
		memcpy(ov->ov_data + start, ov->ov_pristine + start,
		    (size_t)blen);
	memcpy(ov->ov_data + pos, src, n);
	__atomic_fetch_or(&ov->ov_bitmap[b / 64], (uint64_t)1 << (b % 64),
	    __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ov->ov_fill);
}

/*
 * Move len bytes between buf and the image at off, block by block: reads
 * from the overlay where a block was written, else from the pristine
 * mapping.  Returns the bytes moved: fewer at the image's end (a write
 * that starts there fails with ENOSPC: -1, errno set).
 */
static ssize_t
ovl_rw(struct ovl *ov, int write, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	uint64_t pos, b;
	size_t done, n;

	if (off >= ov->ov_size) {
		if (write && len > 0) {
			errno = ENOSPC;
			return -1;
		}
		return 0;
	}
	if (len > ov->ov_size - off)
		len = (size_t)(ov->ov_size - off);
	for (done = 0; done < len; done += n) {
		pos = off + done;
		b = pos / OVL_BLK;
		n = OVL_BLK - (size_t)(pos % OVL_BLK);
		if (n > len - done)
			n = len - done;
		if (write)
			ovl_write_block(ov, b, pos, p + done, n);
		else
			memcpy(p + done, (ovl_written(ov, b) ? ov->ov_data :
			    ov->ov_pristine) + pos, n);
	}
	return (ssize_t)len;
}

/*
 * Every host transfer of bio and iovread/iovwrite: niov vectors read or
 * written at off (RUMPUSER_IOV_NOSEEK: the current position), from or to
 * descriptor fd, or the image when fd is a handle on one (which has no
 * position: ESPIPE; a read-only handle cannot write: EBADF).  As
 * preadv/pwritev: bytes moved, or -1 with errno set.
 */
ssize_t
rumpuser__xfer(int fd, int write, const struct iovec *iov, int niov,
    int64_t off)
{
	struct ovl_handle *oh;
	ssize_t n, total = 0;
	int i;

	if ((oh = ovl_handle(fd)) == NULL) {
		if (off == RUMPUSER_IOV_NOSEEK)
			return write ? writev(fd, iov, niov) :
			    readv(fd, iov, niov);
		return write ? pwritev(fd, iov, niov, (off_t)off) :
		    preadv(fd, iov, niov, (off_t)off);
	}
	if (off == RUMPUSER_IOV_NOSEEK || off < 0) {
		errno = off == RUMPUSER_IOV_NOSEEK ? ESPIPE : EINVAL;
		return -1;
	}
	if (write && oh->oh_rdonly) {
		errno = EBADF;
		return -1;
	}
	for (i = 0; i < niov; i++) {
		n = ovl_rw(oh->oh_ovl, write, iov[i].iov_base, iov[i].iov_len,
		    (uint64_t)off + (uint64_t)total);
		if (n == -1)
			return total > 0 ? total : -1;
		total += n;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	return total;
}
