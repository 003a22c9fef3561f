/*
 * Loading a lab's inputs: the topology file, the image catalog(s) and the
 * template kinds, parsed and validated together, as validate, render and up
 * all need them.
 */
#ifndef LC_LOAD_H
#define LC_LOAD_H

#include "image-catalog.h"
#include "opts.h"
#include "model.h"
#include "strv.h"

struct lc_loaded {
	struct lc_topology *topo;
	struct lc_catalog *catalog; /* installed catalog merged with STATE/catalog.yaml */
	struct lc_strv kinds;
};

/*
 * Read a topology file: a regular file or a pipe of at most
 * LC_MAX_TOPOLOGY_BYTES (a device such as /dev/zero would never end).
 * Errors are LC_EXIT_USAGE; the caller frees *data.
 */
int lc_load_topology_text(const char *path, char **data, size_t *len, struct lc_err *err);
/* Everything or nothing: on failure (LC_EXIT_USAGE for topology problems) *out is empty. */
int lc_load(const struct lc_opts *o, const char *path, struct lc_loaded *out, struct lc_err *err);
void lc_loaded_release(struct lc_loaded *l);
/* The installed catalog (--catalog) merged with STATE/catalog.yaml when present. */
struct lc_catalog *lc_load_catalog(const struct lc_opts *o, struct lc_err *err);

#endif
