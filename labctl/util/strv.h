/*
 * A growable vector of owned strings (after git's strvec): v[0..n-1] and
 * v[n] == NULL once anything was pushed. Zeroed memory is an empty vector
 * (v NULL, n 0), so a struct holding one may be set up with {0} or memset.
 */
#ifndef LC_STRV_H
#define LC_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct lc_strv {
	char **v; /* NULL-terminated; NULL while empty */
	size_t n;
	size_t alloc;
};

#define LC_STRV_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void lc_strv_init(struct lc_strv *sv);
/* Free every string and the array; sv is empty again. */
void lc_strv_release(struct lc_strv *sv);
/* Append a copy of s; returns the copy (owned by sv). */
const char *lc_strv_push(struct lc_strv *sv, const char *s);
const char *lc_strv_pushf(struct lc_strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s itself: sv frees it. */
const char *lc_strv_push_nodup(struct lc_strv *sv, char *s);
/* Append a copy of s unless an equal string is in sv; true when it was added. */
bool lc_strv_push_unique(struct lc_strv *sv, const char *s);
/* The index of the first string equal to s, or sv->n when there is none. */
size_t lc_strv_find(const struct lc_strv *sv, const char *s);
bool lc_strv_has(const struct lc_strv *sv, const char *s);
/* Sort in strcmp order. */
void lc_strv_sort(struct lc_strv *sv);
/*
 * Hand the NULL-terminated array (never NULL) to the caller, who frees each
 * string and the array; *n (may be NULL) gets the count. sv is empty again.
 */
char **lc_strv_detach(struct lc_strv *sv, size_t *n);

#include "alloc.h"

#endif
