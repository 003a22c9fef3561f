/* The worker pool; see workpool.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "interrupt.h"
#include "virt.h"
#include "workpool.h"

double lc_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A worker's connections, one per URI it has met; the first is p->uri's. */
struct conns {
	const char **uris;
	struct lc_virt **v;
	char **why; /* the connection error of a URI that could not be reached */
	size_t n;
};

static struct lc_virt *conn_for(struct conns *c, const char *uri, const char **why)
{
	for (size_t k = 0; k < c->n; k++)
		if ((!uri && !c->uris[k]) || (uri && c->uris[k] && strcmp(uri, c->uris[k]) == 0)) {
			*why = c->why[k];
			return c->v[k];
		}
	c->uris = lc_realloc(c->uris, (c->n + 1) * sizeof(*c->uris));
	c->v = lc_realloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->why = lc_realloc(c->why, (c->n + 1) * sizeof(*c->why));
	struct lc_err cerr = LC_ERR_INIT;
	c->uris[c->n] = uri;
	c->v[c->n] = lc_virt_open(uri, &cerr);
	c->why[c->n] = c->v[c->n] ? NULL : lc_strdup(cerr.msg);
	lc_err_release(&cerr);
	*why = c->why[c->n];
	return c->v[c->n++];
}

static void *worker(void *arg)
{
	struct lc_workpool *p = arg;
	struct conns c = {0};
	const char *why;
	/* the common case, one URI: connect before the first item, as before */
	conn_for(&c, p->uri, &why);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		/* after a failure or a signal: finish what is in flight, start nothing */
		size_t i = p->failed || lc_interrupted() ? p->n : p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		const char *uri = p->uri_of ? p->uri_of(p->ctx, i) : NULL;
		struct lc_virt *v = conn_for(&c, uri ? uri : p->uri, &why);
		double t0 = lc_now_s();
		struct lc_err err = LC_ERR_INIT;
		int rc = v ? p->fn(p->ctx, v, i, &err) : -1;
		if (rc < 0) {
			p->errors[i] = lc_strdup(v ? err.msg : why);
			pthread_mutex_lock(&p->mu);
			p->failed = !p->keep_going;
			pthread_mutex_unlock(&p->mu);
		}
		if (p->done)
			p->done(p->ctx, i, lc_now_s() - t0, p->errors[i]);
		lc_err_release(&err);
	}
	for (size_t k = 0; k < c.n; k++) {
		lc_virt_close(c.v[k]);
		free(c.why[k]);
	}
	free(c.uris);
	free(c.v);
	free(c.why);
	return NULL;
}

size_t lc_workpool_run(struct lc_workpool *p, size_t workers)
{
	pthread_mutex_init(&p->mu, NULL);
	p->errors = lc_calloc(p->n + 1, sizeof(char *));
	if (workers > p->n)
		workers = p->n ? p->n : 1;
	pthread_t *tids = lc_calloc(workers, sizeof(*tids));
	size_t started = 0;
	while (started < workers && pthread_create(&tids[started], NULL, worker, p) == 0)
		started++;
	if (started == 0)
		worker(p);
	for (size_t k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	free(tids);
	pthread_mutex_destroy(&p->mu);
	size_t first = p->n;
	for (size_t i = 0; i < p->n && first == p->n; i++)
		if (p->errors[i])
			first = i;
	return first;
}

void lc_workpool_release(struct lc_workpool *p)
{
	for (size_t i = 0; p->errors && i < p->n; i++)
		free(p->errors[i]);
	free(p->errors);
}

bool lc_workpool_cut_short(const struct lc_workpool *p)
{
	return p->next < p->n && lc_interrupted();
}
