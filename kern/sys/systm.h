/*
 * The kernel's everyday routines: console output, panic and assertions,
 * the libkern string and memory routines, copyin/copyout in the rump sense
 * (plain copies; EFAULT for a NULL address), kpause.
 */
#ifndef _SYS_SYSTM_H_
#define _SYS_SYSTM_H_

#include <sys/types.h>

typedef struct kmutex kmutex_t;

/* Console (subr_prf.c); the engine is libkern's. */
void	printf(const char *, ...) __printflike(1, 2);
void	vprintf(const char *, va_list) __printflike(1, 0);
int	snprintf(char *, size_t, const char *, ...) __printflike(3, 4);
int	vsnprintf(char *, size_t, const char *, va_list) __printflike(3, 0);
int	kvprintf(const char *, void (*)(int, void *), void *, va_list)
	    __printflike(1, 0);
void	panic(const char *, ...) __dead __printflike(1, 2);
void	vpanic(const char *, va_list) __dead __printflike(1, 0);
extern const char *panicstr;

#define KASSERTMSG(e, msg, ...)						\
	(__predict_true(e) ? (void)0 :					\
	    panic("kernel diagnostic assertion \"%s\" failed: "	\
	    "file \"%s\", line %d: " msg, #e, __FILE__, __LINE__,	\
	    ## __VA_ARGS__))
#define KASSERT(e)							\
	(__predict_true(e) ? (void)0 :					\
	    panic("kernel diagnostic assertion \"%s\" failed: "	\
	    "file \"%s\", line %d", #e, __FILE__, __LINE__))
#define KDASSERT(e)	KASSERT(e)
#define CTASSERT(e)	__CTASSERT(e)

/* libkern. */
void	*memcpy(void *, const void *, size_t);
void	*memmove(void *, const void *, size_t);
void	*memset(void *, int, size_t);
int	 memcmp(const void *, const void *, size_t);
size_t	 strlen(const char *);
size_t	 strnlen(const char *, size_t);
int	 strcmp(const char *, const char *);
int	 strncmp(const char *, const char *, size_t);
size_t	 strlcpy(char *, const char *, size_t);
size_t	 strlcat(char *, const char *, size_t);
char	*strchr(const char *, int);
char	*strrchr(const char *, int);
void	 qsort(void *, size_t, size_t, int (*)(const void *, const void *));

/*
 * Copies between "user" and kernel space.  In a rump kernel both live in
 * the same address space, so these copy; a NULL address gives EFAULT.
 */
int	copyin(const void *, void *, size_t);
int	copyout(const void *, void *, size_t);
int	copyinstr(const void *, void *, size_t, size_t *);
int	copyoutstr(const void *, void *, size_t, size_t *);
int	copystr(const void *, void *, size_t, size_t *);

/*
 * Host I/O whose completion callback may run in a host thread
 * (rumpuser_bio): hostio_start before starting it, hostio_done last in
 * the callback; teardown waits for such completions to leave.
 */
void	hostio_start(void);
void	hostio_done(void);

/* Sleep for timo ticks (> 0), dropping mtx (if not NULL) meanwhile. */
int	kpause(const char *, bool, int, kmutex_t *);

/* Ticks <-> time. */
extern int hz;
#define mstohz(ms)	((int)(((int64_t)(ms) * hz + 999) / 1000))
#define hztoms(t)	((int)((int64_t)(t) * 1000 / hz))

#endif /* _SYS_SYSTM_H_ */
