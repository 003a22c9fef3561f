/*
 * Rendering: golden XML per kind (and per accelerator), networks, volumes,
 * tweaks, and values that try to break out of their element.
 */
#include <unistd.h>

#include "testutil.h"
#include "host-vfs.h"
#include "load.h"
#include "plan.h"
#include "render.h"
#include "sha256.h"
#include "topology.h"
#include "tweak.h"

struct fx {
	struct lc_loaded l;
	struct lc_opts o;
	char *templates, *catalog, *sysfs;
};

static const struct lc_host_facts intel_kvm = {.vendor = LC_VENDOR_INTEL, .kvm = true};
static const struct lc_host_facts amd_kvm = {.vendor = LC_VENDOR_AMD, .kvm = true};
static const struct lc_host_facts tcg = {.vendor = LC_VENDOR_INTEL, .kvm = false};
/* a fixed clock: goldens must not change from run to run */
static const time_t T0 = 1795000000;

static struct fx *load_fx(const char *rel)
{
	struct fx *f = lc_calloc(1, sizeof(*f));
	f->templates = t_path("templates");
	f->catalog = t_path("tests/fixtures/catalog.yaml");
	f->o.templates = f->templates;
	f->o.catalog = f->catalog;
	f->o.state_dir = "/var/lib/labctl";
	f->o.cache_dir = "/var/cache/labctl/images";
	f->sysfs = t_path("tests/out/sysfs/kinds");
	f->o.sysfs = f->sysfs;
	char *path = t_path(rel);
	struct lc_err err = LC_ERR_INIT;
	if (lc_load(&f->o, path, &f->l, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
	return f;
}

static void free_fx(struct fx *f)
{
	lc_loaded_release(&f->l);
	free(f->templates);
	free(f->catalog);
	free(f->sysfs);
	free(f);
}

/* A fixture of a topology written to tests/out/NAME.yaml, loaded with the repo's templates and
 * catalog. */
static struct fx *fx_of_yaml(const char *name, const char *yaml)
{
	char *dir = t_path("tests/out");
	struct lc_err err = LC_ERR_INIT;
	lc_mkdir_p(dir, &err);
	char *file = lc_asprintf("%s/%s.yaml", dir, name);
	assert_int_equal(lc_write_file(file, yaml, strlen(yaml), &err), 0);
	struct fx *f = lc_calloc(1, sizeof(*f));
	f->templates = t_path("templates");
	f->catalog = t_path("images/catalog.yaml");
	f->o.templates = f->templates;
	f->o.catalog = f->catalog;
	f->o.state_dir = "/s";
	f->o.cache_dir = "/c";
	if (lc_load(&f->o, file, &f->l, &err) < 0)
		fail_msg("%s", err.msg);
	free(file);
	free(dir);
	return f;
}

static const struct lc_planned *find(const struct lc_plan *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	fail_msg("nothing named %s in the plan", name);
	return NULL;
}

static void plan_at(struct fx *f, const struct lc_host_facts *facts, time_t now, struct lc_plan *p)
{
	struct lc_err err = LC_ERR_INIT;
	struct lc_vf_plan devs;
	if (lc_host_plan(&f->o, NULL, f->l.topo, false, &devs, &err) < 0)
		fail_msg("%s", err.msg);
	if (lc_plan_build(&f->o, &f->l, facts, &devs, now, p, &err) < 0)
		fail_msg("%s", err.msg);
	lc_vf_plan_release(&devs);
}

static void plan(struct fx *f, const struct lc_host_facts *facts, struct lc_plan *p)
{
	plan_at(f, facts, T0, p);
}

#define RENDER_TEST(kind)                                                                          \
	static void test_golden_##kind(void **state)                                               \
	{                                                                                          \
		(void)state;                                                                       \
		struct fx *f = load_fx("tests/fixtures/kinds.yaml");                               \
		struct lc_plan p;                                                                  \
		plan(f, &intel_kvm, &p);                                                           \
		t_golden("render-" #kind, find(&p, "golden-" #kind)->xml);                         \
		lc_plan_release(&p);                                                               \
		free_fx(f);                                                                        \
	}
RENDER_TEST(kvm)
RENDER_TEST(xen)
RENDER_TEST(hyperv)
RENDER_TEST(esxi)
RENDER_TEST(xenserver)
RENDER_TEST(generic)

static void test_golden_networks_volumes(void **state)
{
	(void)state;
	struct fx *f = load_fx("tests/fixtures/kinds.yaml");
	struct lc_plan p;
	plan(f, &intel_kvm, &p);
	t_golden("network-nat", find(&p, "golden-mgmt")->xml);
	t_golden("network-isolated", find(&p, "golden-store")->xml);
	t_golden("network-bridge", find(&p, "golden-lan")->xml);
	t_golden("volume-overlay", find(&p, "golden-xen.qcow2")->xml);
	t_golden("volume-kernel-image", find(&p, "golden-kvm.qcow2")->xml);
	t_golden("volume-blank", find(&p, "golden-kvm-disk1.qcow2")->xml);
	lc_plan_release(&p);
	free_fx(f);
}

static void test_golden_tcg(void **state)
{
	(void)state;
	/* where KVM is unusable: domain type qemu and a TCG model with svm and npt required */
	struct fx *f = load_fx("tests/fixtures/kinds.yaml");
	struct lc_plan p;
	plan(f, &tcg, &p);
	t_golden("render-kvm-tcg", find(&p, "golden-kvm")->xml);
	t_golden("render-hyperv-tcg", find(&p, "golden-hyperv")->xml);
	t_golden("render-xen-tcg", find(&p, "golden-xen")->xml);
	t_golden("render-generic-tcg", find(&p, "golden-generic")->xml);
	lc_plan_release(&p);
	free_fx(f);
}

static int xpath_count(const char *xml, const char *expr);

/* An image whose catalog says boot: disk renders no direct kernel boot, even of format kernel. */
static void test_disk_boot(void **state)
{
	(void)state;
	struct fx *f = load_fx("tests/fixtures/disk-boot.yaml");
	struct lc_plan p;
	plan(f, &tcg, &p);
	const char *xen = find(&p, "golden-xen")->xml, *kvm = find(&p, "golden-kvm")->xml;
	t_golden("render-xen-disk-boot-tcg", xen);
	assert_int_equal(
	    xpath_count(xen, "/domain/os/kernel | /domain/os/initrd | /domain/os/cmdline"), 0);
	assert_int_equal(xpath_count(xen, "/domain/os/boot[@dev='hd']"), 1);
	assert_int_equal(xpath_count(xen, "/domain/cpu/feature[@name='npt'][@policy='require']"),
			 1);
	/* the same catalog's kernel image still boots its kernel */
	assert_int_equal(xpath_count(kvm, "/domain/os/kernel"), 1);
	assert_int_equal(xpath_count(kvm, "/domain/os/boot"), 0);
	lc_plan_release(&p);
	free_fx(f);
}

/* The text of the first node an XPath selects, or NULL. */
static char *xpath_text(const char *xml, const char *expr)
{
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse("t", xml, strlen(xml), &err);
	assert_non_null(doc);
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST LC_XMLNS_PREFIX, BAD_CAST LC_XMLNS);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	char *s = NULL;
	if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
		xmlChar *c = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
		s = lc_strdup((const char *)c);
		xmlFree(c);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	return s;
}

static int xpath_count(const char *xml, const char *expr)
{
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse("t", xml, strlen(xml), &err);
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	int n = r && r->nodesetval ? r->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	return n;
}

static void test_nested_flag_per_vendor(void **state)
{
	(void)state;
	struct fx *f = load_fx("tests/fixtures/kinds.yaml");
	struct lc_plan p;
	plan(f, &amd_kvm, &p);
	const char *xml = find(&p, "golden-kvm")->xml;
	char *flag = xpath_text(xml, "/domain/cpu/feature[@policy='require']/@name");
	assert_string_equal(flag, "svm");
	free(flag);
	/* under KVM the host's CPU decides on nested paging: labctl adds no npt */
	assert_int_equal(xpath_count(xml, "/domain/cpu/feature[@name='npt']"), 0);
	/* evmcs is Intel-only */
	assert_int_equal(xpath_count(find(&p, "golden-hyperv")->xml, "//hyperv/evmcs"), 0);
	assert_int_equal(
	    xpath_count(find(&p, "golden-generic")->xml, "/domain/cpu/feature[@policy='disable']"),
	    1);
	lc_plan_release(&p);
	plan(f, &intel_kvm, &p);
	flag =
	    xpath_text(find(&p, "golden-kvm")->xml, "/domain/cpu/feature[@policy='require']/@name");
	assert_string_equal(flag, "vmx");
	free(flag);
	assert_int_equal(xpath_count(find(&p, "golden-hyperv")->xml, "//hyperv/evmcs"), 1);
	lc_plan_release(&p);
	free_fx(f);
}

static void test_escaping(void **state)
{
	(void)state;
	/* every free-text value tries to close its element and open another */
	const char *evil = "</cmdline><evil/>\"'&amp;&";
	char *yaml = lc_asprintf("name: esc\n"
				 "nodes:\n"
				 "  n:\n"
				 "    kind: generic\n"
				 "    cdrom: \"/iso/</source><evil/>&.iso\"\n"
				 "    boot: {kernel: \"/k'\\\"&<evil/>\", cmdline: \"%s\"}\n"
				 "    xml:\n"
				 "      - {set: /domain/description, value: \"%s\"}\n",
				 "</cmdline><evil/>\\\"'&amp;&", "</description><evil/>&");
	struct fx *f = fx_of_yaml("escape", yaml);
	struct lc_plan p;
	plan(f, &tcg, &p);
	const char *xml = find(&p, "esc-n")->xml;
	assert_int_equal(xpath_count(xml, "//evil"), 0);
	/* structure unchanged: one cmdline, one kernel, one description */
	assert_int_equal(xpath_count(xml, "/domain/os/cmdline"), 1);
	assert_int_equal(xpath_count(xml, "/domain/os/kernel"), 1);
	assert_int_equal(xpath_count(xml, "/domain/description"), 1);
	char *s = xpath_text(xml, "/domain/os/cmdline");
	char *want = lc_asprintf("%s labctl.node=n", evil);
	assert_string_equal(s, want);
	free(want);
	free(s);
	s = xpath_text(xml, "/domain/os/kernel");
	assert_string_equal(s, "/k'\"&<evil/>");
	free(s);
	s = xpath_text(xml, "/domain/devices/disk[@device='cdrom']/source/@file");
	assert_string_equal(s, "/iso/</source><evil/>&.iso");
	free(s);
	s = xpath_text(xml, "/domain/description");
	assert_string_equal(s, "</description><evil/>&");
	free(s);
	lc_plan_release(&p);
	free_fx(f);
	free(yaml);
}

/*
 * The guest agent's channel: for a node whose image's catalog entry says
 * guest_agent (debian in images/catalog.yaml), not for others (tiny), whose
 * rendering stays as it was.
 */
static void test_guest_agent_channel(void **state)
{
	(void)state;
	const char *yaml = "name: ga\n"
			   "nodes:\n"
			   "  deb: {kind: generic, image: debian}\n"
			   "  tin: {kind: generic, image: tiny}\n";
	struct fx *f = fx_of_yaml("agent", yaml);
	struct lc_plan p;
	plan(f, &tcg, &p);
	const char *agent = "/domain/devices/channel[@type='unix']"
			    "/target[@type='virtio'][@name='org.qemu.guest_agent.0']";
	assert_int_equal(xpath_count(find(&p, "ga-deb")->xml, agent), 1);
	assert_int_equal(xpath_count(find(&p, "ga-tin")->xml, "/domain/devices/channel"), 0);
	lc_plan_release(&p);
	free_fx(f);
}

static xmlDocPtr small_doc(void)
{
	static const char xml[] = "<domain><cpu mode='host-passthrough'/><devices><video/>"
				  "<video/></devices></domain>";
	struct lc_err err = LC_ERR_INIT;
	return lc_xml_parse("small", xml, sizeof(xml) - 1, &err);
}

static void test_tweaks(void **state)
{
	(void)state;
	xmlDocPtr doc = small_doc();
	struct lc_err err = LC_ERR_INIT;
	struct lc_tweak set = {.op = LC_TWEAK_SET,
			       .xpath = {(char *)"/domain/cpu/@mode", {0}},
			       .value = {(char *)"host-model", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &set, &err), 0);
	/* a missing attribute is created on the parent */
	struct lc_tweak set2 = {.op = LC_TWEAK_SET,
				.xpath = {(char *)"/domain/cpu/@check", {0}},
				.value = {(char *)"none", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &set2, &err), 0);
	struct lc_tweak rm = {.op = LC_TWEAK_REMOVE,
			      .xpath = {(char *)"/domain/devices/video", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &rm, &err), 0);
	struct lc_tweak app = {
	    .op = LC_TWEAK_APPEND,
	    .xpath = {(char *)"/domain/devices", {0}},
	    .value = {(char *)"<watchdog model='i6300esb'/><rng model='virtio'/>", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &app, &err), 0);
	char *out = lc_xml_format(doc);
	char *c = t_canon(out);
	assert_string_equal(c,
			    "<domain><cpu check=\"none\" mode=\"host-model\"></cpu><devices>"
			    "<watchdog model=\"i6300esb\"></watchdog><rng model=\"virtio\"></rng>"
			    "</devices></domain>");
	free(c);
	free(out);
	/* appending to nothing is an error that names the XPath */
	struct lc_tweak app2 = {.op = LC_TWEAK_APPEND,
				.xpath = {(char *)"/domain/nothing", {0}},
				.value = {(char *)"<x/>", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &app2, &err), -1);
	assert_string_equal(err.msg,
			    "xml append: \"/domain/nothing\" matches no element in the domain");
	lc_err_release(&err);
	struct lc_tweak set3 = {.op = LC_TWEAK_SET,
				.xpath = {(char *)"//nothing[1]", {0}},
				.value = {(char *)"x", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &set3, &err), -1);
	assert_string_equal(err.msg, "xml set: \"//nothing[1]\" matches nothing in the domain");
	lc_err_release(&err);
	xmlFreeDoc(doc);
}

/* issue 15 #10: an appended fragment must be elements; text alone is refused. */
static void test_tweak_fragment_elements(void **state)
{
	(void)state;
	static const char *const bad[] = {"hello", "<a/>tail", "  text  ", "<!-- c -->"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		xmlDocPtr doc = small_doc();
		struct lc_err err = LC_ERR_INIT;
		struct lc_tweak ap = {.op = LC_TWEAK_APPEND,
				      .xpath = {(char *)"/domain/devices", {0}},
				      .value = {(char *)bad[i], {0}}};
		assert_int_equal(lc_tweak_apply(doc, &ap, &err), -1);
		assert_non_null(strstr(err.msg, "xml append: bad fragment: the fragment "));
		assert_non_null(strstr(err.msg, "it must be one or more elements"));
		lc_err_release(&err);
		assert_int_equal(lc_tweak_check(&ap, &err), -1);
		assert_non_null(strstr(err.msg, "it must be one or more elements"));
		lc_err_release(&err);
		xmlFreeDoc(doc);
	}
	xmlDocPtr doc = small_doc();
	struct lc_err err = LC_ERR_INIT;
	struct lc_tweak ok = {.op = LC_TWEAK_APPEND,
			      .xpath = {(char *)"/domain/devices", {0}},
			      .value = {(char *)" <a/> <!-- c --> <b/> ", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &ok, &err), 0);
	assert_int_equal(lc_tweak_check(&ok, &err), 0);
	xmlFreeDoc(doc);
}

/* Found by fuzz-tweak: a set matching an element and its descendants freed them first. */
static void test_tweak_set_nested_matches(void **state)
{
	(void)state;
	xmlDocPtr doc = small_doc();
	struct lc_err err = LC_ERR_INIT;
	/*
	 * (the root itself is labctl's now: the nesting is one level down) Since
	 * issue 15 a set may not replace an element's element children, so the
	 * nested match is refused before anything changes...
	 */
	struct lc_tweak set = {.op = LC_TWEAK_SET,
			       .xpath = {(char *)"/domain/devices/descendant-or-self::*", {0}},
			       .value = {(char *)"x", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &set, &err), -1);
	assert_string_equal(err.msg, "xml set: \"/domain/devices/descendant-or-self::*\" reaches "
				     "<devices>, which holds elements: set would replace them with "
				     "text (set an attribute or an element without children, or "
				     "remove and append)");
	lc_err_release(&err);
	char *out = lc_xml_format(doc);
	char *c = t_canon(out);
	assert_string_equal(c, "<domain><cpu mode=\"host-passthrough\"></cpu><devices><video>"
			       "</video><video></video></devices></domain>");
	free(c);
	free(out);
	/* ...and a match of a leaf element with its own text still sets each once */
	struct lc_tweak leaf = {
	    .op = LC_TWEAK_SET,
	    .xpath = {(char *)"/domain/devices/video[1]/descendant-or-self::node()", {0}},
	    .value = {(char *)"x", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &leaf, &err), 0);
	assert_int_equal(lc_tweak_apply(doc, &leaf, &err), 0);
	out = lc_xml_format(doc);
	c = t_canon(out);
	assert_string_equal(c, "<domain><cpu mode=\"host-passthrough\"></cpu><devices><video>x"
			       "</video><video></video></devices></domain>");
	free(c);
	free(out);
	xmlFreeDoc(doc);
	/*
	 * Found under valgrind: libxml2 reads a result's nodes when it frees it,
	 * and owns the namespace nodes in it; removing attributes and elements
	 * together, or setting namespace nodes, read freed memory.
	 */
	doc = small_doc();
	struct lc_tweak rm_attrs = {.op = LC_TWEAK_REMOVE,
				    .xpath = {(char *)"/domain//@* | /domain//*", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &rm_attrs, &err), 0);
	out = lc_xml_format(doc);
	c = t_canon(out);
	assert_string_equal(c, "<domain></domain>");
	free(c);
	free(out);
	struct lc_tweak set_ns = {.op = LC_TWEAK_SET,
				  .xpath = {(char *)"//namespace::*", {0}},
				  .value = {(char *)"v", {0}}};
	assert_int_equal(lc_tweak_apply(doc, &set_ns, &err), -1);
	assert_string_equal(err.msg, "xml set: \"//namespace::*\" matches nothing in the domain");
	lc_err_release(&err);
	xmlFreeDoc(doc);
}

static void test_metadata_and_names(void **state)
{
	(void)state;
	struct fx *f = load_fx("tests/fixtures/kinds.yaml");
	struct lc_plan p;
	plan(f, &intel_kvm, &p);
	for (size_t i = 0; i < p.n; i++) {
		if (p.v[i].type != LC_OBJ_DOMAIN)
			continue;
		char *lab = xpath_text(p.v[i].xml, "/domain/metadata/labctl:node/@lab");
		char *node = xpath_text(p.v[i].xml, "/domain/metadata/labctl:node/@node");
		char *sha = xpath_text(p.v[i].xml, "/domain/metadata/labctl:node/@topology-sha256");
		char *exp = xpath_text(p.v[i].xml, "/domain/metadata/labctl:node/@expires");
		assert_string_equal(lab, "golden");
		assert_string_equal(node, p.v[i].node->name);
		assert_string_equal(sha, f->l.topo->sha256);
		assert_string_equal(exp, "2026-11-18T19:06:40Z"); /* T0 + 8h */
		free(lab);
		free(node);
		free(sha);
		free(exp);
	}
	lc_plan_release(&p);
	free_fx(f);
}

/* The domain's XML without labctl's metadata element, hashed. */
static void sha_without_metadata(const char *xml, char hex[65])
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NOBLANKS);
	assert_non_null(doc);
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "labctl", BAD_CAST "https://labctl.dev/xmlns/labctl/1");
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST "/domain/metadata/labctl:node", x);
	assert_int_equal(r->nodesetval->nodeNr, 1);
	xmlNodePtr e = r->nodesetval->nodeTab[0];
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	xmlUnlinkNode(e);
	xmlFreeNode(e);
	char *text = lc_xml_format(doc);
	lc_sha256_buf_hex(text, strlen(text), hex);
	free(text);
	xmlFreeDoc(doc);
}

/* rendered-sha256: the XML less labctl's element; the same an hour later; one per node. */
static void test_rendered_sha256(void **state)
{
	(void)state;
	struct fx *f = load_fx("tests/fixtures/kinds.yaml");
	struct lc_plan p, later;
	plan(f, &intel_kvm, &p);
	plan_at(f, &intel_kvm, T0 + 3600, &later);
	assert_int_equal(p.n, later.n);
	size_t domains = 0;
	for (size_t i = 0; i < p.n; i++) {
		if (p.v[i].type != LC_OBJ_DOMAIN)
			continue;
		domains++;
		char want[65];
		sha_without_metadata(p.v[i].xml, want);
		char *stamped =
		    xpath_text(p.v[i].xml, "/domain/metadata/labctl:node/@rendered-sha256");
		assert_string_equal(stamped, want);
		assert_string_equal(p.v[i].rendered_sha256, want);
		assert_string_not_equal(p.v[i].xml, later.v[i].xml); /* created differs */
		assert_string_equal(later.v[i].rendered_sha256, want);
		for (size_t k = 0; k < i; k++)
			if (p.v[k].type == LC_OBJ_DOMAIN)
				assert_string_not_equal(p.v[k].rendered_sha256, want);
		free(stamped);
	}
	assert_true(domains >= 6);
	lc_plan_release(&p);
	lc_plan_release(&later);
	free_fx(f);
}

/* Render one node of an inline topology on the kvm template; its error, or "". */
static char *render_inline(const char *yaml)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	assert_non_null(t);
	assert_int_equal(d.n, 0);
	lc_diags_release(&d);
	char *path = t_path("templates/kvm.xml");
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr tmpl = lc_template_load(path, &err);
	assert_non_null(tmpl);
	struct lc_render_ctx rc = {t,  &tcg, NULL, "/var/lib/labctl", "/var/cache/labctl",
				   T0, NULL, NULL};
	xmlDocPtr doc = lc_render_domain(&rc, &t->nodes[0], tmpl, NULL, 0, &err);
	char *out = lc_strdup(doc ? "" : err.msg);
	if (!doc)
		assert_int_equal(err.code, LC_EXIT_USAGE);
	xmlFreeDoc(doc);
	xmlFreeDoc(tmpl);
	lc_err_release(&err);
	free(path);
	lc_topology_free(t);
	return out;
}

/*
 * Found by an audit: tweaks could remove the ownership metadata (down then
 * never finds the domain), rename the domain or hand it to another lab.
 */
static void test_tweaks_keep_ownership(void **state)
{
	(void)state;
	static const struct {
		const char *tweak, *want;
	} cases[] = {
	    {"{remove: /domain/metadata}", "xml remove: \"/domain/metadata\" reaches <metadata>"},
	    {"{set: /domain/name, value: victim}", "xml set: \"/domain/name\" reaches <name>"},
	    {"{set: \"/domain/metadata/labctl:node/@lab\", value: other}",
	     "xml set: \"/domain/metadata/labctl:node/@lab\" reaches <metadata>"},
	    {"{remove: /domain}", "xml remove: \"/domain\" reaches <domain>"},
	    {"{set: /domain, value: x}", "xml set: \"/domain\" reaches <domain>"},
	    {"{set: /domain/uuid, value: 1b4e28ba-2fa1-11d2-883f-0016d3cca427}",
	     "xml set: \"/domain/uuid\" reaches <uuid>"},
	    {"{remove: \"//*[local-name()='node']\"}",
	     "xml remove: \"//*[local-name()='node']\" reaches <metadata>"},
	    {"{append: /domain/metadata, fragment: \"<x/>\"}",
	     "xml append: \"/domain/metadata\" reaches <metadata>"},
	    {"{append: /domain, fragment: \"<name>victim</name>\"}",
	     "xml append: the fragment adds <name>"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *yaml =
		    lc_asprintf("name: lab\nnodes:\n  a:\n    xml:\n      - %s\n", cases[i].tweak);
		char *got = render_inline(yaml);
		char *want = lc_asprintf("t.yaml:5:9: node \"a\": %s", cases[i].want);
		if (strncmp(got, want, strlen(want)) != 0)
			fail_msg("%s:\n  got:  %s\n  want: %s...", cases[i].tweak, got, want);
		free(want);
		free(got);
		free(yaml);
	}
	/* what stays allowed: the root's attributes, the devices */
	char *got = render_inline("name: lab\nnodes:\n  a:\n    xml:\n"
				  "      - {set: /domain/@type, value: kvm}\n"
				  "      - {remove: /domain/uuid}\n"
				  "      - {append: /domain/devices, fragment: \"<watchdog "
				  "model='i6300esb'/>\"}\n");
	assert_string_equal(got, "");
	free(got);
}

/*
 * Fuzzing found libxml2 printing XPath errors to stderr (b9864af): every
 * error must come through lc_err, and nothing be printed.
 */
static void test_tweak_errors_not_printed(void **state)
{
	(void)state;
	static const char *const bad[] = {"nosuchfn(/domain)", "/domain/foo:bar", "$v", "/domain/[",
					  "count(/domain)"};
	char path[] = "/tmp/lc-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	int failures = 0;
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		struct lc_tweak tw = {.op = LC_TWEAK_REMOVE, .xpath = {(char *)bad[i], {0}}};
		struct lc_err err = LC_ERR_INIT;
		failures += lc_tweak_check(&tw, &err) < 0 && err.msg;
		lc_err_release(&err);
		xmlDocPtr doc = small_doc();
		failures += lc_tweak_apply(doc, &tw, &err) < 0 && err.msg;
		lc_err_release(&err);
		xmlFreeDoc(doc);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	off_t printed = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	assert_int_equal(failures, 2 * (int)LC_ARRAY_SIZE(bad));
	assert_int_equal(printed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rendered_sha256),
	    cmocka_unit_test(test_golden_kvm),
	    cmocka_unit_test(test_golden_xen),
	    cmocka_unit_test(test_golden_hyperv),
	    cmocka_unit_test(test_golden_esxi),
	    cmocka_unit_test(test_golden_xenserver),
	    cmocka_unit_test(test_golden_generic),
	    cmocka_unit_test(test_golden_networks_volumes),
	    cmocka_unit_test(test_golden_tcg),
	    cmocka_unit_test(test_disk_boot),
	    cmocka_unit_test(test_guest_agent_channel),
	    cmocka_unit_test(test_nested_flag_per_vendor),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_tweaks),
	    cmocka_unit_test(test_tweak_set_nested_matches),
	    cmocka_unit_test(test_tweak_fragment_elements),
	    cmocka_unit_test(test_metadata_and_names),
	    cmocka_unit_test(test_tweaks_keep_ownership),
	    cmocka_unit_test(test_tweak_errors_not_printed),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
