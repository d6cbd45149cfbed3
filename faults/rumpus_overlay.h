/*
 * librumpuser's image overlay: rumpus's own host-side interface, beside
 * rumpuser(3) (the kernel never sees this header, and the hypercalls
 * keep NetBSD's ABI).
 *
 * A disk image is a pristine file that is never written plus an overlay:
 * a memfd that a parent process makes before it forks an instance, and
 * that outlives the instance however it ends.  In the instance, the
 * image is attached under a name; rumpuser_open and rumpuser_getfileinfo
 * of that name, and rumpuser_bio, iovread, iovwrite, syncfd and close on
 * the handle open gives, work on the pair: a read comes from the overlay
 * where a block was written, else from the pristine mapping; a write goes
 * to the overlay.  The fault wrapper points (fault_hook.h) and the
 * LD_PRELOAD interposer sit above the redirection, so every fault action
 * (errors, short transfers, torn writes, bit flips, power cuts) applies
 * to the overlay as it would to a host file.  The parent then writes out
 * the image as the disk held it (pristine + overlay) for fsck, the power
 * cut oracle or an artifact.
 *
 * Granularity: RUMPUS_OVERLAY_BLOCK bytes, the host page.  The overlay's
 * memory is allocated a page at a time whatever is written, so a page is
 * the smallest unit worth tracking; a block's first write that does not
 * cover it whole copies the rest from the pristine image first (read-
 * modify-write), once per block per instance.  A torn write of k sectors
 * thus leaves the block's other sectors as they were.
 *
 * All functions return 0 or a host errno value.
 */
#ifndef _FAULTS_RUMPUS_OVERLAY_H_
#define _FAULTS_RUMPUS_OVERLAY_H_

#include <stddef.h>
#include <stdint.h>

#define RUMPUS_OVERLAY_VERSION	2
#define RUMPUS_OVERLAY_BLOCK	4096
/* The largest image an overlay takes (EFBIG beyond). */
#define RUMPUS_OVERLAY_MAXIMAGE	((uint64_t)1 << 40)

/*
 * Parent: a new, empty overlay in *fdp: a memfd (close-on-exec), sized
 * once for the largest image, or as far as the file-size limit
 * (RLIMIT_FSIZE) allows, but sparse (only written blocks take memory).
 */
int	rumpus_overlay_create(int *fdp);

/*
 * Instance: image file path, mapped read-only at pristine (size bytes),
 * becomes the host file name (any string; one that cannot exist on the
 * host, so that a missing attachment fails instead of reaching a real
 * file), its writes going to overlay ovfd, which records path (made
 * absolute).  An overlay is attached once, by one process: EBUSY when
 * ovfd already holds an image; EEXIST when name is attached already;
 * ENFILE past RUMPUS_OVERLAY_MAX images in a process; EFBIG past
 * RUMPUS_OVERLAY_MAXIMAGE bytes, or when the overlay has no room for the
 * image (it was made under a smaller file-size limit).
 */
#define RUMPUS_OVERLAY_MAX	4
int	rumpus_overlay_attach(int ovfd, const char *name, const char *path,
	    const void *pristine, uint64_t size);

/*
 * Anyone holding ovfd, at any time (the parent after the instance ends):
 * which image it holds (path into pathbuf, its size, and how many blocks
 * were written), or ENOENT when nothing was attached.
 */
int	rumpus_overlay_info(int ovfd, char *pathbuf, size_t pathlen,
	    uint64_t *sizep, uint64_t *nwrittenp);

/*
 * Write the image as the disk holds it, pristine + overlay, to outfd
 * (a regular file or memfd, from offset 0; holes where neither has
 * data).  ENOENT when nothing was attached; EINVAL for an overlay that
 * is not one.
 */
int	rumpus_overlay_export(int ovfd, int outfd);

#endif /* !_FAULTS_RUMPUS_OVERLAY_H_ */
