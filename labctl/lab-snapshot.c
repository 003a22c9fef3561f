/* Lab snapshots; see lab-snapshot.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xpath.h>

#include "buf.h"
#include "fsutil.h"
#include "hosts.h"
#include "interrupt.h"
#include "isotime.h"
#include "journal.h"
#include "lab-snapshot.h"
#include "model.h"
#include "pci-addr.h"
#include "render.h"
#include "templates.h"
#include "validate.h"
#include "version.h"
#include "virt.h"
#include "workpool.h"

/* ---- pure parts ---- */

static void node_release(struct lc_snap_node *n)
{
	free(n->node);
	free(n->domain);
	free(n->sha256);
	lc_strv_release(&n->layers);
	free(n->nvram);
	free(n->tpm);
	lc_strv_release(&n->vfs);
	free(n->error);
	free(n->warning);
}

void lc_snapshot_release(struct lc_snapshot *s)
{
	if (!s)
		return;
	free(s->lab);
	free(s->name);
	free(s->time);
	free(s->version);
	for (size_t i = 0; i < s->n_nodes; i++)
		node_release(&s->nodes[i]);
	free(s->nodes);
	memset(s, 0, sizeof(*s));
}

void lc_snapshots_free(struct lc_snapshot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lc_snapshot_release(&s[i]);
	free(s);
}

int lc_snapshot_check_name(const char *name, struct lc_err *err)
{
	if (lc_valid_name(name))
		return 0;
	return lc_err_set(err, LC_EXIT_USAGE,
			  "snapshot name '%s' is not valid: 1 to 63 letters, digits, '-' or '_', "
			  "starting with a letter or a digit (the node-name rule)",
			  name);
}

char *lc_snapshot_format(const struct lc_snapshot *s)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_addf(&b, "labctl %s\ntime %s\n", s->version ? s->version : LC_VERSION,
		    s->time ? s->time : "-");
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct lc_snap_node *n = &s->nodes[i];
		lc_buf_addf(&b, "node %s %s %s %llu %s %llu\n", n->node, n->domain,
			    n->running ? "running" : "shutoff", n->memory_kib,
			    n->sha256 ? n->sha256 : "-", n->image_bytes);
		for (size_t k = 0; k < n->layers.n; k++)
			lc_buf_addf(&b, "layer %s %s\n", n->node, n->layers.v[k]);
		if (n->nvram)
			lc_buf_addf(&b, "nvram %s %s\n", n->node, n->nvram);
		if (n->tpm)
			lc_buf_addf(&b, "tpm %s %s\n", n->node, n->tpm);
		for (size_t k = 0; k < n->vfs.n; k++)
			lc_buf_addf(&b, "vf %s %s\n", n->node, n->vfs.v[k]);
	}
	return lc_buf_detach(&b);
}

static struct lc_snap_node *node_of(struct lc_snapshot *s, const char *node)
{
	for (size_t i = 0; i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].node, node) == 0)
			return &s->nodes[i];
	return NULL;
}

int lc_snapshot_parse(const char *what, const char *text, struct lc_snapshot *s, struct lc_err *err)
{
	size_t cap = 0;
	int lineno = 0;
	char *copy = lc_strdup(text);
	int rc = 0;
	for (char *line = copy, *next; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char a[256], b[1024], c[16], d[96];
		unsigned long long mem, bytes;
		if (strncmp(line, "labctl ", 7) == 0) {
			free(s->version);
			s->version = lc_strdup(line + 7);
		} else if (strncmp(line, "time ", 5) == 0) {
			free(s->time);
			s->time = lc_strdup(line + 5);
		} else if (sscanf(line, "node %255s %1023s %15s %llu %95s %llu", a, b, c, &mem, d,
				  &bytes) == 6 &&
			   !node_of(s, a)) {
			LC_GROW(s->nodes, cap, s->n_nodes + 1);
			struct lc_snap_node *n = &s->nodes[s->n_nodes++];
			memset(n, 0, sizeof(*n));
			n->node = lc_strdup(a);
			n->domain = lc_strdup(b);
			n->running = strcmp(c, "running") == 0;
			n->memory_kib = mem;
			n->sha256 = strcmp(d, "-") ? lc_strdup(d) : NULL;
			n->image_bytes = bytes;
		} else if (sscanf(line, "layer %255s %1023s", a, b) == 2 && node_of(s, a)) {
			lc_strv_push(&node_of(s, a)->layers, b);
		} else if (sscanf(line, "vf %255s %1023s %95s", a, b, d) == 3 && node_of(s, a)) {
			lc_strv_pushf(&node_of(s, a)->vfs, "%s %s", b, d);
		} else if (sscanf(line, "tpm %255s %1023s", a, b) == 2 && node_of(s, a)) {
			free(node_of(s, a)->tpm);
			node_of(s, a)->tpm = lc_strdup(b);
		} else if (sscanf(line, "nvram %255s %1023s", a, b) == 2 && node_of(s, a)) {
			free(node_of(s, a)->nvram);
			node_of(s, a)->nvram = lc_strdup(b);
		} else {
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "%s:%d: damaged line '%s'", what,
					lineno, line);
		}
	}
	free(copy);
	return rc;
}

/* The writable volume disks of doc, in order. */
static size_t volume_disks(xmlDocPtr doc, xmlNodePtr **out)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(
	    BAD_CAST "/domain/devices/disk[@type='volume' and @device='disk' and not(readonly)]"
		     "/source[@pool and @volume]",
	    x);
	size_t n = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	*out = lc_calloc(n + 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = r->nodesetval->nodeTab[i];
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	return n;
}

static char *source_of(xmlNodePtr src)
{
	xmlChar *pool = xmlGetProp(src, BAD_CAST "pool");
	xmlChar *vol = xmlGetProp(src, BAD_CAST "volume");
	char *s = lc_asprintf("%s/%s", (const char *)pool, (const char *)vol);
	xmlFree(pool);
	xmlFree(vol);
	return s;
}

void lc_snapshot_disks(xmlDocPtr doc, struct lc_strv *out)
{
	xmlNodePtr *srcs;
	size_t n = volume_disks(doc, &srcs);
	for (size_t i = 0; i < n; i++)
		lc_strv_push_nodup(out, source_of(srcs[i]));
	free(srcs);
}

size_t lc_snapshot_repoint(xmlDocPtr doc, const struct lc_strv *from, const struct lc_strv *to)
{
	xmlNodePtr *srcs;
	size_t n = volume_disks(doc, &srcs), changed = 0;
	for (size_t i = 0; i < n; i++) {
		char *have = source_of(srcs[i]);
		size_t k = lc_strv_find(from, have);
		free(have);
		if (k >= from->n || k >= to->n)
			continue;
		const char *slash = strchr(to->v[k], '/');
		char *pool = lc_strndup(to->v[k], (size_t)(slash - to->v[k]));
		xmlSetProp(srcs[i], BAD_CAST "pool", BAD_CAST pool);
		xmlSetProp(srcs[i], BAD_CAST "volume", BAD_CAST(slash + 1));
		free(pool);
		/* the chain the XML described was the old volume's */
		xmlNodePtr disk = srcs[i]->parent;
		for (xmlNodePtr c = disk->children, nx; c; c = nx) {
			nx = c->next;
			if (c->type == XML_ELEMENT_NODE &&
			    xmlStrEqual(c->name, BAD_CAST "backingStore")) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
		changed++;
	}
	free(srcs);
	return changed;
}

/* The part of a lab's volume name after "LAB-" or "LAB@", up to the generation or ".qcow2". */
static char *volume_rest(const char *lab, const char *volume)
{
	size_t ll = strlen(lab);
	const char *p = volume;
	if (strncmp(volume, lab, ll) == 0 && (volume[ll] == '-' || volume[ll] == '@'))
		p = volume + ll + 1;
	const char *end = volume[ll] == '@' ? strrchr(p, '@') : NULL;
	if (!end)
		end = strstr(p, ".qcow2");
	return end ? lc_strndup(p, (size_t)(end - p)) : lc_strdup(p);
}

char *lc_snapshot_overlay_name(const char *lab, const char *volume, unsigned gen)
{
	char *rest = volume_rest(lab, volume);
	char *name = lc_asprintf("%s@%s@%u.qcow2", lab, rest, gen);
	free(rest);
	return name;
}

/* The generation of LAB@REST@GEN.qcow2, 0 when name is not an overlay of lab. */
static unsigned overlay_gen(const char *lab, const char *name)
{
	size_t ll = strlen(lab);
	if (strncmp(name, lab, ll) != 0 || name[ll] != '@')
		return 0;
	const char *at = strrchr(name, '@');
	return at > name + ll ? (unsigned)strtoul(at + 1, NULL, 10) : 0;
}

unsigned lc_snapshot_last_gen(const char *lab, const struct lc_journal *j)
{
	unsigned gen = 0;
	for (size_t i = 0; i < j->volumes.n; i++) {
		const char *slash = strchr(j->volumes.v[i], '/');
		unsigned g = slash ? overlay_gen(lab, slash + 1) : 0;
		gen = g > gen ? g : gen;
	}
	return gen;
}

void lc_snapshot_point_render(const struct lc_journal *j, const char *node, xmlDocPtr doc)
{
	struct lc_strv from = LC_STRV_INIT, to = LC_STRV_INIT;
	lc_snapshot_disks(doc, &from);
	for (size_t i = 0; i < from.n; i++) {
		char *slash = strchr(from.v[i], '/');
		*slash = '\0';
		const char *top = lc_journal_top(j, node, from.v[i], slash + 1);
		lc_strv_pushf(&to, "%s/%s", from.v[i], top ? top : slash + 1);
		*slash = '/';
	}
	lc_snapshot_repoint(doc, &from, &to);
	lc_strv_release(&from);
	lc_strv_release(&to);
}

/* The PCI address of a device element's <source><address>; "" when it has none. */
static void source_address(xmlNodePtr dev, char out[LC_PCI_ADDR_SIZE])
{
	out[0] = '\0';
	for (xmlNodePtr c = dev->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "source"))
			continue;
		for (xmlNodePtr a = c->children; a; a = a->next) {
			if (a->type != XML_ELEMENT_NODE ||
			    !xmlStrEqual(a->name, BAD_CAST "address"))
				continue;
			unsigned part[4] = {0};
			const char *names[4] = {"domain", "bus", "slot", "function"};
			for (int k = 0; k < 4; k++) {
				xmlChar *val = xmlGetProp(a, BAD_CAST names[k]);
				part[k] = val ? (unsigned)strtoul((const char *)val, NULL, 0) : 0;
				xmlFree(val);
			}
			struct lc_pci_addr pa = {part[0], part[1], part[2], part[3]};
			lc_pci_addr_format(&pa, out);
			return;
		}
	}
}

void lc_snapshot_hostdevs(xmlDocPtr doc, struct lc_strv *xmls, struct lc_strv *addrs,
			  struct lc_strv *macs)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r =
	    xmlXPathEvalExpression(BAD_CAST "/domain/devices/hostdev[@type='pci'] | "
					    "/domain/devices/interface[@type='hostdev']",
				   x);
	for (int i = 0; r && r->nodesetval && i < r->nodesetval->nodeNr; i++) {
		xmlNodePtr dev = r->nodesetval->nodeTab[i];
		char addr[LC_PCI_ADDR_SIZE];
		source_address(dev, addr);
		if (!addr[0])
			continue;
		if (addrs)
			lc_strv_push(addrs, addr);
		if (macs) {
			char *mac = NULL;
			for (xmlNodePtr c = dev->children; c && !mac; c = c->next)
				if (c->type == XML_ELEMENT_NODE &&
				    xmlStrEqual(c->name, BAD_CAST "mac"))
					mac = (char *)xmlGetProp(c, BAD_CAST "address");
			lc_strv_push(macs, mac ? mac : "-");
			xmlFree(mac);
		}
		if (!xmls)
			continue;
		/* libvirt names its own aliases; a hot-plug may only carry a user's (ua-) */
		xmlNodePtr copy = xmlCopyNode(dev, 1);
		for (xmlNodePtr c = copy->children, nx; c; c = nx) {
			nx = c->next;
			if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "alias")) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
			}
		}
		xmlBufferPtr buf = xmlBufferCreate();
		xmlNodeDump(buf, doc, copy, 0, 0);
		lc_strv_push(xmls, (const char *)xmlBufferContent(buf));
		xmlBufferFree(buf);
		xmlFreeNode(copy);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
}

int lc_snapshot_wait_released(char *(*live_xml)(void *ctx), void *ctx, const struct lc_strv *addrs,
			      double timeout_s, double step_s, struct lc_strv *left)
{
	double end = lc_now_s() + timeout_s;
	for (;;) {
		lc_strv_release(left);
		char *xml = live_xml(ctx);
		struct lc_err e = LC_ERR_INIT;
		xmlDocPtr doc = xml ? lc_xml_parse("domain", xml, strlen(xml), &e) : NULL;
		lc_err_release(&e);
		free(xml);
		struct lc_strv have = LC_STRV_INIT;
		if (doc) {
			lc_snapshot_hostdevs(doc, NULL, &have, NULL);
			xmlFreeDoc(doc);
		}
		/* an XML that cannot be read says nothing went */
		for (size_t i = 0; i < addrs->n; i++)
			if (!doc || lc_strv_has(&have, addrs->v[i]))
				lc_strv_push(left, addrs->v[i]);
		lc_strv_release(&have);
		if (left->n == 0)
			return 0;
		/* a signal stops the wait as the timeout does: the caller undoes the unplug */
		if (lc_now_s() >= end || lc_interrupted())
			return -1;
		usleep((useconds_t)(step_s * 1e6));
	}
}

/* ---- files ---- */

static char *lab_root(const struct lc_opts *o, const char *lab)
{
	return lc_asprintf("%s/snapshots/%s", o->state_dir, lab);
}

static char *snap_dir(const struct lc_opts *o, const char *lab, const char *name)
{
	return lc_asprintf("%s/snapshots/%s/%s", o->state_dir, lab, name);
}

/* Remove a snapshot's directory: its files, dot files, and its TPM state copies. */
static int remove_dir(const char *dir, struct lc_err *err)
{
	return lc_remove_tree(dir, err);
}

/* Take the lab's snapshot lock: a second save, revert or rm of the lab exits 3. */
static int lock_lab(const struct lc_opts *o, const char *lab, int *fd, struct lc_err *err)
{
	char *root = lab_root(o, lab);
	int rc = lc_mkdir_p(root, err);
	char *path = lc_asprintf("%s/.lock", root);
	*fd = rc == 0 ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
	if (rc == 0 && *fd < 0)
		rc =
		    lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path, strerror(errno));
	if (rc == 0 && flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		rc = lc_err_set(err, errno == EWOULDBLOCK ? LC_EXIT_RESOURCE : LC_EXIT_RUNTIME,
				"lab %s: another snapshot command is running on it (%s is "
				"locked): try again when it is done",
				lab, path);
		close(*fd);
		*fd = -1;
	}
	free(path);
	free(root);
	return rc;
}

static void unlock_lab(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int read_manifest(const struct lc_opts *o, const char *lab, const char *name,
			 struct lc_snapshot *s, struct lc_err *err)
{
	memset(s, 0, sizeof(*s));
	char *dir = snap_dir(o, lab, name);
	char *path = lc_asprintf("%s/manifest", dir);
	char *text = NULL;
	size_t len;
	int rc = lc_read_file(path, &text, &len, err);
	if (rc == 0)
		rc = lc_snapshot_parse(path, text, s, err);
	s->lab = lc_strdup(lab);
	s->name = lc_strdup(name);
	free(text);
	free(path);
	free(dir);
	return rc;
}

bool lc_snapshot_exists(const struct lc_opts *o, const char *lab, const char *name)
{
	char *dir = snap_dir(o, lab, name);
	char *path = lc_asprintf("%s/manifest", dir);
	bool yes = lc_file_exists(path);
	free(path);
	free(dir);
	return yes;
}

/* The names of lab's finished snapshots, sorted. */
static int snapshot_names(const struct lc_opts *o, const char *lab, struct lc_strv *names,
			  struct lc_err *err)
{
	lc_strv_init(names);
	char *root = lab_root(o, lab);
	struct lc_strv all = LC_STRV_INIT;
	int rc = lc_file_exists(root) ? lc_list_dir(root, "", &all, err) : 0;
	for (size_t i = 0; rc == 0 && i < all.n; i++)
		if (lc_snapshot_exists(o, lab, all.v[i]))
			lc_strv_push(names, all.v[i]);
	lc_strv_release(&all);
	free(root);
	return rc;
}

static int unknown_snapshot(const struct lc_opts *o, const char *lab, const char *name,
			    struct lc_err *err)
{
	struct lc_strv names;
	if (snapshot_names(o, lab, &names, err) < 0)
		return -1;
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < names.n; i++)
		lc_buf_addf(&b, "%s%s", i ? ", " : "", names.v[i]);
	lc_err_set(err, LC_EXIT_USAGE, "lab %s has no snapshot '%s' (%s%s)", lab, name,
		   names.n ? "it has: " : "it has none", lc_buf_str(&b));
	lc_buf_release(&b);
	lc_strv_release(&names);
	return -1;
}

static xmlDocPtr parse(const char *what, const char *xml, struct lc_err *err)
{
	return lc_xml_parse(what, xml, strlen(xml), err);
}

/* xml with its disks from[i] pointed at to[i]; NULL with err when it does not parse. */
static char *repointed(const char *what, const char *xml, const struct lc_strv *from,
		       const struct lc_strv *to, struct lc_err *err)
{
	xmlDocPtr doc = parse(what, xml, err);
	if (!doc)
		return NULL;
	lc_snapshot_repoint(doc, from, to);
	char *out = lc_xml_format(doc);
	xmlFreeDoc(doc);
	return out;
}

/* Make volume pool/name, a qcow2 overlay on "POOL/VOLUME" base. */
static int make_overlay(struct lc_virt *v, const char *base, const char *top, struct lc_err *err)
{
	const char *bs = strchr(base, '/'), *ts = strchr(top, '/');
	char *bpool = lc_strndup(base, (size_t)(bs - base));
	char *tpool = lc_strndup(top, (size_t)(ts - top));
	char *path = NULL, *backing = NULL;
	unsigned long long cap = 0;
	int rc = lc_virt_volume_info(v, bpool, bs + 1, &path, &cap, &backing, err);
	if (rc == 0) {
		xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
		xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
		xmlDocSetRootElement(doc, root);
		xmlSetProp(root, BAD_CAST "type", BAD_CAST "file");
		xmlNewTextChild(root, NULL, BAD_CAST "name", BAD_CAST(ts + 1));
		char num[32];
		snprintf(num, sizeof(num), "%llu", cap);
		xmlNodePtr c = xmlNewTextChild(root, NULL, BAD_CAST "capacity", BAD_CAST num);
		xmlSetProp(c, BAD_CAST "unit", BAD_CAST "bytes");
		xmlNodePtr t = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
		xmlSetProp(xmlNewChild(t, NULL, BAD_CAST "format", NULL), BAD_CAST "type",
			   BAD_CAST "qcow2");
		xmlNodePtr b = xmlNewChild(root, NULL, BAD_CAST "backingStore", NULL);
		xmlNewTextChild(b, NULL, BAD_CAST "path", BAD_CAST path);
		xmlSetProp(xmlNewChild(b, NULL, BAD_CAST "format", NULL), BAD_CAST "type",
			   BAD_CAST "qcow2");
		char *xml = lc_xml_format(doc);
		xmlFreeDoc(doc);
		bool created;
		rc = lc_virt_volume_ensure(v, tpool, ts + 1, xml, &created, err);
		free(xml);
	}
	free(path);
	free(backing);
	free(bpool);
	free(tpool);
	return rc;
}

static void delete_volume(struct lc_virt *v, const char *pv)
{
	const char *slash = strchr(pv, '/');
	char *pool = lc_strndup(pv, (size_t)(slash - pv));
	struct lc_err ignore = LC_ERR_INIT;
	lc_virt_volume_remove(v, pool, slash + 1, &ignore);
	lc_err_release(&ignore);
	free(pool);
}

/*
 * Record in the journal what each disk of node runs on, from its
 * persistent definition: an overlay LAB@REST@GEN of LAB-REST.qcow2.
 */
static void set_tops(struct lc_journal *j, const char *lab, const char *node,
		     const struct lc_strv *disks)
{
	for (size_t i = 0; i < disks->n; i++) {
		const char *slash = strchr(disks->v[i], '/');
		if (!overlay_gen(lab, slash + 1))
			continue;
		char *pool = lc_strndup(disks->v[i], (size_t)(slash - disks->v[i]));
		char *rest = volume_rest(lab, slash + 1);
		char *canon = lc_asprintf("%s-%s.qcow2", lab, rest);
		lc_journal_set_top(j, node, pool, canon, slash + 1);
		free(canon);
		free(rest);
		free(pool);
	}
}

/* The writable volume disks of a domain's persistent definition. */
static int persistent_disks(struct lc_virt *v, const char *domain, char **xml_out,
			    struct lc_strv *disks, struct lc_err *err)
{
	char *xml = lc_virt_domain_xml(v, domain, true, err);
	if (!xml)
		return -1;
	xmlDocPtr doc = parse(domain, xml, err);
	if (doc) {
		lc_snapshot_disks(doc, disks);
		xmlFreeDoc(doc);
	}
	if (xml_out && doc)
		*xml_out = xml;
	else
		free(xml);
	return doc ? 0 : -1;
}

/*
 * The boot proof the console log lost when the node's QEMU started again,
 * written back beside the new log (after it began: up --wait tells the two
 * apart by that).
 */
static void put_proof(const struct lc_opts *o, const char *lab, const char *dir, const char *node)
{
	char *pp = lc_asprintf("%s/%s.proof", dir, node);
	char *text = NULL;
	size_t len;
	struct lc_err e = LC_ERR_INIT;
	if (lc_file_exists(pp) && lc_read_file(pp, &text, &len, &e) == 0) {
		text[strcspn(text, "\n")] = '\0';
		lc_journal_save_proof(o->state_dir, lab, node, text, &e);
	}
	lc_err_release(&e);
	free(text);
	free(pp);
}

/* ---- VFs and pci: devices, unplugged around a save ---- */

/*
 * libvirt cannot save a domain holding a VFIO device, so a running node's
 * VFs and pci: devices are hot-unplugged before it pauses (its guest must
 * run to let go of them) and plugged again after each restore, taken from
 * the domain's own XML: the same functions, MACs, VLANs and guest
 * addresses. Only the running domain changes (the persistent definition,
 * and so the snapshot's, keeps them), and no lease is touched: the lab
 * holds its VFs throughout.
 */

static int hostdevs_of(struct lc_virt *v, const char *domain, bool inactive, struct lc_strv *xmls,
		       struct lc_strv *addrs, struct lc_strv *macs, struct lc_err *err)
{
	char *xml = lc_virt_domain_xml(v, domain, inactive, err);
	xmlDocPtr doc = xml ? parse(domain, xml, err) : NULL;
	free(xml);
	if (!doc)
		return -1;
	lc_snapshot_hostdevs(doc, xmls, addrs, macs);
	xmlFreeDoc(doc);
	return 0;
}

/*
 * Plug into the running domain each host device its persistent definition
 * has and it lacks: after a restore (the memory image was saved without
 * them), or to undo an unplug. A domain not running is left alone.
 */
static int replug(struct lc_virt *v, const char *node, const char *domain, struct lc_err *err)
{
	if (lc_virt_domain_id(v, domain) < 0)
		return 0;
	struct lc_strv xmls = LC_STRV_INIT, want = LC_STRV_INIT, have = LC_STRV_INIT;
	int rc = hostdevs_of(v, domain, true, &xmls, &want, NULL, err);
	if (rc == 0 && want.n)
		rc = hostdevs_of(v, domain, false, NULL, &have, NULL, err);
	for (size_t i = 0; rc == 0 && i < want.n; i++) {
		if (lc_strv_has(&have, want.v[i]))
			continue;
		if ((rc = lc_virt_domain_attach_live(v, domain, xmls.v[i], err)) < 0)
			lc_err_prefix(err, "node %s: cannot plug %s again: ", node, want.v[i]);
	}
	lc_strv_release(&xmls);
	lc_strv_release(&want);
	lc_strv_release(&have);
	return rc;
}

struct live_ctx {
	struct lc_virt *v;
	const char *domain;
};

static char *read_live(void *ctx)
{
	struct live_ctx *c = ctx;
	struct lc_err e = LC_ERR_INIT;
	char *xml = lc_virt_domain_xml(c->v, c->domain, false, &e);
	lc_err_release(&e);
	return xml;
}

/*
 * Unplug a running node's host devices and wait until its guest let go of
 * them (libvirt's detach returns once the guest was asked). Polling the
 * live XML rather than waiting for VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED: it
 * needs no event loop on the worker's connection, and sees a removal that
 * happened before it looked. On a failure or a timeout every device
 * already gone is plugged again, and the node goes on as it was.
 */
static int unplug(struct lc_virt *v, const char *node, const char *domain, double timeout_s,
		  struct lc_err *err)
{
	struct lc_strv xmls = LC_STRV_INIT, addrs = LC_STRV_INIT, left = LC_STRV_INIT;
	int rc = hostdevs_of(v, domain, false, &xmls, &addrs, NULL, err);
	for (size_t i = 0; rc == 0 && i < addrs.n; i++)
		if ((rc = lc_virt_domain_detach_live(v, domain, xmls.v[i], err)) < 0)
			lc_err_prefix(err, "node %s: cannot unplug %s before the save: ", node,
				      addrs.v[i]);
	struct live_ctx c = {v, domain};
	if (rc == 0 && addrs.n &&
	    lc_snapshot_wait_released(read_live, &c, &addrs, timeout_s, 0.2, &left) < 0) {
		struct lc_buf b = LC_BUF_INIT;
		for (size_t i = 0; i < left.n; i++)
			lc_buf_addf(&b, "%s%s", i ? ", " : "", left.v[i]);
		if (lc_interrupted())
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"snapshot save interrupted while node %s let go of %s",
					node, lc_buf_str(&b));
		else
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"node %s: its guest did not let go of %s within %g s (a "
					"guest must acknowledge a PCI unplug)",
					node, lc_buf_str(&b), timeout_s);
		lc_buf_release(&b);
	}
	if (rc < 0) {
		struct lc_err e2 = LC_ERR_INIT;
		char *why = lc_strdup(err->msg);
		enum lc_exit code = err->code;
		lc_err_release(err);
		if (replug(v, node, domain, &e2) < 0)
			lc_err_set(err, code, "%s; and: %s", why, e2.msg);
		else
			lc_err_set(err, code,
				   "%s: its devices are plugged again; nothing was "
				   "paused",
				   why);
		free(why);
		lc_err_release(&e2);
	}
	lc_strv_release(&xmls);
	lc_strv_release(&addrs);
	lc_strv_release(&left);
	return rc;
}

/* ---- save ---- */

struct save_job {
	struct lc_snapshot *s; /* first: item_done reads it */
	const struct lc_opts *o;
	const char *lab, *dir;
	char **persist;	    /* per node: its persistent definition when save began */
	struct lc_strv *to; /* per node: the new overlays, beside s->nodes[i].layers */
	bool *suspended;    /* paused by save, not yet saved */
	bool *resume;	    /* restored paused: to resume with the others */
	bool *done;	    /* runs on its new overlays */
	bool *unplugged;    /* its host devices were unplugged: plugged again at the end */
};

static int save_node(struct save_job *j, struct lc_virt *v, size_t i, struct lc_err *err)
{
	struct lc_snap_node *n = &j->s->nodes[i];
	const struct lc_strv *from = &n->layers, *to = &j->to[i];
	char *mem = lc_asprintf("%s/%s.mem", j->dir, n->node);
	char *img = NULL, *live = NULL, *def = NULL;
	int rc = 0;
	if (n->running) {
		if ((rc = lc_virt_domain_save(v, n->domain, mem, err)) < 0) {
			free(mem);
			return -1; /* libvirt leaves it as it was: paused, resumed below */
		}
		j->suspended[i] = false;
		if (!(img = lc_virt_save_image_xml(v, mem, err)))
			rc = -1;
	}
	if (rc == 0 && n->nvram) {
		char *copy = lc_asprintf("%s/%s.nvram", j->dir, n->node);
		if (lc_file_exists(n->nvram))
			rc = lc_copy_tree(n->nvram, copy, err);
		free(copy);
	}
	/* saved or shut off, its swtpm has stopped: the state on disk is whole */
	if (rc == 0 && n->tpm && lc_file_exists(n->tpm)) {
		char *copy = lc_asprintf("%s/%s.tpm", j->dir, n->node);
		rc = lc_copy_tree(n->tpm, copy, err);
		free(copy);
	}
	for (size_t k = 0; rc == 0 && k < from->n; k++)
		rc = make_overlay(v, from->v[k], to->v[k], err);
	if (rc == 0 && img && !(live = repointed(n->domain, img, from, to, err)))
		rc = -1;
	bool on_new = false; /* it runs on the new overlays: they stay, whatever follows */
	if (rc == 0 && live && (rc = lc_virt_domain_restore(v, mem, live, true, err)) == 0)
		on_new = true;
	if (rc == 0 && !(def = repointed(n->domain, j->persist[i], from, to, err)))
		rc = -1;
	/* the next cold start must not write into the frozen layer */
	if (rc == 0 && lc_virt_define_domain(v, def, err) < 0)
		rc = -1;
	on_new |= rc == 0;
	/* before it resumes with the others: the image was saved without them */
	if (rc == 0 && n->running && j->unplugged[i])
		rc = replug(v, n->node, n->domain, err);
	if (rc < 0 && !on_new && n->running && lc_virt_domain_id(v, n->domain) < 0) {
		/* back where it was, on its old disks, which nothing wrote meanwhile */
		struct lc_err e2 = LC_ERR_INIT;
		if (img && lc_virt_domain_restore(v, mem, img, true, &e2) < 0)
			lc_err_prefix(err, "%s; and it could not be restored: ", e2.msg);
		lc_err_release(&e2);
	}
	if (rc < 0 && !on_new)
		for (size_t k = 0; k < to->n; k++)
			delete_volume(v, to->v[k]);
	if (n->running && lc_virt_domain_id(v, n->domain) >= 0)
		j->resume[i] = true;
	struct stat st;
	if (rc == 0 && n->running && stat(mem, &st) == 0)
		n->image_bytes = (unsigned long long)st.st_size;
	j->done[i] = on_new; /* the journal's tops follow it */
	free(img);
	free(live);
	free(def);
	free(mem);
	return rc;
}

static int save_item(void *ctx, struct lc_virt *v, size_t i, struct lc_err *err)
{
	return save_node(ctx, v, i, err);
}

/* Per node timings; ctx points at the job's first member, its snapshot. */
static void item_done(void *ctx, size_t i, double seconds, const char *error)
{
	struct lc_snapshot *s = *(struct lc_snapshot **)ctx;
	(void)error; /* collected from the pool's errors once it is done */
	s->nodes[i].seconds = seconds;
}

/* Resume each node flagged in a, on the caller's connection; the first error goes to err. */
static int resume_all(struct lc_virt *v, const struct lc_snapshot *s, bool *a, bool *b,
		      struct lc_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < s->n_nodes; i++) {
		struct lc_err e = LC_ERR_INIT;
		if (!(a && a[i]) && !(b && b[i]))
			continue;
		if (lc_virt_domain_resume(v, s->nodes[i].domain, &e) < 0 && rc == 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "node %s: %s", s->nodes[i].node,
					e.msg);
		lc_err_release(&e);
		if (a)
			a[i] = false;
		if (b)
			b[i] = false;
	}
	return rc;
}

/* "1.5 GiB", "300 MiB": sizes in messages. */
static char *human(unsigned long long bytes)
{
	if (bytes >= 1024ull * 1024 * 1024)
		return lc_asprintf("%.1f GiB", (double)bytes / (1024.0 * 1024 * 1024));
	return lc_asprintf("%llu MiB", bytes / (1024 * 1024));
}

/* The memory images (up to each running node's memory) must fit where they go. */
static int check_space(const char *dir, const char *lab, const struct lc_snapshot *s,
		       struct lc_virt *v, struct lc_err *err)
{
	unsigned long long need = 0;
	for (size_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].running)
			need += lc_virt_domain_memory_kib(v, s->nodes[i].domain) * 1024;
	struct statvfs fs;
	if (statvfs(dir, &fs) < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot stat '%s': %s", dir,
				  strerror(errno));
	unsigned long long have = (unsigned long long)fs.f_bavail * fs.f_frsize;
	if (need <= have)
		return 0;
	char *hn = human(need), *hh = human(have);
	lc_err_set(err, LC_EXIT_RESOURCE,
		   "lab %s: the memory images of its running nodes need up to %s (%llu bytes); "
		   "'%s' has %s (%llu bytes) free: nothing was paused",
		   lab, hn, need, dir, hh, have);
	free(hn);
	free(hh);
	return -1;
}

/* Write .partial: what a killed run leaves is found, and finished, by the next one. */
static int mark_partial(const char *dir, const struct lc_snapshot *s, struct lc_err *err)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_addf(&b, "pid %ld\n", (long)getpid());
	for (size_t i = 0; i < s->n_nodes; i++)
		lc_buf_addf(&b, "node %s %s\n", s->nodes[i].node, s->nodes[i].domain);
	char *path = lc_asprintf("%s/.partial", dir);
	int rc = lc_write_file(path, lc_buf_str(&b), b.len, err);
	free(path);
	lc_buf_release(&b);
	return rc;
}

static int recover(const struct lc_opts *o, struct lc_virt *v, const char *lab, struct lc_err *err);

/*
 * A lab with nodes on other hosts (hosts:) is refused before anything
 * pauses, naming the first such node: memory images and NVRAM are written
 * on this machine only, for now.
 */
static int refuse_remote(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			 struct lc_err *err)
{
	struct lc_hosts hs;
	if (lc_hosts_of_lab(o, v, lab, &hs, err) < 0)
		return -1;
	int rc = 0;
	for (size_t h = 1; rc == 0 && h < hs.n; h++) {
		struct lc_virt_obj *doms;
		size_t nd;
		if ((rc = lc_virt_lab_domains(hs.v[h].v, lab, &doms, &nd, err)) < 0)
			break;
		if (nd)
			rc = lc_err_set(
			    err, LC_EXIT_USAGE,
			    "node %s is on host %s: lab snapshots are not yet on remote "
			    "hosts; nothing was paused",
			    doms[0].node ? doms[0].node : doms[0].name, lc_host_label(&hs.v[h]));
		lc_virt_objs_free(doms, nd);
	}
	lc_hosts_release(&hs);
	return rc;
}

/*
 * Where libvirt's QEMU driver keeps a domain's swtpm state (qemu:///system:
 * SWTPM_DIR/UUID), for a domain with an emulated TPM; NULL otherwise.
 */
#define SWTPM_DIR "/var/lib/libvirt/swtpm"
static char *tpm_dir(xmlDocPtr doc)
{
	char *emu =
	    lc_xml_xpath_string(doc, "string(/domain/devices/tpm/backend[@type='emulator']/@type)");
	char *uuid = emu && *emu ? lc_xml_xpath_string(doc, "string(/domain/uuid)") : NULL;
	char *dir = uuid && *uuid ? lc_asprintf("%s/%s", SWTPM_DIR, uuid) : NULL;
	free(emu);
	free(uuid);
	return dir;
}

/*
 * A domain's NVRAM file. With firmware autoselection (<os firmware='efi'>)
 * libvirt 9.0 names it only in the running definition, at start-up; a
 * domain shut off then has it where libvirt puts it by default.
 */
#define NVRAM_DIR "/var/lib/libvirt/qemu/nvram"
static char *nvram_of(struct lc_virt *v, const char *domain, bool running, xmlDocPtr persist)
{
	char *nv = lc_xml_xpath_string(persist, "string(/domain/os/nvram)");
	if (nv && *nv)
		return nv;
	free(nv);
	nv = NULL;
	struct lc_err e = LC_ERR_INIT;
	char *live = running ? lc_virt_domain_xml(v, domain, false, &e) : NULL;
	xmlDocPtr doc = live ? lc_xml_parse(domain, live, strlen(live), &e) : NULL;
	if (doc) {
		nv = lc_xml_xpath_string(doc, "string(/domain/os/nvram)");
		xmlFreeDoc(doc);
	}
	lc_err_release(&e);
	free(live);
	char *efi = lc_xml_xpath_string(persist, "string(/domain/os/@firmware)");
	if ((!nv || !*nv) && efi && strcmp(efi, "efi") == 0) {
		free(nv);
		nv = lc_asprintf("%s/%s_VARS.fd", NVRAM_DIR, domain);
		if (!lc_file_exists(nv)) {
			free(nv);
			nv = NULL;
		}
	}
	free(efi);
	if (nv && !*nv) {
		free(nv);
		nv = NULL;
	}
	return nv;
}

/* What a snapshot records of the lab's domains now; the running ones get memory images. */
static int describe(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		    struct lc_snapshot *s, char ***persist, struct lc_err *err)
{
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v, lab, &doms, &nd, err) < 0)
		return -1;
	(void)o;
	s->nodes = lc_calloc(nd + 1, sizeof(*s->nodes));
	*persist = lc_calloc(nd + 1, sizeof(char *));
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nd; i++) {
		struct lc_snap_node *n = &s->nodes[s->n_nodes++];
		n->node = lc_strdup(doms[i].node ? doms[i].node : doms[i].name);
		n->domain = lc_strdup(doms[i].name);
		n->running = doms[i].active;
		n->sha256 = doms[i].rendered_sha256 ? lc_strdup(doms[i].rendered_sha256) : NULL;
		rc = persistent_disks(v, n->domain, &(*persist)[i], &n->layers, err);
		xmlDocPtr doc = rc == 0 ? parse(n->domain, (*persist)[i], err) : NULL;
		if (doc) {
			char *mem = lc_xml_xpath_string(doc, "string(/domain/memory)");
			n->memory_kib = mem ? strtoull(mem, NULL, 10) : 0;
			n->nvram = nvram_of(v, n->domain, n->running, doc);
			n->tpm = tpm_dir(doc);
			struct lc_strv addrs = LC_STRV_INIT, macs = LC_STRV_INIT;
			lc_snapshot_hostdevs(doc, NULL, &addrs, &macs);
			for (size_t k = 0; k < addrs.n; k++)
				lc_strv_pushf(&n->vfs, "%s %s", addrs.v[k], macs.v[k]);
			lc_strv_release(&addrs);
			lc_strv_release(&macs);
			free(mem);
			xmlFreeDoc(doc);
		}
	}
	lc_virt_objs_free(doms, nd);
	return rc;
}

int lc_snapshot_save(const struct lc_opts *o, struct lc_virt *v, const char *lab, const char *name,
		     const struct lc_snap_opts *so, struct lc_snapshot *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = lc_now_s();
	if (lc_snapshot_check_name(name, err) < 0)
		return -1;
	int lock;
	if (lock_lab(o, lab, &lock, err) < 0)
		return -1;
	r->lab = lc_strdup(lab);
	r->name = lc_strdup(name);
	r->version = lc_strdup(LC_VERSION);
	char stamp[LC_ISO8601_SIZE];
	lc_iso8601(time(NULL), stamp);
	r->time = lc_strdup(stamp);
	char *dir = snap_dir(o, lab, name);
	char **persist = NULL;
	struct lc_journal jn = {0};
	struct save_job j = {.o = o, .lab = lab, .dir = dir, .s = r};
	int rc = recover(o, v, lab, err);
	if (rc == 0 && lc_file_exists(dir))
		rc = lc_err_set(err, LC_EXIT_USAGE,
				"lab %s already has a snapshot '%s': remove it first (labctl "
				"snapshot rm %s %s)",
				lab, name, lab, name);
	if (rc == 0)
		rc = refuse_remote(o, v, lab, err);
	if (rc == 0)
		rc = describe(o, v, lab, r, &persist, err);
	j.persist = persist;
	if (rc == 0 && r->n_nodes == 0)
		rc =
		    lc_err_set(err, LC_EXIT_USAGE, "lab %s has no node on %s", lab, lc_virt_uri(v));
	if (rc == 0)
		rc = lc_mkdir_p(dir, err);
	bool made = rc == 0;
	if (rc == 0 && (rc = check_space(dir, lab, r, v, err)) < 0)
		rmdir(dir);
	if (rc == 0 && lc_interrupted())
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "snapshot save interrupted: nothing done");
	/* from here on a killed run is found and finished by the next one */
	if (rc == 0)
		rc = mark_partial(dir, r, err);
	j.unplugged = lc_calloc(r->n_nodes + 1, sizeof(bool));
	/* the guests let go of their VFs while they run: before the moment */
	double unplug_s = so->unplug_timeout_s > 0 ? so->unplug_timeout_s : 30;
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++) {
		if (!r->nodes[i].running || !r->nodes[i].vfs.n)
			continue;
		j.unplugged[i] = true;
		rc = unplug(v, r->nodes[i].node, r->nodes[i].domain, unplug_s, err);
	}
	/* the new overlays are in the journal before they exist: down finds them */
	bool have_jn = rc == 0 && (rc = lc_journal_read(o->state_dir, lab, &jn, err)) == 0;
	j.to = lc_calloc(r->n_nodes + 1, sizeof(*j.to));
	unsigned gen = rc == 0 ? lc_snapshot_last_gen(lab, &jn) + 1 : 0;
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++)
		for (size_t k = 0; k < r->nodes[i].layers.n; k++) {
			const char *pv = r->nodes[i].layers.v[k], *slash = strchr(pv, '/');
			char *top = lc_snapshot_overlay_name(lab, slash + 1, gen);
			lc_strv_pushf(&j.to[i], "%.*s/%s", (int)(slash - pv), pv, top);
			free(top);
		}
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++) {
		for (size_t k = 0; k < j.to[i].n; k++)
			lc_strv_push_unique(&jn.volumes, j.to[i].v[k]);
		char *p = lc_asprintf("%s/%s.xml", dir, r->nodes[i].node);
		rc = lc_write_file(p, persist[i], strlen(persist[i]), err);
		free(p);
		char *proof = lc_journal_last_proof(o->state_dir, lab, r->nodes[i].node);
		if (rc == 0 && proof) {
			p = lc_asprintf("%s/%s.proof", dir, r->nodes[i].node);
			char *text = lc_asprintf("%s\n", proof);
			rc = lc_write_file(p, text, strlen(text), err);
			free(text);
			free(p);
		}
		free(proof);
	}
	if (rc == 0)
		rc = lc_journal_write(o->state_dir, lab, &jn, err);
	j.suspended = lc_calloc(r->n_nodes + 1, sizeof(bool));
	j.resume = lc_calloc(r->n_nodes + 1, sizeof(bool));
	j.done = lc_calloc(r->n_nodes + 1, sizeof(bool));
	/* one moment for the whole lab: every CPU stops before any memory is written */
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++) {
		if (!r->nodes[i].running)
			continue;
		rc = lc_virt_domain_suspend(v, r->nodes[i].domain, err);
		j.suspended[i] = rc == 0;
	}
	bool cut = false;
	if (rc == 0 && lc_interrupted()) {
		cut = true;
	} else if (rc == 0) {
		struct lc_workpool p = {.uri = o->uri,
					.n = r->n_nodes,
					.fn = save_item,
					.done = item_done,
					.ctx = &j,
					.keep_going = true};
		lc_workpool_run(&p, so->jobs > 0 ? (size_t)so->jobs : 1);
		cut = lc_workpool_cut_short(&p);
		struct lc_buf b = LC_BUF_INIT;
		for (size_t i = 0; i < r->n_nodes; i++)
			if (p.errors[i]) {
				r->nodes[i].error =
				    lc_asprintf("node %s: %s", r->nodes[i].node, p.errors[i]);
				lc_buf_addf(&b, "%s%s", b.len ? "; " : "", r->nodes[i].error);
			}
		if (b.len)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "snapshot %s of lab %s failed: %s",
					name, lab, lc_buf_str(&b));
		lc_buf_release(&b);
		lc_workpool_release(&p);
	}
	/* whatever happened, every node that ran runs again */
	struct lc_err rerr = LC_ERR_INIT;
	if (resume_all(v, r, j.suspended, j.resume, rc == 0 ? err : &rerr) < 0)
		rc = -1;
	/* and with the devices it had (a node that failed was not plugged again yet) */
	for (size_t i = 0; j.unplugged && i < r->n_nodes; i++)
		if (j.unplugged[i] &&
		    replug(v, r->nodes[i].node, r->nodes[i].domain, rc == 0 ? err : &rerr) < 0)
			rc = -1;
	lc_err_release(&rerr);
	if (rc == 0 && cut)
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"snapshot save interrupted: every node runs again; snapshot '%s' "
				"was not kept",
				name);
	/* the journal follows the disks the nodes now run on */
	struct lc_err jerr = LC_ERR_INIT;
	for (size_t i = 0; j.done && i < r->n_nodes; i++)
		if (j.done[i]) {
			set_tops(&jn, lab, r->nodes[i].node, &j.to[i]);
			put_proof(o, lab, dir, r->nodes[i].node);
		}
	if (have_jn && lc_journal_write(o->state_dir, lab, &jn, rc == 0 ? err : &jerr) < 0)
		rc = -1;
	lc_err_release(&jerr);
	if (rc == 0) {
		char *text = lc_snapshot_format(r);
		char *path = lc_asprintf("%s/manifest", dir);
		rc = lc_write_file(path, text, strlen(text), err);
		free(path);
		free(text);
		path = lc_asprintf("%s/.partial", dir);
		if (rc == 0)
			unlink(path);
		free(path);
	} else if (made) {
		/* nothing stopped is left: the memory images are of no use */
		struct lc_err e = LC_ERR_INIT;
		if (remove_dir(dir, &e) < 0)
			lc_err_release(&e);
	}
	for (size_t i = 0; persist && i < r->n_nodes; i++)
		free(persist[i]);
	free(persist);
	for (size_t i = 0; j.to && i < r->n_nodes; i++)
		lc_strv_release(&j.to[i]);
	free(j.to);
	free(j.suspended);
	free(j.resume);
	free(j.done);
	free(j.unplugged);
	lc_journal_release(&jn);
	free(dir);
	unlock_lab(lock);
	r->seconds = lc_now_s() - t0;
	return rc;
}

/* ---- revert ---- */

struct revert_job {
	struct lc_snapshot *s; /* first: item_done reads it */
	const struct lc_opts *o;
	const char *lab, *dir;
	struct lc_strv *to; /* per node: its fresh overlays, beside its layers */
	bool *resume;
	bool *done;
	bool *agent; /* its definition has the QEMU guest agent's channel */
};

/* The defined domain has the UUID of xml. */
static bool same_uuid(struct lc_virt *v, const char *domain, const char *xml)
{
	struct lc_err e = LC_ERR_INIT;
	char *have = lc_virt_domain_xml(v, domain, true, &e);
	xmlDocPtr a = have ? parse(domain, have, &e) : NULL;
	xmlDocPtr b = parse(domain, xml, &e);
	char *ua = a ? lc_xml_xpath_string(a, "string(/domain/uuid)") : NULL;
	char *ub = b ? lc_xml_xpath_string(b, "string(/domain/uuid)") : NULL;
	bool same = ua && ub && strcmp(ua, ub) == 0;
	free(ua);
	free(ub);
	if (a)
		xmlFreeDoc(a);
	if (b)
		xmlFreeDoc(b);
	free(have);
	lc_err_release(&e);
	return same;
}

static int revert_node(struct revert_job *j, struct lc_virt *v, size_t i, struct lc_err *err)
{
	struct lc_snap_node *n = &j->s->nodes[i];
	const struct lc_strv *from = &n->layers, *to = &j->to[i];
	char *path = lc_asprintf("%s/%s.xml", j->dir, n->node);
	char *saved = NULL, *def = NULL, *img = NULL, *live = NULL;
	size_t len;
	int rc = lc_read_file(path, &saved, &len, err);
	free(path);
	xmlDocPtr sd = rc == 0 ? parse(n->domain, saved, err) : NULL;
	if (sd) {
		char *agent = lc_xml_xpath_string(
		    sd,
		    "string(/domain/devices/channel/target[@name='org.qemu.guest_agent.0']/@name)");
		j->agent[i] = agent && *agent;
		free(agent);
		xmlFreeDoc(sd);
	}
	if (rc == 0 && lc_virt_domain_exists(v, n->domain))
		rc = lc_virt_domain_destroy(v, n->domain, err);
	/* redefined since (up --force): the memory image wants the snapshot's own domain */
	if (rc == 0 && lc_virt_domain_exists(v, n->domain) && !same_uuid(v, n->domain, saved))
		rc = lc_virt_remove_domain(v, n->domain, err);
	for (size_t k = 0; rc == 0 && k < from->n; k++)
		rc = make_overlay(v, from->v[k], to->v[k], err);
	if (rc == 0 && !(def = repointed(n->domain, saved, from, to, err)))
		rc = -1;
	if (rc == 0)
		rc = lc_virt_define_domain(v, def, err);
	char *nv = lc_asprintf("%s/%s.nvram", j->dir, n->node);
	if (rc == 0 && n->nvram && lc_file_exists(nv))
		rc = lc_copy_tree(nv, n->nvram, err);
	free(nv);
	/* the TPM as it was, before the restore starts a swtpm on it */
	char *tpm = lc_asprintf("%s/%s.tpm", j->dir, n->node);
	if (rc == 0 && n->tpm && lc_file_exists(tpm))
		rc = lc_copy_tree(tpm, n->tpm, err);
	free(tpm);
	char *mem = lc_asprintf("%s/%s.mem", j->dir, n->node);
	if (rc == 0 && n->running && !(img = lc_virt_save_image_xml(v, mem, err)))
		rc = -1;
	if (rc == 0 && img && !(live = repointed(n->domain, img, from, to, err)))
		rc = -1;
	if (rc == 0 && live && (rc = lc_virt_domain_restore(v, mem, live, true, err)) == 0)
		j->resume[i] = true;
	/* the memory image was saved without its VFs: they go back before it resumes */
	if (rc == 0 && live && n->vfs.n)
		rc = replug(v, n->node, n->domain, err);
	j->done[i] = rc == 0;
	free(mem);
	free(saved);
	free(def);
	free(img);
	free(live);
	return rc;
}

static int revert_item(void *ctx, struct lc_virt *v, size_t i, struct lc_err *err)
{
	return revert_node(ctx, v, i, err);
}

/* Why the lab's nodes no longer match the snapshot's; empty when they do. */
static int changes(struct lc_virt *v, const char *lab, const struct lc_snapshot *s,
		   struct lc_buf *why, struct lc_err *err)
{
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v, lab, &doms, &nd, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_nodes; i++) {
		const struct lc_snap_node *n = &s->nodes[i];
		const struct lc_virt_obj *d = NULL;
		for (size_t k = 0; k < nd && !d; k++)
			if (doms[k].node && strcmp(doms[k].node, n->node) == 0)
				d = &doms[k];
		if (!d) {
			lc_buf_addf(why, "%snode %s was removed", why->len ? "; " : "", n->node);
			continue;
		}
		if ((d->rendered_sha256 || n->sha256) &&
		    (!d->rendered_sha256 || !n->sha256 || strcmp(d->rendered_sha256, n->sha256)))
			lc_buf_addf(why, "%snode %s is rendered differently", why->len ? "; " : "",
				    n->node);
		struct lc_err e = LC_ERR_INIT;
		char *xml = lc_virt_domain_xml(v, d->name, true, &e);
		xmlDocPtr doc = xml ? parse(d->name, xml, &e) : NULL;
		char *mem = doc ? lc_xml_xpath_string(doc, "string(/domain/memory)") : NULL;
		unsigned long long kib = mem ? strtoull(mem, NULL, 10) : 0;
		if (kib && kib != n->memory_kib)
			lc_buf_addf(why, "%snode %s has %llu KiB of memory, %llu in the snapshot",
				    why->len ? "; " : "", n->node, kib, n->memory_kib);
		free(mem);
		if (doc)
			xmlFreeDoc(doc);
		free(xml);
		lc_err_release(&e);
	}
	for (size_t k = 0; k < nd; k++) {
		bool known = false;
		for (size_t i = 0; i < s->n_nodes && !known; i++)
			known = doms[k].node && strcmp(doms[k].node, s->nodes[i].node) == 0;
		if (!known)
			lc_buf_addf(why, "%snode %s was added", why->len ? "; " : "",
				    doms[k].node ? doms[k].node : doms[k].name);
	}
	lc_virt_objs_free(doms, nd);
	return 0;
}

/* Every layer of lab's snapshots ("POOL/VOLUME"), but those of skip (NULL: none). */
static int all_layers(const struct lc_opts *o, const char *lab, const char *skip,
		      struct lc_strv *out, struct lc_err *err)
{
	struct lc_strv names;
	if (snapshot_names(o, lab, &names, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		struct lc_snapshot s;
		if (skip && strcmp(names.v[i], skip) == 0)
			continue;
		if ((rc = read_manifest(o, lab, names.v[i], &s, err)) == 0)
			for (size_t k = 0; k < s.n_nodes; k++)
				for (size_t m = 0; m < s.nodes[k].layers.n; m++)
					lc_strv_push_unique(out, s.nodes[k].layers.v[m]);
		lc_snapshot_release(&s);
	}
	lc_strv_release(&names);
	return rc;
}

/* The journal's volumes without those in gone. */
static void drop_volumes(struct lc_journal *jn, const struct lc_strv *gone)
{
	struct lc_strv keep = LC_STRV_INIT;
	for (size_t i = 0; i < jn->volumes.n; i++)
		if (!lc_strv_has(gone, jn->volumes.v[i]))
			lc_strv_push(&keep, jn->volumes.v[i]);
	lc_strv_release(&jn->volumes);
	jn->volumes = keep;
}

/* Revert under the lab's lock; STATE/snapshots/LAB/.revert names it until it is done. */
static int do_revert(const struct lc_opts *o, struct lc_virt *v, const char *lab, const char *name,
		     const struct lc_snap_opts *so, struct lc_snapshot *r, struct lc_err *err)
{
	if (!lc_snapshot_exists(o, lab, name))
		return unknown_snapshot(o, lab, name, err);
	if (read_manifest(o, lab, name, r, err) < 0)
		return -1;
	struct lc_buf why = LC_BUF_INIT;
	int rc = changes(v, lab, r, &why, err);
	if (rc == 0 && why.len && !so->force)
		rc = lc_err_set(err, LC_EXIT_USAGE,
				"lab %s changed since snapshot '%s' (%s): nothing was reverted; "
				"--force reverts anyway (nodes added since are left as they are)",
				lab, name, lc_buf_str(&why));
	lc_buf_release(&why);
	if (rc < 0)
		return -1;
	char *dir = snap_dir(o, lab, name);
	char *root = lab_root(o, lab);
	char *marker = lc_asprintf("%s/.revert", root);
	struct lc_journal jn;
	struct revert_job j = {.s = r, .o = o, .lab = lab, .dir = dir};
	struct lc_strv old = LC_STRV_INIT, layers = LC_STRV_INIT;
	rc = lc_journal_read(o->state_dir, lab, &jn, err);
	bool have_jn = rc == 0;
	/* the overlays the nodes run on now go once nothing runs on them */
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++) {
		struct lc_err e = LC_ERR_INIT;
		struct lc_strv disks = LC_STRV_INIT;
		if (lc_virt_domain_exists(v, r->nodes[i].domain) &&
		    persistent_disks(v, r->nodes[i].domain, NULL, &disks, &e) == 0)
			for (size_t k = 0; k < disks.n; k++)
				if (overlay_gen(lab, strchr(disks.v[k], '/') + 1))
					lc_strv_push_unique(&old, disks.v[k]);
		lc_strv_release(&disks);
		lc_err_release(&e);
	}
	if (rc == 0)
		rc = all_layers(o, lab, NULL, &layers, err);
	unsigned gen = lc_snapshot_last_gen(lab, &jn) + 1;
	j.to = lc_calloc(r->n_nodes + 1, sizeof(*j.to));
	for (size_t i = 0; rc == 0 && i < r->n_nodes; i++)
		for (size_t k = 0; k < r->nodes[i].layers.n; k++) {
			const char *pv = r->nodes[i].layers.v[k], *slash = strchr(pv, '/');
			char *top = lc_snapshot_overlay_name(lab, slash + 1, gen);
			lc_strv_pushf(&j.to[i], "%.*s/%s", (int)(slash - pv), pv, top);
			lc_strv_push_unique(&jn.volumes, j.to[i].v[k]);
			free(top);
		}
	if (rc == 0)
		rc = lc_journal_write(o->state_dir, lab, &jn, err);
	if (rc == 0)
		rc = lc_write_file(marker, name, strlen(name), err);
	j.resume = lc_calloc(r->n_nodes + 1, sizeof(bool));
	j.done = lc_calloc(r->n_nodes + 1, sizeof(bool));
	j.agent = lc_calloc(r->n_nodes + 1, sizeof(bool));
	if (rc == 0) {
		struct lc_workpool p = {.uri = o->uri,
					.n = r->n_nodes,
					.fn = revert_item,
					.done = item_done,
					.ctx = &j,
					.keep_going = true};
		lc_workpool_run(&p, so->jobs > 0 ? (size_t)so->jobs : 1);
		struct lc_buf b = LC_BUF_INIT;
		for (size_t i = 0; i < r->n_nodes; i++)
			if (p.errors[i]) {
				r->nodes[i].error =
				    lc_asprintf("node %s: %s", r->nodes[i].node, p.errors[i]);
				lc_buf_addf(&b, "%s%s", b.len ? "; " : "", r->nodes[i].error);
			}
		if (b.len)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "revert of lab %s to '%s' failed: %s",
					lab, name, lc_buf_str(&b));
		else if (lc_workpool_cut_short(&p))
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"snapshot revert interrupted: the next snapshot command on "
					"lab %s finishes it",
					lab);
		lc_buf_release(&b);
		lc_workpool_release(&p);
	}
	struct lc_err rerr = LC_ERR_INIT;
	if (resume_all(v, r, j.resume, NULL, rc == 0 ? err : &rerr) < 0)
		rc = -1;
	lc_err_release(&rerr);
	struct lc_strv gone = LC_STRV_INIT;
	for (size_t i = 0; i < r->n_nodes; i++) {
		if (!j.done[i])
			continue;
		set_tops(&jn, lab, r->nodes[i].node, &j.to[i]);
		put_proof(o, lab, dir, r->nodes[i].node);
		/* its clock stood still since the save: a guest with the agent is told the time */
		struct lc_err e = LC_ERR_INIT;
		if (r->nodes[i].running && j.agent[i] &&
		    lc_virt_domain_sync_time(v, r->nodes[i].domain, &e) < 0)
			r->nodes[i].warning =
			    lc_asprintf("node %s: its clock is as it was at the snapshot: %s",
					r->nodes[i].node, e.msg);
		lc_err_release(&e);
	}
	for (size_t i = 0; i < old.n; i++) {
		bool fresh = false;
		for (size_t k = 0; k < r->n_nodes && !fresh; k++)
			fresh = lc_strv_has(&j.to[k], old.v[i]);
		if (!fresh && !lc_strv_has(&layers, old.v[i])) {
			delete_volume(v, old.v[i]);
			lc_strv_push(&gone, old.v[i]);
		}
	}
	drop_volumes(&jn, &gone);
	struct lc_err jerr = LC_ERR_INIT;
	if (have_jn && lc_journal_write(o->state_dir, lab, &jn, rc == 0 ? err : &jerr) < 0)
		rc = -1;
	lc_err_release(&jerr);
	if (rc == 0)
		unlink(marker);
	lc_strv_release(&gone);
	lc_strv_release(&old);
	lc_strv_release(&layers);
	for (size_t i = 0; i < r->n_nodes; i++)
		lc_strv_release(&j.to[i]);
	free(j.to);
	free(j.resume);
	free(j.done);
	free(j.agent);
	lc_journal_release(&jn);
	free(marker);
	free(root);
	free(dir);
	return rc;
}

int lc_snapshot_matches(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			const char *name, const char *const *want,
			const unsigned long long *want_kib, size_t n_want, char **why,
			struct lc_err *err)
{
	*why = NULL;
	if (!lc_snapshot_exists(o, lab, name)) {
		*why = lc_asprintf("lab %s has no snapshot '%s'", lab, name);
		return 0;
	}
	struct lc_snapshot s;
	if (read_manifest(o, lab, name, &s, err) < 0) {
		lc_snapshot_release(&s);
		return -1;
	}
	struct lc_buf b = LC_BUF_INIT;
	int rc = changes(v, lab, &s, &b, err);
	for (size_t i = 0; i < n_want; i++) {
		const struct lc_snap_node *n = node_of(&s, want[i]);
		if (!n)
			lc_buf_addf(&b, "%sthe topology has node %s, the snapshot does not",
				    b.len ? "; " : "", want[i]);
		else if (n->memory_kib != want_kib[i])
			lc_buf_addf(&b, "%sthe topology gives node %s %llu KiB, the snapshot %llu",
				    b.len ? "; " : "", want[i], want_kib[i], n->memory_kib);
	}
	for (size_t i = 0; i < s.n_nodes; i++) {
		bool there = false;
		for (size_t k = 0; k < n_want && !there; k++)
			there = strcmp(want[k], s.nodes[i].node) == 0;
		if (!there)
			lc_buf_addf(&b, "%sthe snapshot has node %s, the topology does not",
				    b.len ? "; " : "", s.nodes[i].node);
	}
	if (rc == 0 && b.len)
		*why = lc_strdup(lc_buf_str(&b));
	lc_buf_release(&b);
	lc_snapshot_release(&s);
	return rc;
}

int lc_snapshot_revert(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		       const char *name, const struct lc_snap_opts *so, struct lc_snapshot *r,
		       struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = lc_now_s();
	if (lc_snapshot_check_name(name, err) < 0)
		return -1;
	int lock;
	if (lock_lab(o, lab, &lock, err) < 0)
		return -1;
	int rc = recover(o, v, lab, err);
	if (rc == 0)
		rc = do_revert(o, v, lab, name, so, r, err);
	unlock_lab(lock);
	r->seconds = lc_now_s() - t0;
	return rc;
}

/* ---- what a killed run left ---- */

/* Restore the node a killed save stopped, on the disks its definition names now. */
static int restore_stopped(struct lc_virt *v, const char *dir, const char *node, const char *domain,
			   struct lc_err *err)
{
	char *mem = lc_asprintf("%s/%s.mem", dir, node);
	int rc = 0;
	if (lc_file_exists(mem) && lc_virt_domain_exists(v, domain) &&
	    lc_virt_domain_id(v, domain) < 0) {
		struct lc_strv disks = LC_STRV_INIT, had = LC_STRV_INIT;
		char *img = NULL, *live = NULL;
		rc = persistent_disks(v, domain, NULL, &disks, err);
		if (rc == 0 && !(img = lc_virt_save_image_xml(v, mem, err)))
			rc = -1;
		xmlDocPtr doc = rc == 0 ? parse(mem, img, err) : NULL;
		if (doc) {
			lc_snapshot_disks(doc, &had);
			xmlFreeDoc(doc);
		}
		if (rc == 0 && !(live = repointed(domain, img, &had, &disks, err)))
			rc = -1;
		if (rc == 0)
			rc = lc_virt_domain_restore(v, mem, live, false, err);
		if (rc == 0)
			rc = replug(v, node, domain, err);
		free(img);
		free(live);
		lc_strv_release(&disks);
		lc_strv_release(&had);
	}
	free(mem);
	return rc;
}

/*
 * A node a killed save left running (or paused) on its new overlay with its
 * definition still naming the frozen layer: the definition follows the
 * disks it runs on, and it runs.
 */
static int follow_live(struct lc_virt *v, const char *node, const char *domain,
		       struct lc_strv *disks, struct lc_err *err)
{
	struct lc_strv saved = LC_STRV_INIT;
	char *def = NULL, *fixed = NULL;
	int rc = persistent_disks(v, domain, &def, &saved, err);
	char *live = rc == 0 ? lc_virt_domain_xml(v, domain, false, err) : NULL;
	xmlDocPtr doc = live ? parse(domain, live, err) : NULL;
	if (!doc)
		rc = -1;
	else
		lc_snapshot_disks(doc, disks);
	if (doc)
		xmlFreeDoc(doc);
	bool same = saved.n == disks->n;
	for (size_t i = 0; same && i < saved.n; i++)
		same = strcmp(saved.v[i], disks->v[i]) == 0;
	if (rc == 0 && !same && (fixed = repointed(domain, def, &saved, disks, err)) == NULL)
		rc = -1;
	if (rc == 0 && fixed)
		rc = lc_virt_define_domain(v, fixed, err);
	/* killed between the unplug and the plug: the devices go back first */
	if (rc == 0)
		rc = replug(v, node, domain, err);
	if (rc == 0)
		rc = lc_virt_domain_resume(v, domain, err);
	free(fixed);
	free(live);
	free(def);
	lc_strv_release(&saved);
	return rc;
}

static int recover_save(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			const char *dir, struct lc_err *err)
{
	char *path = lc_asprintf("%s/.partial", dir);
	char *text = NULL;
	size_t len;
	int rc = lc_read_file(path, &text, &len, err);
	free(path);
	if (rc < 0)
		return -1;
	struct lc_journal jn;
	rc = lc_journal_read(o->state_dir, lab, &jn, err);
	for (char *line = text, *next; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char node[256], domain[256];
		if (sscanf(line, "node %255s %255s", node, domain) != 2 ||
		    !lc_virt_domain_exists(v, domain))
			continue;
		/* libvirtd finishes a save whose client was killed: wait for it */
		for (int tries = 0; tries < 1200 && lc_virt_domain_busy(v, domain); tries++)
			usleep(100 * 1000);
		rc = restore_stopped(v, dir, node, domain, err);
		struct lc_strv disks = LC_STRV_INIT;
		if (rc == 0 && lc_virt_domain_id(v, domain) >= 0)
			rc = follow_live(v, node, domain, &disks, err);
		else if (rc == 0)
			rc = persistent_disks(v, domain, NULL, &disks, err);
		if (rc == 0)
			set_tops(&jn, lab, node, &disks);
		lc_strv_release(&disks);
	}
	if (rc == 0)
		rc = lc_journal_write(o->state_dir, lab, &jn, err);
	lc_journal_release(&jn);
	free(text);
	if (rc == 0)
		rc = remove_dir(dir, err);
	return rc;
}

/*
 * Under the lab's lock, so whoever wrote these is gone: a save's .partial
 * (its stopped nodes restored, its files removed) and a revert's .revert
 * (done again).
 */
static int recover(const struct lc_opts *o, struct lc_virt *v, const char *lab, struct lc_err *err)
{
	char *root = lab_root(o, lab);
	struct lc_strv names = LC_STRV_INIT;
	int rc = lc_file_exists(root) ? lc_list_dir(root, "", &names, err) : 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *dir = lc_asprintf("%s/%s", root, names.v[i]);
		char *partial = lc_asprintf("%s/.partial", dir);
		if (lc_file_exists(partial))
			rc = recover_save(o, v, lab, dir, err);
		free(partial);
		free(dir);
	}
	lc_strv_release(&names);
	char *marker = lc_asprintf("%s/.revert", root);
	char *name = NULL;
	size_t len;
	if (rc == 0 && lc_file_exists(marker) &&
	    (rc = lc_read_file(marker, &name, &len, err)) == 0) {
		struct lc_snapshot r;
		struct lc_snap_opts so = {.jobs = 4, .force = true};
		memset(&r, 0, sizeof(r));
		if (lc_snapshot_exists(o, lab, name))
			rc = do_revert(o, v, lab, name, &so, &r, err);
		else
			unlink(marker);
		if (rc < 0)
			lc_err_prefix(err,
				      "finishing the revert to '%s' a killed run left: ", name);
		lc_snapshot_release(&r);
		free(name);
	}
	free(marker);
	free(root);
	return rc;
}

/* ---- ls, rm, down, gc ---- */

static int cmp_snap(const void *a, const void *b)
{
	const struct lc_snapshot *x = a, *y = b;
	int c = strcmp(x->lab, y->lab);
	return c ? c : strcmp(x->time ? x->time : "", y->time ? y->time : "");
}

int lc_snapshot_list(const struct lc_opts *o, const char *lab, struct lc_snapshot **out, size_t *n,
		     struct lc_err *err)
{
	*out = NULL;
	*n = 0;
	struct lc_strv labs = LC_STRV_INIT;
	char *top = lc_asprintf("%s/snapshots", o->state_dir);
	int rc = 0;
	if (lab)
		lc_strv_push(&labs, lab);
	else if (lc_file_exists(top))
		rc = lc_list_dir(top, "", &labs, err);
	free(top);
	size_t cap = 0;
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		struct lc_strv names;
		if ((rc = snapshot_names(o, labs.v[i], &names, err)) < 0)
			break;
		for (size_t k = 0; rc == 0 && k < names.n; k++) {
			LC_GROW(*out, cap, *n + 1);
			rc = read_manifest(o, labs.v[i], names.v[k], &(*out)[*n], err);
			(*n)++;
		}
		lc_strv_release(&names);
	}
	lc_strv_release(&labs);
	if (rc == 0 && *n)
		qsort(*out, *n, sizeof(**out), cmp_snap);
	return rc;
}

/*
 * rm: the snapshot's layers that nothing builds on any more. What runs now
 * (the nodes' disks) and every other snapshot's layers are roots; a layer
 * that a root's backing chain goes through (across the lab's other volumes,
 * the journal's) stays.
 */
static int unneeded_layers(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			   const struct lc_snapshot *s, struct lc_strv *gone, struct lc_err *err)
{
	struct lc_strv roots = LC_STRV_INIT, vols = LC_STRV_INIT, paths = LC_STRV_INIT;
	int rc = all_layers(o, lab, s->name, &roots, err);
	struct lc_virt_obj *doms = NULL;
	size_t nd = 0;
	if (rc == 0)
		rc = lc_virt_lab_domains(v, lab, &doms, &nd, err);
	for (size_t i = 0; rc == 0 && i < nd; i++)
		rc = persistent_disks(v, doms[i].name, NULL, &roots, err);
	lc_virt_objs_free(doms, nd);
	/* every volume of the lab with its file and its backing file */
	struct lc_journal jn = {0};
	if (rc == 0)
		rc = lc_journal_read(o->state_dir, lab, &jn, err);
	for (size_t i = 0; i < jn.volumes.n; i++)
		lc_strv_push_unique(&vols, jn.volumes.v[i]);
	for (size_t i = 0; i < s->n_nodes; i++)
		for (size_t k = 0; k < s->nodes[i].layers.n; k++)
			lc_strv_push_unique(&vols, s->nodes[i].layers.v[k]);
	lc_journal_release(&jn);
	char **backing = lc_calloc(vols.n + 1, sizeof(char *));
	bool *needed = lc_calloc(vols.n + 1, sizeof(bool));
	for (size_t i = 0; rc == 0 && i < vols.n; i++) {
		const char *slash = strchr(vols.v[i], '/');
		char *pool = lc_strndup(vols.v[i], (size_t)(slash - vols.v[i]));
		char *path = NULL;
		unsigned long long capacity;
		struct lc_err e = LC_ERR_INIT;
		/* a volume already gone backs nothing */
		if (lc_virt_volume_info(v, pool, slash + 1, &path, &capacity, &backing[i], &e) < 0)
			path = lc_strdup("");
		lc_err_release(&e);
		lc_strv_push_nodup(&paths, path);
		free(pool);
	}
	/* mark each root and everything under it */
	for (size_t r = 0; rc == 0 && r < roots.n; r++) {
		size_t k = lc_strv_find(&vols, roots.v[r]);
		for (size_t hop = 0; k < vols.n && !needed[k] && hop <= vols.n; hop++) {
			needed[k] = true;
			k = backing[k] ? lc_strv_find(&paths, backing[k]) : vols.n;
		}
	}
	for (size_t i = 0; rc == 0 && i < s->n_nodes; i++)
		for (size_t k = 0; k < s->nodes[i].layers.n; k++) {
			size_t at = lc_strv_find(&vols, s->nodes[i].layers.v[k]);
			if (at < vols.n && !needed[at])
				lc_strv_push_unique(gone, s->nodes[i].layers.v[k]);
		}
	for (size_t i = 0; i < vols.n; i++)
		free(backing[i]);
	free(backing);
	free(needed);
	lc_strv_release(&roots);
	lc_strv_release(&vols);
	lc_strv_release(&paths);
	return rc;
}

int lc_snapshot_rm(const struct lc_opts *o, struct lc_virt *v, const char *lab, const char *name,
		   struct lc_err *err)
{
	if (lc_snapshot_check_name(name, err) < 0)
		return -1;
	int lock;
	if (lock_lab(o, lab, &lock, err) < 0)
		return -1;
	int rc = recover(o, v, lab, err);
	struct lc_snapshot s;
	memset(&s, 0, sizeof(s));
	if (rc == 0 && !lc_snapshot_exists(o, lab, name))
		rc = unknown_snapshot(o, lab, name, err);
	if (rc == 0)
		rc = read_manifest(o, lab, name, &s, err);
	struct lc_strv gone = LC_STRV_INIT;
	if (rc == 0)
		rc = unneeded_layers(o, v, lab, &s, &gone, err);
	struct lc_journal jn;
	if (rc == 0 && (rc = lc_journal_read(o->state_dir, lab, &jn, err)) == 0) {
		for (size_t i = 0; i < gone.n; i++)
			delete_volume(v, gone.v[i]);
		drop_volumes(&jn, &gone);
		rc = lc_journal_write(o->state_dir, lab, &jn, err);
		lc_journal_release(&jn);
	}
	if (rc == 0) {
		char *dir = snap_dir(o, lab, name);
		rc = remove_dir(dir, err);
		free(dir);
	}
	lc_strv_release(&gone);
	lc_snapshot_release(&s);
	unlock_lab(lock);
	return rc;
}

int lc_snapshot_forget_nodes(const struct lc_opts *o, const char *lab, const char *const *pats,
			     size_t n_pats, struct lc_strv *vols, struct lc_err *err)
{
	struct lc_strv names;
	if (snapshot_names(o, lab, &names, err) < 0)
		return -1;
	size_t n_snaps = names.n;
	lc_strv_release(&names);
	struct lc_journal jn;
	if (lc_journal_read(o->state_dir, lab, &jn, err) < 0)
		return -1;
	struct lc_strv keep = LC_STRV_INIT, gone = LC_STRV_INIT;
	for (size_t i = 0; i < jn.tops.n; i++) {
		char node[256], canon[1024];
		if (sscanf(jn.tops.v[i], "%255s %1023s", node, canon) == 2 &&
		    lc_node_picked(node, pats, n_pats))
			lc_strv_push_unique(&gone, canon);
		else
			lc_strv_push(&keep, jn.tops.v[i]);
	}
	int rc = 0;
	if (gone.n && n_snaps)
		rc = lc_err_set(
		    err, LC_EXIT_USAGE,
		    "lab %s has snapshots, which hold these nodes' disks: down the whole "
		    "lab, or remove its snapshots first (labctl snapshot rm)",
		    lab);
	/* every overlay of a picked node: LAB@NODE@GEN, LAB@NODE-diskN@GEN */
	for (size_t i = 0; rc == 0 && gone.n && i < jn.volumes.n; i++) {
		const char *slash = strchr(jn.volumes.v[i], '/');
		if (!slash || !overlay_gen(lab, slash + 1))
			continue;
		char *rest = volume_rest(lab, slash + 1);
		char *node = lc_strndup(rest, strcspn(rest, "@"));
		char *dash = strstr(node, "-disk");
		if (dash && !lc_node_picked(node, pats, n_pats))
			*dash = '\0';
		if (lc_node_picked(node, pats, n_pats))
			lc_strv_push_unique(&gone, jn.volumes.v[i]);
		free(node);
		free(rest);
	}
	if (rc == 0 && gone.n) {
		for (size_t i = 0; i < gone.n; i++)
			lc_strv_push_unique(vols, gone.v[i]);
		lc_strv_release(&jn.tops);
		jn.tops = keep;
		keep = (struct lc_strv)LC_STRV_INIT;
		drop_volumes(&jn, &gone);
		rc = lc_journal_write(o->state_dir, lab, &jn, err);
	}
	lc_strv_release(&keep);
	lc_strv_release(&gone);
	lc_journal_release(&jn);
	return rc;
}

int lc_snapshot_remove_lab(const struct lc_opts *o, const char *lab, struct lc_err *err)
{
	char *root = lab_root(o, lab);
	struct lc_strv names = LC_STRV_INIT;
	int rc = lc_file_exists(root) ? lc_list_dir(root, "", &names, err) : 0;
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *dir = lc_asprintf("%s/%s", root, names.v[i]);
		rc = remove_dir(dir, err);
		free(dir);
	}
	lc_strv_release(&names);
	if (rc == 0)
		rc = remove_dir(root, err);
	free(root);
	return rc;
}

int lc_snapshot_gc(const struct lc_opts *o, struct lc_virt *v, struct lc_strv *removed,
		   struct lc_err *err)
{
	char *top = lc_asprintf("%s/snapshots", o->state_dir);
	struct lc_strv labs = LC_STRV_INIT;
	int rc = lc_file_exists(top) ? lc_list_dir(top, "", &labs, err) : 0;
	free(top);
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		char *jdir = lc_journal_dir(o->state_dir, labs.v[i]);
		bool owned = lc_file_exists(jdir);
		free(jdir);
		struct lc_virt_obj *doms;
		size_t nd;
		if (!owned && (rc = lc_virt_lab_domains(v, labs.v[i], &doms, &nd, err)) == 0) {
			owned = nd > 0;
			lc_virt_objs_free(doms, nd);
		}
		if (rc < 0)
			break;
		if (!owned) {
			if ((rc = lc_snapshot_remove_lab(o, labs.v[i], err)) == 0)
				lc_strv_push(removed, labs.v[i]);
			continue;
		}
		/* a lab a snapshot command holds now is that command's to finish */
		int lock;
		struct lc_err e = LC_ERR_INIT;
		if (lock_lab(o, labs.v[i], &lock, &e) < 0) {
			lc_err_release(&e);
			continue;
		}
		rc = recover(o, v, labs.v[i], err);
		unlock_lab(lock);
	}
	lc_strv_release(&labs);
	return rc;
}
