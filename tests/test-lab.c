/*
 * Lab lifecycle in-process on libvirt's test driver (test:///default, shared
 * by every connection of this process): up, reconcile, down, a failure in
 * the middle, discovery from metadata after the state dir is lost, and the
 * image cache refusing a file whose sum is wrong.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "cmd-up.h"
#include "host-facts.h"
#include "journal.h"
#include "lab.h"
#include "lease.h"
#include "sha256.h"
#include "virt.h"

struct env {
	char dir[64];
	char *state, *cache, *catalog, *templates, *sysfs, *topo;
	struct lc_opts o;
	struct lc_virt *v;
};

static void write_text(const char *path, const char *text)
{
	struct lc_err err = LC_ERR_INIT;
	if (lc_write_file(path, text, strlen(text), &err) < 0)
		fail_msg("%s", err.msg);
}

/* A catalog whose "tiny" is three small local files, one sum given (right or wrong). */
static void make_catalog(struct env *e, bool good_sum)
{
	char *k = lc_asprintf("%s/k", e->dir), *i = lc_asprintf("%s/i", e->dir);
	char *d = lc_asprintf("%s/d.qcow2", e->dir);
	write_text(k, "kernel bytes");
	write_text(i, "initrd bytes");
	write_text(d, "disk bytes");
	char sum[65];
	lc_sha256_buf_hex("kernel bytes", 12, sum);
	if (!good_sum)
		sum[0] = sum[0] == '0' ? '1' : '0';
	char *cat = lc_asprintf("images:\n  tiny:\n    format: kernel\n"
				"    kernel: {url: \"file://%s\", sha256: %s}\n"
				"    initrd: {url: %s}\n    disk: {url: %s}\n    ready: BOOTED\n",
				k, sum, i, d);
	write_text(e->catalog, cat);
	free(cat);
	free(k);
	free(i);
	free(d);
}

static struct env *env_new(bool good_sum)
{
	struct env *e = lc_calloc(1, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/labctl-lab-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->state = lc_asprintf("%s/state", e->dir);
	e->cache = lc_asprintf("%s/cache", e->dir);
	e->catalog = lc_asprintf("%s/catalog.yaml", e->dir);
	e->topo = lc_asprintf("%s/lab.yaml", e->dir);
	e->templates = t_path("templates");
	e->sysfs = t_path("tests/out/sysfs/isolated");
	make_catalog(e, good_sum);
	e->o = (struct lc_opts){.uri = "test:///default",
				.sysfs = e->sysfs,
				.procfs = "/nonexistent",
				.state_dir = e->state,
				.cache_dir = e->cache,
				.templates = e->templates,
				.catalog = e->catalog};
	struct lc_err err = LC_ERR_INIT;
	e->v = lc_virt_open("test:///default", &err);
	assert_non_null(e->v);
	return e;
}

static void env_free(struct env *e)
{
	lc_virt_close(e->v);
	char *cmd = lc_asprintf("rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(e->state);
	free(e->cache);
	free(e->catalog);
	free(e->topo);
	free(e->templates);
	free(e->sysfs);
	free(e);
}

static int up_wait(struct env *e, const char *yaml, int jobs, int wait_s, struct lc_up_report *r,
		   struct lc_err *err)
{
	write_text(e->topo, yaml);
	struct lc_loaded l;
	if (lc_load(&e->o, e->topo, &l, err) < 0)
		fail_msg("%s", err->msg);
	struct lc_up_opts uo = {.jobs = jobs, .wait_s = wait_s};
	int rc = lc_lab_up(&e->o, e->v, &l, &uo, r, err);
	lc_loaded_release(&l);
	return rc;
}

static int up(struct env *e, const char *yaml, int jobs, struct lc_up_report *r, struct lc_err *err)
{
	return up_wait(e, yaml, jobs, -1, r, err);
}

static size_t count_domains(struct env *e, const char *lab)
{
	struct lc_virt_obj *o;
	size_t n;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_virt_lab_domains(e->v, lab, &o, &n, &err), 0);
	lc_virt_objs_free(o, n);
	return n;
}

/* Volumes of labctl's default pool whose names start with prefix. */
static size_t count_volumes(struct env *e, const char *prefix)
{
	struct lc_strv names;
	size_t k = 0;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_virt_pool_volumes(e->v, "labctl", &names, &err), 0);
	for (size_t i = 0; i < names.n; i++)
		k += strncmp(names.v[i], prefix, strlen(prefix)) == 0;
	lc_strv_release(&names);
	return k;
}

static size_t count_leases(struct env *e)
{
	struct lc_leases l;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_leases_read(e->state, &l, &err), 0);
	size_t n = l.n;
	lc_leases_release(&l);
	return n;
}

#define POOL "vf_pools: {cx5: {match: [\"15b3:1018\"]}}\n"

/* c_extra: more keys for node c */
#define LAB(c_extra)                                                                               \
	"name: itest\nttl: 1h\n"                                                                   \
	"defaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"                                   \
	"networks: {mgmt: {mode: nat, subnet: 10.55.0.0/24}}\n"                                    \
	"vf_pools: {cx5: {match: [\"15b3:1018\"]}}\n"                                              \
	"nodes:\n"                                                                                 \
	"  a: {kind: kvm, networks: [mgmt], vfs: [{pool: cx5, count: 2, vlan: 7}]}\n"              \
	"  b: {kind: xen, networks: [mgmt]}\n"                                                     \
	"  c: {kind: generic, disks: [1GiB]" c_extra "}\n"
#define LAB1 LAB("")

static void test_up_reconcile_down(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 4, &r, &err), 0);
	assert_int_equal(r.n_nodes, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(r.nodes[i].action, LC_NODE_CREATED);
	assert_int_equal(r.n_networks_changed, 1);
	assert_int_equal(r.n_volumes_created, 4);
	assert_int_equal(r.n_groups, 2);
	assert_string_equal(r.accel, "tcg");
	lc_up_report_release(&r);
	/* found from metadata: lab, node, kind, devices */
	struct lc_virt_obj *o;
	size_t n;
	assert_int_equal(lc_virt_lab_domains(e->v, "itest", &o, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].name, "itest-a");
	assert_string_equal(o[0].node, "a");
	assert_string_equal(o[0].kind, "kvm");
	assert_true(o[0].active);
	assert_int_equal(o[0].vfs.n, 2);
	assert_int_equal(o[0].macs.n, 2);
	assert_true(o[0].expires > o[0].created);
	assert_int_equal(o[2].volumes.n, 2);
	lc_virt_objs_free(o, n);
	assert_int_equal(count_leases(e), 2);
	/* cached: the kernel whose sum was checked */
	char *k = lc_asprintf("%s/tiny.kernel", e->cache);
	assert_true(lc_file_exists(k));
	free(k);
	/* again: nothing changes */
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(r.nodes[i].action, LC_NODE_UNCHANGED);
	assert_int_equal(r.n_volumes_created, 0);
	assert_int_equal(r.n_networks_changed, 0);
	lc_up_report_release(&r);
	/* a comment changes the file, not the XML: nothing changes */
	assert_int_equal(up(e, "# a comment\n" LAB1, 2, &r, &err), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(r.nodes[i].action, LC_NODE_UNCHANGED);
	lc_up_report_release(&r);
	/* one node's XML differs: that node is reported, and kept */
	assert_int_equal(up(e, LAB(", vcpus: 2"), 2, &r, &err), 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_UNCHANGED);
	assert_int_equal(r.nodes[1].action, LC_NODE_UNCHANGED);
	assert_int_equal(r.nodes[2].action, LC_NODE_CHANGED);
	lc_up_report_release(&r);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	assert_int_equal(dr.n_domains, 3);
	assert_int_equal(dr.n_networks, 1);
	assert_int_equal(dr.n_volumes, 4);
	assert_int_equal(dr.n_leases, 2);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_volumes(e, "itest-"), 0);
	assert_int_equal(count_leases(e), 0);
	char *j = lc_journal_dir(e->state, "itest");
	assert_false(lc_file_exists(j));
	free(j);
	/* idempotent */
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	assert_int_equal(dr.n_domains + dr.n_networks + dr.n_volumes + dr.n_leases, 0);
	env_free(e);
}

#define ROUTES_HEAD                                                                                \
	"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
#define ROUTE_DEFAULT "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
/* 10.55.0.0/24, LAB1's subnet, as the kernel prints it (network order read as a host integer) */
#define ROUTE_LAB1 "virbr9\t0000370A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"

static size_t count_networks(struct env *e, const char *lab)
{
	struct lc_virt_obj *o;
	size_t n;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_virt_lab_networks(e->v, lab, &o, &n, &err), 0);
	lc_virt_objs_free(o, n);
	return n;
}

/*
 * A subnet the host routes already (another network's bridge): libvirt
 * would refuse to start the network after the lab's others were made, so up
 * refuses first and makes nothing. The lab's own running network routes
 * its subnet and is no clash.
 */
static void test_routed_subnet(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	char *proc = lc_asprintf("%s/proc", e->dir), *net = lc_asprintf("%s/net", proc);
	char *route = lc_asprintf("%s/route", net);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(net, &err), 0);
	write_text(route, ROUTES_HEAD ROUTE_DEFAULT ROUTE_LAB1);
	e->o.procfs = proc;
	struct lc_up_report r;
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg,
			    "network mgmt: subnet 10.55.0.0/24 is already routed through virbr9 "
			    "(another libvirt network or a host interface has it): give the lab "
			    "another subnet");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_networks(e, "itest"), 0);
	assert_int_equal(count_leases(e), 0);
	char *j = lc_journal_dir(e->state, "itest");
	assert_false(lc_file_exists(j));
	free(j);
	/* the route gone, up makes the lab; back (its own bridge's), a second up is fine */
	write_text(route, ROUTES_HEAD ROUTE_DEFAULT);
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	lc_up_report_release(&r);
	write_text(route, ROUTES_HEAD ROUTE_DEFAULT ROUTE_LAB1);
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(r.nodes[i].action, LC_NODE_UNCHANGED);
	lc_up_report_release(&r);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	free(route);
	free(net);
	free(proc);
	env_free(e);
}

static void test_failure_in_the_middle(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	/* libvirt refuses node c's XML; with one worker a and b come first, d never */
	const char *bad = "name: mid\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
			  "  a: {kind: kvm}\n  b: {kind: kvm}\n"
			  "  c:\n    kind: kvm\n"
			  "    xml: [{set: /domain/devices/disk/target/@bus, value: bogus}]\n"
			  "  d: {kind: kvm}\n";
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, bad, 1, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_true(strncmp(err.msg, "node c: cannot define domain: ", 30) == 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[1].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[2].action, LC_NODE_FAILED);
	assert_int_equal(r.nodes[3].action, LC_NODE_PENDING);
	lc_up_report_release(&r);
	lc_err_release(&err);
	assert_int_equal(count_domains(e, "mid"), 2);
	assert_int_equal(count_volumes(e, "mid-"), 3); /* c's was made before its domain failed */
	/* lab mid-x's volume mid-x-a.qcow2 looks like one of lab mid's (node x-a) */
	const char *other = "name: mid-x\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
			    "  a: {kind: kvm}\n";
	assert_int_equal(up(e, other, 1, &r, &err), 0);
	lc_up_report_release(&r);
	/* the state dir lost: down still finds the domains from their metadata */
	char *cmd = lc_asprintf("rm -rf '%s'", e->state);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "mid", &dr, &err), 0);
	assert_int_equal(dr.n_domains, 2);
	/* a's and b's, named by their domains, and c's, found in the pool by its name */
	assert_int_equal(dr.n_volumes, 3);
	assert_int_equal(count_domains(e, "mid"), 0);
	assert_int_equal(count_volumes(e, "mid-"), 1);
	assert_int_equal(count_volumes(e, "mid-x-a.qcow2"), 1);
	assert_int_equal(lc_lab_down(&e->o, e->v, "mid-x", &dr, &err), 0);
	assert_int_equal(dr.n_volumes, 1);
	assert_int_equal(count_volumes(e, "mid-"), 0);
	/* a volume already gone is not counted */
	assert_int_equal(lc_lab_down(&e->o, e->v, "mid", &dr, &err), 0);
	assert_int_equal(dr.n_volumes, 0);
	/* up after a failure completes what is missing */
	assert_int_equal(up(e, bad, 1, &r, &err), -1);
	lc_up_report_release(&r);
	lc_err_release(&err);
	const char *fixed =
	    "name: mid\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
	    "  a: {kind: kvm}\n  b: {kind: kvm}\n  c: {kind: kvm}\n  d: {kind: kvm}\n";
	assert_int_equal(up(e, fixed, 2, &r, &err), 0);
	assert_int_equal(r.nodes[2].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[3].action, LC_NODE_CREATED);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "mid"), 4);
	assert_int_equal(lc_lab_down(&e->o, e->v, "mid", &dr, &err), 0);
	assert_int_equal(dr.n_volumes, 4);
	assert_int_equal(count_domains(e, "mid"), 0);
	assert_int_equal(count_volumes(e, "mid-"), 0);
	env_free(e);
}

static void test_image_sum_refused(void **state)
{
	(void)state;
	struct env *e = env_new(false);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_non_null(strstr(err.msg, "image tiny: file://"));
	assert_non_null(strstr(err.msg, "the catalog expects"));
	assert_non_null(strstr(err.msg, ": refused"));
	lc_err_release(&err);
	lc_up_report_release(&r);
	/* nothing defined, nothing leased, no kernel and nothing half-copied in the cache */
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_leases(e), 0);
	struct lc_strv names;
	assert_int_equal(lc_list_dir(e->cache, "", &names, &err), 0);
	for (size_t i = 0; i < names.n; i++)
		if (strcmp(names.v[i], "tiny.kernel") == 0 || strstr(names.v[i], ".part"))
			fail_msg("left in the cache: %s", names.v[i]);
	lc_strv_release(&names);
	env_free(e);
}

static void write_lease(struct env *e, int group, const char *text)
{
	char *p = lc_asprintf("%s/leases/group-%d.lease", e->state, group);
	write_text(p, text);
	free(p);
}

static bool has_lease(struct env *e, int group)
{
	char *p = lc_asprintf("%s/leases/group-%d.lease", e->state, group);
	bool yes = lc_file_exists(p);
	free(p);
	return yes;
}

static void test_gc(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	lc_up_report_release(&r);
	/* stale: its lab has no domain and the run that took it is gone */
	char *text = lc_asprintf("lab=gone\nnode=x\naddresses=0000:00:00.0\npid=%ld\n"
				 "created=2026-01-01T00:00:00Z\n",
				 t_dead_pid());
	write_lease(e, 999, text);
	free(text);
	/* live: no domain yet, but its run (this process, like an up between its leases
	 * and its domains) is running */
	assert_int_equal(
	    lc_lease_take(e->state, 998, "starting", "x", "0000:00:00.1", "test:///default", &err),
	    0);
	/* taken through another connection, whose domains this gc does not see */
	text = lc_asprintf("lab=elsewhere\nnode=x\naddresses=0000:00:00.2\npid=%ld\n"
			   "created=2026-01-01T00:00:00Z\nuri=qemu+ssh://root@b/system\n",
			   t_dead_pid());
	write_lease(e, 995, text);
	free(text);
	/* damaged and fresh: perhaps being written; damaged by a dead writer: stale */
	write_lease(e, 997, "");
	text = lc_asprintf("pid=%ld\n", t_dead_pid());
	write_lease(e, 996, text);
	free(text);
	/* a damaged lease does not stop the down of another lab */
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "nosuch", &dr, &err), 0);
	struct lc_gc_report g;
	assert_int_equal(lc_lab_gc(&e->o, e->v, time(NULL), &g, &err), 0);
	assert_int_equal(g.labs.n, 0);
	assert_int_equal(g.n_stale_leases, 2);
	lc_gc_report_release(&g);
	assert_false(has_lease(e, 999));
	assert_true(has_lease(e, 998));
	assert_true(has_lease(e, 997));
	assert_false(has_lease(e, 996));
	assert_true(has_lease(e, 995));
	/* itest's 2, starting's, the fresh damaged one, elsewhere's */
	assert_int_equal(count_leases(e), 5);
	assert_int_equal(count_domains(e, "itest"), 3);
	/* two hours later the lab's ttl (1h) has passed, and the damaged lease's grace */
	assert_int_equal(lc_lab_gc(&e->o, e->v, time(NULL) + 7200, &g, &err), 0);
	assert_int_equal(g.labs.n, 1);
	assert_string_equal(g.labs.v[0], "itest");
	assert_int_equal(g.n_stale_leases, 1);
	lc_gc_report_release(&g);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_leases(e), 2);
	assert_true(has_lease(e, 998));
	assert_true(has_lease(e, 995));
	env_free(e);
}

/*
 * A VF held by a running domain labctl does not own only in its live XML
 * (hot-plugged; here: its persistent config redefined without it) is busy.
 */
static void test_foreign_live_vf(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_err err = LC_ERR_INIT;
#define FOREIGN(devs)                                                                              \
	"<domain type='test'><name>foreign</name>"                                                 \
	"<uuid>6b0c8f4e-1f7e-4a51-9d55-2f1c0d1e7a11</uuid><memory>65536</memory>"                  \
	"<os><type>hvm</type></os><devices>" devs "</devices></domain>"
	const char *with = FOREIGN("<hostdev mode='subsystem' type='pci' managed='yes'><source>"
				   "<address domain='0x0000' bus='0xd8' slot='0x00' "
				   "function='0x2'/></source></hostdev>");
	assert_int_equal(lc_virt_define_domain(e->v, with, &err), 0);
	assert_int_equal(lc_virt_domain_start_paused(e->v, "foreign", &err), 0);
	assert_int_equal(lc_virt_define_domain(e->v, FOREIGN(""), &err), 0);
	/* a shut-off one holds what its config names */
	const char *off = "<domain type='test'><name>foreign-off</name><memory>65536</memory>"
			  "<os><type>hvm</type></os><devices><hostdev mode='subsystem' "
			  "type='pci' managed='yes'><source><address domain='0x0000' "
			  "bus='0xd8' slot='0x01' function='0x2'/></source></hostdev>"
			  "</devices></domain>";
	assert_int_equal(lc_virt_define_domain(e->v, off, &err), 0);
	struct lc_virt_user *u;
	size_t n;
	assert_int_equal(lc_virt_fn_users(e->v, &u, &n, &err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		bool live = strcmp(u[i].domain, "foreign") == 0;
		assert_string_equal(u[i].addr, live ? "0000:d8:00.2" : "0000:d8:01.2");
		assert_null(u[i].lab);
	}
	lc_virt_users_free(u, n);
	struct lc_up_report r;
	assert_int_equal(up(e,
			    "name: busy\n" POOL "nodes:\n  a: {kind: kvm, image: tiny, "
			    "memory: 128MiB, vfs: [{pool: cx5, count: 8}]}\n",
			    1, &r, &err),
			 -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "pool cx5: node a needs 8 VFs; 6 free of 8 (1 in use by "
				     "domain foreign, 1 in use by domain foreign-off)");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(lc_virt_remove_domain(e->v, "foreign-off", &err), 0);
	assert_int_equal(count_leases(e), 0);
	assert_int_equal(lc_virt_remove_domain(e->v, "foreign", &err), 0);
	env_free(e);
}

/*
 * accel: auto picks kvm when libvirt offers it and the host can run ordinary
 * guests under it, judged on the fixture hosts (tests/mksysfs.py host NAME).
 */
static void test_accel_auto(void **state)
{
	(void)state;
	/* like intel-good, with /dev/kvm served by kvm_pvm */
	char tmpl[] = "/tmp/labctl-pvm-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char *good = t_path("tests/out/hosts/intel-good");
	char *cmd =
	    lc_asprintf("cp -r '%s/sys' '%s/proc' '%s/' && mkdir -p '%s/sys/module/kvm_pvm'", good,
			good, tmpl, tmpl);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(good);
	static const char *const no_libvirt = "libvirt offers no kvm domain type";
	static const char *const no_flag =
	    "the CPU shows no vmx or svm flag, so KVM cannot run ordinary guests";
	static const char *const pvm = "/dev/kvm comes from kvm_pvm, which runs only PVM-aware "
				       "guests";
	static const struct {
		const char *host;
		bool offered, kvm;
		enum lc_cpu_vendor vendor;
		const char *why;
	} cases[] = {
	    {"intel-good", true, true, LC_VENDOR_INTEL, NULL},
	    {"intel-good", false, false, LC_VENDOR_INTEL, no_libvirt},
	    {"amd-good", true, true, LC_VENDOR_AMD, NULL},
	    {"nokvm", false, false, LC_VENDOR_INTEL, no_libvirt},
	    {"novirt", true, false, LC_VENDOR_AMD, no_flag},
	    {NULL, true, false, LC_VENDOR_INTEL, pvm},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *root = cases[i].host
				 ? lc_asprintf("%s/tests/out/hosts/%s", t_srcdir(), cases[i].host)
				 : lc_strdup(tmpl);
		char *sys = lc_asprintf("%s/sys", root), *proc = lc_asprintf("%s/proc", root);
		struct lc_sysroot r = {sys, proc, NULL};
		struct lc_host_facts f = {LC_VENDOR_UNKNOWN, cases[i].offered, NULL};
		lc_host_facts_refine(&r, &f);
		if (f.kvm != cases[i].kvm || f.vendor != cases[i].vendor)
			fail_msg("%s, libvirt offers kvm %d: kvm %d vendor %d", root,
				 cases[i].offered, f.kvm, (int)f.vendor);
		if (cases[i].why)
			assert_string_equal(f.why_not_kvm, cases[i].why);
		else
			assert_null(f.why_not_kvm);
		free(sys);
		free(proc);
		free(root);
	}
	cmd = lc_asprintf("rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Run a command as main would, its stdout caught in *out. */
static int run_cmd(struct env *e, const struct lc_cmd_entry *c, int argc, char **argv, char **out,
		   struct lc_err *err)
{
	char *path = lc_asprintf("%s/stdout", e->dir);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	struct lc_session s = {.opts = e->o, .virt = e->v};
	int rc = c->exec(&s, argc, argv, err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	size_t len;
	struct lc_err rerr = LC_ERR_INIT;
	assert_int_equal(lc_read_file(path, out, &len, &rerr), 0);
	free(path);
	return rc;
}

/* status names each node's VFs and MACs; a lab that is nowhere is an error. */
static void test_status_cmd(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	lc_up_report_release(&r);
	struct lc_virt_obj *o;
	size_t n;
	assert_int_equal(lc_virt_lab_domains(e->v, "itest", &o, &n, &err), 0);
	assert_int_equal(o[0].macs.n, 2);
	char *want = lc_asprintf(" %s,%s %s,%s\n", o[0].vfs.v[0], o[0].vfs.v[1], o[0].macs.v[0],
				 o[0].macs.v[1]);
	lc_virt_objs_free(o, n);
	char *argv[] = {"status", "itest", NULL};
	char *out;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	assert_non_null(strstr(out, " VFS "));
	assert_non_null(strstr(out, " MACS\n"));
	char *line_a = strstr(out, "\nitest ");
	assert_non_null(line_a);
	char *eol = strchr(line_a + 1, '\n');
	assert_non_null(eol);
	eol[1] = '\0';
	if (!strstr(line_a, want))
		fail_msg("node a's line '%s' lacks '%s'", line_a + 1, want);
	free(out);
	free(want);
	char *none[] = {"status", "nosuch", NULL};
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, none, &out, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_string_equal(err.msg, "no lab named 'nosuch' (no domain carries its metadata and "
				     "the state dir has no journal of it)");
	assert_string_equal(out, "");
	lc_err_release(&err);
	free(out);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	env_free(e);
}

/*
 * --node: up makes and starts only the picked nodes (globs), down removes
 * only theirs and keeps the lab's networks and leases, status lists only
 * them; a glob that picks nothing is a usage error before anything is made.
 */
static void test_node_pick(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	write_text(e->topo, LAB1);
	struct lc_loaded l;
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	const char *nosuch[] = {"z*"};
	struct lc_up_opts uo = {.jobs = 2, .wait_s = -1, .only = nosuch, .n_only = 1};
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_USAGE);
	assert_string_equal(err.msg, "--node 'z*' matches no node of lab itest");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_leases(e), 0);
	const char *picks[] = {"[bc]"};
	uo.only = picks;
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_SKIPPED);
	assert_int_equal(r.nodes[1].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[2].action, LC_NODE_CREATED);
	assert_int_equal(r.n_volumes_created, 3); /* b's and c's two; not a's */
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "itest"), 2);
	assert_int_equal(count_volumes(e, "itest-a"), 0);
	/* then the rest: a is made, b and c are left as they are */
	const char *only_a[] = {"a"};
	uo.only = only_a;
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[1].action, LC_NODE_SKIPPED);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	assert_int_equal(count_domains(e, "itest"), 3);
	char *argv[] = {"status", "itest", "--node", "b", NULL};
	char *out;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 4, argv, &out, &err), 0);
	assert_non_null(strstr(out, "\nitest            b "));
	assert_null(strstr(out, "\nitest            a "));
	assert_null(strstr(out, "\nitest            c "));
	free(out);
	struct lc_down_report dr;
	const char *down_c[] = {"c"};
	assert_int_equal(lc_lab_down_nodes(&e->o, e->v, "itest", down_c, 1, &dr, &err), 0);
	assert_int_equal(dr.n_domains, 1);
	assert_int_equal(dr.n_volumes, 2);
	assert_int_equal(dr.n_networks + dr.n_leases, 0);
	assert_int_equal(count_domains(e, "itest"), 2);
	assert_int_equal(count_volumes(e, "itest-c"), 0);
	assert_int_equal(count_networks(e, "itest"), 1);
	assert_int_equal(count_leases(e), 2);
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_leases(e), 0);
	env_free(e);
}

/* -j and --wait: numbers out of range are refused, not wrapped into range. */
static void test_up_options(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b; /* b may be NULL */
		int rc, jobs, wait_s;
	} cases[] = {
	    {"-j", "3", 0, 3, -1},
	    {"--wait=60", NULL, 0, 0, 60},
	    {"--wait", NULL, 0, 0, 300},
	    {"--wait=4294967297", NULL, -1, 0, 0}, /* was 1 s */
	    {"--wait=99999999999999999999", NULL, -1, 0, 0},
	    {"--wait=", NULL, -1, 0, 0},
	    {"--wait=-5", NULL, -1, 0, 0},
	    {"-j", "4294967297", -1, 0, 0}, /* was 1 */
	    {"-j", "0", -1, 0, 0},
	    {"-j", "", -1, 0, 0},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *argv[] = {"up", (char *)cases[i].a, (char *)cases[i].b, "lab.yaml", NULL};
		if (!cases[i].b)
			argv[2] = argv[3], argv[3] = NULL;
		int argc = cases[i].b ? 4 : 3;
		struct lc_up_opts uo;
		const char *topo = NULL;
		struct lc_err err = LC_ERR_INIT;
		int rc = lc_up_parse(&lc_cmd_up_entry, argc, argv, &uo, &topo, &err);
		if (rc != cases[i].rc)
			fail_msg("up %s %s: rc %d", cases[i].a, cases[i].b ? cases[i].b : "", rc);
		if (rc < 0) {
			assert_int_equal(err.code, LC_EXIT_USAGE);
		} else {
			assert_string_equal(topo, "lab.yaml");
			if (cases[i].jobs)
				assert_int_equal(uo.jobs, cases[i].jobs);
			assert_int_equal(uo.wait_s, cases[i].wait_s);
		}
		lc_err_release(&err);
	}
}

/* --wait reads the console log: the ready line counts only once it is whole. */
static void test_wait_whole_line(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	const char *lab = "name: wtest\nnodes:\n  w: {kind: kvm, image: tiny, memory: 128MiB}\n";
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, lab, 1, &r, &err), 0);
	lc_up_report_release(&r);
	char *log = lc_asprintf("%s/labs/wtest/w.log", e->state);
	write_text(log, "booting\nBOOTED no");
	assert_int_equal(up_wait(e, lab, 1, 1, &r, &err), -1);
	assert_string_equal(err.msg, "1 node did not boot within 1s: w (console line BOOTED)");
	assert_false(r.nodes[0].booted);
	lc_err_release(&err);
	lc_up_report_release(&r);
	write_text(log, "booting\nBOOTED node=w\r\nmore\n");
	assert_int_equal(up_wait(e, lab, 1, 5, &r, &err), 0);
	assert_true(r.nodes[0].booted);
	assert_string_equal(r.nodes[0].boot_line, "BOOTED node=w");
	lc_up_report_release(&r);
	free(log);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "wtest", &dr, &err), 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_up_reconcile_down), cmocka_unit_test(test_failure_in_the_middle),
	    cmocka_unit_test(test_image_sum_refused), cmocka_unit_test(test_gc),
	    cmocka_unit_test(test_wait_whole_line),   cmocka_unit_test(test_foreign_live_vf),
	    cmocka_unit_test(test_accel_auto),	      cmocka_unit_test(test_status_cmd),
	    cmocka_unit_test(test_up_options),	      cmocka_unit_test(test_routed_subnet),
	    cmocka_unit_test(test_node_pick),
	};
	return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
