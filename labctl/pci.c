/* The PCI inventory: ownership and look-ups; see pci.h. */
#include <string.h>

#include "alloc.h"
#include "pci.h"

int lc_inventory_load(const struct lc_inventory_source *src, struct lc_inventory *inv,
		      struct lc_err *err)
{
	memset(inv, 0, sizeof(*inv));
	if (src->load(src, inv, err) < 0) {
		lc_inventory_release(inv);
		return -1;
	}
	lc_inventory_sort(inv);
	return 0;
}

void lc_inventory_release(struct lc_inventory *inv)
{
	free(inv->fns);
	memset(inv, 0, sizeof(*inv));
}

static int cmp_fn(const void *a, const void *b)
{
	return strcmp(((const struct lc_pci_fn *)a)->addr, ((const struct lc_pci_fn *)b)->addr);
}

void lc_inventory_sort(struct lc_inventory *inv)
{
	if (inv->n)
		qsort(inv->fns, inv->n, sizeof(*inv->fns), cmp_fn);
}

const struct lc_pci_fn *lc_inventory_find(const struct lc_inventory *inv, const char *addr)
{
	struct lc_pci_fn key;
	memset(&key, 0, sizeof(key));
	size_t l = strlen(addr);
	if (l >= sizeof(key.addr))
		return NULL;
	memcpy(key.addr, addr, l + 1);
	return inv->n ? bsearch(&key, inv->fns, inv->n, sizeof(*inv->fns), cmp_fn) : NULL;
}
