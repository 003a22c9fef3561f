/* PCI addresses; see pci-addr.h. */
#include <stdio.h>

#include "pci-addr.h"

int lc_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* From min to max hex digits at *s, up to max_v; advances *s past them. */
static int hexfield(const char **s, int min, int max, unsigned max_v, unsigned *out)
{
	unsigned v = 0;
	int k = 0;
	for (; k < max && lc_hex_digit((*s)[k]) >= 0; k++)
		v = v * 16 + (unsigned)lc_hex_digit((*s)[k]);
	if (k < min || lc_hex_digit((*s)[k]) >= 0 || v > max_v)
		return -1;
	*s += k;
	*out = v;
	return 0;
}

int lc_pci_addr_parse(const char *s, struct lc_pci_addr *a)
{
	struct lc_pci_addr r;
	if (!s || hexfield(&s, 4, 8, 0xffffffffu, &r.dom) < 0 || *s++ != ':' ||
	    hexfield(&s, 2, 2, 0xff, &r.bus) < 0 || *s++ != ':' ||
	    hexfield(&s, 2, 2, 0x1f, &r.slot) < 0 || *s++ != '.' ||
	    hexfield(&s, 1, 1, 7, &r.fn) < 0 || *s != '\0')
		return -1;
	*a = r;
	return 0;
}

void lc_pci_addr_format(const struct lc_pci_addr *a, char out[LC_PCI_ADDR_SIZE])
{
	/* masked: whatever a holds, the text fits and names one function */
	snprintf(out, LC_PCI_ADDR_SIZE, "%04x:%02x:%02x.%x", a->dom, a->bus & 0xff, a->slot & 0x1f,
		 a->fn & 7);
}
