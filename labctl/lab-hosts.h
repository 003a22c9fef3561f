/*
 * A lab's domains on every host its journal names (README.md, "Several
 * hosts"): -c's connection and one more per other host a journal records,
 * so that status, console, inventory and ssh find a node wherever up put
 * it. A host that cannot be reached does not hide the others: it is listed
 * in unreached, with why, for the command to say so.
 */
#ifndef LC_LAB_HOSTS_H
#define LC_LAB_HOSTS_H

#include <stddef.h>

#include "err.h"
#include "opts.h"
#include "strv.h"

struct lc_virt;
struct lc_virt_obj;

/* A host a journal names that could not be reached, or listed. */
struct lc_lab_unreached {
	char *host; /* its name, or its URI when it has none */
	char *why;
};

struct lc_lab_doms {
	/* -c's domains, then each other host's, sorted by name (then by that order) */
	struct lc_virt_obj *doms;
	size_t n;
	/* per domain: its host's name (or URI) and connection, both borrowed from here */
	const char **host;
	struct lc_virt **virt;
	struct lc_lab_unreached *unreached;
	size_t n_unreached;
	/* the hosts the journals name, by URI; conns[k] is NULL for -c's or one not reached */
	struct lc_strv uris, names;
	struct lc_virt **conns;
	char *c_name;
};

/*
 * The domains of lab (NULL: every lab) on v0 (-c's connection, borrowed)
 * and on every other host the labs' journals in o->state_dir record. -c's
 * host is named by the journal's name of o->uri (or v0's URI), else that
 * URI. -1 with err when v0 or the state dir cannot be read; an unreachable
 * other host is not an error.
 */
int lc_lab_doms_init(struct lc_lab_doms *ld, const struct lc_opts *o, struct lc_virt *v0,
		     const char *lab, struct lc_err *err);
/* Frees the domains and closes the connections it opened. */
void lc_lab_doms_release(struct lc_lab_doms *ld);

#endif
