# The runner's sources and libraries, shared by harness/Makefile and by
# test builds of the runner around another kernel object
# (atf-tests/harness/ktest links the objects harness/ built).

# The runner.
RUMPUS_SRCS=	main.c \
		run.c \
		oracle.c \
		record.c \
		sweep.c \
		save.c
# The Lua binding.
RUMPUS_SRCS+=	lscenario.c \
		limage.c \
		lhost.c \
		lsandbox.c \
		lkern.c \
		ldurable.c \
		lsymtab.c
# The fault engine in an instance, or (MK_FAULTS=no) the refusal of what
# needs it; the runner's reproducer tokens then come from the engine's
# archive, which librumpuser no longer holds.
.if ${MK_FAULTS} == "no"
RUMPUS_SRCS+=	lnofaults.c
RUMPUS_LIBS=	${OBJTOP}/faults/engine/libfaultengine.a
.else
RUMPUS_SRCS+=	lfault.c
.endif

# What the runner links besides a kernel object: the host library (the
# kernel's, and the image overlay the runner reads) and Lua.
RUMPUS_LIBS+=	${LIBRUMPUSER} -lpthread -lseccomp
RUMPUS_LIBS+=	${:!pkg-config --libs lua5.4!} -lm -ldl

# The runner is the zygote: bind every symbol at load, so that no forked
# instance resolves (and faults in) what the parent never called.
RUMPUS_LDFLAGS=	-Wl,-z,now
