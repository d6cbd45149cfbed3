# The top of the bmake tree.  CI/bmake.sh runs "bmake -f mk/build.mk TARGET"
# from the top directory with SRCTOP, OBJTOP and MAKEOBJDIR set, so every
# directory builds into ${OBJTOP}/<its path>.
#
# Order matters: the host library and the kernel come before what links them.

# The LD_PRELOAD interposer is the fault engine and nothing else: a tree
# built without fault points (MK_FAULTS=no) has none.  faults/engine is
# still built there, for the runner's reproducer tokens only.
SUBDIR=	faults/engine
.if ${MK_FAULTS:Uyes} != "no"
SUBDIR+=	faults/interpose
.endif
SUBDIR+=	faults \
	kern \
	harness \
	atf-tests \
	./bench		# ./: a plain "bench" would clash with the bench target

.include <bsd.subdir.mk>

# The suite: build first, then let kyua run every test program.
test: all
	@sh ${SRCTOP}/CI/test.sh

# The sanitizer flavour is the same suite, built into its own object tree.
sanitize: all
	@sh ${SRCTOP}/CI/test.sh

# Without fault points (its own object tree, build-nofaults/): no fault
# symbol in the kernel or librumpuser, what needs faults refused, and the
# suite that needs none (CI/nofaults.sh).
nofaults: all
	@sh ${SRCTOP}/CI/nofaults.sh

run: all
	@sh ${SRCTOP}/CI/run.sh

bench: all
	@sh ${SRCTOP}/CI/bench.sh
