/* Growable string. */
#include <stdio.h>
#include <string.h>

#include "buf.h"

void lc_buf_init(struct lc_buf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void lc_buf_release(struct lc_buf *b)
{
	free(b->s);
	lc_buf_init(b);
}

void lc_buf_reset(struct lc_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void reserve(struct lc_buf *b, size_t extra)
{
	LC_GROW(b->s, b->cap, b->len + extra + 1);
}

void lc_buf_add(struct lc_buf *b, const void *data, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void lc_buf_adds(struct lc_buf *b, const char *s)
{
	lc_buf_add(b, s, strlen(s));
}

void lc_buf_addc(struct lc_buf *b, char c)
{
	lc_buf_add(b, &c, 1);
}

void lc_buf_vaddf(struct lc_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0) {
		reserve(b, 0);
		b->s[b->len] = '\0';
		return;
	}
	reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void lc_buf_addf(struct lc_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lc_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

char *lc_buf_detach(struct lc_buf *b)
{
	char *s = b->s ? b->s : lc_strdup("");
	lc_buf_init(b);
	return s;
}

const char *lc_buf_str(const struct lc_buf *b)
{
	return b->s ? b->s : "";
}
