/*
 * VF planning against this host: gathers the inventory (through its source),
 * the leases in the state dir and the functions libvirt domains hold, then
 * asks the pure allocator. With leases taken, the whole plan is leased or
 * nothing is, under the lease lock.
 */
#ifndef LC_HOSTVF_H
#define LC_HOSTVF_H

#include <stdbool.h>

#include "opts.h"
#include "lease.h"
#include "lease-remote.h"
#include "pci.h"
#include "vf-alloc.h"

struct lc_virt;

/*
 * Where the VFs of the host at uri are read from: --inventory when given,
 * else sysfs (below --sysfs) for a URI naming no host (or NULL, libvirt's
 * default), which is this machine, and libvirt's node devices for any
 * other (docs/vfs.md, "From libvirt's node devices").
 */
bool lc_inventory_from_libvirt(const struct lc_opts *o, const char *uri);
/*
 * The inventory of the host at uri from that source; v is its connection,
 * which the libvirt source needs (with v NULL it fails, naming uri).
 */
int lc_host_inventory(const struct lc_opts *o, const char *uri, struct lc_virt *v,
		      struct lc_inventory *inv, struct lc_err *err);

/*
 * Whether the leases of the host at uri live on that host (its labctl pool,
 * lease-remote.h) rather than in the state dir: when its inventory comes
 * from libvirt, the host is one other controllers may share.
 */
bool lc_leases_on_host(const struct lc_opts *o, const char *uri);

/* Everything the allocator reads, owned here. */
struct lc_host_vfs {
	struct lc_inventory inv;
	struct lc_leases leases;
	bool on_host;			/* the leases are on the host: remote, not leases */
	struct lc_remote_lease *remote; /* sorted by group */
	size_t n_remote;
	struct lc_group_owner *owners; /* either's, as the allocator reads them */
	size_t n_owners;
	struct lc_fn_user *users;
	size_t n_users;
	void *virt_users; /* the adapter's records the users borrow from */
	size_t n_virt_users;
	bool users_known; /* false when libvirt could not be asked */
};

/*
 * Read the inventory (from the source for v's URI, or o->uri without v),
 * the leases (from pool on v's host when they live there; the state dir's
 * when pool is NULL or they do not) and (if v) its domains' users.
 */
int lc_host_vfs_load(const struct lc_opts *o, struct lc_virt *v, const char *pool,
		     struct lc_host_vfs *h, struct lc_err *err);
void lc_host_vfs_release(struct lc_host_vfs *h);
void lc_host_vfs_inputs(const struct lc_host_vfs *h, const struct lc_topology *t,
			struct lc_vf_inputs *in);

/*
 * Plan the lab's VFs and pci devices. take: lease every planned group for
 * the lab (and drop the lab's leases the plan no longer uses) atomically
 * with respect to other labctl runs. A topology without vfs or pci reads
 * nothing from the host.
 */
int lc_host_plan(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t, bool take,
		 struct lc_vf_plan *plan, struct lc_err *err);

/* The groups one run leased on one host that the lab did not hold before. */
struct lc_vf_taken {
	struct lc_virt *v; /* borrowed; with pool set, the leases are on that host */
	const char *pool;
	int *groups;
	size_t n;
};

/*
 * lc_host_plan taking the leases for the nodes of t that mine marks (NULL:
 * every node; the others are planned nothing), on v's host, in the state
 * dir or in the lab's storage pool there (lc_leases_on_host). Also hands over what this run
 * leased (taken: the caller releases it), so that a failure before
 * anything uses them can give them back with lc_host_give_back.
 */
int lc_host_plan_take(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      const bool *mine, struct lc_vf_plan *plan, struct lc_vf_taken *taken,
		      struct lc_err *err);
int lc_host_give_back(const struct lc_opts *o, const char *lab, const struct lc_vf_taken *taken,
		      struct lc_err *err);
void lc_vf_taken_release(struct lc_vf_taken *taken);

/*
 * lc_host_plan without leasing, also handing over the inventory the plan
 * was made from (empty when the lab asks for no device), which the caller
 * releases with lc_inventory_release.
 */
int lc_host_plan_view(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      struct lc_vf_plan *plan, struct lc_inventory *inv, struct lc_err *err);

#endif
