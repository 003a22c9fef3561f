/* Lab lifecycle; see lab.h. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "hostfacts.h"
#include "hostvf.h"
#include "imagecache.h"
#include "journal.h"
#include "lab.h"
#include "lease.h"
#include "virt.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *lc_node_action_name(enum lc_node_action a)
{
	static const char *const names[] = {"pending", "created",   "started", "unchanged",
					    "changed", "redefined", "failed"};
	return names[a];
}

static char *pool_path(const struct lc_opts *o, const char *pool)
{
	return lc_asprintf("%s/pools/%s", o->state_dir, pool);
}

/* ---- up: the parts before any domain ---- */

static int cache_images(const struct lc_opts *o, const struct lc_loaded *l, struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const char *name = t->nodes[i].image.v;
		bool seen = false;
		for (size_t k = 0; name && k < i; k++)
			seen |= t->nodes[k].image.v && strcmp(t->nodes[k].image.v, name) == 0;
		if (!name || seen)
			continue;
		const struct lc_image *img = lc_catalog_find(l->catalog, name);
		if (img && lc_image_ensure(o->cache_dir, img, err) < 0)
			return -1;
	}
	return 0;
}

/* Record what is about to exist before it does, merged with what an earlier up made. */
static int write_journal(const struct lc_opts *o, const struct lc_topology *t,
			 const struct lc_plan *p, struct lc_err *err)
{
	struct lc_journal j;
	if (lc_journal_read(o->state_dir, t->name.v, &j, err) < 0)
		return -1;
	for (size_t i = 0; i < t->n_nodes; i++)
		lc_journal_add_node(&j, t->nodes[i].name, t->nodes[i].kind.v);
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].type == LC_OBJ_VOLUME)
			lc_journal_add_volume(&j, t->storage_pool.v, p->v[i].name);
	int rc = lc_journal_write(o->state_dir, t->name.v, &j, err);
	lc_journal_release(&j);
	return rc;
}

static int ensure_pool(const struct lc_opts *o, struct lc_virt *v, const char *pool,
		       struct lc_err *err)
{
	char *path = pool_path(o, pool);
	int rc = lc_mkdir_p(path, err);
	if (rc == 0) {
		xmlDocPtr doc = lc_render_pool(pool, path);
		char *xml = lc_xml_format(doc);
		xmlFreeDoc(doc);
		rc = lc_virt_pool_ensure(v, pool, xml, err);
		free(xml);
	}
	free(path);
	return rc;
}

/* ---- up: nodes, in parallel ---- */

struct up_job {
	const struct lc_opts *o;
	const struct lc_up_opts *uo;
	const struct lc_topology *t;
	struct lc_up_report *r;
	const struct lc_virt_obj *existing;
	size_t n_existing;
	double *started_at; /* per node, for boot times */
	pthread_mutex_t mu;
	size_t next;
	size_t volumes_created;
	bool failed; /* stop handing out new nodes */
};

static const struct lc_virt_obj *existing_of(const struct up_job *j, const char *node)
{
	for (size_t i = 0; i < j->n_existing; i++)
		if (j->existing[i].node && strcmp(j->existing[i].node, node) == 0)
			return &j->existing[i];
	return NULL;
}

static int up_node(struct up_job *j, struct lc_virt *v, size_t i, struct lc_err *err)
{
	const struct lc_topology *t = j->t;
	const struct lc_node *n = &t->nodes[i];
	struct lc_node_result *res = &j->r->nodes[i];
	const struct lc_planned *dom = NULL;
	for (size_t k = 0; k < j->r->plan.n; k++) {
		const struct lc_planned *p = &j->r->plan.v[k];
		if (p->node != n)
			continue;
		if (p->type == LC_OBJ_DOMAIN) {
			dom = p;
			continue;
		}
		bool created;
		if (lc_virt_volume_ensure(v, t->storage_pool.v, p->name, p->xml, &created, err) < 0)
			return -1;
		if (created) {
			pthread_mutex_lock(&j->mu);
			j->volumes_created++;
			pthread_mutex_unlock(&j->mu);
		}
	}
	const struct lc_virt_obj *old = existing_of(j, n->name);
	bool same = old && old->sha256 && strcmp(old->sha256, t->sha256) == 0;
	j->started_at[i] = now_s();
	if (!old) {
		res->action = LC_NODE_CREATED;
		return lc_virt_domain_create(v, dom->xml, true, err);
	}
	if (!same && j->uo->force) {
		res->action = LC_NODE_REDEFINED;
		if (lc_virt_remove_domain(v, dom->name, err) < 0)
			return -1;
		return lc_virt_domain_create(v, dom->xml, true, err);
	}
	res->action = same ? LC_NODE_UNCHANGED : LC_NODE_CHANGED;
	if (old->active)
		return 0;
	if (same)
		res->action = LC_NODE_STARTED;
	return lc_virt_domain_start(v, dom->name, err);
}

static void *up_worker(void *arg)
{
	struct up_job *j = arg;
	struct lc_err cerr = LC_ERR_INIT;
	/* one connection per worker: libvirt serializes calls on a connection */
	struct lc_virt *v = lc_virt_open(j->o->uri, &cerr);
	for (;;) {
		pthread_mutex_lock(&j->mu);
		size_t i = j->failed ? j->t->n_nodes : j->next++;
		pthread_mutex_unlock(&j->mu);
		if (i >= j->t->n_nodes)
			break;
		struct lc_node_result *res = &j->r->nodes[i];
		double t0 = now_s();
		struct lc_err err = LC_ERR_INIT;
		int rc = v ? up_node(j, v, i, &err) : -1;
		res->seconds = now_s() - t0;
		if (rc < 0) {
			res->action = LC_NODE_FAILED;
			res->error = lc_asprintf("node %s: %s", res->node, v ? err.msg : cerr.msg);
			pthread_mutex_lock(&j->mu);
			j->failed = true;
			pthread_mutex_unlock(&j->mu);
		}
		lc_err_release(&err);
		if (j->uo->progress)
			j->uo->progress(j->uo->ctx, res, false);
	}
	lc_virt_close(v);
	lc_err_release(&cerr);
	return NULL;
}

static int run_nodes(struct up_job *j, struct lc_err *err)
{
	size_t nw = j->uo->jobs > 0 ? (size_t)j->uo->jobs : 1;
	if (nw > j->t->n_nodes)
		nw = j->t->n_nodes ? j->t->n_nodes : 1;
	pthread_t *tids = lc_calloc(nw, sizeof(*tids));
	size_t started = 0;
	for (size_t k = 0; k < nw; k++)
		if (pthread_create(&tids[k], NULL, up_worker, j) == 0)
			started++;
		else
			break;
	if (started == 0)
		up_worker(j);
	for (size_t k = 0; k < started; k++)
		pthread_join(tids[k], NULL);
	free(tids);
	for (size_t i = 0; i < j->t->n_nodes; i++)
		if (j->r->nodes[i].action == LC_NODE_FAILED)
			return lc_err_set(err, LC_EXIT_RUNTIME, "%s", j->r->nodes[i].error);
	/* a node never reached because another failed first */
	if (j->failed)
		return lc_err_set(err, LC_EXIT_RUNTIME, "up stopped early");
	return 0;
}

/* ---- up: waiting for boot lines ---- */

static const char *ready_line(const struct lc_loaded *l, const struct lc_node *n)
{
	const struct lc_image *img = n->image.v ? lc_catalog_find(l->catalog, n->image.v) : NULL;
	return img && img->ready.v ? img->ready.v : NULL;
}

/* The line of the console log holding ready, or NULL. */
static char *find_line(const char *path, const char *ready)
{
	char *text;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_read_file(path, &text, &len, &ignore) < 0) {
		lc_err_release(&ignore);
		return NULL;
	}
	char *hit = strstr(text, ready), *line = NULL;
	if (hit) {
		char *end = strpbrk(hit, "\r\n");
		line = lc_strndup(hit, end ? (size_t)(end - hit) : strlen(hit));
	}
	free(text);
	return line;
}

static int wait_boot(const struct lc_opts *o, const struct lc_loaded *l, struct up_job *j,
		     struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	double deadline = now_s() + j->uo->wait_s;
	size_t pending;
	do {
		pending = 0;
		for (size_t i = 0; i < t->n_nodes; i++) {
			struct lc_node_result *res = &j->r->nodes[i];
			const char *ready = ready_line(l, &t->nodes[i]);
			if (res->booted)
				continue;
			if (!ready) {
				res->booted = true; /* nothing to wait for: running is booted */
				continue;
			}
			char *log = lc_asprintf("%s/labs/%s/%s.log", o->state_dir, t->name.v,
						t->nodes[i].name);
			res->boot_line = find_line(log, ready);
			free(log);
			if (!res->boot_line) {
				pending++;
				continue;
			}
			res->booted = true;
			res->boot_seconds = now_s() - j->started_at[i];
			if (j->uo->progress)
				j->uo->progress(j->uo->ctx, res, true);
		}
		if (pending)
			usleep(100 * 1000);
	} while (pending && now_s() < deadline);
	if (!pending)
		return 0;
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (!j->r->nodes[i].booted)
			lc_buf_addf(&b, "%s%s", b.len ? ", " : "", t->nodes[i].name);
	lc_err_set(err, LC_EXIT_RUNTIME, "%zu node%s did not boot within %ds: %s", pending,
		   pending == 1 ? "" : "s", j->uo->wait_s, lc_buf_str(&b));
	lc_buf_release(&b);
	return -1;
}

int lc_lab_up(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
	      const struct lc_up_opts *uo, struct lc_up_report *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = now_s();
	const struct lc_topology *t = l->topo;
	r->n_nodes = t->n_nodes;
	r->nodes = lc_calloc(t->n_nodes + 1, sizeof(*r->nodes));
	for (size_t i = 0; i < t->n_nodes; i++) {
		r->nodes[i].node = t->nodes[i].name;
		r->nodes[i].domain = lc_domain_name(t, &t->nodes[i]);
	}
	struct lc_host_facts facts;
	struct lc_vf_plan devs;
	if (lc_host_facts_probe(o, v, &facts, err) < 0)
		return -1;
	r->accel = facts.kvm ? "kvm" : "tcg";
	r->why_not_kvm = facts.why_not_kvm;
	/* images and leases before anything is defined: a failure there leaves nothing */
	if (cache_images(o, l, err) < 0 || lc_host_plan(o, v, t, true, &devs, err) < 0)
		return -1;
	for (size_t i = 0; i < devs.n; i++)
		r->n_groups += devs.nodes[i].n_groups;
	int rc = lc_plan_build(o, l, &facts, &devs, time(NULL), &r->plan, err);
	lc_vf_plan_release(&devs);
	if (rc < 0 || write_journal(o, t, &r->plan, err) < 0 ||
	    ensure_pool(o, v, t->storage_pool.v, err) < 0)
		return -1;
	for (size_t i = 0; i < r->plan.n; i++) {
		const struct lc_planned *p = &r->plan.v[i];
		bool changed;
		if (p->type != LC_OBJ_NETWORK)
			continue;
		if (lc_virt_network_ensure(v, p->name, p->xml, &changed, err) < 0)
			return -1;
		r->n_networks_changed += changed;
	}
	struct up_job j = {.o = o, .uo = uo, .t = t, .r = r};
	if (lc_virt_lab_domains(v, t->name.v, (struct lc_virt_obj **)&j.existing, &j.n_existing,
				err) < 0)
		return -1;
	j.started_at = lc_calloc(t->n_nodes + 1, sizeof(double));
	pthread_mutex_init(&j.mu, NULL);
	rc = run_nodes(&j, err);
	r->n_volumes_created = j.volumes_created;
	if (rc == 0 && uo->wait_s >= 0)
		rc = wait_boot(o, l, &j, err);
	pthread_mutex_destroy(&j.mu);
	lc_virt_objs_free((struct lc_virt_obj *)j.existing, j.n_existing);
	free(j.started_at);
	r->seconds = now_s() - t0;
	return rc;
}

void lc_up_report_release(struct lc_up_report *r)
{
	lc_plan_release(&r->plan);
	for (size_t i = 0; i < r->n_nodes; i++) {
		free(r->nodes[i].domain);
		free(r->nodes[i].error);
		free(r->nodes[i].boot_line);
	}
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

/* ---- down ---- */

static void add_volume(char ***v, size_t *n, const char *pv)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], pv) == 0)
			return;
	*v = lc_realloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = lc_strdup(pv);
}

int lc_lab_down(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		struct lc_down_report *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = now_s();
	struct lc_journal jn;
	if (lc_journal_read(o->state_dir, lab, &jn, err) < 0)
		return -1;
	char **vols = NULL;
	size_t n_vols = 0;
	for (size_t i = 0; i < jn.n_volumes; i++)
		add_volume(&vols, &n_vols, jn.volumes[i]);
	lc_journal_release(&jn);
	struct lc_virt_obj *objs;
	size_t n;
	int rc = lc_virt_lab_domains(v, lab, &objs, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		for (size_t k = 0; k < objs[i].n_volumes; k++)
			add_volume(&vols, &n_vols, objs[i].volumes[k]);
		rc = lc_virt_remove_domain(v, objs[i].name, err);
		r->n_domains += rc == 0;
	}
	if (rc == 0)
		lc_virt_objs_free(objs, n);
	if (rc == 0 && (rc = lc_virt_lab_networks(v, lab, &objs, &n, err)) == 0) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = lc_virt_remove_network(v, objs[i].name, err);
			r->n_networks += rc == 0;
		}
		lc_virt_objs_free(objs, n);
	}
	/* volumes once no domain uses them */
	for (size_t i = 0; rc == 0 && i < n_vols; i++) {
		char *slash = strchr(vols[i], '/');
		if (!slash)
			continue;
		*slash = '\0';
		rc = lc_virt_volume_delete(v, vols[i], slash + 1, err);
		r->n_volumes += rc == 0;
	}
	lc_strv_free(vols, n_vols);
	/* leases last: a VF is free again only once no domain of the lab holds it */
	int lock = -1;
	if (rc == 0 && (rc = lc_leases_lock(o->state_dir, &lock, err)) == 0) {
		rc = lc_leases_drop_lab(o->state_dir, lab, &r->n_leases, err);
		lc_leases_unlock(lock);
	}
	if (rc == 0)
		rc = lc_journal_remove(o->state_dir, lab, err);
	r->seconds = now_s() - t0;
	return rc;
}

/* ---- gc ---- */

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
