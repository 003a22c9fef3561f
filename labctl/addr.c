/* Planned addresses; see addr.h. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "inet.h"
#include "mac.h"

bool lc_subnet_plan(const char *cidr, struct lc_subnet_plan *p)
{
	uint32_t net;
	unsigned prefix;
	if (!cidr || !lc_parse_cidr(cidr, &net, &prefix) || prefix > 29)
		return false;
	uint32_t size = 1u << (32 - prefix), bcast = net + size - 1;
	p->gateway = net + 1;
	/* .2-.9 of a /24 are left to the user (a second router, a jump host) */
	p->lo = net + (size >= 64 ? 10 : 2);
	p->hi = net + size / 2 - 1;
	p->dyn_lo = net + size / 2;
	p->dyn_hi = bcast - 1;
	return true;
}

/* FNV-1a: a stable spread of node names over the planned range. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The addresses taken on one network, as a bitmap over its planned range. */
struct taken {
	const struct lc_network *net;
	struct lc_subnet_plan sp;
	unsigned char *bits;
};

static bool is_taken(const struct taken *k, uint32_t a)
{
	uint32_t i = a - k->sp.lo;
	return k->bits[i / 8] & (1u << (i % 8));
}

static void take(struct taken *k, uint32_t a)
{
	uint32_t i = a - k->sp.lo;
	k->bits[i / 8] |= (unsigned char)(1u << (i % 8));
}

static struct taken *taken_of(struct taken *v, size_t n, const struct lc_network *net)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].net == net)
			return &v[i];
	return NULL;
}

static const struct lc_ip_req *ip_req(const struct lc_node *n, const char *net)
{
	for (size_t i = 0; i < n->n_ips; i++)
		if (n->ips[i].network.v && strcmp(n->ips[i].network.v, net) == 0)
			return &n->ips[i];
	return NULL;
}

static void check_reqs(const struct lc_topology *t, const struct lc_node *n, struct lc_diags *d)
{
	for (size_t i = 0; d && i < n->n_ips; i++) {
		const struct lc_ip_req *r = &n->ips[i];
		const struct lc_network *net = lc_topology_network(t, r->network.v);
		bool on = false;
		for (size_t k = 0; k < n->networks.n; k++)
			on |= strcmp(n->networks.v[k].v, r->network.v) == 0;
		if (!net || !on)
			lc_diag_add(d, r->network.at,
				    "node \"%s\": \"ip\" names network \"%s\", which the node is "
				    "not on",
				    n->name, r->network.v);
		else if (!net->subnet.v || net->mode == LC_NET_BRIDGE)
			lc_diag_add(
			    d, r->network.at,
			    "node \"%s\": network \"%s\" has no subnet labctl manages: "
			    "\"ip\" can only be planned on nat and isolated networks with a "
			    "subnet",
			    n->name, r->network.v);
	}
}

void lc_addrs_plan(const struct lc_topology *t, struct lc_addrs *out, struct lc_diags *d)
{
	memset(out, 0, sizeof(*out));
	struct taken *tk = lc_calloc(t->n_networks + 1, sizeof(*tk));
	size_t nt = 0;
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *net = &t->networks[i];
		struct taken *k = &tk[nt];
		if (net->mode == LC_NET_BRIDGE || !lc_subnet_plan(net->subnet.v, &k->sp))
			continue;
		k->net = net;
		k->bits = lc_calloc((k->sp.hi - k->sp.lo) / 8 + 1, 1);
		nt++;
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		check_reqs(t, n, d);
		for (size_t k = 0; k < n->networks.n; k++) {
			LC_GROW(out->v, out->cap, out->n + 1);
			struct lc_addr *a = &out->v[out->n++];
			memset(a, 0, sizeof(*a));
			a->node = n;
			a->net = lc_topology_network(t, n->networks.v[k].v);
			a->nic = (unsigned)k;
			lc_mac_derive(t->name.v, n->name, "net", (unsigned)k, a->mac);
		}
	}
	/* the addresses nodes ask for first, so a derived one never takes them */
	for (size_t i = 0; i < out->n; i++) {
		struct lc_addr *a = &out->v[i];
		struct taken *k = a->net ? taken_of(tk, nt, a->net) : NULL;
		const struct lc_ip_req *r = k ? ip_req(a->node, a->net->name.v) : NULL;
		uint32_t ip;
		if (!r)
			continue;
		if (!lc_parse_ipv4(r->addr.v, &ip)) {
			if (d)
				lc_diag_add(d, r->addr.at,
					    "node \"%s\": bad \"ip\" \"%s\" (like %s)",
					    a->node->name, r->addr.v, "10.77.0.20");
		} else if (ip < k->sp.lo || ip > k->sp.hi) {
			char lo[16], hi[16];
			lc_format_ipv4(k->sp.lo, lo);
			lc_format_ipv4(k->sp.hi, hi);
			if (d)
				lc_diag_add(
				    d, r->addr.at,
				    "node \"%s\": \"ip\" %s is not in network \"%s\"'s "
				    "planned range %s-%s (the gateway, the first addresses and "
				    "DHCP's dynamic range are kept)",
				    a->node->name, r->addr.v, a->net->name.v, lo, hi);
		} else if (is_taken(k, ip)) {
			if (d)
				lc_diag_add(d, r->addr.at,
					    "node \"%s\": \"ip\" %s is given to another node too",
					    a->node->name, r->addr.v);
		} else {
			take(k, ip);
			lc_format_ipv4(ip, a->ip);
		}
	}
	for (size_t i = 0; i < out->n; i++) {
		struct lc_addr *a = &out->v[i];
		struct taken *k = a->net ? taken_of(tk, nt, a->net) : NULL;
		if (!k || a->ip[0])
			continue;
		uint32_t size = k->sp.hi - k->sp.lo + 1;
		uint32_t start = name_hash(a->node->name) % size;
		for (uint32_t s = 0; s < size; s++) {
			uint32_t ip = k->sp.lo + (start + s) % size;
			if (!is_taken(k, ip)) {
				take(k, ip);
				lc_format_ipv4(ip, a->ip);
				break;
			}
		}
		if (!a->ip[0] && d)
			lc_diag_add(
			    d, a->net->subnet.at,
			    "network \"%s\": subnet %s has no planned address left for node "
			    "\"%s\" (use a larger subnet)",
			    a->net->name.v, a->net->subnet.v, a->node->name);
	}
	for (size_t i = 0; i < nt; i++)
		free(tk[i].bits);
	free(tk);
}

void lc_addrs_release(struct lc_addrs *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

const struct lc_addr *lc_addrs_find(const struct lc_addrs *a, const struct lc_node *node,
				    const struct lc_network *net)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].node == node && a->v[i].net == net)
			return &a->v[i];
	return NULL;
}
