/*
 * copyin(9) and friends in the rump sense: "user" memory is the caller's
 * own, so these copy; a NULL address is EFAULT.
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/errno.h>

int
copyin(const void *uaddr, void *kaddr, size_t len)
{

	if (uaddr == NULL && len > 0)
		return EFAULT;
	memcpy(kaddr, uaddr, len);
	return 0;
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{

	if (uaddr == NULL && len > 0)
		return EFAULT;
	memcpy(uaddr, kaddr, len);
	return 0;
}

/*
 * Copy a NUL-terminated string of at most len bytes (NUL included);
 * ENAMETOOLONG if it does not fit.  *done gets the bytes copied.
 */
int
copystr(const void *from, void *to, size_t len, size_t *done)
{
	const char *s = from;
	char *d = to;
	size_t i;

	if (from == NULL || to == NULL)
		return EFAULT;
	for (i = 0; i < len; i++) {
		if ((d[i] = s[i]) == '\0') {
			if (done != NULL)
				*done = i + 1;
			return 0;
		}
	}
	if (done != NULL)
		*done = i;
	return ENAMETOOLONG;
}

int
copyinstr(const void *uaddr, void *kaddr, size_t len, size_t *done)
{

	return copystr(uaddr, kaddr, len, done);
}

int
copyoutstr(const void *kaddr, void *uaddr, size_t len, size_t *done)
{

	return copystr(kaddr, uaddr, len, done);
}
