/*
 * Topology parsing: YAML text -> lc_topology, with defaults merged into the
 * nodes and replicas expanded. Pure: no I/O. Type and key errors go to the
 * diagnostics with their position; semantic checks are validate.c's.
 */
#ifndef LC_TOPOLOGY_H
#define LC_TOPOLOGY_H

#include "model.h"

/* Limits that keep a typo from asking for a million domains. */
#define LC_MAX_REPLICAS 1024
#define LC_MAX_NODES	4096
/* networks, vf_pools, hosts: each */
#define LC_MAX_NAMED 1024
/* values (keys and list items) once defaults and replicas are applied */
#define LC_MAX_VALUES (1u << 20)
/* a topology is hand-written text: anything larger is a mistake */
#define LC_MAX_TOPOLOGY_BYTES (16u << 20)

/*
 * Parse a topology. A relative "template:" is taken from the topology
 * file's directory. Returns a model (possibly incomplete where diagnostics
 * were recorded) or NULL when the YAML itself is unusable; the caller checks
 * diags->n either way and owns the result.
 */
struct lc_topology *lc_topology_parse(const char *file, const char *data, size_t len,
				      struct lc_diags *diags);

#endif
