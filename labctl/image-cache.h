/*
 * The image cache (docs/state-dir.md): the files a lab's nodes boot from, fetched into
 * --cache-dir through image-fetch.c (http, https and file URLs alike: resumed,
 * hashed while they arrive, verified, renamed into place).
 */
#ifndef LC_IMAGECACHE_H
#define LC_IMAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "image-catalog.h"
#include "err.h"

struct lc_image_progress {
	void (*fn)(void *ctx, const char *image, const char *part, uint64_t done, uint64_t total);
	void *ctx;
};

/*
 * Bring every part of img into cache_dir; *fetched counts the parts that were
 * not there, or not verified for what the catalog now says.
 */
int lc_image_ensure(const char *cache_dir, const struct lc_image *img,
		    const struct lc_image_progress *p, size_t *fetched, struct lc_err *err);

/*
 * Whether every part has a sum to check: the catalog's, or for a local file
 * the line of the SHA256SUMS beside it.
 */
bool lc_image_sums_known(const struct lc_image *img);

struct lc_image_state {
	bool cached;   /* every part present and verified for what the catalog now says */
	char *path;    /* the disk, or the kernel for format kernel; caller frees */
	uint64_t size; /* bytes of the parts present */
};

void lc_image_state(const char *cache_dir, const struct lc_image *img, struct lc_image_state *s);
/*
 * The size of the disk a guest sees in the cached disk part: a qcow2's
 * virtual size from its header, else the file's size. 0 when the image has
 * no disk part.
 */
int lc_image_disk_size(const char *cache_dir, const struct lc_image *img, uint64_t *bytes,
		       struct lc_err *err);

/*
 * Remove the image's cached parts (and partial downloads); *removed counts
 * files. Fails, removing nothing, while a pull of the image runs.
 */
int lc_image_remove(const char *cache_dir, const struct lc_image *img, size_t *removed,
		    struct lc_err *err);

#endif
