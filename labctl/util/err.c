/* Error objects and topology diagnostics. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

int lc_err_set(struct lc_err *e, enum lc_exit code, const char *fmt, ...)
{
	if (!e || e->msg)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	e->msg = lc_vasprintf(fmt, ap);
	va_end(ap);
	e->code = code;
	return -1;
}

/* Put head, then fmt's text, in front of the message; positioned says whether head is one. */
static void prefix(struct lc_err *e, const char *head, bool positioned, const char *fmt, va_list ap)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, head);
	lc_buf_vaddf(&b, fmt, ap);
	lc_buf_adds(&b, e->msg);
	free(e->msg);
	e->msg = lc_buf_detach(&b);
	e->positioned = positioned;
}

void lc_err_prefix(struct lc_err *e, const char *fmt, ...)
{
	if (!e || !e->msg)
		return;
	va_list ap;
	va_start(ap, fmt);
	/* the position, if any, no longer leads */
	prefix(e, "", false, fmt, ap);
	va_end(ap);
}

void lc_err_prefix_at(struct lc_err *e, struct lc_mark at, const char *fmt, ...)
{
	if (!e || !e->msg)
		return;
	char *head = lc_asprintf("%s:%d:%d: ", at.file ? at.file : "-", at.line, at.col);
	va_list ap;
	va_start(ap, fmt);
	prefix(e, head, true, fmt, ap);
	va_end(ap);
	free(head);
}

void lc_err_release(struct lc_err *e)
{
	free(e->msg);
	*e = (struct lc_err)LC_ERR_INIT;
}

void lc_err_move(struct lc_err *dst, struct lc_err *src)
{
	lc_err_release(dst);
	*dst = *src;
	*src = (struct lc_err)LC_ERR_INIT;
}

void lc_diags_init(struct lc_diags *d)
{
	d->v = NULL;
	d->n = d->cap = 0;
}

void lc_diags_release(struct lc_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].msg);
		free(d->v[i].file);
	}
	free(d->v);
	lc_diags_init(d);
}

void lc_diag_add(struct lc_diags *d, struct lc_mark at, const char *fmt, ...)
{
	LC_GROW(d->v, d->cap, d->n + 1);
	va_list ap;
	va_start(ap, fmt);
	d->v[d->n].msg = lc_vasprintf(fmt, ap);
	va_end(ap);
	d->v[d->n].file = lc_strdup(at.file);
	d->v[d->n].at = at;
	d->v[d->n].at.file = d->v[d->n].file;
	d->n++;
}

static int cmp_diag(const void *a, const void *b)
{
	const struct lc_diag *x = a, *y = b;
	int c = strcmp(x->at.file ? x->at.file : "", y->at.file ? y->at.file : "");
	if (c)
		return c;
	if (x->at.line != y->at.line)
		return x->at.line < y->at.line ? -1 : 1;
	if (x->at.col != y->at.col)
		return x->at.col < y->at.col ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

int lc_diags_to_err(struct lc_diags *d, struct lc_err *e)
{
	if (d->n == 0)
		return 0;
	qsort(d->v, d->n, sizeof(*d->v), cmp_diag);
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		const struct lc_diag *g = &d->v[i];
		/* the same problem reached twice (a shared alias) is said once */
		if (i > 0 && cmp_diag(g, &d->v[i - 1]) == 0)
			continue;
		lc_buf_addf(&b, "%s%s:%d:%d: %s", b.len ? "\n" : "", g->at.file ? g->at.file : "-",
			    g->at.line, g->at.col, g->msg);
	}
	lc_err_set(e, LC_EXIT_USAGE, "%s", lc_buf_str(&b));
	e->positioned = e->msg != NULL;
	lc_buf_release(&b);
	return -1;
}
