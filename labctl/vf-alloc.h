/*
 * VF allocation by whole IOMMU group (docs/vfs.md). Pure: the inventory, the
 * leases other runs hold and the functions other domains use come in as
 * arguments; a plan or a shortage message comes out. Deterministic: the same
 * inputs give the same plan.
 */
#ifndef LC_VFALLOC_H
#define LC_VFALLOC_H

#include "model.h"
#include "strv.h"
#include "pci.h"
#include "render.h"

/* A group held by a lease: whose it is (lab and node NULL: a damaged lease, nobody's). */
struct lc_group_owner {
	int group;
	const char *lab;
	const char *node;
	/* the planned lab's own, for a node planned on another host: not this plan's to use */
	bool elsewhere;
};

/* A function some domain uses; lab is NULL when labctl does not own the domain. */
struct lc_fn_user {
	const char *addr;
	const char *domain;
	const char *lab;
};

struct lc_vf_inputs {
	const struct lc_inventory *inv;
	const struct lc_topology *t;
	const struct lc_group_owner *leases;
	size_t n_leases;
	const struct lc_fn_user *users;
	size_t n_users;
};

struct lc_node_plan {
	struct lc_hostdev *hd; /* the node's VFs then its pci devices */
	size_t n_hd, cap_hd;
	int *groups; /* IOMMU groups the node takes, ascending */
	size_t n_groups, cap_groups;
};

struct lc_vf_plan {
	struct lc_node_plan *nodes; /* one per t->nodes[i] */
	size_t n;
	/* a preview (render, graph): planned groups another lab holds, "group 45 (lab x)" */
	struct lc_strv held;
};

/*
 * Plan every node's VFs and pci devices. On a shortage nothing is planned
 * and err holds LC_EXIT_RESOURCE with the counts (docs/vfs.md's form); a pci
 * device missing or sharing its group with a function the node does not
 * take is also LC_EXIT_RESOURCE, and so is a pci address naming a bridge
 * or a PF with VFs enabled, which this host cannot pass through.
 */
int lc_vf_plan(const struct lc_vf_inputs *in, struct lc_vf_plan *plan, struct lc_err *err);
void lc_vf_plan_release(struct lc_vf_plan *plan);

/* What host vfs reports for one VF. */
enum lc_vf_state { LC_VF_FREE, LC_VF_LEASED, LC_VF_BUSY, LC_VF_HOST_SHARED };

struct lc_vf_status {
	const struct lc_pci_fn *vf;
	const struct lc_pci_fn *pf;
	enum lc_vf_state state;
	const char *lab, *node; /* leased: the owner */
	char *reason;
};

/* Every VF of the inventory with its state; caller frees with lc_vf_status_free. */
int lc_vf_status(const struct lc_vf_inputs *in, struct lc_vf_status **out, size_t *n);
void lc_vf_status_free(struct lc_vf_status *v, size_t n);
const char *lc_vf_state_name(enum lc_vf_state s);

#endif
