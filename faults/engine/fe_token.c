/*
 * Reproducer tokens: one shell-safe word that names a run exactly, for
 * `rumpus replay TOKEN`.
 *
 *   token   ::= "rumpus" version "." base64url( payload check )
 *   payload ::= { tag varint-length bytes }	; tags below, each once
 *   check   ::= the low 32 bits of fe_hash64(payload), little-endian
 *
 * Version 1 carries the build id, the scenario path and content hash, the
 * variant, the plan (the spec text), the mode and the seed (8 bytes,
 * little-endian).  A decoder refuses an unknown version, a damaged token
 * and an unknown tag, each with its own message.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_impl.h"

enum fe_tag {
	FE_TAG_BUILD = 1,
	FE_TAG_SCENARIO,
	FE_TAG_SCENHASH,
	FE_TAG_VARIANT,
	FE_TAG_PLAN,
	FE_TAG_MODE,
	FE_TAG_SEED,
	FE_TAG_LAST = FE_TAG_SEED
};

static const char *const fe_tag_names[] = {
	[FE_TAG_BUILD] = "build", [FE_TAG_SCENARIO] = "scenario",
	[FE_TAG_SCENHASH] = "scenario hash", [FE_TAG_VARIANT] = "variant",
	[FE_TAG_PLAN] = "plan", [FE_TAG_MODE] = "mode", [FE_TAG_SEED] = "seed"
};

static const char fe_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* A growing byte buffer; fb_error sticks at the first failure. */
struct fe_buf {
	unsigned char	*fb_p;
	size_t		fb_len, fb_cap;
	int		fb_error;
};

static void
fe_buf_put(struct fe_buf *b, const void *p, size_t n)
{
	unsigned char *np;
	size_t cap;

	if (b->fb_error != 0)
		return;
	if (b->fb_len + n > b->fb_cap) {
		cap = (b->fb_len + n) * 2 + 64;
		if ((np = realloc(b->fb_p, cap)) == NULL) {
			b->fb_error = ENOMEM;
			return;
		}
		b->fb_p = np;
		b->fb_cap = cap;
	}
	memcpy(b->fb_p + b->fb_len, p, n);
	b->fb_len += n;
}

/* One field: tag, LEB128 length, bytes. */
static void
fe_buf_field(struct fe_buf *b, enum fe_tag tag, const void *p, size_t n)
{
	unsigned char c = (unsigned char)tag;
	size_t v = n;

	fe_buf_put(b, &c, 1);
	do {
		c = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			c |= 0x80;
		fe_buf_put(b, &c, 1);
	} while (v != 0);
	fe_buf_put(b, p, n);
}

/*
 * Encode tok into buf (len bytes, NUL included).  Every string field
 * must be set.  Returns 0, EINVAL (a field missing), ENOSPC (buf too
 * small) or ENOMEM.
 */
int
fe_token_encode(const struct fe_token *tok, char *buf, size_t len)
{
	const char *strs[] = {
		[FE_TAG_BUILD] = tok->ft_build,
		[FE_TAG_SCENARIO] = tok->ft_scenario,
		[FE_TAG_SCENHASH] = tok->ft_scenhash,
		[FE_TAG_VARIANT] = tok->ft_variant,
		[FE_TAG_PLAN] = tok->ft_plan,
		[FE_TAG_MODE] = tok->ft_mode
	};
	struct fe_buf b = { NULL, 0, 0, 0 };
	unsigned char seed[8], check[4];
	uint64_t h;
	uint32_t v;
	size_t i, n, need;
	int t, bits, error = 0;

	for (t = FE_TAG_BUILD; t < FE_TAG_SEED; t++) {
		if (strs[t] == NULL)
			return EINVAL;
		fe_buf_field(&b, (enum fe_tag)t, strs[t], strlen(strs[t]));
	}
	for (i = 0; i < 8; i++)
		seed[i] = (unsigned char)(tok->ft_seed >> (8 * i));
	fe_buf_field(&b, FE_TAG_SEED, seed, sizeof(seed));
	if (b.fb_error != 0) {
		error = b.fb_error;
		goto out;
	}
	h = fe_hash64(b.fb_p, b.fb_len, 0);
	for (i = 0; i < 4; i++)
		check[i] = (unsigned char)(h >> (8 * i));
	fe_buf_put(&b, check, sizeof(check));
	if (b.fb_error != 0) {
		error = b.fb_error;
		goto out;
	}

	n = (size_t)snprintf(buf, len, FE_TOKEN_PREFIX "%d.",
	    FE_TOKEN_VERSION);
	need = n + (b.fb_len * 8 + 5) / 6 + 1;
	if (need > len) {
		error = ENOSPC;
		goto out;
	}
	for (v = 0, bits = 0, i = 0; i < b.fb_len; i++) {
		v = (v << 8) | b.fb_p[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			buf[n++] = fe_b64[(v >> bits) & 0x3f];
		}
	}
	if (bits > 0)
		buf[n++] = fe_b64[(v << (6 - bits)) & 0x3f];
	buf[n] = '\0';
out:
	free(b.fb_p);
	return error;
}

static int __attribute__((format(printf, 3, 4)))
fe_tokerr(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* Free the strings of a decoded token. */
void
fe_token_free(struct fe_token *tok)
{

	free(tok->ft_build);
	free(tok->ft_scenario);
	free(tok->ft_scenhash);
	free(tok->ft_variant);
	free(tok->ft_plan);
	free(tok->ft_mode);
	memset(tok, 0, sizeof(*tok));
}

/* The base64url digits after the "rumpusN." prefix into bytes. */
static int
fe_token_unbase64(const char *s, size_t slen, unsigned char *out,
    size_t *outlen, char *why, size_t whylen)
{
	const char *d;
	uint32_t v = 0;
	size_t i, n = 0;
	int bits = 0;

	for (i = 0; i < slen; i++) {
		if (s[i] == '\0' || (d = strchr(fe_b64, s[i])) == NULL)
			return fe_tokerr(why, whylen, "token is damaged: "
			    "character '%c' at position %zu is not base64url",
			    s[i], i + 1);
		v = (v << 6) | (uint32_t)(d - fe_b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(v >> bits);
		}
	}
	*outlen = n;
	return 0;
}

/* Split the payload into tok's fields. */
static int
fe_token_fields(const unsigned char *p, size_t n, struct fe_token *tok,
    char *why, size_t whylen)
{
	char **strs[] = {
		[FE_TAG_BUILD] = &tok->ft_build,
		[FE_TAG_SCENARIO] = &tok->ft_scenario,
		[FE_TAG_SCENHASH] = &tok->ft_scenhash,
		[FE_TAG_VARIANT] = &tok->ft_variant,
		[FE_TAG_PLAN] = &tok->ft_plan,
		[FE_TAG_MODE] = &tok->ft_mode
	};
	unsigned seen = 0, tag;
	size_t off = 0, flen, i;
	int shift;

	while (off < n) {
		tag = p[off++];
		if (tag == 0 || tag > FE_TAG_LAST)
			return fe_tokerr(why, whylen, "token has a field this "
			    "build does not know (tag %u)", tag);
		if (seen & (1u << tag))
			return fe_tokerr(why, whylen, "token is damaged: field "
			    "\"%s\" appears twice", fe_tag_names[tag]);
		seen |= 1u << tag;
		for (flen = 0, shift = 0;; shift += 7) {
			if (off >= n || shift > 28)
				return fe_tokerr(why, whylen, "token is "
				    "damaged: field \"%s\" is truncated",
				    fe_tag_names[tag]);
			flen |= (size_t)(p[off] & 0x7f) << shift;
			if (!(p[off++] & 0x80))
				break;
		}
		if (flen > n - off)
			return fe_tokerr(why, whylen, "token is damaged: field "
			    "\"%s\" is truncated", fe_tag_names[tag]);
		if (tag == FE_TAG_SEED) {
			if (flen != 8)
				return fe_tokerr(why, whylen, "token is "
				    "damaged: the seed is %zu bytes, not 8",
				    flen);
			for (i = 0; i < 8; i++)
				tok->ft_seed |= (uint64_t)p[off + i] << (8 * i);
		} else {
			if (memchr(p + off, '\0', flen) != NULL)
				return fe_tokerr(why, whylen, "token is "
				    "damaged: field \"%s\" holds a NUL",
				    fe_tag_names[tag]);
			if ((*strs[tag] = strndup((const char *)p + off,
			    flen)) == NULL)
				return ENOMEM;
		}
		off += flen;
	}
	for (tag = FE_TAG_BUILD; tag <= FE_TAG_LAST; tag++)
		if (!(seen & (1u << tag)))
			return fe_tokerr(why, whylen, "token lacks the field "
			    "\"%s\"", fe_tag_names[tag]);
	return 0;
}

/*
 * Decode text (surrounding whitespace ignored) into *tok, whose strings
 * the caller frees with fe_token_free().  Returns 0, EINVAL with the
 * reason in why (not a token, another version, damaged), or ENOMEM.
 */
int
fe_token_decode(const char *text, struct fe_token *tok, char *why,
    size_t whylen)
{
	const size_t plen = sizeof(FE_TOKEN_PREFIX) - 1;
	unsigned char *raw = NULL;
	unsigned long version;
	const char *s, *dot;
	char *end;
	size_t slen, n = 0;
	uint64_t h;
	uint32_t check;
	int error;

	memset(tok, 0, sizeof(*tok));
	while (*text == ' ' || *text == '\t' || *text == '\n')
		text++;
	slen = strlen(text);
	while (slen > 0 && (text[slen - 1] == ' ' || text[slen - 1] == '\t' ||
	    text[slen - 1] == '\n' || text[slen - 1] == '\r'))
		slen--;
	if (slen < plen || strncmp(text, FE_TOKEN_PREFIX, plen) != 0 ||
	    text[plen] < '0' || text[plen] > '9')
		return fe_tokerr(why, whylen, "not a rumpus token (it should "
		    "start with \"%s%d.\")", FE_TOKEN_PREFIX,
		    FE_TOKEN_VERSION);
	version = strtoul(text + plen, &end, 10);
	dot = end;
	if (*dot != '.' || dot >= text + slen)
		return fe_tokerr(why, whylen, "not a rumpus token (no \".\" "
		    "after \"%s%lu\")", FE_TOKEN_PREFIX, version);
	if (version != FE_TOKEN_VERSION)
		return fe_tokerr(why, whylen, "token version %lu: this build "
		    "reads version %d only", version, FE_TOKEN_VERSION);
	s = dot + 1;
	slen -= (size_t)(s - text);
	if ((raw = malloc(slen * 6 / 8 + 1)) == NULL)
		return ENOMEM;
	if ((error = fe_token_unbase64(s, slen, raw, &n, why, whylen)) != 0)
		goto out;
	if (n < 4) {
		error = fe_tokerr(why, whylen, "token is damaged: too short");
		goto out;
	}
	n -= 4;
	h = fe_hash64(raw, n, 0);
	check = (uint32_t)raw[n] | (uint32_t)raw[n + 1] << 8 |
	    (uint32_t)raw[n + 2] << 16 | (uint32_t)raw[n + 3] << 24;
	if (check != (uint32_t)h) {
		error = fe_tokerr(why, whylen, "token is damaged: checksum "
		    "mismatch (was it cut or changed in copying?)");
		goto out;
	}
	error = fe_token_fields(raw, n, tok, why, whylen);
out:
	free(raw);
	if (error != 0)
		fe_token_free(tok);
	return error;
}

/* Append "what: token X, now Y" to why (at *np) when a and b differ. */
static int
fe_token_diff(const char *what, const char *a, const char *b, char *why,
    size_t len, size_t *np)
{
	size_t n = *np;

	if (b == NULL || strcmp(a, b) == 0)
		return 0;
	n += (size_t)snprintf(why + n, n < len ? len - n : 0,
	    "%s%s differs: the token has \"%s\", this run has \"%s\"",
	    n > 0 ? "; " : "", what, a, b);
	*np = n;
	return 1;
}

/*
 * What differs between a decoded token and the current run (cur: this
 * build's id, the scenario's path and content hash as found now; a NULL
 * field is not compared).  Plan, seed, mode and variant come from the
 * token and are not compared.  Returns the number of differences, and
 * says what they are in why (empty when none).
 */
int
fe_token_compare(const struct fe_token *tok, const struct fe_token *cur,
    char *why, size_t len)
{
	char none[1];
	size_t n = 0;
	int ndiff = 0;

	if (why == NULL || len == 0) {
		why = none;
		len = sizeof(none);
	}
	why[0] = '\0';
	ndiff += fe_token_diff("build", tok->ft_build, cur->ft_build, why,
	    len, &n);
	ndiff += fe_token_diff("scenario path", tok->ft_scenario,
	    cur->ft_scenario, why, len, &n);
	ndiff += fe_token_diff("scenario content", tok->ft_scenhash,
	    cur->ft_scenhash, why, len, &n);
	return ndiff;
}
