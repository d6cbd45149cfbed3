/*
 * memset: fill n bytes with the byte c.
 */
#include <sys/types.h>
#include <sys/systm.h>

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned long word;

	if (((uintptr_t)d & (sizeof(long) - 1)) == 0 && n >= sizeof(long)) {
		word = (unsigned char)c;
		word |= word << 8;
		word |= word << 16;
		word |= word << 16 << 16;
		for (; n >= sizeof(long); n -= sizeof(long)) {
			*(unsigned long *)(void *)d = word;
			d += sizeof(long);
		}
	}
	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}
