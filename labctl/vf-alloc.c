/* VF allocation by whole IOMMU group; see vf-alloc.h and docs/vfs.md. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mac.h"
#include "pci-addr.h"
#include "strv.h"
#include "vf-alloc.h"
#include "vf-pool.h"

struct grp {
	int id;
	size_t first, n;	      /* endpoints: ctx.mem[first .. first+n) (fn indexes) */
	bool no_iommu;		      /* a function with no group: the IOMMU is off */
	const struct lc_pci_fn *host; /* first endpoint that is not a VF */
	int numa;
	const char *pf; /* PF address of the first VF, for spreading */
	const struct lc_group_owner *lease;
	const struct lc_fn_user *user; /* a domain outside this lab uses a member */
	bool taken;
	size_t taken_by;
};

struct ctx {
	const struct lc_vf_inputs *in;
	const char *lab;
	struct grp *g;
	size_t ng;
	size_t *mem;	  /* endpoint fn indexes, grouped */
	size_t *fn_group; /* fn index -> group index, or SIZE_MAX */
};

static const struct lc_pci_fn *fn(const struct ctx *c, size_t i)
{
	return &c->in->inv->fns[i];
}

static const struct lc_pci_fn *pf_of(const struct ctx *c, const struct lc_pci_fn *vf)
{
	return lc_fn_is_vf(vf) ? lc_inventory_find(c->in->inv, vf->physfn) : NULL;
}

static int cmp_by_group(const void *a, const void *b, void *arg)
{
	const struct lc_inventory *inv = arg;
	const struct lc_pci_fn *x = &inv->fns[*(const size_t *)a],
			       *y = &inv->fns[*(const size_t *)b];
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return strcmp(x->addr, y->addr);
}

/* One pass over the inventory: groups, their endpoints, and who holds them. */
static void build(struct ctx *c)
{
	const struct lc_inventory *inv = c->in->inv;
	size_t *order = lc_calloc(inv->n, sizeof(*order));
	size_t n = 0;
	for (size_t i = 0; i < inv->n; i++)
		if (!lc_fn_is_bridge(&inv->fns[i]))
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_by_group, (void *)inv);
	c->mem = order;
	c->fn_group = lc_malloc(inv->n * sizeof(*c->fn_group));
	for (size_t i = 0; i < inv->n; i++)
		c->fn_group[i] = SIZE_MAX;
	c->g = lc_calloc(n ? n : 1, sizeof(*c->g));
	c->ng = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lc_pci_fn *f = fn(c, order[i]);
		struct grp *g = c->ng ? &c->g[c->ng - 1] : NULL;
		/* functions without a group each stand alone, and can never be used */
		if (!g || f->group < 0 || g->id != f->group) {
			g = &c->g[c->ng++];
			g->id = f->group;
			g->first = i;
			g->numa = f->numa;
			g->no_iommu = f->group < 0;
		}
		g->n++;
		c->fn_group[order[i]] = (size_t)(g - c->g);
		if (!lc_fn_is_vf(f) && !g->host)
			g->host = f;
		if (lc_fn_is_vf(f) && !g->pf)
			g->pf = f->physfn;
	}
	for (size_t i = 0; i < c->in->n_leases; i++) {
		const struct lc_group_owner *l = &c->in->leases[i];
		for (size_t j = 0; j < c->ng; j++)
			if (c->g[j].id == l->group && !c->g[j].no_iommu)
				c->g[j].lease = l;
	}
	for (size_t i = 0; i < c->in->n_users; i++) {
		const struct lc_fn_user *u = &c->in->users[i];
		if (u->lab && strcmp(u->lab, c->lab) == 0)
			continue; /* this lab's own domains: up is reconciling them */
		const struct lc_pci_fn *f = lc_inventory_find(inv, u->addr);
		size_t gi = f ? c->fn_group[f - inv->fns] : SIZE_MAX;
		if (gi != SIZE_MAX && !c->g[gi].user)
			c->g[gi].user = u;
	}
}

/* A damaged lease is nobody's: it holds its group against every lab. */
static bool leased_elsewhere(const struct ctx *c, const struct grp *g)
{
	return g->lease &&
	       (!g->lease->lab || g->lease->elsewhere || strcmp(g->lease->lab, c->lab) != 0);
}

static char *lease_holder(const struct grp *g)
{
	if (g->lease->lab && g->lease->elsewhere)
		return lc_asprintf("leased to node %s of this lab on another host",
				   g->lease->node ? g->lease->node : "?");
	return g->lease->lab ? lc_asprintf("leased to lab %s", g->lease->lab)
			     : lc_strdup("held by a damaged lease");
}

static bool usable(const struct ctx *c, const struct grp *g)
{
	return !g->no_iommu && !g->host && !g->user && !leased_elsewhere(c, g) && !g->taken;
}

/* Every endpoint a VF the pool admits: the group can serve the pool. */
static bool pool_group(const struct ctx *c, const struct lc_vf_pool *p, const struct grp *g)
{
	if (g->no_iommu || g->host)
		return false;
	for (size_t k = 0; k < g->n; k++) {
		const struct lc_pci_fn *f = fn(c, c->mem[g->first + k]);
		if (!lc_pool_admits(p, f, pf_of(c, f)))
			return false;
	}
	return true;
}

static int cmp_single(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	const struct grp *x = &c->g[*(const size_t *)a], *y = &c->g[*(const size_t *)b];
	int r = strcmp(x->pf ? x->pf : "", y->pf ? y->pf : "");
	return r ? r : strcmp(fn(c, c->mem[x->first])->addr, fn(c, c->mem[y->first])->addr);
}

static int cmp_multi(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	const struct grp *x = &c->g[*(const size_t *)a], *y = &c->g[*(const size_t *)b];
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return strcmp(fn(c, c->mem[x->first])->addr, fn(c, c->mem[y->first])->addr);
}

/*
 * The pool's groups in the order they are offered: single-device groups
 * first, taken round-robin across PFs so that a node's VFs spread over
 * ports; then multi-device groups, smallest first.
 */
static size_t *pool_order(const struct ctx *c, const struct lc_vf_pool *p, size_t *n_out)
{
	size_t *singles = lc_calloc(c->ng + 1, sizeof(size_t));
	size_t *multis = lc_calloc(c->ng + 1, sizeof(size_t));
	size_t ns = 0, nm = 0;
	for (size_t i = 0; i < c->ng; i++) {
		if (!pool_group(c, p, &c->g[i]))
			continue;
		if (c->g[i].n == 1)
			singles[ns++] = i;
		else
			multis[nm++] = i;
	}
	qsort_r(singles, ns, sizeof(size_t), cmp_single, (void *)c);
	qsort_r(multis, nm, sizeof(size_t), cmp_multi, (void *)c);
	size_t *out = lc_calloc(ns + nm + 1, sizeof(size_t));
	/* runs of one PF, then deal them out round by round */
	size_t *start = lc_calloc(ns + 1, sizeof(size_t)), runs = 0;
	for (size_t i = 0; i < ns; i++) {
		const char *a = c->g[singles[i]].pf, *b = i ? c->g[singles[i - 1]].pf : NULL;
		if (i == 0 || strcmp(a ? a : "", b ? b : "") != 0)
			start[runs++] = i;
	}
	start[runs] = ns;
	size_t k = 0;
	for (size_t round = 0; k < ns; round++)
		for (size_t r = 0; r < runs; r++)
			if (start[r] + round < start[r + 1])
				out[k++] = singles[start[r] + round];
	memcpy(out + k, multis, nm * sizeof(size_t));
	free(start);
	free(singles);
	free(multis);
	*n_out = ns + nm;
	return out;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/*
 * Pick groups from cand (in order, all usable) whose sizes sum to exactly
 * count, on one NUMA node when any can do it alone: as many single-device
 * groups as fit, the rest by subset sum over the multi-device ones.
 */
static size_t pick(const struct ctx *c, const size_t *cand, size_t n, size_t count, size_t *out)
{
	/* the distinct NUMA nodes, ascending; a host has few */
	int *numas = lc_calloc(n + 1, sizeof(int));
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		int x = c->g[cand[i]].numa;
		size_t k = 0;
		while (k < u && numas[k] < x)
			k++;
		if (k < u && numas[k] == x)
			continue;
		memmove(numas + k + 1, numas + k, (u - k) * sizeof(int));
		numas[k] = x;
		u++;
	}
	size_t *reach = lc_calloc(count + 1, sizeof(size_t)); /* 1 + group index that reached s */
	size_t got = 0;
	for (size_t attempt = 0; attempt <= u && !got; attempt++) {
		bool any = attempt == u;
		int numa = any ? 0 : numas[attempt];
		memset(reach, 0, (count + 1) * sizeof(size_t));
		reach[0] = SIZE_MAX;
		size_t singles = 0;
		for (size_t i = 0; i < n; i++) {
			const struct grp *g = &c->g[cand[i]];
			if (!any && g->numa != numa)
				continue;
			if (g->n == 1) {
				singles++;
				continue;
			}
			for (size_t s = count; s >= g->n; s--)
				if (reach[s - g->n] && !reach[s])
					reach[s] = i + 1;
		}
		size_t k = singles < count ? singles : count;
		while (k > 0 && !reach[count - k])
			k--;
		if (!reach[count - k])
			continue;
		for (size_t i = 0, taken = 0; i < n && taken < k; i++) {
			const struct grp *g = &c->g[cand[i]];
			if (g->n == 1 && (any || g->numa == numa)) {
				out[got++] = cand[i];
				taken++;
			}
		}
		size_t from = got;
		for (size_t s = count - k; s > 0; s -= c->g[cand[reach[s] - 1]].n)
			out[got++] = cand[reach[s] - 1];
		/* the walk back finds them last first: keep the offered order */
		for (size_t a = from, b = got; a + 1 < b; a++, b--) {
			size_t tmp = out[a];
			out[a] = out[b - 1];
			out[b - 1] = tmp;
		}
	}
	free(reach);
	free(numas);
	return got;
}

struct tally {
	const char *what;
	size_t n;
};

static void tally_add(struct tally *t, size_t *nt, const char *what)
{
	for (size_t i = 0; i < *nt; i++)
		if (strcmp(t[i].what, what) == 0) {
			t[i].n++;
			return;
		}
	t[*nt].what = what;
	t[*nt].n = 1;
	(*nt)++;
}

/* docs/vfs.md: "pool cx5: node kvm1 needs 4 VFs; 2 free of 16 (8 leased to lab nightly, ...)" */
static int shortage(const struct ctx *c, const struct lc_vf_pool *p, const struct lc_node *node,
		    size_t count, struct lc_err *err)
{
	size_t total = 0, free_n = 0, nt = 0;
	const struct lc_inventory *inv = c->in->inv;
	struct tally *t = lc_calloc(inv->n + 8, sizeof(*t));
	struct lc_strv owned = LC_STRV_INIT; /* the texts t points at */
	for (size_t i = 0; i < inv->n; i++) {
		const struct lc_pci_fn *f = &inv->fns[i];
		if (!lc_pool_admits(p, f, pf_of(c, f)))
			continue;
		total++;
		const struct grp *g = c->fn_group[i] == SIZE_MAX ? NULL : &c->g[c->fn_group[i]];
		if (!g || g->no_iommu) {
			tally_add(t, &nt, "have no IOMMU group (is the IOMMU on?)");
		} else if (g->host) {
			tally_add(t, &nt, "share an IOMMU group with a host device");
		} else if (!pool_group(c, p, g)) {
			tally_add(t, &nt, "share an IOMMU group with a function outside the pool");
		} else if (g->user) {
			tally_add(t, &nt,
				  lc_strv_pushf(&owned, "in use by domain %s", g->user->domain));
		} else if (leased_elsewhere(c, g)) {
			tally_add(t, &nt, lc_strv_push_nodup(&owned, lease_holder(g)));
		} else if (g->taken) {
			tally_add(t, &nt, "planned for other nodes of this lab");
		} else {
			free_n++;
		}
	}
	struct lc_buf b = LC_BUF_INIT;
	if (total == 0) {
		/* "0 free of 0" hides the cause: the pool's filters match nothing here */
		lc_buf_addf(&b, "no VF matches pool %s:", p->name.v);
		const struct {
			const char *what;
			const struct lc_strlist *l;
		} filters[] = {{"match", &p->match}, {"pf", &p->pf}, {"address", &p->address}};
		bool any = false;
		for (size_t i = 0; i < LC_ARRAY_SIZE(filters); i++) {
			if (!filters[i].l->n)
				continue;
			lc_buf_addf(&b, "%s %s ", any ? "," : "", filters[i].what);
			for (size_t k = 0; k < filters[i].l->n; k++)
				lc_buf_addf(&b, "%s%s", k ? " " : "", filters[i].l->v[k].v);
			any = true;
		}
		lc_buf_addf(&b, "%s found none on this host (node %s needs %zu)",
			    any ? "" : " every VF", node->name, count);
		lc_err_set(err, LC_EXIT_RESOURCE, "%s", lc_buf_str(&b));
		lc_buf_release(&b);
		lc_strv_release(&owned);
		free(t);
		return -1;
	}
	lc_buf_addf(&b, "pool %s: node %s needs %zu VF%s; %zu free of %zu", p->name.v, node->name,
		    count, count == 1 ? "" : "s", free_n, total);
	for (size_t i = 0; i < nt; i++)
		lc_buf_addf(&b, "%s%zu %s", i ? ", " : " (", t[i].n, t[i].what);
	if (nt)
		lc_buf_addc(&b, ')');
	if (free_n >= count)
		lc_buf_addf(&b, "; no set of whole IOMMU groups makes exactly %zu", count);
	lc_err_set(err, LC_EXIT_RESOURCE, "%s", lc_buf_str(&b));
	lc_buf_release(&b);
	lc_strv_release(&owned);
	free(t);
	return -1;
}

static void add_group(struct lc_node_plan *np, int id)
{
	LC_GROW(np->groups, np->cap_groups, np->n_groups + 1);
	np->groups[np->n_groups++] = id;
}

/* NULL when f's address is none (an inventory source that let one through). */
static struct lc_hostdev *add_hd(struct lc_node_plan *np, const struct lc_pci_fn *f,
				 struct lc_err *err)
{
	struct lc_pci_addr a;
	if (lc_pci_addr_parse(f->addr, &a) < 0) {
		lc_err_set(err, LC_EXIT_RUNTIME, "PCI inventory: bad address '%s'", f->addr);
		return NULL;
	}
	LC_GROW(np->hd, np->cap_hd, np->n_hd + 1);
	struct lc_hostdev *h = &np->hd[np->n_hd++];
	memset(h, 0, sizeof(*h));
	h->dom = a.dom;
	h->bus = a.bus;
	h->slot = a.slot;
	h->fn = a.fn;
	return h;
}

static int plan_vfs(struct ctx *c, size_t ni, struct lc_node_plan *np, size_t **orders,
		    size_t *n_orders, struct lc_err *err)
{
	const struct lc_topology *t = c->in->t;
	const struct lc_node *node = &t->nodes[ni];
	unsigned vf_no = 0;
	for (size_t r = 0; r < node->n_vfs; r++) {
		const struct lc_vf_req *req = &node->vfs[r];
		const struct lc_vf_pool *p = lc_topology_pool(t, req->pool.v);
		size_t pi = (size_t)(p - t->pools);
		size_t count = (size_t)req->count.v;
		/* this node's own earlier leases first: up again keeps the same VFs */
		size_t *cand = lc_calloc(n_orders[pi] + 1, sizeof(size_t)), nc = 0;
		for (int pass = c->in->n_leases ? 0 : 1; pass < 2; pass++)
			for (size_t i = 0; i < n_orders[pi]; i++) {
				const struct grp *g = &c->g[orders[pi][i]];
				if (g->taken || !usable(c, g))
					continue;
				/* a lease kept on a host names the lab, not the node */
				bool mine =
				    g->lease && g->lease->lab &&
				    strcmp(g->lease->lab, c->lab) == 0 &&
				    (!g->lease->node || strcmp(g->lease->node, node->name) == 0);
				if (mine == (pass == 0))
					cand[nc++] = orders[pi][i];
			}
		size_t *chosen = lc_calloc(count + 1, sizeof(size_t));
		size_t got = pick(c, cand, nc, count, chosen), in_req = 0;
		free(cand);
		if (got == 0) {
			free(chosen);
			return shortage(c, p, node, count, err);
		}
		for (size_t k = 0; k < got; k++) {
			struct grp *g = &c->g[chosen[k]];
			g->taken = true;
			g->taken_by = ni;
			add_group(np, g->id);
			for (size_t m = 0; m < g->n; m++) {
				const struct lc_pci_fn *f = fn(c, c->mem[g->first + m]);
				struct lc_hostdev *h = add_hd(np, f, err);
				if (!h) {
					free(chosen);
					return -1;
				}
				h->nic = lc_fn_is_nic(f);
				h->vlan = req->vlan.set ? (unsigned)req->vlan.v : 0;
				/* explicit MACs follow the order the VFs are chosen in */
				if (h->nic && req->macs.n > in_req)
					snprintf(h->mac, sizeof(h->mac), "%s",
						 req->macs.v[in_req].v);
				else if (h->nic)
					lc_mac_derive(t->name.v, node->name, "vf", vf_no, h->mac);
				in_req++;
				vf_no++;
			}
		}
		free(chosen);
	}
	return 0;
}

static int plan_pci(struct ctx *c, size_t ni, struct lc_node_plan *np, struct lc_err *err)
{
	const struct lc_node *node = &c->in->t->nodes[ni];
	const struct lc_inventory *inv = c->in->inv;
	for (size_t r = 0; r < node->n_pci; r++) {
		const char *addr = node->pci[r].address.v;
		const struct lc_pci_fn *f = lc_inventory_find(inv, addr);
		if (!f)
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s is not on this host", node->name,
					  addr);
		/* bridges stay with the host (they are in no group here); PFs keep their VFs */
		if (lc_fn_is_bridge(f))
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s is a PCI bridge, which cannot be "
					  "passed through",
					  node->name, addr);
		if (f->sriov && f->numvfs > 0)
			return lc_err_set(
			    err, LC_EXIT_RESOURCE,
			    "node %s: PCI device %s is an SR-IOV PF with %u VFs; pass "
			    "its VFs with vfs: instead",
			    node->name, addr, f->numvfs);
		if (c->fn_group[f - inv->fns] == SIZE_MAX)
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s has no IOMMU group", node->name,
					  addr);
		struct grp *g = c->g + c->fn_group[f - inv->fns];
		if (g->no_iommu)
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s has no IOMMU group (is the IOMMU "
					  "on?)",
					  node->name, addr);
		for (size_t m = 0; m < g->n; m++) {
			const struct lc_pci_fn *o = fn(c, c->mem[g->first + m]);
			bool asked = false;
			for (size_t q = 0; q < node->n_pci; q++)
				asked |= strcmp(node->pci[q].address.v, o->addr) == 0;
			if (!asked)
				return lc_err_set(
				    err, LC_EXIT_RESOURCE,
				    "node %s: PCI device %s shares IOMMU group %d with "
				    "%s; pass every device of the group or none",
				    node->name, addr, g->id, o->addr);
		}
		if (g->user)
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s is in use by domain %s",
					  node->name, addr, g->user->domain);
		if (leased_elsewhere(c, g)) {
			char *who = lease_holder(g);
			lc_err_set(err, LC_EXIT_RESOURCE, "node %s: PCI device %s is %s",
				   node->name, addr, who);
			free(who);
			return -1;
		}
		if (g->taken && g->taken_by != ni)
			return lc_err_set(err, LC_EXIT_RESOURCE,
					  "node %s: PCI device %s is also asked for by node %s",
					  node->name, addr, c->in->t->nodes[g->taken_by].name);
		if (!g->taken)
			add_group(np, g->id);
		g->taken = true;
		g->taken_by = ni;
		if (!add_hd(np, f, err))
			return -1;
	}
	return 0;
}

int lc_vf_plan(const struct lc_vf_inputs *in, struct lc_vf_plan *plan, struct lc_err *err)
{
	const struct lc_topology *t = in->t;
	struct ctx c = {in, t->name.v, NULL, 0, NULL, NULL};
	/* the plan is this call's to fill: whatever the caller's struct held is not kept */
	*plan = (struct lc_vf_plan){0};
	plan->n = t->n_nodes;
	plan->nodes = lc_calloc(t->n_nodes ? t->n_nodes : 1, sizeof(*plan->nodes));
	build(&c);
	size_t **orders = lc_calloc(t->n_pools + 1, sizeof(*orders));
	size_t *n_orders = lc_calloc(t->n_pools + 1, sizeof(*n_orders));
	for (size_t p = 0; p < t->n_pools; p++)
		orders[p] = pool_order(&c, &t->pools[p], &n_orders[p]);
	int rc = 0;
	/* whole devices first: they cannot go anywhere else, VFs can */
	for (size_t i = 0; i < t->n_nodes && rc == 0; i++)
		rc = plan_pci(&c, i, &plan->nodes[i], err);
	for (size_t i = 0; i < t->n_nodes && rc == 0; i++)
		rc = plan_vfs(&c, i, &plan->nodes[i], orders, n_orders, err);
	for (size_t i = 0; i < t->n_nodes && rc == 0; i++) {
		struct lc_node_plan *np = &plan->nodes[i];
		if (np->n_groups)
			qsort(np->groups, np->n_groups, sizeof(int), cmp_int);
	}
	for (size_t p = 0; p < t->n_pools; p++)
		free(orders[p]);
	free(orders);
	free(n_orders);
	free(c.g);
	free(c.mem);
	free(c.fn_group);
	if (rc < 0)
		lc_vf_plan_release(plan);
	return rc;
}

void lc_vf_plan_release(struct lc_vf_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->nodes[i].hd);
		free(plan->nodes[i].groups);
	}
	free(plan->nodes);
	lc_strv_release(&plan->held);
	memset(plan, 0, sizeof(*plan));
}

const char *lc_vf_state_name(enum lc_vf_state s)
{
	static const char *const names[] = {"free", "leased", "busy", "host-shared"};
	return names[s];
}

int lc_vf_status(const struct lc_vf_inputs *in, struct lc_vf_status **out, size_t *n)
{
	/* no lab of our own: every lease and every domain counts */
	struct ctx c = {in, "", NULL, 0, NULL, NULL};
	const struct lc_inventory *inv = in->inv;
	build(&c);
	struct lc_vf_status *v = lc_calloc(inv->n + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < inv->n; i++) {
		const struct lc_pci_fn *f = &inv->fns[i];
		if (!lc_fn_is_vf(f))
			continue;
		struct lc_vf_status *s = &v[k++];
		s->vf = f;
		s->pf = pf_of(&c, f);
		const struct grp *g = c.fn_group[i] == SIZE_MAX ? NULL : &c.g[c.fn_group[i]];
		if (!g || g->no_iommu) {
			s->state = LC_VF_HOST_SHARED;
			s->reason = lc_strdup("no IOMMU group (is the IOMMU on?)");
		} else if (g->host) {
			s->state = LC_VF_HOST_SHARED;
			s->reason =
			    lc_asprintf("IOMMU group %d also holds %s, which the host keeps", g->id,
					g->host->addr);
		} else if (g->lease) {
			s->state = LC_VF_LEASED;
			s->lab = g->lease->lab;
			s->node = g->lease->node;
			s->reason = g->lease->lab
					? lc_asprintf("leased with IOMMU group %d", g->id)
					: lc_asprintf("IOMMU group %d has a damaged lease "
						      "file (labctl gc removes it)",
						      g->id);
		} else if (g->user) {
			s->state = LC_VF_BUSY;
			s->reason = lc_asprintf("attached to domain %s, which labctl does not own",
						g->user->domain);
		} else if (g->n > 1) {
			s->state = LC_VF_FREE;
			s->reason =
			    lc_asprintf("IOMMU group %d has %zu VFs, taken together", g->id, g->n);
		} else {
			s->state = LC_VF_FREE;
			s->reason = lc_asprintf("alone in IOMMU group %d", g->id);
		}
	}
	free(c.g);
	free(c.mem);
	free(c.fn_group);
	*out = v;
	*n = k;
	return 0;
}

void lc_vf_status_free(struct lc_vf_status *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].reason);
	free(v);
}
