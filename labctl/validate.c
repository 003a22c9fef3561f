/* Semantic checks of the lab model; see validate.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pci-addr.h"
#include "render.h"
#include "addr.h"
#include "inet.h"
#include "strv.h"
#include "suggest.h"
#include "image-catalog.h"
#include "interrupt.h"
#include "tweak.h"
#include "validate.h"
#include "yaml-doc.h"

size_t lc_validate_warnings(const struct lc_topology *t, const struct lc_catalog *c,
			    struct lc_diags *w)
{
	size_t before = w->n;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		if (!n->kind.v || strcmp(n->kind.v, "xen") != 0 || !n->image.v)
			continue;
		const struct lc_image *img = lc_catalog_find(c, n->image.v);
		if (!img || (img->hypervisor.v && strcmp(img->hypervisor.v, "xen") == 0))
			continue;
		lc_diag_add(w, n->image.at,
			    "node \"%s\": kind xen on image \"%s\", which is not a Xen host (its "
			    "catalog entry says hypervisor: %s): the node gets Xen's hardware, not "
			    "Xen",
			    n->name, n->image.v, img->hypervisor.v ? img->hypervisor.v : "nothing");
	}
	return w->n - before;
}

bool lc_valid_lab_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 32 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

bool lc_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 63 || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

bool lc_valid_mac(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : lc_hex_digit(s[i]) < 0)
			return false;
	}
	/* the group bit: a multicast address cannot be a NIC's own */
	return (lc_hex_digit(s[1]) & 1) == 0;
}

static bool hexfield(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		int h = lc_hex_digit(s[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return v <= max;
}

static bool valid_cidr(const char *s)
{
	uint32_t net;
	unsigned prefix;
	return lc_parse_cidr(s, &net, &prefix);
}

static bool valid_match(const char *s)
{
	/* vendor:device, each 4 hex digits or '*' */
	const char *colon = strchr(s, ':');
	if (!colon)
		return false;
	size_t lv = (size_t)(colon - s), ld = strlen(colon + 1);
	unsigned x;
	bool v = (lv == 1 && s[0] == '*') || (lv == 4 && hexfield(s, 4, 0xffff, &x));
	bool d = (ld == 1 && colon[1] == '*') || (ld == 4 && hexfield(colon + 1, 4, 0xffff, &x));
	return v && d;
}

static bool valid_pf(const char *s)
{
	const char *hash = strchr(s, '#');
	size_t n = hash ? (size_t)(hash - s) : strlen(s);
	if (n < 1 || n > 15)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("_.-", s[i])))
			return false;
	if (!hash)
		return true;
	unsigned lo, hi;
	char tail;
	if (sscanf(hash + 1, "%u-%u%c", &lo, &hi, &tail) != 2 || !isdigit((unsigned char)hash[1]))
		return false;
	return lo <= hi && hi < 4096;
}

static bool valid_address_glob(const char *s)
{
	if (!*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!(isxdigit((unsigned char)*s) || strchr(":.*?[]-", *s)))
			return false;
	return true;
}

static bool in_list(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, v[i]) == 0)
			return true;
	return false;
}

static void check_name(struct lc_diags *d, const char *what, const struct lc_str *s)
{
	if (s->v && !lc_valid_name(s->v)) {
		char *shown = lc_shown_name(s->v);
		lc_diag_add(d, s->at,
			    "%s \"%s\": invalid name: use letters, digits, \"-\" and \"_\", "
			    "starting with a letter or digit, at most 63 characters",
			    what, shown);
		free(shown);
	}
}

/* A reference to something by name, with a suggestion from what exists. */
static void check_ref(struct lc_diags *d, const char *who, const char *what,
		      const struct lc_str *ref, const char *const *names, size_t n)
{
	if (!ref->v || in_list(ref->v, names, n))
		return;
	const char *s = lc_suggest(ref->v, names, n);
	if (s)
		lc_diag_add(d, ref->at, "%s: unknown %s \"%s\" (did you mean \"%s\"?)", who, what,
			    ref->v, s);
	else
		lc_diag_add(d, ref->at, "%s: unknown %s \"%s\"", who, what, ref->v);
}

/*
 * A lab network's subnet must be private (RFC 1918): a public range would
 * shadow real hosts for the L0 (libvirt adds a route for it), loopback and
 * link-local ones are the host's own. Returns why not, or NULL.
 */
static const char *subnet_unfit(uint32_t net, unsigned prefix)
{
	static const struct {
		uint32_t net;
		unsigned prefix;
		const char *why;
	} special[] = {
	    {0x7f000000u, 8, "is loopback"},
	    {0xa9fe0000u, 16, "is link-local"},
	};
	static const struct {
		uint32_t net;
		unsigned prefix;
	} private_ranges[] = {{0x0a000000u, 8}, {0xac100000u, 12}, {0xc0a80000u, 16}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(special); i++) {
		uint32_t m = 0xffffffffu << (32 - special[i].prefix);
		if ((net & m) == special[i].net)
			return special[i].why;
	}
	for (size_t i = 0; i < LC_ARRAY_SIZE(private_ranges); i++) {
		uint32_t m = 0xffffffffu << (32 - private_ranges[i].prefix);
		if (prefix >= private_ranges[i].prefix && (net & m) == private_ranges[i].net)
			return NULL;
	}
	return "is not private";
}

static void check_networks(const struct lc_topology *t, struct lc_diags *d)
{
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *n = &t->networks[i];
		check_name(d, "network", &n->name);
		if (n->subnet.v && !valid_cidr(n->subnet.v))
			lc_diag_add(d, n->subnet.at,
				    "network \"%s\": bad subnet \"%s\" (like 10.77.0.0/24, prefix "
				    "8 to 30)",
				    n->name.v, n->subnet.v);
		uint32_t net;
		unsigned prefix;
		const char *why = n->subnet.v && lc_parse_cidr(n->subnet.v, &net, &prefix)
				      ? subnet_unfit(net, prefix)
				      : NULL;
		if (why)
			lc_diag_add(d, n->subnet.at,
				    "network \"%s\": subnet \"%s\" %s: use a private range "
				    "(10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
				    n->name.v, n->subnet.v, why);
		if (n->mode == LC_NET_NAT && n->mode_str.v && !n->subnet.v)
			lc_diag_add(d, n->mode_str.at, "network \"%s\": mode nat needs \"%s\"",
				    n->name.v, "subnet");
		if (n->mode == LC_NET_BRIDGE && n->mode_str.v) {
			if (!n->bridge.v)
				lc_diag_add(
				    d, n->mode_str.at,
				    "network \"%s\": mode bridge needs \"%s\" (a host bridge "
				    "such as br0)",
				    n->name.v, "bridge");
			if (n->subnet.v)
				lc_diag_add(d, n->subnet.at,
					    "network \"%s\": a bridged network takes no \"%s\"",
					    n->name.v, "subnet");
		}
		if (n->bridge.v && (!valid_pf(n->bridge.v) || strchr(n->bridge.v, '#')))
			lc_diag_add(d, n->bridge.at, "network \"%s\": bad bridge name \"%s\"",
				    n->name.v, n->bridge.v);
		if (n->bridge.v && n->mode != LC_NET_BRIDGE)
			lc_diag_add(d, n->bridge.at,
				    "network \"%s\": \"bridge\" is only for mode bridge",
				    n->name.v);
	}
}

/*
 * libvirt refuses to start a network whose subnet another one routes, and
 * by then the lab's first networks exist: refuse overlapping subnets here.
 */
static void check_subnet_overlaps(const struct lc_topology *t, struct lc_diags *d)
{
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *n = &t->networks[i];
		uint32_t a;
		unsigned pa;
		if (!n->subnet.v || !lc_parse_cidr(n->subnet.v, &a, &pa))
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct lc_network *o = &t->networks[k];
			uint32_t b;
			unsigned pb;
			if (!o->subnet.v || !lc_parse_cidr(o->subnet.v, &b, &pb))
				continue;
			unsigned p = pa < pb ? pa : pb;
			uint32_t mask = ~(UINT32_MAX >> p);
			if ((a & mask) == (b & mask)) {
				lc_diag_add(d, n->subnet.at,
					    "network \"%s\": subnet %s overlaps network \"%s\"'s "
					    "%s (line %d)",
					    n->name.v, n->subnet.v, o->name.v, o->subnet.v,
					    o->subnet.at.line);
				break;
			}
		}
	}
}

static void check_pools(const struct lc_topology *t, struct lc_diags *d)
{
	for (size_t i = 0; i < t->n_pools; i++) {
		const struct lc_vf_pool *p = &t->pools[i];
		check_name(d, "pool", &p->name);
		if (!p->match.n && !p->pf.n && !p->address.n)
			lc_diag_add(d, p->name.at,
				    "pool \"%s\": give at least one of \"match\", \"pf\" or "
				    "\"address\"",
				    p->name.v);
		for (size_t j = 0; j < p->match.n; j++)
			if (!valid_match(p->match.v[j].v))
				lc_diag_add(d, p->match.v[j].at,
					    "pool \"%s\": bad match \"%s\" (vendor:device in hex, "
					    "'*' for any, like 15b3:1018)",
					    p->name.v, p->match.v[j].v);
		for (size_t j = 0; j < p->pf.n; j++)
			if (!valid_pf(p->pf.v[j].v))
				lc_diag_add(d, p->pf.v[j].at,
					    "pool \"%s\": bad pf \"%s\" (a netdev name, optionally "
					    "#FIRST-LAST VF indexes, like ens1f0#0-3)",
					    p->name.v, p->pf.v[j].v);
		for (size_t j = 0; j < p->address.n; j++)
			if (!valid_address_glob(p->address.v[j].v))
				lc_diag_add(d, p->address.v[j].at,
					    "pool \"%s\": bad address glob \"%s\" (like "
					    "0000:d8:00.*)",
					    p->name.v, p->address.v[j].v);
	}
}

static void check_range(struct lc_diags *d, const char *who, const char *key,
			const struct lc_num *v, uint64_t lo, uint64_t hi, const char *unit)
{
	if (v->set && (v->v < lo || v->v > hi))
		lc_diag_add(d, v->at, "%s: \"%s\" must be between %llu and %llu%s", who, key,
			    (unsigned long long)lo, (unsigned long long)hi, unit);
}

/*
 * A set of keys, each with who gave it first and where: duplicate checks
 * stay linear however long the lists (a quadratic one let a 20 KB file
 * exhaust memory with diagnostics). Keys and owners are borrowed.
 */
struct seen_slot {
	const char *key;
	const char *owner;
	struct lc_mark at;
};

struct seen {
	struct seen_slot *v;
	size_t n, cap; /* cap: 0 or a power of two */
	bool nocase;
};

static size_t seen_hash(const struct seen *s, const char *k)
{
	size_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)(s->nocase ? tolower((unsigned char)*k) : *k)) *
		    1099511628211u;
	return h;
}

static bool seen_eq(const struct seen *s, const char *a, const char *b)
{
	return s->nocase ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

static struct seen_slot *seen_find(struct seen *s, const char *key)
{
	for (size_t i = seen_hash(s, key) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
		if (!s->v[i].key || seen_eq(s, s->v[i].key, key))
			return &s->v[i];
}

/* Add key; returns the slot of an earlier equal key, or NULL when it is new. */
static const struct seen_slot *seen_add(struct seen *s, const char *key, const char *owner,
					struct lc_mark at)
{
	if (2 * (s->n + 1) > s->cap) {
		struct seen old = *s;
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = lc_calloc(s->cap, sizeof(*s->v));
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i].key)
				*seen_find(s, old.v[i].key) = old.v[i];
		free(old.v);
	}
	struct seen_slot *e = seen_find(s, key);
	if (e->key)
		return e;
	*e = (struct seen_slot){key, owner, at};
	s->n++;
	return NULL;
}

static void seen_release(struct seen *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The image a node boots takes cloud-init; the user's cloud-config is a YAML mapping. */
static void check_cloud_init(const struct lc_node *n, const struct lc_validate_ctx *ctx,
			     struct lc_diags *d)
{
	if (!n->cloud_init.v)
		return;
	if (ctx->image_cloud_init) {
		bool takes = false;
		for (size_t i = 0; n->image.v && i < ctx->n_images; i++)
			if (strcmp(ctx->images[i], n->image.v) == 0)
				takes = ctx->image_cloud_init[i];
		if (!takes)
			lc_diag_add(d, n->cloud_init.at,
				    "node \"%s\": \"cloud_init\" needs an image that takes "
				    "cloud-init, and %s%s%s does not (its catalog entry has no "
				    "\"cloud_init: true\")",
				    n->name, n->image.v ? "image \"" : "a node without an image",
				    n->image.v ? n->image.v : "", n->image.v ? "\"" : "");
	}
	if (n->cloud_init_inline || !n->cloud_init_text)
		return;
	/* the user's own file: its problems are said at their place in that file */
	struct lc_ydoc *doc =
	    lc_ydoc_parse(n->cloud_init.v, n->cloud_init_text, strlen(n->cloud_init_text), d);
	if (doc && (!doc->root || doc->root->type != LC_Y_MAP)) {
		struct lc_mark at =
		    doc->root ? doc->root->at : (struct lc_mark){n->cloud_init.v, 1, 1};
		lc_diag_add(d, at,
			    "cloud-config: must be a mapping (like \"runcmd: [...]\"), not %s%s",
			    doc->root ? "a " : "", doc->root ? lc_ytype_name(doc->root) : "empty");
	}
	lc_ydoc_free(doc);
}

/* An OpenSSH public key line: TYPE BASE64 [COMMENT]. */
static bool valid_pubkey(const char *s)
{
	static const char *const types[] = {"ssh-ed25519",
					    "ssh-rsa",
					    "ecdsa-sha2-nistp256",
					    "ecdsa-sha2-nistp384",
					    "ecdsa-sha2-nistp521",
					    "sk-ssh-ed25519@openssh.com",
					    "sk-ecdsa-sha2-nistp256@openssh.com"};
	size_t tl = strcspn(s, " ");
	bool known = false;
	for (size_t i = 0; i < LC_ARRAY_SIZE(types); i++)
		known |= strlen(types[i]) == tl && strncmp(s, types[i], tl) == 0;
	if (!known || s[tl] != ' ')
		return false;
	const char *b64 = s + tl + 1;
	size_t bl =
	    strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
	if (bl < 16 || (b64[bl] && b64[bl] != ' ' && b64[bl] != '\n'))
		return false;
	/* one line: nothing after the comment's end */
	const char *nl = strchr(b64, '\n');
	return !nl || nl[strspn(nl, "\n")] == '\0';
}

/*
 * Tweaks already checked, by their position: one written once in the file
 * (in defaults, or on a node with replicas) reaches many nodes and says the
 * same on each, so it is checked once, not once per node.
 */
struct checked {
	struct seen set;
	struct lc_strv keys; /* the keys the set borrows */
};

static bool first_check(struct checked *c, const struct lc_tweak *tw)
{
	char *key = lc_asprintf("%d:%d:%d:%d:%d", (int)tw->op, tw->xpath.at.line, tw->xpath.at.col,
				tw->value.at.line, tw->value.at.col);
	if (seen_add(&c->set, key, NULL, tw->at)) {
		free(key);
		return false;
	}
	lc_strv_push_nodup(&c->keys, key);
	return true;
}

static void checked_release(struct checked *c)
{
	seen_release(&c->set);
	lc_strv_release(&c->keys);
}

/* The URI a node is placed on: its host's, or the connection's (NULL when unknown). */
static const char *node_uri(const struct lc_topology *t, const struct lc_node *n,
			    const struct lc_validate_ctx *ctx)
{
	for (size_t i = 0; n->host.v && i < t->n_hosts; i++)
		if (t->hosts[i].name.v && strcmp(t->hosts[i].name.v, n->host.v) == 0)
			return t->hosts[i].uri.v;
	return ctx->uri;
}

/*
 * A nat or isolated network is a bridge on one host, and the hosts' bridges
 * are not joined: its nodes must all be on one host. A bridge network uses
 * a bridge the hosts may share (their uplinks on one segment), so it may span.
 */
static void check_network_hosts(const struct lc_topology *t, const struct lc_validate_ctx *ctx,
				struct lc_diags *d)
{
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *w = &t->networks[i];
		if (w->mode == LC_NET_BRIDGE || !w->name.v)
			continue;
		const struct lc_node *first = NULL;
		const char *first_uri = NULL;
		for (size_t k = 0; k < t->n_nodes; k++) {
			const struct lc_node *n = &t->nodes[k];
			bool on = false;
			for (size_t m = 0; m < n->networks.n && !on; m++)
				on = n->networks.v[m].v &&
				     strcmp(n->networks.v[m].v, w->name.v) == 0;
			if (!on)
				continue;
			const char *uri = node_uri(t, n, ctx);
			if (!first) {
				first = n;
				first_uri = uri;
				continue;
			}
			if ((uri == first_uri) || (uri && first_uri && strcmp(uri, first_uri) == 0))
				continue;
			lc_diag_add(
			    d, w->name.at,
			    "network \"%s\": mode %s cannot span hosts (node \"%s\" is on "
			    "%s, node \"%s\" on %s): the hosts' bridges are not joined; use "
			    "mode: bridge on a bridge the hosts share, or place the nodes on "
			    "one host",
			    w->name.v, w->mode == LC_NET_NAT ? "nat" : "isolated", first->name,
			    first->host.v ? first->host.v : "the connection's host", n->name,
			    n->host.v ? n->host.v : "the connection's host");
			break;
		}
	}
}

/* A disk's boot loader runs under one firmware: a node asking for the other cannot boot it. */
static void check_image_firmware(struct lc_diags *d, const char *who, const struct lc_node *n,
				 const struct lc_catalog *c)
{
	const struct lc_image *img = c && n->image.v ? lc_catalog_find(c, n->image.v) : NULL;
	if (!img || !n->firmware_str.v || img->firmware == LC_IMG_FW_ANY ||
	    lc_image_boots_kernel(img))
		return;
	bool bios = n->firmware == LC_FW_BIOS;
	if (bios == (img->firmware == LC_IMG_FW_BIOS))
		return;
	lc_diag_add(d, n->firmware_str.at,
		    "%s: firmware %s cannot boot image \"%s\": its disk boots with %s (its "
		    "catalog entry says firmware: %s)",
		    who, n->firmware_str.v, n->image.v, bios ? "UEFI" : "BIOS",
		    lc_image_firmware_name(img->firmware));
}

static void check_node(const struct lc_node *n, const struct lc_validate_ctx *ctx,
		       const struct lc_strv *nets, const struct lc_strv *pools,
		       const struct lc_strv *hosts, struct checked *tweaks, struct lc_diags *d)
{
	char *shown = lc_shown_name(n->name);
	char *who = lc_asprintf("node \"%s\"", shown);
	free(shown);
	if (!lc_valid_name(n->name))
		lc_diag_add(
		    d, n->at,
		    "%s: invalid name: use letters, digits, \"-\" and \"_\", starting with a "
		    "letter or digit, at most 63 characters",
		    who);
	if (!n->template_path.v)
		check_ref(d, who, "kind", &n->kind, ctx->kinds, ctx->n_kinds);
	if (n->template_path.v && !n->template_path.v[0])
		lc_diag_add(d, n->template_path.at, "%s: \"template\" is empty", who);
	check_range(d, who, "memory", &n->memory_kib, LC_MIN_MEMORY_KIB, LC_MAX_MEMORY_KIB,
		    " KiB (16MiB to 16TiB)");
	check_range(d, who, "vcpus", &n->vcpus, 1, LC_MAX_VCPUS, "");
	check_range(d, who, "disk", &n->disk_bytes, LC_MIN_DISK_BYTES, LC_MAX_DISK_BYTES,
		    " bytes (1MiB to 64TiB)");
	for (size_t i = 0; i < n->n_disks; i++)
		check_range(d, who, "disks", &n->disks[i], LC_MIN_DISK_BYTES, LC_MAX_DISK_BYTES,
			    " bytes (1MiB to 64TiB)");
	if (n->image.v)
		check_ref(d, who, "image", &n->image, ctx->images, ctx->n_images);
	check_image_firmware(d, who, n, ctx->catalog);
	if (n->host.v)
		check_ref(d, who, "host", &n->host, (const char *const *)hosts->v, hosts->n);
	struct seen listed = {0};
	for (size_t i = 0; i < n->networks.n; i++) {
		check_ref(d, who, "network", &n->networks.v[i], (const char *const *)nets->v,
			  nets->n);
		if (seen_add(&listed, n->networks.v[i].v, NULL, n->networks.v[i].at))
			lc_diag_add(d, n->networks.v[i].at, "%s: network \"%s\" is listed twice",
				    who, n->networks.v[i].v);
	}
	seen_release(&listed);
	for (size_t i = 0; i < n->n_vfs; i++) {
		const struct lc_vf_req *r = &n->vfs[i];
		if (r->pool.v)
			check_ref(d, who, "pool", &r->pool, (const char *const *)pools->v,
				  pools->n);
		check_range(d, who, "count", &r->count, 1, LC_MAX_VF_COUNT, "");
		check_range(d, who, "vlan", &r->vlan, 1, 4094, "");
		if (r->macs.n && r->macs.n != r->count.v)
			lc_diag_add(d, r->macs.at, "%s: %zu MACs given for %llu VFs", who,
				    r->macs.n, (unsigned long long)r->count.v);
		for (size_t j = 0; j < r->macs.n; j++)
			if (!lc_valid_mac(r->macs.v[j].v))
				lc_diag_add(d, r->macs.v[j].at,
					    "%s: bad MAC \"%s\" (six hex pairs with ':', unicast)",
					    who, r->macs.v[j].v);
	}
	struct lc_pci_addr pa;
	for (size_t i = 0; i < n->n_pci; i++) {
		const struct lc_str *s = &n->pci[i].address;
		if (s->v && lc_pci_addr_parse(s->v, &pa) < 0)
			lc_diag_add(d, s->at, "%s: bad PCI address \"%s\" (like 0000:3b:00.0)", who,
				    s->v);
	}
	for (size_t i = 0; i < n->n_xml; i++) {
		const struct lc_tweak *tw = &n->xml[i];
		struct lc_err err = LC_ERR_INIT;
		if (tw->xpath.v && first_check(tweaks, tw) && lc_tweak_check(tw, &err) < 0)
			lc_diag_add(d,
				    err.code == LC_EXIT_USAGE && tw->value.v ? tw->value.at
									     : tw->xpath.at,
				    "%s: %s", who, err.msg);
		lc_err_release(&err);
	}
	const struct {
		const char *key;
		const struct lc_str *s;
	} files[] = {{"cdrom", &n->cdrom},
		     {"boot kernel", &n->boot_kernel},
		     {"boot initrd", &n->boot_initrd}};
	for (size_t i = 0; ctx->check_file && i < LC_ARRAY_SIZE(files); i++) {
		struct lc_err err = LC_ERR_INIT;
		if (files[i].s->v && ctx->check_file(files[i].s->v, &err) < 0)
			lc_diag_add(d, files[i].s->at, "%s: %s: %s", who, files[i].key, err.msg);
		lc_err_release(&err);
	}
	if (n->boot_initrd.v && !n->boot_kernel.v)
		lc_diag_add(d, n->boot_initrd.at, "%s: \"boot\" has an initrd but no kernel", who);
	if (n->boot_cmdline.v && !n->boot_kernel.v)
		lc_diag_add(d, n->boot_cmdline.at, "%s: \"boot\" has a cmdline but no kernel", who);
	if (n->viommu.v && n->viommu.set && n->kind.v && strcmp(n->kind.v, "kvm") != 0 &&
	    strcmp(n->kind.v, "generic") != 0 && !n->template_path.v)
		lc_diag_add(d, n->viommu.at, "%s: \"viommu\" is for kinds kvm and generic", who);

	free(who);
}

/* Two expanded nodes with one name: say where each came from. */
static void check_duplicate_nodes(const struct lc_topology *t, struct lc_diags *d)
{
	for (size_t i = 1; i < t->n_nodes; i++) {
		const struct lc_node *a = &t->nodes[i - 1], *b = &t->nodes[i];
		if (strcmp(a->name, b->name) != 0)
			continue;
		const struct lc_node *later = a->at.line > b->at.line ? a : b;
		const struct lc_node *first = later == a ? b : a;
		lc_diag_add(d, later->at, "node \"%s\": duplicate node name (also %s at line %d)",
			    later->name,
			    first->replica ? "made by replicas of the node" : "the node",
			    first->at.line);
	}
}

static bool mark_before(struct lc_mark a, struct lc_mark b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/*
 * key given twice: said at the later of the two places, naming the other,
 * so that the message points at the one to change.
 */
static void dup_add(struct seen *s, struct lc_diags *d, const char *what, const char *key,
		    const char *owner, struct lc_mark at)
{
	const struct seen_slot *o = seen_add(s, key, owner, at);
	if (!o)
		return;
	const char *o_owner = o->owner;
	struct lc_mark o_at = o->at;
	if (mark_before(at, o_at)) {
		o_at = at;
		at = o->at;
		const char *x = owner;
		owner = o_owner;
		o_owner = x;
	}
	if (strcmp(owner, o_owner) == 0)
		lc_diag_add(d, at, "node \"%s\": %s \"%s\" is also given at line %d", owner, what,
			    key, o_at.line);
	else
		lc_diag_add(d, at, "node \"%s\": %s \"%s\" is also node \"%s\"'s (line %d)", owner,
			    what, key, o_owner, o_at.line);
}

/*
 * What must be unique in the lab, after defaults and replicas: a MAC on two
 * NICs breaks both, a device passes through to one domain only, and two
 * nodes writing one volume corrupt each other's disk.
 */
static void check_unique(const struct lc_topology *t, struct lc_diags *d)
{
	struct seen macs = {.nocase = true}, pci = {0}, vols = {0};
	struct lc_strv owned = LC_STRV_INIT;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		for (size_t j = 0; j < n->n_vfs; j++)
			for (size_t k = 0; k < n->vfs[j].macs.n; k++)
				if (lc_valid_mac(n->vfs[j].macs.v[k].v))
					dup_add(&macs, d, "MAC", n->vfs[j].macs.v[k].v, n->name,
						n->vfs[j].macs.v[k].at);
		struct lc_pci_addr pa;
		for (size_t j = 0; j < n->n_pci; j++) {
			const struct lc_str *s = &n->pci[j].address;
			if (!s->v || lc_pci_addr_parse(s->v, &pa) < 0)
				continue;
			/* one spelling per device: 0000:3B:00.0 is 0000:3b:00.0 */
			char spelt[LC_PCI_ADDR_SIZE];
			lc_pci_addr_format(&pa, spelt);
			const char *key = lc_strv_push(&owned, spelt);
			dup_add(&pci, d, "PCI device", key, n->name, s->at);
		}
		/* a duplicate node name is reported as such, not again by its volumes */
		if (!t->name.v || (i > 0 && strcmp(t->nodes[i - 1].name, n->name) == 0))
			continue;
		for (size_t j = 0; j < lc_render_n_volumes(n); j++) {
			const char *vol =
			    lc_strv_push_nodup(&owned, lc_render_volume_name(t, n, j));
			dup_add(&vols, d, "volume", vol, n->name, j ? n->disks[j - 1].at : n->at);
		}
	}
	lc_strv_release(&owned);
	seen_release(&macs);
	seen_release(&pci);
	seen_release(&vols);
}

/* Each node's own template, once per file: render must be able to use it. */
static void check_templates(const struct lc_topology *t, const struct lc_validate_ctx *ctx,
			    struct lc_diags *d)
{
	struct seen paths = {0};
	for (size_t i = 0; ctx->check_template && i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		const struct lc_str *p = &n->template_path;
		if (!p->v || !p->v[0] || seen_add(&paths, p->v, n->name, p->at))
			continue;
		struct lc_err err = LC_ERR_INIT;
		if (ctx->check_template(p->v, &err) < 0)
			lc_diag_add(d, p->at, "node \"%s\": template: %s", n->name, err.msg);
		lc_err_release(&err);
	}
	seen_release(&paths);
}

size_t lc_validate(const struct lc_topology *t, const struct lc_validate_ctx *ctx,
		   struct lc_diags *d)
{
	size_t before = d->n;
	if (t->name.v && !lc_valid_lab_name(t->name.v)) {
		char *shown = lc_shown_name(t->name.v);
		lc_diag_add(d, t->name.at,
			    "topology: invalid lab name \"%s\": [a-z][a-z0-9-]{0,31} (it prefixes "
			    "every resource)",
			    shown);
		free(shown);
	}
	if (t->ttl_s.set && t->ttl_s.v == 0)
		lc_diag_add(d, t->ttl_s.at, "topology: \"ttl\" must be longer than 0s");
	if (t->storage_pool.v && !lc_valid_name(t->storage_pool.v))
		lc_diag_add(d, t->storage_pool.at, "topology: invalid storage pool name \"%s\"",
			    t->storage_pool.v);
	check_networks(t, d);
	struct lc_addrs addrs;
	lc_addrs_plan(t, &addrs, d);
	lc_addrs_release(&addrs);
	check_subnet_overlaps(t, d);
	check_pools(t, d);
	struct lc_strv nets = LC_STRV_INIT, pools = LC_STRV_INIT, hosts = LC_STRV_INIT;
	for (size_t i = 0; i < t->n_networks; i++)
		lc_strv_push(&nets, t->networks[i].name.v);
	for (size_t i = 0; i < t->n_pools; i++)
		lc_strv_push(&pools, t->pools[i].name.v);
	for (size_t i = 0; i < t->n_hosts; i++) {
		lc_strv_push(&hosts, t->hosts[i].name.v);
		check_name(d, "host", &t->hosts[i].name);
	}
	struct checked tweaks = {0};
	for (size_t i = 0; i < t->n_nodes && !lc_interrupted(); i++) {
		check_node(&t->nodes[i], ctx, &nets, &pools, &hosts, &tweaks, d);
		check_cloud_init(&t->nodes[i], ctx, d);
	}
	checked_release(&tweaks);
	if (t->ssh_key_text && !valid_pubkey(t->ssh_key_text))
		lc_diag_add(
		    d, t->ssh_key.at,
		    "\"ssh_key\": '%s' is not an OpenSSH public key (one line like "
		    "\"ssh-ed25519 AAAA... comment\"; give the .pub file, not the private key)",
		    t->ssh_key.v);
	check_network_hosts(t, ctx, d);
	check_duplicate_nodes(t, d);
	check_unique(t, d);
	check_templates(t, ctx, d);
	lc_strv_release(&nets);
	lc_strv_release(&pools);
	lc_strv_release(&hosts);
	return d->n - before;
}
