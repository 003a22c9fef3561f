/* YAML tree -> lab model, table-driven per mapping; see topology.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sha256.h"
#include "suggest.h"
#include "topology.h"
#include "yaml-doc.h"

/*
 * Values read so far, across defaults and replicas: aliases and replicas
 * multiply what a small file asks for, so the model's size is capped here.
 */
struct budget {
	size_t used;
	bool over;
	struct lc_mark at; /* where the cap was reached */
};

struct ctx {
	struct lc_topology *t;
	struct lc_diags *d;
	const char *what; /* context in front of messages: node "kvm1" */
	struct budget *b;
};

/* Count one value; false once the topology holds too many (reported once, by the caller). */
static bool spend(struct ctx *c, struct lc_mark at)
{
	if (c->b->used >= LC_MAX_VALUES) {
		if (!c->b->over)
			c->b->at = at;
		c->b->over = true;
		return false;
	}
	c->b->used++;
	return true;
}

#define DIAG(c, at, fmt, ...) lc_diag_add((c)->d, (at), "%s: " fmt, (c)->what, __VA_ARGS__)

/* ---- scalar readers: each reports its own type error and returns -1 ---- */

static const char *shown(const struct lc_ynode *v)
{
	return v->type == LC_Y_SCALAR ? v->scalar : lc_ytype_name(v);
}

static int want_scalar(struct ctx *c, const struct lc_ynode *v, const char *key, const char *as)
{
	if (v->type == LC_Y_SCALAR && !lc_ynode_is_null(v))
		return 0;
	if (v->type == LC_Y_SCALAR)
		DIAG(c, v->at, "\"%s\" needs a value (%s)", key, as);
	else
		DIAG(c, v->at, "\"%s\" must be %s, not a %s", key, as, lc_ytype_name(v));
	return -1;
}

static void read_str(struct ctx *c, const struct lc_ynode *v, const char *key, struct lc_str *out)
{
	if (want_scalar(c, v, key, "a string") == 0)
		lc_str_set(out, v->scalar, v->at);
}

static int read_uint(struct ctx *c, const struct lc_ynode *v, const char *key, struct lc_num *out)
{
	if (want_scalar(c, v, key, "a whole number"))
		return -1;
	const char *s = v->scalar;
	uint64_t x = 0;
	if (!v->plain || !*s)
		goto bad;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			goto bad;
		if (x > (UINT64_MAX - 9) / 10) {
			DIAG(c, v->at, "\"%s\" is out of range: %s", key, v->scalar);
			return -1;
		}
		x = x * 10 + (uint64_t)(*s - '0');
	}
	out->v = x;
	out->set = true;
	out->at = v->at;
	return 0;
bad:
	DIAG(c, v->at, "\"%s\" must be a whole number, not \"%s\"", key, v->scalar);
	return -1;
}

static void read_bool(struct ctx *c, const struct lc_ynode *v, const char *key, struct lc_flag *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
	if (want_scalar(c, v, key, "true or false"))
		return;
	for (size_t i = 0; v->plain && i < LC_ARRAY_SIZE(yes); i++) {
		if (strcmp(v->scalar, yes[i]) == 0 || strcmp(v->scalar, no[i]) == 0) {
			out->v = strcmp(v->scalar, yes[i]) == 0;
			out->set = true;
			out->at = v->at;
			return;
		}
	}
	DIAG(c, v->at, "\"%s\" must be true or false, not \"%s\"", key, v->scalar);
}

static void read_size(struct ctx *c, const struct lc_ynode *v, const char *key, struct lc_num *out)
{
	if (want_scalar(c, v, key, "a size like 4GiB"))
		return;
	const char *why;
	if (lc_parse_size(v->scalar, &out->v, &why) < 0) {
		DIAG(c, v->at, "\"%s\": bad size \"%s\": %s", key, v->scalar, why);
		return;
	}
	out->set = true;
	out->at = v->at;
}

static void read_strlist(struct ctx *c, const struct lc_ynode *v, const char *key,
			 struct lc_strlist *out)
{
	lc_strlist_release(out);
	out->set = true;
	out->at = v->at;
	if (v->type != LC_Y_SEQ) {
		DIAG(c, v->at, "\"%s\" must be a list, not %s%s%s", key,
		     v->type == LC_Y_SCALAR ? "\"" : "a ", shown(v),
		     v->type == LC_Y_SCALAR ? "\"" : "");
		return;
	}
	for (size_t i = 0; i < v->n && spend(c, v->kv[i]->at); i++) {
		const struct lc_ynode *e = v->kv[i];
		if (want_scalar(c, e, key, "a list of strings") == 0)
			lc_strlist_add(out, e->scalar, e->at);
	}
}

/* ---- mappings: a table of keys per kind of mapping ---- */

typedef void (*key_fn)(struct ctx *c, const struct lc_ynode *v, void *obj);

struct key {
	const char *name;
	key_fn fn;
};

/*
 * Walk a mapping, calling each known key's reader; report unknown keys with
 * a suggestion. seen (may be NULL) gets a bit per table entry present.
 */
static void read_map(struct ctx *c, const struct lc_ynode *map, const struct key *keys,
		     size_t n_keys, void *obj, uint64_t *seen)
{
	const char *names[64];
	for (size_t i = 0; i < n_keys && i < 64; i++)
		names[i] = keys[i].name;
	for (size_t i = 0; i + 1 < map->n && spend(c, map->kv[i]->at); i += 2) {
		const struct lc_ynode *k = map->kv[i], *v = map->kv[i + 1];
		if (k->type != LC_Y_SCALAR)
			continue; /* yaml-doc already said so */
		size_t j;
		for (j = 0; j < n_keys; j++)
			if (strcmp(keys[j].name, k->scalar) == 0)
				break;
		if (j == n_keys) {
			const char *s = lc_suggest(k->scalar, names, n_keys);
			if (s)
				DIAG(c, k->at, "unknown key \"%s\" (did you mean \"%s\"?)",
				     k->scalar, s);
			else
				DIAG(c, k->at, "unknown key \"%s\"", k->scalar);
			continue;
		}
		if (seen)
			*seen |= 1ull << j;
		keys[j].fn(c, v, obj);
	}
}

static int want_map(struct ctx *c, const struct lc_ynode *v, const char *what)
{
	if (v->type == LC_Y_MAP)
		return 0;
	if (lc_ynode_is_null(v))
		DIAG(c, v->at, "%s is empty: it must be a mapping", what);
	else
		DIAG(c, v->at, "%s must be a mapping, not a %s", what, lc_ytype_name(v));
	return -1;
}

/* ---- node keys ---- */

#define NODE_STR(field, key)                                                                       \
	static void n_##field(struct ctx *c, const struct lc_ynode *v, void *o)                    \
	{                                                                                          \
		read_str(c, v, key, &((struct lc_node *)o)->field);                                \
	}
NODE_STR(kind, "kind")
NODE_STR(template_path, "template")
NODE_STR(image, "image")
NODE_STR(cdrom, "cdrom")
NODE_STR(cpu, "cpu")
NODE_STR(host, "host")

static void n_memory(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	read_size(c, v, "memory", &n->memory_kib);
	if (n->memory_kib.set)
		n->memory_kib.v /= 1024;
}

static void n_vcpus(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_uint(c, v, "vcpus", &((struct lc_node *)o)->vcpus);
}

static void n_disk(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_size(c, v, "disk", &((struct lc_node *)o)->disk_bytes);
}

static void n_disks(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	n->disks_set = true;
	n->n_disks = 0;
	if (v->type != LC_Y_SEQ) {
		DIAG(c, v->at, "\"disks\" must be a list of sizes, not a %s", lc_ytype_name(v));
		return;
	}
	for (size_t i = 0; i < v->n && spend(c, v->kv[i]->at); i++) {
		struct lc_num s = {0};
		read_size(c, v->kv[i], "disks", &s);
		if (!s.set)
			continue;
		LC_GROW(n->disks, n->cap_disks, n->n_disks + 1);
		n->disks[n->n_disks++] = s;
	}
}

static int pick(struct ctx *c, const struct lc_ynode *v, const char *key,
		const char *const *choices, size_t n_choices, struct lc_str *out)
{
	if (want_scalar(c, v, key, "a string"))
		return -1;
	for (size_t i = 0; i < n_choices; i++) {
		if (strcmp(v->scalar, choices[i]) == 0) {
			lc_str_set(out, v->scalar, v->at);
			return (int)i;
		}
	}
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < n_choices; i++)
		lc_buf_addf(&b, "%s%s", i ? ", " : "", choices[i]);
	DIAG(c, v->at, "\"%s\" must be one of %s, not \"%s\"", key, lc_buf_str(&b), v->scalar);
	lc_buf_release(&b);
	return -1;
}

static void n_firmware(struct ctx *c, const struct lc_ynode *v, void *o)
{
	static const char *const fw[] = {"bios", "uefi", "uefi-secure"};
	struct lc_node *n = o;
	int i = pick(c, v, "firmware", fw, LC_ARRAY_SIZE(fw), &n->firmware_str);
	if (i >= 0)
		n->firmware = (enum lc_firmware)i;
}

static void n_accel(struct ctx *c, const struct lc_ynode *v, void *o)
{
	static const char *const ac[] = {"auto", "kvm", "tcg"};
	struct lc_node *n = o;
	int i = pick(c, v, "accel", ac, LC_ARRAY_SIZE(ac), &n->accel_str);
	if (i >= 0)
		n->accel = (enum lc_accel)i;
}

static void n_nested(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_bool(c, v, "nested", &((struct lc_node *)o)->nested);
}

static void n_viommu(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_bool(c, v, "viommu", &((struct lc_node *)o)->viommu);
}

static void n_networks(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_strlist(c, v, "networks", &((struct lc_node *)o)->networks);
}

static void vf_pool(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "pool", &((struct lc_vf_req *)o)->pool);
}

static void vf_count(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_uint(c, v, "count", &((struct lc_vf_req *)o)->count);
}

static void vf_vlan(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_uint(c, v, "vlan", &((struct lc_vf_req *)o)->vlan);
}

static void vf_mac(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_vf_req *r = o;
	if (v->type == LC_Y_SCALAR && strcmp(v->scalar, "auto") == 0) {
		lc_strlist_release(&r->macs);
		return;
	}
	read_strlist(c, v, "mac", &r->macs);
}

static const struct key vf_keys[] = {
    {"pool", vf_pool}, {"count", vf_count}, {"vlan", vf_vlan}, {"mac", vf_mac}};

/* Read a list whose items are mappings, each into a fresh element of *arr. */
static void read_items(struct ctx *c, const struct lc_ynode *v, const char *key,
		       const struct key *keys, size_t n_keys, void **arr, size_t *n, size_t *cap,
		       size_t sz, void (*release)(void *))
{
	for (size_t i = 0; i < *n; i++)
		release((char *)*arr + i * sz);
	*n = 0;
	if (v->type != LC_Y_SEQ) {
		DIAG(c, v->at, "\"%s\" must be a list, not a %s", key, lc_ytype_name(v));
		return;
	}
	for (size_t i = 0; i < v->n && spend(c, v->kv[i]->at); i++) {
		const struct lc_ynode *e = v->kv[i];
		if (e->type != LC_Y_MAP) {
			DIAG(c, e->at, "each \"%s\" entry must be a mapping, not %s%s%s", key,
			     e->type == LC_Y_SCALAR ? "\"" : "a ", shown(e),
			     e->type == LC_Y_SCALAR ? "\"" : "");
			continue;
		}
		lc_grow(arr, cap, *n + 1, sz);
		void *obj = (char *)*arr + *n * sz;
		memset(obj, 0, sz);
		*(struct lc_mark *)obj = e->at; /* every item struct starts with its mark */
		(*n)++;
		read_map(c, e, keys, n_keys, obj, NULL);
	}
}

static void release_vf(void *o)
{
	struct lc_vf_req *r = o;
	lc_str_release(&r->pool);
	lc_strlist_release(&r->macs);
}

static void n_vfs(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	n->vfs_set = true;
	read_items(c, v, "vfs", vf_keys, LC_ARRAY_SIZE(vf_keys), (void **)&n->vfs, &n->n_vfs,
		   &n->cap_vfs, sizeof(*n->vfs), release_vf);
	for (size_t i = 0; i < n->n_vfs; i++) {
		if (!n->vfs[i].pool.v)
			DIAG(c, n->vfs[i].at, "a \"vfs\" entry needs \"%s\"", "pool");
		if (!n->vfs[i].count.set) {
			/* one VF unless told otherwise, as a NIC has one port by default */
			n->vfs[i].count.v = 1;
			n->vfs[i].count.at = n->vfs[i].at;
		}
	}
}

static void pci_address(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "address", &((struct lc_pci_req *)o)->address);
}

static const struct key pci_keys[] = {{"address", pci_address}};

static void release_pci(void *o)
{
	lc_str_release(&((struct lc_pci_req *)o)->address);
}

static void n_pci(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	n->pci_set = true;
	read_items(c, v, "pci", pci_keys, LC_ARRAY_SIZE(pci_keys), (void **)&n->pci, &n->n_pci,
		   &n->cap_pci, sizeof(*n->pci), release_pci);
	for (size_t i = 0; i < n->n_pci; i++)
		if (!n->pci[i].address.v)
			DIAG(c, n->pci[i].at, "a \"pci\" entry needs \"%s\"", "address");
}

static void tw_set(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_tweak *t = o;
	t->op = LC_TWEAK_SET;
	read_str(c, v, "set", &t->xpath);
}

static void tw_remove(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_tweak *t = o;
	t->op = LC_TWEAK_REMOVE;
	read_str(c, v, "remove", &t->xpath);
}

static void tw_append(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_tweak *t = o;
	t->op = LC_TWEAK_APPEND;
	read_str(c, v, "append", &t->xpath);
}

static void tw_value(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_tweak *t = o;
	/* an empty value is a legitimate thing to set */
	if (v->type == LC_Y_SCALAR)
		lc_str_set(&t->value, lc_ynode_is_null(v) ? "" : v->scalar, v->at);
	else
		read_str(c, v, "value", &t->value);
}

static const struct key tweak_keys[] = {{"set", tw_set},
					{"remove", tw_remove},
					{"append", tw_append},
					{"value", tw_value},
					{"fragment", tw_value}};

static void release_tweak(void *o)
{
	struct lc_tweak *t = o;
	lc_str_release(&t->xpath);
	lc_str_release(&t->value);
}

static void n_xml(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	n->xml_set = true;
	read_items(c, v, "xml", tweak_keys, LC_ARRAY_SIZE(tweak_keys), (void **)&n->xml, &n->n_xml,
		   &n->cap_xml, sizeof(*n->xml), release_tweak);
	for (size_t i = 0; i < v->n && v->type == LC_Y_SEQ && !c->b->over; i++) {
		const struct lc_ynode *e = v->kv[i];
		if (e->type != LC_Y_MAP)
			continue;
		int ops = !!lc_ymap_get(e, "set", NULL) + !!lc_ymap_get(e, "remove", NULL) +
			  !!lc_ymap_get(e, "append", NULL);
		const struct lc_ynode *val = lc_ymap_get(e, "value", NULL);
		const struct lc_ynode *frag = lc_ymap_get(e, "fragment", NULL);
		if (ops != 1)
			DIAG(c, e->at, "an \"xml\" entry needs exactly one of %s",
			     "\"set\", \"remove\" or \"append\"");
		else if (lc_ymap_get(e, "set", NULL) && (!val || frag))
			DIAG(c, e->at, "\"set\" needs \"%s\" (and no other)", "value");
		else if (lc_ymap_get(e, "append", NULL) && (!frag || val))
			DIAG(c, e->at, "\"append\" needs \"%s\" (and no other)", "fragment");
		else if (lc_ymap_get(e, "remove", NULL) && (frag || val))
			DIAG(c, e->at, "\"remove\" takes no \"%s\"", frag ? "fragment" : "value");
	}
}

static void n_replicas(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_uint(c, v, "replicas", &((struct lc_node *)o)->replicas);
}

static void b_kernel(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "kernel", &((struct lc_node *)o)->boot_kernel);
}

static void b_initrd(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "initrd", &((struct lc_node *)o)->boot_initrd);
}

static void b_cmdline(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "cmdline", &((struct lc_node *)o)->boot_cmdline);
}

static const struct key boot_keys[] = {
    {"kernel", b_kernel}, {"initrd", b_initrd}, {"cmdline", b_cmdline}};

static void n_boot(struct ctx *c, const struct lc_ynode *v, void *o)
{
	if (want_map(c, v, "\"boot\"") == 0)
		read_map(c, v, boot_keys, LC_ARRAY_SIZE(boot_keys), o, NULL);
}

/* ip: {NETWORK: ADDRESS, ...} */
static void n_ip(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	if (want_map(c, v, "\"ip\"") < 0)
		return;
	n->ips_set = true;
	for (size_t i = 0; i + 1 < v->n && spend(c, v->kv[i]->at); i += 2) {
		const struct lc_ynode *k = v->kv[i], *a = v->kv[i + 1];
		if (k->type != LC_Y_SCALAR || want_scalar(c, a, "ip", "an IPv4 address") < 0)
			continue;
		LC_GROW(n->ips, n->cap_ips, n->n_ips + 1);
		struct lc_ip_req *r = &n->ips[n->n_ips++];
		memset(r, 0, sizeof(*r));
		lc_str_set(&r->network, k->scalar, k->at);
		lc_str_set(&r->addr, a->scalar, a->at);
	}
}

/*
 * A YAML value as JSON text, which cloud-config's YAML reads as the same
 * value: plain scalars that YAML 1.1 reads as numbers, booleans or null stay
 * bare, every other scalar becomes a string.
 */
static void to_json(const struct lc_ynode *v, struct lc_buf *b, int depth)
{
	if (depth > 64) {
		lc_buf_adds(b, "null");
		return;
	}
	if (v->type == LC_Y_SCALAR) {
		static const char *const words[] = {"true", "false", "True", "False", "yes",
						    "no",   "Yes",   "No",   "on",    "off"};
		const char *s = v->scalar;
		bool bare = false;
		for (size_t i = 0; v->plain && i < LC_ARRAY_SIZE(words); i++)
			bare |= strcmp(s, words[i]) == 0;
		if (v->plain && *s && strspn(s, "0123456789+-.eE") == strlen(s)) {
			char *end;
			strtod(s, &end);
			bare = *end == '\0';
		}
		if (v->plain && lc_ynode_is_null(v)) {
			lc_buf_adds(b, "null");
			return;
		}
		if (bare) {
			lc_buf_adds(b, s);
			return;
		}
		lc_buf_addc(b, '"');
		for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
			if (*p == '"' || *p == '\\')
				lc_buf_addf(b, "\\%c", *p);
			else if (*p < 0x20)
				lc_buf_addf(b, "\\u%04x", *p);
			else
				lc_buf_addc(b, (char)*p);
		}
		lc_buf_addc(b, '"');
		return;
	}
	bool map = v->type == LC_Y_MAP;
	lc_buf_addc(b, map ? '{' : '[');
	size_t step = map ? 2 : 1;
	for (size_t i = 0; i + step - 1 < v->n; i += step) {
		if (i)
			lc_buf_addc(b, ',');
		if (map) {
			to_json(v->kv[i], b, depth + 1);
			lc_buf_addc(b, ':');
			to_json(v->kv[i + 1], b, depth + 1);
		} else {
			to_json(v->kv[i], b, depth + 1);
		}
	}
	lc_buf_addc(b, map ? '}' : ']');
}

/* cloud_init: PATH (a cloud-config file) or a mapping (the cloud-config itself) */
static void n_cloud_init(struct ctx *c, const struct lc_ynode *v, void *o)
{
	struct lc_node *n = o;
	if (v->type == LC_Y_SCALAR && !lc_ynode_is_null(v)) {
		read_str(c, v, "cloud_init", &n->cloud_init);
		n->cloud_init_inline = false;
		return;
	}
	if (v->type != LC_Y_MAP) {
		DIAG(c, v->at,
		     "\"cloud_init\" must be a cloud-config file's path or a mapping, not %s%s",
		     lc_ynode_is_null(v) ? "" : "a ",
		     lc_ynode_is_null(v) ? "empty" : lc_ytype_name(v));
		return;
	}
	struct lc_buf b = LC_BUF_INIT;
	to_json(v, &b, 0);
	lc_str_set(&n->cloud_init, lc_buf_str(&b), v->at);
	lc_buf_release(&b);
	n->cloud_init_inline = true;
}

static const struct key node_keys[] = {
    {"kind", n_kind},
    {"template", n_template_path},
    {"memory", n_memory},
    {"vcpus", n_vcpus},
    {"image", n_image},
    {"disk", n_disk},
    {"disks", n_disks},
    {"cdrom", n_cdrom},
    {"firmware", n_firmware},
    {"nested", n_nested},
    {"cpu", n_cpu},
    {"accel", n_accel},
    {"viommu", n_viommu},
    {"networks", n_networks},
    {"vfs", n_vfs},
    {"pci", n_pci},
    {"xml", n_xml},
    {"replicas", n_replicas},
    {"host", n_host},
    {"boot", n_boot},
    {"ip", n_ip},
    {"cloud_init", n_cloud_init},
};

/* Fill what neither node nor defaults said. */
static void apply_builtin_defaults(struct lc_node *n)
{
	if (!n->kind.v)
		lc_str_set(&n->kind, LC_DEFAULT_KIND, n->at);
	if (!n->memory_kib.set) {
		n->memory_kib.v = LC_DEFAULT_MEMORY_KIB;
		n->memory_kib.at = n->at;
	}
	if (!n->vcpus.set) {
		n->vcpus.v = LC_DEFAULT_VCPUS;
		n->vcpus.at = n->at;
	}
	if (!n->disk_bytes.set) {
		n->disk_bytes.v = LC_DEFAULT_DISK_BYTES;
		n->disk_bytes.at = n->at;
	}
}

static void drop_macs(struct lc_node *n)
{
	for (size_t i = 0; i < n->n_vfs; i++)
		lc_strlist_release(&n->vfs[i].macs);
}

static void drop_ips(struct lc_node *n)
{
	for (size_t i = 0; i < n->n_ips; i++) {
		lc_str_release(&n->ips[i].network);
		lc_str_release(&n->ips[i].addr);
	}
	n->n_ips = 0;
}

static void drop_pci(struct lc_node *n)
{
	for (size_t i = 0; i < n->n_pci; i++)
		lc_str_release(&n->pci[i].address);
	n->n_pci = 0;
}

/*
 * What cannot be shared between nodes must not come from the defaults or
 * be copied to replicas: every node would get the same MAC or device. Said
 * once, where it is written.
 */
static void check_unshareable(struct ctx *c, const struct lc_node *n, const char *why)
{
	for (size_t i = 0; i < n->n_vfs; i++)
		if (n->vfs[i].macs.n)
			DIAG(c, n->vfs[i].macs.at,
			     "an explicit \"mac\" list %s would give the same MACs to every "
			     "node (use mac: auto)",
			     why);
	if (n->n_pci)
		DIAG(c, n->pci[0].at, "\"pci\" %s would pass the same device to every node", why);
	if (n->n_ips)
		DIAG(c, n->ips[0].addr.at, "\"ip\" %s would give every node the same address", why);
}

static uint64_t key_bit(const char *name)
{
	for (size_t j = 0; j < LC_ARRAY_SIZE(node_keys); j++)
		if (strcmp(node_keys[j].name, name) == 0)
			return 1ull << j;
	return 0;
}

/* A relative path in a topology is the topology's neighbour, not the cwd's. */
static void resolve_path(const struct lc_topology *t, struct lc_str *s)
{
	const char *slash = strrchr(t->file, '/');
	if (!s->v || !s->v[0] || s->v[0] == '/' || !slash)
		return;
	char *p = lc_asprintf("%.*s/%s", (int)(slash - t->file), t->file, s->v);
	free(s->v);
	s->v = p;
}

/*
 * Read one node entry: its own keys, then the defaults for every key it did
 * not set (errors in the defaults were already reported once, so here they
 * go to a scratch list). Returns the keys the node itself gave, a bit per
 * node_keys entry.
 */
static uint64_t read_node(struct ctx *c, const struct lc_ynode *key, const struct lc_ynode *v,
			  const struct lc_ynode *defaults, struct lc_node *n)
{
	n->at = key->at;
	uint64_t seen = 0;
	if (v->type == LC_Y_MAP)
		read_map(c, v, node_keys, LC_ARRAY_SIZE(node_keys), n, &seen);
	if (defaults && defaults->type == LC_Y_MAP) {
		struct lc_diags scratch;
		lc_diags_init(&scratch);
		struct ctx dc = {c->t, &scratch, c->what, c->b};
		for (size_t i = 0; i + 1 < defaults->n; i += 2) {
			const struct lc_ynode *k = defaults->kv[i];
			for (size_t j = 0; k->type == LC_Y_SCALAR && j < LC_ARRAY_SIZE(node_keys);
			     j++) {
				if (strcmp(node_keys[j].name, k->scalar) == 0 &&
				    !(seen & (1ull << j)) && strcmp(k->scalar, "replicas") != 0)
					node_keys[j].fn(&dc, defaults->kv[i + 1], n);
			}
		}
		lc_diags_release(&scratch);
		/* reported at the defaults: kept, they would be reported again per node */
		if (!(seen & key_bit("vfs")))
			drop_macs(n);
		if (!(seen & key_bit("pci")))
			drop_pci(n);
		if (!(seen & key_bit("ip")))
			drop_ips(n);
	}
	resolve_path(c->t, &n->template_path);
	if (!n->cloud_init_inline)
		resolve_path(c->t, &n->cloud_init);
	apply_builtin_defaults(n);
	return seen;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct lc_node *)a)->name, ((const struct lc_node *)b)->name);
}

static void read_nodes(struct ctx *c, const struct lc_ynode *nodes, const struct lc_ynode *defaults)
{
	struct lc_topology *t = c->t;
	if (want_map(c, nodes, "\"nodes\""))
		return;
	for (size_t i = 0; i + 1 < nodes->n; i += 2) {
		const struct lc_ynode *k = nodes->kv[i], *v = nodes->kv[i + 1];
		if (k->type != LC_Y_SCALAR)
			continue;
		char *what = lc_asprintf("node \"%s\"", k->scalar);
		struct ctx nc = {t, c->d, what, c->b};
		if (v->type != LC_Y_MAP && !lc_ynode_is_null(v)) {
			DIAG(&nc, v->at, "must be a mapping of node keys, not a %s",
			     lc_ytype_name(v));
			free(what);
			continue;
		}
		struct lc_node first = {0};
		read_node(&nc, k, v, defaults, &first);
		uint64_t reps = first.replicas.set ? first.replicas.v : 0;
		if (first.replicas.set && (reps < 1 || reps > LC_MAX_REPLICAS)) {
			DIAG(&nc, first.replicas.at,
			     "\"replicas\" must be between 1 and %d, not %llu", LC_MAX_REPLICAS,
			     (unsigned long long)reps);
			reps = 0;
		}
		if (reps)
			check_unshareable(&nc, &first, "with \"replicas\"");
		if (c->b->over) {
			lc_node_release(&first);
			free(what);
			break;
		}
		if (t->n_nodes + (reps ? reps : 1) > LC_MAX_NODES) {
			DIAG(&nc, k->at, "a lab holds at most %d nodes", LC_MAX_NODES);
			lc_node_release(&first);
			free(what);
			break;
		}
		for (uint64_t r = 1; r <= (reps ? reps : 1); r++) {
			LC_GROW(t->nodes, t->cap_nodes, t->n_nodes + 1);
			struct lc_node *n = &t->nodes[t->n_nodes++];
			if (r == 1) {
				*n = first;
			} else {
				/* each replica owns its values: read the same YAML again, quietly
				 */
				struct lc_diags scratch;
				lc_diags_init(&scratch);
				struct ctx rc = {t, &scratch, what, c->b};
				memset(n, 0, sizeof(*n));
				read_node(&rc, k, v, defaults, n);
				lc_diags_release(&scratch);
			}
			if (reps) {
				drop_macs(n);
				drop_pci(n);
				drop_ips(n);
			}
			n->origin = lc_strdup(k->scalar);
			n->replica = reps ? (unsigned)r : 0;
			n->name = reps ? lc_asprintf("%s-%u", k->scalar, (unsigned)r)
				       : lc_strdup(k->scalar);
		}
		free(what);
	}
	if (t->n_nodes)
		qsort(t->nodes, t->n_nodes, sizeof(*t->nodes), cmp_node);
	else if (nodes->n == 0)
		DIAG(c, nodes->at, "\"nodes\" is empty: a lab needs %s", "at least one node");
}

/* ---- networks, pools, hosts ---- */

static void net_mode(struct ctx *c, const struct lc_ynode *v, void *o)
{
	static const char *const modes[] = {"nat", "isolated", "bridge"};
	struct lc_network *n = o;
	int i = pick(c, v, "mode", modes, LC_ARRAY_SIZE(modes), &n->mode_str);
	if (i >= 0)
		n->mode = (enum lc_netmode)i;
}

static void net_subnet(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "subnet", &((struct lc_network *)o)->subnet);
}

static void net_bridge(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_str(c, v, "bridge", &((struct lc_network *)o)->bridge);
}

static const struct key net_keys[] = {
    {"mode", net_mode}, {"subnet", net_subnet}, {"bridge", net_bridge}};

static void pool_match(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_strlist(c, v, "match", &((struct lc_vf_pool *)o)->match);
}

static void pool_pf(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_strlist(c, v, "pf", &((struct lc_vf_pool *)o)->pf);
}

static void pool_address(struct ctx *c, const struct lc_ynode *v, void *o)
{
	read_strlist(c, v, "address", &((struct lc_vf_pool *)o)->address);
}

static const struct key pool_keys[] = {
    {"match", pool_match}, {"pf", pool_pf}, {"address", pool_address}};

/* A mapping of NAME -> mapping, each read with keys into a fresh element. */
static void read_named(struct ctx *c, const struct lc_ynode *v, const char *section,
		       const char *item, const struct key *keys, size_t n_keys, void **arr,
		       size_t *n, size_t *cap, size_t sz)
{
	if (want_map(c, v, section))
		return;
	for (size_t i = 0; i + 1 < v->n && spend(c, v->kv[i]->at); i += 2) {
		const struct lc_ynode *k = v->kv[i], *e = v->kv[i + 1];
		if (k->type != LC_Y_SCALAR)
			continue;
		if (*n == LC_MAX_NAMED) {
			DIAG(c, k->at, "%s holds at most %d entries", section, LC_MAX_NAMED);
			break;
		}
		char *what = lc_asprintf("%s \"%s\"", item, k->scalar);
		struct ctx ic = {c->t, c->d, what, c->b};
		lc_grow(arr, cap, *n + 1, sz);
		void *obj = (char *)*arr + *n * sz;
		memset(obj, 0, sz);
		lc_str_set((struct lc_str *)obj, k->scalar, k->at); /* each starts with its name */
		(*n)++;
		if (e->type == LC_Y_MAP)
			read_map(&ic, e, keys, n_keys, obj, NULL);
		else if (!lc_ynode_is_null(e))
			DIAG(&ic, e->at, "must be a mapping, not %s%s%s",
			     e->type == LC_Y_SCALAR ? "\"" : "a ", shown(e),
			     e->type == LC_Y_SCALAR ? "\"" : "");
		free(what);
	}
}

static void read_hosts(struct ctx *c, const struct lc_ynode *v)
{
	struct lc_topology *t = c->t;
	if (want_map(c, v, "\"hosts\""))
		return;
	for (size_t i = 0; i + 1 < v->n && spend(c, v->kv[i]->at); i += 2) {
		const struct lc_ynode *k = v->kv[i], *e = v->kv[i + 1];
		if (k->type != LC_Y_SCALAR)
			continue;
		if (t->n_hosts == LC_MAX_NAMED) {
			DIAG(c, k->at, "\"hosts\" holds at most %d entries", LC_MAX_NAMED);
			break;
		}
		LC_GROW(t->hosts, t->cap_hosts, t->n_hosts + 1);
		struct lc_host *h = &t->hosts[t->n_hosts++];
		memset(h, 0, sizeof(*h));
		lc_str_set(&h->name, k->scalar, k->at);
		read_str(c, e, k->scalar, &h->uri);
	}
}

/* ---- the top level ---- */

static const char *const top_keys[] = {"name",	"ttl",	 "defaults", "networks", "vf_pools",
				       "nodes", "hosts", "pool",     "ssh_key"};

static void read_top(struct ctx *c, const struct lc_ynode *root)
{
	struct lc_topology *t = c->t;
	for (size_t i = 0; i + 1 < root->n; i += 2) {
		const struct lc_ynode *k = root->kv[i];
		size_t j;
		for (j = 0; k->type == LC_Y_SCALAR && j < LC_ARRAY_SIZE(top_keys); j++)
			if (strcmp(top_keys[j], k->scalar) == 0)
				break;
		if (k->type == LC_Y_SCALAR && j == LC_ARRAY_SIZE(top_keys)) {
			const char *s = lc_suggest(k->scalar, top_keys, LC_ARRAY_SIZE(top_keys));
			if (s)
				DIAG(c, k->at, "unknown key \"%s\" (did you mean \"%s\"?)",
				     k->scalar, s);
			else
				DIAG(c, k->at, "unknown key \"%s\"", k->scalar);
		}
	}
	const struct lc_ynode *k = NULL, *v;
	if ((v = lc_ymap_get(root, "name", &k)))
		read_str(c, v, "name", &t->name);
	else
		lc_diag_add(c->d, root->at, "topology: missing \"name\" (the lab's name)");
	if ((v = lc_ymap_get(root, "ttl", NULL)) && want_scalar(c, v, "ttl", "a duration") == 0) {
		const char *why;
		if (lc_parse_duration(v->scalar, &t->ttl_s.v, &why) < 0) {
			DIAG(c, v->at, "\"ttl\": bad duration \"%s\": %s", v->scalar, why);
		} else {
			t->ttl_s.set = true;
			t->ttl_s.at = v->at;
		}
	}
	if ((v = lc_ymap_get(root, "pool", NULL)))
		read_str(c, v, "pool", &t->storage_pool);
	if ((v = lc_ymap_get(root, "ssh_key", NULL))) {
		read_str(c, v, "ssh_key", &t->ssh_key);
		resolve_path(t, &t->ssh_key);
	}
	if (!t->storage_pool.v)
		lc_str_set(&t->storage_pool, LC_DEFAULT_STORAGE_POOL, root->at);
	if ((v = lc_ymap_get(root, "networks", NULL)))
		read_named(c, v, "\"networks\"", "network", net_keys, LC_ARRAY_SIZE(net_keys),
			   (void **)&t->networks, &t->n_networks, &t->cap_networks,
			   sizeof(*t->networks));
	for (size_t i = 0; v && v->type == LC_Y_MAP && i + 1 < v->n; i += 2) {
		const struct lc_ynode *e = v->kv[i + 1];
		if (e->type == LC_Y_MAP && !lc_ymap_get(e, "mode", NULL))
			lc_diag_add(c->d, v->kv[i]->at,
				    "network \"%s\": missing \"mode\" (nat, isolated or bridge)",
				    v->kv[i]->scalar);
	}
	if ((v = lc_ymap_get(root, "vf_pools", NULL)))
		read_named(c, v, "\"vf_pools\"", "pool", pool_keys, LC_ARRAY_SIZE(pool_keys),
			   (void **)&t->pools, &t->n_pools, &t->cap_pools, sizeof(*t->pools));
	if ((v = lc_ymap_get(root, "hosts", NULL)))
		read_hosts(c, v);
	const struct lc_ynode *defaults = lc_ymap_get(root, "defaults", NULL);
	if (defaults && lc_ynode_is_null(defaults))
		defaults = NULL;
	if (defaults && want_map(c, defaults, "\"defaults\"") == 0) {
		/* read once on its own, so its mistakes are reported once */
		struct lc_node scratch = {0};
		struct ctx dc = {t, c->d, "defaults", c->b};
		read_map(&dc, defaults, node_keys, LC_ARRAY_SIZE(node_keys), &scratch, NULL);
		if (scratch.replicas.set)
			DIAG(&dc, scratch.replicas.at,
			     "\"replicas\" cannot be a default: give it on the nodes to %s",
			     "replicate");
		check_unshareable(&dc, &scratch, "in defaults");
		lc_node_release(&scratch);
	}
	if ((v = lc_ymap_get(root, "nodes", &k)))
		read_nodes(c, v, defaults);
	else
		lc_diag_add(c->d, root->at, "topology: missing \"nodes\"");
}

struct lc_topology *lc_topology_parse(const char *file, const char *data, size_t len,
				      struct lc_diags *diags)
{
	struct lc_topology *t = lc_calloc(1, sizeof(*t));
	t->file = lc_strdup(file);
	if (len > LC_MAX_TOPOLOGY_BYTES) {
		lc_diag_add(diags, (struct lc_mark){t->file, 1, 1},
			    "topology: the file is larger than %u MiB",
			    LC_MAX_TOPOLOGY_BYTES >> 20);
		lc_topology_free(t);
		return NULL;
	}
	lc_sha256_buf_hex(data, len, t->sha256);
	struct lc_ydoc *doc = lc_ydoc_parse(t->file, data, len, diags);
	if (!doc) {
		lc_topology_free(t);
		return NULL;
	}
	struct budget b = {0};
	struct ctx c = {t, diags, "topology", &b};
	if (!doc->root || lc_ynode_is_null(doc->root)) {
		lc_diag_add(
		    diags, (struct lc_mark){t->file, 1, 1},
		    "topology: the file is empty (it needs at least \"name\" and \"nodes\")");
	} else if (doc->root->type != LC_Y_MAP) {
		lc_diag_add(diags, doc->root->at,
			    "topology: the top level must be a mapping, not a %s",
			    lc_ytype_name(doc->root));
	} else {
		read_top(&c, doc->root);
	}
	if (b.over)
		lc_diag_add(diags, b.at,
			    "topology: too large: more than %u values once defaults and replicas "
			    "are applied",
			    LC_MAX_VALUES);
	lc_ydoc_free(doc);
	return t;
}
