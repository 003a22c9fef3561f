/*
 * Lab lifecycle in-process on libvirt's test driver (test:///default, shared
 * by every connection of this process): up, reconcile, down, a failure in
 * the middle, discovery from metadata after the state dir is lost, and the
 * image cache refusing a file whose sum is wrong.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "cmd-up.h"
#include "host-facts.h"
#include "journal.h"
#include "host-vfs.h"
#include "lab.h"
#include "lab-hosts.h"
#include "lease.h"
#include "lease-remote.h"
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
	/* libvirt refuses node c's XML; the others do not depend on it and are made */
	const char *bad = "name: mid\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
			  "  a: {kind: kvm}\n  b: {kind: kvm}\n"
			  "  c:\n    kind: kvm\n"
			  "    xml: [{append: /domain/devices, fragment: \"<disk type='file' "
			  "device='disk'><source file='/x'/><target dev='vda' "
			  "bus='virtio'/></disk>\"}]\n"
			  "  d: {kind: kvm}\n";
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, bad, 1, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_string_equal(err.msg, "1 of 4 nodes failed: node c: cannot define domain: XML "
				     "error: target 'vda' duplicated for disk sources '<null>' and "
				     "'/x'");
	assert_int_equal(r.nodes[0].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[1].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[2].action, LC_NODE_FAILED);
	assert_string_equal(r.nodes[2].error,
			    "node c: cannot define domain: XML error: target "
			    "'vda' duplicated for disk sources '<null>' and '/x'");
	assert_int_equal(r.nodes[3].action, LC_NODE_CREATED);
	lc_up_report_release(&r);
	lc_err_release(&err);
	assert_int_equal(count_domains(e, "mid"), 3);
	assert_int_equal(count_volumes(e, "mid-"), 4); /* c's was made before its domain failed */
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
	assert_int_equal(dr.n_domains, 3);
	/* a's, b's and d's, named by their domains, and c's, found in the pool by its name */
	assert_int_equal(dr.n_volumes, 4);
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
	assert_int_equal(r.nodes[3].action, LC_NODE_UNCHANGED);
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

/* A node's disk smaller than its image's (a qcow2's virtual size) is refused before anything. */
static void test_disk_smaller_than_image(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	/* a qcow2 header: magic, version 3, then the virtual size (32 MiB) at byte 24 */
	unsigned char h[72] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
	h[28] = 0x02;
	char *d = lc_asprintf("%s/d.qcow2", e->dir);
	FILE *f = fopen(d, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(h, 1, sizeof(h), f), sizeof(h));
	fclose(f);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_USAGE);
	assert_true(err.positioned);
	assert_non_null(strstr(err.msg, "lab.yaml:3:"));
	assert_non_null(strstr(err.msg, "node \"a\": disk of 16 MiB is smaller than image "
					"\"tiny\" (32 MiB)"));
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_leases(e), 0);
	free(d);
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

/*
 * A domain defined but never started (its start failed) is redefined from
 * the topology as it is now, without --force; one that runs is kept.
 */
static void test_never_ran_redefined(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB(", memory: 256MiB"), 2, &r, &err), 0);
	char *xml = NULL;
	/* by name: the plan's node pointers went with the topology up() loaded */
	for (size_t i = 0; i < r.plan.n; i++)
		if (strcmp(r.plan.v[i].name, "itest-c") == 0)
			xml = lc_strdup(r.plan.v[i].xml);
	assert_non_null(xml);
	lc_up_report_release(&r);
	/* c as a failed start leaves it: defined, never run */
	assert_int_equal(lc_virt_remove_domain(e->v, "itest-c", &err), 0);
	assert_int_equal(lc_virt_define_domain(e->v, xml, &err), 0);
	free(xml);
	struct lc_virt_obj *o;
	size_t n;
	assert_int_equal(lc_virt_lab_domains(e->v, "itest", &o, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_false(o[0].never_ran); /* itest-a runs */
	assert_true(o[2].never_ran);
	assert_false(o[2].active);
	lc_virt_objs_free(o, n);
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_UNCHANGED);
	assert_int_equal(r.nodes[2].action, LC_NODE_REDEFINED);
	lc_up_report_release(&r);
	/* a running node whose XML would change is kept, as before */
	assert_int_equal(up(e, LAB(", memory: 256MiB"), 2, &r, &err), 0);
	assert_int_equal(r.nodes[2].action, LC_NODE_CHANGED);
	lc_up_report_release(&r);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	env_free(e);
}

/* --rollback: a node that fails takes the whole lab down, nothing is left */
static void test_rollback(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	const char *bad = "name: rb\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
			  "  a: {kind: kvm}\n"
			  "  b:\n    kind: kvm\n"
			  "    xml: [{set: /domain/devices/disk/target/@bus, value: bogus}]\n";
	write_text(e->topo, bad);
	struct lc_loaded l;
	struct lc_err err = LC_ERR_INIT;
	if (lc_load(&e->o, e->topo, &l, &err) < 0)
		fail_msg("%s", err.msg);
	struct lc_up_opts uo = {.jobs = 2, .wait_s = -1, .rollback = true};
	struct lc_up_report r;
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_true(r.rolled_back);
	assert_int_equal(r.rollback.n_domains, 1);
	assert_int_equal(r.rollback.n_volumes, 2);
	assert_int_equal(r.nodes[0].action, LC_NODE_CREATED);
	assert_int_equal(r.nodes[1].action, LC_NODE_FAILED);
	lc_up_report_release(&r);
	lc_err_release(&err);
	lc_loaded_release(&l);
	assert_int_equal(count_domains(e, "rb"), 0);
	assert_int_equal(count_volumes(e, "rb-"), 0);
	/* without it, a stays */
	assert_int_equal(up(e, bad, 2, &r, &err), -1);
	assert_false(r.rolled_back);
	lc_up_report_release(&r);
	lc_err_release(&err);
	assert_int_equal(count_domains(e, "rb"), 1);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "rb", &dr, &err), 0);
	env_free(e);
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
 * issue 15 #1: a node whose tweak validate cannot fault (it depends on the
 * host: validate assumes KVM on Intel, test:///default runs TCG, whose
 * nested flag is svm) fails at render, after the lab's VFs were leased:
 * everything up took goes back, and nothing is written to the state dir.
 */
static void test_render_failure_releases(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(
	    up(e,
	       LAB(", xml: [{set: \"/domain/cpu/feature[@name='vmx']/@policy\", value: "
		   "optional}]"),
	       2, &r, &err),
	    -1);
	assert_int_equal(err.code, LC_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "matches nothing in the domain"));
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 0);
	assert_int_equal(count_domains(e, "itest"), 0);
	assert_int_equal(count_networks(e, "itest"), 0);
	char *j = lc_asprintf("%s/labs/itest/journal", e->state);
	assert_false(lc_file_exists(j));
	/* a VF shortage (exit 3) writes nothing either */
	assert_int_equal(up(e, LAB(", vfs: [{pool: cx5, count: 99}]"), 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 0);
	assert_false(lc_file_exists(j));
	free(j);
	/* and the lab comes up once the topology is right */
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 2);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	env_free(e);
}

/*
 * issue 15 #11: accel: kvm on a host without KVM (test:///default runs TCG)
 * is refused, exit 3 naming the node, before anything is made; with
 * --force it is rendered as asked, and the report says what was rendered.
 */
static void test_accel_kvm_refused(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	const char *yaml = "name: acc\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			   "nodes:\n  a: {accel: kvm}\n  b: {}\n";
	assert_int_equal(up(e, yaml, 1, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	const char *want = "node a: accel: kvm, but this host cannot run guests under KVM";
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("got %s", err.msg);
	assert_non_null(strstr(err.msg, "use accel: auto or tcg, or --force"));
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "acc"), 0);
	char *j = lc_asprintf("%s/labs/acc/journal", e->state);
	assert_false(lc_file_exists(j));
	free(j);
	write_text(e->topo, yaml);
	struct lc_loaded l;
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	struct lc_up_opts uo = {.jobs = 1, .wait_s = -1, .force = true};
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	lc_loaded_release(&l);
	assert_string_equal(r.accel, "kvm+tcg");
	assert_string_equal(r.nodes[0].accel, "kvm");
	assert_string_equal(r.nodes[1].accel, "tcg");
	lc_up_report_release(&r);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "acc", &dr, &err), 0);
	env_free(e);
}

/*
 * issue 15 #8: a network of the lab's name that labctl did not make for
 * this lab is never adopted (exit 3, naming it, nothing leased or
 * journalled); a labctl network whose rendering changed (a new subnet) is
 * reported changed and kept, and --force redefines it once no running
 * domain uses it.
 */
static void test_network_not_adopted(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_virt_define_network(e->v,
						"<network><name>itest-mgmt</name><forward "
						"mode='nat'/><ip address='10.55.0.1' "
						"prefix='24'/></network>",
						&err),
			 0);
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "network itest-mgmt exists and is not labctl's network of lab "
				     "itest (it has no labctl metadata): remove it, or rename the "
				     "lab or its network");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 0);
	assert_int_equal(count_domains(e, "itest"), 0);
	char *j = lc_asprintf("%s/labs/itest/journal", e->state);
	assert_false(lc_file_exists(j));
	free(j);
	assert_int_equal(lc_virt_remove_network(e->v, "itest-mgmt", &err), 0);
	/* no node uses the network, so --force can redefine it */
	const char *v1 = "name: nets\nnetworks: {m: {mode: nat, subnet: 10.57.0.0/24}}\n"
			 "defaults: {image: tiny, memory: 128MiB, disk: 16MiB}\nnodes: {a: {}}\n";
	const char *v2 = "name: nets\nnetworks: {m: {mode: nat, subnet: 10.58.0.0/24}}\n"
			 "defaults: {image: tiny, memory: 128MiB, disk: 16MiB}\nnodes: {a: {}}\n";
	assert_int_equal(up(e, v1, 1, &r, &err), 0);
	assert_int_equal(r.n_networks, 0);
	lc_up_report_release(&r);
	assert_int_equal(up(e, v2, 1, &r, &err), 0);
	assert_int_equal(r.n_networks, 1);
	assert_string_equal(r.networks[0].name, "nets-m");
	assert_int_equal(r.networks[0].action, LC_NET_CHANGED);
	lc_up_report_release(&r);
	write_text(e->topo, v2);
	struct lc_loaded l;
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	struct lc_up_opts uo = {.jobs = 1, .wait_s = -1, .force = true};
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	assert_int_equal(r.n_networks, 1);
	assert_int_equal(r.networks[0].action, LC_NET_REDEFINED);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	assert_int_equal(up(e, v2, 1, &r, &err), 0);
	assert_int_equal(r.n_networks, 0); /* now as rendered */
	lc_up_report_release(&r);
	/* a node on the changed network: --force keeps the network, and says so */
	const char *v3 = "name: nets\nnetworks: {m: {mode: nat, subnet: 10.59.0.0/24}}\n"
			 "defaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			 "nodes: {a: {networks: [m]}}\n";
	write_text(e->topo, v3);
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	assert_int_equal(r.nodes[0].action, LC_NODE_REDEFINED);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	const char *v4 = "name: nets\nnetworks: {m: {mode: nat, subnet: 10.60.0.0/24}}\n"
			 "defaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			 "nodes: {a: {networks: [m]}}\n";
	write_text(e->topo, v4);
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	assert_int_equal(lc_lab_up(&e->o, e->v, &l, &uo, &r, &err), 0);
	assert_int_equal(r.n_networks, 1);
	assert_int_equal(r.networks[0].action, LC_NET_CHANGED);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "nets", &dr, &err), 0);
	env_free(e);
}

/*
 * issue 15 #7: lab a with node b-c and lab a-b with node c make the same
 * names. The second up is refused before it makes anything (exit 3, naming
 * the other lab), and down of one lab never removes the other's volume,
 * even one whose name looks like its own.
 */
static void test_name_collision(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	const char *a = "name: a\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			"networks: {b-n: {mode: isolated}}\nnodes: {b-c: {networks: [b-n]}}\n";
	const char *ab = "name: a-b\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			 "networks: {n: {mode: isolated}}\nnodes: {c: {networks: [n]}}\n";
	const char *ab2 = "name: a-b\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			  "networks: {n: {mode: isolated}}\nnodes: {x: {}}\n";
	assert_int_equal(up(e, a, 1, &r, &err), 0);
	lc_up_report_release(&r);
	assert_int_equal(up(e, ab, 1, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "node c: domain a-b-c is lab a's (node b-c): the two labs' "
				     "names collide; rename the node or the lab");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "a-b"), 0);
	assert_int_equal(count_networks(e, "a-b"), 0);
	char *j = lc_asprintf("%s/labs/a-b/journal", e->state);
	assert_false(lc_file_exists(j));
	free(j);
	/* the network alone collides too */
	assert_int_equal(up(e, ab2, 1, &r, &err), -1);
	assert_string_equal(err.msg, "network n: a-b-n is lab a's (network b-n): the two labs' "
				     "names collide; rename the network or the lab");
	lc_err_release(&err);
	lc_up_report_release(&r);
	/* a-b with other names coexists; its down leaves a's a-b-c.qcow2 */
	const char *ab3 = "name: a-b\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			  "nodes: {x: {}}\n";
	assert_int_equal(up(e, ab3, 1, &r, &err), 0);
	lc_up_report_release(&r);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "a-b", &dr, &err), 0);
	assert_int_equal(dr.n_volumes, 1);
	assert_int_equal(count_volumes(e, "a-b-c.qcow2"), 1);
	assert_int_equal(count_domains(e, "a"), 1);
	assert_int_equal(lc_lab_down(&e->o, e->v, "a", &dr, &err), 0);
	assert_int_equal(count_volumes(e, "a-"), 0);
	env_free(e);
}

/*
 * issue 15: up checks the whole lab's memory against the host's (memory and
 * swap, from procfs for a local daemon) and the pool's room for its new
 * volumes before it leases or makes anything, exit 3 with the totals.
 */
static void test_capacity_checked_first(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	char *proc = lc_asprintf("%s/proc", e->dir), *meminfo = lc_asprintf("%s/meminfo", proc);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(proc, &err), 0);
	write_text(meminfo, "MemTotal:         262144 kB\nMemFree: 1000 kB\nSwapTotal: 65536 kB\n");
	e->o.procfs = proc;
	struct lc_up_report r;
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "lab itest: the 3 nodes to start need 384 MiB of memory in "
				     "all; the host has 320 MiB (memory and swap): give the nodes "
				     "less memory or make fewer of them");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 0);
	assert_int_equal(count_domains(e, "itest"), 0);
	char *j = lc_asprintf("%s/labs/itest/journal", e->state);
	assert_false(lc_file_exists(j));
	free(j);
	write_text(meminfo, "MemTotal: 1048576 kB\nSwapTotal: 0 kB\n");
	/* the test driver's pools hold 100 GiB: fill this one, and the next lab has no room */
	const char *big = "name: big\ndefaults: {memory: 16MiB}\nnodes: {a: {disk: 100GiB}}\n";
	if (up(e, big, 1, &r, &err) != 0)
		fail_msg("up big: %s", err.msg);
	lc_up_report_release(&r);
	assert_int_equal(up(e, LAB1, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "storage pool labctl: the lab's 4 new volumes need at least 4 "
				     "MiB; 0 MiB available");
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_leases(e), 0);
	assert_int_equal(count_domains(e, "itest"), 0);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "big", &dr, &err), 0);
	free(meminfo);
	free(proc);
	env_free(e);
}

/*
 * issue 15 #2: gc removes a journal whose lab left nothing (no domain,
 * network, volume or lease), once it is older than the grace an up that is
 * still writing gets; a journal whose lab holds a lease or a volume stays.
 */
static void test_gc_empty_journal(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_err err = LC_ERR_INIT;
	struct lc_journal jn = {0};
	lc_journal_add_node(&jn, "a", "kvm");
	lc_journal_add_volume(&jn, "labctl", "ghost-a.qcow2");
	assert_int_equal(lc_journal_write(e->state, "ghost", &jn, &err), 0);
	assert_int_equal(lc_journal_write(e->state, "leased", &jn, &err), 0);
	lc_journal_release(&jn);
	int lock;
	assert_int_equal(lc_leases_lock(e->state, &lock, &err), 0);
	lc_leases_unlock(lock);
	assert_int_equal(
	    lc_lease_take(e->state, 990, "leased", "a", "0000:00:00.1", "test:///default", &err),
	    0);
	struct lc_gc_report g;
	assert_int_equal(lc_lab_gc(&e->o, e->v, time(NULL), &g, &err), 0);
	assert_int_equal(g.journals.n, 0); /* fresh: perhaps an up writing it */
	lc_gc_report_release(&g);
	assert_int_equal(lc_lab_gc(&e->o, e->v, time(NULL) + 120, &g, &err), 0);
	assert_int_equal(g.journals.n, 1);
	assert_string_equal(g.journals.v[0], "ghost");
	lc_gc_report_release(&g);
	char *dir = lc_journal_dir(e->state, "ghost");
	assert_false(lc_file_exists(dir));
	free(dir);
	dir = lc_journal_dir(e->state, "leased");
	assert_true(lc_file_exists(dir));
	free(dir);
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
		struct lc_host_facts f = {.vendor = LC_VENDOR_UNKNOWN, .kvm = cases[i].offered};
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
	char *want = lc_asprintf(" %s,%s %s,%s  ", o[0].vfs.v[0], o[0].vfs.v[1], o[0].macs.v[0],
				 o[0].macs.v[1]);
	lc_virt_objs_free(o, n);
	char *argv[] = {"status", "itest", NULL};
	char *out;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	assert_non_null(strstr(out, " VFS "));
	assert_non_null(strstr(out, " MACS  ADDRESSES\n"));
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

/*
 * render and graph preview a lab even when another lab holds the VFs it
 * would get: planned against free + held, the held groups named; up still
 * refuses (exit 3) and leases nothing.
 */
static void test_preview_held(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, LAB1, 2, &r, &err), 0); /* a takes 2 of the fixture's 8 VFs */
	lc_up_report_release(&r);
	const char *other =
	    "name: other\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n" POOL
	    "nodes:\n  x: {kind: kvm, vfs: [{pool: cx5, count: 8}]}\n";
	write_text(e->topo, other);
	struct lc_loaded l;
	assert_int_equal(lc_load(&e->o, e->topo, &l, &err), 0);
	struct lc_vf_plan p;
	assert_int_equal(lc_host_plan(&e->o, e->v, l.topo, false, &p, &err), 0);
	assert_int_equal(p.nodes[0].n_hd, 8);
	assert_int_equal(p.held.n, 2);
	assert_non_null(strstr(p.held.v[0], "(lab itest)"));
	lc_vf_plan_release(&p);
	assert_int_equal(lc_host_plan(&e->o, e->v, l.topo, true, &p, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	lc_err_release(&err);
	lc_loaded_release(&l);
	assert_int_equal(count_leases(e), 2);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "itest", &dr, &err), 0);
	env_free(e);
}

/* The fixture host "isolated" (8 VFs of cx5, each its own group) as a test-driver host. */
static char *vf_host_uri(void)
{
	char *src = realpath(t_srcdir(), NULL);
	assert_non_null(src);
	char *uri = lc_asprintf("test://%s/tests/out/sysfs/isolated.nodedev.xml", src);
	free(src);
	return uri;
}

/* Leases on host v: held by lab, or by anyone when lab is NULL. */
static size_t host_leases(struct lc_virt *v, const char *lab)
{
	struct lc_remote_lease *ls;
	size_t n, k = 0;
	struct lc_err err = LC_ERR_INIT;
	if (lc_remote_leases_read(v, "labctl", &ls, &n, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < n; i++)
		k += !lab || (ls[i].lab && strcmp(ls[i].lab, lab) == 0);
	lc_remote_leases_free(ls, n);
	return k;
}

#define FAR_LAB(name, count)                                                                       \
	"name: " name "\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n" POOL              \
	"hosts: {far: \"%s\"}\n"                                                                   \
	"nodes:\n  a: {kind: generic}\n"                                                           \
	"  x: {kind: kvm, host: far, vfs: [{pool: cx5, count: " count "}]}\n"

/*
 * A node with VFs on a host other than -c's: planned from that host's node
 * devices, leased on that host (its labctl pool, not the state dir), its
 * domain there with the VFs; down gives the leases back.
 */
static void test_vfs_on_other_host(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	e->o.inventory = "libvirt"; /* the far host's devices from its node devices */
	char *far = vf_host_uri();
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *fv =
	    lc_virt_open(far, &err); /* the far host, for as long as the test runs */
	assert_non_null(fv);
	char *yaml = lc_asprintf(FAR_LAB("farlab", "3"), far);
	struct lc_up_report r;
	assert_int_equal(up(e, yaml, 2, &r, &err), 0);
	assert_int_equal(r.n_groups, 3);
	lc_up_report_release(&r);
	assert_int_equal(host_leases(fv, "farlab"), 3);
	assert_int_equal(count_leases(e), 0); /* none in the state dir */
	struct lc_virt_obj *doms;
	size_t nd;
	assert_int_equal(lc_virt_lab_domains(fv, "farlab", &doms, &nd, &err), 0);
	assert_int_equal(nd, 1);
	assert_string_equal(doms[0].node, "x");
	assert_int_equal(doms[0].vfs.n, 3);
	assert_string_equal(doms[0].vfs.v[0], "0000:d8:00.2"); /* the fixture's first VF */
	lc_virt_objs_free(doms, nd);
	assert_int_equal(count_domains(e, "farlab"), 1); /* a, on -c's host */
	/*
	 * gc: a lease this machine took for a run that is gone and a lab with no
	 * domain there goes; another machine's stays; the live lab's stays
	 */
	char me[256];
	lc_remote_lease_controller(me, sizeof(me));
	int g1 = 901, g2 = 902;
	const char *gn = "n";
	assert_int_equal(
	    lc_remote_leases_take(fv, "labctl", "ghost", me, t_dead_pid(), &g1, &gn, 1, &err), 0);
	assert_int_equal(lc_remote_leases_take(fv, "labctl", "elsewhere", "other-machine",
					       t_dead_pid(), &g2, &gn, 1, &err),
			 0);
	struct lc_gc_report g;
	assert_int_equal(lc_lab_gc(&e->o, e->v, time(NULL), &g, &err), 0);
	assert_int_equal(g.n_stale_leases, 1);
	lc_gc_report_release(&g);
	assert_int_equal(host_leases(fv, "ghost"), 0);
	assert_int_equal(host_leases(fv, "elsewhere"), 1);
	assert_int_equal(host_leases(fv, "farlab"), 3);
	size_t dropped;
	assert_int_equal(lc_remote_leases_drop_lab(fv, "labctl", "elsewhere", &dropped, &err), 0);
	/* host vfs reads the host's leases: the lab's 3 VFs are leased there */
	struct lc_host_vfs hv;
	assert_int_equal(lc_host_vfs_load(&e->o, fv, "labctl", &hv, &err), 0);
	assert_true(hv.on_host);
	assert_int_equal(hv.n_owners, 3);
	for (size_t i = 0; i < hv.n_owners; i++) { /* each lease names the lab and its node */
		assert_string_equal(hv.owners[i].lab, "farlab");
		assert_string_equal(hv.owners[i].node, "x");
	}
	lc_host_vfs_release(&hv);
	/* again: the lab holds its groups, nothing is taken twice */
	assert_int_equal(up(e, yaml, 2, &r, &err), 0);
	assert_int_equal(r.nodes[1].action, LC_NODE_UNCHANGED);
	lc_up_report_release(&r);
	assert_int_equal(host_leases(fv, NULL), 3);
	/* asking for more than the far host has: exit 3, the leases held stay the lab's */
	free(yaml);
	yaml = lc_asprintf(FAR_LAB("farlab", "9"), far);
	assert_int_equal(up(e, yaml, 2, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_non_null(strstr(err.msg, "host far: "));
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(host_leases(fv, "farlab"), 3);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "farlab", &dr, &err), 0);
	assert_int_equal(dr.n_leases, 3);
	assert_int_equal(host_leases(fv, NULL), 0);
	assert_int_equal(lc_virt_lab_domains(fv, "farlab", &doms, &nd, &err), 0);
	assert_int_equal(nd, 0);
	lc_virt_objs_free(doms, nd);
	free(yaml);
	lc_virt_close(fv);
	free(far);
	env_free(e);
}

/*
 * A lab on two hosts as the commands see it after up: lc_lab_doms_init
 * finds each node on its own host with that host's connection and name;
 * a host the journal names that cannot be reached is reported, not fatal.
 * inventory lists the far node; console and ssh look for it there.
 */
static void test_lab_doms_two_hosts(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	char *far = vf_host_uri();
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *fv =
	    lc_virt_open(far, &err); /* the far host, for as long as the test runs */
	assert_non_null(fv);
	char *yaml =
	    lc_asprintf("name: twoh\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n"
			"hosts: {far: \"%s\"}\n"
			"nodes:\n  a: {kind: generic}\n  x: {kind: kvm, host: far}\n",
			far);
	struct lc_up_report r;
	assert_int_equal(up(e, yaml, 2, &r, &err), 0);
	lc_up_report_release(&r);
	for (int every = 0; every < 2; every++) {
		struct lc_lab_doms ld;
		assert_int_equal(lc_lab_doms_init(&ld, &e->o, e->v, every ? NULL : "twoh", &err),
				 0);
		assert_int_equal(ld.n, 2);
		assert_int_equal(ld.n_unreached, 0);
		assert_string_equal(ld.doms[0].node, "a");
		assert_string_equal(ld.host[0], "test:///default"); /* -c's, no name of its own */
		assert_ptr_equal(ld.virt[0], e->v);
		assert_string_equal(ld.doms[1].node, "x");
		assert_string_equal(ld.host[1], "far");
		assert_ptr_not_equal(ld.virt[1], e->v);
		assert_string_equal(lc_virt_uri(ld.virt[1]), far);
		lc_lab_doms_release(&ld);
	}
	/* inventory: both nodes, the far one included */
	char *inv[] = {"inventory", "twoh", NULL};
	char *out;
	assert_int_equal(run_cmd(e, &lc_cmd_inventory_entry, 2, inv, &out, &err), 0);
	if (!strstr(out, "\n        a:\n") || !strstr(out, "\n        x:\n"))
		fail_msg("inventory lacks a node: %s", out);
	free(out);
	/*
	 * console: x's domain is looked up on the far host (the test driver has
	 * no consoles to open); on -c's it would be "has no node 'x'"
	 */
	char *con[] = {"console", "twoh", "x", NULL};
	assert_int_equal(run_cmd(e, &lc_cmd_console_entry, 3, con, &out, &err), -1);
	if (strncmp(err.msg, "domain twoh-x: cannot open its console: ", 40) != 0)
		fail_msg("console: %s", err.msg);
	lc_err_release(&err);
	free(out);
	/* ssh without a planned address asks x's host: it has no address (no NIC) */
	char *ssh[] = {"ssh", "twoh", "x", NULL};
	assert_int_equal(run_cmd(e, &lc_cmd_ssh_entry, 3, ssh, &out, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	if (strncmp(err.msg, "node x of lab twoh has no address yet", 37) != 0)
		fail_msg("ssh: %s", err.msg);
	lc_err_release(&err);
	free(out);
	/* a host the journal names that cannot be reached: the others still count */
	struct lc_journal j;
	assert_int_equal(lc_journal_read(e->state, "twoh", &j, &err), 0);
	assert_int_equal(j.hosts.n, 2);
	lc_journal_add_host(&j, "gone", "nosuch:///");
	assert_int_equal(lc_journal_write(e->state, "twoh", &j, &err), 0);
	struct lc_lab_doms ld;
	assert_int_equal(lc_lab_doms_init(&ld, &e->o, e->v, "twoh", &err), 0);
	assert_int_equal(ld.n, 2);
	assert_string_equal(ld.host[1], "far");
	assert_int_equal(ld.n_unreached, 1);
	assert_string_equal(ld.unreached[0].host, "gone");
	assert_non_null(strstr(ld.unreached[0].why, "nosuch:///"));
	lc_lab_doms_release(&ld);
	/* down would keep the lab for a retry while a host is unreachable */
	free(j.hosts.v[--j.hosts.n]);
	j.hosts.v[j.hosts.n] = NULL;
	assert_int_equal(lc_journal_write(e->state, "twoh", &j, &err), 0);
	lc_journal_release(&j);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "twoh", &dr, &err), 0);
	assert_int_equal(count_domains(e, "twoh"), 0);
	struct lc_virt_obj *doms;
	size_t nd;
	assert_int_equal(lc_virt_lab_domains(fv, "twoh", &doms, &nd, &err), 0);
	assert_int_equal(nd, 0);
	lc_virt_objs_free(doms, nd);
	free(yaml);
	lc_virt_close(fv);
	free(far);
	env_free(e);
}

/* "GROUP=NODE ..." of the leases in the state dir, ascending by group. */
static char *lease_map(struct env *e)
{
	struct lc_leases l;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_leases_read(e->state, &l, &err), 0);
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < l.n; i++)
		lc_buf_addf(&b, "%d=%s ", l.v[i].group, l.v[i].node ? l.v[i].node : "?");
	lc_leases_release(&l);
	return lc_buf_detach(&b);
}

/*
 * Two hosts whose leases both live in the state dir (this machine's sysfs
 * inventory for each, as for qemu:///system and qemu:///session): one
 * machine's devices, so no group goes to a node of each, and each host's
 * plan keeps the other's nodes' leases; an up again changes none.
 */
static void test_two_hosts_state_dir_leases(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	char *far = vf_host_uri();
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *fv = lc_virt_open(far, &err);
	assert_non_null(fv);
	char *yaml =
	    lc_asprintf("name: twol\ndefaults: {image: tiny, memory: 128MiB, disk: 16MiB}\n" POOL
			"hosts: {far: \"%s\"}\n"
			"nodes:\n  a: {kind: kvm, vfs: [{pool: cx5, count: 2}]}\n"
			"  x: {kind: kvm, host: far, vfs: [{pool: cx5, count: 2}]}\n",
			far);
	struct lc_up_report r;
	assert_int_equal(up(e, yaml, 2, &r, &err), 0);
	assert_int_equal(r.n_groups, 4);
	lc_up_report_release(&r);
	/* four groups, two for each node: none handed to both */
	char *before = lease_map(e);
	assert_int_equal(count_leases(e), 4);
	size_t na = 0, nx = 0;
	for (const char *p = before; (p = strchr(p, '=')); p++)
		na += p[1] == 'a', nx += p[1] == 'x';
	assert_int_equal(na, 2);
	assert_int_equal(nx, 2);
	/* again: each node keeps its groups */
	assert_int_equal(up(e, yaml, 2, &r, &err), 0);
	lc_up_report_release(&r);
	char *after = lease_map(e);
	assert_string_equal(before, after);
	free(before);
	free(after);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "twol", &dr, &err), 0);
	assert_int_equal(count_leases(e), 0);
	free(yaml);
	lc_virt_close(fv);
	free(far);
	env_free(e);
}

/* One controller: its own state dir, its own lab, one up. */
struct controller {
	struct env *e;
	const char *yaml;
	pthread_barrier_t *go;
	int rc, code;
	char msg[512];
};

static void *controller_up(void *arg)
{
	struct controller *c = arg;
	struct lc_err err = LC_ERR_INIT;
	write_text(c->e->topo, c->yaml);
	struct lc_loaded l;
	if (lc_load(&c->e->o, c->e->topo, &l, &err) < 0)
		fail_msg("%s", err.msg);
	struct lc_up_opts uo = {.jobs = 2, .wait_s = -1};
	struct lc_up_report r;
	pthread_barrier_wait(c->go);
	c->rc = lc_lab_up(&c->e->o, c->e->v, &l, &uo, &r, &err);
	c->code = err.code;
	snprintf(c->msg, sizeof(c->msg), "%s", err.msg ? err.msg : "");
	lc_err_release(&err);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	return NULL;
}

/*
 * Two controllers (two state dirs, nothing shared but the host) bring up
 * two labs at once that together want more VFs than the host has, for
 * five rounds: one gets all it asked for, the other exits 3 holding
 * nothing, on the host or in its state dir.
 */
static void test_two_controllers(void **state)
{
	(void)state;
	char *far = vf_host_uri();
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *fv = lc_virt_open(far, &err);
	assert_non_null(fv);
	struct env *ea = env_new(true), *eb = env_new(true);
	char *ya = lc_asprintf(FAR_LAB("alpha", "5"), far);
	char *yb = lc_asprintf(FAR_LAB("beta", "5"), far);
	size_t wins[2] = {0, 0};
	for (int round = 0; round < 5; round++) {
		ea->o.inventory = eb->o.inventory = "libvirt";
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct controller a = {ea, ya, &go, 0, 0, ""}, b = {eb, yb, &go, 0, 0, ""};
		pthread_t ta, tb;
		pthread_create(&ta, NULL, controller_up, &a);
		pthread_create(&tb, NULL, controller_up, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		assert_true((a.rc == 0) != (b.rc == 0));
		struct controller *loser = a.rc ? &a : &b, *winner = a.rc ? &b : &a;
		const char *wlab = winner == &a ? "alpha" : "beta";
		const char *llab = winner == &a ? "beta" : "alpha";
		wins[winner == &b]++;
		if (loser->code != LC_EXIT_RESOURCE)
			fail_msg("exit %d: %s", loser->code, loser->msg);
		/*
		 * planned again against what the winner holds, it is told the host is
		 * short (or, still contested after its last try, whose group it lost)
		 */
		const char *want = "host far: pool cx5: node x needs 5 VFs; ";
		if (strncmp(loser->msg, want, strlen(want)) != 0 &&
		    strncmp(loser->msg, "host far: IOMMU group ", 22) != 0)
			fail_msg("not a shortage: %s", loser->msg);
		assert_int_equal(host_leases(fv, wlab), 5);
		assert_int_equal(host_leases(fv, llab), 0);
		assert_int_equal(host_leases(fv, NULL), 5);
		assert_int_equal(count_leases(loser->e), 0);
		assert_int_equal(count_domains(loser->e, llab), 0);
		char *jdir = lc_journal_dir(loser->e->state, llab);
		assert_false(lc_file_exists(jdir));
		free(jdir);
		struct lc_down_report dr;
		assert_int_equal(lc_lab_down(&winner->e->o, winner->e->v, wlab, &dr, &err), 0);
		assert_int_equal(dr.n_leases, 5);
		assert_int_equal(host_leases(fv, NULL), 0);
	}
	assert_int_equal(wins[0] + wins[1], 5);
	free(ya);
	free(yb);
	env_free(ea);
	env_free(eb);
	lc_virt_close(fv);
	free(far);
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

/*
 * up --wait checks each boot line's l2= against nested: (kind kvm defaults
 * to nested, generic not): a contradiction fails up naming the node and
 * why, the lab stays up; status reports the last proof, from the console
 * log or, once that is truncated, from the copy up kept.
 */
static void test_wait_proof(void **state)
{
	(void)state;
	struct env *e = env_new(true);
	const char *lab =
	    "name: ptest\ndefaults: {image: tiny, memory: 128MiB}\nnodes:\n"
	    "  k: {kind: kvm}\n  g: {kind: generic}\n  n: {kind: kvm, nested: false}\n"
	    "  o: {kind: kvm}\n";
	struct lc_up_report r;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(up(e, lab, 2, &r, &err), 0);
	lc_up_report_release(&r);
	char *log[4];
	const char *names[] = {"g", "k", "n", "o"};
	for (size_t i = 0; i < 4; i++)
		log[i] = lc_asprintf("%s/labs/ptest/%s.log", e->state, names[i]);
	/* every proof as asked; o's image (say) proves nothing, which contradicts nothing */
	write_text(log[0], "BOOTED node=g virt=none l2=none disk=D\n");
	write_text(log[1], "l2probe: ok\nBOOTED l2=ok virt=svm node=k hv=x\n");
	write_text(log[2], "BOOTED node=n virt=none l2=none disk=D\n");
	write_text(log[3], "BOOTED node=o virt=svm disk=D\n");
	assert_int_equal(up_wait(e, lab, 2, 5, &r, &err), 0);
	const char *want_l2[] = {"none", "ok", "none", NULL};
	for (size_t i = 0; i < 4; i++) {
		char *dom = lc_asprintf("ptest-%s", names[i]); /* .node went with the topology */
		assert_string_equal(r.nodes[i].domain, dom);
		free(dom);
		assert_true(r.nodes[i].booted);
		if (want_l2[i])
			assert_string_equal(r.nodes[i].l2, want_l2[i]);
		else
			assert_null(r.nodes[i].l2);
		assert_null(r.nodes[i].proof_error);
	}
	lc_up_report_release(&r);
	/* k's flag hidden, n's not: both named, each with what it means; the lab stays */
	write_text(log[1], "BOOTED node=k virt=none l2=none disk=D\n");
	write_text(log[2], "BOOTED node=n virt=svm l2=ok disk=D\n");
	assert_int_equal(up_wait(e, lab, 2, 5, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_string_equal(err.msg,
			    "node k: nested: true wants l2=ok, got l2=none (the L1's CPU shows no "
			    "vmx or svm flag); node n: nested: false wants l2=none, got l2=ok (the "
			    "L1 ran an L2: the flag was not hidden)");
	assert_true(r.nodes[1].booted && r.nodes[2].booted);
	assert_non_null(r.nodes[1].proof_error);
	assert_null(r.nodes[0].proof_error);
	lc_err_release(&err);
	lc_up_report_release(&r);
	assert_int_equal(count_domains(e, "ptest"), 4);
	/* a value nobody knows is no proof */
	write_text(log[1], "BOOTED node=k l2=fail-bogus\n");
	write_text(log[2], "BOOTED node=n l2=none\n");
	assert_int_equal(up_wait(e, lab, 2, 5, &r, &err), -1);
	assert_string_equal(err.msg, "node k: unknown l2 value 'fail-bogus' on its boot line (want "
				     "ok, none or fail-REASON)");
	lc_err_release(&err);
	lc_up_report_release(&r);
	/* a node that never boots and one that contradicts: both said, the timeout last */
	write_text(log[1], "BOOTED node=k l2=fail-modprobe\n");
	write_text(log[2], "booting");
	assert_int_equal(up_wait(e, lab, 2, 1, &r, &err), -1);
	assert_string_equal(
	    err.msg, "node k: nested: true wants l2=ok, got l2=fail-modprobe "
		     "(kvm_intel or kvm_amd refused to load in the L1: nested off "
		     "on the host (labctl host check: nested), or a CPU model "
		     "missing what KVM needs; the node's console log has the "
		     "kernel's reason); 1 node did not boot within 1s: n (console line BOOTED)");
	lc_err_release(&err);
	lc_up_report_release(&r);

	/* status: the console log's newest proof; once truncated, the one up kept */
	write_text(log[1], "BOOTED node=k l2=none\nBOOTED node=k virt=svm l2=ok disk=D\n");
	char *argv[] = {"status", "ptest", NULL};
	char *out;
	e->o.json = true;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	if (!strstr(out, "\"name\":\"k\",\"domain\":\"ptest-k\"") ||
	    !strstr(
		out,
		"\"l2\":\"ok\",\"proof\":\"BOOTED node=k virt=svm l2=ok disk=D\",\"addresses\":"))
		fail_msg("status of k: %s", out);
	free(out);
	write_text(log[1], "");
	write_text(log[0], "SeaBIOS\n");
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	/* k's copy is from the up that saw fail-modprobe; g's from the first */
	if (!strstr(out,
		    "\"l2\":\"fail-modprobe\",\"proof\":\"BOOTED node=k l2=fail-modprobe\",") ||
	    !strstr(out, "\"l2\":\"none\",\"proof\":\"BOOTED node=g virt=none l2=none "
			 "disk=D\",\"addresses\":") ||
	    !strstr(out, "\"name\":\"o\",\"domain\":\"ptest-o\"") ||
	    !strstr(out, "\"l2\":null,\"proof\":null,\"addresses\":[]}]"))
		fail_msg("status after the logs were truncated: %s", out);
	free(out);
	e->o.json = false;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	assert_non_null(strstr(out, " STATE     HV     L2            AGE "));
	assert_non_null(strstr(out, " running   -      fail-modprobe "));
	free(out);
	/* a line without hv=: the image's catalog hypervisor, as up kept it */
	assert_int_equal(lc_journal_save_hv(e->state, "ptest", "g", "kvm", &err), 0);
	e->o.json = true;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	if (!strstr(out,
		    "\"hv\":\"kvm\",\"l2type\":null,\"l2\":\"none\",\"proof\":\"BOOTED node=g ") ||
	    !strstr(out, "\"hv\":null,\"l2type\":null,\"l2\":\"fail-modprobe\""))
		fail_msg("status with a kept hypervisor: %s", out);
	free(out);
	e->o.json = false;
	assert_int_equal(run_cmd(e, &lc_cmd_status_entry, 2, argv, &out, &err), 0);
	assert_non_null(strstr(out, " running   kvm    none "));
	free(out);
	for (size_t i = 0; i < 4; i++)
		free(log[i]);
	struct lc_down_report dr;
	assert_int_equal(lc_lab_down(&e->o, e->v, "ptest", &dr, &err), 0);
	char *dir = lc_asprintf("%s/labs/ptest", e->state);
	assert_false(lc_file_exists(dir));
	free(dir);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_up_reconcile_down),
	    cmocka_unit_test(test_failure_in_the_middle),
	    cmocka_unit_test(test_image_sum_refused),
	    cmocka_unit_test(test_disk_smaller_than_image),
	    cmocka_unit_test(test_gc),
	    cmocka_unit_test(test_render_failure_releases),
	    cmocka_unit_test(test_gc_empty_journal),
	    cmocka_unit_test(test_accel_kvm_refused),
	    cmocka_unit_test(test_network_not_adopted),
	    cmocka_unit_test(test_name_collision),
	    cmocka_unit_test(test_capacity_checked_first),
	    cmocka_unit_test(test_wait_whole_line),
	    cmocka_unit_test(test_foreign_live_vf),
	    cmocka_unit_test(test_accel_auto),
	    cmocka_unit_test(test_status_cmd),
	    cmocka_unit_test(test_up_options),
	    cmocka_unit_test(test_routed_subnet),
	    cmocka_unit_test(test_rollback),
	    cmocka_unit_test(test_never_ran_redefined),
	    cmocka_unit_test(test_node_pick),
	    cmocka_unit_test(test_wait_proof),
	    cmocka_unit_test(test_preview_held),
	    cmocka_unit_test(test_vfs_on_other_host),
	    cmocka_unit_test(test_lab_doms_two_hosts),
	    cmocka_unit_test(test_two_controllers),
	    cmocka_unit_test(test_two_hosts_state_dir_leases),
	};
	return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
