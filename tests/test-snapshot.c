/*
 * Lab snapshots' pure parts: the manifest round trip and its damage, disk
 * repointing (sources and <backingStore>), overlay names and generations,
 * the journal's top lines and what render makes of them, and the name rule.
 */
#include "testutil.h"
#include "journal.h"
#include "lab-snapshot.h"
#include "render.h"
#include "templates.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(manifest_round_trip), cmocka_unit_test(manifest_damaged),
	    cmocka_unit_test(repoint_disks),	   cmocka_unit_test(overlay_names),
	    cmocka_unit_test(journal_tops),	   cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
