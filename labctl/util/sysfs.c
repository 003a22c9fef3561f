/* sysfs and procfs below a movable root; see sysfs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "sysfs.h"

int lc_sysdir_open(const struct lc_sysroot *r, const char *rel, struct lc_sysdir *d,
		   struct lc_err *err)
{
	char *path = lc_asprintf("%s/%s", r->sys, rel);
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (d->fd < 0)
		rc =
		    lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

int lc_sysdir_open_at(const struct lc_sysdir *parent, const char *name, struct lc_sysdir *d)
{
	d->fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -1 : 0;
}

void lc_sysdir_close(struct lc_sysdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int lc_sysdir_read(const struct lc_sysdir *d, const char *name, char *buf, int n)
{
	int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, (size_t)n - 1);
	close(fd);
	if (r < 0)
		return -1;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		r--;
	buf[r] = '\0';
	return (int)r;
}

int lc_sysdir_read_raw(const struct lc_sysdir *d, const char *name, void *buf, int n)
{
	int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, (size_t)(n - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (int)r;
	}
	close(fd);
	return got;
}

int lc_sysdir_readlink(const struct lc_sysdir *d, const char *name, char *buf, int n)
{
	ssize_t r = readlinkat(d->fd, name, buf, (size_t)n - 1);
	if (r < 0)
		return -1;
	buf[r] = '\0';
	return (int)r;
}

int lc_sysdir_link_base(const struct lc_sysdir *d, const char *name, char *buf, int n)
{
	char target[4096];
	ssize_t r = readlinkat(d->fd, name, target, sizeof(target) - 1);
	if (r < 0)
		return -1;
	target[r] = '\0';
	const char *base = strrchr(target, '/');
	base = base ? base + 1 : target;
	int len = snprintf(buf, (size_t)n, "%s", base);
	return len < n ? len : -1;
}

int lc_sysdir_each(const struct lc_sysdir *d, const char *sub,
		   int (*fn)(void *ctx, const char *name), void *ctx)
{
	int fd = openat(d->fd, sub ? sub : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = fn(ctx, e->d_name);
	}
	closedir(dir);
	return rc;
}

int lc_sysdir_write(const struct lc_sysdir *d, const char *name, const char *value,
		    struct lc_err *err)
{
	/* sysfs ignores O_TRUNC; a fixture's plain file needs it ("16" then "4" is not "46") */
	int fd = openat(d->fd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s' for writing: %s", name,
				  strerror(errno));
	size_t len = strlen(value);
	ssize_t w = write(fd, value, len);
	int e = errno;
	close(fd);
	if (w != (ssize_t)len)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s' to '%s': %s", value,
				  name, w < 0 ? strerror(e) : "short write");
	return 0;
}

static int attrs_read(void *ctx, const char *name, char *buf, int n)
{
	return lc_sysdir_read(ctx, name, buf, n);
}

static int attrs_write(void *ctx, const char *name, const char *value, struct lc_err *err)
{
	return lc_sysdir_write(ctx, name, value, err);
}

void lc_sysdir_attrs(struct lc_sysdir *d, struct lc_attrs *a)
{
	a->read = attrs_read;
	a->write = attrs_write;
	a->ctx = d;
}

static int root_dir(const char *what, const char *path, struct lc_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot use '%s' as the %s root: %s", path,
				  what, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lc_err_set(err, LC_EXIT_RUNTIME,
				  "cannot use '%s' as the %s root: not a directory", path, what);
	return 0;
}

int lc_sysroot_check(const struct lc_sysroot *r, struct lc_err *err)
{
	if (root_dir("sysfs", r->sys, err) < 0 || root_dir("procfs", r->proc, err) < 0)
		return -1;
	return r->dev ? root_dir("devfs", r->dev, err) : 0;
}

int lc_procfs_read(const struct lc_sysroot *r, const char *rel, char **data, struct lc_err *err)
{
	char *path = lc_asprintf("%s/%s", r->proc, rel);
	size_t len;
	int rc = lc_read_file(path, data, &len, err);
	free(path);
	return rc;
}

int lc_devfs_stat(const struct lc_sysroot *r, const char *rel, struct stat *st)
{
	if (!r->dev) {
		errno = ENOENT;
		return -1;
	}
	char *path = lc_asprintf("%s/%s", r->dev, rel);
	int rc = stat(path, st);
	free(path);
	return rc;
}
