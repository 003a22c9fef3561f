/*
 * A lab's plan: every XML document labctl would define for a topology
 * (domains, networks, volumes), rendered in memory, all or nothing. render
 * prints it; up defines it.
 */
#ifndef LC_PLAN_H
#define LC_PLAN_H

#include <time.h>

#include "opts.h"
#include "load.h"
#include "render.h"
#include "vf-alloc.h"

enum lc_object { LC_OBJ_DOMAIN, LC_OBJ_NETWORK, LC_OBJ_VOLUME };

struct lc_planned {
	enum lc_object type;
	char *name;		    /* LAB-NODE, LAB-NET, LAB-NODE.qcow2 */
	const struct lc_node *node; /* domains and volumes */
	char *xml;
	char *rendered_sha256; /* domains and networks: see lc_render_domain_sha256 */
	/* domains: what the host's domain capabilities took away, "hyperv.vpindex", ... */
	struct lc_strv dropped;
	unsigned missing;    /* domains: needs the host does not meet (enum lc_need) */
	const char *no_caps; /* domains: why no capabilities were known (borrowed), or NULL */
	/* a volume whose contents labctl uploads (a cloud-init seed); NULL for others */
	unsigned char *data;
	size_t len;
};

struct lc_plan {
	struct lc_planned *v;
	size_t n, cap;
	struct lc_addrs addrs; /* every NIC's planned address */
	size_t n_seeds;	       /* cloud-init seeds built ... */
	double seed_seconds;   /* ... and the time their ISOs took */
};

/*
 * Render every object of the lab; templates are read from o->templates.
 * Each domain's Hyper-V enlightenments and CPU features are filtered by the
 * host's domain capabilities (facts->domcaps); a node's require: that would
 * be dropped fails with LC_EXIT_RESOURCE. Unmet needs are only recorded
 * (missing): up refuses them, render reports them.
 * devs gives each node's planned VFs and pci devices (lc_host_plan); NULL
 * only for a topology that asks for none.
 */
int lc_plan_build(const struct lc_opts *o, const struct lc_loaded *l,
		  const struct lc_host_facts *facts, const struct lc_vf_plan *devs, time_t now,
		  struct lc_plan *plan, struct lc_err *err);
/* Where a node runs when the lab spans hosts (hosts.h). */
struct lc_node_host {
	const struct lc_host_facts *facts; /* that host's; NULL: the plan's facts */
	const struct lc_render_site *site; /* NULL: the host sees this machine's files */
};
/* lc_plan_build with per_node[i] for node i of the topology (per_node may be NULL). */
int lc_plan_build_hosts(const struct lc_opts *o, const struct lc_loaded *l,
			const struct lc_host_facts *facts, const struct lc_node_host *per_node,
			const struct lc_vf_plan *devs, time_t now, struct lc_plan *plan,
			struct lc_err *err);
void lc_plan_release(struct lc_plan *plan);
/*
 * LC_EXIT_RESOURCE naming the first domain whose needs the host does not
 * meet: node, kind, the missing piece and the fix. 0 when all are met.
 */
int lc_plan_check_needs(const struct lc_plan *plan, struct lc_err *err);
/* The planned domain of the node named node, or NULL. */
const struct lc_planned *lc_plan_domain(const struct lc_plan *plan, const char *node);
/* File name under render -o DIR: LAB-NODE.xml, LAB-NET.network.xml, VOL.volume.xml. */
char *lc_planned_file_name(const struct lc_planned *p);

#endif
