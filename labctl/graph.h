/*
 * `labctl graph`: the lab as a Graphviz DOT graph (README.md, labctl.1). Pure: the
 * topology, its device plan and the inventory the plan came from go in,
 * text comes out, so that a test can read what a user would draw.
 */
#ifndef LC_GRAPH_H
#define LC_GRAPH_H

#include "buf.h"
#include "model.h"
#include "pci.h"
#include "vf-alloc.h"

/*
 * Append the DOT text of lab t to out: a box per node (kind, vCPUs,
 * memory), an ellipse per network, an edge per attachment; each planned VF
 * inside a cluster for its PF (netdev and address), with an edge from its
 * node labelled with the VLAN and MAC; whole PCI devices as components.
 * plan may have no devices (a lab without vfs or pci), inv may be empty.
 */
void lc_graph_dot(const struct lc_topology *t, const struct lc_vf_plan *plan,
		  const struct lc_inventory *inv, struct lc_buf *out);

#endif
