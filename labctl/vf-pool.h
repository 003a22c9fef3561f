/* Which VFs a topology's vf_pools entry admits (docs/vfs.md). Pure. */
#ifndef LC_VFPOOL_H
#define LC_VFPOOL_H

#include <stdbool.h>

#include "model.h"
#include "pci.h"

/*
 * True when vf (whose PF is pf, may be NULL) passes every filter the pool
 * gives: "match" vendor:device patterns with '*' (OpenNebula's pci.conf
 * filter), "pf" netdev names with optional #FIRST-LAST VF indexes (the
 * Kubernetes SR-IOV device plugin's form), "address" globs. A filter the
 * pool does not give admits everything.
 */
bool lc_pool_admits(const struct lc_vf_pool *pool, const struct lc_pci_fn *vf,
		    const struct lc_pci_fn *pf);

#endif
