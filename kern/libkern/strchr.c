/*
 * strchr, strrchr: the first or last c in a string (c may be NUL).
 */
#include <sys/types.h>
#include <sys/systm.h>

char *
strchr(const char *s, int c)
{

	for (;; s++) {
		if (*s == (char)c)
			return __UNCONST(s);
		if (*s == '\0')
			return NULL;
	}
}

char *
strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return __UNCONST(last);
	}
}
