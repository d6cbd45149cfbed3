/*
 * Internal interfaces of the Lua binding (lua/): what lscenario.c, the
 * kernel table (lkern.c), the images (limage.c), the host programs
 * (lhost.c) and the sandbox (lsandbox.c) offer one another.
 */
#ifndef _LRUMPUS_H_
#define _LRUMPUS_H_

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "rumpus_lua.h"

/* lscenario.c */
void	lscen_setstr(char *, size_t, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
int	lscen_pcall(lua_State *, int, struct rumpus_result *);

/*
 * The kernel table.  lkern_openlib pushes the table k.  lkern_boot boots the
 * kernel in a child, mounts the fs variant ("" for none; for ext2 the image
 * file given, through the instance's overlay) and pushes the fs
 * argument of the body; on failure it fills *res and returns -1 (pushing
 * nothing).  lkern_teardown unmounts and stops the kernel, turning what the
 * books hold into a "leak" verdict when no other outcome was decided.
 * lkern_interrupt (from a signal handler, at a timeout) writes the
 * kernel's lwps into rr_lwps and its deadlock cycle into rr_deadlock.
 */
void	lkern_openlib(lua_State *);
int	lkern_fs_known(const char *);
int	lkern_boot(lua_State *, const char *, const char *,
	    struct rumpus_result *);
void	lkern_teardown(lua_State *, struct rumpus_result *);
void	lkern_interrupt(struct rumpus_result *);

/*
 * lsymtab.c: function names for addresses of this executable;
 * lsym_walk collects the return addresses of a frame-pointer chain while
 * they lie in this executable's functions.
 */
int	lsym_load(void);
const char *lsym_lookup(uintptr_t, uintptr_t *);
const char *lsym_entry(size_t, uintptr_t *, uintptr_t *);
size_t	lsym_walk(const uintptr_t *, uintptr_t *, size_t);

/*
 * lhost.c: host programs (mke2fs, e2fsck).  lhost_run runs one with its
 * output into a buffer; lhost_confine, in an instance about to be
 * sandboxed, forks the helper that runs them from then on (or none).
 * LRUMPUS_IMAGES (registry) is set in an interpreter that made images.
 */
#define LRUMPUS_IMAGES	"rumpus.images"
int	lhost_run(char *const [], char *, size_t);
int	lhost_confine(int);

/*
 * lsandbox.c: lsandbox_prepare builds the filter in the zygote (once);
 * lsandbox_enter confines this instance before its kernel boots (0), or
 * fills an error verdict (-1).
 */
void	lsandbox_prepare(void);
int	lsandbox_enter(lua_State *, struct rumpus_result *);

/*
 * lscenario.c: lscen_luastack writes the Lua stack of the running body
 * (innermost frame first, after header) into buf; safe in a signal
 * handler of the body's own thread.
 */
void	lscen_luastack(char *, size_t, const char *);

/*
 * lfault.c: the fault engine of an instance.  lfault_boot installs it
 * before rump_init (-1 with the verdict filled on a bad plan);
 * lfault_finish writes counts and digest after teardown; lfault_snapshot
 * names a file k.image_copy() made, for the runner to remove; lfault_errno notes an errno a kernel
 * call returned to the scenario; lfault_openlib pushes the table fault.
 */
int	lfault_boot(struct rumpus_result *);
void	lfault_finish(struct rumpus_result *);
void	lfault_snapshot(const char *);
void	lfault_errno(int);
void	lfault_openlib(lua_State *);

/*
 * ldurable.c: what fsync, sync and unmount made durable on the ext2 file
 * system, recorded in the verdict.  Every hook runs inside a kernel-call
 * bracket (the caller's context current) and keeps errno.  Before a
 * change: ldur_change (content, by path), ldur_remove (unlink, rmdir; with
 * a second path, rename), ldur_fdchange (through a descriptor); after it,
 * whatever its result, ldur_done, or for a write ldur_written (a write
 * through an O_SYNC or O_DSYNC descriptor makes its file durable).  After success: ldur_opened,
 * ldur_closed, ldur_dup, ldur_renamed, ldur_mounted.  Around the calls
 * that make data durable, ldur_gen before and ldur_fsynced, ldur_synced,
 * ldur_unmounting ... ldur_unmounted after.
 */
struct ldur_file;
void	ldur_boot(struct rumpus_result *);
void	ldur_mounted(const char *);
void	ldur_change(int, const char *);
void	ldur_remove(int, const char *, int, const char *);
uint64_t ldur_fdchange(int);
void	ldur_done(void);
void	ldur_written(int, ssize_t, size_t, uint64_t);
void	ldur_opened(int, const char *, int);
void	ldur_closed(int);
void	ldur_dup(int, int);
void	ldur_renamed(int, const char *, int, const char *);
uint64_t ldur_gen(void);
void	ldur_fsynced(int, uint64_t);
void	ldur_synced(uint64_t);
int	ldur_unmounting(const char *, struct ldur_file **);
void	ldur_unmounted(int, int, struct ldur_file *, uint64_t);

/*
 * limage.c: limage_open pushes the table image; limage_path returns the
 * file of the image object at index idx, or NULL when it is not one;
 * limage_pristine returns the zygote's read-only mapping of an image file
 * that image.ext2{} made (and its size), or NULL.
 */
void	limage_open(lua_State *);
const char *limage_path(lua_State *, int);
const void *limage_pristine(const char *, uint64_t *);

/*
 * lscenario.c: the overlay (rumpus_overlay.h) the runner made for this
 * instance (rumpus_case_overlay), or -1.
 */
int	lscen_overlay(void);

#endif /* !_LRUMPUS_H_ */
