# Compiling freestanding kernel code: kern/Makefile and the kernel-side
# parts of the tests include this.  No host header and no libc: only the
# compiler's own stddef.h, stdint.h, stdarg.h and stdbool.h, plus kern/sys
# (<sys/...>) and kern/include (<rump/...>).

_CC_INCLUDE!=	${CC:Ucc} -print-file-name=include
KERN_CPPFLAGS=	-nostdinc -isystem ${_CC_INCLUDE} \
		-I${SRCTOP}/kern -I${SRCTOP}/kern/include -D_KERNEL -D_RUMPKERNEL \
		${FAULTS_CPPFLAGS}
# -fno-tree-loop-distribute-patterns: gcc would otherwise turn libkern's own
# loops into calls to memset/memcpy.
KERN_CFLAGS=	${CFLAGS} -ffreestanding -fno-stack-protector -fPIC \
		-fno-omit-frame-pointer -fno-common -Wno-frame-address \
		-fno-tree-loop-distribute-patterns
# The public kernel ABI: every other symbol of the kernel object is local.
KERN_PUBLIC=	'rump_*' 'rumpus_*'
