/* The image cache; see image-cache.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-fetch.h"
#include "fsutil.h"
#include "image-cache.h"

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

/* What a part is fetched from and checked against. */
struct want {
	char *url;	   /* for libcurl */
	const char *local; /* the file a local source names; NULL for http(s) */
	char *sha256;	   /* the catalog's, else the SHA256SUMS line beside a local file */
	char *origin;	   /* a local source without a sum: its size and mtime */
};

static const char *local_path(const char *url)
{
	if (strncmp(url, "file://", 7) == 0)
		return url + 7;
	return strstr(url, "://") ? NULL : url;
}

/*
 * The sum that DIR/SHA256SUMS (sha256sum's output) gives for DIR/NAME, or
 * NULL: images built on this machine (images/build-tiny.sh) carry their sums
 * in that file rather than in the catalog.
 */
static char *sum_beside(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *sums = slash ? lc_asprintf("%.*s/SHA256SUMS", (int)(slash - path), path)
			   : lc_strdup("SHA256SUMS");
	char *data = NULL, *found = NULL;
	size_t len;
	struct lc_err e = LC_ERR_INIT;
	if (lc_read_file(sums, &data, &len, &e) == 0) {
		for (char *line = data; *line && !found;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			/* "SUM  NAME", or "SUM *NAME" when hashed as binary */
			if (strspn(line, "0123456789abcdef") == 64 && line[64] == ' ' &&
			    (line[65] == ' ' || line[65] == '*') && strcmp(line + 66, base) == 0)
				found = lc_strndup(line, 64);
			line = nl ? nl + 1 : line + strlen(line);
		}
	}
	lc_err_release(&e);
	free(data);
	free(sums);
	return found;
}

static void want_init(struct want *w, const struct lc_source *src)
{
	memset(w, 0, sizeof(*w));
	const char *url = src->url.v;
	/* a path from the catalog is a file URL to libcurl */
	w->url = strstr(url, "://") ? lc_strdup(url) : lc_asprintf("file://%s", url);
	w->local = local_path(url);
	if (src->sha256.v)
		w->sha256 = lc_strdup(src->sha256.v);
	else if (w->local)
		w->sha256 = sum_beside(w->local);
	struct stat st;
	/* a sha512 alone names the version: a new one in the catalog fetches again */
	if (!w->sha256 && src->sha512.v)
		w->origin = lc_asprintf("sha512:%s", src->sha512.v);
	/* a local file that was rebuilt is copied again even when nothing names its sum */
	else if (!w->sha256 && w->local && stat(w->local, &st) == 0)
		w->origin = lc_asprintf("%llu:%lld.%09ld", (unsigned long long)st.st_size,
					(long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

static void want_release(struct want *w)
{
	free(w->url);
	free(w->sha256);
	free(w->origin);
}

/* libcurl reads a directory as an empty file: that is not an image. */
static int check_local(const char *path, struct lc_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read '%s': %s", path,
				  strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lc_err_set(err, LC_EXIT_RUNTIME, "'%s' is not a regular file", path);
	return 0;
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
		struct want w;
		want_init(&w, parts[i].src);
		struct relay r = {p, img->name.v, parts[i].name};
		struct lc_fetch_opts fo = {.sha256 = w.sha256,
					   .sha512 = parts[i].src->sha512.v,
					   .origin = w.origin,
					   .retries = FETCH_RETRIES,
					   .progress = p && p->fn ? relay_progress : NULL,
					   .ctx = &r};
		struct lc_fetch_stats st = {0};
		int rc = 0;
		if (!lc_fetch_cached(dst, w.sha256, w.origin)) {
			if (w.local)
				rc = check_local(w.local, err);
			if (rc == 0)
				rc = lc_fetch(w.url, dst, &fo, &st, err);
			*fetched += rc == 0 && !st.already;
		}
		want_release(&w);
		free(dst);
		if (rc < 0) {
			lc_err_prefix(err, "image %s: ", img->name.v);
			return -1;
		}
	}
	return 0;
}

bool lc_image_sums_known(const struct lc_image *img)
{
	struct part parts[3];
	size_t n = parts_of(img, parts);
	bool known = true;
	for (size_t i = 0; i < n; i++) {
		struct want w;
		want_init(&w, parts[i].src);
		known &= w.sha256 != NULL || parts[i].src->sha512.v != NULL;
		want_release(&w);
	}
	return known;
}

void lc_image_state(const char *cache_dir, const struct lc_image *img, struct lc_image_state *s)
{
	memset(s, 0, sizeof(*s));
	struct part parts[3];
	size_t n = parts_of(img, parts);
	s->cached = n > 0;
	for (size_t i = 0; i < n; i++) {
		char *path = lc_image_cache_path(cache_dir, img, parts[i].name);
		struct want w;
		want_init(&w, parts[i].src);
		struct stat st;
		if (stat(path, &st) == 0)
			s->size += (uint64_t)st.st_size;
		if (!lc_fetch_cached(path, w.sha256, w.origin))
			s->cached = false;
		want_release(&w);
		bool main_part = img->format == LC_IMG_KERNEL ? strcmp(parts[i].name, "kernel") == 0
							      : strcmp(parts[i].name, "disk") == 0;
		if (main_part && !s->path)
			s->path = path;
		else
			free(path);
	}
}

int lc_image_disk_size(const char *cache_dir, const struct lc_image *img, uint64_t *bytes,
		       struct lc_err *err)
{
	*bytes = 0;
	if (!img->disk.url.v)
		return 0;
	char *path = lc_image_cache_path(cache_dir, img, "disk");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char h[32];
	int rc = 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "image \"%s\": cannot read '%s': %s",
				img->name.v, path, strerror(errno));
	/* qcow2: "QFI\xfb", then at byte 24 the virtual size, big-endian */
	else if (pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) && memcmp(h, "QFI\xfb", 4) == 0)
		for (int i = 24; i < 32; i++)
			*bytes = *bytes << 8 | h[i];
	else
		*bytes = (uint64_t)st.st_size;
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Take the lock a pull of path holds while it writes path.part and renames it. */
static int lock_part(const char *name, const char *path, int *fd, struct lc_err *err)
{
	char *lock = lc_asprintf("%s.lock", path);
	int rc = 0;
	*fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	/* ENOENT: no cache directory, so nothing to remove either */
	if ((*fd < 0 && errno != ENOENT) || (*fd >= 0 && flock(*fd, LOCK_EX | LOCK_NB) < 0))
		rc = errno == EWOULDBLOCK
			 ? lc_err_set(err, LC_EXIT_RUNTIME,
				      "image %s is being pulled by another run: not removed", name)
			 : lc_err_set(err, LC_EXIT_RUNTIME, "cannot lock '%s': %s", lock,
				      strerror(errno));
	free(lock);
	return rc;
}

int lc_image_remove(const char *cache_dir, const struct lc_image *img, size_t *removed,
		    struct lc_err *err)
{
	*removed = 0;
	struct part parts[3];
	size_t n = parts_of(img, parts);
	int locks[3] = {-1, -1, -1}, rc = 0;
	char *paths[3] = {NULL, NULL, NULL};
	/* every part's lock first: an image is removed whole or not at all */
	for (size_t i = 0; i < n && rc == 0; i++) {
		paths[i] = lc_image_cache_path(cache_dir, img, parts[i].name);
		rc = lock_part(img->name.v, paths[i], &locks[i], err);
	}
	/* the record first: a file without one is never taken as verified; the lock stays */
	static const char *const suffixes[] = {".sha256", "", ".part"};
	for (size_t i = 0; i < n && rc == 0; i++) {
		for (size_t k = 0; locks[i] >= 0 && k < LC_ARRAY_SIZE(suffixes) && rc == 0; k++) {
			char *f = lc_asprintf("%s%s", paths[i], suffixes[k]);
			if (unlink(f) == 0)
				*removed += suffixes[k][0] == '\0';
			else if (errno != ENOENT)
				rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", f,
						strerror(errno));
			free(f);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (locks[i] >= 0)
			close(locks[i]);
		free(paths[i]);
	}
	return rc;
}
