/* The sysfs-shaped fixture hosts (tests/mksysfs.py) as inventories, for the VF tests. */
#ifndef LC_TESTINV_H
#define LC_TESTINV_H

#include "testutil.h"
#include "pci.h"
#include "sysfs.h"

/* The inventory of fixture scenario (tests/out/sysfs/SCENARIO) read through the sysfs source. */
static inline void t_sysfs_inventory(const char *scenario, struct lc_inventory *inv)
{
	char *dir = lc_asprintf("%s/tests/out/sysfs/%s", t_srcdir(), scenario);
	struct lc_sysroot root = {dir, "/nonexistent", NULL};
	struct lc_inventory_source src;
	lc_inventory_sysfs_source(&root, &src);
	struct lc_err err = LC_ERR_INIT;
	if (lc_inventory_load(&src, inv, &err) < 0)
		fail_msg("%s", err.msg);
	free(dir);
}

#endif
