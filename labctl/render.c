/* Domain, network and volume XML through libxml2's tree API; see render.h. */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "buf.h"
#include "inet.h"
#include "isotime.h"
#include "mac.h"
#include "render.h"
#include "seed.h"
#include "sha256.h"
#include "tweak.h"

/* ---- small tree helpers: every text reaches the tree as a text node ---- */

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
			return c;
	return NULL;
}

static xmlNodePtr add_el(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n = xmlNewDocNode(parent->doc, NULL, BAD_CAST name, NULL);
	if (text)
		xmlAddChild(n, xmlNewDocText(parent->doc, BAD_CAST text));
	return xmlAddChild(parent, n);
}

static xmlNodePtr ensure(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c = child(parent, name);
	return c ? c : add_el(parent, name, NULL);
}

static void clear_children(xmlNodePtr n)
{
	while (n->children) {
		xmlNodePtr c = n->children;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
}

static void set_text(xmlNodePtr n, const char *text)
{
	clear_children(n);
	xmlAddChild(n, xmlNewDocText(n->doc, BAD_CAST text));
}

static void set_attr(xmlNodePtr n, const char *name, const char *value)
{
	xmlSetProp(n, BAD_CAST name, BAD_CAST value);
}

static void set_attr_u(xmlNodePtr n, const char *name, unsigned long long v)
{
	char s[32];
	snprintf(s, sizeof(s), "%llu", v);
	set_attr(n, name, s);
}

static void remove_node(xmlNodePtr n)
{
	if (!n)
		return;
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* A template's own comments explain the template, not the rendered object. */
static void drop_top_comments(xmlDocPtr doc)
{
	for (xmlNodePtr c = doc->children, next; c; c = next) {
		next = c->next;
		if (c->type == XML_COMMENT_NODE)
			remove_node(c);
	}
}

static bool attr_is(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	bool eq = v && xmlStrEqual(v, BAD_CAST value);
	xmlFree(v);
	return eq;
}

/* ---- names ---- */

char *lc_render_log_volume_name(const struct lc_topology *t, const struct lc_node *n)
{
	return lc_asprintf("%s-%s.log", t->name.v, n->name);
}

/* Where the node's host has an image's part: the cache here, or its pool there. */
static char *image_part_path(const struct lc_render_ctx *rc, const struct lc_image *img,
			     const char *part)
{
	if (!rc->site)
		return lc_image_cache_path(rc->cache_dir, img, part);
	const char *p = rc->site->image_path(rc->site->ctx, img, part);
	return lc_strdup(p ? p : "");
}

char *lc_domain_name(const struct lc_topology *t, const struct lc_node *n)
{
	return lc_asprintf("%s-%s", t->name.v, n->name);
}

char *lc_network_name(const struct lc_topology *t, const struct lc_network *net)
{
	return lc_asprintf("%s-%s", t->name.v, net->name.v);
}

size_t lc_render_n_volumes(const struct lc_node *n)
{
	return 1 + n->n_disks;
}

char *lc_render_volume_name(const struct lc_topology *t, const struct lc_node *n, size_t i)
{
	if (i == 0)
		return lc_asprintf("%s-%s.qcow2", t->name.v, n->name);
	return lc_asprintf("%s-%s-disk%zu.qcow2", t->name.v, n->name, i);
}

static bool use_kvm(const struct lc_render_ctx *rc, const struct lc_node *n)
{
	if (n->accel == LC_ACCEL_KVM)
		return true;
	if (n->accel == LC_ACCEL_TCG)
		return false;
	return rc->facts->kvm;
}

const char *lc_render_domain_type(const struct lc_render_ctx *rc, const struct lc_node *n)
{
	return use_kvm(rc, n) ? "kvm" : "qemu";
}

const char *lc_render_virt_flag(const struct lc_render_ctx *rc, const struct lc_node *n)
{
	/* TCG emulates AMD's SVM, not Intel's VMX */
	if (!use_kvm(rc, n))
		return "svm";
	switch (rc->facts->vendor) {
	case LC_VENDOR_INTEL:
		return "vmx";
	case LC_VENDOR_AMD:
		return "svm";
	default:
		return NULL;
	}
}

/* ---- domain parts ---- */

static void render_os(const struct lc_render_ctx *rc, const struct lc_node *n, xmlNodePtr root)
{
	xmlNodePtr os = ensure(root, "os");
	if (n->firmware_str.v) {
		xmlNodePtr fw = child(os, "firmware");
		remove_node(fw);
		xmlNodePtr loader = child(os, "loader");
		if (n->firmware == LC_FW_BIOS) {
			xmlUnsetProp(os, BAD_CAST "firmware");
			remove_node(loader);
			remove_node(child(os, "nvram"));
		} else {
			set_attr(os, "firmware", "efi");
			bool secure = n->firmware == LC_FW_UEFI_SECURE;
			fw = add_el(os, "firmware", NULL);
			xmlNodePtr f = add_el(fw, "feature", NULL);
			set_attr(f, "enabled", secure ? "yes" : "no");
			set_attr(f, "name", "secure-boot");
			if (secure) {
				f = add_el(fw, "feature", NULL);
				set_attr(f, "enabled", "yes");
				set_attr(f, "name", "enrolled-keys");
				set_attr(ensure(os, "loader"), "secure", "yes");
				xmlNodePtr smm = ensure(ensure(root, "features"), "smm");
				set_attr(smm, "state", "on");
			} else if (loader) {
				xmlUnsetProp(loader, BAD_CAST "secure");
			}
		}
	}
	const char *kernel = n->boot_kernel.v, *initrd = n->boot_initrd.v;
	const char *cmdline = n->boot_cmdline.v;
	char *kpath = NULL, *ipath = NULL;
	const struct lc_image *img = n->image.v ? lc_catalog_find(rc->catalog, n->image.v) : NULL;
	/* an image that boots from its disk (a boot loader of its own) gets no kernel */
	if (!kernel && img && lc_image_boots_kernel(img)) {
		kernel = kpath = image_part_path(rc, img, "kernel");
		if (img->initrd.url.v)
			initrd = ipath = image_part_path(rc, img, "initrd");
		if (!cmdline)
			cmdline = img->cmdline.v;
	}
	if (kernel) {
		for (xmlNodePtr b; (b = child(os, "boot"));)
			remove_node(b);
		set_text(ensure(os, "kernel"), kernel);
		if (initrd)
			set_text(ensure(os, "initrd"), initrd);
		/* the node's name on its command line lets a tiny image say who it is */
		char *cl = lc_asprintf("%s%slabctl.node=%s", cmdline ? cmdline : "",
				       cmdline && *cmdline ? " " : "", n->name);
		set_text(ensure(os, "cmdline"), cl);
		free(cl);
	}
	free(kpath);
	free(ipath);
}

static void render_cpu(const struct lc_render_ctx *rc, const struct lc_node *n, xmlNodePtr root)
{
	xmlNodePtr cpu = ensure(root, "cpu");
	const char *flag = lc_render_virt_flag(rc, n);
	bool kvm = use_kvm(rc, n);
	const char *want = n->cpu.v;
	const char *model = NULL;
	if (!kvm) {
		/* TCG has no host CPU to pass through: a named model it emulates */
		model = want && strncmp(want, "host-", 5) != 0 ? want : "qemu64";
		set_attr(cpu, "mode", "custom");
	} else if (want && strcmp(want, "host-passthrough") != 0 &&
		   strcmp(want, "host-model") != 0) {
		model = want;
		set_attr(cpu, "mode", "custom");
	} else if (want) {
		set_attr(cpu, "mode", want);
	} else if (!xmlHasProp(cpu, BAD_CAST "mode")) {
		set_attr(cpu, "mode", "host-passthrough");
	}
	xmlNodePtr m = child(cpu, "model");
	if (model) {
		set_attr(cpu, "match", "exact");
		xmlUnsetProp(cpu, BAD_CAST "migratable");
		if (!m) {
			m = xmlNewDocNode(cpu->doc, NULL, BAD_CAST "model", NULL);
			/* <model> comes before <feature> in libvirt's own output */
			if (cpu->children)
				xmlAddPrevSibling(cpu->children, m);
			else
				xmlAddChild(cpu, m);
		}
		set_text(m, model);
		set_attr(m, "fallback", "forbid");
	} else {
		remove_node(m);
		xmlUnsetProp(cpu, BAD_CAST "match");
	}
	/* the virt flags are labctl's to decide: drop the template's */
	for (xmlNodePtr c = cpu->children, next; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "feature") &&
		    (attr_is(c, "name", "vmx") || attr_is(c, "name", "svm") ||
		     (!kvm && attr_is(c, "name", "npt"))))
			remove_node(c);
	}
	if (flag) {
		xmlNodePtr f = add_el(cpu, "feature", NULL);
		set_attr(f, "policy", lc_node_nested(n) ? "require" : "disable");
		set_attr(f, "name", flag);
	}
	/*
	 * qemu64 has no nested paging: without it Debian's Xen (built without
	 * shadow paging) runs only PV guests, and KVM L2s fall back to shadow
	 * MMU. Under KVM the host's CPU decides, as with the flag itself.
	 */
	if (!kvm && flag && lc_node_nested(n)) {
		xmlNodePtr f = add_el(cpu, "feature", NULL);
		set_attr(f, "policy", "require");
		set_attr(f, "name", "npt");
	}
}

static void render_features(const struct lc_render_ctx *rc, const struct lc_node *n,
			    xmlNodePtr root)
{
	xmlNodePtr features = child(root, "features");
	xmlNodePtr hv = child(features, "hyperv");
	/* enlightened VMCS exists only on Intel hardware under KVM */
	if (hv && !(use_kvm(rc, n) && rc->facts->vendor == LC_VENDOR_INTEL))
		remove_node(child(hv, "evmcs"));
	if (n->viommu.v) {
		features = ensure(root, "features");
		set_attr(ensure(features, "ioapic"), "driver", "qemu");
	}
}

/* vda, vdb, ... vdz, vdaa: the kernel's own disk naming */
static char *target_dev(const char *prefix, unsigned i)
{
	char suffix[8];
	int len = 0;
	char rev[8];
	unsigned x = i + 1;
	while (x && len < 7) {
		x--;
		rev[len++] = (char)('a' + x % 26);
		x /= 26;
	}
	for (int j = 0; j < len; j++)
		suffix[j] = rev[len - 1 - j];
	suffix[len] = '\0';
	return lc_asprintf("%s%s", prefix, suffix);
}

struct disk_names {
	unsigned vd, sd;
};

static void set_target(xmlNodePtr disk, struct disk_names *dn)
{
	xmlNodePtr target = ensure(disk, "target");
	xmlChar *bus = xmlGetProp(target, BAD_CAST "bus");
	bool virtio = bus && xmlStrEqual(bus, BAD_CAST "virtio");
	xmlFree(bus);
	char *dev = virtio ? target_dev("vd", dn->vd++) : target_dev("sd", dn->sd++);
	set_attr(target, "dev", dev);
	free(dev);
}

static void render_disks(const struct lc_render_ctx *rc, const struct lc_node *n,
			 xmlNodePtr devices)
{
	xmlNodePtr proto = NULL, cdproto = NULL;
	for (xmlNodePtr c = devices->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "disk"))
			continue;
		if (!proto && attr_is(c, "device", "disk"))
			proto = c;
		else if (!cdproto && attr_is(c, "device", "cdrom"))
			cdproto = c;
	}
	struct disk_names dn = {0, 0};
	for (size_t i = 0; proto && i < lc_render_n_volumes(n); i++) {
		xmlNodePtr d = xmlDocCopyNode(proto, proto->doc, 1);
		xmlAddPrevSibling(proto, d);
		set_attr(d, "type", "volume");
		xmlNodePtr src = ensure(d, "source");
		xmlUnsetProp(src, BAD_CAST "file");
		xmlUnsetProp(src, BAD_CAST "dev");
		char *vol = lc_render_volume_name(rc->t, n, i);
		set_attr(src, "pool", rc->t->storage_pool.v);
		set_attr(src, "volume", vol);
		free(vol);
		xmlNodePtr drv = ensure(d, "driver");
		set_attr(drv, "name", "qemu");
		set_attr(drv, "type", "qcow2");
		set_target(d, &dn);
	}
	if (n->cdrom.v) {
		xmlNodePtr cd;
		if (cdproto) {
			cd = xmlDocCopyNode(cdproto, cdproto->doc, 1);
			xmlAddPrevSibling(cdproto, cd);
		} else {
			cd = add_el(devices, "disk", NULL);
			set_attr(cd, "type", "file");
			set_attr(cd, "device", "cdrom");
			set_attr(ensure(cd, "driver"), "name", "qemu");
			set_attr(ensure(cd, "target"), "bus", "sata");
			add_el(cd, "readonly", NULL);
		}
		set_attr(cd, "type", "file");
		set_attr(ensure(cd, "driver"), "type", "raw");
		xmlNodePtr src = ensure(cd, "source");
		set_attr(src, "file", n->cdrom.v);
		set_target(cd, &dn);
	}
	if (lc_node_takes_seed(rc->catalog, n)) {
		/* cloud-init's NoCloud seed, read-only on SATA, which every template's q35 has */
		xmlNodePtr cd = add_el(devices, "disk", NULL);
		set_attr(cd, "type", "volume");
		set_attr(cd, "device", "cdrom");
		xmlNodePtr drv = add_el(cd, "driver", NULL);
		set_attr(drv, "name", "qemu");
		set_attr(drv, "type", "raw");
		xmlNodePtr src = add_el(cd, "source", NULL);
		char *vol = lc_seed_volume_name(rc->t, n);
		set_attr(src, "pool", rc->t->storage_pool.v);
		set_attr(src, "volume", vol);
		free(vol);
		xmlNodePtr target = add_el(cd, "target", NULL);
		set_attr(target, "bus", "sata");
		add_el(cd, "readonly", NULL);
		set_target(cd, &dn);
	}
	remove_node(proto);
	remove_node(cdproto);
}

static void render_nics(const struct lc_render_ctx *rc, const struct lc_node *n, xmlNodePtr devices)
{
	xmlNodePtr proto = child(devices, "interface");
	for (size_t i = 0; i < n->networks.n; i++) {
		xmlNodePtr nic;
		if (proto) {
			nic = xmlDocCopyNode(proto, proto->doc, 1);
			xmlAddPrevSibling(proto, nic);
		} else {
			nic = add_el(devices, "interface", NULL);
			set_attr(ensure(nic, "model"), "type", "virtio");
		}
		set_attr(nic, "type", "network");
		const struct lc_network *net = lc_topology_network(rc->t, n->networks.v[i].v);
		char *netname = net ? lc_network_name(rc->t, net) : lc_strdup(n->networks.v[i].v);
		xmlNodePtr src = ensure(nic, "source");
		xmlUnsetProp(src, BAD_CAST "bridge");
		set_attr(src, "network", netname);
		free(netname);
		char mac[18];
		lc_mac_derive(rc->t->name.v, n->name, "net", (unsigned)i, mac);
		set_attr(ensure(nic, "mac"), "address", mac);
	}
	remove_node(proto);
}

static void pci_source(xmlNodePtr parent, const struct lc_hostdev *h)
{
	xmlNodePtr a = add_el(ensure(parent, "source"), "address", NULL);
	/* an <interface type='hostdev'> must say its address is PCI; a <hostdev> must not */
	if (h->nic)
		set_attr(a, "type", "pci");
	char v[16];
	snprintf(v, sizeof(v), "0x%04x", h->dom);
	set_attr(a, "domain", v);
	snprintf(v, sizeof(v), "0x%02x", h->bus);
	set_attr(a, "bus", v);
	snprintf(v, sizeof(v), "0x%02x", h->slot);
	set_attr(a, "slot", v);
	snprintf(v, sizeof(v), "0x%x", h->fn);
	set_attr(a, "function", v);
}

static void render_hostdevs(const struct lc_hostdev *hd, size_t n_hd, xmlNodePtr devices)
{
	for (size_t i = 0; i < n_hd; i++) {
		const struct lc_hostdev *h = &hd[i];
		xmlNodePtr e;
		if (h->nic) {
			/* never a bare <hostdev> for a NIC: the MAC and VLAN must be the host's to
			 * set */
			e = add_el(devices, "interface", NULL);
			set_attr(e, "type", "hostdev");
			set_attr(e, "managed", "yes");
			set_attr(add_el(e, "mac", NULL), "address", h->mac);
			set_attr(add_el(e, "driver", NULL), "name", "vfio");
			pci_source(e, h);
			if (h->vlan)
				set_attr_u(add_el(add_el(e, "vlan", NULL), "tag", NULL), "id",
					   h->vlan);
		} else {
			e = add_el(devices, "hostdev", NULL);
			set_attr(e, "mode", "subsystem");
			set_attr(e, "type", "pci");
			set_attr(e, "managed", "yes");
			set_attr(add_el(e, "driver", NULL), "name", "vfio");
			pci_source(e, h);
		}
	}
}

/*
 * The QEMU guest agent's virtio channel, only for an image whose catalog
 * entry says it runs the agent: nodes of other images render as before
 * (their rendered-sha256 unchanged). libvirt names the host end itself.
 */
static void render_agent(const struct lc_render_ctx *rc, const struct lc_node *n,
			 xmlNodePtr devices)
{
	const struct lc_image *img =
	    n->image.v && rc->catalog ? lc_catalog_find(rc->catalog, n->image.v) : NULL;
	if (!img || !img->guest_agent)
		return;
	for (xmlNodePtr c = devices->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "channel"))
			for (xmlNodePtr t = c->children; t; t = t->next)
				if (t->type == XML_ELEMENT_NODE &&
				    xmlStrEqual(t->name, BAD_CAST "target")) {
					xmlChar *name = xmlGetProp(t, BAD_CAST "name");
					bool agent = name && xmlStrEqual(name, BAD_CAST
									 "org.qemu.guest_agent.0");
					xmlFree(name);
					if (agent)
						return; /* a template or an xml: tweak has it
							   already */
				}
	xmlNodePtr ch = add_el(devices, "channel", NULL);
	set_attr(ch, "type", "unix");
	xmlNodePtr tgt = add_el(ch, "target", NULL);
	set_attr(tgt, "type", "virtio");
	set_attr(tgt, "name", "org.qemu.guest_agent.0");
}

static void render_serial(const struct lc_render_ctx *rc, const struct lc_node *n,
			  xmlNodePtr devices)
{
	xmlNodePtr serial = child(devices, "serial");
	if (!serial) {
		serial = add_el(devices, "serial", NULL);
		set_attr(serial, "type", "pty");
		set_attr(add_el(serial, "target", NULL), "port", "0");
	}
	xmlNodePtr log = ensure(serial, "log");
	char *path;
	if (rc->site) {
		/* a volume of the node's pool there: up reads it through the storage API */
		char *vol = lc_render_log_volume_name(rc->t, n);
		path = lc_asprintf("%s/%s", rc->site->pool_dir, vol);
		free(vol);
	} else {
		path = lc_asprintf("%s/labs/%s/%s.log", rc->state_dir, rc->t->name.v, n->name);
	}
	set_attr(log, "file", path);
	set_attr(log, "append", "off");
	free(path);
	if (!child(devices, "console")) {
		xmlNodePtr con = add_el(devices, "console", NULL);
		set_attr(con, "type", "pty");
		xmlNodePtr tgt = add_el(con, "target", NULL);
		set_attr(tgt, "type", "serial");
		set_attr(tgt, "port", "0");
	}
}

/* Fails when created or expires (now + ttl) cannot be written as an ISO 8601 date. */
static int render_metadata(const struct lc_render_ctx *rc, const struct lc_node *n, xmlNodePtr root,
			   struct lc_err *err)
{
	xmlNodePtr md = ensure(root, "metadata");
	for (xmlNodePtr c = md->children, next; c; c = next) {
		next = c->next;
		if (c->ns && xmlStrEqual(c->ns->href, BAD_CAST LC_XMLNS))
			remove_node(c);
	}
	xmlNodePtr e = xmlNewDocNode(root->doc, NULL, BAD_CAST "node", NULL);
	xmlAddChild(md, e);
	xmlNsPtr ns = xmlNewNs(e, BAD_CAST LC_XMLNS, BAD_CAST LC_XMLNS_PREFIX);
	xmlSetNs(e, ns);
	set_attr(e, "lab", rc->t->name.v);
	set_attr(e, "node", n->name);
	set_attr(e, "kind", n->kind.v);
	set_attr(e, "topology-sha256", rc->t->sha256);
	char ts[LC_ISO8601_SIZE];
	if (lc_iso8601(rc->now, ts) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "the clock (%lld) is past the year 9999",
				  (long long)rc->now);
	set_attr(e, "created", ts);
	if (rc->t->ttl_s.set) {
		uint64_t ttl = rc->t->ttl_s.v;
		/* the bound keeps now + ttl from overflowing time_t */
		if (ttl > (uint64_t)10000 * 366 * 86400 ||
		    lc_iso8601(rc->now + (time_t)ttl, ts) < 0) {
			lc_err_set(err, LC_EXIT_USAGE,
				   "\"ttl\": %llus from now is past the year 9999",
				   (unsigned long long)ttl);
			lc_err_prefix_at(err, rc->t->ttl_s.at, "topology: ");
			return -1;
		}
		set_attr(e, "expires", ts);
	} else {
		set_attr(e, "expires", "");
	}
	/* planned addresses, so status and inventory know them without the topology */
	for (size_t i = 0; rc->addrs && i < rc->addrs->n; i++) {
		const struct lc_addr *a = &rc->addrs->v[i];
		if (a->node != n || !a->ip[0])
			continue;
		xmlNodePtr nic = xmlNewDocNode(root->doc, ns, BAD_CAST "nic", NULL);
		xmlAddChild(e, nic);
		set_attr(nic, "network", a->net->name.v);
		set_attr(nic, "mac", a->mac);
		set_attr(nic, "ip", a->ip);
	}
	return 0;
}

/* labctl's element (node or network) in an object's metadata, or NULL. */
static xmlNodePtr own_element(xmlNodePtr root, const char *name)
{
	xmlNodePtr md = child(root, "metadata");
	for (xmlNodePtr c = md ? md->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns &&
		    xmlStrEqual(c->ns->href, BAD_CAST LC_XMLNS) &&
		    xmlStrEqual(c->name, BAD_CAST name))
			return c;
	return NULL;
}

/* labctl's element in a domain's metadata, or NULL (a tweak may have removed it). */
static xmlNodePtr own_metadata(xmlNodePtr root)
{
	return own_element(root, "node");
}

/* rendered-sha256 into e: the sum of the document without e. */
static void stamp(xmlDocPtr doc, xmlNodePtr e)
{
	xmlNodePtr parent = e->parent, next = e->next;
	xmlUnlinkNode(e);
	char *text = lc_xml_format(doc);
	char hex[65];
	lc_sha256_buf_hex(text, strlen(text), hex);
	free(text);
	if (next)
		xmlAddPrevSibling(next, e);
	else
		xmlAddChild(parent, e);
	set_attr(e, "rendered-sha256", hex);
}

/*
 * The element's created time differs on every run, so it is left out: up
 * compares the sum with the defined domain's to find the nodes whose XML
 * would change, and only those.
 */
void lc_render_stamp_sha256(xmlDocPtr doc)
{
	xmlNodePtr e = own_metadata(xmlDocGetRootElement(doc));
	if (e)
		stamp(doc, e);
}

char *lc_render_domain_sha256(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr e = own_metadata(root);
	if (!e)
		e = own_element(root, "network");
	xmlChar *v = e ? xmlGetProp(e, BAD_CAST "rendered-sha256") : NULL;
	char *out = lc_strdup((const char *)v);
	xmlFree(v);
	return out;
}

/*
 * What the tweaks must leave alone (tweak.c refuses what would reach it;
 * this re-check after each one keeps the promise whatever a tweak did):
 * the name, and labctl's ownership element, by which down finds the domain.
 */
static bool owned_intact(const struct lc_render_ctx *rc, const struct lc_node *n, xmlNodePtr root)
{
	xmlNodePtr name = child(root, "name"), e = own_metadata(root);
	if (!name || !e)
		return false;
	char *want = lc_domain_name(rc->t, n);
	xmlChar *got = xmlNodeGetContent(name);
	bool ok = got && xmlStrEqual(got, BAD_CAST want) && attr_is(e, "lab", rc->t->name.v) &&
		  attr_is(e, "node", n->name);
	xmlFree(got);
	free(want);
	return ok;
}

/* After tweaks: attributes libvirt refuses for the CPU mode a tweak chose. */
static void normalize_cpu(xmlNodePtr root)
{
	xmlNodePtr cpu = child(root, "cpu");
	if (cpu && !attr_is(cpu, "mode", "host-passthrough") && !attr_is(cpu, "mode", "maximum"))
		xmlUnsetProp(cpu, BAD_CAST "migratable");
}

xmlDocPtr lc_render_domain(const struct lc_render_ctx *rc, const struct lc_node *n, xmlDocPtr tmpl,
			   const struct lc_hostdev *hostdevs, size_t n_hostdevs, struct lc_err *err)
{
	xmlNodePtr troot = tmpl ? xmlDocGetRootElement(tmpl) : NULL;
	if (!troot || !xmlStrEqual(troot->name, BAD_CAST "domain")) {
		if (n->template_path.v) {
			lc_err_set(err, LC_EXIT_USAGE, "template '%s' is not a <domain> document",
				   n->template_path.v);
			lc_err_prefix_at(err, n->template_path.at, "node \"%s\": ", n->name);
		} else
			lc_err_set(err, LC_EXIT_RUNTIME,
				   "node \"%s\": template of kind \"%s\" is not a "
				   "<domain> document",
				   n->name, n->kind.v);
		return NULL;
	}
	xmlDocPtr doc = xmlCopyDoc(tmpl, 1);
	drop_top_comments(doc);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	set_attr(root, "type", lc_render_domain_type(rc, n));
	char *name = lc_domain_name(rc->t, n);
	set_text(ensure(root, "name"), name);
	free(name);
	remove_node(child(root, "uuid"));
	xmlNodePtr mem = ensure(root, "memory");
	set_attr(mem, "unit", "KiB");
	char num[32];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)n->memory_kib.v);
	set_text(mem, num);
	xmlNodePtr cur = child(root, "currentMemory");
	if (cur) {
		set_attr(cur, "unit", "KiB");
		set_text(cur, num);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)n->vcpus.v);
	set_text(ensure(root, "vcpu"), num);
	render_os(rc, n, root);
	render_features(rc, n, root);
	render_cpu(rc, n, root);
	xmlNodePtr devices = ensure(root, "devices");
	render_disks(rc, n, devices);
	render_nics(rc, n, devices);
	render_hostdevs(hostdevs, n_hostdevs, devices);
	render_serial(rc, n, devices);
	render_agent(rc, n, devices);
	if (n->viommu.v && !child(devices, "iommu")) {
		xmlNodePtr io = add_el(devices, "iommu", NULL);
		set_attr(io, "model", "intel");
		xmlNodePtr drv = add_el(io, "driver", NULL);
		set_attr(drv, "intremap", "on");
		set_attr(drv, "caching_mode", "on");
	}
	if (render_metadata(rc, n, root, err) < 0) {
		xmlFreeDoc(doc);
		return NULL;
	}
	for (size_t i = 0; i < n->n_xml; i++) {
		if (lc_tweak_apply(doc, &n->xml[i], err) < 0 ||
		    (xmlDocGetRootElement(doc) != root || !owned_intact(rc, n, root))) {
			lc_err_set(err, LC_EXIT_USAGE,
				   "xml %s: \"%s\" changed the domain's name or labctl's ownership "
				   "metadata",
				   lc_tweak_op_name(n->xml[i].op), n->xml[i].xpath.v);
			lc_err_prefix_at(err, n->xml[i].at, "node \"%s\": ", n->name);
			xmlFreeDoc(doc);
			return NULL;
		}
	}
	normalize_cpu(root);
	lc_render_stamp_sha256(doc);
	return doc;
}

/* ---- networks ---- */

xmlDocPtr lc_render_network(const struct lc_render_ctx *rc, const struct lc_network *net,
			    xmlDocPtr tmpl, struct lc_err *err)
{
	xmlNodePtr troot = tmpl ? xmlDocGetRootElement(tmpl) : NULL;
	if (!troot || !xmlStrEqual(troot->name, BAD_CAST "network")) {
		lc_err_set(err, LC_EXIT_RUNTIME,
			   "network \"%s\": template of mode \"%s\" is not a <network> document",
			   net->name.v, net->mode_str.v);
		return NULL;
	}
	xmlDocPtr doc = xmlCopyDoc(tmpl, 1);
	drop_top_comments(doc);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char *name = lc_network_name(rc->t, net);
	set_text(ensure(root, "name"), name);
	free(name);
	remove_node(child(root, "uuid"));
	xmlNodePtr ip = child(root, "ip");
	struct lc_subnet_plan sp;
	if (net->mode == LC_NET_BRIDGE) {
		remove_node(ip);
		set_attr(ensure(root, "bridge"), "name", net->bridge.v);
	} else if (!lc_subnet_plan(net->subnet.v, &sp)) {
		remove_node(ip);
	} else {
		if (!ip)
			ip = add_el(root, "ip", NULL);
		clear_children(ip);
		uint32_t netaddr;
		unsigned prefix;
		lc_parse_cidr(net->subnet.v, &netaddr, &prefix);
		char s[16];
		lc_format_ipv4(sp.gateway, s);
		set_attr(ip, "address", s);
		set_attr_u(ip, "prefix", prefix);
		xmlNodePtr dhcp = add_el(ip, "dhcp", NULL);
		xmlNodePtr range = add_el(dhcp, "range", NULL);
		lc_format_ipv4(sp.dyn_lo, s);
		set_attr(range, "start", s);
		lc_format_ipv4(sp.dyn_hi, s);
		set_attr(range, "end", s);
		/* each planned address: handed out by MAC, and known to the network's DNS */
		xmlNodePtr dns = NULL;
		for (size_t i = 0; rc->addrs && i < rc->addrs->n; i++) {
			const struct lc_addr *a = &rc->addrs->v[i];
			if (a->net != net || !a->ip[0])
				continue;
			xmlNodePtr h = add_el(dhcp, "host", NULL);
			set_attr(h, "mac", a->mac);
			set_attr(h, "name", a->node->name);
			set_attr(h, "ip", a->ip);
			if (!dns) {
				dns = xmlNewDocNode(doc, NULL, BAD_CAST "dns", NULL);
				xmlAddPrevSibling(ip, dns);
			}
			xmlNodePtr dh = add_el(dns, "host", NULL);
			set_attr(dh, "ip", a->ip);
			add_el(dh, "hostname", a->node->name);
		}
	}
	xmlNodePtr md = ensure(root, "metadata");
	xmlNodePtr e = xmlNewDocNode(doc, NULL, BAD_CAST "network", NULL);
	xmlAddChild(md, e);
	xmlSetNs(e, xmlNewNs(e, BAD_CAST LC_XMLNS, BAD_CAST LC_XMLNS_PREFIX));
	set_attr(e, "lab", rc->t->name.v);
	set_attr(e, "network", net->name.v);
	set_attr(e, "topology-sha256", rc->t->sha256);
	/* up compares it with the defined network's, as it does for domains */
	stamp(doc, e);
	return doc;
}

/* ---- volumes ---- */

xmlDocPtr lc_render_volume(const struct lc_render_ctx *rc, const struct lc_node *n, size_t i,
			   struct lc_err *err)
{
	const struct lc_image *img = NULL;
	if (i == 0 && n->image.v) {
		img = lc_catalog_find(rc->catalog, n->image.v);
		if (!img) {
			lc_err_set(err, LC_EXIT_USAGE, "node \"%s\": unknown image \"%s\"", n->name,
				   n->image.v);
			return NULL;
		}
	}
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
	xmlDocSetRootElement(doc, root);
	set_attr(root, "type", "file");
	char *name = lc_render_volume_name(rc->t, n, i);
	add_el(root, "name", name);
	free(name);
	char num[32];
	uint64_t cap = i == 0 ? n->disk_bytes.v : n->disks[i - 1].v;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)cap);
	set_attr(add_el(root, "capacity", num), "unit", "bytes");
	set_attr(add_el(add_el(root, "target", NULL), "format", NULL), "type", "qcow2");
	/* an overlay on the cached base: O(1) whatever the base's size */
	if (img && img->disk.url.v) {
		char *path = image_part_path(rc, img, "disk");
		xmlNodePtr bs = add_el(root, "backingStore", NULL);
		add_el(bs, "path", path);
		set_attr(add_el(bs, "format", NULL), "type",
			 img->format == LC_IMG_RAW ? "raw" : "qcow2");
		free(path);
	}
	return doc;
}

xmlDocPtr lc_render_raw_volume(const char *name, uint64_t bytes)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
	xmlDocSetRootElement(doc, root);
	set_attr(root, "type", "file");
	add_el(root, "name", name);
	char num[32];
	snprintf(num, sizeof(num), "%llu", (unsigned long long)bytes);
	set_attr(add_el(root, "capacity", num), "unit", "bytes");
	set_attr(add_el(add_el(root, "target", NULL), "format", NULL), "type", "raw");
	return doc;
}

xmlDocPtr lc_render_pool(const char *name, const char *path)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "pool", NULL);
	xmlDocSetRootElement(doc, root);
	set_attr(root, "type", "dir");
	add_el(root, "name", name);
	add_el(add_el(root, "target", NULL), "path", path);
	return doc;
}

char *lc_xml_format(xmlDocPtr doc)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlSaveCtxtPtr s = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	xmlSaveDoc(s, doc);
	xmlSaveClose(s);
	char *out = lc_strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}
