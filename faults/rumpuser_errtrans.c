/*
 * Host errno -> NetBSD errno.  The one table is rumperrno.h's
 * RUMP_ERRNO_LIST: a host number is matched to the NetBSD error of the
 * same name (glibc's strerrorname_np gives the host name), once, when the
 * library is loaded.  Host errors NetBSD does not have become EIO.
 */
#define _GNU_SOURCE
#include <string.h>

#include <rump/rumperrno.h>

#include "rumpuser_int.h"

/* Linux numbers stop below 134; room to spare. */
#define ERRTRANS_HOSTMAX	256

static int errtrans_table[ERRTRANS_HOSTMAX];

#define _ERRTRANS_ENTRY(name, num, msg)	{ #name, num },
static const struct {
	const char *name;
	int num;
} errtrans_netbsd[] = {
	RUMP_ERRNO_LIST(_ERRTRANS_ENTRY)
};
#undef _ERRTRANS_ENTRY

/* Fill the table by name; runs before main(), single-threaded. */
__attribute__((__constructor__))
static void
errtrans_init(void)
{
	const char *hostname;
	size_t i;
	int e;

	for (e = 1; e < ERRTRANS_HOSTMAX; e++) {
		errtrans_table[e] = RUMP_EIO;
		hostname = strerrorname_np(e);
		if (hostname == NULL)
			continue;
		for (i = 0; i < sizeof(errtrans_netbsd) /
		    sizeof(errtrans_netbsd[0]); i++) {
			if (strcmp(hostname, errtrans_netbsd[i].name) == 0) {
				errtrans_table[e] = errtrans_netbsd[i].num;
				break;
			}
		}
	}
}

/* A host errno value as a NetBSD one; 0 stays 0. */
int
rumpuser__errtrans(int hosterr)
{

	if (hosterr == 0)
		return 0;
	if (hosterr < 0 || hosterr >= ERRTRANS_HOSTMAX)
		return RUMP_EIO;
	return errtrans_table[hosterr];
}
