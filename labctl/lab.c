/* Lab lifecycle; see lab.h. */
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "hostvf.h"
#include "lab.h"
#include "lease.h"
#include "virt.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lc_lab_up(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
	      struct lc_up_report *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = now_s();
	const struct lc_topology *t = l->topo;
	struct lc_host_facts facts;
	struct lc_vf_plan devs;
	if (lc_virt_host_facts(v, &facts, err) < 0)
		return -1;
	/* leases first: if the plan cannot be met nothing is defined */
	if (lc_host_plan(o, v, t, true, &devs, err) < 0)
		return -1;
	for (size_t i = 0; i < devs.n; i++)
		r->n_groups += devs.nodes[i].n_groups;
	char *logdir = lc_asprintf("%s/labs/%s", o->state_dir, t->name.v);
	int rc = lc_mkdir_p(logdir, err);
	free(logdir);
	if (rc == 0)
		rc = lc_plan_build(o, l, &facts, &devs, time(NULL), &r->plan, err);
	lc_vf_plan_release(&devs);
	for (size_t i = 0; rc == 0 && i < r->plan.n; i++) {
		const struct lc_planned *p = &r->plan.v[i];
		if (p->type == LC_OBJ_NETWORK) {
			rc = lc_virt_define_network(v, p->xml, err);
			r->n_networks += rc == 0;
			if (rc < 0)
				lc_err_prefix(err, "network %s: ", p->name);
		}
	}
	for (size_t i = 0; rc == 0 && i < r->plan.n; i++) {
		const struct lc_planned *p = &r->plan.v[i];
		if (p->type == LC_OBJ_DOMAIN) {
			rc = lc_virt_define_domain(v, p->xml, err);
			r->n_domains += rc == 0;
			if (rc < 0)
				lc_err_prefix(err, "node %s: ", p->node->name);
		}
	}
	r->seconds = now_s() - t0;
	return rc;
}

void lc_up_report_release(struct lc_up_report *r)
{
	lc_plan_release(&r->plan);
}

int lc_lab_down(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		struct lc_down_report *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	struct lc_virt_obj *objs;
	size_t n;
	if (lc_virt_lab_domains(v, lab, &objs, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = lc_virt_remove_domain(v, objs[i].name, err);
		r->n_domains += rc == 0;
	}
	lc_virt_objs_free(objs, n);
	if (rc < 0 || lc_virt_lab_networks(v, lab, &objs, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = lc_virt_remove_network(v, objs[i].name, err);
		r->n_networks += rc == 0;
	}
	lc_virt_objs_free(objs, n);
	/* leases last: a VF is free again only once no domain of the lab holds it */
	int lock = -1;
	if (rc == 0 && (rc = lc_leases_lock(o->state_dir, &lock, err)) == 0) {
		rc = lc_leases_drop_lab(o->state_dir, lab, &r->n_leases, err);
		lc_leases_unlock(lock);
	}
	return rc;
}

static bool has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

int lc_lab_gc(const struct lc_opts *o, struct lc_virt *v, time_t now, struct lc_gc_report *r,
	      struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v, NULL, &doms, &nd, err) < 0)
		return -1;
	int rc = 0;
	size_t cap = 0;
	for (size_t i = 0; i < nd && rc == 0; i++) {
		if (!doms[i].expires || doms[i].expires > now ||
		    has(r->labs, r->n_labs, doms[i].lab))
			continue;
		struct lc_down_report dr;
		rc = lc_lab_down(o, v, doms[i].lab, &dr, err);
		LC_GROW(r->labs, cap, r->n_labs + 1);
		r->labs[r->n_labs++] = lc_strdup(doms[i].lab);
	}
	int lock = -1;
	if (rc == 0 && (rc = lc_leases_lock(o->state_dir, &lock, err)) == 0) {
		struct lc_leases ls;
		rc = lc_leases_read(o->state_dir, &ls, err);
		/* a lease whose lab has no domain left on the connection is stale */
		for (size_t i = 0; rc == 0 && i < ls.n; i++) {
			bool live = false;
			for (size_t k = 0; k < nd; k++)
				live |= strcmp(doms[k].lab, ls.v[i].lab) == 0 &&
					!has(r->labs, r->n_labs, doms[k].lab);
			if (!live && (rc = lc_lease_drop(o->state_dir, ls.v[i].group, err)) == 0)
				r->n_stale_leases++;
		}
		lc_leases_release(&ls);
		lc_leases_unlock(lock);
	}
	lc_virt_objs_free(doms, nd);
	return rc;
}

void lc_gc_report_release(struct lc_gc_report *r)
{
	lc_strv_free(r->labs, r->n_labs);
	memset(r, 0, sizeof(*r));
}
