/*
 * The host's PCI functions as labctl needs them for VF allocation, and the
 * interface behind which they are read: sysfs (pci-sysfs.c), or libvirt's
 * node-device API (pci-nodedev.c), for a host that is not this machine
 * (docs/vfs.md). Allocation reads only struct lc_inventory, never its source.
 */
#ifndef LC_PCI_H
#define LC_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "pci-addr.h"

struct lc_pci_fn {
	char addr[LC_PCI_ADDR_SIZE]; /* 0000:d8:00.2 */
	uint16_t vendor, device;
	uint32_t class;
	char driver[64]; /* "" when unbound */
	int numa;	 /* -1 when unknown */
	int group;	 /* IOMMU group, -1 when none */
	bool sriov;	 /* a PF: has sriov_totalvfs */
	unsigned totalvfs, numvfs;
	char physfn[LC_PCI_ADDR_SIZE]; /* a VF: its PF's address; "" otherwise */
	int vf_index;		       /* a VF: N in its PF's virtfnN; -1 otherwise */
	char netdev[32];	       /* first interface in net/, "" when none */
};

struct lc_inventory {
	struct lc_pci_fn *fns; /* sorted by address */
	size_t n, cap;
};

struct lc_inventory_source {
	const char *name;
	int (*load)(const struct lc_inventory_source *src, struct lc_inventory *inv,
		    struct lc_err *err);
	const void *ctx;
};

int lc_inventory_load(const struct lc_inventory_source *src, struct lc_inventory *inv,
		      struct lc_err *err);
void lc_inventory_release(struct lc_inventory *inv);
/* Sort by address once the source filled fns; fills vf_index links. */
void lc_inventory_sort(struct lc_inventory *inv);
const struct lc_pci_fn *lc_inventory_find(const struct lc_inventory *inv, const char *addr);

static inline bool lc_fn_is_vf(const struct lc_pci_fn *f)
{
	return f->physfn[0] != '\0';
}

static inline bool lc_fn_is_bridge(const struct lc_pci_fn *f)
{
	return (f->class >> 8) == 0x0604;
}

static inline bool lc_fn_is_nic(const struct lc_pci_fn *f)
{
	return (f->class >> 16) == 0x02;
}

/* The sysfs source: SYSFS/bus/pci/devices, one pass. */
struct lc_sysroot;
void lc_inventory_sysfs_source(const struct lc_sysroot *root, struct lc_inventory_source *src);

/*
 * The node-device source: the XML of a host's PCI and net node devices as
 * libvirt gives them (lc_virt_node_devices_xml), which xmls holds and the
 * source borrows. The same fields as sysfs, except what libvirt does not
 * show: a function with no <class> (libvirt before 6.x) has class 0.
 */
struct lc_strv;
void lc_inventory_nodedev_source(const struct lc_strv *xmls, struct lc_inventory_source *src);
/* Parse n node-device XML texts into inv, sorted; -1 with err naming the
 * device, and inv empty. */
int lc_inventory_nodedev_parse(const char *const *xmls, size_t n, struct lc_inventory *inv,
			       struct lc_err *err);

/*
 * Set a PF's sriov_numvfs (below a sysfs root, through a) to want: through 0
 * when it changes a non-zero count, as the kernel refuses otherwise, then
 * read back, as a driver may enable fewer. Appends each action ("write
 * PATH: N", or "would write" when dry, which changes nothing) and the
 * outcome to report, a line each.
 */
struct lc_attrs;
struct lc_buf;
int lc_pci_set_numvfs(const struct lc_attrs *a, const struct lc_pci_fn *pf, unsigned want, bool dry,
		      struct lc_buf *report, struct lc_err *err);

#endif
