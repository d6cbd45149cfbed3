/*
 * Operations on the kernel's ext2 (under EXT2_MNT) and on a host model
 * directory at once (h_ext2ops.c): each returns true if it succeeded on
 * both and fails the test if only one of them failed.
 */
#ifndef _ATF_TESTS_EXT2_H_EXT2OPS_H_
#define _ATF_TESTS_EXT2_H_EXT2OPS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void	ops_set_model(const char *);
/* Prefixed to every failure message (a seed and a step, say). */
void	ops_set_context(const char *);
bool	op_write(const char *, uint64_t, size_t, uint32_t, bool);
bool	op_truncate(const char *, uint64_t);
bool	op_mkdir(const char *, unsigned);
bool	op_rename(const char *, const char *);
bool	op_unlink(const char *);
bool	op_rmdir(const char *);
bool	op_link(const char *, const char *);
bool	op_symlink(const char *, const char *);
bool	op_chmod(const char *, unsigned);
/* The kernel's tree equals the model (link counts included). */
void	ops_require_same(const char *);

#endif /* _ATF_TESTS_EXT2_H_EXT2OPS_H_ */
