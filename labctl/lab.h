/*
 * Lab lifecycle on a libvirt connection: up (lease, render, define), down
 * (everything the lab owns, found from ownership metadata and lease files,
 * so it works after a crash or with the topology gone) and gc.
 */
#ifndef LC_LAB_H
#define LC_LAB_H

#include <time.h>

#include "cmd.h"
#include "load.h"
#include "plan.h"

struct lc_virt;

struct lc_up_report {
	struct lc_plan plan; /* what was rendered */
	size_t n_networks, n_domains, n_groups;
	double seconds;
};

int lc_lab_up(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
	      struct lc_up_report *r, struct lc_err *err);
void lc_up_report_release(struct lc_up_report *r);

struct lc_down_report {
	size_t n_domains, n_networks, n_leases;
};

int lc_lab_down(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		struct lc_down_report *r, struct lc_err *err);

struct lc_gc_report {
	char **labs; /* labs brought down because their ttl passed */
	size_t n_labs;
	size_t n_stale_leases;
};

int lc_lab_gc(const struct lc_opts *o, struct lc_virt *v, time_t now, struct lc_gc_report *r,
	      struct lc_err *err);
void lc_gc_report_release(struct lc_gc_report *r);

#endif
