/* A growable NUL-terminated string (after git's strbuf). */
#ifndef LC_BUF_H
#define LC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lc_buf {
	char *s; /* always NUL-terminated once initialised */
	size_t len;
	size_t cap;
};

#define LC_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void lc_buf_init(struct lc_buf *b);
void lc_buf_release(struct lc_buf *b);
void lc_buf_reset(struct lc_buf *b);
void lc_buf_add(struct lc_buf *b, const void *data, size_t n);
void lc_buf_adds(struct lc_buf *b, const char *s);
void lc_buf_addc(struct lc_buf *b, char c);
void lc_buf_addf(struct lc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lc_buf_vaddf(struct lc_buf *b, const char *fmt, va_list ap);
/* Hand the string to the caller (never NULL) and leave b empty. */
char *lc_buf_detach(struct lc_buf *b);
/* Returns the string, "" if nothing was added; borrowed. */
const char *lc_buf_str(const struct lc_buf *b);

#include "alloc.h"

#endif
