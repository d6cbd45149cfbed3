/*
 * qsort: an in-place heap sort (no recursion, no allocation, O(n log n)).
 */
#include <sys/types.h>
#include <sys/systm.h>

static void
qsort_swap(char *a, char *b, size_t size)
{
	char t;

	while (size-- > 0) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Let element i sink to its place in the heap of n elements. */
static void
qsort_sift(char *base, size_t i, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	size_t child;

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		qsort_swap(base + i * size, base + child * size, size);
		i = child;
	}
}

void
qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		qsort_sift(b, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		qsort_swap(b, b + i * size, size);
		qsort_sift(b, 0, i, size, cmp);
	}
}
