/*
 * memcpy: copy n bytes between objects that do not overlap.
 */
#include <sys/types.h>
#include <sys/systm.h>

void *
memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(long) - 1)) == 0) {
		for (; n >= sizeof(long); n -= sizeof(long)) {
			*(long *)(void *)d = *(const long *)(const void *)s;
			d += sizeof(long);
			s += sizeof(long);
		}
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}
