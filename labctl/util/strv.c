/* String vectors; see strv.h. */
#include <stdarg.h>
#include <string.h>

#include "strv.h"

void lc_strv_init(struct lc_strv *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->alloc = 0;
}

void lc_strv_release(struct lc_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	lc_strv_init(sv);
}

const char *lc_strv_push_nodup(struct lc_strv *sv, char *s)
{
	/* n + 2: the string and the NULL after it */
	LC_GROW(sv->v, sv->alloc, sv->n + 2);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return s;
}

const char *lc_strv_push(struct lc_strv *sv, const char *s)
{
	return lc_strv_push_nodup(sv, lc_strdup(s));
}

const char *lc_strv_pushf(struct lc_strv *sv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = lc_vasprintf(fmt, ap);
	va_end(ap);
	return lc_strv_push_nodup(sv, s);
}

bool lc_strv_push_unique(struct lc_strv *sv, const char *s)
{
	if (lc_strv_has(sv, s))
		return false;
	lc_strv_push(sv, s);
	return true;
}

size_t lc_strv_find(const struct lc_strv *sv, const char *s)
{
	size_t i = 0;
	while (i < sv->n && strcmp(sv->v[i], s) != 0)
		i++;
	return i;
}

bool lc_strv_has(const struct lc_strv *sv, const char *s)
{
	return lc_strv_find(sv, s) < sv->n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void lc_strv_sort(struct lc_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

char **lc_strv_detach(struct lc_strv *sv, size_t *n)
{
	if (!sv->v)
		sv->v = lc_calloc(1, sizeof(*sv->v));
	char **v = sv->v;
	if (n)
		*n = sv->n;
	lc_strv_init(sv);
	return v;
}
