/* File helpers; see fsutil.h. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"

int lc_read_fd(int fd, const char *path, size_t max, enum lc_exit code, char **data, size_t *len,
	       struct lc_err *err)
{
	struct lc_buf b = LC_BUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			lc_buf_release(&b);
			return lc_err_set(err, code, "cannot read '%s': %s", path, strerror(e));
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) {
			lc_buf_release(&b);
			return lc_err_set(err, code, "'%s' is larger than %zu MiB", path,
					  max >> 20);
		}
		lc_buf_add(&b, chunk, (size_t)r);
	}
	*len = b.len;
	*data = lc_buf_detach(&b);
	return 0;
}

int lc_read_file(const char *path, char **data, size_t *len, struct lc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path,
				  strerror(errno));
	int rc = lc_read_fd(fd, path, SIZE_MAX, LC_EXIT_RUNTIME, data, len, err);
	close(fd);
	return rc;
}

/* Write all of data to a new file at path; on failure the file is removed. */
static int write_new(const char *path, const char *data, size_t len, struct lc_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot create '%s': %s", path,
				  strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s': %s", path,
					  strerror(e));
		}
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		int e = errno;
		unlink(path);
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

int lc_write_file_direct(const char *path, const char *data, size_t len, struct lc_err *err)
{
	return write_new(path, data, len, err);
}

int lc_write_file(const char *path, const char *data, size_t len, struct lc_err *err)
{
	char *tmp = lc_asprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = write_new(tmp, data, len, err);
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot rename '%s' to '%s': %s", tmp, path,
				strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int lc_mkdir_p(const char *path, struct lc_err *err)
{
	char *p = lc_strdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot create directory '%s': %s", p,
					strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

int lc_list_dir(const char *dir, const char *suffix, struct lc_strv *names, struct lc_err *err)
{
	lc_strv_init(names);
	DIR *d = opendir(dir);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open directory '%s': %s", dir,
				  strerror(errno));
	size_t sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
			continue;
		lc_strv_push_nodup(names, lc_strndup(e->d_name, l - sl));
	}
	closedir(d);
	lc_strv_sort(names);
	return 0;
}

int lc_file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The entries of dir but . and .., sorted; -1 with err when it cannot be read. */
static int entries(const char *dir, struct lc_strv *names, struct lc_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open directory '%s': %s", dir,
				  strerror(errno));
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			lc_strv_push(names, e->d_name);
	closedir(d);
	lc_strv_sort(names);
	return 0;
}

int lc_remove_tree(const char *path, struct lc_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : lc_err_set(err, LC_EXIT_RUNTIME, "cannot stat '%s': %s",
						    path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		struct lc_strv names = LC_STRV_INIT;
		int rc = entries(path, &names, err);
		for (size_t i = 0; rc == 0 && i < names.n; i++) {
			char *p = lc_asprintf("%s/%s", path, names.v[i]);
			rc = lc_remove_tree(p, err);
			free(p);
		}
		lc_strv_release(&names);
		if (rc == 0 && rmdir(path) < 0 && errno != ENOENT)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", path,
					strerror(errno));
		return rc;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", path,
				  strerror(errno));
	return 0;
}

/* path gets st's mode and, where allowed (root), its owner. */
static int keep_attrs(const char *path, const struct stat *st, struct lc_err *err)
{
	if (chown(path, st->st_uid, st->st_gid) < 0 && errno != EPERM)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot chown '%s': %s", path,
				  strerror(errno));
	if (chmod(path, st->st_mode & 07777) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot chmod '%s': %s", path,
				  strerror(errno));
	return 0;
}

static int copy_tree(const char *from, const char *to, struct lc_err *err)
{
	struct stat st;
	if (lstat(from, &st) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot stat '%s': %s", from,
				  strerror(errno));
	int rc = 0;
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(to, 0700) < 0 && errno != EEXIST)
			return lc_err_set(err, LC_EXIT_RUNTIME, "cannot create '%s': %s", to,
					  strerror(errno));
		struct lc_strv names = LC_STRV_INIT;
		rc = entries(from, &names, err);
		for (size_t i = 0; rc == 0 && i < names.n; i++) {
			char *f = lc_asprintf("%s/%s", from, names.v[i]);
			char *t = lc_asprintf("%s/%s", to, names.v[i]);
			rc = copy_tree(f, t, err);
			free(f);
			free(t);
		}
		lc_strv_release(&names);
	} else if (S_ISREG(st.st_mode)) {
		char *data;
		size_t len;
		if (lc_read_file(from, &data, &len, err) < 0)
			return -1;
		rc = write_new(to, data, len, err);
		free(data);
	} else {
		return 0; /* a socket or a link is no state: left out */
	}
	return rc == 0 ? keep_attrs(to, &st, err) : -1;
}

int lc_copy_tree(const char *from, const char *to, struct lc_err *err)
{
	struct stat st;
	if (lstat(from, &st) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot stat '%s': %s", from,
				  strerror(errno));
	if (lc_remove_tree(to, err) < 0)
		return -1;
	return copy_tree(from, to, err);
}
