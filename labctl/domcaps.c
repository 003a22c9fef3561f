/* Domain capabilities and the feature filter; see domcaps.h. */
#include <string.h>

#include <libxml/xpath.h>

#include "domcaps.h"
#include "templates.h"

/* Every enlightenment libvirt's <hyperv> element knows (libvirt 9.0). */
static const char *const hyperv_names[] = {
    "relaxed", "vapic", "spinlocks", "vpindex",	    "runtime",	       "synic",
    "stimer",  "reset", "vendor_id", "frequencies", "reenlightenment", "tlbflush",
    "ipi",     "evmcs", "avic",	     "emsr_bitmap", "xmm_input",
};

/*
 * What an accelerator gives although libvirt does not list it. libvirt
 * lists only the enlightenments KVM's hv-passthrough expansion reports, and
 * under TCG only spinlocks and vendor_id; QEMU 7.2 accepts these under TCG
 * (measured: vpindex is refused, and whatever needs it). KVM has given
 * these since long before any libvirt that lists features.
 */
static const char *const tcg_hyperv[] = {"relaxed", "vapic",	   "spinlocks",
					 "runtime", "frequencies", "vendor_id"};
static const char *const kvm_hyperv[] = {"relaxed", "vapic",	   "spinlocks",
					 "runtime", "frequencies", "vendor_id"};
/* TCG emulates AMD's SVM; under KVM the nested flag is host check's business */
static const char *const tcg_cpu[] = {"svm"};
static const char *const kvm_cpu[] = {"vmx", "svm"};

/* An enlightenment and the one it cannot work without (QEMU's hv-* dependencies). */
static const struct {
	const char *name, *needs;
} hyperv_deps[] = {
    {"synic", "vpindex"}, {"stimer", "synic"}, {"tlbflush", "vpindex"},
    {"ipi", "vpindex"},	  {"evmcs", "vapic"},
};

static bool in(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

bool lc_domcaps_hyperv_known(const char *name)
{
	return in(hyperv_names, LC_ARRAY_SIZE(hyperv_names), name);
}

/* ---- parsing ---- */

static xmlXPathObjectPtr eval(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	if (r && r->type != XPATH_NODESET) {
		xmlXPathFreeObject(r);
		return NULL;
	}
	return r;
}

static size_t count(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = eval(x, expr);
	size_t n = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(r);
	return n;
}

/* The text of every node expr selects, appended to out. */
static void texts(xmlXPathContextPtr x, const char *expr, struct lc_strv *out)
{
	xmlXPathObjectPtr r = eval(x, expr);
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlChar *s = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
		lc_strv_push(out, s ? (const char *)s : "");
		xmlFree(s);
	}
	xmlXPathFreeObject(r);
}

static char *text(xmlXPathContextPtr x, const char *expr)
{
	struct lc_strv v = LC_STRV_INIT;
	texts(x, expr, &v);
	char *s = v.n ? lc_strdup(v.v[0]) : NULL;
	lc_strv_release(&v);
	return s;
}

int lc_domcaps_parse(const char *what, const char *xml, size_t len, struct lc_domcaps *c,
		     struct lc_err *err)
{
	memset(c, 0, sizeof(*c));
	xmlDocPtr doc = lc_xml_parse(what, xml, len, err);
	if (!doc)
		return -1;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root || !xmlStrEqual(root->name, BAD_CAST "domainCapabilities")) {
		xmlFreeDoc(doc);
		return lc_err_set(err, LC_EXIT_RUNTIME, "%s: not a <domainCapabilities> document",
				  what);
	}
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	c->domain = text(x, "/domainCapabilities/domain");
	c->machine = text(x, "/domainCapabilities/machine");
	c->hyperv_listed = count(x, "/domainCapabilities/features/hyperv") > 0;
	texts(x,
	      "/domainCapabilities/features/hyperv[@supported='yes']/enum[@name='features']/value",
	      &c->hyperv);
	texts(x,
	      "/domainCapabilities/cpu/mode[@name='host-model'][@supported='yes']"
	      "/feature[@policy='disable']/@name",
	      &c->cpu_lacks);
	const char *tpm = "/domainCapabilities/devices/tpm[@supported='yes']";
	char *e1 = lc_asprintf("%s/enum[@name='backendModel']/value[.='emulator']", tpm);
	char *e2 = lc_asprintf("%s/enum[@name='backendVersion']", tpm);
	char *e3 = lc_asprintf("%s/enum[@name='backendVersion']/value[.='2.0']", tpm);
	/* libvirt before 8.x does not list versions: an emulator then is swtpm's 2.0 */
	c->tpm_emulator = count(x, e1) && (!count(x, e2) || count(x, e3));
	free(e1);
	free(e2);
	free(e3);
	const char *os = "/domainCapabilities/os[@supported='yes']";
	char *f1 = lc_asprintf("%s/enum[@name='firmware']", os);
	char *f2 = lc_asprintf("%s/enum[@name='firmware']/value[.='efi']", os);
	char *f3 = lc_asprintf("%s/loader[@supported='yes']/value", os);
	char *f4 =
	    lc_asprintf("%s/loader[@supported='yes']/enum[@name='secure']/value[.='yes']", os);
	/* without the firmware enum (older libvirt), a loader path says OVMF is there */
	c->efi = count(x, f1) ? count(x, f2) > 0 : count(x, f3) > 0;
	c->efi_secure = c->efi && count(x, f4) > 0;
	free(f1);
	free(f2);
	free(f3);
	free(f4);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	return 0;
}

void lc_domcaps_release(struct lc_domcaps *c)
{
	if (!c)
		return;
	free(c->domain);
	free(c->machine);
	lc_strv_release(&c->hyperv);
	lc_strv_release(&c->cpu_lacks);
	memset(c, 0, sizeof(*c));
}

/* ---- needs ---- */

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	bool eq = v && xmlStrEqual(v, BAD_CAST value);
	xmlFree(v);
	return eq;
}

unsigned lc_domcaps_needs(xmlDocPtr dom)
{
	xmlNodePtr root = xmlDocGetRootElement(dom);
	unsigned needs = 0;
	for (xmlNodePtr d = child(child(root, "devices"), "tpm"); d; d = d->next)
		if (d->type == XML_ELEMENT_NODE && xmlStrEqual(d->name, BAD_CAST "tpm") &&
		    attr_is(child(d, "backend"), "type", "emulator"))
			needs |= LC_NEED_TPM;
	xmlNodePtr os = child(root, "os");
	xmlNodePtr loader = child(os, "loader");
	if (attr_is(os, "firmware", "efi") || attr_is(loader, "type", "pflash"))
		needs |= LC_NEED_EFI;
	bool secure = attr_is(loader, "secure", "yes");
	for (xmlNodePtr f = child(child(os, "firmware"), "feature"); f; f = f->next)
		secure |= f->type == XML_ELEMENT_NODE && attr_is(f, "name", "secure-boot") &&
			  attr_is(f, "enabled", "yes");
	if ((needs & LC_NEED_EFI) && secure)
		needs |= LC_NEED_SECURE_BOOT;
	return needs;
}

unsigned lc_domcaps_missing(const struct lc_domcaps *c, unsigned needs)
{
	unsigned missing = 0;
	if ((needs & LC_NEED_TPM) && !c->tpm_emulator)
		missing |= LC_NEED_TPM;
	if ((needs & LC_NEED_EFI) && !c->efi)
		missing |= LC_NEED_EFI;
	/* no EFI at all is said once, as EFI */
	if ((needs & LC_NEED_SECURE_BOOT) && c->efi && !c->efi_secure)
		missing |= LC_NEED_SECURE_BOOT;
	return missing;
}

const char *lc_need_name(unsigned need)
{
	switch (need) {
	case LC_NEED_TPM:
		return "a TPM 2.0 emulator backend (swtpm)";
	case LC_NEED_EFI:
		return "EFI firmware (OVMF)";
	default:
		return "secure-boot EFI firmware (OVMF's secboot build)";
	}
}

const char *lc_need_fix(unsigned need)
{
	switch (need) {
	case LC_NEED_TPM:
		return "install swtpm and swtpm-tools (apt-get install swtpm swtpm-tools); libvirt "
		       "sees them without a restart";
	default:
		return "install ovmf (apt-get install ovmf); libvirt sees it without a restart";
	}
}

void lc_domcaps_key(xmlDocPtr dom, char **machine, char **arch)
{
	xmlNodePtr type = child(child(xmlDocGetRootElement(dom), "os"), "type");
	xmlChar *m = type ? xmlGetProp(type, BAD_CAST "machine") : NULL;
	xmlChar *a = type ? xmlGetProp(type, BAD_CAST "arch") : NULL;
	*machine = m ? lc_strdup((const char *)m) : NULL;
	*arch = lc_strdup(a ? (const char *)a : "x86_64");
	xmlFree(m);
	xmlFree(a);
}

/* ---- the filter ---- */

/* What is to go: nodes[i] is the element named names.v[i]. */
struct drops {
	xmlNodePtr *nodes;
	size_t cap;
	struct lc_strv names;
};

static void drop(struct drops *d, xmlNodePtr node, const char *prefix, const char *name)
{
	LC_GROW(d->nodes, d->cap, d->names.n + 1);
	d->nodes[d->names.n] = node;
	lc_strv_pushf(&d->names, "%s.%s", prefix, name);
}

static bool dropping(const struct drops *d, xmlNodePtr node)
{
	for (size_t i = 0; i < d->names.n; i++)
		if (d->nodes[i] == node)
			return true;
	return false;
}

/* An enlightenment that is asked for: state='on' (libvirt's default when absent). */
static bool hv_on(xmlNodePtr e)
{
	return e->type == XML_ELEMENT_NODE && !attr_is(e, "state", "off");
}

static void filter_hyperv(xmlNodePtr hv, const struct lc_domcaps *c, bool kvm, struct drops *d)
{
	const char *const *table = kvm ? kvm_hyperv : tcg_hyperv;
	size_t nt = kvm ? LC_ARRAY_SIZE(kvm_hyperv) : LC_ARRAY_SIZE(tcg_hyperv);
	for (xmlNodePtr e = hv->children; e; e = e->next) {
		if (!hv_on(e))
			continue;
		const char *name = (const char *)e->name;
		if (!lc_strv_has(&c->hyperv, name) && !in(table, nt, name))
			drop(d, e, "hyperv", name);
	}
	/* what depends on a dropped (or absent) enlightenment goes with it */
	for (bool more = true; more;) {
		more = false;
		for (xmlNodePtr e = hv->children; e; e = e->next) {
			if (!hv_on(e) || dropping(d, e))
				continue;
			for (size_t k = 0; k < LC_ARRAY_SIZE(hyperv_deps); k++) {
				if (strcmp(hyperv_deps[k].name, (const char *)e->name) != 0)
					continue;
				xmlNodePtr dep = child(hv, hyperv_deps[k].needs);
				if (!dep || !hv_on(dep) || dropping(d, dep)) {
					drop(d, e, "hyperv", (const char *)e->name);
					more = true;
				}
			}
		}
	}
}

/*
 * A CPU feature is dropped only when libvirt's host-model says the host
 * lacks it: host-model lists just the differences from the model it names,
 * so a feature it does not list may well be there.
 */
static void filter_cpu(xmlNodePtr cpu, const struct lc_domcaps *c, bool kvm, struct drops *d)
{
	const char *const *table = kvm ? kvm_cpu : tcg_cpu;
	size_t nt = kvm ? LC_ARRAY_SIZE(kvm_cpu) : LC_ARRAY_SIZE(tcg_cpu);
	for (xmlNodePtr f = cpu->children; f; f = f->next) {
		if (f->type != XML_ELEMENT_NODE || !xmlStrEqual(f->name, BAD_CAST "feature") ||
		    !(attr_is(f, "policy", "require") || attr_is(f, "policy", "force")))
			continue;
		xmlChar *name = xmlGetProp(f, BAD_CAST "name");
		if (name && lc_strv_has(&c->cpu_lacks, (const char *)name) &&
		    !in(table, nt, (const char *)name))
			drop(d, f, "cpu", (const char *)name);
		xmlFree(name);
	}
}

int lc_domcaps_filter(xmlDocPtr dom, const struct lc_domcaps *c, bool kvm,
		      const char *const *require, size_t n_require, struct lc_strv *dropped,
		      struct lc_err *err)
{
	if (!c)
		return 0;
	xmlNodePtr root = xmlDocGetRootElement(dom);
	struct drops d = {0};
	xmlNodePtr hv = child(child(root, "features"), "hyperv");
	if (hv && c->hyperv_listed && !attr_is(hv, "mode", "passthrough"))
		filter_hyperv(hv, c, kvm, &d);
	xmlNodePtr cpu = child(root, "cpu");
	if (cpu)
		filter_cpu(cpu, c, kvm, &d);
	int rc = 0;
	for (size_t i = 0; i < d.names.n && rc == 0; i++)
		if (in(require, n_require, d.names.v[i]))
			rc = lc_err_set(err, LC_EXIT_RESOURCE,
					"%s is required (require:) but this host does not offer it "
					"under %s (libvirt's domain capabilities for %s%s%s)",
					d.names.v[i], kvm ? "kvm" : "tcg",
					c->domain ? c->domain : "?", c->machine ? ", machine " : "",
					c->machine ? c->machine : "");
	for (size_t i = 0; rc == 0 && i < d.names.n; i++) {
		xmlUnlinkNode(d.nodes[i]);
		xmlFreeNode(d.nodes[i]);
		lc_strv_push(dropped, d.names.v[i]);
	}
	lc_strv_release(&d.names);
	free(d.nodes);
	return rc;
}
