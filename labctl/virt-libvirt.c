/* The one file that talks to libvirt; see virt.h. */
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xpath.h>

#include "templates.h"
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
