/* The PCI inventory: ownership and look-ups; see pci.h. */
#include <stdlib.h>
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

static int cmp_vf_index(const void *a, const void *b)
{
	return strcmp(((const struct lc_vf_index *)a)->addr, ((const struct lc_vf_index *)b)->addr);
}

void lc_inventory_set_vf_index(struct lc_inventory *inv, struct lc_vf_index *idx, size_t n)
{
	if (n)
		qsort(idx, n, sizeof(*idx), cmp_vf_index);
	for (size_t i = 0; i < inv->n; i++) {
		struct lc_pci_fn *f = &inv->fns[i];
		if (!lc_fn_is_vf(f))
			continue;
		struct lc_vf_index key;
		memcpy(key.addr, f->addr, sizeof(key.addr));
		const struct lc_vf_index *x =
		    n ? bsearch(&key, idx, n, sizeof(*idx), cmp_vf_index) : NULL;
		f->vf_index = x ? x->index : -1;
		const struct lc_pci_fn *pf = lc_inventory_find(inv, f->physfn);
		if (pf)
			f->numa = pf->numa;
	}
}
