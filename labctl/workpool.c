/* The worker pool; see workpool.h. */
#include <stdlib.h>
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

static void *worker(void *arg)
{
	struct lc_workpool *p = arg;
	struct lc_err cerr = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(p->uri, &cerr);
	for (;;) {
		pthread_mutex_lock(&p->mu);
		/* after a failure or a signal: finish what is in flight, start nothing */
		size_t i = p->failed || lc_interrupted() ? p->n : p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		double t0 = lc_now_s();
		struct lc_err err = LC_ERR_INIT;
		int rc = v ? p->fn(p->ctx, v, i, &err) : -1;
		if (rc < 0) {
			p->errors[i] = lc_strdup(v ? err.msg : cerr.msg);
			pthread_mutex_lock(&p->mu);
			p->failed = !p->keep_going;
			pthread_mutex_unlock(&p->mu);
		}
		if (p->done)
			p->done(p->ctx, i, lc_now_s() - t0, p->errors[i]);
		lc_err_release(&err);
	}
	lc_virt_close(v);
	lc_err_release(&cerr);
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
