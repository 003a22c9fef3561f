/* VF planning against the host; see host-vfs.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "host-vfs.h"
#include "sysfs.h"
#include "uri.h"
#include "virt.h"

bool lc_inventory_from_libvirt(const struct lc_opts *o, const char *uri)
{
	if (o->inventory)
		return strcmp(o->inventory, "libvirt") == 0;
	/* NULL is libvirt's default connection, a daemon on this machine */
	return uri && !lc_uri_is_local(uri);
}

int lc_host_inventory(const struct lc_opts *o, const char *uri, struct lc_virt *v,
		      struct lc_inventory *inv, struct lc_err *err)
{
	memset(inv, 0, sizeof(*inv));
	struct lc_inventory_source src;
	if (!lc_inventory_from_libvirt(o, uri)) {
		struct lc_sysroot root = {o->sysfs, o->procfs, o->devfs};
		lc_inventory_sysfs_source(&root, &src);
		return lc_inventory_load(&src, inv, err);
	}
	if (!v)
		return lc_err_set(err, LC_EXIT_RUNTIME,
				  "PCI inventory from libvirt: no connection to '%s'", uri);
	struct lc_strv xmls = LC_STRV_INIT;
	int rc = lc_virt_node_devices_xml(v, &xmls, err);
	if (rc == 0) {
		lc_inventory_nodedev_source(&xmls, &src);
		rc = lc_inventory_load(&src, inv, err);
	}
	lc_strv_release(&xmls);
	return rc;
}

bool lc_leases_on_host(const struct lc_opts *o, const char *uri)
{
	return lc_inventory_from_libvirt(o, uri);
}

/* The leases as the allocator sees them: their groups and holders, from either place. */
static void owners_of(struct lc_host_vfs *h)
{
	size_t n = h->remote ? h->n_remote : h->leases.n;
	h->owners = lc_calloc(n + 1, sizeof(*h->owners));
	for (size_t i = 0; i < n; i++) {
		struct lc_group_owner *w = &h->owners[i];
		w->group = h->remote ? h->remote[i].group : h->leases.v[i].group;
		w->lab = h->remote ? h->remote[i].lab : h->leases.v[i].lab;
		w->node = h->remote ? h->remote[i].node : h->leases.v[i].node;
	}
	h->n_owners = n;
}

int lc_host_vfs_load(const struct lc_opts *o, struct lc_virt *v, const char *pool,
		     struct lc_host_vfs *h, struct lc_err *err)
{
	memset(h, 0, sizeof(*h));
	/* the host is the connection's: with several hosts, each plans on its own */
	const char *uri = v ? lc_virt_uri(v) : o->uri;
	if (lc_host_inventory(o, uri, v, &h->inv, err) < 0)
		return -1;
	int rc;
	if (v && pool && lc_leases_on_host(o, uri)) {
		/* a pool not made yet reads as holding none */
		rc = lc_remote_leases_read(v, pool, &h->remote, &h->n_remote, err);
		h->on_host = true;
	} else {
		rc = lc_leases_read(o->state_dir, &h->leases, err);
	}
	if (rc < 0) {
		lc_host_vfs_release(h);
		return -1;
	}
	owners_of(h);
	if (v) {
		struct lc_virt_user *vu;
		size_t n;
		if (lc_virt_fn_users(v, &vu, &n, err) < 0) {
			lc_host_vfs_release(h);
			return -1;
		}
		h->virt_users = vu;
		h->n_virt_users = n;
		h->users = lc_calloc(n + 1, sizeof(*h->users));
		for (size_t i = 0; i < n; i++)
			h->users[i] = (struct lc_fn_user){vu[i].addr, vu[i].domain, vu[i].lab};
		h->n_users = n;
		h->users_known = true;
	}
	return 0;
}

void lc_host_vfs_release(struct lc_host_vfs *h)
{
	lc_inventory_release(&h->inv);
	lc_leases_release(&h->leases);
	lc_remote_leases_free(h->remote, h->n_remote);
	free(h->owners);
	free(h->users);
	lc_virt_users_free(h->virt_users, h->n_virt_users);
	memset(h, 0, sizeof(*h));
}

void lc_host_vfs_inputs(const struct lc_host_vfs *h, const struct lc_topology *t,
			struct lc_vf_inputs *in)
{
	in->inv = &h->inv;
	in->t = t;
	in->leases = h->owners;
	in->n_leases = h->n_owners;
	in->users = h->users;
	in->n_users = h->n_users;
}

static bool wants_devices(const struct lc_topology *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].n_vfs || t->nodes[i].n_pci)
			return true;
	return false;
}

/* The addresses of a group's functions, for the lease file. */
static char *group_addresses(const struct lc_inventory *inv, int group)
{
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < inv->n; i++)
		if (inv->fns[i].group == group && !lc_fn_is_bridge(&inv->fns[i]))
			lc_buf_addf(&b, "%s%s", b.len ? " " : "", inv->fns[i].addr);
	return lc_buf_detach(&b);
}

static bool held_before(const struct lc_host_vfs *h, int group, const char *lab)
{
	for (size_t i = 0; i < h->n_owners; i++)
		if (h->owners[i].group == group)
			return h->owners[i].lab && strcmp(h->owners[i].lab, lab) == 0;
	return false;
}

static bool in_plan(const struct lc_vf_plan *p, int group)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->nodes[i].n_groups; k++)
			if (p->nodes[i].groups[k] == group)
				return true;
	return false;
}

/*
 * Whether the lab's lease of node is this plan's to keep or drop: the
 * node is planned here (mine), or no longer in the topology. Another
 * host's node keeps its lease: that host's plan judges it.
 */
static bool lease_of_here(const struct lc_topology *t, const bool *mine, const char *node)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (node && strcmp(t->nodes[i].name, node) == 0)
			return !mine || mine[i];
	return true;
}

static int take_all(const struct lc_opts *o, const struct lc_topology *t, const bool *mine,
		    const struct lc_host_vfs *h, const struct lc_vf_plan *plan,
		    struct lc_vf_taken *out, struct lc_err *err)
{
	const char *lab = t->name.v;
	int *taken = NULL;
	size_t n_taken = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		for (size_t k = 0; k < plan->nodes[i].n_groups && rc == 0; k++) {
			int g = plan->nodes[i].groups[k];
			char *addrs = group_addresses(&h->inv, g);
			bool had = held_before(h, g, lab);
			rc = lc_lease_take(o->state_dir, g, lab, t->nodes[i].name, addrs, o->uri,
					   err);
			free(addrs);
			if (rc == 0 && !had) {
				LC_GROW(taken, cap, n_taken + 1);
				taken[n_taken++] = g;
			}
		}
	}
	if (rc < 0) {
		/* all or nothing: what this run took goes back */
		for (size_t i = 0; i < n_taken; i++)
			lc_lease_drop(o->state_dir, taken[i], NULL);
	} else {
		/* leases of this lab the plan no longer uses (the topology changed) */
		for (size_t i = 0; i < h->leases.n; i++)
			if (h->leases.v[i].lab && strcmp(h->leases.v[i].lab, lab) == 0 &&
			    lease_of_here(t, mine, h->leases.v[i].node) &&
			    !in_plan(plan, h->leases.v[i].group))
				lc_lease_drop(o->state_dir, h->leases.v[i].group, NULL);
	}
	if (rc == 0) {
		out->groups = taken;
		out->n = n_taken;
		taken = NULL;
	}
	free(taken);
	return rc;
}

/*
 * take_all for leases on the host: what the lab does not hold yet is taken
 * in one all-or-nothing step (lc_remote_leases_take), then what it holds
 * and no longer uses is given back.
 */
static int take_on_host(struct lc_virt *v, const struct lc_topology *t, const bool *mine,
			const struct lc_host_vfs *h, const struct lc_vf_plan *plan,
			struct lc_vf_taken *out, struct lc_err *err)
{
	const char *lab = t->name.v, *pool = t->storage_pool.v;
	int *want = NULL;
	const char **nodes = NULL;
	size_t n = 0, cap = 0, cap_nodes = 0;
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; k < plan->nodes[i].n_groups; k++)
			if (!held_before(h, plan->nodes[i].groups[k], lab)) {
				LC_GROW(want, cap, n + 1);
				LC_GROW(nodes, cap_nodes, n + 1);
				nodes[n] = t->nodes[i].name;
				want[n++] = plan->nodes[i].groups[k];
			}
	char ctl[256];
	lc_remote_lease_controller(ctl, sizeof(ctl));
	int rc =
	    n ? lc_remote_leases_take(v, pool, lab, ctl, (long)getpid(), want, nodes, n, err) : 0;
	free(nodes);
	if (rc < 0) {
		free(want);
		return -1;
	}
	/* the lab's leases this plan no longer uses; another host's nodes' are that plan's */
	int *unused = lc_calloc(h->n_remote + 1, sizeof(int));
	size_t nu = 0;
	for (size_t i = 0; i < h->n_remote; i++)
		if (h->remote[i].lab && strcmp(h->remote[i].lab, lab) == 0 &&
		    lease_of_here(t, mine, h->remote[i].node) && !in_plan(plan, h->remote[i].group))
			unused[nu++] = h->remote[i].group;
	struct lc_err ignore = LC_ERR_INIT;
	if (nu && lc_remote_leases_give_back(v, pool, lab, unused, nu, &ignore) < 0)
		lc_err_release(&ignore); /* held a little longer: down gives them back */
	free(unused);
	out->v = v;
	out->pool = pool;
	out->groups = want;
	out->n = n;
	return 0;
}

/* The planned groups another lab holds by lease or by its domains, for a preview. */
static void note_held(const struct lc_host_vfs *h, const struct lc_topology *t,
		      struct lc_vf_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->nodes[i].n_groups; k++) {
			int g = p->nodes[i].groups[k];
			const char *lab = NULL;
			for (size_t j = 0; j < h->n_owners && !lab; j++)
				if (h->owners[j].group == g && h->owners[j].lab &&
				    strcmp(h->owners[j].lab, t->name.v) != 0)
					lab = h->owners[j].lab;
			for (size_t j = 0; j < h->n_users && !lab; j++) {
				const struct lc_pci_fn *f =
				    lc_inventory_find(&h->inv, h->users[j].addr);
				if (f && f->group == g && h->users[j].lab &&
				    strcmp(h->users[j].lab, t->name.v) != 0)
					lab = h->users[j].lab;
			}
			if (lab)
				lc_strv_pushf(&p->held, "group %d (lab %s)", g, lab);
		}
}

static int plan_once(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		     const bool *mine, bool take, struct lc_vf_plan *out, struct lc_inventory *inv,
		     struct lc_vf_taken *taken, bool *again, struct lc_err *err)
{
	if (!wants_devices(t)) {
		out->n = t->n_nodes;
		out->nodes = lc_calloc(t->n_nodes + 1, sizeof(*out->nodes));
		return 0;
	}
	int lock = -1;
	if (take && lc_leases_lock(o->state_dir, &lock, err) < 0)
		return -1;
	struct lc_host_vfs h;
	int rc = lc_host_vfs_load(o, v, t->storage_pool.v, &h, err);
	/* two hosts of one lab on one machine share its devices: the other's nodes' are not ours */
	for (size_t i = 0; rc == 0 && mine && i < h.n_owners; i++)
		h.owners[i].elsewhere = h.owners[i].lab &&
					strcmp(h.owners[i].lab, t->name.v) == 0 &&
					!lease_of_here(t, mine, h.owners[i].node);
	if (rc == 0) {
		struct lc_vf_inputs in;
		lc_host_vfs_inputs(&h, t, &in);
		/*
		 * A preview (render, graph) shows the lab as it would be made: what
		 * another lab holds (its leases, its domains' devices) counts as
		 * free, and the plan says which groups those are.
		 */
		struct lc_group_owner *own = NULL;
		struct lc_fn_user *users = NULL;
		if (!take) {
			own = lc_calloc(in.n_leases + 1, sizeof(*own));
			users = lc_calloc(in.n_users + 1, sizeof(*users));
			size_t no = 0, nu = 0;
			for (size_t i = 0; i < in.n_leases; i++)
				if (!in.leases[i].lab || strcmp(in.leases[i].lab, t->name.v) == 0)
					own[no++] = in.leases[i];
			for (size_t i = 0; i < in.n_users; i++)
				if (!in.users[i].lab || strcmp(in.users[i].lab, t->name.v) == 0)
					users[nu++] = in.users[i];
			in.leases = own;
			in.n_leases = no;
			in.users = users;
			in.n_users = nu;
		}
		rc = lc_vf_plan(&in, out, err);
		if (rc == 0 && !take)
			note_held(&h, t, out);
		free(own);
		free(users);
		if (rc == 0 && take) {
			struct lc_vf_taken ignore = {0};
			struct lc_vf_taken *tk = taken ? taken : &ignore;
			rc = h.on_host ? take_on_host(v, t, mine, &h, out, tk, err)
				       : take_all(o, t, mine, &h, out, tk, err);
			/* another controller was quicker on the host: plan again */
			*again = rc < 0 && h.on_host && err->code == LC_EXIT_RESOURCE;
			free(ignore.groups);
			if (rc < 0)
				lc_vf_plan_release(out);
		}
		if (rc == 0 && inv) {
			*inv = h.inv; /* the caller's now */
			memset(&h.inv, 0, sizeof(h.inv));
		}
		lc_host_vfs_release(&h);
	}
	lc_leases_unlock(lock);
	return rc;
}

/*
 * How often a plan is made again when another controller took one of its
 * groups on the host between the reading of the leases and the taking:
 * the next plan sees that lease, and picks other groups or reports the
 * shortage.
 */
#define ON_HOST_TRIES 5

static int plan(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		const bool *mine, bool take, struct lc_vf_plan *out, struct lc_inventory *inv,
		struct lc_vf_taken *taken, struct lc_err *err)
{
	memset(out, 0, sizeof(*out));
	if (taken)
		memset(taken, 0, sizeof(*taken));
	if (inv)
		memset(inv, 0, sizeof(*inv));
	/* the nodes not on this host are planned nothing here */
	struct lc_topology masked;
	struct lc_node *nodes = NULL;
	if (mine) {
		masked = *t;
		nodes = lc_calloc(t->n_nodes + 1, sizeof(*nodes));
		memcpy(nodes, t->nodes, t->n_nodes * sizeof(*nodes));
		for (size_t i = 0; i < t->n_nodes; i++)
			if (!mine[i])
				nodes[i].n_vfs = nodes[i].n_pci = 0;
		masked.nodes = nodes;
		t = &masked;
	}
	int rc = 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	unsigned seed = (unsigned)getpid() ^ (unsigned)now.tv_nsec;
	for (int tries = 1;; tries++) {
		bool again = false;
		rc = plan_once(o, v, t, mine, take, out, inv, taken, &again, err);
		if (rc == 0 || !again || tries == ON_HOST_TRIES)
			break;
		lc_err_release(err);
		/*
		 * The other run is still taking its groups: a plan made now would
		 * see half of them and race it again. A random pause of 50-250 ms
		 * lets it finish, and keeps two losers from colliding in step.
		 */
		struct timespec pause = {0, (long)(50 + rand_r(&seed) % 200) * 1000000L};
		nanosleep(&pause, NULL);
	}
	free(nodes);
	return rc;
}

int lc_host_plan(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t, bool take,
		 struct lc_vf_plan *out, struct lc_err *err)
{
	return plan(o, v, t, NULL, take, out, NULL, NULL, err);
}

int lc_host_plan_take(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      const bool *mine, struct lc_vf_plan *out, struct lc_vf_taken *taken,
		      struct lc_err *err)
{
	return plan(o, v, t, mine, true, out, NULL, taken, err);
}

int lc_host_give_back(const struct lc_opts *o, const char *lab, const struct lc_vf_taken *taken,
		      struct lc_err *err)
{
	if (!taken->n)
		return 0;
	if (taken->pool)
		return lc_remote_leases_give_back(taken->v, taken->pool, lab, taken->groups,
						  taken->n, err);
	int lock = -1;
	if (lc_leases_lock(o->state_dir, &lock, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < taken->n; i++)
		if (lc_lease_drop(o->state_dir, taken->groups[i], rc == 0 ? err : NULL) < 0)
			rc = -1;
	lc_leases_unlock(lock);
	return rc;
}

void lc_vf_taken_release(struct lc_vf_taken *taken)
{
	free(taken->groups);
	memset(taken, 0, sizeof(*taken));
}

int lc_host_plan_view(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		      struct lc_vf_plan *out, struct lc_inventory *inv, struct lc_err *err)
{
	return plan(o, v, t, NULL, false, out, inv, NULL, err);
}
