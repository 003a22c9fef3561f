/* VF pool filters; see vf-pool.h. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vf-pool.h"

static bool match_ids(const struct lc_strlist *l, const struct lc_pci_fn *vf)
{
	if (!l->n)
		return true;
	char ids[16];
	snprintf(ids, sizeof(ids), "%04x:%04x", vf->vendor, vf->device);
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i].v, ids, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static bool match_pf(const struct lc_strlist *l, const struct lc_pci_fn *vf,
		     const struct lc_pci_fn *pf)
{
	if (!l->n)
		return true;
	if (!pf || !pf->netdev[0])
		return false;
	for (size_t i = 0; i < l->n; i++) {
		const char *e = l->v[i].v, *hash = strchr(e, '#');
		size_t len = hash ? (size_t)(hash - e) : strlen(e);
		if (strlen(pf->netdev) != len || strncmp(pf->netdev, e, len) != 0)
			continue;
		if (!hash)
			return true;
		unsigned lo = 0, hi = 0;
		if (sscanf(hash + 1, "%u-%u", &lo, &hi) == 2 && vf->vf_index >= 0 &&
		    (unsigned)vf->vf_index >= lo && (unsigned)vf->vf_index <= hi)
			return true;
	}
	return false;
}

static bool match_addr(const struct lc_strlist *l, const struct lc_pci_fn *vf)
{
	if (!l->n)
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->v[i].v, vf->addr, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

bool lc_pool_admits(const struct lc_vf_pool *pool, const struct lc_pci_fn *vf,
		    const struct lc_pci_fn *pf)
{
	return lc_fn_is_vf(vf) && match_ids(&pool->match, vf) && match_pf(&pool->pf, vf, pf) &&
	       match_addr(&pool->address, vf);
}
