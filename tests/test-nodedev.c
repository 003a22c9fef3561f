/*
 * The node-device inventory (labctl/pci-nodedev.c): parsed from XML strings
 * shaped as libvirt reports a real SR-IOV host, refused with a clear error
 * when malformed, and, read through libvirt's test driver from the hosts
 * tests/mksysfs.py --nodedev writes, equal to the sysfs inventory of the
 * same fixture host: same functions, groups, NUMA nodes, netdevs, the same
 * host vfs states and the same plans.
 */
#include <limits.h>
#include <stdlib.h>

#include "testinv.h"
#include "host-vfs.h"
#include "pci.h"
#include "sysfs.h"
#include "topology.h"
#include "vf-alloc.h"
#include "virt.h"

/* A PF, one of its VFs, and their netdevs, as virsh nodedev-dumpxml shows a real host's. */
static const char *const real_pf =
    "<device>\n"
    "  <name>pci_0000_d8_00_0</name>\n"
    "  <path>/sys/devices/pci0000:d7/0000:d7:00.0/0000:d8:00.0</path>\n"
    "  <parent>pci_0000_d7_00_0</parent>\n"
    "  <driver>\n    <name>mlx5_core</name>\n  </driver>\n"
    "  <capability type='pci'>\n"
    "    <class>0x020000</class>\n"
    "    <domain>0</domain>\n    <bus>216</bus>\n    <slot>0</slot>\n    <function>0</function>\n"
    "    <product id='0x1017'>MT27800 Family [ConnectX-5]</product>\n"
    "    <vendor id='0x15b3'>Mellanox Technologies</vendor>\n"
    "    <capability type='virt_functions' maxCount='8'>\n"
    "      <address domain='0x0000' bus='0xd8' slot='0x00' function='0x2'/>\n"
    "      <address domain='0x0000' bus='0xd8' slot='0x00' function='0x3'/>\n"
    "    </capability>\n"
    "    <iommuGroup number='40'>\n"
    "      <address domain='0x0000' bus='0xd8' slot='0x00' function='0x0'/>\n"
    "    </iommuGroup>\n"
    "    <numa node='1'/>\n"
    "    <pci-express>\n"
    "      <link validity='cap' port='0' speed='8' width='16'/>\n"
    "      <link validity='sta' speed='8' width='16'/>\n"
    "    </pci-express>\n"
    "  </capability>\n"
    "</device>\n";

static const char *const real_vf =
    "<device>\n"
    "  <name>pci_0000_d8_00_3</name>\n"
    "  <parent>pci_0000_d7_00_0</parent>\n"
    "  <driver><name>vfio-pci</name></driver>\n"
    "  <capability type='pci'>\n"
    "    <class>0x020000</class>\n"
    "    <domain>0</domain><bus>216</bus><slot>0</slot><function>3</function>\n"
    "    <product id='0x1018'>MT27800 Family [ConnectX-5 Virtual Function]</product>\n"
    "    <vendor id='0x15b3'>Mellanox Technologies</vendor>\n"
    "    <capability type='phys_function'>\n"
    "      <address domain='0x0000' bus='0xd8' slot='0x00' function='0x0'/>\n"
    "    </capability>\n"
    "    <iommuGroup number='42'>\n"
    "      <address domain='0x0000' bus='0xd8' slot='0x00' function='0x3'/>\n"
    "    </iommuGroup>\n"
    "    <numa node='-1'/>\n"
    "  </capability>\n"
    "</device>\n";

static const char *const real_pf_net =
    "<device>\n"
    "  <name>net_ens1f0_b8_59_9f_00_00_01</name>\n"
    "  <path>/sys/devices/pci0000:d7/0000:d7:00.0/0000:d8:00.0/net/ens1f0</path>\n"
    "  <parent>pci_0000_d8_00_0</parent>\n"
    "  <capability type='net'>\n"
    "    <interface>ens1f0</interface>\n"
    "    <address>b8:59:9f:00:00:01</address>\n"
    "    <link speed='25000' state='up'/>\n"
    "    <feature name='rx'/>\n"
    "    <capability type='80203'/>\n"
    "  </capability>\n"
    "</device>\n";

static const char *const real_vf_net = "<device>\n"
				       "  <name>net_ens1f0v1_02_00_00_00_00_01</name>\n"
				       "  <parent>pci_0000_d8_00_3</parent>\n"
				       "  <capability type='net'>\n"
				       "    <interface>ens1f0v1</interface>\n"
				       "    <capability type='80203'/>\n"
				       "  </capability>\n"
				       "</device>\n";

/* A bridge libvirt lists among the net devices, whose parent is no PCI function. */
static const char *const bridge_net = "<device><name>net_virbr0_52_54_00_00_00_01</name>"
				      "<parent>computer</parent><capability type='net'>"
				      "<interface>virbr0</interface></capability></device>";

static void test_parse_real_host(void **state)
{
	(void)state;
	/* libvirt's order is its own: the net devices may come before their parents */
	const char *const xmls[] = {real_vf_net, real_pf_net, real_vf, bridge_net, real_pf};
	struct lc_inventory inv = {0};
	struct lc_err err = LC_ERR_INIT;
	if (lc_inventory_nodedev_parse(xmls, LC_ARRAY_SIZE(xmls), &inv, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(inv.n, 2);
	const struct lc_pci_fn *pf = &inv.fns[0], *vf = &inv.fns[1];
	assert_string_equal(pf->addr, "0000:d8:00.0");
	assert_int_equal(pf->vendor, 0x15b3);
	assert_int_equal(pf->device, 0x1017);
	assert_int_equal(pf->class, 0x020000);
	assert_string_equal(pf->driver, "mlx5_core");
	assert_int_equal(pf->group, 40);
	assert_int_equal(pf->numa, 1);
	assert_true(pf->sriov);
	assert_int_equal(pf->totalvfs, 8);
	assert_int_equal(pf->numvfs, 2);
	assert_string_equal(pf->physfn, "");
	assert_int_equal(pf->vf_index, -1);
	assert_string_equal(pf->netdev, "ens1f0");
	assert_string_equal(vf->addr, "0000:d8:00.3");
	assert_true(lc_fn_is_vf(vf));
	assert_true(lc_fn_is_nic(vf));
	assert_string_equal(vf->physfn, "0000:d8:00.0");
	/* its place in the PF's virt_functions, which libvirt lists as virtfn0, 1, ... */
	assert_int_equal(vf->vf_index, 1);
	assert_int_equal(vf->group, 42);
	/* its own node is unknown (-1): it sits on its PF's */
	assert_int_equal(vf->numa, 1);
	assert_string_equal(vf->driver, "vfio-pci");
	/* a VF's own netdev is not its PF's, and host vfs does not show it (as from sysfs) */
	assert_string_equal(vf->netdev, "");
	lc_inventory_release(&inv);
}

/* What an older libvirt, or a host without an IOMMU, leaves out. */
static void test_parse_sparse(void **state)
{
	(void)state;
	const char *const xmls[] = {
	    "<device><name>pci_0000_00_19_0</name><parent>computer</parent>"
	    "<capability type='pci'><domain>0</domain><bus>0</bus><slot>25</slot>"
	    "<function>0</function><product id='0x1502'/><vendor id='0x8086'/>"
	    "<capability type='virt_functions'></capability></capability></device>"};
	struct lc_inventory inv = {0};
	struct lc_err err = LC_ERR_INIT;
	if (lc_inventory_nodedev_parse(xmls, 1, &inv, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(inv.n, 1);
	assert_string_equal(inv.fns[0].addr, "0000:00:19.0");
	assert_int_equal(inv.fns[0].group, -1);
	assert_int_equal(inv.fns[0].numa, -1);
	assert_int_equal(inv.fns[0].class, 0);
	assert_string_equal(inv.fns[0].driver, "");
	assert_true(inv.fns[0].sriov);
	assert_int_equal(inv.fns[0].totalvfs, 0);
	assert_int_equal(inv.fns[0].numvfs, 0);
	lc_inventory_release(&inv);
}

/* A PCI device's XML with one part replaced, for the refusals below. */
static char *pci_xml(const char *bus, const char *vendor, const char *extra)
{
	return lc_asprintf("<device><name>pci_x</name><capability type='pci'>"
			   "<domain>0</domain>%s<slot>0</slot><function>2</function>"
			   "<product id='0x1018'/>%s%s</capability></device>",
			   bus, vendor, extra);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	const char *const ok_bus = "<bus>216</bus>", *const ok_vendor = "<vendor id='0x15b3'/>";
	static const struct {
		const char *bus, *vendor, *extra, *raw, *want;
	} cases[] = {
	    {NULL, NULL, NULL, "<device><name>x</name",
	     "PCI inventory from libvirt: 'node device 1' is not well-formed XML: line 1: "},
	    {NULL, NULL, NULL, "",
	     "PCI inventory from libvirt: 'node device 1' is not well-formed XML: line "},
	    {NULL, NULL, NULL, "<domain><name>x</name></domain>",
	     "PCI inventory from libvirt: node device 1: <domain>, not a <device>"},
	    {NULL, NULL, NULL, "<device><capability type='pci'/></device>",
	     "PCI inventory from libvirt: node device 1: a <device> with no <name>"},
	    {"", NULL, "", NULL, "PCI inventory from libvirt: node device 'pci_x': no <bus>"},
	    {"<bus>256</bus>", NULL, "", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <bus> '256' is not a number up "
	     "to 0xff"},
	    {"<bus>300</bus>", NULL, "", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <bus> '300' is not a number up "
	     "to 0xff"},
	    {NULL, NULL,
	     "<numa node='8'/><capability type='phys_function'><address "
	     "domain='0x0' bus='0xd8' slot='0x00' function='0x9'/></capability>",
	     NULL,
	     "PCI inventory from libvirt: node device 'pci_x': address function '0x9' is not a "
	     "number up to 0x7"},
	    {"<bus>-1</bus>", NULL, "", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <bus> '-1' is not a number up to "
	     "0xff"},
	    {NULL, "<vendor id='0xzz'/>", "", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <vendor id> '0xzz' is not a "
	     "number up to 0xffff"},
	    {NULL, "", "", NULL, "PCI inventory from libvirt: node device 'pci_x': no <vendor id>"},
	    {NULL, NULL, "<numa node='one'/>", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <numa node> 'one' is not a number "
	     "up to 0x7fffffff"},
	    {NULL, NULL, "<iommuGroup/>", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': no <iommuGroup number>"},
	    {NULL, NULL, "<class>0x1000000</class>", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': <class> '0x1000000' is not a "
	     "number up to 0xffffff"},
	    {NULL, NULL, "<capability type='phys_function'/>", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': a phys_function with no address"},
	    {NULL, NULL,
	     "<capability type='phys_function'><address domain='0x0' bus='0xd8' "
	     "slot='0x20' function='0x0'/></capability>",
	     NULL,
	     "PCI inventory from libvirt: node device 'pci_x': address slot '0x20' is not a "
	     "number up to 0x1f"},
	    {NULL, NULL, "<capability type='virt_functions' maxCount='many'/>", NULL,
	     "PCI inventory from libvirt: node device 'pci_x': maxCount 'many' is not a number "
	     "up to 0xffffffff"},
	    {NULL, NULL, "<capability type='virt_functions'><address bus='0xd8'/></capability>",
	     NULL, "PCI inventory from libvirt: node device 'pci_x': no address domain"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *x = cases[i].raw ? lc_strdup(cases[i].raw)
				       : pci_xml(cases[i].bus ? cases[i].bus : ok_bus,
						 cases[i].vendor ? cases[i].vendor : ok_vendor,
						 cases[i].extra);
		const char *xmls[] = {x};
		struct lc_inventory inv = {0};
		struct lc_err err = LC_ERR_INIT;
		assert_int_equal(lc_inventory_nodedev_parse(xmls, 1, &inv, &err), -1);
		assert_non_null(err.msg);
		if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err.msg, cases[i].want);
		assert_int_equal(err.code, LC_EXIT_RUNTIME);
		lc_inventory_release(&inv);
		lc_err_release(&err);
		free(x);
	}
	/* every case above was refused for its one fault: the same XML with none parses */
	char *good = pci_xml(ok_bus, ok_vendor, "");
	const char *xmls[] = {good, good};
	struct lc_inventory inv = {0};
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_inventory_nodedev_parse(xmls, 1, &inv, &err), 0);
	lc_inventory_release(&inv);
	/* two node devices of one address */
	assert_int_equal(lc_inventory_nodedev_parse(xmls, 2, &inv, &err), -1);
	assert_string_equal(err.msg, "PCI inventory from libvirt: PCI function 0000:d8:00.2 is "
				     "listed by two node devices");
	lc_err_release(&err);
	free(good);
}

/* VF k of PF 0000:10:00.0: 0000:(11 + k / 256):(k % 256 / 8).(k % 8), as libvirt writes one. */
static char *vf_xml(unsigned k, unsigned f, int g)
{
	unsigned b = 0x11 + k / 256, s = k % 256 / 8;
	return lc_asprintf("<device><name>pci_0000_%02x_%02x_%u</name><capability type='pci'>"
			   "<class>0x020000</class><domain>0</domain><bus>%u</bus><slot>%u</slot>"
			   "<function>%u</function><product id='0x1018'/><vendor id='0x15b3'/>"
			   "<capability type='phys_function'><address domain='0x0000' "
			   "bus='0x10' slot='0x00' function='0x0'/></capability>"
			   "<iommuGroup number='%d'/><numa node='1'/></capability></device>",
			   b, s, f, b, s, f, g);
}

/*
 * Thousands of documents are parsed on several threads (one per CPU, from
 * 512): the links across their shares (a PF first, its VFs and netdev in
 * the last documents) hold, and of two bad documents the first in order is
 * the one reported.
 */
static void test_parse_many(void **state)
{
	(void)state;
	enum { NVF = 1200 };
	struct lc_strv xs = LC_STRV_INIT;
	struct lc_buf pf = LC_BUF_INIT;
	lc_buf_adds(&pf, "<device><name>pci_0000_10_00_0</name><capability type='pci'>"
			 "<class>0x020000</class><domain>0</domain><bus>16</bus><slot>0</slot>"
			 "<function>0</function><product id='0x1017'/><vendor id='0x15b3'/>"
			 "<capability type='virt_functions' maxCount='2048'>");
	/* listed in reverse: the index is the place in this list, not the address */
	for (unsigned i = 0; i < NVF; i++) {
		unsigned k = NVF - 1 - i;
		lc_buf_addf(&pf,
			    "<address domain='0x0000' bus='0x%02x' slot='0x%02x' function='0x%x'/>",
			    0x11 + k / 256, k % 256 / 8, k % 8);
	}
	lc_buf_adds(&pf, "</capability><iommuGroup number='1'/><numa node='1'/></capability>"
			 "</device>");
	lc_strv_push(&xs, lc_buf_str(&pf));
	lc_buf_release(&pf);
	for (unsigned k = 0; k < NVF; k++)
		lc_strv_push_nodup(&xs, vf_xml(k, k % 8, 2 + (int)k));
	lc_strv_push(&xs, "<device><name>net_ens16f0</name><parent>pci_0000_10_00_0</parent>"
			  "<capability type='net'><interface>ens16f0</interface></capability>"
			  "</device>");
	struct lc_inventory inv = {0};
	struct lc_err err = LC_ERR_INIT;
	if (lc_inventory_nodedev_parse((const char *const *)xs.v, xs.n, &inv, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(inv.n, NVF + 1);
	assert_string_equal(inv.fns[0].addr, "0000:10:00.0");
	assert_string_equal(inv.fns[0].netdev, "ens16f0");
	assert_int_equal(inv.fns[0].numvfs, NVF);
	for (unsigned k = 0; k < NVF; k++) {
		const struct lc_pci_fn *f = &inv.fns[1 + k];
		char want[LC_PCI_ADDR_SIZE];
		snprintf(want, sizeof(want), "0000:%02x:%02x.%u", 0x11 + k / 256, k % 256 / 8,
			 k % 8);
		assert_string_equal(f->addr, want);
		assert_int_equal(f->vf_index, NVF - 1 - k);
		assert_int_equal(f->group, 2 + (int)k);
		assert_int_equal(f->numa, 1);
	}
	lc_inventory_release(&inv);
	/* two bad documents, far apart: the earlier one is named */
	free(xs.v[900]);
	xs.v[900] = lc_strdup("<device><name>late</name>");
	free(xs.v[300]);
	xs.v[300] = vf_xml(299, 9, 3);
	assert_int_equal(lc_inventory_nodedev_parse((const char *const *)xs.v, xs.n, &inv, &err),
			 -1);
	assert_string_equal(err.msg, "PCI inventory from libvirt: node device 'pci_0000_12_05_9': "
				     "<function> '9' is not a number up to 0x7");
	lc_err_release(&err);
	lc_inventory_release(&inv);
	lc_strv_release(&xs);
}

/* The scenario's test-driver host through labctl's own path: connection, source choice. */
static void nodedev_inv(const char *scenario, struct lc_inventory *inv)
{
	/* test:///PATH: the path must be absolute */
	char *src = realpath(t_srcdir(), NULL);
	assert_non_null(src);
	char *uri = lc_asprintf("test://%s/tests/out/sysfs/%s.nodedev.xml", src, scenario);
	free(src);
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(uri, &err);
	if (!v)
		fail_msg("%s", err.msg);
	struct lc_opts o = {.uri = uri, .sysfs = "/nonexistent", .inventory = "libvirt"};
	if (lc_host_inventory(&o, uri, v, inv, &err) < 0)
		fail_msg("%s", err.msg);
	lc_virt_close(v);
	free(uri);
}

static const char *const scenarios[] = {"isolated", "shared-pairs", "host-shared",
					"two-numa", "kinds",	    "mixed"};

static void test_equals_sysfs(void **state)
{
	(void)state;
	for (size_t s = 0; s < LC_ARRAY_SIZE(scenarios); s++) {
		struct lc_inventory a, b;
		t_sysfs_inventory(scenarios[s], &a);
		nodedev_inv(scenarios[s], &b);
		assert_true(a.n > 0);
		if (a.n != b.n)
			fail_msg("%s: sysfs has %zu functions, libvirt %zu", scenarios[s], a.n,
				 b.n);
		for (size_t i = 0; i < a.n; i++) {
			const struct lc_pci_fn *x = &a.fns[i], *y = &b.fns[i];
			/*
			 * Every field, but the driver: libvirt's test driver does not
			 * keep a <device>'s <driver> (the udev backend fills it on a
			 * real host; test_parse_real_host reads it).
			 */
			struct lc_pci_fn yy = *y;
			memcpy(yy.driver, x->driver, sizeof(yy.driver));
			if (memcmp(x, &yy, sizeof(*x)) != 0)
				fail_msg("%s: %s differs: group %d/%d numa %d/%d index %d/%d "
					 "netdev '%s'/'%s' vfs %u/%u of %u/%u class %06x/%06x "
					 "physfn '%s'/'%s'",
					 scenarios[s], x->addr, x->group, y->group, x->numa,
					 y->numa, x->vf_index, y->vf_index, x->netdev, y->netdev,
					 x->numvfs, y->numvfs, x->totalvfs, y->totalvfs, x->class,
					 y->class, x->physfn, y->physfn);
		}
		lc_inventory_release(&a);
		lc_inventory_release(&b);
	}
}

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

/* A plan, or the shortage message, as one string: what a user would see. */
static char *plan_text(const struct lc_inventory *inv, const struct lc_topology *t)
{
	struct lc_vf_inputs in = {inv, t, NULL, 0, NULL, 0};
	struct lc_vf_plan p = {0};
	struct lc_err err = LC_ERR_INIT;
	struct lc_buf b = LC_BUF_INIT;
	if (lc_vf_plan(&in, &p, &err) < 0) {
		lc_buf_addf(&b, "exit %d: %s", err.code, err.msg);
		lc_err_release(&err);
		return lc_buf_detach(&b);
	}
	for (size_t i = 0; i < p.n; i++) {
		lc_buf_addf(&b, "%s:", t->nodes[i].name);
		for (size_t k = 0; k < p.nodes[i].n_hd; k++) {
			const struct lc_hostdev *h = &p.nodes[i].hd[k];
			lc_buf_addf(&b, " %04x:%02x:%02x.%x", h->dom, h->bus, h->slot, h->fn);
		}
		for (size_t k = 0; k < p.nodes[i].n_groups; k++)
			lc_buf_addf(&b, " g%d", p.nodes[i].groups[k]);
		lc_buf_adds(&b, "\n");
	}
	lc_vf_plan_release(&p);
	return lc_buf_detach(&b);
}

/* The host vfs rows as text: state, reason, PF netdev per VF. */
static char *status_text(const struct lc_inventory *inv)
{
	struct lc_topology none = {0};
	struct lc_vf_inputs in = {inv, &none, NULL, 0, NULL, 0};
	struct lc_vf_status *v;
	size_t n;
	lc_vf_status(&in, &v, &n);
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		lc_buf_addf(&b, "%s %s %d %d %s %s %s\n", v[i].vf->addr,
			    v[i].pf ? v[i].pf->netdev : "-", v[i].vf->group, v[i].vf->numa,
			    lc_vf_state_name(v[i].state), v[i].reason, v[i].vf->physfn);
	lc_vf_status_free(v, n);
	return lc_buf_detach(&b);
}

static void test_same_plans(void **state)
{
	(void)state;
	/* pairs that must be taken whole, a count met exactly, NUMA, PF spread, a shortage */
	static const char *const labs[] = {
	    "name: x\nvf_pools: {any: {match: [\"*:*\"]}}\n"
	    "nodes:\n  a: {vfs: [{pool: any, count: 2}]}\n  b: {vfs: [{pool: any, count: 3}]}\n"
	    "  c: {vfs: [{pool: any, count: 1}]}\n",
	    "name: x\nvf_pools: {cx5: {match: [\"15b3:1018\"]}, i40e: {pf: [ens2f0]}}\n"
	    "nodes:\n  a: {vfs: [{pool: cx5, count: 4}]}\n  b: {vfs: [{pool: i40e, count: 3}]}\n",
	    "name: x\nvf_pools: {any: {match: [\"*:*\"]}}\n"
	    "nodes:\n  a: {vfs: [{pool: any, count: 40}]}\n",
	};
	size_t planned = 0;
	for (size_t s = 0; s < LC_ARRAY_SIZE(scenarios); s++) {
		struct lc_inventory a, b;
		t_sysfs_inventory(scenarios[s], &a);
		nodedev_inv(scenarios[s], &b);
		for (size_t l = 0; l < LC_ARRAY_SIZE(labs); l++) {
			struct lc_topology *t = topo(labs[l]);
			char *x = plan_text(&a, t), *y = plan_text(&b, t);
			if (strcmp(x, y) != 0)
				fail_msg("%s, lab %zu: sysfs plans\n%s\nlibvirt plans\n%s",
					 scenarios[s], l, x, y);
			planned += strncmp(x, "exit", 4) != 0;
			free(x);
			free(y);
			lc_topology_free(t);
		}
		char *x = status_text(&a), *y = status_text(&b);
		assert_true(strlen(x) > 0);
		if (strcmp(x, y) != 0)
			fail_msg("%s: host vfs from sysfs\n%s\nfrom libvirt\n%s", scenarios[s], x,
				 y);
		free(x);
		free(y);
		lc_inventory_release(&a);
		lc_inventory_release(&b);
	}
	/* the comparison covered plans, not only shortages */
	assert_true(planned >= 4);
}

/* The choice of source: --inventory, else by whether the URI names a host. */
static void test_choice(void **state)
{
	(void)state;
	struct lc_opts o = {0};
	assert_false(lc_inventory_from_libvirt(&o, "qemu:///system"));
	assert_false(lc_inventory_from_libvirt(&o, "qemu+unix:///system?socket=/run/b.sock"));
	assert_false(lc_inventory_from_libvirt(&o, "test:///default"));
	assert_false(lc_inventory_from_libvirt(&o, NULL));
	assert_true(lc_inventory_from_libvirt(&o, "qemu+ssh://root@b/system"));
	assert_true(lc_inventory_from_libvirt(&o, "qemu+tcp://10.0.0.2/system"));
	o.inventory = "libvirt";
	assert_true(lc_inventory_from_libvirt(&o, "qemu:///system"));
	o.inventory = "sysfs";
	assert_false(lc_inventory_from_libvirt(&o, "qemu+ssh://root@b/system"));
	/* the libvirt source with no connection names the host it could not read */
	o.inventory = "libvirt";
	struct lc_inventory inv;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_host_inventory(&o, "qemu+ssh://root@b/system", NULL, &inv, &err), -1);
	assert_string_equal(
	    err.msg, "PCI inventory from libvirt: no connection to 'qemu+ssh://root@b/system'");
	lc_err_release(&err);
	/*
	 * Planning reads the host of the connection it is given, whatever -c
	 * said: test:///default (no PCI node devices) names no host, so its
	 * VFs come from --sysfs, not from its node devices.
	 */
	char *sys = lc_asprintf("%s/tests/out/sysfs/isolated", t_srcdir());
	struct lc_opts o2 = {
	    .uri = "qemu+ssh://root@b/system", .sysfs = sys, .state_dir = "/nonexistent"};
	struct lc_virt *v = lc_virt_open("test:///default", &err);
	assert_non_null(v);
	struct lc_host_vfs h;
	if (lc_host_vfs_load(&o2, v, NULL, &h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(h.inv.n, 11);
	lc_host_vfs_release(&h);
	lc_virt_close(v);
	free(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_real_host), cmocka_unit_test(test_parse_sparse),
	    cmocka_unit_test(test_parse_refusals),  cmocka_unit_test(test_parse_many),
	    cmocka_unit_test(test_equals_sysfs),    cmocka_unit_test(test_same_plans),
	    cmocka_unit_test(test_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
