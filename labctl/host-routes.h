/*
 * The host's IPv4 routes (procfs net/route) against a lab's subnets.
 * libvirt refuses to start a network whose subnet is already routed
 * ("Network is already in use by interface virbrN"), and by then labctl has
 * made the lab's other networks; up checks first. Pure: text in, answers out.
 */
#ifndef LC_ROUTES_H
#define LC_ROUTES_H

#include <stddef.h>
#include <stdint.h>

struct lc_route {
	char iface[32];
	uint32_t net, mask; /* host order */
};

/* The routes of net/route's text, the default route left out; the caller frees *out. */
size_t lc_routes_parse(const char *text, struct lc_route **out);

/*
 * The route whose destination and mask are exactly CIDR's ("10.77.0.0/24"),
 * which is what makes libvirt refuse the network; NULL when none, or when
 * CIDR is malformed.
 */
const struct lc_route *lc_route_clash(const struct lc_route *v, size_t n, const char *cidr);

#endif
