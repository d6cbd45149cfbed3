/*
 * memmove: copy n bytes between objects that may overlap.
 */
#include <sys/types.h>
#include <sys/systm.h>

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with the destination above: copy backwards. */
	d += n;
	s += n;
	while (n-- > 0)
		*--d = *--s;
	return dst;
}
