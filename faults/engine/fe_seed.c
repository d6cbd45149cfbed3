/*
 * A seed as RUMPUS_SEED and --seed write it, apart from the spec parser:
 * librumpuser reads RUMPUS_SEED for its serial-mode PRNG in every build,
 * the one without fault points (make nofaults) too, which has no engine.
 */
#include <errno.h>
#include <stdint.h>

#include "fault_engine.h"

/* Decimal digits only, below 2^64: 0 with *seedp set, or EINVAL. */
int
fe_seed_parse(const char *s, uint64_t *seedp)
{
	uint64_t v = 0, d;

	if (*s == '\0')
		return EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return EINVAL;
		v = v * 10 + d;
	}
	*seedp = v;
	return 0;
}
