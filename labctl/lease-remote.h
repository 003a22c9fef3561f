/*
 * IOMMU-group leases kept on the L0 host that has the devices, through
 * libvirt (README.md, "Leases on a remote host"), so that two controllers
 * (labctl on two machines, each with its own state dir) never get one group:
 * a lease is a volume labctl-lease-G of the host's labctl pool, created with
 * virStorageVolCreateXML, which fails when the name exists, so exactly one
 * creator wins; a second, empty volume labctl-lease-G+LAB+NODE+PID+CONTROLLER
 * names the holder (no volume contents are needed, so any pool type and
 * libvirt's test driver serve). Released by deleting both, the name first.
 */
#ifndef LC_LEASE_REMOTE_H
#define LC_LEASE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct lc_virt;

#define LC_REMOTE_LEASE_PREFIX "labctl-lease-"

struct lc_remote_lease {
	int group;
	char *lab;  /* NULL: being taken or released (no holder's name yet) */
	char *node; /* the node it is for; NULL when its name has none (G+LAB+PID+CONTROLLER) */
	long pid;   /* of the run that took it; 0 when unknown */
	char *controller; /* the machine that took it (its host name); NULL when unknown */
};

/*
 * Take every group of groups for lab (groups[k] for node nodes[k]), all or
 * nothing, in ascending order
 * (so that two takers of overlapping sets never each hold a part: the one
 * that gets the lowest contested group gets them all). When a group is
 * held, what this call took is given back and it fails with
 * LC_EXIT_RESOURCE naming the group and its holder.
 */
int lc_remote_leases_take(struct lc_virt *v, const char *pool, const char *lab,
			  const char *controller, long pid, const int *groups,
			  const char *const *nodes, size_t n, struct lc_err *err);
/* The leases in the pool, sorted by group. */
int lc_remote_leases_read(struct lc_virt *v, const char *pool, struct lc_remote_lease **out,
			  size_t *n, struct lc_err *err);
void lc_remote_leases_free(struct lc_remote_lease *l, size_t n);
/* Give back every lease lab holds there; *dropped (may be NULL) counts them. */
int lc_remote_leases_drop_lab(struct lc_virt *v, const char *pool, const char *lab, size_t *dropped,
			      struct lc_err *err);
/* Give back those of groups that lab holds there. */
int lc_remote_leases_give_back(struct lc_virt *v, const char *pool, const char *lab,
			       const int *groups, size_t n, struct lc_err *err);
/* This machine's name on the leases it takes (its host name, '+' and '/' replaced). */
void lc_remote_lease_controller(char *buf, size_t size);
/*
 * Whether the run that took l is known to be gone: taken from this machine
 * by a process that no longer runs. Another machine's is never judged here.
 */
bool lc_remote_lease_writer_gone(const struct lc_remote_lease *l);

#endif
