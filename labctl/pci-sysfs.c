/*
 * The PCI inventory read from sysfs in one pass over bus/pci/devices: each
 * entry is a symlink into devices/pci*, whose attribute files hold 0x
 * values and whose links (driver, iommu_group, physfn, virtfnN) name what
 * the function is bound and grouped to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "pci.h"
#include "sysfs.h"

struct walk {
	struct lc_sysdir devices;
	struct lc_inventory *inv;
	/* VF address -> index, from the PFs' virtfnN links, resolved after the pass */
	struct vfidx {
		char addr[16];
		int index;
	} * idx;
	size_t n_idx, cap_idx;
	const char *pf_name;
	struct lc_sysdir *pf_dir;
};

static unsigned long hexattr(const struct lc_sysdir *d, const char *name)
{
	char buf[32];
	if (lc_sysdir_read(d, name, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 16);
}

static int on_virtfn(void *ctx, const char *name)
{
	struct walk *w = ctx;
	if (strncmp(name, "virtfn", 6) != 0)
		return 0;
	LC_GROW(w->idx, w->cap_idx, w->n_idx + 1);
	struct vfidx *v = &w->idx[w->n_idx];
	if (lc_sysdir_link_base(w->pf_dir, name, v->addr, sizeof(v->addr)) < 0)
		return 0;
	v->index = atoi(name + 6);
	w->n_idx++;
	return 0;
}

static int first_name(void *ctx, const char *name)
{
	char *out = ctx;
	snprintf(out, 32, "%s", name);
	return 1; /* one is enough: stop */
}

static int on_device(void *ctx, const char *name)
{
	struct walk *w = ctx;
	struct lc_sysdir d;
	if (lc_sysdir_open_at(&w->devices, name, &d) < 0)
		return 0; /* a device that vanished while we looked */
	LC_GROW(w->inv->fns, w->inv->cap, w->inv->n + 1);
	struct lc_pci_fn *f = &w->inv->fns[w->inv->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->addr, sizeof(f->addr), "%s", name);
	f->vendor = (uint16_t)hexattr(&d, "vendor");
	f->device = (uint16_t)hexattr(&d, "device");
	f->class = (uint32_t)hexattr(&d, "class");
	char buf[64];
	f->numa = lc_sysdir_read(&d, "numa_node", buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
	f->group = lc_sysdir_link_base(&d, "iommu_group", buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
	if (lc_sysdir_link_base(&d, "driver", f->driver, sizeof(f->driver)) < 0)
		f->driver[0] = '\0';
	f->vf_index = -1;
	if (lc_sysdir_link_base(&d, "physfn", f->physfn, sizeof(f->physfn)) < 0)
		f->physfn[0] = '\0';
	if (!lc_fn_is_vf(f) && lc_sysdir_read(&d, "sriov_totalvfs", buf, sizeof(buf)) > 0) {
		f->sriov = true;
		f->totalvfs = (unsigned)atoi(buf);
		if (lc_sysdir_read(&d, "sriov_numvfs", buf, sizeof(buf)) > 0)
			f->numvfs = (unsigned)atoi(buf);
		w->pf_dir = &d;
		lc_sysdir_each(&d, NULL, on_virtfn, w);
	}
	if ((lc_fn_is_nic(f) || f->sriov) && lc_sysdir_each(&d, "net", first_name, f->netdev) < 0)
		f->netdev[0] = '\0';
	lc_sysdir_close(&d);
	return 0;
}

static int cmp_idx(const void *a, const void *b)
{
	return strcmp(((const struct vfidx *)a)->addr, ((const struct vfidx *)b)->addr);
}

static int load_sysfs(const struct lc_inventory_source *src, struct lc_inventory *inv,
		      struct lc_err *err)
{
	const struct lc_sysroot *root = src->ctx;
	struct walk w;
	memset(&w, 0, sizeof(w));
	w.inv = inv;
	if (lc_sysdir_open(root, "bus/pci/devices", &w.devices, err) < 0) {
		lc_err_prefix(err, "PCI inventory: ");
		return -1;
	}
	lc_sysdir_each(&w.devices, NULL, on_device, &w);
	lc_sysdir_close(&w.devices);
	lc_inventory_sort(inv);
	if (w.n_idx)
		qsort(w.idx, w.n_idx, sizeof(*w.idx), cmp_idx);
	for (size_t i = 0; i < inv->n; i++) {
		struct lc_pci_fn *f = &inv->fns[i];
		if (!lc_fn_is_vf(f))
			continue;
		struct vfidx key;
		memcpy(key.addr, f->addr, sizeof(key.addr));
		struct vfidx *v =
		    w.n_idx ? bsearch(&key, w.idx, w.n_idx, sizeof(*w.idx), cmp_idx) : NULL;
		f->vf_index = v ? v->index : -1;
	}
	free(w.idx);
	return 0;
}

void lc_inventory_sysfs_source(const struct lc_sysroot *root, struct lc_inventory_source *src)
{
	src->name = "sysfs";
	src->load = load_sysfs;
	src->ctx = root;
}
