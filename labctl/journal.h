/*
 * A lab's journal: STATE/labs/LAB/journal lists the nodes and volumes up
 * made or is about to make, written (atomically) before it creates them, so
 * that down finds a volume left by a crash before its domain was defined and
 * status can name a node whose domain is missing. Domains and networks are
 * found from their ownership metadata, not from here.
 */
#ifndef LC_JOURNAL_H
#define LC_JOURNAL_H

#include <stddef.h>

#include "err.h"
#include "strv.h"

struct lc_journal {
	struct lc_strv nodes;	/* "NODE KIND" */
	struct lc_strv volumes; /* "POOL/VOLUME" */
	/*
	 * "NODE POOL/VOLUME POOL/TOP": the node's disk VOLUME (as rendered)
	 * runs on TOP, an overlay a snapshot made (lab-snapshot.h)
	 */
	struct lc_strv tops;
	/*
	 * "NAME URI": the hosts of the topology's hosts: the lab has nodes on,
	 * so that down LAB, gc, status, console, inventory and ssh reach them
	 * without the topology (lab-hosts.h).
	 */
	struct lc_strv hosts;
};

char *lc_journal_dir(const char *state_dir, const char *lab);
/* A missing journal reads as empty. */
int lc_journal_read(const char *state_dir, const char *lab, struct lc_journal *j,
		    struct lc_err *err);
int lc_journal_write(const char *state_dir, const char *lab, const struct lc_journal *j,
		     struct lc_err *err);
/* Add a line unless present (the strings are copied). */
void lc_journal_add_node(struct lc_journal *j, const char *node, const char *kind);
void lc_journal_add_volume(struct lc_journal *j, const char *pool, const char *volume);
/* Record that node's disk pool/volume now runs on pool/top (replacing what it ran on). */
void lc_journal_set_top(struct lc_journal *j, const char *node, const char *pool,
			const char *volume, const char *top);
/* The volume node's disk pool/volume runs on (borrowed), or NULL when it runs on itself. */
const char *lc_journal_top(const struct lc_journal *j, const char *node, const char *pool,
			   const char *volume);
void lc_journal_add_host(struct lc_journal *j, const char *name, const char *uri);
void lc_journal_release(struct lc_journal *j);
/*
 * Keep a node's boot line, its nested proof (proof.h), as
 * STATE/labs/LAB/NODE.proof: the console log beside it is truncated each
 * time the domain starts.
 */
int lc_journal_save_proof(const char *state_dir, const char *lab, const char *node,
			  const char *line, struct lc_err *err);
/*
 * The node's last proof line (caller frees): the newest in its console log,
 * else the one saved; NULL when there is neither.
 */
char *lc_journal_last_proof(const char *state_dir, const char *lab, const char *node);
/*
 * The hypervisor the node's image runs, as its catalog entry says, kept as
 * STATE/labs/LAB/NODE.hv for a boot line without hv= (proof.h).
 */
int lc_journal_save_hv(const char *state_dir, const char *lab, const char *node, const char *hv,
		       struct lc_err *err);
/* The node's hypervisor: its last proof line's hv=, else the one saved; NULL: neither. */
char *lc_journal_hv(const char *state_dir, const char *lab, const char *node, const char *proof);
/* Remove STATE/labs/LAB with its journal, console logs and proofs. */
int lc_journal_remove(const char *state_dir, const char *lab, struct lc_err *err);
/* Labs that have a journal, sorted (labs is emptied first). */
int lc_journal_labs(const char *state_dir, struct lc_strv *labs, struct lc_err *err);

#endif
