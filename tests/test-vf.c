/*
 * VFs: the sysfs inventory read from fixture trees (tests/mksysfs.py), pool
 * filters, allocation by whole IOMMU group with its shortage messages, and
 * lease files.
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testinv.h"
#include "lease.h"
#include "pci.h"
#include "sysfs.h"
#include "topology.h"
#include "vf-alloc.h"
#include "vf-pool.h"

static struct lc_topology *topo(const char *yaml)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	assert_non_null(t);
	if (d.n)
		fail_msg("%d:%d: %s", d.v[0].at.line, d.v[0].at.col, d.v[0].msg);
	lc_diags_release(&d);
	return t;
}

static void test_inventory_isolated(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("isolated", &inv);
	/* root port, 2 PFs, 8 VFs */
	assert_int_equal(inv.n, 11);
	const struct lc_pci_fn *pf = lc_inventory_find(&inv, "0000:d8:00.0");
	assert_non_null(pf);
	assert_true(pf->sriov);
	assert_int_equal(pf->totalvfs, 8);
	assert_int_equal(pf->numvfs, 4);
	assert_string_equal(pf->netdev, "ens1f0");
	assert_string_equal(pf->driver, "mlx5_core");
	assert_int_equal(pf->vendor, 0x15b3);
	assert_int_equal(pf->device, 0x1017);
	const struct lc_pci_fn *vf = lc_inventory_find(&inv, "0000:d8:01.4");
	assert_non_null(vf);
	assert_true(lc_fn_is_vf(vf));
	assert_true(lc_fn_is_nic(vf));
	assert_string_equal(vf->physfn, "0000:d8:00.1");
	assert_int_equal(vf->vf_index, 2);
	assert_int_equal(vf->device, 0x1018);
	assert_int_equal(vf->class, 0x020000);
	assert_string_equal(vf->driver, "vfio-pci");
	assert_int_equal(vf->numa, 0);
	assert_true(vf->group > 0);
	assert_string_equal(vf->netdev, "");
	const struct lc_pci_fn *port = lc_inventory_find(&inv, "0000:d7:00.0");
	assert_true(lc_fn_is_bridge(port));
	/* every function in a group of its own */
	for (size_t i = 0; i < inv.n; i++)
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(inv.fns[i].group, inv.fns[j].group);
	lc_inventory_release(&inv);
}

static void test_inventory_missing_root(void **state)
{
	(void)state;
	struct lc_sysroot root = {"/nonexistent/sys", "/nonexistent", NULL};
	struct lc_inventory_source src;
	lc_inventory_sysfs_source(&root, &src);
	struct lc_inventory inv;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_inventory_load(&src, &inv, &err), -1);
	assert_string_equal(err.msg,
			    "PCI inventory: cannot open '/nonexistent/sys/bus/pci/devices': "
			    "No such file or directory");
	lc_err_release(&err);
}

static void test_pool_filters(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("two-numa", &inv);
	struct lc_topology *t =
	    topo("name: x\nvf_pools:\n"
		 "  mlx: {match: [\"15b3:*\"]}\n"
		 "  intel: {match: [\"8086:154c\"]}\n"
		 "  range: {pf: [\"ens1f0#1-2\", \"ens2f0\"]}\n"
		 "  addr: {address: [\"0000:86:02.[01]\"]}\n"
		 "  both: {match: [\"15b3:1018\"], address: [\"0000:d8:01.*\"]}\n"
		 "nodes: {a: {}}\n");
	static const struct {
		const char *pool;
		size_t want;
	} cases[] = {{"mlx", 8}, {"intel", 4}, {"range", 6}, {"addr", 2}, {"both", 4}};
	for (size_t c = 0; c < LC_ARRAY_SIZE(cases); c++) {
		const struct lc_vf_pool *p = lc_topology_pool(t, cases[c].pool);
		size_t n = 0;
		for (size_t i = 0; i < inv.n; i++) {
			const struct lc_pci_fn *f = &inv.fns[i];
			const struct lc_pci_fn *pf =
			    lc_fn_is_vf(f) ? lc_inventory_find(&inv, f->physfn) : NULL;
			n += lc_pool_admits(p, f, pf);
		}
		if (n != cases[c].want)
			fail_msg("pool %s admits %zu, want %zu", cases[c].pool, n, cases[c].want);
	}
	/* a PF is never a VF of a pool, whatever the pool says */
	assert_false(lc_pool_admits(lc_topology_pool(t, "mlx"),
				    lc_inventory_find(&inv, "0000:d8:00.0"), NULL));
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

struct run {
	struct lc_vf_plan plan;
	struct lc_err err;
	int rc;
};

static void plan(const struct lc_inventory *inv, const struct lc_topology *t,
		 const struct lc_group_owner *leases, size_t nl, const struct lc_fn_user *users,
		 size_t nu, struct run *r)
{
	struct lc_vf_inputs in = {inv, t, leases, nl, users, nu};
	memset(r, 0, sizeof(*r));
	/* lc_vf_plan fills the plan whole: a caller's stale struct must not leak into it */
	memset(&r->plan, 0xa5, sizeof(r->plan));
	r->rc = lc_vf_plan(&in, &r->plan, &r->err);
}

static void run_release(struct run *r)
{
	lc_vf_plan_release(&r->plan);
	lc_err_release(&r->err);
}

static char *addr_of(const struct lc_hostdev *h)
{
	return lc_asprintf("%04x:%02x:%02x.%x", h->dom, h->bus, h->slot, h->fn);
}

static void assert_addrs(const struct lc_node_plan *np, const char *const *want, size_t n)
{
	assert_int_equal(np->n_hd, n);
	for (size_t i = 0; i < n; i++) {
		char *a = addr_of(&np->hd[i]);
		assert_string_equal(a, want[i]);
		free(a);
	}
}

#define POOL_CX5 "vf_pools: {cx5: {match: [\"15b3:1018\"]}}\n"

static void test_spread_across_pfs(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("isolated", &inv);
	struct lc_topology *t = topo("name: lab\n" POOL_CX5 "nodes:\n"
				     "  a: {vfs: [{pool: cx5, count: 2, vlan: 10}]}\n"
				     "  b: {vfs: [{pool: cx5, count: 3}]}\n");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	/* one from each PF, then the next round */
	static const char *const a[] = {"0000:d8:00.2", "0000:d8:01.2"};
	static const char *const b[] = {"0000:d8:00.3", "0000:d8:01.3", "0000:d8:00.4"};
	assert_addrs(&r.plan.nodes[0], a, 2);
	assert_addrs(&r.plan.nodes[1], b, 3);
	assert_true(r.plan.nodes[0].hd[0].nic);
	assert_int_equal(r.plan.nodes[0].hd[0].vlan, 10);
	assert_int_equal(r.plan.nodes[1].hd[0].vlan, 0);
	assert_int_equal(r.plan.nodes[0].n_groups, 2);
	/* derived MACs: locally administered unicast, distinct, stable */
	assert_int_equal(strncmp(r.plan.nodes[0].hd[0].mac, "02:", 3), 0);
	assert_string_not_equal(r.plan.nodes[0].hd[0].mac, r.plan.nodes[0].hd[1].mac);
	struct run again;
	plan(&inv, t, NULL, 0, NULL, 0, &again);
	assert_memory_equal(r.plan.nodes[1].hd, again.plan.nodes[1].hd,
			    3 * sizeof(struct lc_hostdev));
	run_release(&again);
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

static void test_shared_pairs(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("shared-pairs", &inv);
	struct lc_topology *t = topo("name: lab\n" POOL_CX5 "nodes:\n"
				     "  a: {vfs: [{pool: cx5, count: 2}]}\n"
				     "  b: {vfs: [{pool: cx5, count: 4}]}\n");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	/* a whole pair each time; never half a group */
	static const char *const a[] = {"0000:d8:00.2", "0000:d8:00.3"};
	static const char *const b[] = {"0000:d8:00.4", "0000:d8:00.5", "0000:d8:01.2",
					"0000:d8:01.3"};
	assert_addrs(&r.plan.nodes[0], a, 2);
	assert_addrs(&r.plan.nodes[1], b, 4);
	run_release(&r);
	lc_topology_free(t);
	/* an odd count cannot be made of pairs */
	t = topo("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: 3}]}\n");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, LC_EXIT_RESOURCE);
	assert_string_equal(r.err.msg, "pool cx5: node a needs 3 VFs; 8 free of 8; no set of whole "
				       "IOMMU groups makes exactly 3");
	assert_null(r.plan.nodes);
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

static void test_host_shared(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("host-shared", &inv);
	struct lc_topology *t = topo("name: lab\nvf_pools: {x710: {match: [\"8086:154c\"]}}\n"
				     "nodes:\n  a: {vfs: [{pool: x710, count: 2}]}\n");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	/* VF0 and VF1 share the PF's group: only VF2 and VF3 can go */
	static const char *const a[] = {"0000:3b:02.2", "0000:3b:02.3"};
	assert_addrs(&r.plan.nodes[0], a, 2);
	run_release(&r);
	lc_topology_free(t);
	t = topo("name: lab\nvf_pools: {x710: {match: [\"8086:154c\"]}}\n"
		 "nodes:\n  a: {vfs: [{pool: x710, count: 3}]}\n");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg, "pool x710: node a needs 3 VFs; 2 free of 4 (2 share an "
				       "IOMMU group with a host device)");
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

static void test_numa(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("two-numa", &inv);
	/* 8 VFs on NUMA 0, 4 on NUMA 1: a node stays on one NUMA node when it can */
	struct lc_topology *t = topo("name: lab\nvf_pools: {any: {match: [\"*:*\"]}}\nnodes:\n"
				     "  a: {vfs: [{pool: any, count: 6}]}\n"
				     "  b: {vfs: [{pool: any, count: 4}]}\n"
				     "  c: {vfs: [{pool: any, count: 2}]}\n");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	for (size_t n = 0; n < 3; n++) {
		int numa = -2;
		for (size_t i = 0; i < r.plan.nodes[n].n_hd; i++) {
			char *a = addr_of(&r.plan.nodes[n].hd[i]);
			const struct lc_pci_fn *f = lc_inventory_find(&inv, a);
			if (numa == -2)
				numa = f->numa;
			if (f->numa != numa)
				fail_msg("node %zu spans NUMA nodes (%s)", n, a);
			free(a);
		}
	}
	/* a takes 6 of NUMA 0's 8; b's 4 then fit only on NUMA 1 */
	char *b0 = addr_of(&r.plan.nodes[1].hd[0]);
	assert_string_equal(b0, "0000:86:02.0");
	free(b0);
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

static void test_leases_and_busy_counted(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("isolated", &inv);
	const struct lc_pci_fn *v0 = lc_inventory_find(&inv, "0000:d8:00.2");
	const struct lc_pci_fn *v1 = lc_inventory_find(&inv, "0000:d8:00.3");
	const struct lc_pci_fn *v2 = lc_inventory_find(&inv, "0000:d8:00.4");
	const struct lc_pci_fn *v3 = lc_inventory_find(&inv, "0000:d8:01.2");
	struct lc_group_owner leases[] = {{v0->group, "nightly", "n1", false},
					  {v1->group, "nightly", "n2", false},
					  {v3->group, "lab", "a", false}};
	struct lc_fn_user users[] = {{"0000:d8:00.4", "windows-vm", NULL},
				     {"0000:d8:00.5", "lab-a", "lab"}};
	(void)v2;
	struct lc_topology *t =
	    topo("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: 6}]}\n");
	struct run r;
	plan(&inv, t, leases, 3, users, 2, &r);
	assert_int_equal(r.rc, -1);
	/* this lab's own lease and its own domain's VF count as free for it */
	assert_string_equal(r.err.msg, "pool cx5: node a needs 6 VFs; 5 free of 8 (2 leased to lab "
				       "nightly, 1 in use by domain windows-vm)");
	run_release(&r);
	lc_topology_free(t);
	/* what a node held before comes first again */
	t = topo("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: 1}]}\n");
	plan(&inv, t, leases, 3, users, 2, &r);
	assert_int_equal(r.rc, 0);
	static const char *const a[] = {"0000:d8:01.2"};
	assert_addrs(&r.plan.nodes[0], a, 1);
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

/* Exact counts from groups of 2 and 3, built in memory: the allocator is pure. */
static void test_exact_combination(void **state)
{
	(void)state;
	struct lc_inventory inv = {0};
	static const int groups[] = {1, 1, 2, 2, 2, 3, 3, 3, 3};
	inv.fns = lc_calloc(LC_ARRAY_SIZE(groups) + 1, sizeof(*inv.fns));
	snprintf(inv.fns[0].addr, 16, "0000:01:00.0");
	inv.fns[0].vendor = 0x15b3;
	inv.fns[0].class = 0x020000;
	inv.fns[0].group = 0;
	inv.n = 1;
	for (size_t i = 0; i < LC_ARRAY_SIZE(groups); i++) {
		struct lc_pci_fn *f = &inv.fns[inv.n++];
		snprintf(f->addr, 16, "0000:01:%02zx.1", i + 1);
		snprintf(f->physfn, 16, "0000:01:00.0");
		f->vendor = 0x15b3;
		f->device = 0x1018;
		f->class = 0x020000;
		f->group = 10 + groups[i];
		f->vf_index = (int)i;
	}
	lc_inventory_sort(&inv);
	/* groups 11, 12, 13 hold 2, 3 and 4 VFs: 5 = 2 + 3, 6 = 2 + 4, 7 = 3 + 4, no 8 */
	static const struct {
		unsigned count;
		int rc;
		size_t n_groups;
	} cases[] = {{5, 0, 2},	 {6, 0, 2}, {7, 0, 2},	{9, 0, 3},
		     {8, -1, 0}, {2, 0, 1}, {1, -1, 0}, {10, -1, 0}};
	for (size_t c = 0; c < LC_ARRAY_SIZE(cases); c++) {
		char *y =
		    lc_asprintf("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: "
				"%u}]}\n",
				cases[c].count);
		struct lc_topology *t = topo(y);
		struct run r;
		plan(&inv, t, NULL, 0, NULL, 0, &r);
		assert_int_equal(r.rc, cases[c].rc);
		if (r.rc == 0) {
			assert_int_equal(r.plan.nodes[0].n_hd, cases[c].count);
			assert_int_equal(r.plan.nodes[0].n_groups, cases[c].n_groups);
		}
		run_release(&r);
		lc_topology_free(t);
		free(y);
	}
	lc_inventory_release(&inv);
}

/* An inventory of one PF and its VF at addr, built in memory. */
static void one_vf(struct lc_inventory *inv, const char *pf, const char *addr)
{
	memset(inv, 0, sizeof(*inv));
	inv->fns = lc_calloc(2, sizeof(*inv->fns));
	snprintf(inv->fns[0].addr, sizeof(inv->fns[0].addr), "%s", pf);
	inv->fns[0].vendor = 0x15b3;
	inv->fns[0].class = 0x020000;
	inv->fns[0].group = 0;
	struct lc_pci_fn *f = &inv->fns[1];
	snprintf(f->addr, sizeof(f->addr), "%s", addr);
	snprintf(f->physfn, sizeof(f->physfn), "%s", pf);
	f->vendor = 0x15b3;
	f->device = 0x1018;
	f->class = 0x020000;
	f->group = 11;
	inv->n = 2;
	lc_inventory_sort(inv);
}

/* A VF behind Intel VMD keeps its 5-digit domain; an address that is none fails the plan. */
static void test_vmd_domain(void **state)
{
	(void)state;
	struct lc_topology *t =
	    topo("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: 1}]}\n");
	struct lc_inventory inv;
	one_vf(&inv, "10000:01:00.0", "10000:01:00.2");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	static const char *const a[] = {"10000:01:00.2"};
	assert_addrs(&r.plan.nodes[0], a, 1);
	assert_int_equal(r.plan.nodes[0].hd[0].dom, 0x10000);
	run_release(&r);
	lc_inventory_release(&inv);
	/* a source that let a bad name through: no hostdev of address 0000:00:00.0 */
	one_vf(&inv, "0000:01:00.0", "0000:01:00.8");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg, "PCI inventory: bad address '0000:01:00.8'");
	run_release(&r);
	lc_inventory_release(&inv);
	lc_topology_free(t);
}

static void test_pci_devices(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("host-shared", &inv);
	struct lc_topology *t =
	    topo("name: lab\nnodes:\n  a: {pci: [{address: \"0000:5e:00.0\"}]}\n"
		 "  b: {pci: [{address: \"0000:3b:02.0\"}]}\n");
	struct run r;
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg, "node b: PCI device 0000:3b:02.0 shares IOMMU group 1 with "
				       "0000:3b:00.0; pass every device of the group or none");
	run_release(&r);
	lc_topology_free(t);
	t = topo("name: lab\nnodes:\n  a: {pci: [{address: \"0000:5e:00.0\"}]}\n");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.plan.nodes[0].n_hd, 1);
	assert_false(r.plan.nodes[0].hd[0].nic);
	run_release(&r);
	lc_topology_free(t);
	t = topo("name: lab\nnodes:\n  a: {pci: [{address: \"0000:99:00.0\"}]}\n");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_string_equal(r.err.msg, "node a: PCI device 0000:99:00.0 is not on this host");
	run_release(&r);
	lc_topology_free(t);
	/* bridges belong to no group the allocator keeps (one crashed it); a PF keeps its VFs */
	static const struct {
		const char *addr, *msg;
	} refused[] = {
	    {"0000:3a:00.0", "node a: PCI device 0000:3a:00.0 is a PCI bridge, which cannot be "
			     "passed through"},
	    {"0000:5d:00.0", "node a: PCI device 0000:5d:00.0 is a PCI bridge, which cannot be "
			     "passed through"},
	    {"0000:3b:00.0", "node a: PCI device 0000:3b:00.0 is an SR-IOV PF with 4 VFs; pass its "
			     "VFs with vfs: instead"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(refused); i++) {
		char *y = lc_asprintf("name: lab\nnodes:\n  a: {pci: [{address: \"%s\"}]}\n",
				      refused[i].addr);
		t = topo(y);
		plan(&inv, t, NULL, 0, NULL, 0, &r);
		assert_int_equal(r.rc, -1);
		assert_int_equal(r.err.code, LC_EXIT_RESOURCE);
		assert_string_equal(r.err.msg, refused[i].msg);
		run_release(&r);
		lc_topology_free(t);
		free(y);
	}
	/* the two VFs that share the PF's group, asked together, still need the PF */
	t = topo("name: lab\nnodes:\n  a: {pci: [{address: \"0000:3b:02.0\"}, "
		 "{address: \"0000:3b:02.1\"}]}\n");
	plan(&inv, t, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg, "node a: PCI device 0000:3b:02.0 shares IOMMU group 1 with "
				       "0000:3b:00.0; pass every device of the group or none");
	run_release(&r);
	lc_topology_free(t);
	lc_inventory_release(&inv);
}

static void test_status(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("host-shared", &inv);
	struct lc_topology none = {0};
	const struct lc_pci_fn *v3 = lc_inventory_find(&inv, "0000:3b:02.3");
	struct lc_group_owner leases[] = {{v3->group, "nightly", "n1", false}};
	struct lc_fn_user users[] = {{"0000:3b:02.2", "win", NULL}};
	struct lc_vf_inputs in = {&inv, &none, leases, 1, users, 1};
	struct lc_vf_status *v;
	size_t n;
	lc_vf_status(&in, &v, &n);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].state, LC_VF_HOST_SHARED);
	assert_string_equal(v[0].reason,
			    "IOMMU group 1 also holds 0000:3b:00.0, which the host keeps");
	assert_int_equal(v[1].state, LC_VF_HOST_SHARED);
	assert_int_equal(v[2].state, LC_VF_BUSY);
	assert_string_equal(v[2].reason, "attached to domain win, which labctl does not own");
	assert_int_equal(v[3].state, LC_VF_LEASED);
	assert_string_equal(v[3].lab, "nightly");
	assert_string_equal(v[3].pf->netdev, "enp59s0f0");
	lc_vf_status_free(v, n);
	lc_inventory_release(&inv);
}

/* A damaged lease (lab NULL) is nobody's: its group is held against every lab. */
static void test_damaged_lease_holds(void **state)
{
	(void)state;
	struct lc_inventory inv;
	t_sysfs_inventory("isolated", &inv);
	const struct lc_pci_fn *v0 = lc_inventory_find(&inv, "0000:d8:00.2");
	struct lc_group_owner leases[] = {{v0->group, NULL, NULL, false}};
	struct lc_topology *t =
	    topo("name: lab\n" POOL_CX5 "nodes:\n  a: {vfs: [{pool: cx5, count: 8}]}\n");
	struct run r;
	plan(&inv, t, leases, 1, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg, "pool cx5: node a needs 8 VFs; 7 free of 8 (1 held by a "
				       "damaged lease)");
	run_release(&r);
	lc_topology_free(t);
	t = topo("name: lab\nnodes:\n  a: {pci: [{address: \"0000:d8:00.2\"}]}\n");
	plan(&inv, t, leases, 1, NULL, 0, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.err.msg,
			    "node a: PCI device 0000:d8:00.2 is held by a damaged lease");
	run_release(&r);
	lc_topology_free(t);
	struct lc_topology none = {0};
	struct lc_vf_inputs in = {&inv, &none, leases, 1, NULL, 0};
	struct lc_vf_status *v;
	size_t n;
	lc_vf_status(&in, &v, &n);
	assert_string_equal(v[0].vf->addr, "0000:d8:00.2");
	assert_int_equal(v[0].state, LC_VF_LEASED);
	assert_null(v[0].lab);
	char *want = lc_asprintf("IOMMU group %d has a damaged lease file (labctl gc removes it)",
				 v0->group);
	assert_string_equal(v[0].reason, want);
	free(want);
	lc_vf_status_free(v, n);
	lc_inventory_release(&inv);
}

static void write_file_text(const char *path, const char *text)
{
	struct lc_err err = LC_ERR_INIT;
	if (lc_write_file(path, text, strlen(text), &err) < 0)
		fail_msg("%s", err.msg);
}

static void write_lease(const char *dir, int group, const char *text)
{
	char *p = lc_asprintf("%s/leases/group-%d.lease", dir, group);
	write_file_text(p, text);
	free(p);
}

/*
 * An empty lease, as a run killed between creating and writing it left one
 * before leases were linked into place: it holds its group, and nothing
 * that reads leases fails on it.
 */
static void test_damaged_lease_files(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/labctl-lease-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	struct lc_err err = LC_ERR_INIT;
	int fd;
	assert_int_equal(lc_leases_lock(dir, &fd, &err), 0);
	write_lease(dir, 5, "");
	assert_int_equal(lc_lease_take(dir, 7, "a", "n1", "0000:d8:00.3", NULL, &err), 0);
	struct lc_leases l;
	assert_int_equal(lc_leases_read(dir, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].group, 5);
	assert_null(l.v[0].lab);
	assert_null(l.v[0].node);
	/* young, writer unknown: it may be being written; after the grace period, stale */
	/* measured from the file's own mtime: a clock that steps between the write and a
	 * time() here must not decide the test */
	time_t now = l.v[0].mtime;
	assert_false(lc_lease_damaged_stale(&l.v[0], now));
	assert_false(lc_lease_damaged_stale(&l.v[0], now + LC_LEASE_DAMAGED_GRACE_S));
	assert_true(lc_lease_damaged_stale(&l.v[0], now + LC_LEASE_DAMAGED_GRACE_S + 1));
	assert_false(lc_lease_damaged_stale(&l.v[1], now + 3600)); /* not damaged */
	lc_leases_release(&l);
	/* nobody can take it */
	assert_int_equal(lc_lease_take(dir, 5, "a", "n1", "0000:d8:00.2", NULL, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_non_null(strstr(err.msg, "IOMMU group 5 has a damaged lease '"));
	lc_err_release(&err);
	/* half a lease, with its writer known: stale once the writer is dead, not before */
	char *text = lc_asprintf("lab=x\npid=%ld\n", t_dead_pid());
	write_lease(dir, 6, text);
	free(text);
	text = lc_asprintf("pid=%ld\n", (long)getpid());
	write_lease(dir, 8, text);
	free(text);
	assert_int_equal(lc_leases_read(dir, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_null(l.v[1].lab);
	assert_true(lc_lease_damaged_stale(&l.v[1], now));
	assert_int_equal(l.v[3].group, 8);
	assert_false(lc_lease_damaged_stale(&l.v[3], now + 3600));
	lc_leases_release(&l);
	/* another lab's down goes past it */
	size_t dropped;
	assert_int_equal(lc_leases_drop_lab(dir, "a", &dropped, &err), 0);
	assert_int_equal(dropped, 1);
	/* take leaves no temporary file behind */
	char *ld = lc_asprintf("%s/leases", dir);
	struct lc_strv names;
	assert_int_equal(lc_list_dir(ld, "", &names, &err), 0);
	assert_int_equal(names.n, 3); /* the damaged group-5, -6 and -8; no dot file is listed */
	lc_strv_release(&names);
	char *cmd = lc_asprintf("ls -A '%s' | grep -c tmp", ld);
	FILE *p = popen(cmd, "r");
	int tmps = -1;
	assert_int_equal(fscanf(p, "%d", &tmps), 1);
	pclose(p);
	assert_int_equal(tmps, 0);
	free(cmd);
	/* what a run killed between writing and linking leaves: swept once its writer is dead */
	char *dead = lc_asprintf("%s/.group-9.%ld.tmp", ld, t_dead_pid());
	char *live = lc_asprintf("%s/.group-9.%ld.tmp", ld, (long)getpid());
	write_file_text(dead, "lab=x\n");
	write_file_text(live, "lab=x\n");
	size_t swept;
	assert_int_equal(lc_leases_sweep_tmp(dir, &swept, &err), 0);
	assert_int_equal(swept, 1);
	assert_false(lc_file_exists(dead));
	assert_true(lc_file_exists(live));
	unlink(live);
	free(dead);
	free(live);
	free(ld);
	lc_leases_unlock(fd);
	cmd = lc_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void test_lease_files(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/labctl-lease-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	struct lc_err err = LC_ERR_INIT;
	int fd;
	assert_int_equal(lc_leases_lock(dir, &fd, &err), 0);
	assert_int_equal(lc_lease_take(dir, 45, "a", "n1", "0000:d8:00.2", NULL, &err), 0);
	assert_int_equal(lc_lease_take(dir, 7, "a", "n2", "0000:d8:00.3", NULL, &err), 0);
	/* another lab: refused, with the owner named */
	assert_int_equal(lc_lease_take(dir, 45, "b", "x", "0000:d8:00.2", NULL, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "IOMMU group 45 is leased to lab a (node n1)");
	lc_err_release(&err);
	/* the same lab may move it to another node */
	assert_int_equal(lc_lease_take(dir, 45, "a", "n3", "0000:d8:00.2", "qemu:///system", &err),
			 0);
	struct lc_leases l;
	assert_int_equal(lc_leases_read(dir, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].group, 7);
	assert_int_equal(l.v[1].group, 45);
	assert_string_equal(l.v[1].node, "n3");
	assert_string_equal(l.v[1].addresses, "0000:d8:00.2");
	assert_int_equal(l.v[1].pid, getpid());
	assert_string_equal(l.v[1].uri, "qemu:///system");
	assert_null(l.v[0].uri);
	lc_leases_release(&l);
	size_t dropped;
	assert_int_equal(lc_leases_drop_lab(dir, "b", &dropped, &err), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(lc_leases_drop_lab(dir, "a", &dropped, &err), 0);
	assert_int_equal(dropped, 2);
	assert_int_equal(lc_leases_read(dir, &l, &err), 0);
	assert_int_equal(l.n, 0);
	lc_leases_release(&l);
	lc_leases_unlock(fd);
	char *cmd = lc_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inventory_isolated),
	    cmocka_unit_test(test_inventory_missing_root),
	    cmocka_unit_test(test_pool_filters),
	    cmocka_unit_test(test_spread_across_pfs),
	    cmocka_unit_test(test_shared_pairs),
	    cmocka_unit_test(test_host_shared),
	    cmocka_unit_test(test_numa),
	    cmocka_unit_test(test_leases_and_busy_counted),
	    cmocka_unit_test(test_exact_combination),
	    cmocka_unit_test(test_vmd_domain),
	    cmocka_unit_test(test_pci_devices),
	    cmocka_unit_test(test_status),
	    cmocka_unit_test(test_lease_files),
	    cmocka_unit_test(test_damaged_lease_holds),
	    cmocka_unit_test(test_damaged_lease_files),
	};
	return cmocka_run_group_tests_name("vf", tests, NULL, NULL);
}
