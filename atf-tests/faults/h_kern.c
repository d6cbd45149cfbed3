/*
 * h_kern: rumpus's kernel linked as a shared object (librumpkern.so, made
 * here from kern/'s rumpkern.o) over librumpuser.so.0, for t_faults to
 * run under RUMPUS_FAULTS and under the LD_PRELOAD interposer.  Boots,
 * asks the kernel for its pid, prints both results.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rump/rump.h>

int
main(void)
{
	int error;

	error = rump_init();
	printf("rump_init: %d", error);
	if (error == 0)
		printf(" getpid: %d", rump_sys_getpid());
	printf("\n");
	return 0;
}
