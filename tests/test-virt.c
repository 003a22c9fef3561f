/*
 * Integration with libvirt's in-process test driver: every rendered domain
 * and network of every kind and example topology defines on test:///default.
 */
#include "testutil.h"
#include "host-vfs.h"
#include "load.h"
#include "plan.h"
#include "virt.h"

static void define_all(const char *rel, const char *sysfs, const struct lc_host_facts *facts)
{
	struct lc_opts o = {0};
	char *templates = t_path("templates"), *catalog = t_path("tests/fixtures/catalog.yaml");
	o.templates = templates;
	o.catalog = catalog;
	o.state_dir = "/var/lib/labctl";
	o.cache_dir = "/var/cache/labctl/images";
	char *sysroot = lc_asprintf("%s/tests/out/sysfs/%s", t_srcdir(), sysfs);
	o.sysfs = sysroot;
	char *path = t_path(rel);
	struct lc_loaded l;
	struct lc_err err = LC_ERR_INIT;
	if (lc_load(&o, path, &l, &err) < 0)
		fail_msg("%s", err.msg);
	struct lc_virt *v = lc_virt_open("test:///default", &err);
	assert_non_null(v);
	struct lc_plan p;
	struct lc_vf_plan devs;
	if (lc_host_plan(&o, v, l.topo, false, &devs, &err) < 0 ||
	    lc_plan_build(&o, &l, facts, &devs, 1795000000, &p, &err) < 0)
		fail_msg("%s: %s", rel, err.msg);
	lc_vf_plan_release(&devs);
	size_t defined = 0;
	for (size_t i = 0; i < p.n; i++) {
		int rc = 0;
		if (p.v[i].type == LC_OBJ_DOMAIN)
			rc = lc_virt_define_domain(v, p.v[i].xml, &err);
		else if (p.v[i].type == LC_OBJ_NETWORK)
			rc = lc_virt_define_network(v, p.v[i].xml, &err);
		else
			continue;
		if (rc < 0)
			fail_msg("%s: %s: %s", rel, p.v[i].name, err.msg);
		defined++;
	}
	assert_true(defined >= 2);
	lc_plan_release(&p);
	lc_virt_close(v);
	lc_loaded_release(&l);
	free(path);
	free(sysroot);
	free(templates);
	free(catalog);
}

static const struct lc_host_facts intel_kvm = {.vendor = LC_VENDOR_INTEL, .kvm = true};
static const struct lc_host_facts tcg = {.vendor = LC_VENDOR_UNKNOWN, .kvm = false};

static void test_kinds(void **state)
{
	(void)state;
	define_all("tests/fixtures/kinds.yaml", "kinds", &intel_kvm);
	define_all("tests/fixtures/kinds.yaml", "kinds", &tcg);
}

static void test_examples(void **state)
{
	(void)state;
	define_all("topologies/demo.yaml", "isolated", &tcg);
	define_all("topologies/nested-kvm.yaml", "isolated", &intel_kvm);
	/* VFs from the ConnectX-5 fixture: hostdev interfaces with MACs and VLANs */
	define_all("topologies/mixed-hypervisors.yaml", "isolated", &intel_kvm);
	define_all("topologies/cx5-vfs.yaml", "isolated", &tcg);
}

static void test_facts_of_test_driver(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open("test:///default", &err);
	assert_non_null(v);
	struct lc_host_facts f;
	assert_int_equal(lc_virt_host_facts(v, &f, &err), 0);
	/* the test driver has no domain capabilities, so no KVM */
	assert_false(f.kvm);
	lc_virt_close(v);
}

static void test_define_error_names_cause(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open("test:///default", &err);
	assert_int_equal(
	    lc_virt_define_domain(v, "<domain type='kvm'><name>x</name></domain>", &err), -1);
	assert_non_null(strstr(err.msg, "cannot define domain: "));
	lc_err_release(&err);
	lc_virt_close(v);
	assert_null(lc_virt_open("nosuch:///x", &err));
	assert_non_null(strstr(err.msg, "cannot connect to libvirt at 'nosuch:///x'"));
	lc_err_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_examples),
	    cmocka_unit_test(test_facts_of_test_driver),
	    cmocka_unit_test(test_define_error_names_cause),
	};
	return cmocka_run_group_tests_name("virt", tests, NULL, NULL);
}
