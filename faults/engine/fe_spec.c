/*
 * The fault spec grammar: one text for the command line (--faults), the
 * environment (RUMPUS_FAULTS) and Lua (fault.inject), parsed into a plan
 * of rules.  In the spirit of FreeBSD's fail(9): a small written grammar
 * and a hand-written recursive-descent parser; probabilities are kept as
 * integers (fractions of 2^32).
 *
 *   spec     ::= ws [ rule { ws ";" ws rule } ] ws [ ";" ws ]
 *   rule     ::= point [ "@" glob ] { ":" trigger } ":" action
 *   point    ::= word { "." word }
 *   word     ::= ( letter | "_" ) { letter | digit | "_" }
 *   glob     ::= gchar { gchar }	; any printable but ":" ";" "," space
 *   trigger  ::= "nth=" count | "every=" count | "after=" uint
 *              | "max=" count | "p=" prob
 *              | "lwp=" uint | "pid=" uint
 *              | "block=" range | "bytes=" range
 *   action   ::= errname | "delay=" ( duration | "yield" )
 *              | "short=" uint | "torn=" count | "bitflip" [ "=" uint ]
 *              | "powercut" | "panic" | "lost"
 *   errname  ::= a NetBSD errno name: "ENOMEM", "EIO", ...
 *   range    ::= uint [ "-" uint ]	; inclusive; block= in 512-byte sectors
 *   prob     ::= uint [ "." digit { digit } ] [ "%" ]	; at most 1 (100%)
 *   duration ::= uint ( "us" | "ms" | "s" )
 *   count    ::= uint, at least 1
 *   uint     ::= digit { digit }
 *   ws       ::= { " " | "\t" | "\n" | "\r" }
 *
 * Rules are separated by ";" (never ","); whitespace is allowed only
 * around rules.  The action comes last.  Each trigger at most once; nth
 * excludes every and after.  A point accepts only the actions and filters
 * that make sense for it (fe_point_caps()).
 */

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rumperrno.h>

#include "fe_impl.h"

/* The parser's state: the text, where it is, and where errors go. */
struct fe_parser {
	const char		*fps_s;		/* the whole spec */
	size_t			 fps_pos;	/* next byte to read */
	const struct fe_registry *fps_reg;	/* named points, or NULL */
	struct fe_error		*fps_err;
};

/* One ":item" of a rule, split at its "=". */
struct fe_item {
	size_t	fi_key;		/* offset of the key */
	size_t	fi_keylen;
	size_t	fi_val;		/* offset of the value (after "=") */
	size_t	fi_vallen;
	int	fi_hasval;	/* there was an "=" */
	int	fi_last;	/* no ":" follows: this must be the action */
};

#define FE_TRIGGERS	"nth, every, after, max, p, lwp, pid, block, bytes"
#define FE_ACTIONS	"an errno name such as EIO, delay=, short=, torn=, " \
			"bitflip, powercut, panic, lost"

static const char *const fe_hyper_names[FE_PT_NHYPER] = {
#define _FE_PT_NAME(sym, name)	name,
	FE_HYPER_POINTS(_FE_PT_NAME)
#undef _FE_PT_NAME
};

#define FE_IO_CAPS	(FE_CAN(FE_ERRNO) | FE_CAN(FE_DELAY) |		\
			 FE_CAN(FE_YIELD) | FE_CAN(FE_SHORT) |		\
			 FE_CAN(FE_PANIC) | FE_CAN_RANGE)
#define FE_CALL_CAPS	(FE_CAN(FE_ERRNO) | FE_CAN(FE_DELAY) |		\
			 FE_CAN(FE_YIELD) | FE_CAN(FE_PANIC))
#define FE_LOCK_CAPS	(FE_CAN(FE_DELAY) | FE_CAN(FE_YIELD) |		\
			 FE_CAN(FE_PANIC))

/*
 * Which actions and filters point pt accepts.  Reads flip bits; writes
 * tear and lose power; lock operations cannot fail (their hypercalls
 * return nothing), so they only delay.  Named kernel points fail, delay
 * or panic.
 */
unsigned
fe_point_caps(unsigned pt)
{

	switch (pt) {
	case FE_PT_BIO_READ:
	case FE_PT_IOVREAD:
		return FE_IO_CAPS | FE_CAN(FE_BITFLIP);
	case FE_PT_BIO_WRITE:
		return FE_IO_CAPS | FE_CAN(FE_TORN) | FE_CAN(FE_POWERCUT) |
		    FE_CAN(FE_LOST);
	case FE_PT_IOVWRITE:
		return FE_IO_CAPS | FE_CAN(FE_TORN) | FE_CAN(FE_POWERCUT);
	case FE_PT_GETRANDOM:
		return FE_CALL_CAPS | FE_CAN(FE_SHORT);
	case FE_PT_SYNCFD:
		return FE_CALL_CAPS | FE_CAN(FE_POWERCUT);
	case FE_PT_MUTEX_ENTER:
	case FE_PT_RW_ENTER:
	case FE_PT_CV_WAIT:
		return FE_LOCK_CAPS;
	default:
		return FE_CALL_CAPS;
	}
}

/*
 * The name of point pt: a hypercall point's, or a registry entry's.
 */
const char *
fe_point_name(unsigned pt, const struct fe_registry *reg)
{

	if (pt < FE_PT_NHYPER)
		return fe_hyper_names[pt];
	if (reg != NULL && pt - FE_PT_NHYPER < reg->fr_count)
		return reg->fr_names[pt - FE_PT_NHYPER];
	return NULL;
}

/*
 * Record an error at byte offset off of the spec, with its line and
 * column.  Returns EINVAL, for the caller to return.
 */
static int __attribute__((format(printf, 3, 4)))
fe_perr(struct fe_parser *p, size_t off, const char *fmt, ...)
{
	struct fe_error *e = p->fps_err;
	va_list ap;
	size_t i;

	if (e == NULL)
		return EINVAL;
	e->fe_offset = off;
	e->fe_line = 1;
	e->fe_column = 1;
	for (i = 0; i < off && p->fps_s[i] != '\0'; i++) {
		if (p->fps_s[i] == '\n') {
			e->fe_line++;
			e->fe_column = 1;
		} else
			e->fe_column++;
	}
	va_start(ap, fmt);
	vsnprintf(e->fe_msg, sizeof(e->fe_msg), fmt, ap);
	va_end(ap);
	return EINVAL;
}

static int
fe_isword(int c, int first)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || (!first && c >= '0' && c <= '9');
}

static int
fe_isspace(int c)
{

	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The end of an item's text: ":" ";" whitespace or the end; and ",", so
 * that "a:EIO,b:EIO" is told to use ";".
 */
static int
fe_isitemend(int c)
{

	return c == '\0' || c == ':' || c == ';' || c == ',' || fe_isspace(c);
}

static int
fe_keyis(const struct fe_parser *p, const struct fe_item *it, const char *k)
{

	return strlen(k) == it->fi_keylen &&
	    memcmp(p->fps_s + it->fi_key, k, it->fi_keylen) == 0;
}

/*
 * Parse an unsigned decimal number from s[*offp], advancing *offp.
 * what names the number in errors.
 */
static int
fe_parse_uint(struct fe_parser *p, size_t *offp, const char *what,
    uint64_t *vp)
{
	size_t off = *offp;
	uint64_t v = 0, d;

	if (p->fps_s[off] < '0' || p->fps_s[off] > '9')
		return fe_perr(p, off, "expected a number for %s", what);
	for (; p->fps_s[off] >= '0' && p->fps_s[off] <= '9'; off++) {
		d = (uint64_t)(p->fps_s[off] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return fe_perr(p, *offp, "number too large for %s",
			    what);
		v = v * 10 + d;
	}
	*offp = off;
	*vp = v;
	return 0;
}

/* The value of item it must have been consumed exactly up to off. */
static int
fe_value_end(struct fe_parser *p, const struct fe_item *it, size_t off,
    const char *what)
{

	if (off != it->fi_val + it->fi_vallen)
		return fe_perr(p, off, "unexpected \"%.*s\" after %s",
		    (int)(it->fi_val + it->fi_vallen - off), p->fps_s + off,
		    what);
	return 0;
}

/* A whole item value that is a uint (min: its least allowed value). */
static int
fe_item_uint(struct fe_parser *p, const struct fe_item *it, uint64_t min,
    uint64_t *vp)
{
	char what[32];
	size_t off = it->fi_val;
	int error;

	snprintf(what, sizeof(what), "%.*s=", (int)it->fi_keylen,
	    p->fps_s + it->fi_key);
	if (!it->fi_hasval)
		return fe_perr(p, it->fi_key + it->fi_keylen,
		    "%s needs a value", what);
	if ((error = fe_parse_uint(p, &off, what, vp)) != 0 ||
	    (error = fe_value_end(p, it, off, what)) != 0)
		return error;
	if (*vp < min)
		return fe_perr(p, it->fi_val, "%s must be at least %ju", what,
		    (uintmax_t)min);
	return 0;
}

/*
 * p=FLOAT: a decimal fraction or percentage, at most 1, kept as a
 * fraction of 2^32 rounded to nearest.
 */
static int
fe_parse_prob(struct fe_parser *p, const struct fe_item *it, uint64_t *probp)
{
	unsigned __int128 num, den = 1;
	size_t off = it->fi_val;
	uint64_t ip;
	int error, ndig = 0;

	if (!it->fi_hasval)
		return fe_perr(p, it->fi_key + 1, "p= needs a value");
	if ((error = fe_parse_uint(p, &off, "p=", &ip)) != 0)
		return error;
	if (ip > 100)
		return fe_perr(p, it->fi_val, "p= must be at most 1 (or 100%%)");
	num = ip;
	if (p->fps_s[off] == '.') {
		off++;
		if (p->fps_s[off] < '0' || p->fps_s[off] > '9')
			return fe_perr(p, off, "expected digits after \".\"");
		for (; p->fps_s[off] >= '0' && p->fps_s[off] <= '9'; off++) {
			if (++ndig > 12)
				return fe_perr(p, off,
				    "too many digits in p= (at most 12)");
			num = num * 10 + (unsigned)(p->fps_s[off] - '0');
			den *= 10;
		}
	}
	if (p->fps_s[off] == '%') {
		off++;
		den *= 100;
	}
	if ((error = fe_value_end(p, it, off, "p=")) != 0)
		return error;
	if (num > den)
		return fe_perr(p, it->fi_val,
		    "p= must be at most 1 (or 100%%), not %.*s",
		    (int)it->fi_vallen, p->fps_s + it->fi_val);
	*probp = (uint64_t)((num * FE_PROB_ONE + den / 2) / den);
	return 0;
}

/* block=A-B (512-byte sectors) or bytes=A-B, kept as a byte range. */
static int
fe_parse_range(struct fe_parser *p, const struct fe_item *it, int sectors,
    struct fe_rule *r)
{
	const char *what = sectors ? "block=" : "bytes=";
	size_t off = it->fi_val;
	uint64_t lo, hi;
	int error;

	if (!it->fi_hasval)
		return fe_perr(p, it->fi_key + it->fi_keylen,
		    "%s needs a range such as 100-200", what);
	if ((error = fe_parse_uint(p, &off, what, &lo)) != 0)
		return error;
	hi = lo;
	if (p->fps_s[off] == '-') {
		off++;
		if ((error = fe_parse_uint(p, &off, what, &hi)) != 0)
			return error;
	}
	if ((error = fe_value_end(p, it, off, what)) != 0)
		return error;
	if (hi < lo)
		return fe_perr(p, it->fi_val, "empty range %.*s in %s "
		    "(the first number must not exceed the second)",
		    (int)it->fi_vallen, p->fps_s + it->fi_val, what);
	if (sectors) {
		if (hi >= UINT64_MAX / FE_SECTOR)
			return fe_perr(p, it->fi_val,
			    "sector number too large for block=");
		lo *= FE_SECTOR;
		hi = hi * FE_SECTOR + FE_SECTOR - 1;
	}
	r->fr_lo = lo;
	r->fr_hi = hi;
	r->fr_hasrange = 1;
	return 0;
}

/*
 * One trigger or filter item; seen is a mask of the triggers given so far
 * in this rule (a trigger appears at most once).
 */
static const char *const fe_trigger_names[] = {
	"nth", "every", "after", "max", "p", "lwp", "pid", "block", "bytes"
};
#define FE_NTRIGGERS	(sizeof(fe_trigger_names) / sizeof(fe_trigger_names[0]))

/* The index of the item's key in fe_trigger_names; FE_NTRIGGERS if none. */
static unsigned
fe_trigger_index(const struct fe_parser *p, const struct fe_item *it)
{
	unsigned k;

	for (k = 0; k < FE_NTRIGGERS; k++)
		if (fe_keyis(p, it, fe_trigger_names[k]))
			break;
	return k;
}

static int
fe_parse_trigger(struct fe_parser *p, const struct fe_item *it,
    struct fe_rule *r, unsigned *seen)
{
	const char *const *names = fe_trigger_names;
	unsigned k;

	if ((k = fe_trigger_index(p, it)) == FE_NTRIGGERS)
		return fe_perr(p, it->fi_key,
		    "unknown trigger \"%.*s\" (expected " FE_TRIGGERS ")",
		    (int)it->fi_keylen, p->fps_s + it->fi_key);
	if (*seen & (1u << k))
		return fe_perr(p, it->fi_key, "%s= given twice in one rule",
		    names[k]);
	/* nth (0) is a single call: every (1) and after (2) contradict it. */
	if ((k == 0 && (*seen & 6)) || (k <= 2 && k > 0 && (*seen & 1)))
		return fe_perr(p, it->fi_key, "%s= cannot be combined with %s=",
		    names[k], k == 0 ? ((*seen & 2) ? "every" : "after") :
		    "nth");
	*seen |= 1u << k;

	switch (k) {
	case 0:
		return fe_item_uint(p, it, 1, &r->fr_nth);
	case 1:
		return fe_item_uint(p, it, 1, &r->fr_every);
	case 2:
		return fe_item_uint(p, it, 0, &r->fr_after);
	case 3:
		return fe_item_uint(p, it, 1, &r->fr_max);
	case 4:
		return fe_parse_prob(p, it, &r->fr_prob);
	case 5:
		r->fr_haslwp = 1;
		return fe_item_uint(p, it, 0, &r->fr_lwp);
	case 6:
		r->fr_haspid = 1;
		return fe_item_uint(p, it, 0, &r->fr_pid);
	default:
		if (!(fe_point_caps(r->fr_point) & FE_CAN_RANGE))
			return fe_perr(p, it->fi_key, "%s= applies only to "
			    "I/O points (bio.read, bio.write, iovread, "
			    "iovwrite), not to %s", names[k],
			    fe_point_name(r->fr_point, p->fps_reg));
		return fe_parse_range(p, it, k == 7, r);
	}
}

/* delay=50us, delay=5ms, delay=1s or delay=yield. */
static int
fe_parse_delay(struct fe_parser *p, const struct fe_item *it,
    struct fe_rule *r)
{
	const char *unit;
	size_t off = it->fi_val, ulen;
	uint64_t v, mul;
	int error;

	if (it->fi_hasval && it->fi_vallen == 5 &&
	    memcmp(p->fps_s + off, "yield", 5) == 0) {
		r->fr_action = FE_YIELD;
		return 0;
	}
	if (!it->fi_hasval)
		return fe_perr(p, it->fi_key + it->fi_keylen,
		    "delay needs a value such as delay=50us or delay=yield");
	if ((error = fe_parse_uint(p, &off, "delay=", &v)) != 0)
		return error;
	unit = p->fps_s + off;
	ulen = it->fi_val + it->fi_vallen - off;
	if (ulen == 2 && memcmp(unit, "us", 2) == 0)
		mul = 1;
	else if (ulen == 2 && memcmp(unit, "ms", 2) == 0)
		mul = 1000;
	else if (ulen == 1 && unit[0] == 's')
		mul = 1000000;
	else
		return fe_perr(p, off, "delay=%ju needs a unit: us, ms or s",
		    (uintmax_t)v);
	if (v > UINT64_MAX / mul)
		return fe_perr(p, it->fi_val, "delay too large");
	r->fr_action = FE_DELAY;
	r->fr_arg = v * mul;
	return 0;
}

/* "ENOMEM" -> 12; 0 when NetBSD has no such name. */
static int
fe_errno_lookup(const char *s, size_t len)
{
#define _FE_ERRNO_CMP(name, num, msg)					\
	if (len == sizeof(#name) - 1 && memcmp(s, #name, len) == 0)	\
		return num;
	RUMP_ERRNO_LIST(_FE_ERRNO_CMP)
#undef _FE_ERRNO_CMP
	return 0;
}

/* Does the key look like an errno name: "E" then capitals and digits? */
static int
fe_errno_like(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != 'E')
		return 0;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9')))
			return 0;
	return 1;
}

/* Does the item's key name an action (before its value is looked at)? */
static int
fe_action_key(const struct fe_parser *p, const struct fe_item *it)
{
	static const char *const words[] = {
		"delay", "short", "torn", "bitflip", "powercut", "panic",
		"lost"
	};
	size_t i;

	if (fe_errno_like(p->fps_s + it->fi_key, it->fi_keylen))
		return 1;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (fe_keyis(p, it, words[i]))
			return 1;
	return 0;
}

/*
 * The action item, last in its rule.  Returns ENOENT, with no error
 * recorded, when the key names no action (the caller knows whether it was
 * meant as one).
 */
static int
fe_parse_action(struct fe_parser *p, const struct fe_item *it,
    struct fe_rule *r)
{
	const char *key = p->fps_s + it->fi_key;
	int e, error;

	if ((e = fe_errno_lookup(key, it->fi_keylen)) != 0) {
		if (it->fi_hasval)
			return fe_perr(p, it->fi_val - 1,
			    "errno action %.*s takes no value",
			    (int)it->fi_keylen, key);
		r->fr_action = FE_ERRNO;
		r->fr_errno = e;
	} else if (fe_keyis(p, it, "delay")) {
		if ((error = fe_parse_delay(p, it, r)) != 0)
			return error;
	} else if (fe_keyis(p, it, "short")) {
		r->fr_action = FE_SHORT;
		if ((error = fe_item_uint(p, it, 0, &r->fr_arg)) != 0)
			return error;
	} else if (fe_keyis(p, it, "torn")) {
		r->fr_action = FE_TORN;
		if ((error = fe_item_uint(p, it, 1, &r->fr_arg)) != 0)
			return error;
	} else if (fe_keyis(p, it, "bitflip")) {
		r->fr_action = FE_BITFLIP;
		r->fr_hasarg = it->fi_hasval;
		if (it->fi_hasval &&
		    (error = fe_item_uint(p, it, 0, &r->fr_arg)) != 0)
			return error;
	} else if (fe_keyis(p, it, "powercut") || fe_keyis(p, it, "panic") ||
	    fe_keyis(p, it, "lost")) {
		if (it->fi_hasval)
			return fe_perr(p, it->fi_val - 1,
			    "%.*s takes no value", (int)it->fi_keylen, key);
		r->fr_action = fe_keyis(p, it, "panic") ? FE_PANIC :
		    fe_keyis(p, it, "lost") ? FE_LOST : FE_POWERCUT;
	} else
		return ENOENT;
	return 0;
}

/* The name of an action for messages ("errno" for FE_ERRNO). */
static const char *
fe_action_word(enum fe_action a)
{
	static const char *const words[] = {
		[FE_PASS] = "pass", [FE_ERRNO] = "errno", [FE_DELAY] = "delay",
		[FE_YIELD] = "delay=yield", [FE_SHORT] = "short",
		[FE_TORN] = "torn", [FE_BITFLIP] = "bitflip",
		[FE_POWERCUT] = "powercut", [FE_PANIC] = "panic",
		[FE_LOST] = "lost"
	};

	return words[a];
}

/* "errno, delay, short, ..." for the actions point pt accepts. */
static void
fe_caps_list(unsigned pt, char *buf, size_t len)
{
	unsigned caps = fe_point_caps(pt), a;
	size_t n = 0;

	buf[0] = '\0';
	for (a = FE_ERRNO; a <= FE_LOST; a++) {
		if (!(caps & FE_CAN(a)) || a == FE_YIELD)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n > 0 ? ", " : "", fe_action_word(a));
	}
}

/*
 * Read one ":item" starting at p->fps_pos (just after the ":"), splitting
 * it at its "=".
 */
static int
fe_read_item(struct fe_parser *p, struct fe_item *it)
{
	const char *s = p->fps_s;
	size_t off = p->fps_pos;

	memset(it, 0, sizeof(*it));
	it->fi_key = off;
	while (fe_isword(s[off], off == it->fi_key))
		off++;
	it->fi_keylen = off - it->fi_key;
	if (it->fi_keylen == 0) {
		if (fe_isitemend(s[off]))
			return fe_perr(p, off, "expected a trigger or an "
			    "action after \":\"");
		return fe_perr(p, off, "unexpected character '%c' (expected "
		    "a trigger or an action)", s[off]);
	}
	if (s[off] == '=') {
		it->fi_hasval = 1;
		it->fi_val = ++off;
		while (!fe_isitemend(s[off]))
			off++;
		it->fi_vallen = off - it->fi_val;
	} else if (!fe_isitemend(s[off]))
		return fe_perr(p, off, "unexpected character '%c' after \"%.*s\"",
		    s[off], (int)it->fi_keylen, s + it->fi_key);
	it->fi_last = s[off] != ':';
	p->fps_pos = off;
	return 0;
}

/*
 * point [ "@" glob ]: look the point up among the hypercall points and
 * the registry.
 */
static int
fe_parse_point(struct fe_parser *p, struct fe_rule *r)
{
	const char *s = p->fps_s;
	size_t start = p->fps_pos, off = start, len, i, gstart, n;
	char named[96];

	for (;;) {
		if (!fe_isword(s[off], 1))
			return fe_perr(p, off, off == start ?
			    "expected a point name (such as malloc or "
			    "bio.write)" : "expected a name after \".\"");
		while (fe_isword(s[off], 0))
			off++;
		if (s[off] != '.')
			break;
		off++;
	}
	len = off - start;
	for (i = 0; i < FE_PT_NHYPER; i++)
		if (strlen(fe_hyper_names[i]) == len &&
		    memcmp(fe_hyper_names[i], s + start, len) == 0)
			break;
	if (i == FE_PT_NHYPER && p->fps_reg != NULL) {
		for (i = 0; i < p->fps_reg->fr_count; i++)
			if (strlen(p->fps_reg->fr_names[i]) == len &&
			    memcmp(p->fps_reg->fr_names[i], s + start,
			    len) == 0)
				break;
		i = i < p->fps_reg->fr_count ? FE_PT_NHYPER + i : SIZE_MAX;
	} else if (i == FE_PT_NHYPER)
		i = SIZE_MAX;
	if (i == SIZE_MAX) {
		named[0] = '\0';
		for (i = 0, n = 0; p->fps_reg != NULL && i <
		    p->fps_reg->fr_count && n < sizeof(named); i++)
			n += (size_t)snprintf(named + n, sizeof(named) - n,
			    "%s%s", i ? ", " : "", p->fps_reg->fr_names[i]);
		return fe_perr(p, start, "unknown point \"%.*s\" (expected "
		    "malloc, bio.read, bio.write, iovread, iovwrite, open, "
		    "syncfd, thread_create, getrandom, clock_sleep, "
		    "cv_timedwait, mutex.enter, rw.enter, cv.wait, or %s%s)",
		    (int)len, s + start, p->fps_reg == NULL ?
		    "a named kernel point once the kernel's registry is known" :
		    p->fps_reg->fr_count == 0 ? "a named kernel point, but "
		    "this kernel registers none" :
		    "a named point of the kernel's: ", named);
	}
	r->fr_point = (unsigned)i;

	if (s[off] == '@') {
		gstart = ++off;
		while (!fe_isitemend(s[off]) && s[off] > ' ' && s[off] < 0x7f)
			off++;
		if (off == gstart)
			return fe_perr(p, off, "expected a function name "
			    "pattern after \"@\" (such as ext2_*)");
		if ((r->fr_site = strndup(s + gstart, off - gstart)) == NULL)
			return ENOMEM;
		r->fr_siteoff = gstart - 1;
	}
	if (s[off] != ':')
		return fe_perr(p, off, fe_isitemend(s[off]) ?
		    "expected \":\" and an action after point \"%.*s\"" :
		    "unexpected character after point \"%.*s\"",
		    (int)len, s + start);
	p->fps_pos = off + 1;
	return 0;
}

/*
 * rule ::= point [ "@" glob ] { ":" trigger } ":" action
 */
static int
fe_parse_rule(struct fe_parser *p, struct fe_rule *r)
{
	const char *key;
	struct fe_item it;
	char caps[160];
	unsigned seen = 0;
	int error;

	memset(r, 0, sizeof(*r));
	r->fr_prob = FE_PROB_ONE;
	if ((error = fe_parse_point(p, r)) != 0)
		return error;
	for (;;) {
		if ((error = fe_read_item(p, &it)) != 0)
			return error;
		key = p->fps_s + it.fi_key;
		if (!it.fi_last) {
			if (fe_action_key(p, &it))
				return fe_perr(p, p->fps_pos, "the action "
				    "\"%.*s\" must come last in its rule",
				    (int)it.fi_keylen, key);
			if ((error = fe_parse_trigger(p, &it, r, &seen)) != 0)
				return error;
			p->fps_pos++;
			continue;
		}
		error = fe_parse_action(p, &it, r);
		if (error == ENOENT) {
			if (fe_errno_like(key, it.fi_keylen))
				return fe_perr(p, it.fi_key, "unknown errno "
				    "name \"%.*s\" (NetBSD has no such error)",
				    (int)it.fi_keylen, key);
			if (fe_trigger_index(p, &it) != FE_NTRIGGERS)
				return fe_perr(p, p->fps_pos, "missing action "
				    "after \"%.*s\" (expected " FE_ACTIONS ")",
				    (int)(p->fps_pos - it.fi_key), key);
			return fe_perr(p, it.fi_key, "unknown action "
			    "\"%.*s\" (expected " FE_ACTIONS ")",
			    (int)it.fi_keylen, key);
		}
		if (error != 0)
			return error;
		break;
	}
	if (!(fe_point_caps(r->fr_point) & FE_CAN(r->fr_action))) {
		fe_caps_list(r->fr_point, caps, sizeof(caps));
		return fe_perr(p, it.fi_key, "action %s does not apply to "
		    "point %s (it takes: %s)", fe_action_word(r->fr_action),
		    fe_point_name(r->fr_point, p->fps_reg), caps);
	}
	return 0;
}

static void
fe_rule_fini(struct fe_rule *r)
{

	free(r->fr_site);
	free(r->fr_text);
}

/*
 * Parse spec into a new plan (*planp); reg names the kernel's named
 * points (NULL: only hypercall points).  Returns 0, EINVAL with *err
 * filled in (when err is not NULL), or ENOMEM.
 */
int
fe_plan_parse(const char *spec, const struct fe_registry *reg,
    struct fe_plan **planp, struct fe_error *err)
{
	struct fe_error scratch;
	struct fe_parser p;
	struct fe_plan *plan;
	struct fe_rule *r, *nr;
	size_t start, end;
	int error;

	p.fps_s = spec;
	p.fps_pos = 0;
	p.fps_reg = reg;
	p.fps_err = err != NULL ? err : &scratch;
	if ((plan = calloc(1, sizeof(*plan))) == NULL)
		return ENOMEM;
	for (;;) {
		while (fe_isspace(spec[p.fps_pos]))
			p.fps_pos++;
		if (spec[p.fps_pos] == '\0')
			break;
		if (spec[p.fps_pos] == ';') {
			error = fe_perr(&p, p.fps_pos, "empty rule before "
			    "\";\"");
			goto bad;
		}
		nr = realloc(plan->fp_rules,
		    (plan->fp_nrules + 1) * sizeof(*nr));
		if (nr == NULL) {
			error = ENOMEM;
			goto bad;
		}
		plan->fp_rules = nr;
		r = &nr[plan->fp_nrules++];
		start = p.fps_pos;
		if ((error = fe_parse_rule(&p, r)) != 0)
			goto bad;
		end = p.fps_pos;
		if ((r->fr_text = strndup(spec + start, end - start)) == NULL) {
			error = ENOMEM;
			goto bad;
		}
		while (fe_isspace(spec[p.fps_pos]))
			p.fps_pos++;
		if (spec[p.fps_pos] == ';')
			p.fps_pos++;
		else if (spec[p.fps_pos] != '\0') {
			error = fe_perr(&p, p.fps_pos, spec[p.fps_pos] == ',' ?
			    "rules are separated by \";\", not \",\"" :
			    "expected \";\" between rules");
			goto bad;
		}
	}
	*planp = plan;
	return 0;

bad:
	fe_plan_free(plan);
	return error;
}

/* Free a plan that was never armed (fe_engine_arm() takes ownership). */
void
fe_plan_free(struct fe_plan *plan)
{
	size_t i;

	if (plan == NULL)
		return;
	for (i = 0; i < plan->fp_nrules; i++)
		fe_rule_fini(&plan->fp_rules[i]);
	free(plan->fp_rules);
	free(plan);
}

size_t
fe_plan_nrules(const struct fe_plan *plan)
{

	return plan->fp_nrules;
}

/* Rule i's own text, as written in the spec; NULL past the end. */
const char *
fe_plan_rule_text(const struct fe_plan *plan, size_t i)
{

	return i < plan->fp_nrules ? plan->fp_rules[i].fr_text : NULL;
}

/* Rule i's @site glob, or NULL (none, or no such rule). */
const char *
fe_plan_rule_site(const struct fe_plan *plan, size_t i)
{

	return i < plan->fp_nrules ? plan->fp_rules[i].fr_site : NULL;
}

/*
 * Refuse rule i of plan (parsed from spec) at its @site filter with msg:
 * err as a parse error there would be.  Returns EINVAL.
 */
int
fe_plan_error(const struct fe_plan *plan, size_t i, const char *spec,
    struct fe_error *err, const char *msg)
{
	struct fe_parser p;

	memset(&p, 0, sizeof(p));
	p.fps_s = spec;
	p.fps_err = err;
	return fe_perr(&p, plan->fp_rules[i].fr_siteoff, "%s", msg);
}

/*
 * Format err for spec as "spec:LINE:COL: message", the offending line
 * of the spec, and a caret under the position; snprintf's return.
 */
int
fe_error_format(const struct fe_error *err, const char *spec, char *buf,
    size_t len)
{
	const char *line = spec + err->fe_offset;
	size_t llen, col = (size_t)err->fe_column - 1, i;
	char pad[256];

	line -= col;
	llen = strcspn(line, "\n");
	for (i = 0; i < col && i < sizeof(pad) - 1; i++)
		pad[i] = line[i] == '\t' ? '\t' : ' ';
	pad[i] = '\0';
	return snprintf(buf, len, "spec:%d:%d: %s\n%.*s\n%s^", err->fe_line,
	    err->fe_column, err->fe_msg, (int)llen, line, pad);
}

/*
 * Does glob match any of the n frame names?  The glob is fnmatch(3)'s:
 * "*", "?" and "[...]".
 */
int
fe_site_match(const char *glob, const char *const *frames, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (frames[i] != NULL && fnmatch(glob, frames[i], 0) == 0)
			return 1;
	return 0;
}
