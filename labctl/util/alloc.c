/* Allocation wrappers: one place decides what out-of-memory means. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static void die_oom(size_t n)
{
	fprintf(stderr, "labctl: out of memory (%zu bytes)\n", n);
	abort();
}

static void die_overflow(size_t n, size_t sz)
{
	fprintf(stderr, "labctl: allocation size overflows (%zu x %zu bytes)\n", n, sz);
	abort();
}

void *lc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *lc_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *lc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

void *lc_aligned_alloc(size_t align, size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, align, n ? n : 1) != 0)
		die_oom(n);
	return p;
}

char *lc_strdup(const char *s)
{
	return s ? lc_strndup(s, strlen(s)) : NULL;
}

char *lc_strndup(const char *s, size_t n)
{
	char *p = lc_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lc_vasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die_oom(0);
	char *p = lc_malloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *lc_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = lc_vasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void lc_grow(void *v, size_t *cap, size_t need, size_t sz)
{
	void **vp = v;
	if (need <= *cap)
		return;
	if (sz && need > SIZE_MAX / sz)
		die_overflow(need, sz);
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	if (sz && n > SIZE_MAX / sz)
		n = need; /* doubling overflows; need itself fits */
	*vp = lc_realloc(*vp, n * sz);
	*cap = n;
}
