/*
 * The console: printf to rumpuser_putchar, a bounded ring of the recent
 * output (rumpus_console_tail), panic with a frame-pointer backtrace of the
 * panicking lwp, ending through rumpuser_exit(RUMPUSER_PANIC).
 *
 * Lock: cons.c_mtx, a host spin mutex taken without giving up the virtual CPU
 * (a leaf: nothing is taken under it).
 */
#include <sys/types.h>
#include <sys/systm.h>
#include <sys/lwp.h>
#include <sys/proc.h>

#include "kern_private.h"

/* The ring apart: a boot writes only the counters (see __kern_cold). */
static struct {
	struct rumpuser_mtx	*c_mtx;
	uint64_t		 c_written;	/* bytes ever put in the ring */
} cons;
static char cons_ring[RUMPUS_CONSOLE_RING] __kern_cold;
const char *panicstr;
volatile rumpus_symbolizer_t cons_symbolizer;
void *cons_symbolizer_arg;

#define BACKTRACE_MAX		32
#define BACKTRACE_MAXFRAME	(1024 * 1024)	/* largest frame believed */

/* One character to the host console and the ring; cons.c_mtx held. */
static void
cons_putchar(int c)
{

	rumpuser_putchar(c);
	cons_ring[cons.c_written % sizeof(cons_ring)] = (char)c;
	cons.c_written++;
}

static void
cons_put(int c, void *arg)
{

	cons_putchar(c);
}

/*
 * Start the console: empty the ring.  The ring survives teardown on
 * purpose (a test reads what the last instance printed); the lock's host
 * object is made once per process.
 */
int
cons_init(void)
{

	if (cons.c_mtx == NULL)
		rumpuser_mutex_init(&cons.c_mtx, RUMPUSER_MTX_SPIN);
	cons.c_written = 0;
	return 0;
}

/* Take the console; false when it could not (panic: go on without). */
static bool
cons_lock(bool panicking)
{

	if (cons.c_mtx == NULL)
		return false;
	if (panicking)
		return rumpuser_mutex_tryenter(cons.c_mtx) == 0;
	rumpuser_mutex_enter_nowrap(cons.c_mtx);
	return true;
}

static void
cons_unlock(bool locked)
{

	if (locked)
		rumpuser_mutex_exit(cons.c_mtx);
}

void
vprintf(const char *fmt, va_list ap)
{
	bool locked;

	locked = cons_lock(panicstr != NULL);
	kvprintf(fmt, cons_put, NULL, ap);
	cons_unlock(locked);
}

void
printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * Copy the most recent console output, starting at a line boundary when
 * older output had to be left out, into buf (NUL-terminated).
 */
size_t
rumpus_console_tail(char *buf, size_t len)
{
	uint64_t start, n, i;
	bool locked;

	if (len == 0)
		return 0;
	locked = cons_lock(false);
	n = cons.c_written;
	if (n > sizeof(cons_ring))
		n = sizeof(cons_ring);
	if (n > len - 1)
		n = len - 1;
	start = cons.c_written - n;
	if (start > 0) {
		/* Partial first line: skip to after its newline. */
		while (n > 0 && cons_ring[(start - 1) % sizeof(cons_ring)] !=
		    '\n') {
			start++;
			n--;
		}
	}
	for (i = 0; i < n; i++)
		buf[i] = cons_ring[(start + i) % sizeof(cons_ring)];
	buf[n] = '\0';
	cons_unlock(locked);
	return (size_t)n;
}

void
rumpus_set_symbolizer(rumpus_symbolizer_t fn, void *arg)
{

	cons_symbolizer_arg = arg;
	cons_symbolizer = fn;
}

/*
 * Walk the frame-pointer chain from fp, storing return addresses; stop at
 * top (the outermost kernel frame, if known), at a frame that does not
 * grow towards the stack base, or after max frames.
 */
size_t
backtrace_collect(void *fp, void *top, uintptr_t *pcs, size_t max)
{
	struct frame {
		struct frame	*f_next;
		uintptr_t	 f_ret;
	} *f = fp, *next;
	size_t n = 0;

	while (f != NULL && n < max) {
		if (((uintptr_t)f & (sizeof(void *) - 1)) != 0)
			break;
		if (top != NULL && (void *)f > top)
			break;
		if (f->f_ret == 0)
			break;
		pcs[n++] = f->f_ret;
		next = f->f_next;
		if (next <= f ||
		    (uintptr_t)next - (uintptr_t)f > BACKTRACE_MAXFRAME)
			break;
		f = next;
	}
	return n;
}

/* Print "0xADDR", and " <symbol+0xoff>" when the host can name it. */
void
printf_pc(uintptr_t pc)
{
	rumpus_symbolizer_t sym = cons_symbolizer;
	const char *name;
	uintptr_t off;

	name = sym != NULL ? sym(cons_symbolizer_arg, pc, &off) : NULL;
	if (name != NULL)
		printf("0x%lx <%s+0x%lx>", (u_long)pc, name, (u_long)off);
	else
		printf("0x%lx", (u_long)pc);
}

size_t
rumpus_backtrace(uintptr_t *pcs, size_t max)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL)
		return 0;
	return backtrace_collect(__builtin_frame_address(0), l->l_stacktop,
	    pcs, max);
}

int
rumpus_curlwp_ident(int *pid, int *lid)
{
	struct lwp *l = rumpuser_curlwp();

	if (l == NULL)
		return -1;
	*pid = l->l_proc->p_pid;
	*lid = l->l_lid;
	return 0;
}

/* Print a backtrace from fp on the console, one "#n 0xADDR" per line. */
void
backtrace_print(void *fp, void *top)
{
	uintptr_t pcs[BACKTRACE_MAX];
	size_t i, n;

	n = backtrace_collect(fp, top, pcs, __arraycount(pcs));
	for (i = 0; i < n; i++) {
		printf("#%zu ", i);
		printf_pc(pcs[i]);
		printf("\n");
	}
}

/*
 * Print the panic message and the backtrace of the panicking lwp, then end
 * the kernel as a crash.  A panic during a panic ends at once.
 */
void
vpanic(const char *fmt, va_list ap)
{
	struct lwp *l;

	if (panicstr != NULL)
		rumpuser_exit(RUMPUSER_PANIC);
	panicstr = fmt;

	printf("panic: ");
	vprintf(fmt, ap);
	printf("\n");
	l = rumpuser_curlwp();
	if (l != NULL)
		printf("backtrace of lwp %d.%d (%s):\n",
		    l->l_proc != NULL ? l->l_proc->p_pid : -1, l->l_lid,
		    l->l_name);
	else
		printf("backtrace of a thread with no lwp:\n");
	backtrace_print(__builtin_frame_address(0),
	    l != NULL ? l->l_stacktop : NULL);
	printf("rump kernel halting after panic\n");
	rumpuser_exit(RUMPUSER_PANIC);
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	va_end(ap);
}
