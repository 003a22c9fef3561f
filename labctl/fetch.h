/*
 * Downloads: the one file that uses libcurl. A download goes to DEST.part
 * through a sink (sink.h: hashed as it arrives, written on another thread);
 * a broken transfer is resumed with a Range request a few times with
 * backoff, and a DEST.part an earlier run left is resumed too; the sum is
 * compared before DEST.part is renamed to DEST. Two runs fetching the same
 * DEST take turns on DEST.lock: the second finds it done.
 */
#ifndef LC_FETCH_H
#define LC_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct lc_fetch_opts {
	const char *sha256; /* expected, lowercase hex; NULL: not checked */
	int retries;	    /* resumptions after a broken transfer */
	/* progress (a terminal's bar): bytes so far and total (0: unknown) */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

struct lc_fetch_stats {
	uint64_t bytes;	       /* received by this run */
	uint64_t resumed_from; /* first Range offset used, 0 if none */
	int attempts;
	bool already; /* DEST was there: nothing fetched */
};

int lc_fetch(const char *url, const char *dest, const struct lc_fetch_opts *fo,
	     struct lc_fetch_stats *st, struct lc_err *err);

#endif
