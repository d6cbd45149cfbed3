/*
 * Disk images for scenarios: image.ext2{...} builds an ext2 image with the
 * real mke2fs (populated with -d from a staging directory) and caches it
 * by its parameters, outside any per-test directory; img:fsck() runs
 * e2fsck -fn on it.  Images are built in the zygote, before any fork, and
 * mapped there (shared, read-only) once per file: an instance's overlay
 * (rumpus_overlay.h) reads the pristine image through that mapping and
 * never writes it.
 *
 * Image objects are full userdata of metatable "rumpus.image".
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>

#include "lrumpus.h"

#define LIMAGE_MT	"rumpus.image"

struct limage {
	char	li_path[1024];		/* the cached, pristine image */
	char	li_fstype[8];		/* "ext2" */
};

static char limage_cache[900];

/* A pristine image mapped in the zygote, for as long as the process runs. */
struct limage_map {
	struct limage_map *lm_next;
	const void	*lm_addr;
	uint64_t	 lm_size;
	char		 lm_path[];
};
static struct limage_map *limage_maps;

/*
 * Set the directory that holds built images (created when missing).
 */
void
rumpus_image_cachedir(const char *dir)
{

	snprintf(limage_cache, sizeof(limage_cache), "%s", dir);
}

/* FNV-1a, 64 bits: names a cached image by its parameters. */
static uint64_t
limage_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * Create every directory of path below root (mkdir -p).
 */
static int
limage_mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/*
 * Write the files table (at index t) under the staging directory dir.
 * Keys are absolute paths; a key ending in "/" is a directory, any other
 * key a regular file whose contents are the string value.
 */
static void
limage_stage(lua_State *L, int t, const char *dir)
{
	char path[2048];
	const char *name, *data;
	size_t len;
	int fd;

	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		name = lua_tostring(L, -2);
		if (lua_type(L, -2) != LUA_TSTRING || name[0] != '/' ||
		    strstr(name, "/../") != NULL)
			luaL_error(L, "image.ext2: files keys must be absolute "
			    "paths without \"..\"");
		snprintf(path, sizeof(path), "%s%s", dir, name);
		if (limage_mkdirs(path) == -1)
			luaL_error(L, "image.ext2: %s: %s", path,
			    strerror(errno));
		if (name[strlen(name) - 1] != '/') {
			if ((data = lua_tolstring(L, -1, &len)) == NULL)
				luaL_error(L, "image.ext2: files[\"%s\"] must "
				    "be a string (the contents)", name);
			if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC,
			    0644)) == -1 || write(fd, data, len) !=
			    (ssize_t)len || close(fd) == -1)
				luaL_error(L, "image.ext2: %s: %s", path,
				    strerror(errno));
		}
		lua_pop(L, 1);
	}
}

/*
 * Push the canonical description of the files table at index t: sorted
 * entries " keylen:key=datalen:data", lengths first so that no contents
 * can fake a boundary; equal tables name the same cached image.
 */
static void
limage_describe_files(lua_State *L, int t)
{
	lua_Integer i, n = 0;
	int keys;

	lua_newtable(L);
	keys = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, "image.ext2: files keys must be absolute "
			    "paths without \"..\"");
		lua_pushvalue(L, -1);
		lua_seti(L, keys, ++n);
	}
	lua_getglobal(L, "table");
	lua_getfield(L, -1, "sort");
	lua_remove(L, -2);
	lua_pushvalue(L, keys);
	lua_call(L, 1, 0);
	lua_pushliteral(L, "");				/* the description */
	for (i = 1; i <= n; i++) {
		lua_geti(L, keys, i);			/* key */
		lua_pushvalue(L, -1);
		lua_gettable(L, t);			/* value */
		lua_pushfstring(L, " %d:%s=%d:", (int)lua_rawlen(L, -2),
		    lua_tostring(L, -2), lua_type(L, -1) == LUA_TSTRING ?
		    (int)lua_rawlen(L, -1) : 0);
		if (lua_type(L, -2) == LUA_TSTRING)
			lua_pushvalue(L, -2);
		else
			lua_pushliteral(L, "");
		lua_concat(L, 2);			/* entry */
		lua_replace(L, -3);
		lua_pop(L, 1);
		lua_concat(L, 2);			/* description */
	}
	lua_remove(L, keys);
}

/*
 * Map the image file path read-only, once per path; 0 or an errno.
 */
static int
limage_map(const char *path)
{
	struct limage_map *lm;
	struct stat sb;
	void *addr;
	int fd, e;

	for (lm = limage_maps; lm != NULL; lm = lm->lm_next)
		if (strcmp(lm->lm_path, path) == 0)
			return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno;
	if (fstat(fd, &sb) == -1 || (sb.st_size == 0 && (errno = EINVAL)) ||
	    (addr = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd,
	    0)) == MAP_FAILED) {
		e = errno;
		close(fd);
		return e;
	}
	close(fd);
	if ((lm = malloc(sizeof(*lm) + strlen(path) + 1)) == NULL) {
		e = errno;
		munmap(addr, (size_t)sb.st_size);
		return e;
	}
	lm->lm_addr = addr;
	lm->lm_size = (uint64_t)sb.st_size;
	strcpy(lm->lm_path, path);
	lm->lm_next = limage_maps;
	limage_maps = lm;
	return 0;
}

const void *
limage_pristine(const char *path, uint64_t *sizep)
{
	struct limage_map *lm;

	for (lm = limage_maps; lm != NULL; lm = lm->lm_next)
		if (strcmp(lm->lm_path, path) == 0) {
			*sizep = lm->lm_size;
			return lm->lm_addr;
		}
	return NULL;
}

/*
 * image.ext2{size="8M", block=1024, inode=256, features=nil, files={}}:
 * the image, built with mke2fs on first use and cached by parameters.
 * Without features, mke2fs -t ext2's own defaults (Debian's mke2fs.conf:
 * filetype, dir_index, resize_inode, ...), the image a user would make.
 */
static int
limage_ext2(lua_State *L)
{
	char size[32], block[16], inode[16], out[4096], dir[1100];
	char tmp[1100];
	const char *s, *features, *desc;
	struct limage *li;
	struct stat sb;
	lua_Integer v;
	int st;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	/* Its instances will need host programs (lhost.c). */
	lua_pushboolean(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, LRUMPUS_IMAGES);
	if (limage_cache[0] == '\0')
		return luaL_error(L, "image.ext2: no image cache directory "
		    "(the runner sets one)");

	lua_getfield(L, 1, "size");			/* 2 */
	if (lua_type(L, 2) == LUA_TNUMBER) {
		v = lua_tointeger(L, 2);
		if (v < 65536)
			return luaL_error(L, "image.ext2: size must be at "
			    "least 64K");
		snprintf(size, sizeof(size), "%lldk", (long long)(v / 1024));
	} else if (lua_type(L, 2) == LUA_TSTRING) {
		s = lua_tostring(L, 2);
		if (strspn(s, "0123456789") == 0 ||
		    strspn(s, "0123456789") + 1 < strlen(s) ||
		    strchr("0123456789KMGkmg", s[strlen(s) - 1]) == NULL)
			return luaL_error(L, "image.ext2: size \"%s\" is not "
			    "a number with an optional K, M or G", s);
		snprintf(size, sizeof(size), "%s", s);
	} else if (lua_isnil(L, 2)) {
		snprintf(size, sizeof(size), "8M");
	} else
		return luaL_error(L, "image.ext2: size must be a string like "
		    "\"8M\" or a number of bytes, not a %s", luaL_typename(L, 2));
	lua_getfield(L, 1, "block");			/* 3 */
	v = luaL_optinteger(L, 3, 1024);
	if (v != 1024 && v != 2048 && v != 4096)
		return luaL_error(L, "image.ext2: block must be 1024, 2048 or "
		    "4096");
	snprintf(block, sizeof(block), "%d", (int)v);
	lua_getfield(L, 1, "inode");			/* 4 */
	v = luaL_optinteger(L, 4, 128);
	if (v != 128 && v != 256)
		return luaL_error(L, "image.ext2: inode must be 128 or 256");
	snprintf(inode, sizeof(inode), "%d", (int)v);
	lua_getfield(L, 1, "features");			/* 5 */
	if (!lua_isnil(L, 5) && !lua_isstring(L, 5))
		return luaL_error(L, "image.ext2: features must be a string "
		    "(mke2fs -O), not a %s", luaL_typename(L, 5));
	features = luaL_optstring(L, 5, "default");
	if (lua_getfield(L, 1, "files") != LUA_TNIL &&	/* 6 */
	    !lua_istable(L, 6))
		return luaL_error(L, "image.ext2: files must be a table, not "
		    "a %s", luaL_typename(L, 6));

	lua_pushfstring(L, "ext2 size=%s block=%s inode=%s features=%s",
	    size, block, inode, features);		/* 7 */
	if (lua_istable(L, 6)) {
		limage_describe_files(L, 6);
		lua_concat(L, 2);
	}
	desc = lua_tostring(L, 7);

	li = lua_newuserdatauv(L, sizeof(*li), 0);	/* 8 */
	memset(li, 0, sizeof(*li));
	luaL_setmetatable(L, LIMAGE_MT);
	snprintf(li->li_fstype, sizeof(li->li_fstype), "ext2");
	snprintf(li->li_path, sizeof(li->li_path), "%s/ext2-%016" PRIx64
	    ".img", limage_cache, limage_hash(desc, strlen(desc)));
	if (stat(li->li_path, &sb) == 0)
		goto map;

	snprintf(dir, sizeof(dir), "%s/", limage_cache);
	if (limage_mkdirs(dir) == -1)
		return luaL_error(L, "image.ext2: cache %s: %s", limage_cache,
		    strerror(errno));
	snprintf(dir, sizeof(dir), "%s/stage.XXXXXX", limage_cache);
	if (mkdtemp(dir) == NULL)
		return luaL_error(L, "image.ext2: %s: %s", dir,
		    strerror(errno));
	if (lua_istable(L, 6))
		limage_stage(L, 6, dir);
	snprintf(tmp, sizeof(tmp), "%s.%ld", li->li_path, (long)getpid());
	{
		char *argv[17];
		int n = 0;

		argv[n++] = "mke2fs"; argv[n++] = "-q"; argv[n++] = "-F";
		argv[n++] = "-t"; argv[n++] = "ext2";
		argv[n++] = "-b"; argv[n++] = block;
		argv[n++] = "-I"; argv[n++] = inode;
		/* "default": no -O, so mke2fs.conf's feature list holds. */
		if (strcmp(features, "default") != 0) {
			argv[n++] = "-O"; argv[n++] = (char *)features;
		}
		argv[n++] = "-d"; argv[n++] = dir;
		argv[n++] = tmp; argv[n++] = size;
		argv[n] = NULL;
		st = lhost_run(argv, out, sizeof(out));
	}
	{
		char *const rmv[] = { "rm", "-rf", dir, NULL };
		char junk[256];

		(void)lhost_run(rmv, junk, sizeof(junk));
	}
	if (st != 0) {
		unlink(tmp);
		return luaL_error(L, "image.ext2: mke2fs failed: %s", out);
	}
	/* Atomic: runners in parallel may build the same image. */
	if (rename(tmp, li->li_path) == -1) {
		unlink(tmp);
		return luaL_error(L, "image.ext2: %s: %s", li->li_path,
		    strerror(errno));
	}
map:
	if ((st = limage_map(li->li_path)) != 0)
		return luaL_error(L, "image.ext2: mapping %s: %s", li->li_path,
		    strerror(st));
	return 1;
}

int
rumpus_image_fsck(const char *path, char *out, size_t outlen)
{
	char *const argv[] = { "e2fsck", "-fn", (char *)path, NULL };

	return lhost_run(argv, out, outlen);
}

int
rumpus_image_repair(const char *src, const char *dst, char *out,
    size_t outlen)
{
	char *const cp[] = { "cp", "--sparse=always", (char *)src,
	    (char *)dst, NULL };
	char *const fsck[] = { "e2fsck", "-fy", (char *)dst, NULL };

	if (lhost_run(cp, out, outlen) != 0)
		return -1;
	return lhost_run(fsck, out, outlen);
}

/*
 * img:fsck([path]): e2fsck -fn on the image (or on a copy at path).
 * Returns true when clean; false and what e2fsck listed otherwise.
 */
static int
limage_fsck(lua_State *L)
{
	struct limage *li = luaL_checkudata(L, 1, LIMAGE_MT);
	const char *path = luaL_optstring(L, 2, li->li_path);
	char out[8192];

	if (rumpus_image_fsck(path, out, sizeof(out)) == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_pushboolean(L, 0);
	lua_pushstring(L, out);
	return 2;
}

const char *
limage_path(lua_State *L, int idx)
{
	struct limage *li = luaL_testudata(L, idx, LIMAGE_MT);

	return li != NULL ? li->li_path : NULL;
}

/* img.path, img.fstype */
static int
limage_index(lua_State *L)
{
	struct limage *li = luaL_checkudata(L, 1, LIMAGE_MT);
	const char *key = luaL_checkstring(L, 2);

	if (strcmp(key, "path") == 0)
		lua_pushstring(L, li->li_path);
	else if (strcmp(key, "fstype") == 0)
		lua_pushstring(L, li->li_fstype);
	else if (strcmp(key, "fsck") == 0)
		lua_pushcfunction(L, limage_fsck);
	else
		return luaL_error(L, "image has no field \"%s\"", key);
	return 1;
}

static int
limage_tostring(lua_State *L)
{
	struct limage *li = luaL_checkudata(L, 1, LIMAGE_MT);

	lua_pushfstring(L, "%s image %s", li->li_fstype, li->li_path);
	return 1;
}

void
limage_open(lua_State *L)
{
	static const luaL_Reg meta[] = {
		{ "__index",	limage_index },
		{ "__tostring",	limage_tostring },
		{ NULL,		NULL }
	};

	luaL_newmetatable(L, LIMAGE_MT);
	luaL_setfuncs(L, meta, 0);
	lua_pop(L, 1);
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, limage_ext2);
	lua_setfield(L, -2, "ext2");
}
