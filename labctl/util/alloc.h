/*
 * Allocation that cannot fail: out of memory aborts, as in git's xmalloc.
 * Every other header of labctl includes this one last, so banned.h applies.
 */
#ifndef LC_ALLOC_H
#define LC_ALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h> /* free(): every _new has its free */

void *lc_malloc(size_t n);
void *lc_calloc(size_t nmemb, size_t size);
void *lc_realloc(void *p, size_t n);
/* align: a power of two, a multiple of sizeof(void *); released with free() */
void *lc_aligned_alloc(size_t align, size_t n);
char *lc_strdup(const char *s); /* NULL in, NULL out */
char *lc_strndup(const char *s, size_t n);
char *lc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *lc_vasprintf(const char *fmt, va_list ap);

/*
 * Grow the array *v (of *cap elements of size sz) so that it holds at least
 * need elements, doubling its capacity (as git's ALLOC_GROW), so that adding
 * one at a time costs amortized O(1). A size that overflows size_t aborts,
 * as out of memory does. The one way labctl grows an array:
 *	LC_GROW(l->v, l->cap, l->n + 1);
 *	l->v[l->n++] = x;
 */
void lc_grow(void *v, size_t *cap, size_t need, size_t sz);
#define LC_GROW(v, cap, need) lc_grow(&(v), &(cap), (need), sizeof(*(v)))

/* Return *p and set it to NULL: ownership moves to the caller. */
static inline void *lc_steal_ptr(void *pp)
{
	void **p = pp;
	void *v = *p;
	*p = NULL;
	return v;
}

#define LC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
