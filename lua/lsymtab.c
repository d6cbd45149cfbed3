/*
 * Symbols for kernel addresses: the kernel is linked into rumpus with its
 * internal symbols made local, so dladdr() cannot name them; the ELF
 * .symtab of our own executable can.  Loaded once, in the zygote, and
 * inherited by every instance; used for the kernel's panic backtraces and
 * lwp dumps (rumpus_set_symbolizer) and for the runner's own lwp dump.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrumpus.h"

struct lsym {
	uintptr_t	 s_addr;	/* link-time address */
	uintptr_t	 s_size;
	const char	*s_name;	/* in the mapped executable */
};

static struct lsym *lsym_tab;
static size_t lsym_n;
static uintptr_t lsym_bias;		/* load address - link address */

static int
lsym_cmp(const void *a, const void *b)
{
	const struct lsym *x = a, *y = b;

	return x->s_addr < y->s_addr ? -1 : x->s_addr > y->s_addr;
}

/* dl_iterate_phdr callback: the load bias of the main program (first). */
static int
lsym_bias_cb(struct dl_phdr_info *info, size_t size, void *arg)
{

	*(uintptr_t *)arg = info->dlpi_addr;
	return 1;
}

/*
 * Read the function symbols of /proc/self/exe.  Returns 0, or -1 when the
 * executable has no symbol table (stripped): addresses stay raw then.
 */
int
lsym_load(void)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh, *strsh;
	const Elf64_Sym *sym;
	const char *base, *strs;
	struct stat sb;
	size_t i, j, n;
	int fd;

	if (lsym_tab != NULL)
		return 0;
	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || (size_t)sb.st_size < sizeof(*eh) ||
	    (base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) >
	    (size_t)sb.st_size)
		goto bad;
	sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		strsh = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > (size_t)sb.st_size ||
		    strsh->sh_offset + strsh->sh_size > (size_t)sb.st_size)
			goto bad;
		sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
		strs = base + strsh->sh_offset;
		n = sh[i].sh_size / sizeof(*sym);
		if ((lsym_tab = calloc(n, sizeof(*lsym_tab))) == NULL)
			goto bad;
		for (j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC ||
			    sym[j].st_size == 0 ||
			    sym[j].st_name >= strsh->sh_size)
				continue;
			lsym_tab[lsym_n].s_addr = sym[j].st_value;
			lsym_tab[lsym_n].s_size = sym[j].st_size;
			lsym_tab[lsym_n].s_name = strs + sym[j].st_name;
			lsym_n++;
		}
		qsort(lsym_tab, lsym_n, sizeof(*lsym_tab), lsym_cmp);
		dl_iterate_phdr(lsym_bias_cb, &lsym_bias);
		return 0;
	}
bad:
	munmap((void *)(uintptr_t)base, (size_t)sb.st_size);
	return -1;
}

/*
 * The function containing addr and the offset into it, or NULL.  Safe in
 * a signal handler: reads only what lsym_load() built.
 */
const char *
lsym_lookup(uintptr_t addr, uintptr_t *offp)
{
	size_t lo = 0, hi = lsym_n, mid;
	uintptr_t a = addr - lsym_bias;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (lsym_tab[mid].s_addr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || a >= lsym_tab[lo - 1].s_addr + lsym_tab[lo - 1].s_size)
		return NULL;
	*offp = a - lsym_tab[lo - 1].s_addr;
	return lsym_tab[lo - 1].s_name;
}

/*
 * Function i of the table (in address order): its name, and its run-time
 * address range [*startp, *endp); NULL past the last.
 */
const char *
lsym_entry(size_t i, uintptr_t *startp, uintptr_t *endp)
{

	if (i >= lsym_n)
		return NULL;
	*startp = lsym_tab[i].s_addr + lsym_bias;
	*endp = *startp + lsym_tab[i].s_size;
	return lsym_tab[i].s_name;
}

/*
 * Follow the frame-pointer chain from frame fp: the return address of
 * each frame goes into pcs (at most max) while it lies in one of this
 * executable's functions (the kernel, librumpuser and the binding keep
 * frame pointers; libraries may not) and the chain grows towards the
 * stack's base.  Returns how many.  Safe in a signal handler.
 */
size_t
lsym_walk(const uintptr_t *fp, uintptr_t *pcs, size_t max)
{
	const uintptr_t *next;
	uintptr_t off;
	size_t n = 0;

	while (fp != NULL && n < max) {
		if (lsym_lookup(fp[1], &off) == NULL)
			break;
		pcs[n++] = fp[1];
		next = (const uintptr_t *)fp[0];
		if (next <= fp || (uintptr_t)next - (uintptr_t)fp > (1 << 20) ||
		    ((uintptr_t)next & (sizeof(uintptr_t) - 1)) != 0)
			break;
		fp = next;
	}
	return n;
}
