/*
 * Macros the ATF test programs share, in the manner of NetBSD's
 * tests/h_macros.h: each failure message names the expression and the error.
 */
#ifndef _ATF_TESTS_H_MACROS_H_
#define _ATF_TESTS_H_MACROS_H_

#include <stdlib.h>
#include <string.h>

#include <atf-c.h>

#include <rump/rumperrno.h>

/* The expression returns 0 or a NetBSD errno value (a hypercall's rules). */
#define RZ(expr) do {							\
	int _rz_error = (expr);						\
	ATF_REQUIRE_MSG(_rz_error == 0, "%s: %s (%d)", #expr,		\
	    rump_errno_name(_rz_error) ? rump_errno_name(_rz_error) : "?", \
	    _rz_error);							\
} while (0)

/* The expression must give exactly NetBSD errno "want" (RUMP_ENOENT...). */
#define REQUIRE_NBERRNO(expr, want) do {				\
	int _re_error = (expr);						\
	ATF_REQUIRE_MSG(_re_error == (want), "%s: got %s (%d), want %s", \
	    #expr, rump_errno_name(_re_error) ? rump_errno_name(_re_error) : "0", \
	    _re_error, rump_errno_name(want));				\
} while (0)

/*
 * A dependency the set-up installs (CI/deps.sh) is missing: skip, except on
 * CI (CI=true), where a skip would hide a broken set-up, so fail.
 */
#define REQUIRE_DEPENDENCY(present, what) do {				\
	if (!(present)) {						\
		const char *_ci = getenv("CI");				\
		if (_ci != NULL && strcmp(_ci, "true") == 0)		\
			atf_tc_fail("missing dependency on CI: %s", what); \
		atf_tc_skip("missing dependency: %s", what);		\
	}								\
} while (0)

#endif /* _ATF_TESTS_H_MACROS_H_ */
