/* Whole-file reads and writes, and directories, with errors that name the path. */
#ifndef LC_FSUTIL_H
#define LC_FSUTIL_H

#include <stddef.h>

#include "err.h"
#include "strv.h"

/* Read all of path into a NUL-terminated buffer the caller frees. */
int lc_read_file(const char *path, char **data, size_t *len, struct lc_err *err);
/* Reads FD (named PATH in messages) to its end, refusing more than MAX
 * bytes; errors carry CODE. The caller keeps FD. */
int lc_read_fd(int fd, const char *path, size_t max, enum lc_exit code, char **data, size_t *len,
	       struct lc_err *err);
/* Write through a temporary file and rename: readers see old or new, never half. */
int lc_write_file(const char *path, const char *data, size_t len, struct lc_err *err);
/* Write in place (create or truncate): for output files nobody reads while they are made. */
int lc_write_file_direct(const char *path, const char *data, size_t len, struct lc_err *err);
int lc_mkdir_p(const char *path, struct lc_err *err);
/* Names in dir ending with suffix, without it, sorted, into names (emptied first). */
int lc_list_dir(const char *dir, const char *suffix, struct lc_strv *names, struct lc_err *err);
int lc_file_exists(const char *path);
/* Remove path, a file or a directory with everything in it; one not there is fine. */
int lc_remove_tree(const char *path, struct lc_err *err);
/*
 * Make to a copy of the directory (or file) from: what to held before is
 * removed first; directories and regular files are copied with their mode
 * and, for root, their owner; anything else (sockets, links) is left out.
 * A from that is not there is an error, and to is left as it was.
 */
int lc_copy_tree(const char *from, const char *to, struct lc_err *err);

#endif
