# The top of the bmake tree.  CI/bmake.sh runs "bmake -f mk/build.mk TARGET"
# from the top directory with SRCTOP, OBJTOP and MAKEOBJDIR set, so every
# directory builds into ${OBJTOP}/<its path>.
#
# Order matters: the host library and the kernel come before what links them.

SUBDIR=	faults/engine \
	faults/interpose \
	faults \
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

run: all
	@sh ${SRCTOP}/CI/run.sh

bench: all
	@sh ${SRCTOP}/CI/bench.sh
