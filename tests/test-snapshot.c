/*
 * Lab snapshots' pure parts: the manifest round trip and its damage, disk
 * repointing (sources and <backingStore>), overlay names and generations,
 * the journal's top lines and what render makes of them, and the name rule.
 */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>

#include "testutil.h"
#include "journal.h"
#include "interrupt.h"
#include "lab-snapshot.h"
#include "lease.h"
#include "render.h"
#include "templates.h"
#include "virt.h"
#include "workpool.h"

static void manifest_round_trip(void **state)
{
	(void)state;
	struct lc_snapshot s = {0};
	s.version = lc_strdup("0.10.0");
	s.time = lc_strdup("2026-12-03T13:00:00Z");
	s.n_nodes = 2;
	s.nodes = lc_calloc(2, sizeof(*s.nodes));
	s.nodes[0].node = lc_strdup("hv");
	s.nodes[0].domain = lc_strdup("lab-hv");
	s.nodes[0].running = true;
	s.nodes[0].memory_kib = 262144;
	s.nodes[0].sha256 = lc_strdup("abc123");
	s.nodes[0].image_bytes = 85000000;
	lc_strv_push(&s.nodes[0].layers, "labctl/lab-hv.qcow2");
	lc_strv_push(&s.nodes[0].layers, "labctl/lab-hv-disk1.qcow2");
	s.nodes[0].nvram = lc_strdup("/var/lib/libvirt/qemu/nvram/lab-hv_VARS.fd");
	s.nodes[0].tpm = lc_strdup("/var/lib/libvirt/swtpm/6695eb01-f6a4-8304-79aa-97f2502e193f");
	lc_strv_push(&s.nodes[0].vfs, "0000:d8:00.2 52:54:00:aa:00:01");
	lc_strv_push(&s.nodes[0].vfs, "0000:d8:00.3 -");
	s.nodes[1].node = lc_strdup("off");
	s.nodes[1].domain = lc_strdup("lab-off");
	lc_strv_push(&s.nodes[1].layers, "labctl/lab@off@3.qcow2");
	char *text = lc_snapshot_format(&s);
	struct lc_snapshot r = {0};
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_snapshot_parse("manifest", text, &r, &err), 0);
	assert_string_equal(r.version, "0.10.0");
	assert_string_equal(r.time, "2026-12-03T13:00:00Z");
	assert_int_equal(r.n_nodes, 2);
	assert_string_equal(r.nodes[0].node, "hv");
	assert_string_equal(r.nodes[0].domain, "lab-hv");
	assert_true(r.nodes[0].running);
	assert_int_equal(r.nodes[0].memory_kib, 262144);
	assert_string_equal(r.nodes[0].sha256, "abc123");
	assert_int_equal(r.nodes[0].image_bytes, 85000000);
	assert_int_equal(r.nodes[0].layers.n, 2);
	assert_string_equal(r.nodes[0].layers.v[1], "labctl/lab-hv-disk1.qcow2");
	assert_string_equal(r.nodes[0].nvram, "/var/lib/libvirt/qemu/nvram/lab-hv_VARS.fd");
	assert_false(r.nodes[1].running);
	assert_null(r.nodes[1].sha256);
	assert_null(r.nodes[1].nvram);
	assert_string_equal(r.nodes[0].tpm,
			    "/var/lib/libvirt/swtpm/6695eb01-f6a4-8304-79aa-97f2502e193f");
	assert_null(r.nodes[1].tpm);
	assert_int_equal(r.nodes[0].vfs.n, 2);
	assert_string_equal(r.nodes[0].vfs.v[0], "0000:d8:00.2 52:54:00:aa:00:01");
	assert_string_equal(r.nodes[0].vfs.v[1], "0000:d8:00.3 -");
	assert_int_equal(r.nodes[1].vfs.n, 0);
	assert_string_equal(r.nodes[1].layers.v[0], "labctl/lab@off@3.qcow2");
	/* the same text again: nothing lost or added */
	char *again = lc_snapshot_format(&r);
	assert_string_equal(text, again);
	free(again);
	free(text);
	lc_snapshot_release(&r);
	lc_snapshot_release(&s);
}

static void manifest_damaged(void **state)
{
	(void)state;
	struct lc_snapshot r = {0};
	struct lc_err err = LC_ERR_INIT;
	/* a layer of a node the manifest never named */
	assert_int_equal(lc_snapshot_parse("m", "labctl 1\nlayer ghost p/v\n", &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_non_null(strstr(err.msg, "m:2: damaged line 'layer ghost p/v'"));
	lc_err_release(&err);
	lc_snapshot_release(&r);
	/* a node line cut short */
	assert_int_equal(lc_snapshot_parse("m", "node a lab-a running 5\n", &r, &err), -1);
	assert_non_null(strstr(err.msg, "m:1:"));
	lc_err_release(&err);
	lc_snapshot_release(&r);
}

static const char DOMAIN_XML[] =
    "<domain type='kvm'><name>lab-hv</name><devices>"
    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source pool='labctl' volume='lab-hv.qcow2' index='1'/>"
    "<backingStore type='file' index='2'><format type='qcow2'/>"
    "<source file='/cache/tiny.qcow2'/></backingStore>"
    "<target dev='vda' bus='virtio'/></disk>"
    "<disk type='volume' device='disk'><source pool='labctl' volume='lab-hv-disk1.qcow2'/>"
    "<target dev='vdb' bus='virtio'/></disk>"
    "<disk type='volume' device='cdrom'><source pool='labctl' volume='lab-hv-seed.iso'/>"
    "<target dev='sda' bus='sata'/><readonly/></disk>"
    "</devices></domain>";

static xmlDocPtr domain_doc(void)
{
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse("domain", DOMAIN_XML, strlen(DOMAIN_XML), &err);
	assert_non_null(doc);
	return doc;
}

static void repoint_disks(void **state)
{
	(void)state;
	xmlDocPtr doc = domain_doc();
	struct lc_strv disks = LC_STRV_INIT;
	lc_snapshot_disks(doc, &disks);
	/* the read-only seed is no disk a snapshot freezes */
	assert_int_equal(disks.n, 2);
	assert_string_equal(disks.v[0], "labctl/lab-hv.qcow2");
	assert_string_equal(disks.v[1], "labctl/lab-hv-disk1.qcow2");
	struct lc_strv from = LC_STRV_INIT, to = LC_STRV_INIT;
	lc_strv_push(&from, "labctl/lab-hv.qcow2");
	lc_strv_push(&to, "other/lab@hv@2.qcow2");
	assert_int_equal(lc_snapshot_repoint(doc, &from, &to), 1);
	char *xml = lc_xml_format(doc);
	assert_non_null(strstr(xml, "pool=\"other\" volume=\"lab@hv@2.qcow2\""));
	/* the old chain is gone from the moved disk; the other disk and the seed are as they were
	 */
	assert_null(strstr(xml, "backingStore"));
	assert_non_null(strstr(xml, "volume=\"lab-hv-disk1.qcow2\""));
	assert_non_null(strstr(xml, "volume=\"lab-hv-seed.iso\""));
	/* a disk that is not in from is not touched */
	lc_strv_release(&disks);
	lc_snapshot_disks(doc, &disks);
	assert_string_equal(disks.v[0], "other/lab@hv@2.qcow2");
	free(xml);
	lc_strv_release(&disks);
	lc_strv_release(&from);
	lc_strv_release(&to);
	xmlFreeDoc(doc);
}

static void overlay_names(void **state)
{
	(void)state;
	char *n = lc_snapshot_overlay_name("lab", "lab-hv.qcow2", 1);
	assert_string_equal(n, "lab@hv@1.qcow2");
	free(n);
	/* an overlay of an overlay keeps the disk's name, with the new generation */
	n = lc_snapshot_overlay_name("lab", "lab@hv@1.qcow2", 7);
	assert_string_equal(n, "lab@hv@7.qcow2");
	free(n);
	n = lc_snapshot_overlay_name("lab", "lab-hv-disk1.qcow2", 2);
	assert_string_equal(n, "lab@hv-disk1@2.qcow2");
	free(n);
	/* lab x node a-b and lab x-a node b: their disks share a name, their overlays do not */
	char *a = lc_snapshot_overlay_name("x", "x-a-b.qcow2", 1);
	char *b = lc_snapshot_overlay_name("x-a", "x-a-b.qcow2", 1);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	struct lc_journal j = {0};
	assert_int_equal(lc_snapshot_last_gen("lab", &j), 0);
	lc_journal_add_volume(&j, "labctl", "lab-hv.qcow2");
	lc_journal_add_volume(&j, "labctl", "lab@hv@3.qcow2");
	lc_journal_add_volume(&j, "labctl", "lab@hv-disk1@12.qcow2");
	lc_journal_add_volume(&j, "labctl", "lab-x@hv@40.qcow2"); /* lab lab-x's */
	assert_int_equal(lc_snapshot_last_gen("lab", &j), 12);
	lc_journal_release(&j);
}

static void journal_tops(void **state)
{
	(void)state;
	struct lc_journal j = {0};
	assert_null(lc_journal_top(&j, "hv", "labctl", "lab-hv.qcow2"));
	lc_journal_set_top(&j, "hv", "labctl", "lab-hv.qcow2", "lab@hv@1.qcow2");
	lc_journal_set_top(&j, "hv", "labctl", "lab-hv.qcow2", "lab@hv@2.qcow2");
	assert_int_equal(j.tops.n, 1);
	assert_string_equal(lc_journal_top(&j, "hv", "labctl", "lab-hv.qcow2"), "lab@hv@2.qcow2");
	/* another node's disk is not this one's */
	assert_null(lc_journal_top(&j, "h", "labctl", "lab-hv.qcow2"));
	/* render: the rendered overlay becomes the top; the hash is the caller's to keep */
	xmlDocPtr doc = domain_doc();
	lc_snapshot_point_render(&j, "hv", doc);
	struct lc_strv disks = LC_STRV_INIT;
	lc_snapshot_disks(doc, &disks);
	assert_string_equal(disks.v[0], "labctl/lab@hv@2.qcow2");
	assert_string_equal(disks.v[1], "labctl/lab-hv-disk1.qcow2");
	lc_strv_release(&disks);
	xmlFreeDoc(doc);
	lc_journal_release(&j);
}

static void names(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_snapshot_check_name("nightly-1", &err), 0);
	const char *bad[] = {"",
			     "-x",
			     "a/b",
			     "a@b",
			     "a b",
			     "../x",
			     "0123456789012345678901234567890123456789012345678901234567890123"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lc_snapshot_check_name(bad[i], &err), -1);
		assert_int_equal(err.code, LC_EXIT_USAGE);
		lc_err_release(&err);
	}
}

/* A running domain's host devices as libvirt writes them: aliases, guest addresses, a VLAN. */
static const char HOSTDEV_XML[] =
    "<domain type='kvm'><name>lab-hv</name><devices>"
    "<interface type='network'><mac address='52:54:00:00:00:01'/>"
    "<source network='lab-mgmt'/><alias name='net0'/></interface>"
    "<interface type='hostdev' managed='yes'><mac address='52:54:00:aa:00:01'/>"
    "<source><address type='pci' domain='0x0000' bus='0xd8' slot='0x00' function='0x2'/>"
    "</source><vlan><tag id='42'/></vlan><alias name='hostdev0'/>"
    "<address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/></interface>"
    "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
    "<address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/></source>"
    "<alias name='hostdev1'/>"
    "<address type='pci' domain='0x0000' bus='0x08' slot='0x00' function='0x0'/></hostdev>"
    "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/>"
    "<product id='0xbeef'/></source></hostdev>"
    "</devices></domain>";

static void hostdevs(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse("domain", HOSTDEV_XML, strlen(HOSTDEV_XML), &err);
	assert_non_null(doc);
	struct lc_strv xmls = LC_STRV_INIT, addrs = LC_STRV_INIT, macs = LC_STRV_INIT;
	lc_snapshot_hostdevs(doc, &xmls, &addrs, &macs);
	/* the VF interface and the pci: device; not the network NIC, not the USB device */
	assert_int_equal(addrs.n, 2);
	assert_string_equal(addrs.v[0], "0000:d8:00.2");
	assert_string_equal(addrs.v[1], "0000:3b:00.1");
	assert_string_equal(macs.v[0], "52:54:00:aa:00:01");
	assert_string_equal(macs.v[1], "-");
	assert_int_equal(xmls.n, 2);
	/* the same MAC, VLAN and guest slot come back; libvirt's alias does not */
	assert_non_null(strstr(xmls.v[0], "<interface type=\"hostdev\""));
	assert_non_null(strstr(xmls.v[0], "52:54:00:aa:00:01"));
	assert_non_null(strstr(xmls.v[0], "<tag id=\"42\"/>"));
	assert_non_null(strstr(xmls.v[0], "bus=\"0x07\""));
	assert_null(strstr(xmls.v[0], "alias"));
	assert_non_null(strstr(xmls.v[1], "<hostdev mode=\"subsystem\" type=\"pci\""));
	assert_non_null(strstr(xmls.v[1], "bus=\"0x08\""));
	assert_null(strstr(xmls.v[1], "alias"));
	/* each is a device XML on its own that parses back to itself */
	for (size_t i = 0; i < xmls.n; i++) {
		xmlDocPtr d = lc_xml_parse("device", xmls.v[i], strlen(xmls.v[i]), &err);
		assert_non_null(d);
		xmlFreeDoc(d);
	}
	/* the document is left as it was: its aliases are still there */
	char *again = lc_xml_format(doc);
	assert_non_null(strstr(again, "hostdev1"));
	free(again);
	lc_strv_release(&xmls);
	lc_strv_release(&addrs);
	lc_strv_release(&macs);
	xmlFreeDoc(doc);
}

/* A live XML that loses its devices after `after` reads (never when after < 0). */
struct fake_live {
	int reads, after;
};

static char *fake_live_xml(void *ctx)
{
	struct fake_live *f = ctx;
	f->reads++;
	if (f->after >= 0 && f->reads > f->after)
		return lc_strdup("<domain><name>lab-hv</name><devices/></domain>");
	return lc_strdup(HOSTDEV_XML);
}

static void wait_released(void **state)
{
	(void)state;
	struct lc_strv addrs = LC_STRV_INIT, left = LC_STRV_INIT;
	lc_strv_push(&addrs, "0000:d8:00.2");
	lc_strv_push(&addrs, "0000:3b:00.1");
	/* gone at the third look */
	struct fake_live f = {0, 2};
	assert_int_equal(lc_snapshot_wait_released(fake_live_xml, &f, &addrs, 5, 0.01, &left), 0);
	assert_int_equal(f.reads, 3);
	assert_int_equal(left.n, 0);
	/* never gone: the timeout, naming both */
	struct fake_live never = {0, -1};
	double t0 = lc_now_s();
	assert_int_equal(lc_snapshot_wait_released(fake_live_xml, &never, &addrs, 0.2, 0.02, &left),
			 -1);
	assert_true(lc_now_s() - t0 >= 0.2);
	assert_true(never.reads >= 2);
	assert_int_equal(left.n, 2);
	assert_string_equal(left.v[0], "0000:d8:00.2");
	/* a device the node never had is not waited for */
	lc_strv_release(&addrs);
	lc_strv_push(&addrs, "0000:00:00.7");
	struct fake_live other = {0, -1};
	assert_int_equal(lc_snapshot_wait_released(fake_live_xml, &other, &addrs, 5, 0.01, &left),
			 0);
	assert_int_equal(other.reads, 1);
	lc_strv_release(&addrs);
	lc_strv_release(&left);
}

/* A signal ends the wait long before its timeout (in a child: the flag stays set). */
static void wait_released_interrupted(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		lc_interrupt_install();
		raise(SIGTERM);
		struct lc_strv addrs = LC_STRV_INIT, left = LC_STRV_INIT;
		lc_strv_push(&addrs, "0000:d8:00.2");
		struct fake_live never = {0, -1};
		double t0 = lc_now_s();
		int rc = lc_snapshot_wait_released(fake_live_xml, &never, &addrs, 30, 0.01, &left);
		_exit(rc == -1 && left.n == 1 && lc_now_s() - t0 < 5 ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * save of a running node holding a VF, in-process on the test driver with a
 * fixture host. libvirt's test driver (9.0) has no hot-plug at all
 * (virDomainDetachDeviceFlags, virDomainAttachDeviceFlags: "not
 * supported") and restores neither paused nor with an edited XML, so the
 * whole detach, save, restore, attach order cannot run on it: what runs
 * here is the first step failing as a guest that never lets go makes it
 * fail, which must leave the node running, unpaused, with its VF, its
 * lease file byte for byte, and no snapshot or journal behind.
 */
static void save_vf_node_unplug_fails(void **state)
{
	(void)state;
	char dir[] = "/tmp/labctl-snap-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *rel = t_path("tests/fixtures/snapshot-vf-host.xml");
	char abs[PATH_MAX];
	assert_non_null(realpath(rel, abs));
	free(rel);
	char *uri = lc_asprintf("test://%s", abs);
	char *st = lc_asprintf("%s/state", dir);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(st, &err), 0);
	int lfd;
	assert_int_equal(lc_leases_lock(st, &lfd, &err), 0);
	assert_int_equal(lc_lease_take(st, 7, "vfl", "a", "0000:d8:00.2", uri, &err), 0);
	lc_leases_unlock(lfd);
	char *lease = lc_asprintf("%s/leases/group-7.lease", st);
	char *before = NULL, *after = NULL;
	size_t lb, la;
	assert_int_equal(lc_read_file(lease, &before, &lb, &err), 0);
	struct lc_opts o = {.uri = uri, .state_dir = st};
	struct lc_virt *v = lc_virt_open(uri, &err);
	assert_non_null(v);
	struct lc_snap_opts so = {.jobs = 1, .unplug_timeout_s = 1};
	struct lc_snapshot r;
	assert_int_equal(lc_snapshot_save(&o, v, "vfl", "s1", &so, &r, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_non_null(strstr(err.msg, "node a: cannot unplug 0000:d8:00.2 before the save"));
	assert_non_null(strstr(err.msg, "nothing was paused"));
	lc_err_release(&err);
	lc_snapshot_release(&r);
	struct lc_virt_obj *doms;
	size_t nd;
	assert_int_equal(lc_virt_lab_domains(v, "vfl", &doms, &nd, &err), 0);
	assert_int_equal(nd, 1);
	assert_true(doms[0].active);
	assert_false(doms[0].paused);
	assert_int_equal(doms[0].vfs.n, 1);
	assert_string_equal(doms[0].vfs.v[0], "0000:d8:00.2");
	lc_virt_objs_free(doms, nd);
	assert_int_equal(lc_read_file(lease, &after, &la, &err), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(after, before, lb);
	char *snap = lc_asprintf("%s/snapshots/vfl/s1", st);
	char *journal = lc_asprintf("%s/labs/vfl/journal", st);
	assert_false(lc_file_exists(snap));
	assert_false(lc_file_exists(journal));
	free(snap);
	free(journal);
	lc_virt_close(v);
	free(before);
	free(after);
	free(lease);
	free(st);
	free(uri);
	char *cmd = lc_asprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(manifest_round_trip),
	    cmocka_unit_test(manifest_damaged),
	    cmocka_unit_test(repoint_disks),
	    cmocka_unit_test(overlay_names),
	    cmocka_unit_test(journal_tops),
	    cmocka_unit_test(names),
	    cmocka_unit_test(hostdevs),
	    cmocka_unit_test(wait_released),
	    cmocka_unit_test(wait_released_interrupted),
	    cmocka_unit_test(save_vf_node_unplug_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
