/*
 * labctl up TOPOLOGY [-j N] [--wait[=SECS]] [--force] [--rollback]: create
 * or reconcile the lab, and say what changed.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-up.h"
#include "proof.h"
#include "json-writer.h"
#include "workpool.h"

#define DEFAULT_WAIT_S 300
/* a week: anything longer is surely a typo */
#define MAX_WAIT_S (7 * 24 * 3600)

static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

/* Progress on a terminal: a line per node as it is done and as it boots. */
static void progress(void *ctx, const struct lc_node_result *r, bool boot)
{
	(void)ctx;
	pthread_mutex_lock(&out_mu);
	if (boot)
		fprintf(stderr, "  %-20s booted in %.1fs%s%s%s%s\n", r->node, r->boot_seconds,
			r->hv ? ", hv=" : "", r->hv ? r->hv : "", r->l2 ? ", l2=" : "",
			r->l2 ? r->l2 : "");
	else if (r->action == LC_NODE_FAILED)
		fprintf(stderr, "  %-20s failed: %s\n", r->node, r->error);
	else
		fprintf(stderr, "  %-20s %s (%.2fs)\n", r->node, lc_node_action_name(r->action),
			r->seconds);
	pthread_mutex_unlock(&out_mu);
}

/* An image part going to a remote host: one line, redrawn at most ten times a second. */
static void upload_bar(void *ctx, const char *image, const char *part, uint64_t done,
		       uint64_t total)
{
	double *last = ctx, now = lc_now_s();
	bool finished = done == total;
	if (!finished && now - *last < 0.1)
		return;
	*last = now;
	pthread_mutex_lock(&out_mu);
	fprintf(stderr, "\r  upload %s %-6s %3d%% %8.1f / %.1f MiB%s", image, part,
		total ? (int)(done * 100 / total) : 100, (double)done / 1048576,
		(double)total / 1048576, finished ? "\n" : "");
	pthread_mutex_unlock(&out_mu);
}

static void print_text(const struct lc_topology *t, const struct lc_up_report *r, bool waited)
{
	size_t count[LC_NODE_FAILED + 1] = {0};
	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct lc_node_result *n = &r->nodes[i];
		count[n->action]++;
		printf("%-20s %-22s %-9s %-15s", n->node, n->domain, lc_node_action_name(n->action),
		       n->addr[0] ? n->addr : "-");
		if (waited && n->boot_line)
			printf(" %.1fs  %s", n->boot_seconds, n->boot_line);
		printf("\n");
	}
	if (count[LC_NODE_SKIPPED])
		printf("lab %s: %zu node%s not picked by --node left as they are\n", t->name.v,
		       count[LC_NODE_SKIPPED], count[LC_NODE_SKIPPED] == 1 ? "" : "s");
	printf("lab %s: %zu created, %zu started, %zu unchanged, %zu changed, %zu redefined, "
	       "%zu failed; "
	       "%zu network%s set up, %zu volume%s created, %zu IOMMU group%s leased; accel %s; "
	       "%.2fs\n",
	       t->name.v, count[LC_NODE_CREATED], count[LC_NODE_STARTED], count[LC_NODE_UNCHANGED],
	       count[LC_NODE_CHANGED], count[LC_NODE_REDEFINED], count[LC_NODE_FAILED],
	       r->n_networks_changed, r->n_networks_changed == 1 ? "" : "s", r->n_volumes_created,
	       r->n_volumes_created == 1 ? "" : "s", r->n_groups, r->n_groups == 1 ? "" : "s",
	       r->accel, r->seconds);
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].action == LC_NODE_FAILED)
			printf("failed: %s\n", r->nodes[i].error);
	if (r->rolled_back)
		printf("lab %s rolled back (--rollback): %zu domain%s, %zu network%s, %zu volume%s "
		       "removed, %zu lease%s released\n",
		       t->name.v, r->rollback.n_domains, r->rollback.n_domains == 1 ? "" : "s",
		       r->rollback.n_networks, r->rollback.n_networks == 1 ? "" : "s",
		       r->rollback.n_volumes, r->rollback.n_volumes == 1 ? "" : "s",
		       r->rollback.n_leases, r->rollback.n_leases == 1 ? "" : "s");
	if (count[LC_NODE_CHANGED])
		printf("nodes marked changed were defined from another version of the topology: "
		       "'labctl up --force' redefines them\n");
	for (size_t i = 0; i < r->n_networks; i++)
		if (r->networks[i].action == LC_NET_REDEFINED)
			printf("network %s: redefined\n", r->networks[i].name);
		else
			printf(
			    "network %s: changed (defined from another version of the topology): "
			    "'labctl up --force' redefines it when no running node uses it\n",
			    r->networks[i].name);
}

void lc_report_fit(const struct lc_plan *p, int verbosity, bool json)
{
	const char *no_caps = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct lc_planned *e = &p->v[i];
		if (e->type != LC_OBJ_DOMAIN)
			continue;
		no_caps = no_caps ? no_caps : e->no_caps;
		if (verbosity < 0 || json || !e->dropped.n)
			continue;
		struct lc_buf b = LC_BUF_INIT;
		for (size_t k = 0; k < e->dropped.n; k++)
			lc_buf_addf(&b, "%s%s", k ? ", " : "", e->dropped.v[k]);
		fprintf(stderr,
			"labctl: node %s: dropped %s: not offered by this host (name %s under "
			"require: to fail instead)\n",
			e->node->name, lc_buf_str(&b), e->dropped.n == 1 ? "it" : "them");
		lc_buf_release(&b);
	}
	if (no_caps && verbosity > 0)
		fprintf(stderr,
			"labctl: %s: no Hyper-V enlightenment or CPU feature is filtered, every "
			"need is taken as met\n",
			no_caps);
}

static void print_json(const struct lc_topology *t, const struct lc_up_report *r)
{
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_string(&jw, "lab", t->name.v);
	lc_jw_object_string(&jw, "accel", r->accel);
	lc_jw_object_string(&jw, "why_not_kvm", r->why_not_kvm);
	lc_jw_object_inline_begin_array(&jw, "nodes");
	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct lc_node_result *n = &r->nodes[i];
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_string(&jw, "name", n->node);
		lc_jw_object_string(&jw, "domain", n->domain);
		lc_jw_object_string(&jw, "action", lc_node_action_name(n->action));
		lc_jw_object_double(&jw, "seconds", 3, n->seconds);
		lc_jw_object_bool(&jw, "booted", n->booted);
		if (n->accel)
			lc_jw_object_string(&jw, "accel", n->accel);
		if (n->boot_line) {
			lc_jw_object_double(&jw, "boot_seconds", 3, n->boot_seconds);
			lc_jw_object_string(&jw, "boot_line", n->boot_line);
			/* the nested proof: null when the image's boot line carries none */
			lc_jw_object_string(&jw, "l2", n->l2);
			/* the L1's hypervisor: the line's hv=, else the image's catalog entry */
			lc_jw_object_string(&jw, "hv", n->hv);
			char *l2type = lc_boot_field(n->boot_line, "l2type");
			lc_jw_object_string(&jw, "l2type", l2type);
			free(l2type);
		}
		if (n->proof_error)
			lc_jw_object_string(&jw, "proof_error", n->proof_error);
		lc_jw_object_string(&jw, "address", n->addr[0] ? n->addr : NULL);
		if (n->error)
			lc_jw_object_string(&jw, "error", n->error);
		const struct lc_planned *p = lc_plan_domain(&r->plan, n->node);
		lc_jw_object_inline_begin_array(&jw, "dropped");
		for (size_t k = 0; p && k < p->dropped.n; k++)
			lc_jw_array_string(&jw, p->dropped.v[k]);
		lc_jw_end(&jw);
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_object_inline_begin_array(&jw, "networks");
	for (size_t i = 0; i < r->n_networks; i++) {
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_string(&jw, "name", r->networks[i].name);
		lc_jw_object_string(&jw, "action",
				    r->networks[i].action == LC_NET_REDEFINED ? "redefined"
									      : "changed");
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_object_uint(&jw, "networks_set_up", r->n_networks_changed);
	lc_jw_object_uint(&jw, "volumes_created", r->n_volumes_created);
	lc_jw_object_uint(&jw, "images_uploaded", r->n_uploaded);
	lc_jw_object_uint(&jw, "iommu_groups_leased", r->n_groups);
	lc_jw_object_bool(&jw, "rolled_back", r->rolled_back);
	lc_jw_object_double(&jw, "seconds", 3, r->seconds);
	lc_jw_end(&jw);
	printf("%s\n", lc_jw_str(&jw));
	lc_jw_release(&jw);
}

/* A whole decimal number in [lo, hi]; strtol alone saturates and int casts wrap. */
static bool parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

void lc_up_opts_release(struct lc_up_opts *uo)
{
	free(uo->only);
	uo->only = NULL;
	uo->n_only = 0;
}

int lc_up_parse(const struct lc_cmd_entry *e, int argc, char **argv, struct lc_up_opts *uo,
		const char **topology, struct lc_err *err)
{
	static const struct option opts[] = {
	    {"jobs", required_argument, NULL, 'j'}, {"wait", optional_argument, NULL, 'w'},
	    {"force", no_argument, NULL, 'f'},	    {"rollback", no_argument, NULL, 'r'},
	    {"node", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	memset(uo, 0, sizeof(*uo));
	uo->jobs = (int)(cpus > 0 ? cpus * 2 : 2);
	uo->wait_s = -1;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	int c, rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ":j:", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!parse_int(optarg, 1, 256, &uo->jobs))
				rc = lc_err_set(err, LC_EXIT_USAGE, "-j wants 1 to 256, not '%s'",
						optarg);
			break;
		case 'w':
			uo->wait_s = DEFAULT_WAIT_S;
			if (optarg && !parse_int(optarg, 1, MAX_WAIT_S, &uo->wait_s))
				rc = lc_err_set(err, LC_EXIT_USAGE,
						"--wait wants 1 to %d seconds, not '%s'",
						MAX_WAIT_S, optarg);
			break;
		case 'f':
			uo->force = true;
			break;
		case 'r':
			uo->rollback = true;
			break;
		case 'n':
			if (!uo->only)
				uo->only = lc_calloc((size_t)argc + 1, sizeof(*uo->only));
			uo->only[uo->n_only++] = optarg;
			break;
		default:
			rc = lc_cmd_bad_option(e, c, argv, err);
		}
	}
	if (rc == 0 && optind != argc - 1)
		rc = lc_cmd_usage(e, err);
	if (rc < 0) {
		lc_up_opts_release(uo);
		return -1;
	}
	*topology = argv[optind];
	return 0;
}

static bool reached(const struct lc_up_report *r)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].action != LC_NODE_PENDING)
			return true;
	return false;
}

int lc_up_run(struct lc_session *s, const struct lc_loaded *l, struct lc_up_opts *uo,
	      struct lc_err *err)
{
	double last_bar = 0;
	struct lc_image_progress up = {upload_bar, &last_bar};
	if (isatty(STDERR_FILENO) && isatty(STDOUT_FILENO) && s->opts.verbosity >= 0 &&
	    !s->opts.json) {
		uo->progress = progress;
		uo->uploads = &up;
	}
	if (lc_cmd_virt(s, err) < 0)
		return -1;
	struct lc_up_report r;
	int rc = lc_lab_up(&s->opts, s->virt, l, uo, &r, err);
	lc_report_fit(&r.plan, s->opts.verbosity, s->opts.json);
	if (s->opts.verbosity > 0 && r.plan.n)
		fprintf(stderr, "labctl: domain capabilities read %u time%s (%.1f ms)\n",
			r.caps_reads, r.caps_reads == 1 ? "" : "s", r.caps_seconds * 1e3);
	if (s->opts.verbosity > 0 && r.plan.n_seeds)
		fprintf(stderr,
			"labctl: cloud-init seeds: %zu built (%.1f ms), uploads %.1f ms; %.1f ms "
			"a node\n",
			r.plan.n_seeds, r.plan.seed_seconds * 1e3, r.seed_upload_seconds * 1e3,
			(r.plan.seed_seconds + r.seed_upload_seconds) * 1e3 /
			    (double)r.plan.n_seeds);
	/* what got done is worth saying even when something failed */
	if (s->opts.json) {
		print_json(l->topo, &r);
		s->json_written = true;
	} else if (s->opts.verbosity >= 0 && reached(&r))
		print_text(l->topo, &r, uo->wait_s >= 0);
	/* on stderr with the other -v lines: stdout holds the one --json document */
	if (rc == 0 && s->opts.verbosity > 0 && r.why_not_kvm)
		fprintf(stderr, "labctl: accel tcg: %s\n", r.why_not_kvm);
	lc_up_report_release(&r);
	return rc;
}

static int cmd_up(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	struct lc_up_opts uo;
	const char *path;
	if (lc_up_parse(&lc_cmd_up_entry, argc, argv, &uo, &path, err) < 0)
		return -1;
	struct lc_loaded l;
	int rc = lc_load_checked(&s->opts, path, &l, err);
	if (rc == 0)
		rc = lc_up_run(s, &l, &uo, err);
	lc_loaded_release(&l); /* empty when the load failed */
	lc_up_opts_release(&uo);
	return rc;
}

const struct lc_cmd_entry lc_cmd_up_entry = {
    .name = "up",
    .usage = "TOPOLOGY [-j N] [--wait[=SECS]] [--force] [--rollback] [--node NAME]...",
    .summary = "create or reconcile the lab; --wait blocks until every node booted",
    .options = LC_UP_OPTIONS,
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_up,
};
