/*
 * The PCI inventory read from sysfs in one pass over bus/pci/devices: each
 * entry is a symlink into devices/pci*, whose attribute files hold 0x
 * values and whose links (driver, iommu_group, physfn, virtfnN) name what
 * the function is bound and grouped to.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "pci-addr.h"
#include "pci.h"
#include "strv.h"
#include "sysfs.h"

struct walk {
	struct lc_sysdir devices;
	struct lc_inventory *inv;
	/* VF address -> index, from the PFs' virtfnN links, resolved after the pass */
	struct lc_vf_index *idx;
	size_t n_idx, cap_idx;
	const char *pf_name; /* the PF whose virtfnN links are being read */
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
	struct lc_vf_index *v = &w->idx[w->n_idx];
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", w->pf_name, name);
	if (lc_sysdir_link_base(&w->devices, p, v->addr, sizeof(v->addr)) < 0)
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

/*
 * uevent holds DRIVER=, PCI_CLASS= and PCI_ID=VVVV:DDDD in one file: one read
 * instead of four (vendor, device, class, driver). False when it is absent or
 * lacks them, and the separate attribute files are read instead.
 */
static bool read_uevent(const struct lc_sysdir *d, const char *path, struct lc_pci_fn *f)
{
	char buf[512];
	if (lc_sysdir_read(d, path, buf, sizeof(buf)) <= 0)
		return false;
	bool id = false, cls = false;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		unsigned v, dv;
		if (strncmp(line, "DRIVER=", 7) == 0)
			snprintf(f->driver, sizeof(f->driver), "%s", line + 7);
		else if (strncmp(line, "PCI_CLASS=", 10) == 0)
			cls = (f->class = (uint32_t)strtoul(line + 10, NULL, 16), true);
		else if (sscanf(line, "PCI_ID=%x:%x", &v, &dv) == 2) {
			f->vendor = (uint16_t)v;
			f->device = (uint16_t)dv;
			id = true;
		}
	}
	return id && cls;
}

/* "0000:d8:00.2/uevent": paths from bus/pci/devices, no directory opened per device. */
static const char *at(char *buf, size_t n, const char *dev, const char *file)
{
	snprintf(buf, n, "%s/%s", dev, file);
	return buf;
}

static int on_device(void *ctx, const char *name)
{
	struct walk *w = ctx;
	const struct lc_sysdir *d = &w->devices;
	char p[128], buf[64];
	struct lc_pci_addr pa;
	if (lc_pci_addr_parse(name, &pa) < 0)
		return 0;
	LC_GROW(w->inv->fns, w->inv->cap, w->inv->n + 1);
	struct lc_pci_fn *f = &w->inv->fns[w->inv->n];
	memset(f, 0, sizeof(*f));
	snprintf(f->addr, sizeof(f->addr), "%s", name);
	if (!read_uevent(d, at(p, sizeof(p), name, "uevent"), f)) {
		f->vendor = (uint16_t)hexattr(d, at(p, sizeof(p), name, "vendor"));
		f->device = (uint16_t)hexattr(d, at(p, sizeof(p), name, "device"));
		f->class = (uint32_t)hexattr(d, at(p, sizeof(p), name, "class"));
		if (!f->vendor)
			return 0; /* a device that vanished while we looked */
		if (lc_sysdir_link_base(d, at(p, sizeof(p), name, "driver"), f->driver,
					sizeof(f->driver)) < 0)
			f->driver[0] = '\0';
	}
	w->inv->n++;
	f->group =
	    lc_sysdir_link_base(d, at(p, sizeof(p), name, "iommu_group"), buf, sizeof(buf)) > 0
		? atoi(buf)
		: -1;
	f->vf_index = -1;
	if (lc_sysdir_link_base(d, at(p, sizeof(p), name, "physfn"), f->physfn, sizeof(f->physfn)) <
	    0)
		f->physfn[0] = '\0';
	/*
	 * A VF sits on its PF's NUMA node and is found by its PF's virtfnN
	 * links: on a host with thousands of VFs every file not read counts.
	 */
	f->numa = -1;
	if (lc_fn_is_vf(f))
		return 0;
	if (lc_sysdir_read(d, at(p, sizeof(p), name, "numa_node"), buf, sizeof(buf)) > 0)
		f->numa = atoi(buf);
	if (lc_sysdir_read(d, at(p, sizeof(p), name, "sriov_totalvfs"), buf, sizeof(buf)) > 0) {
		f->sriov = true;
		f->totalvfs = (unsigned)atoi(buf);
		if (lc_sysdir_read(d, at(p, sizeof(p), name, "sriov_numvfs"), buf, sizeof(buf)) > 0)
			f->numvfs = (unsigned)atoi(buf);
		w->pf_name = name;
		lc_sysdir_each(d, name, on_virtfn, w);
	}
	if (lc_fn_is_nic(f) &&
	    lc_sysdir_each(d, at(p, sizeof(p), name, "net"), first_name, f->netdev) < 0)
		f->netdev[0] = '\0';
	return 0;
}

static int collect(void *ctx, const char *name)
{
	lc_strv_push(ctx, name);
	return 0;
}

struct worker {
	pthread_t tid;
	struct walk w;
	struct lc_inventory part;
	char **names;
	size_t n;
};

static void *work(void *arg)
{
	struct worker *k = arg;
	for (size_t i = 0; i < k->n; i++)
		on_device(&k->w, k->names[i]);
	return NULL;
}

/*
 * Every function costs a few system calls, and on a host with thousands of
 * VFs they dominate: the device list is shared out to one thread per CPU.
 */
static size_t n_workers(size_t n_devices)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n_devices < 512 || cpus < 2)
		return 1;
	return cpus > 8 ? 8 : (size_t)cpus;
}

static int load_sysfs(const struct lc_inventory_source *src, struct lc_inventory *inv,
		      struct lc_err *err)
{
	const struct lc_sysroot *root = src->ctx;
	struct lc_sysdir devices;
	if (lc_sysdir_open(root, "bus/pci/devices", &devices, err) < 0) {
		lc_err_prefix(err, "PCI inventory: ");
		return -1;
	}
	struct lc_strv names = LC_STRV_INIT;
	lc_sysdir_each(&devices, NULL, collect, &names);
	size_t nw = n_workers(names.n), per = (names.n + nw - 1) / nw;
	struct worker *ks = lc_calloc(nw, sizeof(*ks));
	for (size_t i = 0; i < nw; i++) {
		struct worker *k = &ks[i];
		k->w.devices = devices;
		k->w.inv = &k->part;
		k->names = names.v + (i * per < names.n ? i * per : names.n);
		k->n = i * per >= names.n ? 0 : (names.n - i * per < per ? names.n - i * per : per);
		if (nw == 1 || pthread_create(&k->tid, NULL, work, k) != 0) {
			work(k);
			k->tid = 0;
		}
	}
	struct walk all;
	memset(&all, 0, sizeof(all));
	for (size_t i = 0; i < nw; i++) {
		struct worker *k = &ks[i];
		if (k->tid)
			pthread_join(k->tid, NULL);
		/* a worker that found nothing has no arrays: memcpy wants real pointers */
		if (k->part.n) {
			LC_GROW(inv->fns, inv->cap, inv->n + k->part.n);
			memcpy(inv->fns + inv->n, k->part.fns, k->part.n * sizeof(*inv->fns));
			inv->n += k->part.n;
		}
		if (k->w.n_idx) {
			LC_GROW(all.idx, all.cap_idx, all.n_idx + k->w.n_idx);
			memcpy(all.idx + all.n_idx, k->w.idx, k->w.n_idx * sizeof(*all.idx));
			all.n_idx += k->w.n_idx;
		}
		free(k->part.fns);
		free(k->w.idx);
	}
	free(ks);
	lc_strv_release(&names);
	lc_sysdir_close(&devices);
	lc_inventory_sort(inv);
	lc_inventory_set_vf_index(inv, all.idx, all.n_idx);
	free(all.idx);
	return 0;
}

void lc_inventory_sysfs_source(const struct lc_sysroot *root, struct lc_inventory_source *src)
{
	src->name = "sysfs";
	src->load = load_sysfs;
	src->ctx = root;
}

int lc_pci_set_numvfs(const struct lc_attrs *a, const struct lc_pci_fn *pf, unsigned want, bool dry,
		      struct lc_buf *report, struct lc_err *err)
{
	const char *name = pf->netdev[0] ? pf->netdev : pf->addr;
	char path[96], buf[32];
	snprintf(path, sizeof(path), "bus/pci/devices/%s/sriov_numvfs", pf->addr);
	if (pf->numvfs == want) {
		lc_buf_addf(report, "%s (%s): %u VFs already\n", name, pf->addr, want);
		return 0;
	}
	const char *verb = dry ? "would write" : "write";
	if (pf->numvfs && want) {
		lc_buf_addf(report, "%s %s: 0\n", verb, path);
		if (!dry && a->write(a->ctx, path, "0", err) < 0)
			return -1;
	}
	snprintf(buf, sizeof(buf), "%u", want);
	lc_buf_addf(report, "%s %s: %u\n", verb, path, want);
	if (dry)
		return 0;
	if (a->write(a->ctx, path, buf, err) < 0)
		return -1;
	char *end;
	if (a->read(a->ctx, path, buf, sizeof(buf)) <= 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read back '%s'", path);
	unsigned long got = strtoul(buf, &end, 10);
	if (*end || end == buf)
		return lc_err_set(err, LC_EXIT_RUNTIME, "'%s' reads '%s', not a VF count", path,
				  buf);
	if (got < want)
		lc_buf_addf(report, "%s (%s): the driver enabled %lu VFs of the %u asked for\n",
			    name, pf->addr, got, want);
	else
		lc_buf_addf(report, "%s (%s): %lu VFs\n", name, pf->addr, got);
	return 0;
}
