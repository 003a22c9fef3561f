/* The one file that talks to libvirt; see virt.h. */
#include <pthread.h>

#include <errno.h>
#include <sys/stat.h>
#include <string.h>
#include <strings.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/xpath.h>

#include <libxml/xpathInternals.h>
#include <stdio.h>

#include "domcaps.h"
#include "fsutil.h"
#include "isotime.h"
#include "templates.h"
#include "tweak.h"
#include "virt.h"
#include "workpool.h"

/* Domain capabilities read for one (domain type, machine, arch). */
struct caps_entry {
	char *type, *machine, *arch;
	struct lc_domcaps *caps; /* NULL: the connection gave none */
	char *why;		 /* then why */
};

struct lc_virt {
	virConnectPtr conn;
	char *uri;
	char *caps_fixture; /* read this instead of asking libvirt */
	struct caps_entry *caps;
	size_t n_caps, cap_caps;
	unsigned caps_reads;
	double caps_seconds;
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

/*
 * libvirt's test driver keeps a host loaded from a file (test:///PATH.xml)
 * in the connection: a second connection to the same file is a second,
 * separate host. A real daemon is one host to every connection, and labctl
 * connects to a host many times (its workers, each host of a lab, a second
 * labctl run racing the first), so within one process the connections to
 * one such file share the first one's state while any is open.
 */
struct shared_conn {
	char *uri;
	virConnectPtr conn;
	size_t users;
};
static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static struct shared_conn *shared;
static size_t n_shared;

static bool state_per_connection(const char *uri)
{
	return uri && strncmp(uri, "test:///", 8) == 0 && strcmp(uri, "test:///default") != 0;
}

static virConnectPtr conn_open(const char *uri)
{
	if (!state_per_connection(uri))
		return virConnectOpen(uri);
	pthread_mutex_lock(&shared_mu);
	virConnectPtr c = NULL;
	for (size_t i = 0; i < n_shared && !c; i++)
		if (strcmp(shared[i].uri, uri) == 0 && virConnectRef(shared[i].conn) == 0) {
			c = shared[i].conn;
			shared[i].users++;
		}
	if (!c && (c = virConnectOpen(uri))) {
		shared = lc_realloc(shared, (n_shared + 1) * sizeof(*shared));
		shared[n_shared++] = (struct shared_conn){lc_strdup(uri), c, 1};
	}
	pthread_mutex_unlock(&shared_mu);
	return c;
}

static void conn_close(virConnectPtr c)
{
	pthread_mutex_lock(&shared_mu);
	for (size_t i = 0; i < n_shared; i++)
		if (shared[i].conn == c) {
			if (--shared[i].users == 0) {
				free(shared[i].uri);
				shared[i] = shared[--n_shared];
				if (!n_shared) {
					free(shared);
					shared = NULL;
				}
			}
			break;
		}
	pthread_mutex_unlock(&shared_mu);
	virConnectClose(c);
}

struct lc_virt *lc_virt_open(const char *uri, struct lc_err *err)
{
	/* before any thread: up opens a connection per worker */
	virInitialize();
	virSetErrorFunc(NULL, silent);
	virConnectPtr c = conn_open(uri);
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
	/* the tests' way to show labctl another host's capabilities, on any driver */
	const char *fixture = getenv("LABCTL_TEST_DOMCAPS");
	if (fixture && *fixture)
		lc_virt_domcaps_fixture(v, fixture);
	return v;
}

static void caps_clear(struct lc_virt *v)
{
	for (size_t i = 0; i < v->n_caps; i++) {
		free(v->caps[i].type);
		free(v->caps[i].machine);
		free(v->caps[i].arch);
		lc_domcaps_release(v->caps[i].caps);
		free(v->caps[i].caps);
		free(v->caps[i].why);
	}
	free(v->caps);
	v->caps = NULL;
	v->n_caps = v->cap_caps = 0;
}

void lc_virt_close(struct lc_virt *v)
{
	if (!v)
		return;
	conn_close(v->conn);
	caps_clear(v);
	free(v->caps_fixture);
	free(v->uri);
	free(v);
}

void lc_virt_domcaps_fixture(struct lc_virt *v, const char *path)
{
	caps_clear(v);
	free(v->caps_fixture);
	v->caps_fixture = path ? lc_strdup(path) : NULL;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* One read of the capabilities: text, or NULL with *why. */
static char *read_caps(struct lc_virt *v, const char *type, const char *machine, const char *arch,
		       char **why)
{
	if (v->caps_fixture) {
		char *text;
		size_t len;
		struct lc_err e = LC_ERR_INIT;
		if (lc_read_file(v->caps_fixture, &text, &len, &e) < 0) {
			*why = lc_strdup(e.msg);
			lc_err_release(&e);
			return NULL;
		}
		return text;
	}
	char *xml = virConnectGetDomainCapabilities(v->conn, NULL, arch, machine, type, 0);
	if (!xml)
		*why =
		    lc_asprintf("%s gives no domain capabilities for %s%s%s: %s", v->uri, type,
				machine ? ", machine " : "", machine ? machine : "", last_error());
	virResetLastError();
	return xml;
}

const struct lc_domcaps *lc_virt_domcaps(struct lc_virt *v, const char *type, const char *machine,
					 const char *arch, const char **why)
{
	for (size_t i = 0; i < v->n_caps; i++) {
		struct caps_entry *e = &v->caps[i];
		if (same(e->type, type) && same(e->machine, machine) && same(e->arch, arch)) {
			if (why)
				*why = e->why;
			return e->caps;
		}
	}
	LC_GROW(v->caps, v->cap_caps, v->n_caps + 1);
	struct caps_entry *e = &v->caps[v->n_caps++];
	memset(e, 0, sizeof(*e));
	e->type = lc_strdup(type);
	e->machine = machine ? lc_strdup(machine) : NULL;
	e->arch = lc_strdup(arch);
	double t0 = lc_now_s();
	char *xml = read_caps(v, type, machine, arch, &e->why);
	if (xml) {
		struct lc_err perr = LC_ERR_INIT;
		e->caps = lc_calloc(1, sizeof(*e->caps));
		if (lc_domcaps_parse("domain capabilities", xml, strlen(xml), e->caps, &perr) < 0) {
			free(e->caps);
			e->caps = NULL;
			e->why = lc_strdup(perr.msg);
		}
		lc_err_release(&perr);
		free(xml);
	}
	v->caps_reads++;
	v->caps_seconds += lc_now_s() - t0;
	if (why)
		*why = e->why;
	return e->caps;
}

void lc_virt_domcaps_stats(const struct lc_virt *v, unsigned *reads, double *seconds)
{
	*reads = v->caps_reads;
	*seconds = v->caps_seconds;
}

const char *lc_virt_uri(const struct lc_virt *v)
{
	return v->uri;
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
	char *vendor = lc_xml_xpath_string(doc, "string(/capabilities/host/cpu/vendor)");
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

/* The PCI address a hostdev's <source><address> element gives. */
static void pci_source(xmlNodePtr a, char addr[LC_PCI_ADDR_SIZE])
{
	struct lc_pci_addr pa = {attr_hex(a, "domain"), attr_hex(a, "bus"), attr_hex(a, "slot"),
				 attr_hex(a, "function")};
	lc_pci_addr_format(&pa, addr);
}

/* Add the PCI functions xml's devices hold for domain name (each once per domain). */
static void add_users(const char *name, const char *xml, struct lc_virt_user **out, size_t *n,
		      size_t *cap, size_t first)
{
	struct lc_err perr = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse(name, xml, strlen(xml), &perr);
	lc_err_release(&perr);
	if (!doc)
		return;
	xmlXPathContextPtr x = xpath_ctx(doc);
	char *lab = xp_str(x, "string(/domain/metadata/labctl:node/@lab)");
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
	    BAD_CAST "/domain/devices/hostdev[@type='pci']/source/address | "
		     "/domain/devices/interface[@type='hostdev']/source/address[@type='pci']",
	    x);
	for (int k = 0; r && r->nodesetval && k < r->nodesetval->nodeNr; k++) {
		char addr[LC_PCI_ADDR_SIZE];
		pci_source(r->nodesetval->nodeTab[k], addr);
		bool seen = false;
		for (size_t i = first; i < *n && !seen; i++)
			seen = strcmp((*out)[i].addr, addr) == 0;
		if (seen)
			continue;
		LC_GROW(*out, *cap, *n + 1);
		struct lc_virt_user *u = &(*out)[(*n)++];
		memcpy(u->addr, addr, sizeof(addr));
		u->domain = lc_strdup(name);
		u->lab = lc_strdup(lab);
	}
	xmlXPathFreeObject(r);
	free(lab);
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
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
		const char *name = virDomainGetName(doms[i]);
		size_t first = *n;
		/*
		 * The persistent config holds what the domain gets at its next start;
		 * a running domain also holds what was hot-plugged into it.
		 */
		for (int live = 0; live < 2; live++) {
			if (live && virDomainIsActive(doms[i]) != 1)
				break;
			char *xml =
			    virDomainGetXMLDesc(doms[i], live ? 0 : VIR_DOMAIN_XML_INACTIVE);
			if (xml) /* NULL: a domain gone meanwhile */
				add_users(name, xml, out, n, &cap, first);
			free(xml);
		}
	}
	for (int i = 0; i < nd; i++)
		virDomainFree(doms[i]);
	free(doms);
	virResetLastError();
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

/* A time in the metadata; 0 when it has none. */
static time_t iso_time(const char *s)
{
	time_t t;
	return s && lc_iso8601_parse(s, &t) == 0 ? t : 0;
}

/* Append the string values of every node an XPath selects to out. */
static void xp_strs(xmlXPathContextPtr x, const char *expr, struct lc_strv *out)
{
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	size_t cnt = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	for (size_t i = 0; i < cnt; i++) {
		xmlChar *c = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
		lc_strv_push(out, c ? (const char *)c : "");
		xmlFree(c);
	}
	xmlXPathFreeObject(r);
}

static void domain_details(xmlXPathContextPtr x, struct lc_virt_obj *o)
{
	o->kind = xp_str(x, "string(/domain/metadata/labctl:node/@kind)");
	o->rendered_sha256 = xp_str(x, "string(/domain/metadata/labctl:node/@rendered-sha256)");
	char *t = xp_str(x, "string(/domain/metadata/labctl:node/@created)");
	o->created = iso_time(t);
	free(t);
	t = xp_str(x, "string(/domain/metadata/labctl:node/@expires)");
	o->expires = iso_time(t);
	free(t);
	xp_strs(x, "/domain/devices/interface[@type='hostdev']/mac/@address", &o->macs);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
	    BAD_CAST "/domain/devices/hostdev[@type='pci']/source/address | "
		     "/domain/devices/interface[@type='hostdev']/source/address",
	    x);
	size_t cnt = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	for (size_t i = 0; i < cnt; i++) {
		char addr[LC_PCI_ADDR_SIZE];
		pci_source(r->nodesetval->nodeTab[i], addr);
		lc_strv_push(&o->vfs, addr);
	}
	xmlXPathFreeObject(r);
	xp_strs(x, "/domain/metadata/labctl:node/labctl:nic/@network", &o->nic_nets);
	xp_strs(x, "/domain/metadata/labctl:node/labctl:nic/@mac", &o->nic_macs);
	xp_strs(x, "/domain/metadata/labctl:node/labctl:nic/@ip", &o->nic_ips);
	o->n_nics = o->nic_nets.n;
	if (o->nic_nets.n != o->nic_macs.n || o->nic_macs.n != o->nic_ips.n) {
		/* a hand-edited element without all three: say nothing rather than mismatch */
		lc_strv_release(&o->nic_nets);
		lc_strv_release(&o->nic_macs);
		lc_strv_release(&o->nic_ips);
		o->n_nics = 0;
	}
	struct lc_strv pools = LC_STRV_INIT, vols = LC_STRV_INIT;
	xp_strs(x, "/domain/devices/disk[@type='volume']/source/@pool", &pools);
	xp_strs(x, "/domain/devices/disk[@type='volume']/source/@volume", &vols);
	for (size_t i = 0; i < pools.n && i < vols.n; i++)
		lc_strv_pushf(&o->volumes, "%s/%s", pools.v[i], vols.v[i]);
	lc_strv_release(&pools);
	lc_strv_release(&vols);
}

static void obj_release(struct lc_virt_obj *o)
{
	free(o->name);
	free(o->lab);
	free(o->node);
	free(o->kind);
	free(o->rendered_sha256);
	lc_strv_release(&o->vfs);
	lc_strv_release(&o->macs);
	lc_strv_release(&o->volumes);
	lc_strv_release(&o->nic_nets);
	lc_strv_release(&o->nic_macs);
	lc_strv_release(&o->nic_ips);
	memset(o, 0, sizeof(*o));
}

/*
 * Read labctl's metadata out of an object's XML; false when it has none (or
 * is not lab's). Domains also get their kind, times and devices.
 */
static bool owned_by(const char *what, const char *xml, bool domain, const char *lab,
		     struct lc_virt_obj *o)
{
	struct lc_err perr = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse(what, xml, strlen(xml), &perr);
	lc_err_release(&perr);
	if (!doc)
		return false;
	xmlXPathContextPtr x = xpath_ctx(doc);
	o->lab = xp_str(x, domain ? "string(/domain/metadata/labctl:node/@lab)"
				  : "string(/network/metadata/labctl:network/@lab)");
	bool mine = o->lab && (!lab || strcmp(o->lab, lab) == 0);
	if (mine) {
		o->node = xp_str(x, domain ? "string(/domain/metadata/labctl:node/@node)"
					   : "string(/network/metadata/labctl:network/@network)");
		if (domain)
			domain_details(x, o);
		else
			o->rendered_sha256 =
			    xp_str(x, "string(/network/metadata/labctl:network/@rendered-sha256)");
	}
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	if (!mine)
		obj_release(o);
	return mine;
}

/*
 * 0: shut off, 1: running, 2: paused, 3: shut off and never ran (defined,
 * never started, or its start failed). libvirt forgets why a domain is off
 * when it restarts, so after that a stopped domain counts as never run.
 */
static int domain_state(virDomainPtr d)
{
	int state = VIR_DOMAIN_NOSTATE, reason = 0;
	if (virDomainIsActive(d) != 1)
		return virDomainGetState(d, &state, &reason, 0) == 0 &&
			       state == VIR_DOMAIN_SHUTOFF &&
			       (reason == VIR_DOMAIN_SHUTOFF_UNKNOWN ||
				reason == VIR_DOMAIN_SHUTOFF_FAILED)
			   ? 3
			   : 0;
	return virDomainGetState(d, &state, NULL, 0) == 0 && state == VIR_DOMAIN_PAUSED ? 2 : 1;
}

/*
 * Append the object to *out when its metadata says lab (any lab when NULL)
 * owns it; frees xml. state as domain_state() gives it (networks: 0 or 1).
 */
static void keep_owned(struct lc_virt_obj **out, size_t *n, size_t *cap, const char *name,
		       char *xml, int state, bool domain, const char *lab)
{
	struct lc_virt_obj o = {0};
	if (xml && owned_by(name, xml, domain, lab, &o)) {
		o.name = lc_strdup(name);
		o.active = state == 1 || state == 2;
		o.paused = state == 2;
		o.never_ran = state == 3;
		LC_GROW(*out, *cap, *n + 1);
		(*out)[(*n)++] = o;
	}
	free(xml);
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
		keep_owned(out, n, &cap, virDomainGetName(doms[i]), xml, domain_state(doms[i]),
			   true, lab);
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
		/* the test driver refuses VIR_NETWORK_XML_INACTIVE; the live XML has the metadata
		 */
		char *xml = virNetworkGetXMLDesc(nets[i], 0);
		keep_owned(out, n, &cap, virNetworkGetName(nets[i]), xml,
			   virNetworkIsActive(nets[i]) == 1, false, lab);
		virNetworkFree(nets[i]);
	}
	free(nets);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_obj);
	return 0;
}

int lc_virt_node_memory(struct lc_virt *v, unsigned long long *kib, struct lc_err *err)
{
	virNodeInfo info;
	if (virNodeGetInfo(v->conn, &info) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read the host's memory: %s",
				  last_error());
	*kib = info.memory;
	return 0;
}

static int refreshed_pool(struct lc_virt *v, const char *pool, virStoragePoolPtr *p,
			  struct lc_err *err);

int lc_virt_pool_available(struct lc_virt *v, const char *pool, unsigned long long *bytes,
			   bool *found, struct lc_err *err)
{
	*bytes = 0;
	virStoragePoolPtr p;
	if (refreshed_pool(v, pool, &p, err) < 0)
		return -1;
	*found = p != NULL;
	if (!p)
		return 0;
	virStoragePoolInfo info;
	int rc = 0;
	if (virStoragePoolGetInfo(p, &info) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	else
		*bytes = info.available;
	virStoragePoolFree(p);
	return rc;
}

bool lc_virt_domain_exists(struct lc_virt *v, const char *name)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (d)
		virDomainFree(d);
	virResetLastError();
	return d != NULL;
}

void lc_virt_objs_free(struct lc_virt_obj *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		obj_release(&o[i]);
	free(o);
}

/* The last error says the object is not there (gone meanwhile, or never made). */
static bool no_such(void)
{
	virErrorPtr e = virGetLastError();
	return e && (e->code == VIR_ERR_NO_DOMAIN || e->code == VIR_ERR_NO_NETWORK ||
		     e->code == VIR_ERR_NO_STORAGE_VOL || e->code == VIR_ERR_NO_STORAGE_POOL);
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

int lc_virt_pool_ensure(struct lc_virt *v, const char *name, const char *xml, struct lc_err *err)
{
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, name);
	if (!p) {
		p = virStoragePoolDefineXML(v->conn, xml, 0);
		/* another run (another labctl) defined it since the lookup: it builds it */
		bool raced = !p && (p = virStoragePoolLookupByName(v->conn, name));
		if (!p)
			return lc_err_set(err, LC_EXIT_RUNTIME,
					  "storage pool %s: cannot define it: %s", name,
					  last_error());
		if (!raced && virStoragePoolBuild(p, 0) < 0) {
			lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: cannot build it: %s",
				   name, last_error());
			virStoragePoolFree(p);
			return -1;
		}
		if (!raced)
			virStoragePoolSetAutostart(p, 1);
	}
	int rc = 0;
	if (virStoragePoolIsActive(p) != 1 && virStoragePoolCreate(p, 0) < 0 &&
	    virStoragePoolIsActive(p) != 1)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: cannot start it: %s", name,
				last_error());
	virStoragePoolFree(p);
	return rc;
}

int lc_virt_volume_ensure(struct lc_virt *v, const char *pool, const char *name, const char *xml,
			  bool *created, struct lc_err *err)
{
	*created = false;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	int rc = 0;
	virStorageVolPtr vol = virStorageVolLookupByName(p, name);
	if (!vol) {
		vol = virStorageVolCreateXML(p, xml, 0);
		if (!vol)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot create it: %s",
					name, last_error());
		*created = vol != NULL;
	}
	if (vol)
		virStorageVolFree(vol);
	virStoragePoolFree(p);
	return rc;
}

/* Create volume name from xml in p and open an upload of len bytes into it. */
static int upload_start(struct lc_virt *v, virStoragePoolPtr p, const char *name, const char *xml,
			unsigned long long len, virStorageVolPtr *vol, virStreamPtr *st,
			struct lc_err *err)
{
	*st = NULL;
	if (!(*vol = virStorageVolCreateXML(p, xml, 0)))
		return lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot create it: %s", name,
				  last_error());
	if (!(*st = virStreamNew(v->conn, 0)) || virStorageVolUpload(*vol, *st, 0, len, 0) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot upload to it: %s", name,
				  last_error());
	return 0;
}

static int upload_send(virStreamPtr st, const char *buf, size_t n, const char *name,
		       struct lc_err *err)
{
	for (size_t off = 0; off < n;) {
		size_t chunk = n - off < 256 * 1024 ? n - off : 256 * 1024;
		int sent = virStreamSend(st, buf + off, chunk);
		if (sent < 0)
			return lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: upload failed: %s",
					  name, last_error());
		off += (size_t)sent;
	}
	return 0;
}

/* Finish (rc 0) or abort an upload; frees what upload_start made and p. */
static int upload_end(int rc, virStoragePoolPtr p, virStorageVolPtr vol, virStreamPtr st,
		      const char *name, struct lc_err *err)
{
	if (rc == 0 && virStreamFinish(st) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: upload did not finish: %s", name,
				last_error());
	if (st) {
		if (rc < 0)
			virStreamAbort(st);
		virStreamFree(st);
	}
	/* a half-filled volume is worse than none */
	if (rc < 0 && vol)
		virStorageVolDelete(vol, 0);
	if (vol)
		virStorageVolFree(vol);
	virStoragePoolFree(p);
	return rc;
}

int lc_virt_volume_upload(struct lc_virt *v, const char *pool, const char *name, const char *xml,
			  const unsigned char *data, size_t len, bool replace, bool *made,
			  struct lc_err *err)
{
	*made = false;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	int rc = 0;
	virStorageVolPtr vol = virStorageVolLookupByName(p, name);
	if (vol && replace) {
		if (virStorageVolDelete(vol, 0) < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot replace it: %s",
					name, last_error());
		virStorageVolFree(vol);
		vol = NULL;
	} else if (vol) {
		virStorageVolFree(vol);
		virStoragePoolFree(p);
		return 0;
	}
	virStreamPtr st = NULL;
	if (rc == 0)
		rc = upload_start(v, p, name, xml, len, &vol, &st, err);
	if (rc == 0)
		rc = upload_send(st, (const char *)data, len, name, err);
	rc = upload_end(rc, p, vol, st, name, err);
	*made = rc == 0;
	return rc;
}

/*
 * POOL, refreshed so that files created behind its back (by a crashed run's
 * libvirtd, or by hand) are known; *P is NULL, and 0 returned, when it does
 * not exist.
 */
static int refreshed_pool(struct lc_virt *v, const char *pool, virStoragePoolPtr *p,
			  struct lc_err *err)
{
	*p = virStoragePoolLookupByName(v->conn, pool);
	if (!*p)
		return no_such() ? 0
				 : lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool,
					      last_error());
	virStoragePoolRefresh(*p, 0);
	return 0;
}

int lc_virt_volume_delete(struct lc_virt *v, const char *pool, const char *name, bool *deleted,
			  struct lc_err *err)
{
	bool ignore;
	deleted = deleted ? deleted : &ignore;
	*deleted = false;
	virStoragePoolPtr p;
	int rc = refreshed_pool(v, pool, &p, err);
	if (rc < 0 || !p)
		return rc;
	virStorageVolPtr vol = virStorageVolLookupByName(p, name);
	if (vol) {
		if (virStorageVolDelete(vol, 0) == 0)
			*deleted = true;
		else if (!no_such())
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot delete it: %s",
					name, last_error());
		virStorageVolFree(vol);
	} else if (!no_such()) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: %s", name, last_error());
	}
	virStoragePoolFree(p);
	return rc;
}

int lc_virt_pool_volumes(struct lc_virt *v, const char *pool, struct lc_strv *names,
			 struct lc_err *err)
{
	lc_strv_init(names);
	virStoragePoolPtr p;
	int rc = refreshed_pool(v, pool, &p, err);
	if (rc < 0 || !p)
		return rc;
	virStorageVolPtr *vols = NULL;
	int nv = virStoragePoolListAllVolumes(p, &vols, 0);
	if (nv < 0) {
		/* an inactive pool lists nothing: no volume of it is in use either */
		if (virStoragePoolIsActive(p) != 1)
			nv = 0;
		else
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"storage pool %s: cannot list volumes: %s", pool,
					last_error());
	}
	for (int i = 0; i < nv; i++) {
		const char *name = virStorageVolGetName(vols[i]);
		lc_strv_push(names, name ? name : "");
		virStorageVolFree(vols[i]);
	}
	lc_strv_sort(names);
	free(vols);
	virStoragePoolFree(p);
	return rc;
}

/* A running domain has a NIC on the network: redefining it would cut them off. */
static int network_in_use(struct lc_virt *v, const char *name, bool *in_use, struct lc_err *err)
{
	*in_use = false;
	virDomainPtr *doms = NULL;
	int nd = virConnectListAllDomains(v->conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (nd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot list domains on '%s': %s", v->uri,
				  last_error());
	for (int i = 0; i < nd; i++) {
		char *xml = *in_use ? NULL : virDomainGetXMLDesc(doms[i], 0);
		struct lc_err perr = LC_ERR_INIT;
		xmlDocPtr doc = xml ? lc_xml_parse("domain", xml, strlen(xml), &perr) : NULL;
		lc_err_release(&perr);
		if (doc) {
			xmlXPathContextPtr x = xpath_ctx(doc);
			xmlXPathObjectPtr r = xmlXPathEvalExpression(
			    BAD_CAST "//devices/interface[@type='network']/source/@network", x);
			for (int k = 0; r && r->nodesetval && k < r->nodesetval->nodeNr; k++) {
				xmlChar *net = xmlNodeGetContent(r->nodesetval->nodeTab[k]);
				*in_use |= net && xmlStrEqual(net, BAD_CAST name);
				xmlFree(net);
			}
			xmlXPathFreeObject(r);
			xmlXPathFreeContext(x);
			xmlFreeDoc(doc);
		}
		free(xml);
		virDomainFree(doms[i]);
	}
	free(doms);
	return 0;
}

static int network_define_start(struct lc_virt *v, const char *name, const char *xml,
				struct lc_err *err)
{
	virNetworkPtr n = virNetworkDefineXML(v->conn, xml);
	if (!n)
		return lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot define it: %s", name,
				  last_error());
	int rc = 0;
	if (virNetworkIsActive(n) != 1 && virNetworkCreate(n) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot start it: %s", name,
				last_error());
	virNetworkFree(n);
	return rc;
}

int lc_virt_network_ensure(struct lc_virt *v, const char *name, const char *xml, const char *lab,
			   const char *rendered_sha256, bool force, enum lc_net_action *action,
			   struct lc_err *err)
{
	*action = LC_NET_UNCHANGED;
	virNetworkPtr n = virNetworkLookupByName(v->conn, name);
	if (!n) {
		*action = LC_NET_SET_UP;
		return network_define_start(v, name, xml, err);
	}
	/* the test driver refuses VIR_NETWORK_XML_INACTIVE; the live XML has the metadata */
	char *have = virNetworkGetXMLDesc(n, 0);
	struct lc_virt_obj o = {0};
	bool mine = have && owned_by(name, have, false, lab, &o);
	free(have);
	int rc = 0;
	if (!mine) {
		char *owner = NULL;
		struct lc_virt_obj any = {0};
		have = virNetworkGetXMLDesc(n, 0);
		if (have && owned_by(name, have, false, NULL, &any) && any.lab)
			owner = lc_asprintf("it is lab %s's", any.lab);
		obj_release(&any);
		free(have);
		rc = lc_err_set(err, LC_EXIT_RESOURCE,
				"network %s exists and is not labctl's network of lab %s (%s): "
				"remove it, or rename the lab or its network",
				name, lab, owner ? owner : "it has no labctl metadata");
		free(owner);
		virNetworkFree(n);
		return rc;
	}
	bool same =
	    o.rendered_sha256 && rendered_sha256 && strcmp(o.rendered_sha256, rendered_sha256) == 0;
	obj_release(&o);
	bool in_use = false;
	if (!same && force && (rc = network_in_use(v, name, &in_use, err)) < 0) {
		virNetworkFree(n);
		return -1;
	}
	if (!same && force && !in_use) {
		virNetworkFree(n);
		*action = LC_NET_REDEFINED;
		if (lc_virt_remove_network(v, name, err) < 0)
			return -1;
		return network_define_start(v, name, xml, err);
	}
	if (!same)
		*action = LC_NET_CHANGED;
	if (virNetworkIsActive(n) != 1) {
		if (virNetworkCreate(n) < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "network %s: cannot start it: %s",
					name, last_error());
		if (same)
			*action = LC_NET_SET_UP;
	}
	virNetworkFree(n);
	return rc;
}

/* Drivers that cannot start paused (the test driver) start the domain running. */
static int start_paused(virDomainPtr d)
{
	if (virDomainCreateWithFlags(d, VIR_DOMAIN_START_PAUSED) == 0)
		return 0;
	virErrorPtr e = virGetLastError();
	if (!e || e->code != VIR_ERR_INVALID_ARG)
		return -1;
	return virDomainCreate(d);
}

int lc_virt_domain_create_paused(struct lc_virt *v, const char *xml, struct lc_err *err)
{
	virDomainPtr d = virDomainDefineXML(v->conn, xml);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot define domain: %s", last_error());
	int rc = 0;
	if (start_paused(d) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot start domain: %s", last_error());
	virDomainFree(d);
	return rc;
}

int lc_virt_domain_start_paused(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", name, last_error());
	int rc = 0;
	if (virDomainIsActive(d) != 1 && start_paused(d) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot start domain: %s", last_error());
	virDomainFree(d);
	return rc;
}

int lc_virt_domain_resume(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (!d)
		return lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", name, last_error());
	int state = VIR_DOMAIN_NOSTATE;
	int rc = 0;
	if (virDomainGetState(d, &state, NULL, 0) < 0 ||
	    (state == VIR_DOMAIN_PAUSED && virDomainResume(d) < 0))
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot resume domain: %s", last_error());
	virDomainFree(d);
	return rc;
}

/* Add what one source says of dom's addresses, for MACs not known yet. */
static void addresses_from(virDomainPtr dom, unsigned source, struct lc_ifaddr **out, size_t *n,
			   size_t *cap)
{
	virDomainInterfacePtr *ifs = NULL;
	int k = virDomainInterfaceAddresses(dom, &ifs, source, 0);
	for (int i = 0; i < k; i++) {
		virDomainInterfacePtr f = ifs[i];
		bool known = false;
		for (size_t j = 0; f->hwaddr && j < *n; j++)
			known |= strcasecmp((*out)[j].mac, f->hwaddr) == 0;
		for (unsigned a = 0; f->hwaddr && !known && a < f->naddrs; a++) {
			if (f->addrs[a].type != VIR_IP_ADDR_TYPE_IPV4 || !f->addrs[a].addr)
				continue;
			LC_GROW(*out, *cap, *n + 1);
			struct lc_ifaddr *e = &(*out)[(*n)++];
			snprintf(e->mac, sizeof(e->mac), "%s", f->hwaddr);
			snprintf(e->ip, sizeof(e->ip), "%s", f->addrs[a].addr);
			break;
		}
		virDomainInterfaceFree(f);
	}
	free(ifs);
	/* not every source works everywhere (no ARP entry yet, a network of another kind) */
	virResetLastError();
}

int lc_virt_domain_addresses(struct lc_virt *v, const char *name, struct lc_ifaddr **out, size_t *n,
			     struct lc_err *err)
{
	*out = NULL;
	*n = 0;
	virDomainPtr dom = virDomainLookupByName(v->conn, name);
	if (!dom)
		return no_such()
			   ? 0
			   : lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", name, last_error());
	size_t cap = 0;
	if (virDomainIsActive(dom) == 1) {
		addresses_from(dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, out, n, &cap);
		addresses_from(dom, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, out, n, &cap);
	}
	virDomainFree(dom);
	return 0;
}

struct lc_console {
	virDomainPtr dom;
	virStreamPtr st;
};

struct lc_console *lc_virt_console_open(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr dom = virDomainLookupByName(v->conn, name);
	if (!dom) {
		lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", name, last_error());
		return NULL;
	}
	virStreamPtr st = virStreamNew(v->conn, 0);
	/* FORCE: take the console from a virsh console left open elsewhere */
	if (!st || virDomainOpenConsole(dom, NULL, st, VIR_DOMAIN_CONSOLE_FORCE) < 0) {
		lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot open its console: %s", name,
			   last_error());
		if (st)
			virStreamFree(st);
		virDomainFree(dom);
		return NULL;
	}
	struct lc_console *c = lc_calloc(1, sizeof(*c));
	c->dom = dom;
	c->st = st;
	return c;
}

int lc_console_recv(struct lc_console *c, char *buf, size_t len)
{
	int got = virStreamRecv(c->st, buf, len);
	return got < 0 ? -1 : got;
}

int lc_console_send(struct lc_console *c, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		int sent = virStreamSend(c->st, buf + off, len - off);
		if (sent < 0)
			return -1;
		off += (size_t)sent;
	}
	return 0;
}

void lc_console_close(struct lc_console *c)
{
	if (!c)
		return;
	virStreamAbort(c->st);
	virStreamFree(c->st);
	virDomainFree(c->dom);
	free(c);
}

int lc_virt_domain_id(struct lc_virt *v, const char *name)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (!d)
		return -1;
	unsigned id = virDomainGetID(d);
	virDomainFree(d);
	return id == (unsigned)-1 ? -1 : (int)id;
}

/* --- the host's node devices (labctl/pci-nodedev.c parses them) --- */

struct nodedev_fetch {
	virNodeDevicePtr *devs;
	char **xml; /* by index: the order stays libvirt's */
	size_t n, next;
	pthread_mutex_t mu;
};

static void *nodedev_worker(void *arg)
{
	struct nodedev_fetch *f = arg;
	for (;;) {
		pthread_mutex_lock(&f->mu);
		size_t i = f->next++;
		pthread_mutex_unlock(&f->mu);
		if (i >= f->n)
			return NULL;
		/* NULL: a device unplugged (a VF removed) meanwhile */
		f->xml[i] = virNodeDeviceGetXMLDesc(f->devs[i], 0);
	}
}

int lc_virt_node_devices_xml(struct lc_virt *v, struct lc_strv *xmls, struct lc_err *err)
{
	virNodeDevicePtr *devs = NULL;
	int n = virConnectListAllNodeDevices(v->conn, &devs,
					     VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV |
						 VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET);
	if (n < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot list the node devices of '%s': %s",
				  v->uri, last_error());
	struct nodedev_fetch f = {devs, lc_calloc((size_t)n + 1, sizeof(char *)), (size_t)n, 0,
				  PTHREAD_MUTEX_INITIALIZER};
	/*
	 * A device's XML is a round trip to the daemon each. The remote driver
	 * sends the calls of several threads on one connection without waiting
	 * for each reply, so a few threads hide the latency: through the system
	 * daemon's socket, 4,288 devices took 1.0-1.3 s on one thread and
	 * 0.47-0.77 s on 2-8 (2026-12-03); over a network the gain is larger.
	 */
	pthread_t tids[4];
	size_t nt = n < 64 ? 0 : LC_ARRAY_SIZE(tids), started = 0;
	for (size_t i = 0; i < nt; i++)
		if (pthread_create(&tids[started], NULL, nodedev_worker, &f) == 0)
			started++;
	nodedev_worker(&f);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	for (size_t i = 0; i < f.n; i++) {
		if (f.xml[i])
			lc_strv_push_nodup(xmls, f.xml[i]);
		virNodeDeviceFree(devs[i]);
	}
	free(f.xml);
	free(devs);
	virResetLastError();
	return 0;
}

/* ---- several hosts: files on a host that is not this machine ---- */

int lc_virt_pool_path(struct lc_virt *v, const char *pool, char **path, struct lc_err *err)
{
	*path = NULL;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	char *xml = virStoragePoolGetXMLDesc(p, 0);
	virStoragePoolFree(p);
	if (!xml)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	xmlDocPtr doc = lc_xml_parse("storage pool", xml, strlen(xml), err);
	free(xml);
	if (!doc)
		return -1;
	*path = lc_xml_xpath_string(doc, "string(/pool/target/path)");
	xmlFreeDoc(doc);
	if (*path && !**path) {
		free(*path);
		*path = NULL;
	}
	return *path ? 0
		     : lc_err_set(err, LC_EXIT_RUNTIME,
				  "storage pool %s: it has no target directory (labctl needs a "
				  "directory pool)",
				  pool);
}

/* Volume name of pool; *vol NULL (and 0) when the pool has no such volume. */
static int volume_of(struct lc_virt *v, const char *pool, const char *name, virStorageVolPtr *vol,
		     struct lc_err *err)
{
	*vol = NULL;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	*vol = virStorageVolLookupByName(p, name);
	/* before the pool is freed: every call clears the last error */
	int rc = *vol || no_such()
		     ? 0
		     : lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: %s", name, last_error());
	virStoragePoolFree(p);
	return rc;
}

int lc_virt_volume_stat(struct lc_virt *v, const char *pool, const char *name, char **path,
			unsigned long long *bytes, bool *found, struct lc_err *err)
{
	*path = NULL;
	*bytes = 0;
	*found = false;
	virStorageVolPtr vol;
	if (volume_of(v, pool, name, &vol, err) < 0)
		return -1;
	if (!vol)
		return 0;
	virStorageVolInfo info;
	int rc = 0;
	/* the file's size: a qcow2 volume's capacity is its guest's disk size */
	if (virStorageVolGetInfoFlags(vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: %s", name, last_error());
	char *vp = rc == 0 ? virStorageVolGetPath(vol) : NULL;
	if (rc == 0 && !vp)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: %s", name, last_error());
	virStorageVolFree(vol);
	if (rc < 0)
		return -1;
	*path = lc_strdup(vp);
	free(vp);
	*bytes = info.allocation;
	*found = true;
	return 0;
}

int lc_virt_volume_upload_file(struct lc_virt *v, const char *pool, const char *name,
			       const char *xml, const char *path,
			       void (*progress)(void *ctx, unsigned long long done,
						unsigned long long total),
			       void *ctx, struct lc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path,
				  strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) < 0) {
		fclose(f);
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read '%s': %s", path,
				  strerror(errno));
	}
	unsigned long long total = (unsigned long long)st.st_size, done = 0;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p) {
		fclose(f);
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	}
	virStorageVolPtr vol = NULL;
	virStreamPtr s = NULL;
	int rc = upload_start(v, p, name, xml, total, &vol, &s, err);
	size_t cap = 1 << 20;
	char *buf = lc_malloc(cap);
	while (rc == 0 && done < total) {
		size_t got = fread(buf, 1, cap, f);
		if (got == 0) {
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot read '%s': %s", path,
					ferror(f) ? strerror(errno) : "it got shorter");
			break;
		}
		rc = upload_send(s, buf, got, name, err);
		done += got;
		if (rc == 0 && progress)
			progress(ctx, done, total);
	}
	free(buf);
	fclose(f);
	return upload_end(rc, p, vol, s, name, err);
}

int lc_virt_volume_download(struct lc_virt *v, const char *pool, const char *name,
			    int (*sink)(void *ctx, const char *buf, size_t n), void *ctx,
			    bool *found, struct lc_err *err)
{
	*found = false;
	virStorageVolPtr vol;
	if (volume_of(v, pool, name, &vol, err) < 0)
		return -1;
	if (!vol)
		return 0;
	*found = true;
	int rc = 0;
	virStreamPtr s = virStreamNew(v->conn, 0);
	/* length 0: to the end of the file as it is now */
	if (!s || virStorageVolDownload(vol, s, 0, 0, 0) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot download it: %s", name,
				last_error());
	char buf[64 * 1024];
	bool stopped = false;
	while (rc == 0) {
		int got = virStreamRecv(s, buf, sizeof(buf));
		if (got < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: download failed: %s",
					name, last_error());
		if (got <= 0)
			break;
		if (sink(ctx, buf, (size_t)got) < 0) {
			stopped = true;
			rc = -1;
		}
	}
	if (s) {
		if (rc == 0 && virStreamFinish(s) < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"volume %s: download did not finish: %s", name,
					last_error());
		else if (rc < 0)
			virStreamAbort(s);
		virStreamFree(s);
	}
	virStorageVolFree(vol);
	if (stopped && !err->msg)
		lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: download stopped", name);
	return rc;
}

int lc_virt_volume_create_excl(struct lc_virt *v, const char *pool, const char *name,
			       const char *xml, const unsigned char *data, size_t len, bool *exists,
			       struct lc_err *err)
{
	*exists = false;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	if (!p)
		return lc_err_set(err, LC_EXIT_RUNTIME, "storage pool %s: %s", pool, last_error());
	virStorageVolPtr vol = virStorageVolCreateXML(p, xml, 0);
	if (!vol) {
		/* lost the race, or never had a chance: the name is someone's */
		virErrorPtr e = virSaveLastError();
		virStorageVolPtr there = virStorageVolLookupByName(p, name);
		*exists = there != NULL;
		int rc = there ? 0
			       : lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot create it: %s",
					    name,
					    e && e->message ? e->message : "unknown libvirt error");
		if (there)
			virStorageVolFree(there);
		virFreeError(e);
		virStoragePoolFree(p);
		return rc;
	}
	int rc = 0;
	virStreamPtr s = len ? virStreamNew(v->conn, 0) : NULL;
	if (len && (!s || virStorageVolUpload(vol, s, 0, len, 0) < 0))
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot upload to it: %s", name,
				last_error());
	for (size_t off = 0; rc == 0 && off < len;) {
		int sent = virStreamSend(s, (const char *)data + off, len - off);
		if (sent < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: upload failed: %s", name,
					last_error());
		else
			off += (size_t)sent;
	}
	if (s && rc == 0 && virStreamFinish(s) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: upload did not finish: %s", name,
				last_error());
	if (s) {
		if (rc < 0)
			virStreamAbort(s);
		virStreamFree(s);
	}
	/* ours, but not written: give it back rather than hold it unnamed */
	if (rc < 0)
		virStorageVolDelete(vol, 0);
	virStorageVolFree(vol);
	virStoragePoolFree(p);
	return rc;
}

/* ---- lab snapshots (lab-snapshot.c) ---- */

/* The domain called name, or NULL with err set. */
static virDomainPtr lookup(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	if (!d)
		lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", name, last_error());
	return d;
}

int lc_virt_domain_suspend(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	int state = VIR_DOMAIN_NOSTATE;
	int rc = 0;
	if (virDomainGetState(d, &state, NULL, 0) < 0 ||
	    (state == VIR_DOMAIN_RUNNING && virDomainSuspend(d) < 0))
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot pause it: %s", name,
				last_error());
	virDomainFree(d);
	return rc;
}

int lc_virt_domain_save(struct lc_virt *v, const char *name, const char *path, struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	int rc = 0;
	if (virDomainSaveFlags(d, path, NULL, VIR_DOMAIN_SAVE_PAUSED) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"domain %s: cannot save its memory to '%s': %s", name, path,
				last_error());
	virDomainFree(d);
	return rc;
}

char *lc_virt_save_image_xml(struct lc_virt *v, const char *path, struct lc_err *err)
{
	char *xml = virDomainSaveImageGetXMLDesc(v->conn, path, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE);
	if (!xml)
		lc_err_set(err, LC_EXIT_RUNTIME, "memory image '%s': cannot read its XML: %s", path,
			   last_error());
	return xml;
}

int lc_virt_domain_restore(struct lc_virt *v, const char *path, const char *xml, bool paused,
			   struct lc_err *err)
{
	unsigned flags = paused ? VIR_DOMAIN_SAVE_PAUSED : VIR_DOMAIN_SAVE_RUNNING;
	if (virDomainRestoreFlags(v->conn, path, xml, flags) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot restore from '%s': %s", path,
				  last_error());
	return 0;
}

char *lc_virt_domain_xml(struct lc_virt *v, const char *name, bool inactive, struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return NULL;
	unsigned flags = VIR_DOMAIN_XML_SECURE | (inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
	char *xml = virDomainGetXMLDesc(d, flags);
	if (!xml)
		lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot read its XML: %s", name,
			   last_error());
	virDomainFree(d);
	return xml;
}

int lc_virt_domain_destroy(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	int rc = 0;
	if (virDomainIsActive(d) == 1 && virDomainDestroy(d) < 0 && virDomainIsActive(d) == 1)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot stop it: %s", name,
				last_error());
	virDomainFree(d);
	return rc;
}

unsigned long long lc_virt_domain_memory_kib(struct lc_virt *v, const char *name)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	virDomainInfo info;
	unsigned long long kib = 0;
	if (d && virDomainIsActive(d) == 1 && virDomainGetInfo(d, &info) == 0)
		kib = info.memory;
	if (d)
		virDomainFree(d);
	virResetLastError();
	return kib;
}

int lc_virt_volume_info(struct lc_virt *v, const char *pool, const char *name, char **path,
			unsigned long long *capacity, char **backing, struct lc_err *err)
{
	*path = *backing = NULL;
	*capacity = 0;
	/* a refresh probes every file of the pool under its lock: only when the volume is unknown
	 */
	int rc = 0;
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	virStorageVolPtr vol = p ? virStorageVolLookupByName(p, name) : NULL;
	if (!vol) {
		if (p)
			virStoragePoolFree(p);
		if ((rc = refreshed_pool(v, pool, &p, err)) < 0)
			return -1;
		vol = p ? virStorageVolLookupByName(p, name) : NULL;
	}
	if (!vol) {
		if (p)
			virStoragePoolFree(p);
		return lc_err_set(err, LC_EXIT_RUNTIME, "volume %s/%s: %s", pool, name,
				  p ? last_error() : "no such storage pool");
	}
	virStorageVolInfo info;
	char *xml = virStorageVolGetXMLDesc(vol, 0);
	*path = virStorageVolGetPath(vol);
	if (!xml || !*path || virStorageVolGetInfo(vol, &info) < 0) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s/%s: %s", pool, name, last_error());
	} else {
		*capacity = info.capacity;
		struct lc_err perr = LC_ERR_INIT;
		xmlDocPtr doc = lc_xml_parse(name, xml, strlen(xml), &perr);
		lc_err_release(&perr);
		if (doc) {
			*backing = lc_xml_xpath_string(doc, "string(/volume/backingStore/path)");
			xmlFreeDoc(doc);
		}
	}
	free(xml);
	if (rc < 0) {
		free(*path);
		*path = NULL;
	}
	virStorageVolFree(vol);
	virStoragePoolFree(p);
	return rc;
}

int lc_virt_volume_remove(struct lc_virt *v, const char *pool, const char *name, struct lc_err *err)
{
	virStoragePoolPtr p = virStoragePoolLookupByName(v->conn, pool);
	virStorageVolPtr vol = p ? virStorageVolLookupByName(p, name) : NULL;
	int rc = 0;
	if (vol && virStorageVolDelete(vol, 0) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "volume %s: cannot delete it: %s", name,
				last_error());
	if (vol)
		virStorageVolFree(vol);
	if (p)
		virStoragePoolFree(p);
	virResetLastError();
	/* not known without a refresh: the refreshing delete finds it */
	return vol || rc < 0 ? rc : lc_virt_volume_delete(v, pool, name, NULL, err);
}

bool lc_virt_domain_busy(struct lc_virt *v, const char *name)
{
	virDomainPtr d = virDomainLookupByName(v->conn, name);
	virDomainJobInfo info;
	bool busy = d && virDomainIsActive(d) == 1 && virDomainGetJobInfo(d, &info) == 0 &&
		    info.type != VIR_DOMAIN_JOB_NONE;
	if (d)
		virDomainFree(d);
	virResetLastError();
	return busy;
}

int lc_virt_domain_sync_time(struct lc_virt *v, const char *name, struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int rc = 0;
	if (virDomainSetTime(d, (long long)now.tv_sec, (unsigned)now.tv_nsec, 0) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"domain %s: cannot set its clock through the guest agent: %s", name,
				last_error());
	virDomainFree(d);
	return rc;
}

/* ---- host devices unplugged around a save (lab-snapshot.c) ---- */

/*
 * Live only: the persistent definition keeps the device, so the next cold
 * start (and the snapshot's saved definition) still has it.
 */
int lc_virt_domain_detach_live(struct lc_virt *v, const char *name, const char *xml,
			       struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	int rc = 0;
	if (virDomainDetachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot detach a device: %s", name,
				last_error());
	virDomainFree(d);
	return rc;
}

int lc_virt_domain_attach_live(struct lc_virt *v, const char *name, const char *xml,
			       struct lc_err *err)
{
	virDomainPtr d = lookup(v, name, err);
	if (!d)
		return -1;
	int rc = 0;
	if (virDomainAttachDeviceFlags(d, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: cannot attach a device: %s", name,
				last_error());
	virDomainFree(d);
	return rc;
}
