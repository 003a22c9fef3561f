/*
 * A node's cloud-init NoCloud seed: the three files of the `cidata` volume
 * (meta-data, user-data, network-config), rendered from the topology and
 * the plan, and the ISO 9660 volume that carries them (seed-iso.c). The
 * files are pure text in, text out; see README "Using a lab".
 */
#ifndef LC_SEED_H
#define LC_SEED_H

#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "image-catalog.h"
#include "model.h"
#include "render.h"

/* The user labctl creates in every cloud-init node. */
#define LC_SEED_USER "labctl"

struct lc_seed {
	char *meta_data;
	char *user_data; /* MIME multi-part: labctl's cloud-config, then the user's */
	char *network_config;
};

/* Whether a node gets a seed: its image says it takes cloud-init. */
bool lc_node_takes_seed(const struct lc_catalog *c, const struct lc_node *n);

/*
 * The seed of node n. pubkey: the lab's SSH public key (one line); VF NICs
 * come from hostdevs (their MACs); instance_id changes when the node's
 * rendered domain does, so cloud-init runs again on a new definition.
 */
void lc_seed_render(const struct lc_topology *t, const struct lc_node *n,
		    const struct lc_addrs *addrs, const struct lc_hostdev *hostdevs,
		    size_t n_hostdevs, const char *pubkey, const char *instance_id,
		    struct lc_seed *out);
void lc_seed_release(struct lc_seed *s);

/* The seed's volume name: LAB-NODE-seed.iso. Caller frees. */
char *lc_seed_volume_name(const struct lc_topology *t, const struct lc_node *n);

struct lc_iso_file {
	const char *name;
	const char *data;
	size_t len;
};

/*
 * An ISO 9660 image (Rock Ridge and Joliet names) labelled label holding
 * files at its root, built in memory with libisofs; when dates every
 * timestamp, so the same files give the same bytes. *out is the caller's.
 */
int lc_iso_build(const char *label, const struct lc_iso_file *files, size_t n, time_t when,
		 unsigned char **out, size_t *len, struct lc_err *err);

#endif
