/*
 * A pool of worker threads for the lifecycle's per-node and per-object work:
 * items 0..n-1 run on up to N threads, each with its own libvirt connection
 * (libvirt serializes the calls made on one connection).
 */
#ifndef LC_WORKPOOL_H
#define LC_WORKPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct lc_virt;

struct lc_workpool {
	/* set by the caller */
	const char *uri;
	/*
	 * optional: the URI item i runs on (a lab across hosts); NULL or a NULL
	 * answer: uri. A worker opens one connection per URI it meets.
	 */
	const char *(*uri_of)(void *ctx, size_t i);
	size_t n;
	/* do item i on connection v; 0, or -1 with err set */
	int (*fn)(void *ctx, struct lc_virt *v, size_t i, struct lc_err *err);
	/* optional: called on the worker's thread after each item, error NULL on success */
	void (*done)(void *ctx, size_t i, double seconds, const char *error);
	void *ctx;
	bool keep_going; /* a failed item does not stop the others (items are independent) */
	/* private to the pool */
	size_t next;
	bool failed;
	pthread_mutex_t mu;
	/* after lc_workpool_run: errors[i] is item i's message, NULL when it succeeded */
	char **errors;
};

/*
 * Run every item on up to `workers` threads. After a failure (unless
 * keep_going) or an interrupt no new item is started; those in flight finish. Returns the
 * index of the first failed item, or n when all succeeded (an item never
 * started because of an interrupt is not a failure: compare `next` with n).
 */
size_t lc_workpool_run(struct lc_workpool *p, size_t workers);
/* Whether an interrupt left items unstarted. */
bool lc_workpool_cut_short(const struct lc_workpool *p);
void lc_workpool_release(struct lc_workpool *p);

/* Monotonic seconds, for the pool's and its callers' timings. */
double lc_now_s(void);

#endif
