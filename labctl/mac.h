/* Deterministic MAC addresses: the same lab, node and NIC give the same MAC on every run. */
#ifndef LC_MAC_H
#define LC_MAC_H

/*
 * Derive a locally administered unicast MAC ("02:xx:xx:xx:xx:xx") from the
 * lab, the node, what kind of NIC ("net" or "vf") and its index.
 */
void lc_mac_derive(const char *lab, const char *node, const char *what, unsigned index,
		   char out[18]);

#endif
