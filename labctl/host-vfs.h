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

/* Everything the allocator reads, owned here. */
struct lc_host_vfs {
	struct lc_inventory inv;
	struct lc_leases leases;
	struct lc_group_owner *owners;
	struct lc_fn_user *users;
	size_t n_users;
	void *virt_users; /* the adapter's records the users borrow from */
	size_t n_virt_users;
	bool users_known; /* false when libvirt could not be asked */
};

/*
 * Read the inventory (from the source for v's URI, or o->uri without v),
 * the leases and (if v) its domains' users.
 */
int lc_host_vfs_load(const struct lc_opts *o, struct lc_virt *v, struct lc_host_vfs *h,
		     struct lc_err *err);
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

/*
 * lc_host_plan taking the leases, also handing over the groups this run
 * leased that the lab did not hold before (*taken, the caller frees), so
 * that a failure before anything uses them can give them back with
 * lc_host_release_taken.
 */
int lc_host_plan_take(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      struct lc_vf_plan *plan, int **taken, size_t *n_taken, struct lc_err *err);
int lc_host_release_taken(const struct lc_opts *o, const int *taken, size_t n_taken,
			  struct lc_err *err);

/*
 * lc_host_plan without leasing, also handing over the inventory the plan
 * was made from (empty when the lab asks for no device), which the caller
 * releases with lc_inventory_release.
 */
int lc_host_plan_view(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      struct lc_vf_plan *plan, struct lc_inventory *inv, struct lc_err *err);

#endif
