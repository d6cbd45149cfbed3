/*
 * atomic_ops(3) and membar_ops(3) under NetBSD's names, on the compiler's
 * __atomic builtins.
 */
#ifndef _SYS_ATOMIC_H_
#define _SYS_ATOMIC_H_

#include <sys/types.h>

#define atomic_inc_uint(p)	((void)__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_dec_uint(p)	((void)__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_inc_uint_nv(p)	__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_dec_uint_nv(p)	__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)
#define atomic_inc_ulong(p)	((void)__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_dec_ulong(p)	((void)__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST))
#define atomic_add_int(p, v)	((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_add_long(p, v)	((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_add_int_nv(p, v)	__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST)
#define atomic_add_64(p, v)	((void)__atomic_add_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_or_uint(p, v)	((void)__atomic_or_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_and_uint(p, v)	((void)__atomic_and_fetch((p), (v), __ATOMIC_SEQ_CST))
#define atomic_swap_ptr(p, v)	__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define atomic_load_relaxed(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Compare and swap: returns the old value, as NetBSD's do. */
#define _ATOMIC_CAS(p, o, n) __extension__ ({				\
	__typeof__(*(p)) _ac_old = (o);					\
	__atomic_compare_exchange_n((p), &_ac_old, (n), false,		\
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);			\
	_ac_old;							\
})
#define atomic_cas_uint(p, o, n)	_ATOMIC_CAS(p, o, n)
#define atomic_cas_ulong(p, o, n)	_ATOMIC_CAS(p, o, n)
#define atomic_cas_ptr(p, o, n)		_ATOMIC_CAS(p, o, n)
#define atomic_cas_64(p, o, n)		_ATOMIC_CAS(p, o, n)

#define membar_enter()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define membar_exit()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define membar_producer()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define membar_consumer()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define membar_sync()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* _SYS_ATOMIC_H_ */
