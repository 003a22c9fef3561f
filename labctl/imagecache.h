/*
 * The image cache: the files a lab's nodes boot from, copied into
 * --cache-dir and verified. Local sources (file:// and paths) are copied
 * here; http(s) downloads are `labctl image pull`'s.
 */
#ifndef LC_IMAGECACHE_H
#define LC_IMAGECACHE_H

#include "catalog.h"
#include "err.h"

/*
 * Make every part of img present in cache_dir: copied through a temporary
 * file while its sha256 is computed, compared with the catalog's sum when it
 * gives one, then renamed into place. A mismatch is refused (LC_EXIT_RUNTIME,
 * both sums named) and leaves nothing in the cache.
 */
int lc_image_ensure(const char *cache_dir, const struct lc_image *img, struct lc_err *err);

#endif
