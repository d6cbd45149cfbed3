/*
 * strcmp, strncmp: compare strings as unsigned chars.
 */
#include <sys/types.h>
#include <sys/systm.h>

int
strcmp(const char *a, const char *b)
{

	for (; *a == *b; a++, b++) {
		if (*a == '\0')
			return 0;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{

	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}
