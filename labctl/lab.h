/*
 * Lab lifecycle on a libvirt connection (README.md; docs/state-dir.md): up creates or
 * reconciles a lab (images cached, VFs leased, volumes as overlays, networks,
 * domains defined and started, in parallel); down removes everything the lab
 * owns, found from ownership metadata, the lab's journal and its leases, so
 * it works after a crash or with the topology gone; gc downs expired labs.
 */
#ifndef LC_LAB_H
#define LC_LAB_H

#include <stdbool.h>
#include <time.h>

#include "image-cache.h"
#include "opts.h"
#include "load.h"
#include "plan.h"
#include "strv.h"
#include "virt.h"

struct lc_virt;

enum lc_node_action {
	LC_NODE_PENDING,   /* not reached: up stopped before it */
	LC_NODE_CREATED,   /* defined and started */
	LC_NODE_STARTED,   /* existed, was shut off */
	LC_NODE_UNCHANGED, /* running, its XML as it would be rendered now */
	LC_NODE_CHANGED,   /* its rendered XML differs: reported, kept (use --force) */
	LC_NODE_REDEFINED, /* --force: replaced by the new rendering */
	LC_NODE_SKIPPED,   /* not picked by --node: left as it is */
	LC_NODE_FAILED,
};

const char *lc_node_action_name(enum lc_node_action a);

struct lc_node_result {
	const char *node; /* borrowed from the topology */
	char *domain;
	enum lc_node_action action;
	double seconds; /* volumes + define + start */
	char *error;	/* LC_NODE_FAILED: "node X: libvirt's message" */
	bool booted; /* --wait: the image's ready line was seen (and ssh answers, for cloud-init) */
	double boot_seconds;
	char *boot_line;
	const char *accel; /* "kvm" or "tcg": the domain type rendered for the node */
	char *l2;	   /* the boot line's l2= value; NULL when it has none */
	char *hv;	   /* its hv=, else the image's catalog hypervisor; NULL: neither */
	char *proof_error; /* "node X: nested: true wants l2=ok, got ...": a contradiction */
	char addr[16];	   /* the node's first planned address; "" when it has none */
};

struct lc_up_opts {
	int jobs;      /* parallel workers, each with its own connection */
	int wait_s;    /* < 0: do not wait for boot lines */
	bool force;    /* redefine nodes rendered from another topology; accel: kvm without KVM */
	bool rollback; /* down the whole lab when a node fails or does not boot */
	/* --node: shell globs of the nodes to act on (borrowed strings); none: every node */
	const char **only;
	size_t n_only;
	/* uploads of image parts to remote hosts (hosts.h); NULL: quiet */
	const struct lc_image_progress *uploads;
	/* called as each node finishes and as each boots; from worker threads */
	void (*progress)(void *ctx, const struct lc_node_result *r, bool boot);
	void *ctx;
};

/* A lab network whose rendering differs from the defined one's. */
struct lc_network_result {
	const char *name;	   /* borrowed from the plan */
	enum lc_net_action action; /* LC_NET_CHANGED (kept) or LC_NET_REDEFINED (--force) */
};

struct lc_down_report {
	size_t n_domains, n_networks, n_volumes, n_leases;
	double seconds;
};

struct lc_up_report {
	struct lc_plan plan;
	struct lc_network_result *networks;
	size_t n_networks;
	struct lc_node_result *nodes; /* one per topology node */
	size_t n_nodes;
	size_t n_networks_changed, n_volumes_created, n_groups;
	size_t n_uploaded;	    /* image parts uploaded to remote hosts */
	const char *accel;	    /* "kvm" or "tcg" as every node was rendered, or "kvm+tcg" */
	const char *why_not_kvm;    /* static text */
	unsigned caps_reads;	    /* domain capabilities read from libvirt ... */
	double caps_seconds;	    /* ... and the time it took */
	double seed_upload_seconds; /* the seeds' uploads, summed over the workers */
	bool rolled_back;	    /* --rollback downed the lab: rollback says what went */
	struct lc_down_report rollback;
	double seconds;
};

/*
 * Bring the lab up. A node that fails does not stop the others; err then
 * names every failed node with libvirt's message (and report says what got
 * done); what was created stays for down to remove or a new up to complete,
 * unless uo->rollback. --wait timing out is LC_EXIT_RUNTIME naming the
 * nodes that did not boot; so is a node whose boot line's l2= contradicts
 * its nested: (the lab stays up), naming the node and why.
 */
int lc_lab_up(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
	      const struct lc_up_opts *uo, struct lc_up_report *r, struct lc_err *err);
void lc_up_report_release(struct lc_up_report *r);

int lc_lab_down(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		struct lc_down_report *r, struct lc_err *err);
/*
 * down --node: remove only the domains of the nodes a glob of pats matches,
 * with their volumes. The lab's networks, VF leases and journal stay: the
 * lab still exists, and `up --node` brings those nodes back. n == 0 is the
 * whole lab, as lc_lab_down.
 */
int lc_lab_down_nodes(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		      const char *const *pats, size_t n, struct lc_down_report *r,
		      struct lc_err *err);

struct lc_gc_report {
	struct lc_strv labs; /* labs brought down because their ttl passed */
	size_t n_stale_leases;
	struct lc_strv journals;  /* labs whose journal was all that was left, removed */
	struct lc_strv snapshots; /* labs whose snapshot files no lab owned, removed */
};

int lc_lab_gc(const struct lc_opts *o, struct lc_virt *v, time_t now, struct lc_gc_report *r,
	      struct lc_err *err);
void lc_gc_report_release(struct lc_gc_report *r);

#endif
