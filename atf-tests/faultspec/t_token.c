/*
 * Reproducer tokens (faults/engine/fe_token.c): round trip, refusal of
 * foreign, newer and damaged tokens, and the comparison with the current
 * build and scenario.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <atf-c.h>

#include "fault_engine.h"

static const struct fe_token sample = {
	.ft_build = "b3f1c2d4e5a6",
	.ft_scenario = "scenarios/ext2/rename.lua",
	.ft_scenhash = "9a8b7c6d5e4f3a2b",
	.ft_variant = "ext2",
	.ft_plan = "kmem.alloc@ext2_*:nth=3:ENOMEM; bio.write:p=0.01:EIO",
	.ft_mode = "serial",
	.ft_seed = 0xfedcba9876543210ULL
};

/* Encode sample into buf; fail the case if that fails. */
static void
encode_sample(char *buf, size_t len)
{

	ATF_REQUIRE_EQ(fe_token_encode(&sample, buf, len), 0);
}

ATF_TC(round_trip);
ATF_TC_HEAD(round_trip, tc)
{
	atf_tc_set_md_var(tc, "descr", "A token decodes to exactly what was "
	    "encoded, and is one shell-safe word");
}
ATF_TC_BODY(round_trip, tc)
{
	struct fe_token t;
	char buf[1024], why[256], padded[1100];
	size_t i;

	encode_sample(buf, sizeof(buf));
	ATF_CHECK(strncmp(buf, "rumpus1.", 8) == 0);
	for (i = 0; buf[i] != '\0'; i++)
		ATF_CHECK_MSG(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"
		    "NOPQRSTUVWXYZ0123456789-_.", buf[i]) != NULL,
		    "character '%c' in %s", buf[i], buf);

	ATF_REQUIRE_EQ_MSG(fe_token_decode(buf, &t, why, sizeof(why)), 0,
	    "%s", why);
	ATF_CHECK_STREQ(t.ft_build, sample.ft_build);
	ATF_CHECK_STREQ(t.ft_scenario, sample.ft_scenario);
	ATF_CHECK_STREQ(t.ft_scenhash, sample.ft_scenhash);
	ATF_CHECK_STREQ(t.ft_variant, sample.ft_variant);
	ATF_CHECK_STREQ(t.ft_plan, sample.ft_plan);
	ATF_CHECK_STREQ(t.ft_mode, sample.ft_mode);
	ATF_CHECK_EQ(t.ft_seed, sample.ft_seed);
	fe_token_free(&t);

	/* Whitespace around a pasted token is ignored. */
	snprintf(padded, sizeof(padded), "  %s\n", buf);
	ATF_REQUIRE_EQ(fe_token_decode(padded, &t, why, sizeof(why)), 0);
	ATF_CHECK_EQ(t.ft_seed, sample.ft_seed);
	fe_token_free(&t);

	/* Too small a buffer, a missing field. */
	ATF_CHECK_EQ(fe_token_encode(&sample, buf, 20), ENOSPC);
	t = sample;
	t.ft_plan = NULL;
	ATF_CHECK_EQ(fe_token_encode(&t, buf, sizeof(buf)), EINVAL);
}

ATF_TC(refusals);
ATF_TC_HEAD(refusals, tc)
{
	atf_tc_set_md_var(tc, "descr", "Foreign, newer, damaged and "
	    "truncated tokens are refused, each with its own reason");
}
ATF_TC_BODY(refusals, tc)
{
	struct fe_token t;
	char good[1024], bad[1024], why[256];
	size_t len;

	encode_sample(good, sizeof(good));
	len = strlen(good);

	ATF_CHECK_EQ(fe_token_decode("hello", &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_MSG(strstr(why, "not a rumpus token") != NULL, "%s", why);
	ATF_CHECK_EQ(fe_token_decode("rumpus", &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_MSG(strstr(why, "not a rumpus token") != NULL, "%s", why);
	ATF_CHECK_EQ(fe_token_decode("rumpus1", &t, why, sizeof(why)),
	    EINVAL);
	ATF_CHECK_MSG(strstr(why, "no \".\" after \"rumpus1\"") != NULL, "%s",
	    why);

	snprintf(bad, sizeof(bad), "rumpus2.%s", good + 8);
	ATF_CHECK_EQ(fe_token_decode(bad, &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_STREQ(why, "token version 2: this build reads version 1 "
	    "only");

	/* One character changed: the checksum catches it. */
	strcpy(bad, good);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	ATF_CHECK_EQ(fe_token_decode(bad, &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_MSG(strstr(why, "checksum mismatch") != NULL, "%s", why);

	/* Cut short. */
	strcpy(bad, good);
	bad[len - 10] = '\0';
	ATF_CHECK_EQ(fe_token_decode(bad, &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_MSG(strstr(why, "token is damaged") != NULL, "%s", why);
	ATF_CHECK_EQ(fe_token_decode("rumpus1.AAA", &t, why, sizeof(why)),
	    EINVAL);
	ATF_CHECK_MSG(strstr(why, "too short") != NULL, "%s", why);

	/* A character outside base64url. */
	strcpy(bad, good);
	bad[12] = '*';
	ATF_CHECK_EQ(fe_token_decode(bad, &t, why, sizeof(why)), EINVAL);
	ATF_CHECK_STREQ(why, "token is damaged: character '*' at position 5 "
	    "is not base64url");

	/* The good one still decodes (nothing above was sticky). */
	ATF_CHECK_EQ(fe_token_decode(good, &t, why, sizeof(why)), 0);
	fe_token_free(&t);
}

ATF_TC(compare);
ATF_TC_HEAD(compare, tc)
{
	atf_tc_set_md_var(tc, "descr", "Replay refuses another build or "
	    "scenario and says what differs; the same one compares equal");
}
ATF_TC_BODY(compare, tc)
{
	struct fe_token tok, cur;
	char buf[1024], why[512];

	encode_sample(buf, sizeof(buf));
	ATF_REQUIRE_EQ(fe_token_decode(buf, &tok, why, sizeof(why)), 0);

	memset(&cur, 0, sizeof(cur));
	cur.ft_build = "b3f1c2d4e5a6";
	cur.ft_scenario = "scenarios/ext2/rename.lua";
	cur.ft_scenhash = "9a8b7c6d5e4f3a2b";
	ATF_CHECK_EQ(fe_token_compare(&tok, &cur, why, sizeof(why)), 0);
	ATF_CHECK_STREQ(why, "");

	cur.ft_build = "0000";
	ATF_CHECK_EQ(fe_token_compare(&tok, &cur, why, sizeof(why)), 1);
	ATF_CHECK_STREQ(why, "build differs: the token has \"b3f1c2d4e5a6\", "
	    "this run has \"0000\"");

	cur.ft_scenhash = "1111";
	ATF_CHECK_EQ(fe_token_compare(&tok, &cur, why, sizeof(why)), 2);
	ATF_CHECK_MSG(strstr(why, "build differs") != NULL &&
	    strstr(why, "; scenario content differs: the token has "
	    "\"9a8b7c6d5e4f3a2b\", this run has \"1111\"") != NULL, "%s", why);

	/* Unknown current fields are not compared; why may be NULL. */
	cur.ft_build = NULL;
	cur.ft_scenhash = NULL;
	cur.ft_scenario = "scenarios/tmpfs/rename.lua";
	ATF_CHECK_EQ(fe_token_compare(&tok, &cur, NULL, 0), 1);
	fe_token_free(&tok);
}

ATF_TC(hash);
ATF_TC_HEAD(hash, tc)
{
	atf_tc_set_md_var(tc, "descr", "fe_hash64 depends on every byte, "
	    "the length and the seed");
}
ATF_TC_BODY(hash, tc)
{
	const char *s = "local fs = rumpus.mount('ext2')";
	uint64_t h = fe_hash64(s, strlen(s), 0);

	ATF_CHECK_EQ(h, fe_hash64(s, strlen(s), 0));
	ATF_CHECK(h != fe_hash64(s, strlen(s) - 1, 0));
	ATF_CHECK(h != fe_hash64(s, strlen(s), 1));
	ATF_CHECK(h != fe_hash64("local fs = rumpus.mount('ext3')",
	    strlen(s), 0));
	ATF_CHECK(fe_hash64("", 0, 0) != fe_hash64("\0", 1, 0));
}

ATF_TP_ADD_TCS(tp)
{

	ATF_TP_ADD_TC(tp, round_trip);
	ATF_TP_ADD_TC(tp, refusals);
	ATF_TP_ADD_TC(tp, compare);
	ATF_TP_ADD_TC(tp, hash);
	return atf_no_error();
}
