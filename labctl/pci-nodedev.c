/*
 * The PCI inventory read from libvirt's node devices (docs/vfs.md): the XML
 * of each PCI and net device, as lc_virt_node_devices_xml fetched it, parsed
 * with libxml2 into the same struct lc_inventory the sysfs reader fills. No
 * I/O here: the texts come in, so every shape is tested on strings.
 *
 * What each field comes from: the pci capability's domain/bus/slot/function,
 * vendor and product ids, class, <iommuGroup number>, <numa node>, the
 * phys_function capability (a VF's PF), the virt_functions capability (a
 * PF: maxCount is sriov_totalvfs, its addresses are virtfn0, virtfn1, ... in
 * that order, as libvirt reads them), <driver><name>, and the name of the
 * interface of a net device whose parent is the function.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "alloc.h"
#include "pci-addr.h"
#include "pci.h"
#include "templates.h"

/* A PF's virt_functions entry: which VF is its virtfnN. */
struct vfidx {
	char addr[LC_PCI_ADDR_SIZE];
	int index;
};

/* A PCI device's libvirt name and address, to find a net device's parent. */
struct named {
	char *name;
	char addr[LC_PCI_ADDR_SIZE];
};

/* A net device: its parent's libvirt name and its interface. */
struct netdev {
	char *parent;
	char *ifname;
};

struct parse {
	struct lc_inventory *inv;
	struct vfidx *idx;
	size_t n_idx, cap_idx;
	struct named *names;
	size_t n_names, cap_names;
	struct netdev *nets;
	size_t n_nets, cap_nets;
};

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
			return c;
	return NULL;
}

/* The child element's text, trimmed, or NULL when there is none; caller frees. */
static char *child_text(xmlNodePtr n, const char *name)
{
	xmlNodePtr c = child(n, name);
	xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
	if (!t)
		return NULL;
	const char *s = (const char *)t;
	s += strspn(s, " \t\n");
	size_t l = strlen(s);
	while (l && strchr(" \t\n", s[l - 1]))
		l--;
	char *out = lc_strndup(s, l);
	xmlFree(t);
	return out;
}

static char *prop(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	char *out = v ? lc_strdup((const char *)v) : NULL;
	xmlFree(v);
	return out;
}

/*
 * A number as libvirt writes one: decimal, or hex after "0x"; the whole
 * string, at most max. -1 when it is not one.
 */
static int number(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !*s)
		return -1;
	int base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
	const char *digits = base == 16 ? s + 2 : s;
	unsigned long v = 0;
	if (!*digits)
		return -1;
	for (const char *p = digits; *p; p++) {
		int d = base == 16 ? lc_hex_digit(*p) : (*p >= '0' && *p <= '9' ? *p - '0' : -1);
		/* d above max first: max - d would wrap */
		if (d < 0 || (unsigned long)d > max ||
		    v > (max - (unsigned long)d) / (unsigned long)base)
			return -1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	*out = v;
	return 0;
}

/*
 * A required number (s, which this frees, and what names it in a message:
 * "<bus>", "vendor id"), at most max.
 */
static int need_number(char *s, const char *what, unsigned long max, unsigned long *out,
		       const char *dev, struct lc_err *err)
{
	int rc = number(s, max, out);
	if (rc < 0 && !s)
		lc_err_set(err, LC_EXIT_RUNTIME, "node device '%s': no %s", dev, what);
	else if (rc < 0)
		lc_err_set(err, LC_EXIT_RUNTIME,
			   "node device '%s': %s '%s' is not a number up to %#lx", dev, what, s,
			   max);
	free(s);
	return rc;
}

/* <address domain='0x0000' bus='0xd8' slot='0x00' function='0x2'/> */
static int address_attrs(xmlNodePtr a, char out[LC_PCI_ADDR_SIZE], const char *dev,
			 struct lc_err *err)
{
	unsigned long d, b, s, f;
	if (need_number(prop(a, "domain"), "address domain", 0xffffffffUL, &d, dev, err) < 0 ||
	    need_number(prop(a, "bus"), "address bus", 0xff, &b, dev, err) < 0 ||
	    need_number(prop(a, "slot"), "address slot", 0x1f, &s, dev, err) < 0 ||
	    need_number(prop(a, "function"), "address function", 7, &f, dev, err) < 0)
		return -1;
	struct lc_pci_addr pa = {(unsigned)d, (unsigned)b, (unsigned)s, (unsigned)f};
	lc_pci_addr_format(&pa, out);
	return 0;
}

static bool is_cap(xmlNodePtr c, const char *type)
{
	if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "capability") != 0)
		return false;
	xmlChar *t = xmlGetProp(c, BAD_CAST "type");
	bool yes = t && xmlStrcmp(t, BAD_CAST type) == 0;
	xmlFree(t);
	return yes;
}

static int parse_pci(struct parse *p, xmlNodePtr dev, xmlNodePtr cap, const char *name,
		     struct lc_err *err)
{
	unsigned long d, b, s, fn, v, id, n;
	if (need_number(child_text(cap, "domain"), "<domain>", 0xffffffffUL, &d, name, err) < 0 ||
	    need_number(child_text(cap, "bus"), "<bus>", 0xff, &b, name, err) < 0 ||
	    need_number(child_text(cap, "slot"), "<slot>", 0x1f, &s, name, err) < 0 ||
	    need_number(child_text(cap, "function"), "<function>", 7, &fn, name, err) < 0 ||
	    need_number(prop(child(cap, "vendor"), "id"), "<vendor id>", 0xffff, &v, name, err) <
		0 ||
	    need_number(prop(child(cap, "product"), "id"), "<product id>", 0xffff, &id, name, err) <
		0)
		return -1;
	struct lc_pci_fn f;
	memset(&f, 0, sizeof(f));
	struct lc_pci_addr pa = {(unsigned)d, (unsigned)b, (unsigned)s, (unsigned)fn};
	lc_pci_addr_format(&pa, f.addr);
	f.vendor = (uint16_t)v;
	f.device = (uint16_t)id;
	f.vf_index = -1;
	/* libvirt before 6.x wrote no class: then the function is nobody's NIC or bridge */
	xmlNodePtr cls = child(cap, "class");
	if (cls && need_number(child_text(cap, "class"), "<class>", 0xffffff, &n, name, err) < 0)
		return -1;
	f.class = cls ? (uint32_t)n : 0;
	xmlNodePtr g = child(cap, "iommuGroup");
	if (g &&
	    need_number(prop(g, "number"), "<iommuGroup number>", 0x7fffffff, &n, name, err) < 0)
		return -1;
	f.group = g ? (int)n : -1;
	/* no element, or -1, when the kernel does not know the node */
	xmlNodePtr numa = child(cap, "numa");
	char *node = prop(numa, "node");
	if (node && strcmp(node, "-1") == 0) {
		free(node);
		numa = NULL;
	} else if (numa && need_number(node, "<numa node>", 0x7fffffff, &n, name, err) < 0) {
		return -1;
	}
	f.numa = numa ? (int)n : -1;
	char *driver = child_text(child(dev, "driver"), "name");
	if (driver)
		snprintf(f.driver, sizeof(f.driver), "%s", driver);
	free(driver);
	for (xmlNodePtr c = cap->children; c; c = c->next) {
		if (is_cap(c, "phys_function")) {
			xmlNodePtr a = child(c, "address");
			if (!a)
				return lc_err_set(
				    err, LC_EXIT_RUNTIME,
				    "node device '%s': a phys_function with no address", name);
			if (address_attrs(a, f.physfn, name, err) < 0)
				return -1;
		} else if (is_cap(c, "virt_functions")) {
			f.sriov = true;
			/* no maxCount: an old libvirt, or a PF that offers none */
			char *max = prop(c, "maxCount");
			bool has = max != NULL;
			if (has && need_number(max, "maxCount", 0xffffffffUL, &n, name, err) < 0)
				return -1;
			f.totalvfs = has ? (unsigned)n : 0;
			for (xmlNodePtr a = c->children; a; a = a->next) {
				if (a->type != XML_ELEMENT_NODE ||
				    xmlStrcmp(a->name, BAD_CAST "address") != 0)
					continue;
				LC_GROW(p->idx, p->cap_idx, p->n_idx + 1);
				struct vfidx *x = &p->idx[p->n_idx];
				if (address_attrs(a, x->addr, name, err) < 0)
					return -1;
				x->index = (int)f.numvfs++;
				p->n_idx++;
			}
		}
	}
	LC_GROW(p->inv->fns, p->inv->cap, p->inv->n + 1);
	p->inv->fns[p->inv->n++] = f;
	LC_GROW(p->names, p->cap_names, p->n_names + 1);
	p->names[p->n_names].name = lc_strdup(name);
	memcpy(p->names[p->n_names].addr, f.addr, sizeof(f.addr));
	p->n_names++;
	return 0;
}

/* One node device's XML: a PCI function, a net device, or something else (ignored). */
static int parse_one(struct parse *p, const char *xml, size_t i, struct lc_err *err)
{
	char what[48];
	snprintf(what, sizeof(what), "node device %zu", i + 1);
	xmlDocPtr doc = lc_xml_parse(what, xml, strlen(xml), err);
	if (!doc)
		return -1;
	int rc = 0;
	xmlNodePtr dev = xmlDocGetRootElement(doc);
	char *name =
	    dev && xmlStrcmp(dev->name, BAD_CAST "device") == 0 ? child_text(dev, "name") : NULL;
	if (!dev || xmlStrcmp(dev->name, BAD_CAST "device") != 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "%s: <%s>, not a <device>", what,
				dev ? (const char *)dev->name : "");
	else if (!name || !*name)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "%s: a <device> with no <name>", what);
	for (xmlNodePtr c = rc == 0 ? dev->children : NULL; c && rc == 0; c = c->next) {
		if (is_cap(c, "pci")) {
			rc = parse_pci(p, dev, c, name, err);
		} else if (is_cap(c, "net")) {
			char *parent = child_text(dev, "parent");
			char *ifname = child_text(c, "interface");
			/* a netdev of no PCI function (a bridge, a bond) is none of ours */
			if (parent && ifname && *ifname) {
				LC_GROW(p->nets, p->cap_nets, p->n_nets + 1);
				p->nets[p->n_nets++] = (struct netdev){parent, ifname};
			} else {
				free(parent);
				free(ifname);
			}
		}
	}
	free(name);
	xmlFreeDoc(doc);
	return rc;
}

static int cmp_idx(const void *a, const void *b)
{
	return strcmp(((const struct vfidx *)a)->addr, ((const struct vfidx *)b)->addr);
}

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* The links that span devices: VF index and NUMA node from the PF, PF netdevs. */
static int link_up(struct parse *p, struct lc_err *err)
{
	struct lc_inventory *inv = p->inv;
	lc_inventory_sort(inv);
	for (size_t i = 1; i < inv->n; i++)
		if (strcmp(inv->fns[i].addr, inv->fns[i - 1].addr) == 0)
			return lc_err_set(err, LC_EXIT_RUNTIME,
					  "PCI function %s is listed by two node devices",
					  inv->fns[i].addr);
	if (p->n_idx)
		qsort(p->idx, p->n_idx, sizeof(*p->idx), cmp_idx);
	for (size_t i = 0; i < inv->n; i++) {
		struct lc_pci_fn *f = &inv->fns[i];
		if (!lc_fn_is_vf(f))
			continue;
		struct vfidx key;
		memcpy(key.addr, f->addr, sizeof(key.addr));
		struct vfidx *x =
		    p->n_idx ? bsearch(&key, p->idx, p->n_idx, sizeof(*p->idx), cmp_idx) : NULL;
		f->vf_index = x ? x->index : -1;
		/* a VF sits on its PF's NUMA node, as the sysfs reader takes it */
		const struct lc_pci_fn *pf = lc_inventory_find(inv, f->physfn);
		if (pf)
			f->numa = pf->numa;
	}
	if (p->n_names)
		qsort(p->names, p->n_names, sizeof(*p->names), cmp_named);
	for (size_t i = 0; i < p->n_nets; i++) {
		struct named key = {p->nets[i].parent, ""};
		struct named *nm =
		    p->n_names ? bsearch(&key, p->names, p->n_names, sizeof(*p->names), cmp_named)
			       : NULL;
		/* addresses are unique by now, and fns does not move: find is a pointer into it */
		struct lc_pci_fn *f =
		    nm ? (struct lc_pci_fn *)lc_inventory_find(inv, nm->addr) : NULL;
		/* a VF's own netdev is not reported, as in sysfs; of several, the first by name */
		if (!f || lc_fn_is_vf(f))
			continue;
		if (!f->netdev[0] || strcmp(p->nets[i].ifname, f->netdev) < 0)
			snprintf(f->netdev, sizeof(f->netdev), "%s", p->nets[i].ifname);
	}
	return 0;
}

static void parse_release(struct parse *p)
{
	free(p->idx);
	for (size_t i = 0; i < p->n_names; i++)
		free(p->names[i].name);
	free(p->names);
	for (size_t i = 0; i < p->n_nets; i++) {
		free(p->nets[i].parent);
		free(p->nets[i].ifname);
	}
	free(p->nets);
}

/* One thread's share of the documents, parsed into its own lists. */
struct chunk {
	pthread_t tid;
	const char *const *xmls;
	size_t first, n;
	struct lc_inventory inv;
	struct parse p;
	struct lc_err err;
	int rc;
};

static void *parse_chunk(void *arg)
{
	struct chunk *c = arg;
	c->p.inv = &c->inv;
	for (size_t i = 0; i < c->n && c->rc == 0; i++)
		c->rc = parse_one(&c->p, c->xmls[c->first + i], c->first + i, &c->err);
	return NULL;
}

/* Append src's n elements of size sz to *dst (*n_dst of *cap), which takes them over. */
static void append(void *dst, size_t *n_dst, size_t *cap, const void *src, size_t n, size_t sz)
{
	if (!n)
		return;
	lc_grow(dst, cap, *n_dst + n, sz);
	memcpy((char *)*(void **)dst + *n_dst * sz, src, n * sz);
	*n_dst += n;
}

/*
 * Parsing is most of the time on a host of thousands of VFs (about 20 us a
 * document), and the documents are independent: shared out to one thread
 * per CPU, as the sysfs reader does, then merged in document order.
 */
static size_t n_threads(size_t n_docs)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n_docs < 512 || cpus < 2)
		return 1;
	return cpus > 8 ? 8 : (size_t)cpus;
}

int lc_inventory_nodedev_parse(const char *const *xmls, size_t n, struct lc_inventory *inv,
			       struct lc_err *err)
{
	size_t nt = n_threads(n), per = (n + nt - 1) / (nt ? nt : 1);
	struct chunk *cs = lc_calloc(nt, sizeof(*cs));
	for (size_t i = 0; i < nt; i++) {
		struct chunk *c = &cs[i];
		c->xmls = xmls;
		c->first = i * per < n ? i * per : n;
		c->n = c->first + per <= n ? per : n - c->first;
		c->err = (struct lc_err)LC_ERR_INIT;
		if (nt == 1 || pthread_create(&c->tid, NULL, parse_chunk, c) != 0) {
			parse_chunk(c);
			c->tid = 0;
		}
	}
	struct parse p;
	memset(&p, 0, sizeof(p));
	p.inv = inv;
	int rc = 0;
	for (size_t i = 0; i < nt; i++) {
		struct chunk *c = &cs[i];
		if (c->tid)
			pthread_join(c->tid, NULL);
		/* the first document's error in order, whichever thread met it first */
		if (c->rc < 0 && rc == 0) {
			lc_err_move(err, &c->err);
			rc = -1;
		}
		lc_err_release(&c->err);
		append(&inv->fns, &inv->n, &inv->cap, c->inv.fns, c->inv.n, sizeof(*inv->fns));
		append(&p.idx, &p.n_idx, &p.cap_idx, c->p.idx, c->p.n_idx, sizeof(*p.idx));
		append(&p.names, &p.n_names, &p.cap_names, c->p.names, c->p.n_names,
		       sizeof(*p.names));
		append(&p.nets, &p.n_nets, &p.cap_nets, c->p.nets, c->p.n_nets, sizeof(*p.nets));
		/* the elements moved: only the arrays go */
		free(c->inv.fns);
		free(c->p.idx);
		free(c->p.names);
		free(c->p.nets);
	}
	free(cs);
	if (rc == 0)
		rc = link_up(&p, err);
	if (rc < 0) {
		lc_err_prefix(err, "PCI inventory from libvirt: ");
		lc_inventory_release(inv);
	}
	parse_release(&p);
	return rc;
}

static int load_nodedev(const struct lc_inventory_source *src, struct lc_inventory *inv,
			struct lc_err *err)
{
	const struct lc_strv *xmls = src->ctx;
	return lc_inventory_nodedev_parse((const char *const *)xmls->v, xmls->n, inv, err);
}

void lc_inventory_nodedev_source(const struct lc_strv *xmls, struct lc_inventory_source *src)
{
	src->name = "libvirt";
	src->load = load_nodedev;
	src->ctx = xmls;
}
