/*
 * The pre-flight of an L0 host (README.md, "Host check"): what nested virtualization and
 * VF passthrough need, each with a verdict and, when not PASS, the fix.
 * Everything is read below the --sysfs and --procfs roots, so every verdict
 * is tested on fixture hosts; libvirt's reachability comes in as a fact.
 */
#ifndef LC_HOSTCHECK_H
#define LC_HOSTCHECK_H

#include <stdbool.h>

#include "sysfs.h"

enum lc_verdict { LC_PASS, LC_WARN, LC_FAIL };

struct lc_check {
	const char *id; /* cpu-virt, kvm-device, nested, ... */
	enum lc_verdict result;
	char *detail;
	char *fix; /* NULL on PASS */
};

struct lc_checks {
	struct lc_check *v;
	size_t n, cap;
};

/* A need of some kinds (enum lc_need) and whether the host's libvirt meets it. */
struct lc_need_fact {
	unsigned need;
	char *kinds; /* "hyperv, win11": the kinds whose templates need it */
	bool met;
	char *unknown; /* why libvirt could not say (then met is true); NULL when it said */
};

/* libvirt as the caller found it: the URI, and the error when it failed. */
struct lc_inventory;
struct lc_libvirt_fact {
	const char *uri;
	const char *error;		  /* NULL: reachable */
	const struct lc_need_fact *needs; /* one per need some kind has */
	size_t n_needs;
	/*
	 * nodedev: the host's VFs are read from libvirt's node devices
	 * (--inventory), not below root; inv is that inventory, or NULL with
	 * inv_error saying why it could not be read.
	 */
	bool nodedev;
	const struct lc_inventory *inv;
	const char *inv_error;
};

/* The modprobe.d file host prepare writes and host check's fixes name. */
#define LC_MODPROBE_FILE "labctl-kvm.conf"

void lc_host_check(const struct lc_sysroot *root, const struct lc_libvirt_fact *lv,
		   struct lc_checks *out);
void lc_checks_release(struct lc_checks *c);
const char *lc_verdict_name(enum lc_verdict v);
/* Offset of PCIe extended capability id in a config space dump, 0 if absent, -1 if unreadable. */
int lc_pcie_ext_cap(const unsigned char *cfg, size_t len, unsigned id);

#endif
