/* The lab as DOT; see graph.h. */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "pci-addr.h"

/* A DOT quoted string: names are validated, but labels carry free text. */
static void dot_str(struct lc_buf *b, const char *s)
{
	lc_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			lc_buf_addc(b, '\\');
		if (*s == '\n')
			lc_buf_adds(b, "\\n");
		else
			lc_buf_addc(b, *s);
	}
	lc_buf_addc(b, '"');
}

static void size_text(char *buf, size_t len, uint64_t kib)
{
	if (kib % (1024 * 1024) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(kib >> 20));
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(kib >> 10));
}

static const char *mode_name(enum lc_netmode m)
{
	return m == LC_NET_NAT ? "nat" : m == LC_NET_ISOLATED ? "isolated" : "bridge";
}

static void hd_addr(const struct lc_hostdev *h, char addr[LC_PCI_ADDR_SIZE])
{
	struct lc_pci_addr a = {h->dom, h->bus, h->slot, h->fn};
	lc_pci_addr_format(&a, addr);
}

/* Planned devices grouped by PF: one cluster each, in address order. */
static void pf_clusters(const struct lc_vf_plan *plan, const struct lc_inventory *inv,
			struct lc_buf *b)
{
	for (size_t p = 0; p < inv->n; p++) {
		const struct lc_pci_fn *pf = &inv->fns[p];
		if (!pf->sriov)
			continue;
		bool open = false;
		for (size_t i = 0; i < plan->n; i++)
			for (size_t k = 0; k < plan->nodes[i].n_hd; k++) {
				const struct lc_hostdev *h = &plan->nodes[i].hd[k];
				char addr[LC_PCI_ADDR_SIZE];
				hd_addr(h, addr);
				const struct lc_pci_fn *f = lc_inventory_find(inv, addr);
				if (!f || strcmp(f->physfn, pf->addr) != 0)
					continue;
				if (!open) {
					lc_buf_addf(
					    b, "  subgraph \"cluster_%s\" {\n    label=", pf->addr);
					char *label = lc_asprintf("PF %s%s%s", pf->netdev,
								  *pf->netdev ? " " : "", pf->addr);
					dot_str(b, label);
					free(label);
					lc_buf_adds(b, ";\n");
					open = true;
				}
				char *label = lc_asprintf("VF %d\n%s\nIOMMU group %d", f->vf_index,
							  f->addr, f->group);
				lc_buf_addf(
				    b, "    \"dev:%s\" [shape=box, style=rounded, label=", f->addr);
				dot_str(b, label);
				lc_buf_adds(b, "];\n");
				free(label);
			}
		if (open)
			lc_buf_adds(b, "  }\n");
	}
}

static void node_devices(const struct lc_node *n, const struct lc_node_plan *np,
			 const struct lc_inventory *inv, struct lc_buf *b)
{
	for (size_t k = 0; k < np->n_hd; k++) {
		const struct lc_hostdev *h = &np->hd[k];
		char addr[LC_PCI_ADDR_SIZE];
		hd_addr(h, addr);
		const struct lc_pci_fn *f = lc_inventory_find(inv, addr);
		if (!f || !*f->physfn) {
			/* a whole device: drawn here, with its node */
			char *label =
			    lc_asprintf("PCI %s%s", addr, f ? "" : "\n(not in the inventory)");
			lc_buf_addf(b, "  \"dev:%s\" [shape=component, label=", addr);
			dot_str(b, label);
			lc_buf_adds(b, "];\n");
			free(label);
		}
		lc_buf_addf(b, "  \"node:%s\" -- \"dev:%s\"", n->name, addr);
		if (h->nic) {
			char *label = h->vlan ? lc_asprintf("%s\nVLAN %u", h->mac, h->vlan)
					      : lc_asprintf("%s", h->mac);
			lc_buf_adds(b, " [label=");
			dot_str(b, label);
			lc_buf_adds(b, "]");
			free(label);
		}
		lc_buf_adds(b, ";\n");
	}
}

void lc_graph_dot(const struct lc_topology *t, const struct lc_vf_plan *plan,
		  const struct lc_inventory *inv, struct lc_buf *out)
{
	lc_buf_adds(out, "graph ");
	dot_str(out, t->name.v);
	lc_buf_adds(out, " {\n  graph [rankdir=LR];\n");
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *w = &t->networks[i];
		char *label = lc_asprintf("%s\n%s%s%s", w->name.v, mode_name(w->mode),
					  w->subnet.v || w->bridge.v ? " " : "",
					  w->subnet.v	? w->subnet.v
					  : w->bridge.v ? w->bridge.v
							: "");
		lc_buf_addf(out, "  \"net:%s\" [shape=ellipse, label=", w->name.v);
		dot_str(out, label);
		lc_buf_adds(out, "];\n");
		free(label);
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		char mem[32];
		size_text(mem, sizeof(mem), n->memory_kib.v);
		char *label = lc_asprintf("%s\n%s, %llu vCPU, %s", n->name, n->kind.v,
					  (unsigned long long)n->vcpus.v, mem);
		lc_buf_addf(out, "  \"node:%s\" [shape=box, label=", n->name);
		dot_str(out, label);
		lc_buf_adds(out, "];\n");
		free(label);
		for (size_t k = 0; k < n->networks.n; k++)
			lc_buf_addf(out, "  \"node:%s\" -- \"net:%s\";\n", n->name,
				    n->networks.v[k].v);
	}
	pf_clusters(plan, inv, out);
	for (size_t i = 0; i < t->n_nodes && i < plan->n; i++)
		node_devices(&t->nodes[i], &plan->nodes[i], inv, out);
	lc_buf_adds(out, "}\n");
}
