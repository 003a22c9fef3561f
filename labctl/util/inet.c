/* IPv4 parsing; see inet.h. */
#include <stdio.h>

#include "inet.h"

bool lc_parse_ipv4(const char *s, uint32_t *addr)
{
	unsigned a, b, c, d;
	char tail;
	if (sscanf(s, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return false;
	*addr = a << 24 | b << 16 | c << 8 | d;
	return true;
}

bool lc_parse_cidr(const char *s, uint32_t *net, unsigned *prefix)
{
	unsigned a, b, c, d, p;
	char tail;
	if (sscanf(s, "%3u.%3u.%3u.%3u/%2u%c", &a, &b, &c, &d, &p, &tail) != 5 || a > 255 ||
	    b > 255 || c > 255 || d > 255 || p < 8 || p > 30)
		return false;
	*net = (a << 24 | b << 16 | c << 8 | d) & ~(UINT32_MAX >> p);
	*prefix = p;
	return true;
}

void lc_format_ipv4(uint32_t v, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
}
