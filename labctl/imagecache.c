/* The image cache; see imagecache.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "fsutil.h"
#include "imagecache.h"

/* A download that breaks is resumed this many times. */
#define FETCH_RETRIES 5

struct part {
	const char *name; /* "disk", "kernel", "initrd" */
	const struct lc_source *src;
};

static size_t parts_of(const struct lc_image *img, struct part out[3])
{
	size_t n = 0;
	if (img->disk.url.v)
		out[n++] = (struct part){"disk", &img->disk};
	if (img->kernel.url.v)
		out[n++] = (struct part){"kernel", &img->kernel};
	if (img->initrd.url.v)
		out[n++] = (struct part){"initrd", &img->initrd};
	return n;
}

struct relay {
	const struct lc_image_progress *p;
	const char *image, *part;
};

static void relay_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct relay *r = ctx;
	r->p->fn(r->p->ctx, r->image, r->part, done, total);
}

int lc_image_ensure(const char *cache_dir, const struct lc_image *img,
		    const struct lc_image_progress *p, size_t *fetched, struct lc_err *err)
{
	*fetched = 0;
	if (lc_mkdir_p(cache_dir, err) < 0)
		return -1;
	struct part parts[3];
	size_t n = parts_of(img, parts);
	for (size_t i = 0; i < n; i++) {
		char *dst = lc_image_cache_path(cache_dir, img, parts[i].name);
		const char *url = parts[i].src->url.v;
		/* a path from the catalog is a file URL to libcurl */
		char *full = strstr(url, "://") ? lc_strdup(url) : lc_asprintf("file://%s", url);
		struct relay r = {p, img->name.v, parts[i].name};
		struct lc_fetch_opts fo = {parts[i].src->sha256.v, FETCH_RETRIES,
					   p && p->fn ? relay_progress : NULL, &r};
		struct lc_fetch_stats st = {0};
		int rc = 0;
		if (!lc_file_exists(dst)) {
			rc = lc_fetch(full, dst, &fo, &st, err);
			*fetched += rc == 0 && !st.already;
		}
		free(full);
		free(dst);
		if (rc < 0) {
			lc_err_prefix(err, "image %s: ", img->name.v);
			return -1;
		}
	}
	return 0;
}

void lc_image_state(const char *cache_dir, const struct lc_image *img, struct lc_image_state *s)
{
	memset(s, 0, sizeof(*s));
	struct part parts[3];
	size_t n = parts_of(img, parts);
	s->cached = n > 0;
	for (size_t i = 0; i < n; i++) {
		char *path = lc_image_cache_path(cache_dir, img, parts[i].name);
		struct stat st;
		if (stat(path, &st) == 0)
			s->size += (uint64_t)st.st_size;
		else
			s->cached = false;
		bool main_part = img->format == LC_IMG_KERNEL ? strcmp(parts[i].name, "kernel") == 0
							      : strcmp(parts[i].name, "disk") == 0;
		if (main_part && !s->path)
			s->path = path;
		else
			free(path);
	}
}

int lc_image_remove(const char *cache_dir, const struct lc_image *img, size_t *removed,
		    struct lc_err *err)
{
	*removed = 0;
	struct part parts[3];
	size_t n = parts_of(img, parts);
	static const char *const suffixes[] = {"", ".part", ".lock"};
	for (size_t i = 0; i < n; i++) {
		char *path = lc_image_cache_path(cache_dir, img, parts[i].name);
		for (size_t k = 0; k < LC_ARRAY_SIZE(suffixes); k++) {
			char *f = lc_asprintf("%s%s", path, suffixes[k]);
			if (unlink(f) == 0)
				*removed += k == 0;
			else if (errno != ENOENT) {
				lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", f,
					   strerror(errno));
				free(f);
				free(path);
				return -1;
			}
			free(f);
		}
		free(path);
	}
	return 0;
}
