/* Render a whole lab; see plan.h. */
#include <string.h>

#include "domcaps.h"
#include "fsutil.h"
#include "journal.h"
#include "lab-snapshot.h"
#include "lab-ssh.h"
#include "plan.h"
#include "seed.h"
#include "strv.h"
#include "templates.h"
#include "workpool.h"

static void add(struct lc_plan *p, enum lc_object type, char *name, const struct lc_node *n,
		xmlDocPtr doc)
{
	LC_GROW(p->v, p->cap, p->n + 1);
	struct lc_planned *e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->name = name;
	e->node = n;
	e->xml = lc_xml_format(doc);
	e->rendered_sha256 = type != LC_OBJ_VOLUME ? lc_render_domain_sha256(doc) : NULL;
	e->data = NULL;
	e->len = 0;
	xmlFreeDoc(doc);
}

/*
 * Node n's cloud-init seed, as a volume to upload: its instance-id follows
 * the node's rendered domain, so a new definition makes cloud-init run again.
 */
static int add_seed(struct lc_plan *p, const struct lc_topology *t, const struct lc_node *n,
		    const struct lc_node_plan *np, const char *pubkey, time_t now,
		    struct lc_err *err)
{
	double t0 = lc_now_s();
	const struct lc_planned *dom = &p->v[p->n - 1];
	char *id = lc_asprintf("labctl-%.16s", dom->rendered_sha256 ? dom->rendered_sha256 : "");
	struct lc_seed s;
	lc_seed_render(t, n, &p->addrs, np ? np->hd : NULL, np ? np->n_hd : 0, pubkey, id, &s);
	free(id);
	const struct lc_iso_file files[] = {
	    {"meta-data", s.meta_data, strlen(s.meta_data)},
	    {"user-data", s.user_data, strlen(s.user_data)},
	    {"network-config", s.network_config, strlen(s.network_config)},
	};
	unsigned char *iso;
	size_t len;
	int rc = lc_iso_build("cidata", files, LC_ARRAY_SIZE(files), now, &iso, &len, err);
	lc_seed_release(&s);
	if (rc < 0)
		return -1;
	char *name = lc_seed_volume_name(t, n);
	add(p, LC_OBJ_VOLUME, name, n, lc_render_raw_volume(name, len));
	p->v[p->n - 1].data = iso;
	p->v[p->n - 1].len = len;
	p->n_seeds++;
	p->seed_seconds += lc_now_s() - t0;
	return 0;
}

/* Templates are parsed once per kind, not once per node. */
struct tcache {
	struct lc_strv path;
	xmlDocPtr *doc; /* doc[i] parsed from path.v[i] */
	size_t cap;
};

static xmlDocPtr cached(struct tcache *c, const char *path, struct lc_err *err)
{
	size_t i = lc_strv_find(&c->path, path);
	if (i < c->path.n)
		return c->doc[i];
	xmlDocPtr d = lc_template_load(path, err);
	if (!d)
		return NULL;
	LC_GROW(c->doc, c->cap, c->path.n + 1);
	c->doc[c->path.n] = d;
	lc_strv_push(&c->path, path);
	return d;
}

static void tcache_release(struct tcache *c)
{
	for (size_t i = 0; i < c->path.n; i++)
		xmlFreeDoc(c->doc[i]);
	lc_strv_release(&c->path);
	free(c->doc);
}

/*
 * Fit a rendered domain to what the host offers for its type, machine and
 * arch: drop what it lacks (after the tweaks, so a tweak's feature is
 * filtered too), note unmet needs, and stamp the hash again.
 */
static int fit_host(const struct lc_render_ctx *rc, const struct lc_node *n, xmlDocPtr doc,
		    struct lc_planned *fit, struct lc_err *err)
{
	if (!rc->facts->domcaps)
		return 0;
	const char *type = lc_render_domain_type(rc, n);
	char *machine, *arch;
	lc_domcaps_key(doc, &machine, &arch);
	const char *why = NULL;
	const struct lc_domcaps *caps =
	    rc->facts->domcaps(rc->facts->domcaps_ctx, type, machine, arch, &why);
	free(machine);
	free(arch);
	if (!caps) {
		fit->no_caps = why ? why : "the connection gives no domain capabilities";
		return 0;
	}
	const char **req = lc_calloc(n->require.n + 1, sizeof(char *));
	for (size_t i = 0; i < n->require.n; i++)
		req[i] = n->require.v[i].v;
	int rc_ = lc_domcaps_filter(doc, caps, strcmp(type, "kvm") == 0, req, n->require.n,
				    &fit->dropped, err);
	free(req);
	if (rc_ < 0) {
		lc_err_prefix(err, "node %s: ", n->name);
		return -1;
	}
	fit->missing = lc_domcaps_missing(caps, lc_domcaps_needs(doc));
	if (fit->dropped.n)
		lc_render_stamp_sha256(doc);
	return 0;
}

int lc_plan_build(const struct lc_opts *o, const struct lc_loaded *l,
		  const struct lc_host_facts *facts, const struct lc_vf_plan *devs, time_t now,
		  struct lc_plan *plan, struct lc_err *err)
{
	return lc_plan_build_hosts(o, l, facts, NULL, devs, now, plan, err);
}

int lc_plan_build_hosts(const struct lc_opts *o, const struct lc_loaded *l,
			const struct lc_host_facts *facts, const struct lc_node_host *per_node,
			const struct lc_vf_plan *devs, time_t now, struct lc_plan *plan,
			struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	struct lc_render_ctx rc = {t,	facts, l->catalog, o->state_dir, o->cache_dir,
				   now, NULL,  NULL};
	struct tcache tc = {0};
	memset(plan, 0, sizeof(*plan));
	/* validation reported the problems; here only the plan matters */
	lc_addrs_plan(t, &plan->addrs, NULL);
	rc.addrs = &plan->addrs;
	/* up made the lab's key first; a render before the first up shows seeds without it */
	char *pubkey = lc_lab_pubkey(o->state_dir, t);
	int rc_ = 0;
	/* a node a snapshot moved onto a new overlay is rendered on it, never on the frozen layer
	 */
	struct lc_journal jn = {0};
	struct lc_err jerr = LC_ERR_INIT;
	if (lc_journal_read(o->state_dir, t->name.v, &jn, &jerr) < 0)
		lc_err_release(&jerr);
	for (size_t i = 0; i < t->n_networks; i++) {
		const struct lc_network *net = &t->networks[i];
		char *path = lc_template_net_path(o->templates, net->mode_str.v);
		xmlDocPtr tmpl = cached(&tc, path, err);
		free(path);
		xmlDocPtr doc = tmpl ? lc_render_network(&rc, net, tmpl, err) : NULL;
		if (!doc)
			goto fail;
		add(plan, LC_OBJ_NETWORK, lc_network_name(t, net), NULL, doc);
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		rc.facts = per_node && per_node[i].facts ? per_node[i].facts : facts;
		rc.site = per_node ? per_node[i].site : NULL;
		for (size_t j = 0; j < lc_render_n_volumes(n); j++) {
			xmlDocPtr doc = lc_render_volume(&rc, n, j, err);
			if (!doc)
				goto fail;
			add(plan, LC_OBJ_VOLUME, lc_render_volume_name(t, n, j), n, doc);
		}
		if (rc.site) {
			/* its console log, a volume up reads through the storage API */
			char *log = lc_render_log_volume_name(t, n);
			add(plan, LC_OBJ_VOLUME, log, n, lc_render_raw_volume(log, 0));
		}
		char *path = n->template_path.v ? lc_strdup(n->template_path.v)
						: lc_template_kind_path(o->templates, n->kind.v);
		xmlDocPtr tmpl = cached(&tc, path, err);
		free(path);
		if (!tmpl && n->template_path.v) {
			/* the user's own file: point at where the topology names it */
			err->code = LC_EXIT_USAGE;
			lc_err_prefix_at(err, n->template_path.at,
					 "node \"%s\": template: ", n->name);
		}
		if (!tmpl)
			goto fail;
		if ((n->n_vfs || n->n_pci) && (!devs || i >= devs->n)) {
			lc_err_set(err, LC_EXIT_RUNTIME,
				   "node \"%s\": its devices were not planned", n->name);
			goto fail;
		}
		const struct lc_node_plan *np = devs && i < devs->n ? &devs->nodes[i] : NULL;
		xmlDocPtr doc =
		    lc_render_domain(&rc, n, tmpl, np ? np->hd : NULL, np ? np->n_hd : 0, err);
		if (!doc)
			goto fail;
		struct lc_planned fit = {0};
		if (fit_host(&rc, n, doc, &fit, err) < 0) {
			xmlFreeDoc(doc);
			goto fail;
		}
		/* the hash stays the rendering's: a disk on its top overlay is not a change */
		char *sha = lc_render_domain_sha256(doc);
		lc_snapshot_point_render(&jn, n->name, doc);
		add(plan, LC_OBJ_DOMAIN, lc_domain_name(t, n), n, doc);
		free(plan->v[plan->n - 1].rendered_sha256);
		plan->v[plan->n - 1].rendered_sha256 = sha;
		plan->v[plan->n - 1].dropped = fit.dropped;
		plan->v[plan->n - 1].missing = fit.missing;
		plan->v[plan->n - 1].no_caps = fit.no_caps;
		if (lc_node_takes_seed(l->catalog, n) &&
		    add_seed(plan, t, n, np, pubkey, now, err) < 0)
			goto fail;
	}
	tcache_release(&tc);
	free(pubkey);
	lc_journal_release(&jn);
	return 0;
fail:
	rc_ = -1;
	tcache_release(&tc);
	free(pubkey);
	lc_journal_release(&jn);
	lc_plan_release(plan);
	return rc_;
}

void lc_plan_release(struct lc_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->v[i].name);
		free(plan->v[i].xml);
		free(plan->v[i].rendered_sha256);
		lc_strv_release(&plan->v[i].dropped);
		free(plan->v[i].data);
	}
	free(plan->v);
	lc_addrs_release(&plan->addrs);
	memset(plan, 0, sizeof(*plan));
}

const struct lc_planned *lc_plan_domain(const struct lc_plan *plan, const char *node)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].type == LC_OBJ_DOMAIN && strcmp(plan->v[i].node->name, node) == 0)
			return &plan->v[i];
	return NULL;
}

int lc_plan_check_needs(const struct lc_plan *plan, struct lc_err *err)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct lc_planned *p = &plan->v[i];
		for (unsigned need = 1; p->type == LC_OBJ_DOMAIN && need & LC_NEED_ALL; need <<= 1)
			if (p->missing & need)
				return lc_err_set(err, LC_EXIT_RESOURCE,
						  "node %s (kind %s) needs %s, which this host "
						  "lacks: %s",
						  p->node->name, p->node->kind.v,
						  lc_need_name(need), lc_need_fix(need));
	}
	return 0;
}

char *lc_planned_file_name(const struct lc_planned *p)
{
	switch (p->type) {
	case LC_OBJ_NETWORK:
		return lc_asprintf("%s.network.xml", p->name);
	case LC_OBJ_VOLUME:
		return lc_asprintf("%s.volume.xml", p->name);
	default:
		return lc_asprintf("%s.xml", p->name);
	}
}
