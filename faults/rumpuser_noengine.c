/*
 * librumpuser built without fault points (make nofaults, RUMPUS_NOFAULTS
 * in rumpuser_int.h): in place of the engine's part of rumpuser_init,
 * refuse what would ask for the engine, so that a program run with
 * RUMPUS_FAULTS or RUMPUS_TRACE fails saying why rather than running
 * without the faults it asked for.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rump/rumperrno.h>

#include "rumpuser_int.h"

int
rumpuser__noengine(void)
{
	static const char *const vars[] = { "RUMPUS_FAULTS", "RUMPUS_TRACE" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if ((v = getenv(vars[i])) == NULL || *v == '\0')
			continue;
		fprintf(stderr, "librumpuser: %s: this build has no fault "
		    "points (built with make nofaults)\n", vars[i]);
		return RUMP_EINVAL;
	}
	return 0;
}
