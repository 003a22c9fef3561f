/* The one file that talks to libvirt; see virt.h. */
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xpath.h>

#include <libxml/xpathInternals.h>
#include <stdio.h>

#include "templates.h"
#include "tweak.h"
#include "virt.h"

struct lc_virt {
	virConnectPtr conn;
	char *uri;
};

/* libvirt prints every error by default; labctl reports them once, itself. */
static void silent(void *ud, virErrorPtr e)
{
	(void)ud;
	(void)e;
}

static const char *last_error(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown libvirt error";
}

struct lc_virt *lc_virt_open(const char *uri, struct lc_err *err)
{
	virSetErrorFunc(NULL, silent);
	virConnectPtr c = virConnectOpen(uri);
	if (!c) {
		lc_err_set(err, LC_EXIT_RUNTIME, "cannot connect to libvirt at '%s': %s",
			   uri ? uri : "(default)", last_error());
		return NULL;
	}
	struct lc_virt *v = lc_calloc(1, sizeof(*v));
	v->conn = c;
	char *u = virConnectGetURI(c);
	v->uri = lc_strdup(u ? u : uri);
	free(u);
	return v;
}

void lc_virt_close(struct lc_virt *v)
{
	if (!v)
		return;
	virConnectClose(v->conn);
	free(v->uri);
	free(v);
}

const char *lc_virt_uri(const struct lc_virt *v)
{
	return v->uri;
}

static char *xpath_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	char *s = NULL;
	if (r && r->type == XPATH_STRING && r->stringval && r->stringval[0])
		s = lc_strdup((const char *)r->stringval);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	return s;
}

int lc_virt_host_facts(struct lc_virt *v, struct lc_host_facts *f, struct lc_err *err)
{
	f->vendor = LC_VENDOR_UNKNOWN;
	f->kvm = false;
	char *caps = virConnectGetCapabilities(v->conn);
	if (!caps)
		return lc_err_set(err, LC_EXIT_RUNTIME,
				  "cannot read the host capabilities of '%s': %s", v->uri,
				  last_error());
	xmlDocPtr doc = lc_xml_parse("capabilities", caps, strlen(caps), err);
	free(caps);
	if (!doc)
		return -1;
	char *vendor = xpath_string(doc, "string(/capabilities/host/cpu/vendor)");
	if (vendor && strcmp(vendor, "Intel") == 0)
		f->vendor = LC_VENDOR_INTEL;
	else if (vendor && strcmp(vendor, "AMD") == 0)
		f->vendor = LC_VENDOR_AMD;
	free(vendor);
	xmlFreeDoc(doc);
	/* a driver without domain capabilities (the test driver) offers no KVM */
	char *dc = virConnectGetDomainCapabilities(v->conn, NULL, "x86_64", NULL, "kvm", 0);
	if (dc) {
		f->kvm = true;
		free(dc);
	}
	virResetLastError();
	return 0;
}

int lc_virt_define_domain(struct lc_virt *v, const char *xml, struct lc_err *err)
{
	virDomainPtr d = virDomainDefineXML(v->conn, xml);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot define domain: %s", last_error());
	virDomainFree(d);
	return 0;
}

int lc_virt_define_network(struct lc_virt *v, const char *xml, struct lc_err *err)
{
	virNetworkPtr n = virNetworkDefineXML(v->conn, xml);
	if (!n)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot define network: %s", last_error());
	virNetworkFree(n);
	return 0;
}

static xmlXPathContextPtr xpath_ctx(xmlDocPtr doc)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST LC_XMLNS_PREFIX, BAD_CAST LC_XMLNS);
	return x;
}

static char *xp_str(xmlXPathContextPtr x, const char *expr)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	char *s = NULL;
	if (r && r->type == XPATH_STRING && r->stringval && r->stringval[0])
		s = lc_strdup((const char *)r->stringval);
	xmlXPathFreeObject(r);
	return s;
}

static unsigned attr_hex(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	unsigned x = v ? (unsigned)strtoul((const char *)v, NULL, 0) : 0;
	xmlFree(v);
	return x;
}

int lc_virt_fn_users(struct lc_virt *v, struct lc_virt_user **out, size_t *n, struct lc_err *err)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(v->conn, &doms, 0);
	*out = NULL;
	*n = 0;
	if (nd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot list domains on '%s': %s", v->uri,
				  last_error());
	size_t cap = 0;
	for (int i = 0; i < nd; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
		const char *name = virDomainGetName(doms[i]);
		struct lc_err perr = LC_ERR_INIT;
		xmlDocPtr doc = xml ? lc_xml_parse(name, xml, strlen(xml), &perr) : NULL;
		lc_err_release(&perr);
		free(xml);
		if (!doc)
			continue; /* a domain gone meanwhile */
		xmlXPathContextPtr x = xpath_ctx(doc);
		char *lab = xp_str(x, "string(/domain/metadata/labctl:node/@lab)");
		xmlXPathObjectPtr r = xmlXPathEvalExpression(
		    BAD_CAST
		    "/domain/devices/hostdev[@type='pci']/source/address | "
		    "/domain/devices/interface[@type='hostdev']/source/address[@type='pci']",
		    x);
		for (int k = 0; r && r->nodesetval && k < r->nodesetval->nodeNr; k++) {
			xmlNodePtr a = r->nodesetval->nodeTab[k];
			LC_GROW(*out, cap, *n + 1);
			struct lc_virt_user *u = &(*out)[(*n)++];
			snprintf(u->addr, sizeof(u->addr), "%04x:%02x:%02x.%x",
				 attr_hex(a, "domain"), attr_hex(a, "bus"), attr_hex(a, "slot"),
				 attr_hex(a, "function"));
			u->domain = lc_strdup(name);
			u->lab = lc_strdup(lab);
		}
		xmlXPathFreeObject(r);
		free(lab);
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
	for (int i = 0; i < nd; i++)
		virDomainFree(doms[i]);
	free(doms);
	return 0;
}

void lc_virt_users_free(struct lc_virt_user *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(u[i].domain);
		free(u[i].lab);
	}
	free(u);
}

static int cmp_obj(const void *a, const void *b)
{
	return strcmp(((const struct lc_virt_obj *)a)->name, ((const struct lc_virt_obj *)b)->name);
}

/* Read labctl's metadata out of an object's XML; false when it has none (or not lab's). */
static bool owned_by(const char *what, const char *xml, const char *lab_xpath,
		     const char *node_xpath, const char *lab, struct lc_virt_obj *o)
{
	struct lc_err perr = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse(what, xml, strlen(xml), &perr);
	lc_err_release(&perr);
	if (!doc)
		return false;
	xmlXPathContextPtr x = xpath_ctx(doc);
	o->lab = xp_str(x, lab_xpath);
	o->node = xp_str(x, node_xpath);
	/* expires="2026-11-24T20:00:00Z"; empty when the lab has no ttl */
	char *exp = xp_str(x, "string(/domain/metadata/labctl:node/@expires)");
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	o->expires = exp && strptime(exp, "%Y-%m-%dT%H:%M:%SZ", &tm) ? timegm(&tm) : 0;
	free(exp);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	if (o->lab && (!lab || strcmp(o->lab, lab) == 0))
		return true;
	free(o->lab);
	free(o->node);
	return false;
}

int lc_virt_lab_domains(struct lc_virt *v, const char *lab, struct lc_virt_obj **out, size_t *n,
			struct lc_err *err)
{
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(v->conn, &doms, 0);
	*out = NULL;
	*n = 0;
	if (nd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot list domains on '%s': %s", v->uri,
				  last_error());
	size_t cap = 0;
	for (int i = 0; i < nd; i++) {
		char *xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
		struct lc_virt_obj o = {0};
		if (xml && owned_by(virDomainGetName(doms[i]), xml,
				    "string(/domain/metadata/labctl:node/@lab)",
				    "string(/domain/metadata/labctl:node/@node)", lab, &o)) {
			o.name = lc_strdup(virDomainGetName(doms[i]));
			o.active = virDomainIsActive(doms[i]) == 1;
			LC_GROW(*out, cap, *n + 1);
			(*out)[(*n)++] = o;
		}
		free(xml);
		virDomainFree(doms[i]);
	}
	free(doms);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_obj);
	return 0;
}

int lc_virt_lab_networks(struct lc_virt *v, const char *lab, struct lc_virt_obj **out, size_t *n,
			 struct lc_err *err)
{
	virNetworkPtr *nets = NULL;
	int nn = virConnectListAllNetworks(v->conn, &nets, 0);
	*out = NULL;
	*n = 0;
	if (nn < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot list networks on '%s': %s", v->uri,
				  last_error());
	size_t cap = 0;
	for (int i = 0; i < nn; i++) {
		char *xml = virNetworkGetXMLDesc(nets[i], VIR_NETWORK_XML_INACTIVE);
		struct lc_virt_obj o = {0};
		if (xml && owned_by(virNetworkGetName(nets[i]), xml,
				    "string(/network/metadata/labctl:network/@lab)",
				    "string(/network/metadata/labctl:network/@network)", lab, &o)) {
			o.name = lc_strdup(virNetworkGetName(nets[i]));
			o.active = virNetworkIsActive(nets[i]) == 1;
			LC_GROW(*out, cap, *n + 1);
			(*out)[(*n)++] = o;
		}
		free(xml);
		virNetworkFree(nets[i]);
	}
	free(nets);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_obj);
	return 0;
}

void lc_virt_objs_free(struct lc_virt_obj *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].lab);
		free(o[i].node);
	}
	free(o);
}

static bool no_such(void)
{
	virErrorPtr e = virGetLastError();
	return e && (e->code == VIR_ERR_NO_DOMAIN || e->code == VIR_ERR_NO_NETWORK);
}

int lc_virt_remove_domain(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (!d)
		return no_such()
			   ? 0
			   : lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot look it up: %s",
					name, last_error());
	int rc = 0;
	if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 && !no_such())
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot stop it: %s", name,
				last_error());
	if (rc == 0 &&
	    virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
					  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
					  VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) < 0 &&
	    !no_such()) {
		/* drivers without these flags (the test driver) take the plain call */
		if (virDomainUndefine(d) < 0 && !no_such())
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot undefine it: %s",
					name, last_error());
	}
	virDomainFree(d);
	return rc;
}

int lc_virt_remove_network(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virNetworkPtr n = virNetworkLookupByName(v->conn, name);
	if (!n)
		return no_such()
			   ? 0
			   : lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot look it up: %s",
					name, last_error());
	int rc = 0;
	if (virNetworkIsActive(n) == 1 && virNetworkDestroy(n) < 0 && !no_such())
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot stop it: %s", name,
				last_error());
	if (rc == 0 && virNetworkUndefine(n) < 0 && !no_such())
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot undefine it: %s", name,
				last_error());
	virNetworkFree(n);
	return rc;
}
