/*
 * A lab across several L0 hosts (README.md, "Several hosts"): the topology's
 * hosts: names libvirt URIs and each node's host: places it; a node without
 * one goes to -c's connection. This is the per-lab set of connections, one
 * per host the lab uses, with each host's own facts, and, for a host that
 * is not this machine, what labctl put there through the storage API: its
 * pool's directory and the base images, uploaded once and named by their
 * sha256.
 */
#ifndef LC_HOSTS_H
#define LC_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "image-cache.h"
#include "journal.h"
#include "load.h"
#include "opts.h"
#include "plan.h"
#include "render.h"

struct lc_virt;

struct lc_lab_host {
	char *name; /* the topology's name of it; NULL for -c's when no name has its URI */
	char *uri;
	struct lc_virt *v; /* hosts[0] is -c's connection (borrowed); the others are owned */
	/* reached through libvirt's remote driver: its files are not this machine's */
	bool remote;
	struct lc_host_facts facts; /* after lc_hosts_probe */
	/* remote, after lc_hosts_prepare: the pool's directory and the images there */
	char *pool_dir;
	struct lc_strv img_keys, img_paths; /* "IMAGE/PART" and its file on that host */
	struct lc_render_site site;
};

struct lc_hosts {
	struct lc_lab_host *v;
	size_t n;
	size_t *node_host; /* per node of the topology: its index in v; NULL without one */
	size_t n_nodes;
	size_t n_uploaded; /* image parts lc_hosts_prepare uploaded */
};

/* The connections of a topology's hosts that some node uses, with v0 (-c's) first. */
int lc_hosts_open(const struct lc_opts *o, struct lc_virt *v0, const struct lc_topology *t,
		  struct lc_hosts *hs, struct lc_err *err);
/* The hosts lab's journal records, with v0 first: for down, status and gc. */
int lc_hosts_of_lab(const struct lc_opts *o, struct lc_virt *v0, const char *lab,
		    struct lc_hosts *hs, struct lc_err *err);
void lc_hosts_release(struct lc_hosts *hs);
/* The host's name, or its URI when it has none: status's HOST. */
const char *lc_host_label(const struct lc_lab_host *h);
/* Node i's host. */
struct lc_lab_host *lc_hosts_of_node(const struct lc_hosts *hs, size_t i);

/* Each host's facts from its own capabilities (and this machine's /proc only for a local one). */
int lc_hosts_probe(const struct lc_opts *o, struct lc_hosts *hs, struct lc_err *err);
/*
 * For each remote host: its pool (made when missing) and the parts of the
 * images its nodes boot, uploaded from the cache unless a volume of that
 * sha256 and size is there, and verified (read back and hashed) once
 * uploaded. progress (may be NULL) sees each upload.
 */
int lc_hosts_prepare(const struct lc_opts *o, struct lc_hosts *hs, const struct lc_loaded *l,
		     const struct lc_image_progress *progress, struct lc_err *err);
/* Per node: its host's facts and, for a remote one, its files there; caller frees. */
struct lc_node_host *lc_hosts_node_hosts(const struct lc_hosts *hs);
/* Record the hosts the lab's nodes use, and each remote node's console log volume. */
void lc_hosts_journal(const struct lc_hosts *hs, const struct lc_topology *t, struct lc_journal *j);
/*
 * Copy a remote node's console log (its volume there) to local_path, where
 * up --wait and status read it. A log not there yet is not an error.
 */
int lc_hosts_mirror_log(const struct lc_hosts *hs, const struct lc_topology *t, size_t i,
			const char *local_path, struct lc_err *err);

#endif
