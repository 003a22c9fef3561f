/*
 * A YAML document as a tree whose every node remembers its file:line:column.
 * libyaml's own loader drops duplicate keys silently and loses positions, so
 * the tree is built here from libyaml's event stream.
 */
#ifndef LC_YAML_DOC_H
#define LC_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum lc_ytype { LC_Y_SCALAR, LC_Y_MAP, LC_Y_SEQ };

struct lc_ynode {
	enum lc_ytype type;
	struct lc_mark at;
	char *scalar; /* LC_Y_SCALAR */
	bool plain;   /* unquoted scalar: may be a number, bool or null */
	/* LC_Y_SEQ: n items; LC_Y_MAP: n pairs, key i at kv[2i], value at kv[2i+1] */
	struct lc_ynode **kv;
	size_t n, cap;
};

struct lc_ydoc {
	const char *file;      /* borrowed: must outlive every mark taken from the tree */
	struct lc_ynode *root; /* NULL when the document is empty */
	/* every node, owned here: aliases make the tree a DAG */
	struct lc_ynode **all;
	size_t n_all, cap_all;
};

/*
 * Parse one YAML document from memory. Problems (malformed YAML, duplicate
 * keys, aliases to no anchor, nesting too deep, more than one document) go
 * to diags with their position and NULL is returned. An empty document is
 * not a problem here: root is NULL.
 */
struct lc_ydoc *lc_ydoc_parse(const char *file, const char *data, size_t len,
			      struct lc_diags *diags);
void lc_ydoc_free(struct lc_ydoc *doc);

/* Value of key in a map (NULL when absent); key node in *keyp if asked. */
const struct lc_ynode *lc_ymap_get(const struct lc_ynode *map, const char *key,
				   const struct lc_ynode **keyp);
/* A plain scalar meaning null: "", "~", "null". */
bool lc_ynode_is_null(const struct lc_ynode *n);
const char *lc_ytype_name(const struct lc_ynode *n);

#include "alloc.h"

#endif
