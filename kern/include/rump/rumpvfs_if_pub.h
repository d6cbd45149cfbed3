/*
 * The VFS part of the rump kernel's public interface (NetBSD's
 * rump/rumpvfs_if_pub.h and the etfs types of rump/rump.h): etfs, "extra
 * terrestrial file system", makes a host file visible inside the kernel
 * under a key path, as a block device (RUMP_ETFS_BLK: what a disk file
 * system mounts) or as a regular file (RUMP_ETFS_REG).  Each call returns 0
 * or a NetBSD errno value.  Call after rump_init().
 */
#ifndef _RUMP_RUMPVFS_IF_PUB_H_
#define _RUMP_RUMPVFS_IF_PUB_H_

#include <stdint.h>

enum rump_etfs_type {
	RUMP_ETFS_REG,
	RUMP_ETFS_BLK,
	RUMP_ETFS_CHR,
	RUMP_ETFS_DIR,
	RUMP_ETFS_DIR_SUBDIRS
};

/* The whole host file under the absolute path key. */
int	rump_pub_etfs_register(const char *, const char *,
	    enum rump_etfs_type);
/*
 * A window of the host file: begin and size in bytes
 * (RUMP_ETFS_SIZE_ENDOFF: to the end of the file).
 */
#define RUMP_ETFS_SIZE_ENDOFF	((uint64_t)-1)
int	rump_pub_etfs_register_withsize(const char *, const char *,
	    enum rump_etfs_type, uint64_t, uint64_t);
/* Unregister: EBUSY while the device is mounted or open. */
int	rump_pub_etfs_remove(const char *);

#endif /* _RUMP_RUMPVFS_IF_PUB_H_ */
