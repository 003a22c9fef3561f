/*
 * Planned addresses: every NIC on a labctl network with a subnet (nat or
 * isolated) gets a fixed IPv4 address before anything boots, given by the
 * node (ip: {NET: ADDR}) or derived from the node's name, so that render,
 * status and inventory know it and the network's DHCP hands it out by MAC.
 * The subnet's lower half (from .10 on /24-sized and larger subnets) holds
 * planned addresses; the upper half stays DHCP's dynamic range. Pure.
 */
#ifndef LC_ADDR_H
#define LC_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct lc_addr {
	const struct lc_node *node;
	const struct lc_network *net;
	unsigned nic; /* the NIC's index among the node's networks */
	char mac[18];
	char ip[16]; /* empty for a network without a subnet (bridge): not known */
};

struct lc_addrs {
	struct lc_addr *v; /* in node order, then NIC order */
	size_t n, cap;
};

/*
 * Plan the lab's addresses. Problems (an ip: for a network the node is not
 * on or that has no subnet, outside the subnet or in its reserved part, given
 * twice, a subnet with no room left) go to d with their position, when d is
 * not NULL; the NIC concerned then gets a derived address, or none.
 */
void lc_addrs_plan(const struct lc_topology *t, struct lc_addrs *out, struct lc_diags *d);
void lc_addrs_release(struct lc_addrs *a);
/* The address of node's NIC on net, or NULL. */
const struct lc_addr *lc_addrs_find(const struct lc_addrs *a, const struct lc_node *node,
				    const struct lc_network *net);

/* A subnet's parts: the gateway, the planned range [lo, hi], DHCP's dynamic range. */
struct lc_subnet_plan {
	uint32_t gateway, lo, hi, dyn_lo, dyn_hi;
};
/* false when cidr is not a subnet labctl plans (malformed, or too small). */
bool lc_subnet_plan(const char *cidr, struct lc_subnet_plan *p);

#endif
