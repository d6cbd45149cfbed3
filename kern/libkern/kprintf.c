/*
 * The printf engine shared by the console (printf) and the string
 * formatters (snprintf, vsnprintf): it formats into a character sink.
 *
 * Conversions: d i u o x X c s p %, with flags - 0 + space #, a width and
 * a precision (either may be *), and the length modifiers hh h l ll j z t q.
 */
#include <sys/types.h>
#include <sys/systm.h>

#define KPRF_LEFT	0x01
#define KPRF_ZERO	0x02
#define KPRF_PLUS	0x04
#define KPRF_SPACE	0x08
#define KPRF_ALT	0x10
#define KPRF_PREC	0x20

struct kprf_out {
	void	(*ko_put)(int, void *);
	void	*ko_arg;
	int	 ko_count;
};

static void
kprf_put(struct kprf_out *o, int c)
{

	o->ko_put(c, o->ko_arg);
	o->ko_count++;
}

static void
kprf_pad(struct kprf_out *o, int c, int n)
{

	while (n-- > 0)
		kprf_put(o, c);
}

/* One number: sign or prefix, zero padding to precision or width, digits. */
static void
kprf_number(struct kprf_out *o, uintmax_t v, bool neg, int base, bool upper,
    int flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[sizeof(uintmax_t) * 3 + 2];
	const char *prefix = "";
	int len = 0, plen, zeros;

	do {
		buf[len++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v != 0);
	if ((flags & KPRF_PREC) && prec == 0 && len == 1 && buf[0] == '0')
		len = 0;
	if (neg)
		prefix = "-";
	else if (flags & KPRF_PLUS)
		prefix = "+";
	else if (flags & KPRF_SPACE)
		prefix = " ";
	else if ((flags & KPRF_ALT) && base == 16)
		prefix = upper ? "0X" : "0x";
	else if ((flags & KPRF_ALT) && base == 8)
		prefix = "0";
	plen = (int)strlen(prefix);

	zeros = (flags & KPRF_PREC) ? prec - len : 0;
	if (zeros < 0)
		zeros = 0;
	if (!(flags & (KPRF_PREC | KPRF_LEFT)) && (flags & KPRF_ZERO))
		zeros = width - plen - len;
	if (zeros < 0)
		zeros = 0;
	width -= plen + zeros + len;

	if (!(flags & KPRF_LEFT))
		kprf_pad(o, ' ', width);
	while (*prefix != '\0')
		kprf_put(o, *prefix++);
	kprf_pad(o, '0', zeros);
	while (len > 0)
		kprf_put(o, buf[--len]);
	if (flags & KPRF_LEFT)
		kprf_pad(o, ' ', width);
}

/*
 * Format fmt with ap into put(c, arg), one character at a time; returns
 * the number of characters produced.  An unknown conversion is copied out
 * as written, so a bad format shows rather than vanishes.
 */
int
kvprintf(const char *fmt, void (*put)(int, void *), void *arg, va_list ap)
{
	struct kprf_out o = { put, arg, 0 };
	const char *spec, *s;
	int flags, width, prec, lmod, len;
	uintmax_t u;
	intmax_t i;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			kprf_put(&o, *fmt);
			continue;
		}
		spec = fmt++;
		flags = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= KPRF_LEFT;
			else if (*fmt == '0')
				flags |= KPRF_ZERO;
			else if (*fmt == '+')
				flags |= KPRF_PLUS;
			else if (*fmt == ' ')
				flags |= KPRF_SPACE;
			else if (*fmt == '#')
				flags |= KPRF_ALT;
			else
				break;
		}
		width = 0;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= KPRF_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		prec = 0;
		if (*fmt == '.') {
			flags |= KPRF_PREC;
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					flags &= ~KPRF_PREC;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* Length: 'H' hh, 'h', 'l', 'L' ll/q, 'j', 'z', 't'. */
		lmod = 0;
		if (*fmt == 'h') {
			lmod = 'h';
			if (*++fmt == 'h') {
				lmod = 'H';
				fmt++;
			}
		} else if (*fmt == 'l') {
			lmod = 'l';
			if (*++fmt == 'l') {
				lmod = 'L';
				fmt++;
			}
		} else if (*fmt == 'q' || *fmt == 'j' || *fmt == 'z' ||
		    *fmt == 't') {
			lmod = *fmt == 'q' ? 'L' : *fmt;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			switch (lmod) {
			case 'H': i = (signed char)va_arg(ap, int); break;
			case 'h': i = (short)va_arg(ap, int); break;
			case 'l': i = va_arg(ap, long); break;
			case 'L': i = va_arg(ap, long long); break;
			case 'j': i = va_arg(ap, intmax_t); break;
			case 'z': i = va_arg(ap, ssize_t); break;
			case 't': i = va_arg(ap, ptrdiff_t); break;
			default: i = va_arg(ap, int); break;
			}
			u = i < 0 ? -(uintmax_t)i : (uintmax_t)i;
			kprf_number(&o, u, i < 0, 10, false, flags, width,
			    prec);
			break;
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			switch (lmod) {
			case 'H': u = (unsigned char)va_arg(ap, u_int); break;
			case 'h': u = (u_short)va_arg(ap, u_int); break;
			case 'l': u = va_arg(ap, u_long); break;
			case 'L': u = va_arg(ap, unsigned long long); break;
			case 'j': u = va_arg(ap, uintmax_t); break;
			case 'z': u = va_arg(ap, size_t); break;
			case 't': u = (uintmax_t)va_arg(ap, ptrdiff_t); break;
			default: u = va_arg(ap, u_int); break;
			}
			flags &= ~(KPRF_PLUS | KPRF_SPACE);
			kprf_number(&o, u, false,
			    *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
			    *fmt == 'X', flags, width, prec);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			kprf_number(&o, u, false, 16, false, flags | KPRF_ALT,
			    width, prec);
			break;
		case 'c':
			if (!(flags & KPRF_LEFT))
				kprf_pad(&o, ' ', width - 1);
			kprf_put(&o, (unsigned char)va_arg(ap, int));
			if (flags & KPRF_LEFT)
				kprf_pad(&o, ' ', width - 1);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			len = (int)((flags & KPRF_PREC) ?
			    strnlen(s, (size_t)prec) : strlen(s));
			if (!(flags & KPRF_LEFT))
				kprf_pad(&o, ' ', width - len);
			for (int n = 0; n < len; n++)
				kprf_put(&o, s[n]);
			if (flags & KPRF_LEFT)
				kprf_pad(&o, ' ', width - len);
			break;
		case '%':
			kprf_put(&o, '%');
			break;
		default:
			/* Not a conversion: show it as written. */
			for (; spec <= fmt && *spec != '\0'; spec++)
				kprf_put(&o, *spec);
			if (*fmt == '\0')
				fmt--;
			break;
		}
	}
	return o.ko_count;
}

struct kprf_buf {
	char	*kb_buf;
	size_t	 kb_size;
	size_t	 kb_len;
};

static void
kprf_bufput(int c, void *arg)
{
	struct kprf_buf *b = arg;

	if (b->kb_len + 1 < b->kb_size)
		b->kb_buf[b->kb_len] = (char)c;
	b->kb_len++;
}

/*
 * vsnprintf, snprintf: format into buf, never past size bytes, always
 * terminated when size > 0; return the length the result wanted.
 */
int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct kprf_buf b = { buf, size, 0 };
	int n;

	n = kvprintf(fmt, kprf_bufput, &b, ap);
	if (size > 0)
		buf[b.kb_len < size ? b.kb_len : size - 1] = '\0';
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
