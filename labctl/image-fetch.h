/*
 * Downloads: the one file that uses libcurl. A download goes to DEST.part
 * through a sink (image-sink.h: hashed as it arrives, written on another thread);
 * a broken transfer is resumed with a Range request a few times with
 * backoff, and a DEST.part an earlier run left is resumed too; the sum is
 * compared before DEST.part is renamed to DEST. Two runs fetching the same
 * DEST take turns on DEST.lock: the second finds it done. DEST.lock is never
 * removed (a removed lock lets a third run lock a new file while the first
 * still holds the old one); whoever removes DEST or DEST.part takes it first.
 *
 * DEST.sha256 records what was verified: the sum, DEST's size and mtime, and
 * the origin a source without a sum was copied from. DEST counts as fetched
 * only while that record matches DEST and what the caller now expects, so a
 * new sum in the catalog, or a file replaced in the cache, is fetched again.
 */
#ifndef LC_FETCH_H
#define LC_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct lc_fetch_opts {
	const char *sha256; /* expected, lowercase hex; NULL: not checked */
	const char *sha512; /* also, or instead (checked once the file is whole) */
	/* with no sha256: what names the source's version (e.g. a local file's size
	 * and mtime); a copy recorded with another origin is fetched again */
	const char *origin;
	int retries; /* resumptions after a broken transfer */
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

/* Whether DEST is a copy lc_fetch verified and the record still matches (see above). */
bool lc_fetch_cached(const char *dest, const char *sha256, const char *origin);
int lc_fetch(const char *url, const char *dest, const struct lc_fetch_opts *fo,
	     struct lc_fetch_stats *st, struct lc_err *err);

#endif
