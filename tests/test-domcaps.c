/*
 * Domain capabilities: parsing libvirt's <domainCapabilities> (fixtures
 * taken from this project's QEMU 7.2 under TCG, and edited into a KVM host
 * with every Hyper-V enlightenment, a host without swtpm, without OVMF and
 * without its secure-boot build), the keep/drop decision with its
 * dependents, require:, the needs, and the hyperv domain rendered through
 * the virt layer with capability fixtures (goldens).
 */
#include "testutil.h"
#include "domcaps.h"
#include "host-facts.h"
#include "host-vfs.h"
#include "load.h"
#include "plan.h"
#include "templates.h"
#include "virt.h"

static struct lc_domcaps *caps(const char *name)
{
	char *rel = lc_asprintf("tests/fixtures/domcaps-%s.xml", name);
	size_t len;
	char *xml = t_read(rel, &len);
	struct lc_domcaps *c = lc_calloc(1, sizeof(*c));
	struct lc_err err = LC_ERR_INIT;
	if (lc_domcaps_parse(rel, xml, len, c, &err) < 0)
		fail_msg("%s", err.msg);
	free(xml);
	free(rel);
	return c;
}

static void caps_free(struct lc_domcaps *c)
{
	lc_domcaps_release(c);
	free(c);
}

static xmlDocPtr template(const char *kind)
{
	char *dir = t_path("templates");
	char *path = lc_template_kind_path(dir, kind);
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr d = lc_template_load(path, &err);
	if (!d)
		fail_msg("%s", err.msg);
	free(path);
	free(dir);
	return d;
}

static char *joined(char **v, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		lc_buf_addf(&b, "%s%s", i ? " " : "", v[i]);
	char *s = lc_strdup(lc_buf_str(&b));
	lc_buf_release(&b);
	return s;
}

/* Filter the kind's template; the dropped names joined by spaces. */
static char *filter(const char *kind, const struct lc_domcaps *c, bool kvm, xmlDocPtr *out)
{
	xmlDocPtr d = template(kind);
	struct lc_strv dropped = LC_STRV_INIT;
	struct lc_err err = LC_ERR_INIT;
	if (lc_domcaps_filter(d, c, kvm, NULL, 0, &dropped, &err) < 0)
		fail_msg("%s", err.msg);
	char *s = joined(dropped.v, dropped.n);
	lc_strv_release(&dropped);
	if (out)
		*out = d;
	else
		xmlFreeDoc(d);
	return s;
}

static void test_parse(void **state)
{
	(void)state;
	struct lc_domcaps *t = caps("tcg");
	assert_string_equal(t->domain, "qemu");
	assert_string_equal(t->machine, "pc-q35-7.2");
	assert_true(t->hyperv_listed);
	char *hv = joined(t->hyperv.v, t->hyperv.n);
	assert_string_equal(hv, "spinlocks vendor_id");
	free(hv);
	assert_true(t->tpm_emulator && t->efi && t->efi_secure);
	caps_free(t);
	struct lc_domcaps *k = caps("kvm");
	assert_string_equal(k->domain, "kvm");
	assert_int_equal(k->hyperv.n, 15);
	caps_free(k);
	struct lc_domcaps *n = caps("no-tpm");
	assert_false(n->tpm_emulator);
	assert_true(n->efi && n->efi_secure);
	caps_free(n);
	n = caps("no-ovmf");
	assert_true(n->tpm_emulator);
	assert_false(n->efi || n->efi_secure);
	caps_free(n);
	n = caps("no-secboot");
	assert_true(n->efi);
	assert_false(n->efi_secure);
	caps_free(n);
	struct lc_domcaps bad;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_domcaps_parse("x", "<capabilities/>", 15, &bad, &err), -1);
	assert_string_equal(err.msg, "x: not a <domainCapabilities> document");
	lc_err_release(&err);
}

static void test_filter_tcg(void **state)
{
	(void)state;
	struct lc_domcaps *t = caps("tcg");
	xmlDocPtr d;
	/* listed: spinlocks; the TCG table: relaxed, vapic, runtime, frequencies */
	char *s = filter("hyperv", t, false, &d);
	assert_string_equal(s, "hyperv.vpindex hyperv.synic hyperv.stimer hyperv.tlbflush "
			       "hyperv.ipi hyperv.evmcs");
	free(s);
	char *left = lc_xml_format(d);
	assert_non_null(strstr(left, "<relaxed state=\"on\"/>"));
	assert_non_null(strstr(left, "<vapic state=\"on\"/>"));
	assert_non_null(strstr(left, "<spinlocks state=\"on\" retries=\"8191\"/>"));
	assert_non_null(strstr(left, "<runtime state=\"on\"/>"));
	assert_non_null(strstr(left, "<frequencies state=\"on\"/>"));
	assert_null(strstr(left, "vpindex"));
	assert_null(strstr(left, "<direct"));
	free(left);
	xmlFreeDoc(d);
	/* the same caps, read as KVM's, keep the same: the table is the same */
	s = filter("hyperv", t, true, NULL);
	assert_string_equal(s, "hyperv.vpindex hyperv.synic hyperv.stimer hyperv.tlbflush "
			       "hyperv.ipi hyperv.evmcs");
	free(s);
	/* a kind without enlightenments loses nothing */
	s = filter("kvm", t, false, NULL);
	assert_string_equal(s, "");
	free(s);
	caps_free(t);
}

static void test_filter_kvm_keeps_all(void **state)
{
	(void)state;
	struct lc_domcaps *k = caps("kvm");
	char *s = filter("hyperv", k, true, NULL);
	assert_string_equal(s, "");
	free(s);
	caps_free(k);
}

static void test_dependents_go_together(void **state)
{
	(void)state;
	/* a host listing everything but vpindex, and not vapic either */
	struct lc_domcaps *k = caps("kvm");
	struct lc_strv kept = LC_STRV_INIT;
	for (size_t i = 0; i < k->hyperv.n; i++)
		if (strcmp(k->hyperv.v[i], "vpindex") != 0 && strcmp(k->hyperv.v[i], "vapic") != 0)
			lc_strv_push(&kept, k->hyperv.v[i]);
	lc_strv_release(&k->hyperv);
	k->hyperv = kept;
	/* vapic stays by the table, so evmcs does; vpindex takes synic, stimer (through synic),
	 * tlbflush, ipi */
	char *s = filter("hyperv", k, true, NULL);
	assert_string_equal(s, "hyperv.vpindex hyperv.synic hyperv.stimer hyperv.tlbflush "
			       "hyperv.ipi");
	free(s);
	caps_free(k);
}

static void test_no_hyperv_list_filters_nothing(void **state)
{
	(void)state;
	/* an older libvirt without <hyperv> in its capabilities says nothing of them */
	struct lc_domcaps *t = caps("tcg");
	t->hyperv_listed = false;
	char *s = filter("hyperv", t, false, NULL);
	assert_string_equal(s, "");
	free(s);
	caps_free(t);
	/* no capabilities at all: nothing */
	s = filter("hyperv", NULL, false, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_cpu_features(void **state)
{
	(void)state;
	struct lc_domcaps *t = caps("tcg");
	xmlDocPtr d = template("kvm");
	xmlNodePtr cpu = xmlDocGetRootElement(d)->children;
	while (cpu && !xmlStrEqual(cpu->name, BAD_CAST "cpu"))
		cpu = cpu->next;
	assert_non_null(cpu);
	/* rdseed: host-model says this host lacks it; svm: TCG emulates it; sse2: not listed */
	const char *feats[][2] = {
	    {"require", "rdseed"}, {"require", "svm"}, {"require", "sse2"}, {"disable", "vme"}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(feats); i++) {
		xmlNodePtr f = xmlNewChild(cpu, NULL, BAD_CAST "feature", NULL);
		xmlNewProp(f, BAD_CAST "policy", BAD_CAST feats[i][0]);
		xmlNewProp(f, BAD_CAST "name", BAD_CAST feats[i][1]);
	}
	struct lc_strv dropped = LC_STRV_INIT;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_domcaps_filter(d, t, false, NULL, 0, &dropped, &err), 0);
	char *s = joined(dropped.v, dropped.n);
	assert_string_equal(s, "cpu.rdseed");
	free(s);
	lc_strv_release(&dropped);
	char *left = lc_xml_format(d);
	assert_null(strstr(left, "rdseed"));
	assert_non_null(strstr(left, "name=\"svm\""));
	assert_non_null(strstr(left, "name=\"sse2\""));
	assert_non_null(strstr(left, "name=\"vme\""));
	free(left);
	xmlFreeDoc(d);
	caps_free(t);
}

static void test_require_fails_instead(void **state)
{
	(void)state;
	struct lc_domcaps *t = caps("tcg");
	xmlDocPtr d = template("hyperv");
	char *before = lc_xml_format(d);
	const char *req[] = {"hyperv.relaxed", "hyperv.ipi"};
	struct lc_strv dropped = LC_STRV_INIT;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_domcaps_filter(d, t, false, req, 2, &dropped, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "hyperv.ipi is required (require:) but this host does not "
				     "offer it under tcg (libvirt's domain capabilities for qemu, "
				     "machine pc-q35-7.2)");
	assert_int_equal(dropped.n, 0);
	char *after = lc_xml_format(d);
	assert_string_equal(before, after); /* nothing changed */
	free(before);
	free(after);
	lc_err_release(&err);
	/* what is kept may be required */
	const char *ok[] = {"hyperv.relaxed"};
	assert_int_equal(lc_domcaps_filter(d, t, false, ok, 1, &dropped, &err), 0);
	assert_int_equal(dropped.n, 6);
	lc_strv_release(&dropped);
	xmlFreeDoc(d);
	caps_free(t);
	assert_true(lc_domcaps_hyperv_known("vpindex"));
	assert_false(lc_domcaps_hyperv_known("vpindx"));
}

static void test_needs(void **state)
{
	(void)state;
	xmlDocPtr hv = template("hyperv"), kvm = template("kvm");
	unsigned needs = lc_domcaps_needs(hv);
	assert_int_equal(needs, LC_NEED_TPM | LC_NEED_EFI | LC_NEED_SECURE_BOOT);
	assert_int_equal(lc_domcaps_needs(kvm), 0);
	struct {
		const char *fixture;
		unsigned missing;
	} cases[] = {{"tcg", 0},
		     {"kvm", 0},
		     {"no-tpm", LC_NEED_TPM},
		     {"no-ovmf", LC_NEED_EFI},
		     {"no-secboot", LC_NEED_SECURE_BOOT}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		struct lc_domcaps *c = caps(cases[i].fixture);
		assert_int_equal(lc_domcaps_missing(c, needs), cases[i].missing);
		assert_int_equal(lc_domcaps_missing(c, 0), 0);
		caps_free(c);
	}
	xmlFreeDoc(hv);
	xmlFreeDoc(kvm);
}

/* ---- through the virt layer and the plan, as render and up do ---- */

struct plan_fx {
	struct lc_opts o;
	struct lc_loaded l;
	struct lc_virt *v;
	struct lc_plan p;
	char *templates, *catalog, *sysfs, *topo;
};

static int plan_with(struct plan_fx *f, const char *fixture, const char *yaml, struct lc_err *err)
{
	memset(f, 0, sizeof(*f));
	f->templates = t_path("templates");
	f->catalog = t_path("tests/fixtures/catalog.yaml");
	f->sysfs = t_path("tests/out/sysfs/kinds");
	f->o = (struct lc_opts){.uri = "test:///default",
				.templates = f->templates,
				.catalog = f->catalog,
				.sysfs = f->sysfs,
				.procfs = "/nonexistent",
				.state_dir = "/var/lib/labctl",
				.cache_dir = "/var/cache/labctl/images"};
	char dir[] = "/tmp/labctl-domcaps-XXXXXX";
	assert_non_null(mkdtemp(dir));
	f->topo = lc_asprintf("%s/lab.yaml", dir);
	assert_int_equal(lc_write_file(f->topo, yaml, strlen(yaml), err), 0);
	if (lc_load(&f->o, f->topo, &f->l, err) < 0)
		fail_msg("%s", err->msg);
	unlink(f->topo);
	rmdir(dir);
	f->v = lc_virt_open("test:///default", err);
	assert_non_null(f->v);
	if (fixture) {
		char *path = lc_asprintf("%s/tests/fixtures/domcaps-%s.xml", t_srcdir(), fixture);
		lc_virt_domcaps_fixture(f->v, path);
		free(path);
	}
	struct lc_host_facts facts;
	if (lc_host_facts_probe(&f->o, f->v, &facts, err) < 0)
		fail_msg("%s", err->msg);
	struct lc_vf_plan devs = {0};
	return lc_plan_build(&f->o, &f->l, &facts, &devs, 1795000000, &f->p, err);
}

static void plan_fx_release(struct plan_fx *f)
{
	lc_plan_release(&f->p);
	lc_loaded_release(&f->l);
	lc_virt_close(f->v);
	free(f->templates);
	free(f->catalog);
	free(f->sysfs);
	free(f->topo);
}

static const char *HV_LAB = "name: golden\nnodes:\n"
			    "  hv-tcg: {kind: hyperv, accel: tcg, vcpus: 4, memory: 8GiB}\n"
			    "  hv-kvm: {kind: hyperv, accel: kvm, vcpus: 4, memory: 8GiB}\n"
			    "  hv-kvm-2: {kind: hyperv, accel: kvm}\n";

static void test_golden_hyperv_caps(void **state)
{
	(void)state;
	struct plan_fx f;
	struct lc_err err = LC_ERR_INIT;
	/* TCG: what QEMU 7.2 on this project's machines accepts */
	if (plan_with(&f, "tcg", HV_LAB, &err) < 0)
		fail_msg("%s", err.msg);
	const struct lc_planned *p = lc_plan_domain(&f.p, "hv-tcg");
	t_golden("render-hyperv-caps-tcg", p->xml);
	char *s = joined(p->dropped.v, p->dropped.n);
	assert_string_equal(s, "hyperv.vpindex hyperv.synic hyperv.stimer hyperv.tlbflush "
			       "hyperv.ipi");
	free(s);
	assert_int_equal(p->missing, 0);
	assert_null(p->no_caps);
	unsigned reads;
	double secs;
	/* three nodes, two domain types: read twice, not per node */
	lc_virt_domcaps_stats(f.v, &reads, &secs);
	assert_int_equal(reads, 2);
	plan_fx_release(&f);
	/* KVM with every enlightenment: the template's set, evmcs aside (not Intel) */
	if (plan_with(&f, "kvm", HV_LAB, &err) < 0)
		fail_msg("%s", err.msg);
	p = lc_plan_domain(&f.p, "hv-kvm");
	t_golden("render-hyperv-caps-kvm", p->xml);
	assert_int_equal(p->dropped.n, 0);
	plan_fx_release(&f);
}

static void test_plan_needs_and_require(void **state)
{
	(void)state;
	struct plan_fx f;
	struct lc_err err = LC_ERR_INIT;
	const char *lab = "name: nd\nnodes:\n  hv: {kind: hyperv}\n  k: {kind: kvm}\n";
	assert_int_equal(plan_with(&f, "no-tpm", lab, &err), 0);
	assert_int_equal(lc_plan_domain(&f.p, "hv")->missing, LC_NEED_TPM);
	assert_int_equal(lc_plan_domain(&f.p, "k")->missing, 0);
	assert_int_equal(lc_plan_check_needs(&f.p, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg,
			    "node hv (kind hyperv) needs a TPM 2.0 emulator backend "
			    "(swtpm), which this host lacks: install swtpm and swtpm-tools "
			    "(apt-get install swtpm swtpm-tools); libvirt sees them without "
			    "a restart");
	lc_err_release(&err);
	plan_fx_release(&f);
	/* firmware: bios takes the EFI needs away */
	assert_int_equal(plan_with(&f, "no-ovmf",
				   "name: nd\nnodes:\n  hv: {kind: hyperv, firmware: bios}\n",
				   &err),
			 0);
	assert_int_equal(lc_plan_domain(&f.p, "hv")->missing, 0);
	plan_fx_release(&f);
	assert_int_equal(plan_with(&f, "no-ovmf", lab, &err), 0);
	assert_int_equal(lc_plan_check_needs(&f.p, &err), -1);
	assert_non_null(strstr(err.msg, "needs EFI firmware (OVMF), which this host lacks: "
					"install ovmf"));
	lc_err_release(&err);
	plan_fx_release(&f);
	/* require: in defaults, a drop becomes exit 3 naming node and feature */
	const char *req = "name: rq\ndefaults: {require: [hyperv.vpindex]}\n"
			  "nodes:\n  hv: {kind: hyperv}\n  k: {kind: kvm}\n";
	assert_int_equal(plan_with(&f, "tcg", req, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_true(strncmp(err.msg, "node hv: hyperv.vpindex is required (require:)", 46) == 0);
	lc_err_release(&err);
	plan_fx_release(&f);
	/* without capabilities (the test driver): nothing filtered, needs taken as met */
	assert_int_equal(plan_with(&f, NULL, req, &err), 0);
	const struct lc_planned *p = lc_plan_domain(&f.p, "hv");
	assert_int_equal(p->dropped.n, 0);
	assert_int_equal(p->missing, 0);
	assert_non_null(p->no_caps);
	assert_non_null(strstr(p->xml, "<vpindex state=\"on\"/>"));
	plan_fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_filter_tcg),
	    cmocka_unit_test(test_filter_kvm_keeps_all),
	    cmocka_unit_test(test_dependents_go_together),
	    cmocka_unit_test(test_no_hyperv_list_filters_nothing),
	    cmocka_unit_test(test_cpu_features),
	    cmocka_unit_test(test_require_fails_instead),
	    cmocka_unit_test(test_needs),
	    cmocka_unit_test(test_golden_hyperv_caps),
	    cmocka_unit_test(test_plan_needs_and_require),
	};
	return cmocka_run_group_tests_name("domcaps", tests, NULL, NULL);
}
