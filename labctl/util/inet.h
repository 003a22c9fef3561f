/* IPv4 addresses and subnets as topologies write them ("10.77.0.5", "10.77.0.0/24"). */
#ifndef LC_INET_H
#define LC_INET_H

#include <stdbool.h>
#include <stdint.h>

/* "A.B.C.D/P", P from 8 to 30 -> the network's address (host bits cleared) and P. */
bool lc_parse_cidr(const char *s, uint32_t *net, unsigned *prefix);
/* "A.B.C.D" -> the address in host order; false when malformed. */
bool lc_parse_ipv4(const char *s, uint32_t *addr);
/* The address in host order as "A.B.C.D". */
void lc_format_ipv4(uint32_t addr, char out[16]);

#endif
