/* Lab lifecycle; see lab.h. */
#include <pthread.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "host-facts.h"
#include "host-vfs.h"
#include "hosts.h"
#include "lease-remote.h"
#include "image-cache.h"
#include "interrupt.h"
#include "journal.h"
#include "lab.h"
#include "lab-snapshot.h"
#include "lab-ssh.h"
#include "lease.h"
#include "proof.h"
#include "workpool.h"
#include "host-routes.h"
#include "seed.h"
#include "sysfs.h"
#include "uri.h"
#include "virt.h"

const char *lc_node_action_name(enum lc_node_action a)
{
	static const char *const names[] = {"pending", "created",   "started", "unchanged",
					    "changed", "redefined", "skipped", "failed"};
	return names[a];
}

static char *pool_path(const struct lc_opts *o, const char *pool)
{
	return lc_asprintf("%s/pools/%s", o->state_dir, pool);
}

/* Record the stop a signal asked for; main turns it into exit 130 or 143. */
static int interrupted(struct lc_err *err, const char *what)
{
	return lc_err_set(err, LC_EXIT_RUNTIME,
			  "%s interrupted: what was in flight finished; run it again to continue",
			  what);
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
		size_t fetched;
		uint64_t base;
		if (img && (lc_image_ensure(o->cache_dir, img, NULL, &fetched, err) < 0 ||
			    lc_image_disk_size(o->cache_dir, img, &base, err) < 0))
			return -1;
		/* an overlay smaller than its base cuts the guest's file system short */
		for (size_t k = i; img && k < t->n_nodes; k++) {
			const struct lc_node *n = &t->nodes[k];
			if (!n->image.v || strcmp(n->image.v, name) != 0 || n->disk_bytes.v >= base)
				continue;
			lc_err_set(err, LC_EXIT_USAGE,
				   "disk of %llu MiB is smaller than image \"%s\" (%llu MiB); "
				   "give it at least that",
				   (unsigned long long)(n->disk_bytes.v >> 20), name,
				   (unsigned long long)((base + (1 << 20) - 1) >> 20));
			lc_err_prefix_at(err, n->disk_bytes.at, "node \"%s\": ", n->name);
			return -1;
		}
	}
	return 0;
}

/*
 * Record what is about to exist before it does (and before any lease is
 * taken, so that a state dir that cannot be written stops up with nothing
 * held), merged with what an earlier up made.
 */
static int write_journal(const struct lc_opts *o, const struct lc_topology *t,
			 const struct lc_hosts *hs, struct lc_err *err)
{
	struct lc_journal j;
	if (lc_journal_read(o->state_dir, t->name.v, &j, err) < 0)
		return -1;
	lc_hosts_journal(hs, t, &j);
	for (size_t i = 0; i < t->n_nodes; i++) {
		lc_journal_add_node(&j, t->nodes[i].name, t->nodes[i].kind.v);
		for (size_t k = 0; k < lc_render_n_volumes(&t->nodes[i]); k++) {
			char *vol = lc_render_volume_name(t, &t->nodes[i], k);
			lc_journal_add_volume(&j, t->storage_pool.v, vol);
			free(vol);
		}
		/* a seed the node may get: down deletes it if it is there */
		char *seed = lc_seed_volume_name(t, &t->nodes[i]);
		lc_journal_add_volume(&j, t->storage_pool.v, seed);
		free(seed);
	}
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
	struct lc_hosts *hs;
	const struct lc_virt_obj *existing; /* each node's, from its own host */
	size_t n_existing;
	double *started_at; /* per node, for boot times */
	bool *resume;	    /* per node: started paused, to be resumed with the others */
	pthread_mutex_t mu; /* volumes_created */
	size_t volumes_created;
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
	if (res->action == LC_NODE_SKIPPED)
		return 0;
	const struct lc_planned *dom = NULL;
	for (size_t k = 0; k < j->r->plan.n; k++) {
		const struct lc_planned *p = &j->r->plan.v[k];
		if (p->node != n)
			continue;
		if (p->type == LC_OBJ_DOMAIN) {
			dom = p;
			continue;
		}
		if (p->data)
			continue; /* uploaded below, once the node's fate is known */
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
	bool same = old && old->rendered_sha256 && dom->rendered_sha256 &&
		    strcmp(old->rendered_sha256, dom->rendered_sha256) == 0;
	/* a node defined anew gets a new seed; one kept keeps its own (made if it went missing) */
	bool fresh = !old || (!same && j->uo->force);
	for (size_t k = 0; k < j->r->plan.n; k++) {
		const struct lc_planned *p = &j->r->plan.v[k];
		bool made;
		if (p->node != n || !p->data)
			continue;
		double t0 = lc_now_s();
		if (lc_virt_volume_upload(v, t->storage_pool.v, p->name, p->xml, p->data, p->len,
					  fresh, &made, err) < 0)
			return -1;
		pthread_mutex_lock(&j->mu);
		j->volumes_created += made;
		j->r->seed_upload_seconds += lc_now_s() - t0;
		pthread_mutex_unlock(&j->mu);
	}
	j->started_at[i] = lc_now_s();
	/* a node that never ran holds nothing worth keeping: its new rendering replaces it */
	if (old && (same || (!j->uo->force && !old->never_ran))) {
		res->action = same ? LC_NODE_UNCHANGED : LC_NODE_CHANGED;
		if (old->active && !old->paused)
			return 0;
		/* shut off, or left paused by an up that was stopped */
		if (same)
			res->action = LC_NODE_STARTED;
		if (!old->active && lc_virt_domain_start_paused(v, dom->name, err) < 0)
			return -1;
		j->resume[i] = true;
		return 0;
	}
	res->action = old ? LC_NODE_REDEFINED : LC_NODE_CREATED;
	if (old && lc_virt_remove_domain(v, dom->name, err) < 0)
		return -1;
	if (lc_virt_domain_create_paused(v, dom->xml, err) < 0)
		return -1;
	j->resume[i] = true;
	return 0;
}

/*
 * Resume every node started paused, also after a failure or a signal: those
 * nodes are made, and a running lab is what up leaves. Resuming is one
 * monitor command per domain, so it runs on the caller's connection.
 */
static int resume_nodes(struct up_job *j, struct lc_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < j->t->n_nodes; i++) {
		struct lc_err e = LC_ERR_INIT;
		if (!j->resume[i])
			continue;
		j->started_at[i] = lc_now_s();
		struct lc_virt *v = lc_hosts_of_node(j->hs, i)->v;
		if (lc_virt_domain_resume(v, j->r->nodes[i].domain, &e) < 0 && rc == 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "node %s: %s", j->r->nodes[i].node,
					e.msg);
		lc_err_release(&e);
	}
	return rc;
}

static int up_item(void *ctx, struct lc_virt *v, size_t i, struct lc_err *err)
{
	return up_node(ctx, v, i, err);
}

static void up_done(void *ctx, size_t i, double seconds, const char *error)
{
	struct up_job *j = ctx;
	struct lc_node_result *res = &j->r->nodes[i];
	res->seconds = seconds;
	if (error) {
		res->action = LC_NODE_FAILED;
		res->error = lc_asprintf("node %s: %s", res->node, error);
	}
	if (j->uo->progress)
		j->uo->progress(j->uo->ctx, res, false);
}

/* Node i's host's URI for the workers; NULL: -c's. */
static const char *up_uri(void *ctx, size_t i)
{
	struct up_job *j = ctx;
	const struct lc_lab_host *h = lc_hosts_of_node(j->hs, i);
	return h == &j->hs->v[0] ? NULL : h->uri;
}

static int run_nodes(struct up_job *j, struct lc_err *err)
{
	/* nodes do not depend on each other: one that fails does not stop the rest */
	struct lc_workpool p = {.uri = j->o->uri,
				.uri_of = up_uri,
				.n = j->t->n_nodes,
				.fn = up_item,
				.done = up_done,
				.ctx = j,
				.keep_going = true};
	lc_workpool_run(&p, j->uo->jobs > 0 ? (size_t)j->uo->jobs : 1);
	int rc = 0;
	struct lc_buf b = LC_BUF_INIT;
	size_t failed = 0;
	for (size_t i = 0; i < p.n; i++)
		if (j->r->nodes[i].action == LC_NODE_FAILED)
			lc_buf_addf(&b, "%s%s", failed++ ? "; " : "", j->r->nodes[i].error);
	if (failed)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "%zu of %zu node%s failed: %s", failed, p.n,
				p.n == 1 ? "" : "s", lc_buf_str(&b));
	else if (lc_workpool_cut_short(&p))
		rc = interrupted(err, "up");
	lc_buf_release(&b);
	lc_workpool_release(&p);
	return rc;
}

/* ---- up: waiting for boot lines ---- */

static const char *ready_line(const struct lc_loaded *l, const struct lc_node *n)
{
	const struct lc_image *img = n->image.v ? lc_catalog_find(l->catalog, n->image.v) : NULL;
	return img && img->ready.v ? img->ready.v : NULL;
}

/*
 * The line of the console log holding ready, or NULL. Only a whole line
 * counts: the guest may be half-way through writing it.
 */
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
	char *end = hit ? strpbrk(hit, "\r\n") : NULL;
	if (end)
		line = lc_strndup(hit, (size_t)(end - hit));
	free(text);
	return line;
}

/*
 * Check a booted node's l2= against its nested:, and keep the boot line
 * beside the console log (journal.h) for status to report later.
 */
static int prove(const struct lc_opts *o, const struct lc_loaded *l, size_t i,
		 struct lc_node_result *res, struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	struct lc_err e = LC_ERR_INIT;
	if (lc_proof_check(res->boot_line, lc_node_nested(&t->nodes[i]), &res->l2, &e) < 0)
		res->proof_error = lc_asprintf("node %s: %s", res->node, e.msg);
	lc_err_release(&e);
	/* a line without hv= (tiny, debian): what the image's catalog entry says */
	const struct lc_image *img =
	    t->nodes[i].image.v ? lc_catalog_find(l->catalog, t->nodes[i].image.v) : NULL;
	const char *image_hv = img ? img->hypervisor.v : NULL;
	res->hv = lc_proof_hv(res->boot_line, image_hv);
	if (image_hv &&
	    lc_journal_save_hv(o->state_dir, t->name.v, t->nodes[i].name, image_hv, err) < 0)
		return -1;
	if (!res->l2)
		return 0;
	return lc_journal_save_proof(o->state_dir, t->name.v, t->nodes[i].name, res->boot_line,
				     err);
}

/* The proofs that contradict nested:, as one message: "node a: ...; node b: ...". */
static void add_proof_errors(struct lc_buf *b, const struct lc_up_report *r)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].proof_error)
			lc_buf_addf(b, "%s%s", b->len ? "; " : "", r->nodes[i].proof_error);
}

/* How long a connection to a node's sshd that has shown nothing is kept before a new one. */
#define SSH_RETRY_S 5.0

static int wait_boot_probing(const struct lc_opts *o, const struct lc_loaded *l, struct up_job *j,
			     struct lc_ssh_probe *probes, struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	double deadline = lc_now_s() + j->uo->wait_s;
	size_t pending;
	do {
		pending = 0;
		for (size_t i = 0; i < t->n_nodes; i++) {
			struct lc_node_result *res = &j->r->nodes[i];
			const char *ready = ready_line(l, &t->nodes[i]);
			if (res->booted || res->action == LC_NODE_SKIPPED)
				continue;
			if (!ready) {
				res->booted = true; /* nothing to wait for: running is booted */
				continue;
			}
			char *log = lc_asprintf("%s/labs/%s/%s.log", o->state_dir, t->name.v,
						t->nodes[i].name);
			/* a remote node's log is a volume on its host: copied here to be read */
			struct lc_err merr = LC_ERR_INIT;
			if (!res->boot_line && lc_hosts_of_node(j->hs, i)->remote &&
			    lc_hosts_mirror_log(j->hs, t, i, log, &merr) < 0) {
				lc_err_set(err, LC_EXIT_RUNTIME, "node %s: %s", t->nodes[i].name,
					   merr.msg);
				lc_err_release(&merr);
				free(log);
				return -1;
			}
			if (!res->boot_line)
				res->boot_line = find_line(log, ready);
			/*
			 * A node a snapshot restored runs on with a new log and no boot
			 * line: the proof the snapshot put back, after its log began, says it.
			 */
			char *pf = lc_asprintf("%s/labs/%s/%s.proof", o->state_dir, t->name.v,
					       t->nodes[i].name);
			struct stat ls, ps;
			if (!res->boot_line && res->action == LC_NODE_UNCHANGED &&
			    stat(log, &ls) == 0 && stat(pf, &ps) == 0 &&
			    (ls.st_mtim.tv_sec < ps.st_mtim.tv_sec ||
			     (ls.st_mtim.tv_sec == ps.st_mtim.tv_sec &&
			      ls.st_mtim.tv_nsec < ps.st_mtim.tv_nsec))) {
				char *p = lc_journal_last_proof(o->state_dir, t->name.v,
								t->nodes[i].name);
				if (p && strstr(p, ready))
					res->boot_line = p;
				else
					free(p);
			}
			free(pf);
			free(log);
			if (!res->boot_line) {
				pending++;
				continue;
			}
			/*
			 * a cloud-init node is ready when people can log in: sshd
			 * answers. A starved TCG guest (a Xen dom0 under load) takes
			 * seconds to fork sshd for a connection: a connection in
			 * flight is kept across passes, not given up after a timeout.
			 */
			if (res->addr[0] && lc_node_takes_seed(l->catalog, &t->nodes[i]) &&
			    !lc_ssh_probe_step(&probes[i], res->addr, 22, lc_now_s(),
					       SSH_RETRY_S)) {
				pending++;
				continue;
			}
			res->booted = true;
			res->boot_seconds = lc_now_s() - j->started_at[i];
			if (prove(o, l, i, res, err) < 0)
				return -1;
			if (j->uo->progress)
				j->uo->progress(j->uo->ctx, res, true);
		}
		if (pending)
			usleep(100 * 1000);
	} while (pending && lc_now_s() < deadline && !lc_interrupted());
	if (pending && lc_interrupted())
		return interrupted(err, "up --wait");
	struct lc_buf b = LC_BUF_INIT;
	if (pending) {
		for (size_t i = 0; i < t->n_nodes; i++) {
			const struct lc_node_result *res = &j->r->nodes[i];
			if (res->booted || res->action == LC_NODE_SKIPPED)
				continue;
			/* what each node still waits for */
			if (res->boot_line)
				lc_buf_addf(&b, "%s%s (ssh at %s)", b.len ? ", " : "",
					    t->nodes[i].name, res->addr);
			else
				lc_buf_addf(&b, "%s%s (console line %s)", b.len ? ", " : "",
					    t->nodes[i].name, ready_line(l, &t->nodes[i]));
		}
		lc_err_set(err, LC_EXIT_RUNTIME, "%zu node%s did not boot within %ds: %s", pending,
			   pending == 1 ? "" : "s", j->uo->wait_s, lc_buf_str(&b));
		lc_buf_reset(&b);
	}
	/* booted, but not what the topology asked for: the lab stays up to be looked at */
	add_proof_errors(&b, j->r);
	bool contradicted = b.len > 0;
	if (contradicted) {
		if (pending)
			lc_err_prefix(err, "%s; ", lc_buf_str(&b)); /* the timeout reads last */
		else
			lc_err_set(err, LC_EXIT_RUNTIME, "%s", lc_buf_str(&b));
	}
	lc_buf_release(&b);
	return pending || contradicted ? -1 : 0;
}

static int wait_boot(const struct lc_opts *o, const struct lc_loaded *l, struct up_job *j,
		     struct lc_err *err)
{
	/* every node's sshd asked at once, none waiting behind another's */
	size_t n = l->topo->n_nodes;
	struct lc_ssh_probe *probes = lc_calloc(n + 1, sizeof(*probes));
	for (size_t i = 0; i < n; i++)
		probes[i] = (struct lc_ssh_probe)LC_SSH_PROBE_INIT;
	int rc = wait_boot_probing(o, l, j, probes, err);
	for (size_t i = 0; i < n; i++)
		lc_ssh_probe_release(&probes[i]);
	free(probes);
	return rc;
}

/*
 * Refuse, before anything is made, a network libvirt would refuse to start
 * because its subnet is routed already (another network's bridge, a VPN):
 * by then the lab's other networks would exist. A network of the lab that
 * runs routes its own subnet and is left out. Only for a local daemon,
 * whose host's routes procfs shows.
 */
static int check_routes(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
			struct lc_err *err)
{
	if (!lc_uri_is_local(o->uri))
		return 0;
	struct lc_sysroot root = {o->sysfs, o->procfs, o->devfs};
	char *text = NULL;
	struct lc_err ignore = LC_ERR_INIT;
	int read = lc_procfs_read(&root, "net/route", &text, &ignore);
	lc_err_release(&ignore);
	if (read < 0)
		return 0; /* no routes to compare: libvirt still checks when it starts them */
	struct lc_route *routes;
	size_t nr = lc_routes_parse(text, &routes);
	free(text);
	struct lc_virt_obj *nets = NULL;
	size_t nn = 0;
	int rc = nr ? lc_virt_lab_networks(v, t->name.v, &nets, &nn, err) : 0;
	for (size_t i = 0; rc == 0 && i < t->n_networks; i++) {
		const struct lc_network *w = &t->networks[i];
		bool running = false;
		for (size_t k = 0; k < nn; k++)
			running |=
			    nets[k].active && nets[k].node && strcmp(nets[k].node, w->name.v) == 0;
		const struct lc_route *c =
		    w->subnet.v && !running ? lc_route_clash(routes, nr, w->subnet.v) : NULL;
		if (c)
			rc = lc_err_set(
			    err, LC_EXIT_RESOURCE,
			    "network %s: subnet %s is already routed through %s (another "
			    "libvirt network or a host interface has it): give the lab "
			    "another subnet",
			    w->name.v, w->subnet.v, c->iface);
	}
	lc_virt_objs_free(nets, nn);
	free(routes);
	return rc;
}

/*
 * Other labs' volumes, by ownership: those their domains use (from each
 * domain's metadata and disks) and those their journals list (a volume
 * made before its domain). "POOL/VOLUME", owned by the caller.
 */
static int others_volumes(const struct lc_opts *o, const struct lc_virt_obj *doms, size_t nd,
			  const char *lab, struct lc_strv *vols, struct lc_err *err)
{
	for (size_t i = 0; i < nd; i++)
		for (size_t k = 0; strcmp(doms[i].lab, lab) != 0 && k < doms[i].volumes.n; k++)
			lc_strv_push_unique(vols, doms[i].volumes.v[k]);
	struct lc_strv labs = LC_STRV_INIT;
	if (lc_journal_labs(o->state_dir, &labs, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		struct lc_journal jn;
		if (strcmp(labs.v[i], lab) == 0 ||
		    (rc = lc_journal_read(o->state_dir, labs.v[i], &jn, err)) < 0)
			continue;
		for (size_t k = 0; k < jn.volumes.n; k++)
			lc_strv_push_unique(vols, jn.volumes.v[k]);
		lc_journal_release(&jn);
	}
	lc_strv_release(&labs);
	return rc;
}

/*
 * Names are LAB-NODE, LAB-NET and LAB-NODE.qcow2, and "-" may appear in
 * both lab and node names: lab a with node b-c and lab a-b with node c
 * make the same names. Before anything is made, refuse a lab whose domain,
 * network or volume names are another lab's objects (by their ownership
 * metadata and journals), or a domain or network of that name that is not
 * labctl's at all: defining over it would take it over.
 */
static int check_names(const struct lc_opts *o, struct lc_virt *v, const struct lc_topology *t,
		       struct lc_err *err)
{
	struct lc_virt_obj *doms = NULL, *nets = NULL;
	size_t nd = 0, nn = 0;
	if (lc_virt_lab_domains(v, NULL, &doms, &nd, err) < 0)
		return -1;
	int rc = lc_virt_lab_networks(v, NULL, &nets, &nn, err);
	struct lc_strv theirs = LC_STRV_INIT;
	if (rc == 0)
		rc = others_volumes(o, doms, nd, t->name.v, &theirs, err);
	for (size_t i = 0; rc == 0 && i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		char *name = lc_domain_name(t, n);
		const struct lc_virt_obj *owner = NULL;
		for (size_t k = 0; k < nd && !owner; k++)
			if (strcmp(doms[k].name, name) == 0)
				owner = &doms[k];
		if (owner && strcmp(owner->lab, t->name.v) != 0)
			rc = lc_err_set(err, LC_EXIT_RESOURCE,
					"node %s: domain %s is lab %s's (node %s): the two labs' "
					"names collide; rename the node or the lab",
					n->name, name, owner->lab, owner->node ? owner->node : "?");
		else if (!owner && lc_virt_domain_exists(v, name))
			rc = lc_err_set(err, LC_EXIT_RESOURCE,
					"node %s: a domain %s exists and is not labctl's: rename "
					"the node or the lab, or remove that domain",
					n->name, name);
		free(name);
		for (size_t k = 0; rc == 0 && k < lc_render_n_volumes(n); k++) {
			char *vol = lc_render_volume_name(t, n, k);
			char *pv = lc_asprintf("%s/%s", t->storage_pool.v, vol);
			if (lc_strv_has(&theirs, pv))
				rc =
				    lc_err_set(err, LC_EXIT_RESOURCE,
					       "node %s: volume %s belongs to another lab: the two "
					       "labs' names collide; rename the node or the lab",
					       n->name, pv);
			free(pv);
			free(vol);
		}
	}
	for (size_t i = 0; rc == 0 && i < t->n_networks; i++) {
		char *name = lc_network_name(t, &t->networks[i]);
		for (size_t k = 0; rc == 0 && k < nn; k++)
			if (strcmp(nets[k].name, name) == 0 && strcmp(nets[k].lab, t->name.v) != 0)
				rc =
				    lc_err_set(err, LC_EXIT_RESOURCE,
					       "network %s: %s is lab %s's (network %s): the two "
					       "labs' names collide; rename the network or the lab",
					       t->networks[i].name.v, name, nets[k].lab,
					       nets[k].node ? nets[k].node : "?");
		free(name);
	}
	lc_strv_release(&theirs);
	lc_virt_objs_free(doms, nd);
	lc_virt_objs_free(nets, nn);
	return rc;
}

/* "1.5 GiB", "300 MiB": sizes in messages. */
static char *human(unsigned long long kib)
{
	if (kib >= 1024ull * 1024)
		return lc_asprintf("%.1f GiB", (double)kib / (1024.0 * 1024));
	return lc_asprintf("%llu MiB", kib / 1024);
}

/* MemTotal + SwapTotal in KiB from procfs' meminfo; 0 when it cannot be read. */
static unsigned long long procfs_memory(const struct lc_opts *o)
{
	struct lc_sysroot root = {o->sysfs, o->procfs, o->devfs};
	char *text = NULL;
	struct lc_err ignore = LC_ERR_INIT;
	unsigned long long total = 0;
	if (lc_procfs_read(&root, "meminfo", &text, &ignore) == 0) {
		static const char *const keys[] = {"MemTotal:", "SwapTotal:"};
		for (size_t i = 0; i < LC_ARRAY_SIZE(keys); i++) {
			const char *p = strstr(text, keys[i]);
			if (p)
				total += strtoull(p + strlen(keys[i]), NULL, 10);
		}
	}
	lc_err_release(&ignore);
	free(text);
	return total;
}

/*
 * Before anything is leased or made: the memory of every node up would
 * start (those not running yet) must fit in the host's memory and swap at
 * all, or up would fail at node 10 of 2,000 with the first nine made.
 * Guests touch their memory lazily, so more than is free is allowed; more
 * than the host has can never run.
 */
static int check_memory(const struct lc_opts *o, const struct lc_hosts *hs, size_t h,
			const struct lc_topology *t, const struct lc_up_opts *uo,
			struct lc_err *err)
{
	struct lc_virt *v = hs->v[h].v;
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v, t->name.v, &doms, &nd, err) < 0)
		return -1;
	unsigned long long need = 0;
	size_t n = 0;
	for (size_t i = 0; i < t->n_nodes; i++) {
		bool running = false;
		for (size_t k = 0; k < nd && !running; k++)
			running = doms[k].active && doms[k].node &&
				  strcmp(doms[k].node, t->nodes[i].name) == 0;
		if (!running && lc_hosts_of_node(hs, i) == &hs->v[h] &&
		    lc_node_picked(t->nodes[i].name, uo->only, uo->n_only)) {
			need += t->nodes[i].memory_kib.v;
			n++;
		}
	}
	lc_virt_objs_free(doms, nd);
	if (!n)
		return 0;
	unsigned long long have =
	    !hs->v[h].remote && lc_uri_is_local(hs->v[h].uri) ? procfs_memory(o) : 0;
	const char *what = "memory and swap";
	if (!have) {
		what = "memory";
		if (lc_virt_node_memory(v, &have, err) < 0)
			return -1;
	}
	if (need <= have)
		return 0;
	char *hn = human(need), *hh = human(have);
	lc_err_set(err, LC_EXIT_RESOURCE,
		   "lab %s: the %zu node%s to start need %s of memory in all; the host%s%s has %s "
		   "(%s): give the nodes less memory or make fewer of them",
		   t->name.v, n, n == 1 ? "" : "s", hn, h ? " " : "",
		   h ? lc_host_label(&hs->v[h]) : "", hh, what);
	free(hn);
	free(hh);
	return -1;
}

/* What a new qcow2 volume takes at least before its guest writes: header and tables. */
#define VOLUME_MIN_BYTES (1ull << 20)

/* The pool must have room for the lab's new volumes to be made at all. */
static int check_pool_space(const struct lc_hosts *hs, size_t h, const struct lc_topology *t,
			    const struct lc_plan *plan, struct lc_err *err)
{
	struct lc_virt *v = hs->v[h].v;
	struct lc_strv names = LC_STRV_INIT;
	if (lc_virt_pool_volumes(v, t->storage_pool.v, &names, err) < 0)
		return -1;
	size_t fresh = 0;
	for (size_t i = 0; i < plan->n; i++)
		fresh += plan->v[i].type == LC_OBJ_VOLUME &&
			 lc_hosts_of_node(hs, (size_t)(plan->v[i].node - t->nodes)) == &hs->v[h] &&
			 !lc_strv_has(&names, plan->v[i].name);
	lc_strv_release(&names);
	unsigned long long avail;
	bool found;
	if (!fresh || lc_virt_pool_available(v, t->storage_pool.v, &avail, &found, err) < 0)
		return fresh ? -1 : 0;
	if (!found || avail >= fresh * VOLUME_MIN_BYTES)
		return 0;
	char *hn = human(fresh * VOLUME_MIN_BYTES / 1024), *ha = human(avail / 1024);
	lc_err_set(err, LC_EXIT_RESOURCE,
		   "storage pool %s: the lab's %zu new volume%s need at least %s; %s available",
		   t->storage_pool.v, fresh, fresh == 1 ? "" : "s", hn, ha);
	free(hn);
	free(ha);
	return -1;
}

/*
 * The domains of the lab's nodes, each from the host the node is placed on
 * (one left on another host by an earlier placement is not the node's).
 */
static int nodes_domains(const struct lc_hosts *hs, const struct lc_topology *t,
			 struct lc_virt_obj **out, size_t *n, struct lc_err *err)
{
	*out = NULL;
	*n = 0;
	for (size_t h = 0; h < hs->n; h++) {
		struct lc_virt_obj *doms;
		size_t nd;
		if (lc_virt_lab_domains(hs->v[h].v, t->name.v, &doms, &nd, err) < 0) {
			lc_virt_objs_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -1;
		}
		*out = lc_realloc(*out, (*n + nd + 1) * sizeof(**out));
		/* the node's own are moved out; what stays in doms is freed with it */
		size_t left = 0;
		for (size_t k = 0; k < nd; k++) {
			const struct lc_node *node =
			    doms[k].node ? lc_topology_node(t, doms[k].node) : NULL;
			if (node && lc_hosts_of_node(hs, (size_t)(node - t->nodes)) == &hs->v[h])
				(*out)[(*n)++] = doms[k];
			else
				doms[left++] = doms[k];
		}
		lc_virt_objs_free(doms, left);
	}
	return 0;
}

/* Whether network LAB-NET is made on host h: a node there uses it, or none anywhere does and h is
 * -c's. */
static bool network_on_host(const struct lc_topology *t, const struct lc_hosts *hs, size_t h,
			    const char *lab_net)
{
	bool anywhere = false, here = false;
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].networks.n; k++) {
			const struct lc_network *w =
			    lc_topology_network(t, t->nodes[i].networks.v[k].v);
			char *name = w ? lc_network_name(t, w) : NULL;
			bool uses = name && strcmp(name, lab_net) == 0;
			free(name);
			anywhere |= uses;
			here |= uses && lc_hosts_of_node(hs, i) == &hs->v[h];
		}
	return here || (!anywhere && h == 0);
}

/* What this run leased, given back after a failure before anything used it. */
static void give_back(const struct lc_opts *o, const struct lc_topology *t,
		      const struct lc_hosts *hs, struct lc_vf_taken *taken)
{
	for (size_t h = 0; h < hs->n; h++) {
		struct lc_err ignore = LC_ERR_INIT;
		if (lc_host_give_back(o, t->name.v, &taken[h], &ignore) < 0)
			lc_err_release(&ignore);
		lc_vf_taken_release(&taken[h]);
	}
}

/*
 * Plan and lease every node's VFs and pci devices on the host the node is
 * placed on, from that host's inventory and against its leases (the state
 * dir's, or the host's own: lc_leases_on_host). taken[h]: what this run
 * leased on host h; on a failure what was taken is given back.
 */
static int plan_devices(const struct lc_opts *o, const struct lc_hosts *hs,
			const struct lc_topology *t, struct lc_vf_plan *devs,
			struct lc_vf_taken *taken, struct lc_err *err)
{
	memset(devs, 0, sizeof(*devs));
	devs->n = t->n_nodes;
	devs->nodes = lc_calloc(t->n_nodes + 1, sizeof(*devs->nodes));
	bool *mine = lc_calloc(t->n_nodes + 1, sizeof(bool));
	int rc = 0;
	for (size_t h = 0; rc == 0 && h < hs->n; h++) {
		for (size_t i = 0; i < t->n_nodes; i++)
			mine[i] = lc_hosts_of_node(hs, i) == &hs->v[h];
		struct lc_vf_plan ph;
		rc = lc_host_plan_take(o, hs->v[h].v, t, mine, &ph, &taken[h], err);
		if (rc < 0) {
			if (h)
				lc_err_prefix(err, "host %s: ", lc_host_label(&hs->v[h]));
			break;
		}
		for (size_t i = 0; i < t->n_nodes; i++)
			if (mine[i]) {
				devs->nodes[i] = ph.nodes[i];
				memset(&ph.nodes[i], 0, sizeof(ph.nodes[i]));
			}
		lc_vf_plan_release(&ph);
	}
	free(mine);
	if (rc < 0) {
		give_back(o, t, hs, taken);
		lc_vf_plan_release(devs);
	}
	return rc;
}

static int up_lab(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
		  struct lc_hosts *hs, const struct lc_up_opts *uo, struct lc_up_report *r,
		  struct lc_err *err)
{
	double t0 = lc_now_s();
	const struct lc_topology *t = l->topo;
	r->n_nodes = t->n_nodes;
	r->nodes = lc_calloc(t->n_nodes + 1, sizeof(*r->nodes));
	for (size_t i = 0; i < t->n_nodes; i++) {
		r->nodes[i].node = t->nodes[i].name;
		r->nodes[i].domain = lc_domain_name(t, &t->nodes[i]);
		if (!lc_node_picked(t->nodes[i].name, uo->only, uo->n_only))
			r->nodes[i].action = LC_NODE_SKIPPED;
	}
	/* a --node that picks nothing is a typo, not an empty up */
	for (size_t k = 0; k < uo->n_only; k++) {
		bool any = false;
		for (size_t i = 0; i < t->n_nodes && !any; i++)
			any = lc_node_picked(t->nodes[i].name, &uo->only[k], 1);
		if (!any)
			return lc_err_set(err, LC_EXIT_USAGE,
					  "--node '%s' matches no node of lab %s", uo->only[k],
					  t->name.v);
	}
	struct lc_vf_plan devs;
	/* each host's facts from its own capabilities */
	if (lc_hosts_probe(o, hs, err) < 0)
		return -1;
	const struct lc_host_facts *facts = &hs->v[0].facts;
	r->why_not_kvm = facts->why_not_kvm;
	/* what each node is rendered with, not what accel: auto would pick */
	size_t n_kvm = 0;
	const struct lc_node *refused = NULL;
	const struct lc_host_facts *refused_on = NULL;
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		const struct lc_lab_host *h = lc_hosts_of_node(hs, i);
		struct lc_render_ctx rctx = {.t = t, .facts = &h->facts};
		bool kvm = strcmp(lc_render_domain_type(&rctx, n), "kvm") == 0;
		r->nodes[i].accel = kvm ? "kvm" : "tcg";
		n_kvm += kvm;
		if (kvm && !h->facts.kvm && !uo->force && !refused) {
			refused = n;
			refused_on = &h->facts;
		}
	}
	r->accel = n_kvm == t->n_nodes ? "kvm" : n_kvm ? "kvm+tcg" : "tcg";
	if (refused)
		return lc_err_set(err, LC_EXIT_RESOURCE,
				  "node %s: accel: kvm, but this host cannot run guests under KVM "
				  "(%s): use accel: auto or tcg, or --force",
				  refused->name,
				  refused_on->why_not_kvm ? refused_on->why_not_kvm : "no KVM");
	if (check_routes(o, v, t, err) < 0)
		return -1;
	for (size_t h = 0; h < hs->n; h++)
		if (check_names(o, hs->v[h].v, t, err) < 0 ||
		    check_memory(o, hs, h, t, uo, err) < 0)
			return -1;
	/* images and leases before anything is defined: a failure there leaves nothing */
	if (cache_images(o, l, err) < 0)
		return -1;
	/* remote hosts get the images from the cache: shared, like the cache, not the lab's */
	int prc = lc_hosts_prepare(o, hs, l, uo->uploads, err);
	r->n_uploaded = hs->n_uploaded;
	if (prc < 0)
		return -1;
	if (lc_interrupted())
		return interrupted(err, "up");
	/* leases kept on a host live in its pool (a remote host's was made with its images) */
	for (size_t h = 0; h < hs->n; h++)
		if (!hs->v[h].remote && lc_leases_on_host(o, hs->v[h].uri) &&
		    ensure_pool(o, hs->v[h].v, t->storage_pool.v, err) < 0)
			return -1;
	/*
	 * Leases first, then the journal: nothing is written to the state dir
	 * for a lab whose devices could not be had. What this run leased goes
	 * back on any failure before the first node is made, so a topology that
	 * fails to render or a network that cannot be set up holds nothing.
	 */
	/* a lab new to this state dir leaves nothing in it when it fails before its first node */
	char *state = lc_journal_dir(o->state_dir, t->name.v);
	bool had_state = lc_file_exists(state);
	free(state);
	struct lc_vf_taken *taken = lc_calloc(hs->n + 1, sizeof(*taken));
	int rc = plan_devices(o, hs, t, &devs, taken, err);
	for (size_t i = 0; rc == 0 && i < devs.n; i++)
		r->n_groups += devs.nodes[i].n_groups;
	/* the lab's key before the plan: the seeds carry it */
	if (rc == 0)
		rc = lc_lab_key_ensure(o->state_dir, t, err);
	struct lc_node_host *per_node = lc_hosts_node_hosts(hs);
	if (rc == 0)
		rc = lc_plan_build_hosts(o, l, facts, per_node, &devs, time(NULL), &r->plan, err);
	free(per_node);
	lc_vf_plan_release(&devs);
	lc_virt_domcaps_stats(v, &r->caps_reads, &r->caps_seconds);
	/* a need is never dropped: refused here, before anything is defined */
	if (rc == 0)
		rc = lc_plan_check_needs(&r->plan, err);
	/* a remote host's pool was made with its images */
	for (size_t h = 0; rc == 0 && h < hs->n; h++)
		if (!hs->v[h].remote)
			rc = ensure_pool(o, hs->v[h].v, t->storage_pool.v, err);
	for (size_t h = 0; rc == 0 && h < hs->n; h++)
		rc = check_pool_space(hs, h, t, &r->plan, err);
	if (rc == 0 && r->plan.addrs.n)
		rc = lc_lab_ssh_config(o->state_dir, t, &r->plan.addrs, err);
	for (size_t i = 0; rc == 0 && i < t->n_nodes; i++)
		for (size_t k = 0; k < r->plan.addrs.n && !r->nodes[i].addr[0]; k++)
			if (r->plan.addrs.v[k].node == &t->nodes[i])
				memcpy(r->nodes[i].addr, r->plan.addrs.v[k].ip, 16);
	/* networks are found by their metadata: the journal is for what comes after them */
	size_t cap_nets = 0;
	for (size_t i = 0; rc == 0 && i < r->plan.n; i++) {
		const struct lc_planned *p = &r->plan.v[i];
		enum lc_net_action act;
		if (p->type != LC_OBJ_NETWORK)
			continue;
		/* on each host that has a node on it; one no node uses, on -c's */
		for (size_t h = 0; rc == 0 && h < hs->n; h++) {
			if (!network_on_host(t, hs, h, p->name))
				continue;
			rc = lc_virt_network_ensure(hs->v[h].v, p->name, p->xml, t->name.v,
						    p->rendered_sha256, uo->force, &act, err);
			if (rc < 0 && h)
				lc_err_prefix(err, "host %s: ", lc_host_label(&hs->v[h]));
			r->n_networks_changed +=
			    rc == 0 && act != LC_NET_UNCHANGED && act != LC_NET_CHANGED;
			if (rc == 0 && (act == LC_NET_CHANGED || act == LC_NET_REDEFINED)) {
				LC_GROW(r->networks, cap_nets, r->n_networks + 1);
				r->networks[r->n_networks++] =
				    (struct lc_network_result){p->name, act};
			}
		}
	}
	if (rc == 0)
		rc = write_journal(o, t, hs, err);
	struct up_job j = {.o = o, .uo = uo, .t = t, .r = r, .hs = hs};
	if (rc == 0)
		rc = nodes_domains(hs, t, (struct lc_virt_obj **)&j.existing, &j.n_existing, err);
	if (rc == 0 && lc_interrupted())
		rc = interrupted(err, "up");
	if (rc < 0) {
		lc_virt_objs_free((struct lc_virt_obj *)j.existing, j.n_existing);
		give_back(o, t, hs, taken);
		free(taken);
		r->n_groups = 0;
		struct lc_err ignore = LC_ERR_INIT;
		if (!had_state && lc_journal_remove(o->state_dir, t->name.v, &ignore) < 0)
			lc_err_release(&ignore);
		return -1;
	}
	for (size_t h = 0; h < hs->n; h++)
		lc_vf_taken_release(&taken[h]);
	free(taken);
	j.started_at = lc_calloc(t->n_nodes + 1, sizeof(double));
	j.resume = lc_calloc(t->n_nodes + 1, sizeof(bool));
	pthread_mutex_init(&j.mu, NULL);
	rc = run_nodes(&j, err);
	struct lc_err rerr = LC_ERR_INIT;
	if (resume_nodes(&j, rc == 0 ? err : &rerr) < 0)
		rc = -1;
	lc_err_release(&rerr);
	r->n_volumes_created = j.volumes_created;
	if (rc == 0 && uo->wait_s >= 0)
		rc = wait_boot(o, l, &j, err);
	pthread_mutex_destroy(&j.mu);
	lc_virt_objs_free((struct lc_virt_obj *)j.existing, j.n_existing);
	free(j.started_at);
	free(j.resume);
	r->seconds = lc_now_s() - t0;
	return rc;
}

int lc_lab_up(const struct lc_opts *o, struct lc_virt *v, const struct lc_loaded *l,
	      const struct lc_up_opts *uo, struct lc_up_report *r, struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	struct lc_hosts hs;
	if (lc_hosts_open(o, v, l->topo, &hs, err) < 0)
		return -1;
	int rc = up_lab(o, v, l, &hs, uo, r, err);
	lc_hosts_release(&hs);
	bool node_failed = false;
	for (size_t i = 0; i < r->n_nodes; i++)
		node_failed |= r->nodes[i].action == LC_NODE_FAILED ||
			       (uo->wait_s >= 0 && r->nodes[i].action != LC_NODE_PENDING &&
				r->nodes[i].action != LC_NODE_SKIPPED && !r->nodes[i].booted);
	/* all or nothing: a node that failed (or did not boot) takes the lab down */
	if (rc < 0 && uo->rollback && node_failed && r->plan.n && !lc_interrupted()) {
		struct lc_err derr = LC_ERR_INIT;
		if (lc_lab_down(o, v, l->topo->name.v, &r->rollback, &derr) < 0)
			lc_err_prefix(err, "rollback failed (%s); ", derr.msg);
		else
			r->rolled_back = true;
		lc_err_release(&derr);
	}
	return rc;
}

void lc_up_report_release(struct lc_up_report *r)
{
	lc_plan_release(&r->plan);
	free(r->networks);
	for (size_t i = 0; i < r->n_nodes; i++) {
		free(r->nodes[i].domain);
		free(r->nodes[i].error);
		free(r->nodes[i].boot_line);
		free(r->nodes[i].l2);
		free(r->nodes[i].hv);
		free(r->nodes[i].proof_error);
	}
	free(r->nodes);
	memset(r, 0, sizeof(*r));
}

/* ---- down ---- */

/* name is LAB-SOMETHING.qcow2, the shape of the lab's volume names. */
static bool lab_volume_name(const char *lab, const char *name)
{
	size_t ll = strlen(lab), nl = strlen(name);
	/* LAB@...: the overlays snapshots make (lab-snapshot.h) */
	if (nl <= ll + 1 || strncmp(name, lab, ll) != 0 || (name[ll] != '-' && name[ll] != '@'))
		return false;
	/* overlays and extra disks, and cloud-init seeds */
	static const char *const ends[] = {".qcow2", "-seed.iso"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(ends); i++) {
		size_t sl = strlen(ends[i]);
		if (nl > ll + 1 + sl && strcmp(name + nl - sl, ends[i]) == 0)
			return true;
	}
	return false;
}

/*
 * The other labs labctl knows of here (domains, networks, journals) whose
 * names start with "LAB-": their volumes look like LAB's (lab x, node a-b
 * and lab x-a, node b both make x-a-b.qcow2), so a volume that fits one of
 * them is left to it.
 */
static int longer_labs(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		       struct lc_strv *out, struct lc_err *err)
{
	lc_strv_init(out);
	struct lc_strv names = LC_STRV_INIT;
	struct lc_virt_obj *objs;
	size_t no;
	for (int pass = 0; pass < 2; pass++) {
		if ((pass ? lc_virt_lab_networks : lc_virt_lab_domains)(v, NULL, &objs, &no, err) <
		    0) {
			lc_strv_release(&names);
			return -1;
		}
		for (size_t i = 0; i < no; i++)
			lc_strv_push(&names, objs[i].lab);
		lc_virt_objs_free(objs, no);
	}
	struct lc_strv jl;
	if (lc_journal_labs(o->state_dir, &jl, err) < 0) {
		lc_strv_release(&names);
		return -1;
	}
	for (size_t i = 0; i < jl.n; i++)
		lc_strv_push(&names, jl.v[i]);
	lc_strv_release(&jl);
	size_t ll = strlen(lab);
	for (size_t i = 0; i < names.n; i++) {
		const char *x = names.v[i];
		if (strlen(x) > ll + 1 && strncmp(x, lab, ll) == 0 && x[ll] == '-')
			lc_strv_push_unique(out, x);
	}
	lc_strv_release(&names);
	return 0;
}

/*
 * Volumes of the lab that nothing else names: left by an up that failed
 * after creating a node's volumes and before defining its domain, with the
 * journal lost too. Looked for in the default pool and every pool the
 * domains and the journal name.
 */
static int orphan_volumes(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			  struct lc_strv *vols, struct lc_err *err)
{
	struct lc_strv pools = LC_STRV_INIT, cand = LC_STRV_INIT;
	lc_strv_push(&pools, LC_DEFAULT_STORAGE_POOL);
	for (size_t i = 0; i < vols->n; i++) {
		const char *slash = strchr(vols->v[i], '/');
		if (!slash)
			continue;
		char *pool = lc_strndup(vols->v[i], (size_t)(slash - vols->v[i]));
		lc_strv_push_unique(&pools, pool);
		free(pool);
	}
	int rc = 0;
	for (size_t p = 0; rc == 0 && p < pools.n; p++) {
		struct lc_strv names;
		if ((rc = lc_virt_pool_volumes(v, pools.v[p], &names, err)) < 0)
			break;
		for (size_t i = 0; i < names.n; i++) {
			char *pv = lc_asprintf("%s/%s", pools.v[p], names.v[i]);
			if (lab_volume_name(lab, names.v[i]) && !lc_strv_has(vols, pv))
				lc_strv_push_unique(&cand, pv);
			free(pv);
		}
		lc_strv_release(&names);
	}
	/* only a candidate makes it worth listing every lab the connection knows */
	struct lc_strv longer = LC_STRV_INIT, owned = LC_STRV_INIT;
	if (rc == 0 && cand.n)
		rc = longer_labs(o, v, lab, &longer, err);
	/* a volume another lab's domain uses or journal lists is that lab's, whatever its name */
	struct lc_virt_obj *doms = NULL;
	size_t nd = 0;
	if (rc == 0 && cand.n && (rc = lc_virt_lab_domains(v, NULL, &doms, &nd, err)) == 0)
		rc = others_volumes(o, doms, nd, lab, &owned, err);
	lc_virt_objs_free(doms, nd);
	for (size_t i = 0; rc == 0 && i < cand.n; i++) {
		const char *name = strchr(cand.v[i], '/') + 1;
		bool theirs = lc_strv_has(&owned, cand.v[i]);
		for (size_t k = 0; k < longer.n && !theirs; k++)
			theirs = lab_volume_name(longer.v[k], name);
		if (!theirs)
			lc_strv_push_unique(vols, cand.v[i]);
	}
	lc_strv_release(&owned);
	lc_strv_release(&longer);
	lc_strv_release(&cand);
	lc_strv_release(&pools);
	return rc;
}

/* Delete "POOL/VOLUME" volumes (each string is cut at its slash). */
static int delete_volumes(struct lc_virt *v, struct lc_strv *vols, struct lc_down_report *r,
			  struct lc_err *err)
{
	for (size_t i = 0; i < vols->n; i++) {
		char *slash = strchr(vols->v[i], '/');
		bool deleted;
		if (!slash)
			continue;
		*slash = '\0';
		if (lc_virt_volume_delete(v, vols->v[i], slash + 1, &deleted, err) < 0)
			return -1;
		r->n_volumes += deleted;
	}
	return 0;
}

/* Domains are stopped at once up to this many. */
#define DOWN_WORKERS 16

static int remove_item(void *ctx, struct lc_virt *v, size_t i, struct lc_err *err)
{
	const struct lc_virt_obj *objs = ctx;
	return lc_virt_remove_domain(v, objs[i].name, err);
}

int lc_lab_down(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		struct lc_down_report *r, struct lc_err *err)
{
	return lc_lab_down_nodes(o, v, lab, NULL, 0, r, err);
}

/*
 * The lab's domains, networks and volumes on one of its hosts (uri: the
 * workers'); with pats, only the picked nodes' domains and volumes.
 */
static int down_host(const struct lc_opts *o, struct lc_virt *v, const char *uri, const char *lab,
		     const struct lc_strv *journal_vols, const char *const *pats, size_t n_pats,
		     struct lc_down_report *r, struct lc_err *err)
{
	struct lc_strv vols = LC_STRV_INIT;
	for (size_t i = 0; i < journal_vols->n && !n_pats; i++)
		lc_strv_push_unique(&vols, journal_vols->v[i]);
	struct lc_virt_obj *objs;
	size_t n;
	int rc = lc_virt_lab_domains(v, lab, &objs, &n, err);
	size_t n_all = n;
	if (rc == 0 && n_pats) {
		/* the picked nodes' domains first; only they are removed */
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (objs[i].node && lc_node_picked(objs[i].node, pats, n_pats)) {
				struct lc_virt_obj tmp = objs[k];
				objs[k++] = objs[i];
				objs[i] = tmp;
			}
		}
		n = k;
	}
	if (rc == 0) {
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < objs[i].volumes.n; k++)
				lc_strv_push_unique(&vols, objs[i].volumes.v[k]);
		/* stopping QEMU takes libvirt a second or so: stop them all at once */
		struct lc_workpool p = {.uri = uri, .n = n, .fn = remove_item, .ctx = objs};
		size_t bad = lc_workpool_run(&p, DOWN_WORKERS);
		for (size_t i = 0; i < p.next && i < n; i++)
			r->n_domains += !p.errors[i];
		if (bad < n)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "domain %s: %s", objs[bad].name,
					p.errors[bad]);
		else if (lc_workpool_cut_short(&p))
			rc = interrupted(err, "down");
		lc_workpool_release(&p);
		lc_virt_objs_free(objs, n_all);
	}
	if (rc == 0 && lc_interrupted())
		rc = interrupted(err, "down");
	if (n_pats) {
		/* only the picked nodes' own volumes: the lab itself stays */
		if (rc == 0)
			rc = delete_volumes(v, &vols, r, err);
		lc_strv_release(&vols);
		return rc;
	}
	if (rc == 0 && (rc = lc_virt_lab_networks(v, lab, &objs, &n, err)) == 0) {
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = lc_virt_remove_network(v, objs[i].name, err);
			r->n_networks += rc == 0;
		}
		lc_virt_objs_free(objs, n);
	}
	/* volumes once no domain uses them */
	if (rc == 0)
		rc = orphan_volumes(o, v, lab, &vols, err);
	if (rc == 0)
		rc = delete_volumes(v, &vols, r, err);
	lc_strv_release(&vols);
	return rc;
}

static void journal_pools(const struct lc_journal *jn, struct lc_strv *pools)
{
	for (size_t i = 0; i < jn->volumes.n; i++) {
		const char *slash = strchr(jn->volumes.v[i], '/');
		if (slash) {
			char *pool =
			    lc_strndup(jn->volumes.v[i], (size_t)(slash - jn->volumes.v[i]));
			lc_strv_push_unique(pools, pool);
			free(pool);
		}
	}
	lc_strv_push_unique(pools, LC_DEFAULT_STORAGE_POOL);
}

/*
 * The lab's leases kept on a host: in its storage pool there, which the
 * journal's volumes name, or the default pool.
 */
static int drop_host_leases(struct lc_virt *v, const char *lab, const struct lc_journal *jn,
			    size_t *n_leases, struct lc_err *err)
{
	struct lc_strv pools = LC_STRV_INIT;
	journal_pools(jn, &pools);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < pools.n; i++) {
		size_t dropped = 0;
		rc = lc_remote_leases_drop_lab(v, pools.v[i], lab, &dropped, err);
		*n_leases += dropped;
	}
	lc_strv_release(&pools);
	return rc;
}

int lc_lab_down_nodes(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		      const char *const *pats, size_t n_pats, struct lc_down_report *r,
		      struct lc_err *err)
{
	memset(r, 0, sizeof(*r));
	double t0 = lc_now_s();
	/* every host the lab's journal names, each through its own connection */
	struct lc_hosts hs;
	if (lc_hosts_of_lab(o, v, lab, &hs, err) < 0)
		return -1;
	struct lc_journal jn;
	int rc = lc_journal_read(o->state_dir, lab, &jn, err);
	/* the picked nodes' snapshot overlays go too; refused, before anything, while snapshots
	 * hold them */
	struct lc_strv snap_vols = LC_STRV_INIT;
	if (rc == 0 && n_pats)
		rc = lc_snapshot_forget_nodes(o, lab, pats, n_pats, &snap_vols, err);
	for (size_t h = 0; rc == 0 && h < hs.n; h++) {
		rc = down_host(o, hs.v[h].v, h ? hs.v[h].uri : o->uri, lab, &jn.volumes, pats,
			       n_pats, r, err);
		if (rc < 0 && h)
			lc_err_prefix(err, "host %s: ", lc_host_label(&hs.v[h]));
	}
	if (rc == 0)
		rc = delete_volumes(v, &snap_vols, r, err);
	lc_strv_release(&snap_vols);
	/* leases kept on a host go once the lab's domains there are gone */
	for (size_t h = 0; rc == 0 && !n_pats && h < hs.n; h++)
		if (lc_leases_on_host(o, h ? hs.v[h].uri : o->uri) &&
		    (rc = drop_host_leases(hs.v[h].v, lab, &jn, &r->n_leases, err)) < 0 && h)
			lc_err_prefix(err, "host %s: ", lc_host_label(&hs.v[h]));
	lc_journal_release(&jn);
	lc_hosts_release(&hs);
	if (n_pats || rc < 0) {
		r->seconds = lc_now_s() - t0;
		return rc;
	}
	/* leases last: a VF is free again only once no domain of the lab holds it */
	int lock = -1;
	if (rc == 0 && (rc = lc_leases_lock(o->state_dir, &lock, err)) == 0) {
		size_t dropped = 0;
		rc = lc_leases_drop_lab(o->state_dir, lab, &dropped, err);
		r->n_leases += dropped;
		lc_leases_unlock(lock);
	}
	if (rc == 0)
		rc = lc_snapshot_remove_lab(o, lab, err);
	if (rc == 0)
		rc = lc_journal_remove(o->state_dir, lab, err);
	r->seconds = lc_now_s() - t0;
	return rc;
}

/* ---- gc ---- */

/*
 * Under the lease lock. A lease is stale when its lab has no domain left,
 * the run that wrote it is gone, and it was taken through this connection
 * (another's domains are not listed here): up takes its leases long before it defines
 * domains, and a lease of a live run is kept whatever the domains say. The
 * domains are listed here, under the lock, not before it: an up that took
 * its leases and defined its domains since gc began must count. The journal
 * is not asked: it outlives a failed up whose VFs nothing holds, and down
 * removes it. A damaged lease goes once nobody can still be writing it.
 */
static int drop_stale_leases(const struct lc_opts *o, struct lc_virt *v, time_t now,
			     struct lc_gc_report *r, struct lc_err *err)
{
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v, NULL, &doms, &nd, err) < 0)
		return -1;
	struct lc_leases ls;
	int rc = lc_leases_read(o->state_dir, &ls, err);
	for (size_t i = 0; rc == 0 && i < ls.n; i++) {
		const struct lc_lease *l = &ls.v[i];
		bool keep;
		if (!l->lab) {
			keep = !lc_lease_damaged_stale(l, now);
		} else {
			/* taken through another connection: these domains say nothing of it */
			keep = lc_lease_writer_alive(l) ||
			       (l->uri && o->uri && strcmp(l->uri, o->uri) != 0);
			for (size_t k = 0; k < nd && !keep; k++)
				keep = strcmp(doms[k].lab, l->lab) == 0;
		}
		if (!keep && (rc = lc_lease_drop(o->state_dir, l->group, err)) == 0)
			r->n_stale_leases++;
	}
	lc_leases_release(&ls);
	lc_virt_objs_free(doms, nd);
	return rc == 0 ? lc_leases_sweep_tmp(o->state_dir, NULL, err) : rc;
}

/* How long a journal with nothing behind it is left to the up that may be writing it. */
#define JOURNAL_GRACE_S 60

/* Some volume the journal lists exists in its pool. */
static int journal_volumes_exist(struct lc_virt *v, const struct lc_journal *jn, bool *any,
				 struct lc_err *err)
{
	*any = false;
	for (size_t i = 0; i < jn->volumes.n && !*any; i++) {
		const char *slash = strchr(jn->volumes.v[i], '/');
		if (!slash)
			continue;
		char *pool = lc_strndup(jn->volumes.v[i], (size_t)(slash - jn->volumes.v[i]));
		struct lc_strv names = LC_STRV_INIT;
		int rc = lc_virt_pool_volumes(v, pool, &names, err);
		free(pool);
		if (rc < 0)
			return -1;
		*any = lc_strv_has(&names, slash + 1);
		lc_strv_release(&names);
	}
	return 0;
}

/*
 * Under the lease lock: remove the journal of a lab that has no domain,
 * network, volume or lease (an up that failed before it made anything, or
 * whose objects were removed by hand), so that status does not list it
 * forever. A journal younger than JOURNAL_GRACE_S is left to the up that
 * wrote it: it is written before the lab's first object exists.
 */
static int drop_empty_journals(const struct lc_opts *o, struct lc_virt *v, time_t now,
			       struct lc_gc_report *r, struct lc_err *err)
{
	struct lc_strv labs = LC_STRV_INIT;
	if (lc_journal_labs(o->state_dir, &labs, err) < 0)
		return -1;
	struct lc_leases ls;
	if (lc_leases_read(o->state_dir, &ls, err) < 0) {
		lc_strv_release(&labs);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		const char *lab = labs.v[i];
		bool keep = false;
		for (size_t k = 0; k < ls.n && !keep; k++)
			keep = ls.v[k].lab && strcmp(ls.v[k].lab, lab) == 0;
		char *dir = lc_journal_dir(o->state_dir, lab);
		char *path = lc_asprintf("%s/journal", dir);
		struct stat st;
		keep |= stat(path, &st) == 0 && st.st_mtime + JOURNAL_GRACE_S > now;
		free(path);
		free(dir);
		struct lc_virt_obj *objs;
		size_t n;
		for (int pass = 0; rc == 0 && pass < 2 && !keep; pass++) {
			rc = (pass ? lc_virt_lab_networks : lc_virt_lab_domains)(v, lab, &objs, &n,
										 err);
			if (rc == 0) {
				keep = n > 0;
				lc_virt_objs_free(objs, n);
			}
		}
		struct lc_journal jn;
		if (rc == 0 && !keep && (rc = lc_journal_read(o->state_dir, lab, &jn, err)) == 0) {
			rc = journal_volumes_exist(v, &jn, &keep, err);
			/* what is on another host is not seen from here: down LAB removes it */
			for (size_t k = 0; k < jn.hosts.n && !keep; k++) {
				const char *sp = strchr(jn.hosts.v[k], ' ');
				keep = sp && strcmp(sp + 1, lc_virt_uri(v)) != 0 &&
				       (!o->uri || strcmp(sp + 1, o->uri) != 0);
			}
			lc_journal_release(&jn);
		}
		if (rc == 0 && !keep && (rc = lc_journal_remove(o->state_dir, lab, err)) == 0)
			lc_strv_push(&r->journals, lab);
	}
	lc_leases_release(&ls);
	lc_strv_release(&labs);
	return rc;
}

/*
 * Leases kept on host v, in pool, whose run is gone: taken from this
 * machine by a process that no longer runs (another machine's are its
 * own to judge), for a lab with no domain on that host. A lease without a
 * holder's name may be a run taking it: left alone.
 */
static int drop_stale_host_leases(struct lc_virt *v, const char *pool, struct lc_gc_report *r,
				  struct lc_err *err)
{
	struct lc_remote_lease *ls;
	size_t n;
	if (lc_remote_leases_read(v, pool, &ls, &n, err) < 0)
		return -1;
	struct lc_virt_obj *doms = NULL;
	size_t nd = 0;
	int rc = n ? lc_virt_lab_domains(v, NULL, &doms, &nd, err) : 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bool keep = !lc_remote_lease_writer_gone(&ls[i]);
		for (size_t k = 0; k < nd && !keep; k++)
			keep = doms[k].lab && strcmp(doms[k].lab, ls[i].lab) == 0;
		if (!keep && (rc = lc_remote_leases_give_back(v, pool, ls[i].lab, &ls[i].group, 1,
							      err)) == 0)
			r->n_stale_leases++;
	}
	lc_virt_objs_free(doms, nd);
	lc_remote_leases_free(ls, n);
	return rc;
}

/* The leases kept on the hosts of the labs this state dir knows, and on -c's. */
static int gc_host_leases(const struct lc_opts *o, struct lc_virt *v, struct lc_gc_report *r,
			  struct lc_err *err)
{
	struct lc_strv labs = LC_STRV_INIT, pools = LC_STRV_INIT;
	int rc = lc_journal_labs(o->state_dir, &labs, err);
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		struct lc_journal jn;
		if ((rc = lc_journal_read(o->state_dir, labs.v[i], &jn, err)) < 0)
			break;
		struct lc_strv here = LC_STRV_INIT;
		journal_pools(&jn, &here);
		lc_journal_release(&jn);
		for (size_t p = 0; p < here.n; p++)
			lc_strv_push_unique(&pools, here.v[p]);
		struct lc_hosts hs;
		if ((rc = lc_hosts_of_lab(o, v, labs.v[i], &hs, err)) == 0) {
			for (size_t h = 1; rc == 0 && h < hs.n; h++)
				for (size_t p = 0;
				     rc == 0 && p < here.n && lc_leases_on_host(o, hs.v[h].uri);
				     p++)
					rc = drop_stale_host_leases(hs.v[h].v, here.v[p], r, err);
			lc_hosts_release(&hs);
		}
		lc_strv_release(&here);
	}
	lc_strv_push_unique(&pools, LC_DEFAULT_STORAGE_POOL);
	for (size_t p = 0; rc == 0 && p < pools.n && lc_leases_on_host(o, o->uri); p++)
		rc = drop_stale_host_leases(v, pools.v[p], r, err);
	lc_strv_release(&labs);
	lc_strv_release(&pools);
	return rc;
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
	for (size_t i = 0; i < nd && rc == 0; i++) {
		if (!doms[i].expires || doms[i].expires > now || lc_strv_has(&r->labs, doms[i].lab))
			continue;
		struct lc_down_report dr;
		rc = lc_lab_down(o, v, doms[i].lab, &dr, err);
		lc_strv_push(&r->labs, doms[i].lab);
	}
	lc_virt_objs_free(doms, nd);
	/* labs with nodes on other hosts: their domains there say when they expire */
	struct lc_strv labs = LC_STRV_INIT;
	if (rc == 0)
		rc = lc_journal_labs(o->state_dir, &labs, err);
	for (size_t i = 0; rc == 0 && i < labs.n; i++) {
		struct lc_hosts hs;
		if (lc_strv_has(&r->labs, labs.v[i]) ||
		    (rc = lc_hosts_of_lab(o, v, labs.v[i], &hs, err)) < 0)
			continue;
		bool expired = false;
		for (size_t h = 1; rc == 0 && h < hs.n && !expired; h++) {
			if ((rc = lc_virt_lab_domains(hs.v[h].v, labs.v[i], &doms, &nd, err)) < 0)
				break;
			for (size_t k = 0; k < nd && !expired; k++)
				expired = doms[k].expires && doms[k].expires <= now;
			lc_virt_objs_free(doms, nd);
		}
		lc_hosts_release(&hs);
		struct lc_down_report dr;
		if (rc == 0 && expired && (rc = lc_lab_down(o, v, labs.v[i], &dr, err)) == 0)
			lc_strv_push(&r->labs, labs.v[i]);
	}
	lc_strv_release(&labs);
	int lock = -1;
	if (rc == 0 && (rc = lc_leases_lock(o->state_dir, &lock, err)) == 0) {
		rc = drop_stale_leases(o, v, now, r, err);
		if (rc == 0)
			rc = drop_empty_journals(o, v, now, r, err);
		lc_leases_unlock(lock);
	}
	if (rc == 0)
		rc = gc_host_leases(o, v, r, err);
	if (rc == 0)
		rc = lc_snapshot_gc(o, v, &r->snapshots, err);
	return rc;
}

void lc_gc_report_release(struct lc_gc_report *r)
{
	lc_strv_release(&r->labs);
	lc_strv_release(&r->journals);
	lc_strv_release(&r->snapshots);
	memset(r, 0, sizeof(*r));
}
