/* Host routes; see host-routes.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "host-routes.h"
#include "inet.h"

size_t lc_routes_parse(const char *text, struct lc_route **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	/* the first line names the columns */
	for (const char *line = strchr(text, '\n'); line && line[1];
	     line = strchr(line + 1, '\n')) {
		struct lc_route r;
		unsigned dest, mask;
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses as
		 * the kernel holds them (network order) printed as host integers */
		if (sscanf(line + 1, "%31s %x %*x %*x %*d %*d %*d %x", r.iface, &dest, &mask) != 3)
			continue;
		r.net = ntohl(dest);
		r.mask = ntohl(mask);
		if (r.mask == 0)
			continue;
		LC_GROW(*out, cap, n + 1);
		(*out)[n++] = r;
	}
	return n;
}

const struct lc_route *lc_route_clash(const struct lc_route *v, size_t n, const char *cidr)
{
	uint32_t net;
	unsigned prefix;
	if (!lc_parse_cidr(cidr, &net, &prefix))
		return NULL;
	uint32_t mask = ~(UINT32_MAX >> prefix);
	for (size_t i = 0; i < n; i++)
		if (v[i].net == net && v[i].mask == mask)
			return &v[i];
	return NULL;
}
