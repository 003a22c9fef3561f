/* The lab model: ownership, look-ups and the value grammars (sizes, durations). */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void lc_str_set(struct lc_str *s, const char *v, struct lc_mark at)
{
	free(s->v);
	s->v = lc_strdup(v);
	s->at = at;
}

void lc_str_release(struct lc_str *s)
{
	free(s->v);
	s->v = NULL;
}

void lc_strlist_add(struct lc_strlist *l, const char *s, struct lc_mark at)
{
	LC_GROW(l->v, l->cap, l->n + 1);
	l->v[l->n].v = lc_strdup(s);
	l->v[l->n].at = at;
	l->n++;
}

void lc_strlist_release(struct lc_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].v);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void lc_node_release(struct lc_node *n)
{
	free(n->name);
	free(n->origin);
	lc_str_release(&n->kind);
	lc_str_release(&n->template_path);
	lc_str_release(&n->image);
	free(n->disks);
	lc_str_release(&n->cdrom);
	lc_str_release(&n->firmware_str);
	lc_str_release(&n->cpu);
	lc_str_release(&n->accel_str);
	lc_strlist_release(&n->networks);
	for (size_t i = 0; i < n->n_vfs; i++) {
		lc_str_release(&n->vfs[i].pool);
		lc_strlist_release(&n->vfs[i].macs);
	}
	free(n->vfs);
	for (size_t i = 0; i < n->n_pci; i++)
		lc_str_release(&n->pci[i].address);
	free(n->pci);
	for (size_t i = 0; i < n->n_xml; i++) {
		lc_str_release(&n->xml[i].xpath);
		lc_str_release(&n->xml[i].value);
	}
	free(n->xml);
	lc_str_release(&n->host);
	lc_str_release(&n->boot_kernel);
	lc_str_release(&n->boot_initrd);
	lc_str_release(&n->boot_cmdline);
	for (size_t i = 0; i < n->n_ips; i++) {
		lc_str_release(&n->ips[i].network);
		lc_str_release(&n->ips[i].addr);
	}
	free(n->ips);
	lc_str_release(&n->cloud_init);
	free(n->cloud_init_text);
	memset(n, 0, sizeof(*n));
}

void lc_topology_free(struct lc_topology *t)
{
	if (!t)
		return;
	lc_str_release(&t->name);
	lc_str_release(&t->storage_pool);
	for (size_t i = 0; i < t->n_networks; i++) {
		lc_str_release(&t->networks[i].name);
		lc_str_release(&t->networks[i].mode_str);
		lc_str_release(&t->networks[i].subnet);
		lc_str_release(&t->networks[i].bridge);
	}
	free(t->networks);
	for (size_t i = 0; i < t->n_pools; i++) {
		lc_str_release(&t->pools[i].name);
		lc_strlist_release(&t->pools[i].match);
		lc_strlist_release(&t->pools[i].pf);
		lc_strlist_release(&t->pools[i].address);
	}
	free(t->pools);
	for (size_t i = 0; i < t->n_hosts; i++) {
		lc_str_release(&t->hosts[i].name);
		lc_str_release(&t->hosts[i].uri);
	}
	free(t->hosts);
	for (size_t i = 0; i < t->n_nodes; i++)
		lc_node_release(&t->nodes[i]);
	free(t->nodes);
	lc_str_release(&t->ssh_key);
	free(t->ssh_key_text);
	free(t->file);
	free(t);
}

const struct lc_network *lc_topology_network(const struct lc_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_networks; i++)
		if (strcmp(t->networks[i].name.v, name) == 0)
			return &t->networks[i];
	return NULL;
}

const struct lc_vf_pool *lc_topology_pool(const struct lc_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_pools; i++)
		if (strcmp(t->pools[i].name.v, name) == 0)
			return &t->pools[i];
	return NULL;
}

const struct lc_node *lc_topology_node(const struct lc_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return &t->nodes[i];
	return NULL;
}

/* Parse a decimal without sign into *v; returns the first unparsed char or NULL. */
static const char *parse_u64(const char *s, uint64_t *v, const char **why)
{
	if (!isdigit((unsigned char)*s)) {
		*why = "expected a number";
		return NULL;
	}
	uint64_t x = 0;
	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10) {
			*why = "number too large";
			return NULL;
		}
		x = x * 10 + d;
		s++;
	}
	*v = x;
	return s;
}

int lc_parse_size(const char *s, uint64_t *bytes, const char **why)
{
	static const struct {
		const char *unit;
		unsigned shift;
	} units[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
	uint64_t n;
	const char *rest = parse_u64(s, &n, why);
	if (!rest)
		return -1;
	while (*rest == ' ')
		rest++;
	if (!*rest) {
		*why = "a size needs a unit: KiB, MiB, GiB or TiB";
		return -1;
	}
	for (size_t i = 0; i < LC_ARRAY_SIZE(units); i++) {
		if (strcmp(rest, units[i].unit) == 0) {
			if (n > (UINT64_MAX >> units[i].shift)) {
				*why = "size too large";
				return -1;
			}
			*bytes = n << units[i].shift;
			return 0;
		}
	}
	*why = "unknown size unit (use KiB, MiB, GiB or TiB)";
	return -1;
}

int lc_parse_duration(const char *s, uint64_t *seconds, const char **why)
{
	uint64_t total = 0;
	const char *p = s;
	if (!*p) {
		*why = "empty duration";
		return -1;
	}
	while (*p) {
		uint64_t n;
		p = parse_u64(p, &n, why);
		if (!p)
			return -1;
		uint64_t mul;
		switch (*p) {
		case 'd':
			mul = 86400;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'm':
			mul = 60;
			break;
		case 's':
		case '\0':
			mul = 1;
			break;
		default:
			*why = "a duration is like 90s, 30m, 8h, 2d or 1h30m";
			return -1;
		}
		if (*p)
			p++;
		if (n > (UINT64_MAX - total) / mul) {
			*why = "duration too long";
			return -1;
		}
		total += n * mul;
	}
	*seconds = total;
	return 0;
}

bool lc_node_picked(const char *node, const char *const *pats, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(pats[i], node, 0) == 0)
			return true;
	return n == 0;
}
