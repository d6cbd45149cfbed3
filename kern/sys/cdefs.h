/*
 * Compiler conveniences under NetBSD's names, for the freestanding kernel.
 */
#ifndef _SYS_CDEFS_H_
#define _SYS_CDEFS_H_

#define __predict_true(e)	__builtin_expect(((e) != 0), 1)
#define __predict_false(e)	__builtin_expect(((e) != 0), 0)
#define __dead			__attribute__((__noreturn__))
#define __printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#define __unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __noinline		__attribute__((__noinline__))
#define __section(s)		__attribute__((__section__(s)))
/*
 * Large zero-initialised tables a boot does not write (rings, hash heads
 * left empty by teardown): kept apart from the small variables a boot
 * writes, so those share fewer pages (each a copy-on-write fault in an
 * instance forked from a zygote).
 */
#define __kern_cold		__section(".bss.kern_cold")
#define __returns_twice		__attribute__((__returns_twice__))
#define __UNCONST(p)		((void *)(unsigned long)(const void *)(p))
#define __arraycount(a)		(sizeof(a) / sizeof((a)[0]))
#define __CTASSERT(e)		_Static_assert((e), #e)
#define __STRING(x)		#x
#define __CONCAT(x, y)		x ## y
#define __BEGIN_DECLS
#define __END_DECLS

#endif /* _SYS_CDEFS_H_ */
