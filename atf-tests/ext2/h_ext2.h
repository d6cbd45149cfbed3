/*
 * Helpers of the ext2 tests: images made by e2fsprogs in the test's work
 * directory, mounted through etfs; a host directory as the model of what
 * the image should hold (every operation is applied to both, and the two
 * trees compared); e2fsck and debugfs as the oracle after unmount.
 */
#ifndef _ATF_TESTS_EXT2_H_EXT2_H_
#define _ATF_TESTS_EXT2_H_EXT2_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXT2_IMG	"ext2.img"	/* the image, in the work directory */
#define EXT2_DEV	"/dev/ext2"	/* its etfs key */
#define EXT2_MNT	"/mnt"

/* The configurations the interop tests cover. */
struct ext2_variant {
	const char	*ev_name;
	const char	*ev_opts;	/* mke2fs options */
	unsigned	 ev_bsize;
};
extern const struct ext2_variant ext2_variants[];
extern const size_t ext2_nvariants;

/* Skip (or fail on CI) without e2fsprogs. */
void	ext2_require_tools(void);
/* Run a shell command; its exit status (its output kept in out, if given). */
int	ext2_sh(char *out, size_t outlen, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/* Make img (MiB) with mke2fs options, populated from srcdir if not NULL. */
void	ext2_mkimage(const char *img, unsigned mib, const char *opts,
	    const char *srcdir);
/* Register img under EXT2_DEV (once per boot) and mount it on EXT2_MNT. */
int	ext2_mount(const char *img, int flags);
/* e2fsck -fn img must find nothing. */
void	ext2_require_fsck_clean(const char *img);
/* e2fsck -fn img: true if clean (the report in out). */
bool	ext2_fsck_clean(const char *img, char *out, size_t outlen);
/* debugfs rdump of the image into dir must equal the model tree. */
void	ext2_require_debugfs_tree(const char *img, const char *model);

/* Reading a tree: the host's or the kernel's. */
struct ext2_stat {
	unsigned	type;		/* S_IFMT bits (the same on both) */
	unsigned	perm;		/* 07777 bits */
	int64_t		size;
	unsigned	nlink;
};
struct ext2_reader {
	const char	*r_name;
	int		(*r_list)(const char *, char ***, size_t *);
	int		(*r_stat)(const char *, struct ext2_stat *);
	ssize_t		(*r_pread)(const char *, void *, size_t, off_t);
	ssize_t		(*r_readlink)(const char *, char *, size_t);
};
extern const struct ext2_reader ext2_host, ext2_kernel;
/*
 * Compare two trees (names, types, modes, sizes, contents, symlink
 * targets; link counts of non-directories if nlinks); lost+found is not
 * compared.  False with the first difference in why.
 */
bool	ext2_tree_compare(const struct ext2_reader *, const char *,
	    const struct ext2_reader *, const char *, bool, char *, size_t);
/* Fill a host directory with a tree that exercises the format. */
void	ext2_populate(const char *dir, unsigned bsize);

/* A seeded pseudo-random number below n (xorshift64*; state not 0). */
uint64_t ext2_rnd(uint64_t *, uint64_t);
/* Deterministic file data: byte i of a stream named by seed. */
uint8_t	ext2_data(uint32_t seed, uint64_t i);

#endif /* _ATF_TESTS_EXT2_H_EXT2_H_ */
