/*
 * VF leases: one file per IOMMU group in STATE/leases, created with O_EXCL
 * under an flock on STATE/leases/.lock, so that concurrent labctl runs for
 * different labs never hold the same group. A lease names its lab and node;
 * down releases the lab's leases, gc drops those whose lab is gone.
 */
#ifndef LC_LEASE_H
#define LC_LEASE_H

#include <stddef.h>

#include "err.h"

struct lc_lease {
	int group;
	char *lab;
	char *node;
	char *addresses; /* the group's functions, space-separated */
	long pid;
	char *created;
};

struct lc_leases {
	struct lc_lease *v; /* sorted by group */
	size_t n, cap;
};

/* Hold the lease lock (creating STATE/leases); the fd is for lc_leases_unlock. */
int lc_leases_lock(const char *state_dir, int *fd, struct lc_err *err);
void lc_leases_unlock(int fd);

int lc_leases_read(const char *state_dir, struct lc_leases *out, struct lc_err *err);
void lc_leases_release(struct lc_leases *l);

/*
 * Take group for lab/node. A lease the same lab already holds is rewritten
 * (the node may change); one another lab holds is refused (LC_EXIT_RESOURCE).
 */
int lc_lease_take(const char *state_dir, int group, const char *lab, const char *node,
		  const char *addresses, struct lc_err *err);
int lc_lease_drop(const char *state_dir, int group, struct lc_err *err);
/* Drop every lease of lab; *dropped (may be NULL) counts them. */
int lc_leases_drop_lab(const char *state_dir, const char *lab, size_t *dropped, struct lc_err *err);

#endif
