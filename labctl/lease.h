/*
 * VF leases: one file per IOMMU group in STATE/leases, under an flock on
 * STATE/leases/.lock, so that concurrent labctl runs for different labs
 * never hold the same group. A lease is written whole to a temporary file
 * and then linked to its name (link fails if the name exists), so a lease
 * file is never seen half-written, even after a SIGKILL. A lease names its
 * lab, node and the pid of the run that took it; down releases the lab's
 * leases, gc drops those whose lab is gone and whose writer is dead.
 */
#ifndef LC_LEASE_H
#define LC_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

struct lc_lease {
	int group;
	/*
	 * NULL when the file is damaged (empty or without lab or node, e.g.
	 * left by an older labctl killed mid-write): it still holds its group.
	 */
	char *lab;
	char *node;
	char *addresses; /* the group's functions, space-separated */
	long pid;	 /* of the run that wrote it; 0 when unknown */
	char *uri;	 /* the libvirt connection it was taken through; NULL when unknown */
	char *created;
	time_t mtime; /* of the file */
};

/* How long a damaged lease of unknown writer is left alone: it may be being written. */
#define LC_LEASE_DAMAGED_GRACE_S 60

struct lc_leases {
	struct lc_lease *v; /* sorted by group */
	size_t n, cap;
};

/* Hold the lease lock (creating STATE/leases); the fd is for lc_leases_unlock. */
int lc_leases_lock(const char *state_dir, int *fd, struct lc_err *err);
void lc_leases_unlock(int fd);

/* Every lease, damaged ones included (lab NULL); a lease removed meanwhile is skipped. */
int lc_leases_read(const char *state_dir, struct lc_leases *out, struct lc_err *err);
void lc_leases_release(struct lc_leases *l);

/* The lease's writer is still running (pid known, and kill(pid, 0) finds it). */
bool lc_lease_writer_alive(const struct lc_lease *l);
/*
 * A damaged lease nobody can still be writing: its writer is known and
 * dead, or unknown and the file is older than LC_LEASE_DAMAGED_GRACE_S.
 */
bool lc_lease_damaged_stale(const struct lc_lease *l, time_t now);

/*
 * Take group for lab/node, through the libvirt connection uri (recorded so
 * that gc on another connection, whose domains say nothing of this lab,
 * leaves it alone). A lease the same lab already holds is rewritten (the
 * node may change); one another lab holds, or a damaged one, is refused
 * (LC_EXIT_RESOURCE). Call it holding the lease lock.
 */
int lc_lease_take(const char *state_dir, int group, const char *lab, const char *node,
		  const char *addresses, const char *uri, struct lc_err *err);
int lc_lease_drop(const char *state_dir, int group, struct lc_err *err);
/*
 * Remove temporary lease files (.group-N.PID.tmp) whose writer is dead: a
 * run killed between writing and linking one leaves it. *removed may be NULL.
 */
int lc_leases_sweep_tmp(const char *state_dir, size_t *removed, struct lc_err *err);
/* Drop every lease of lab (damaged ones are nobody's); *dropped (may be NULL) counts them. */
int lc_leases_drop_lab(const char *state_dir, const char *lab, size_t *dropped, struct lc_err *err);

#endif
