/*
 * A hashing file writer for downloads. Bytes appended to a sink are hashed
 * (sha256) and written to its file by a second thread, in large aligned
 * slabs, with O_DIRECT where the file system takes it: the receiving thread
 * only copies into a slab, the hash runs on the other core, the data skips
 * the page cache, and making the file durable at the end costs a flush, not
 * a writeback of the whole file. A file left by an earlier run is hashed
 * first and appended to (a resumed download).
 */
#ifndef LC_SINK_H
#define LC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct lc_sink;

/*
 * Open (create) path; direct: try O_DIRECT (false: always the page cache, as
 * on file systems without it). NULL with err on failure.
 */
struct lc_sink *lc_sink_open(const char *path, bool direct, struct lc_err *err);
/* Bytes the sink holds: the file's, and what is buffered. */
uint64_t lc_sink_size(const struct lc_sink *s);
/*
 * The file the sink writes, as it was opened: a path that no longer leads to
 * this device and inode was removed or replaced by someone else.
 */
void lc_sink_ident(const struct lc_sink *s, dev_t *dev, ino_t *ino);
/* Whether the file is written with O_DIRECT (for tests and benchmarks). */
bool lc_sink_direct(const struct lc_sink *s);
/*
 * Append. Returns 0, or the errno of a write that failed (this one or an
 * earlier one on the writer thread); after a failure nothing more is taken.
 */
int lc_sink_write(struct lc_sink *s, const void *data, size_t n);
/* Drop everything: the file is emptied and the hash starts over. 0 or an errno. */
int lc_sink_reset(struct lc_sink *s);
/*
 * Write what is buffered, make the file durable when durable, close it and
 * free s (always). digest (may be NULL) gets the sha256 of the whole file.
 */
int lc_sink_close(struct lc_sink *s, bool durable, uint8_t digest[32], struct lc_err *err);

#endif
