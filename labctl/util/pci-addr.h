/*
 * PCI addresses as sysfs and libvirt write them: DOMAIN:BUS:SLOT.FUNCTION in
 * hex, "0000:3b:00.2". The domain has 4 to 8 digits: behind Intel VMD it has
 * 5 ("10000:01:00.0").
 */
#ifndef LC_PCI_ADDR_H
#define LC_PCI_ADDR_H

struct lc_pci_addr {
	unsigned dom;  /* up to 0xffffffff */
	unsigned bus;  /* up to 0xff */
	unsigned slot; /* up to 0x1f */
	unsigned fn;   /* up to 7 */
};

/* The longest address and its NUL: an 8-digit domain. */
#define LC_PCI_ADDR_SIZE sizeof("ffffffff:ff:1f.7")

/*
 * Parse s (hex digits of either case; bus and slot of two digits, the
 * function of one); returns 0, or -1 when s is no such address or a part
 * is out of range.
 */
int lc_pci_addr_parse(const char *s, struct lc_pci_addr *a);
/* The one spelling of a: lower case, the domain of at least 4 digits. */
void lc_pci_addr_format(const struct lc_pci_addr *a, char out[LC_PCI_ADDR_SIZE]);

#include "alloc.h"

/* A hex digit's value (either case), -1 for anything else. */
int lc_hex_digit(char c);

#endif
