/* Copy local images into the cache, verified; see imagecache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "imagecache.h"
#include "sha256.h"

static const char *local_path(const char *url)
{
	if (strncmp(url, "file://", 7) == 0)
		return url + 7;
	return strstr(url, "://") ? NULL : url;
}

static int copy_verified(const char *name, const char *src, const char *sum, const char *dst,
			 struct lc_err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "image %s: cannot open '%s': %s", name, src,
				  strerror(errno));
	char *tmp = lc_asprintf("%s.part.%ld", dst, (long)getpid());
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc = 0;
	if (out < 0) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "image %s: cannot create '%s': %s", name, tmp,
				strerror(errno));
		goto out;
	}
	struct lc_sha256 c;
	lc_sha256_init(&c);
	char *buf = lc_malloc(1 << 20);
	for (;;) {
		ssize_t r = read(in, buf, 1 << 20);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				rc = lc_err_set(err, LC_EXIT_RUNTIME,
						"image %s: cannot read '%s': %s", name, src,
						strerror(errno));
			break;
		}
		lc_sha256_update(&c, buf, (size_t)r);
		if (write(out, buf, (size_t)r) != r) {
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "image %s: cannot write '%s': %s",
					name, tmp, strerror(errno));
			break;
		}
	}
	free(buf);
	if (close(out) < 0 && rc == 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "image %s: cannot write '%s': %s", name, tmp,
				strerror(errno));
	uint8_t d[32];
	char hex[65];
	lc_sha256_final(&c, d);
	lc_sha256_hex(d, hex);
	if (rc == 0 && sum && strcmp(sum, hex) != 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"image %s: '%s' has sha256 %s, the catalog expects %s: refused",
				name, src, hex, sum);
	if (rc == 0 && rename(tmp, dst) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "image %s: cannot rename '%s': %s", name, tmp,
				strerror(errno));
	if (rc < 0)
		unlink(tmp);
out:
	close(in);
	free(tmp);
	return rc;
}

static int ensure_part(const char *cache_dir, const struct lc_image *img, const char *part,
		       const struct lc_source *s, struct lc_err *err)
{
	if (!s->url.v)
		return 0;
	char *dst = lc_image_cache_path(cache_dir, img, part);
	int rc = 0;
	if (!lc_file_exists(dst)) {
		const char *src = local_path(s->url.v);
		if (!src)
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"image %s: %s is not cached and comes from %s: run 'labctl "
					"image pull %s'",
					img->name.v, part, s->url.v, img->name.v);
		else
			rc = copy_verified(img->name.v, src, s->sha256.v, dst, err);
	}
	free(dst);
	return rc;
}

int lc_image_ensure(const char *cache_dir, const struct lc_image *img, struct lc_err *err)
{
	if (lc_mkdir_p(cache_dir, err) < 0)
		return -1;
	if (ensure_part(cache_dir, img, "disk", &img->disk, err) < 0 ||
	    ensure_part(cache_dir, img, "kernel", &img->kernel, err) < 0 ||
	    ensure_part(cache_dir, img, "initrd", &img->initrd, err) < 0)
		return -1;
	return 0;
}
