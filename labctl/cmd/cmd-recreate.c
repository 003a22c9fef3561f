/*
 * labctl recreate TOPOLOGY [up's options] [--from-snapshot NAME]: down, then
 * up (the nightly job's verb); with a snapshot that matches, a revert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-up.h"
#include "lab-snapshot.h"

/* Take --from-snapshot NAME (or =NAME) out of argv; *argc shrinks. */
static int take_snapshot_opt(int *argc, char **argv, const char **name, struct lc_err *err)
{
	static const char opt[] = "--from-snapshot";
	*name = NULL;
	int out = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], opt) == 0) {
			if (i + 1 >= *argc)
				return lc_err_set(err, LC_EXIT_USAGE,
						  "recreate: a value is missing after option '%s'",
						  opt);
			*name = argv[++i];
			continue;
		}
		if (strncmp(argv[i], opt, sizeof(opt) - 1) == 0 &&
		    argv[i][sizeof(opt) - 1] == '=') {
			*name = argv[i] + sizeof(opt);
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return *name ? lc_snapshot_check_name(*name, err) : 0;
}

/* The revert recreate --from-snapshot does when the snapshot matches; 1: it did not match. */
static int from_snapshot(struct lc_session *s, const struct lc_loaded *l, const char *name,
			 const struct lc_up_opts *uo, struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	const char **want = lc_calloc(t->n_nodes + 1, sizeof(*want));
	unsigned long long *kib = lc_calloc(t->n_nodes + 1, sizeof(*kib));
	for (size_t i = 0; i < t->n_nodes; i++) {
		want[i] = t->nodes[i].name;
		kib[i] = t->nodes[i].memory_kib.v;
	}
	char *why = NULL;
	int rc = lc_snapshot_matches(&s->opts, s->virt, t->name.v, name, want, kib, t->n_nodes,
				     &why, err);
	free(want);
	free(kib);
	if (rc == 0 && why) {
		if (s->opts.verbosity >= 0)
			fprintf(stderr,
				"labctl: recreate: not from snapshot '%s' (%s): down and up\n",
				name, why);
		free(why);
		return 1;
	}
	if (rc < 0)
		return -1;
	struct lc_snap_opts so = {.jobs = uo->jobs};
	struct lc_snapshot r;
	rc = lc_snapshot_revert(&s->opts, s->virt, t->name.v, name, &so, &r, err);
	for (size_t i = 0; i < r.n_nodes; i++)
		if (r.nodes[i].warning)
			fprintf(stderr, "labctl: warning: %s\n", r.nodes[i].warning);
	if (rc == 0 && s->opts.json) {
		printf(
		    "{\"lab\": \"%s\", \"reverted\": \"%s\", \"nodes\": %zu, \"seconds\": %.3f}\n",
		    t->name.v, name, r.n_nodes, r.seconds);
		s->json_written = true;
	} else if (rc == 0 && s->opts.verbosity >= 0) {
		printf("lab %s: reverted to snapshot %s, %zu node%s (%.2fs)\n", t->name.v, name,
		       r.n_nodes, r.n_nodes == 1 ? "" : "s", r.seconds);
	}
	lc_snapshot_release(&r);
	return rc;
}

static int cmd_recreate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	struct lc_up_opts uo;
	const char *path, *snap;
	if (take_snapshot_opt(&argc, argv, &snap, err) < 0 ||
	    lc_up_parse(&lc_cmd_recreate_entry, argc, argv, &uo, &path, err) < 0)
		return -1;
	/* a topology that does not load brings nothing down */
	struct lc_loaded l;
	if (lc_load_checked(&s->opts, path, &l, err) < 0) {
		lc_up_opts_release(&uo);
		return -1;
	}
	struct lc_down_report dr;
	int rc = lc_cmd_virt(s, err);
	if (rc == 0 && snap && uo.n_only)
		rc = lc_err_set(
		    err, LC_EXIT_USAGE,
		    "recreate: --from-snapshot reverts the whole lab; --node does not go "
		    "with it");
	if (rc == 0 && snap) {
		rc = from_snapshot(s, &l, snap, &uo, err);
		if (rc <= 0) {
			lc_loaded_release(&l);
			lc_up_opts_release(&uo);
			return rc;
		}
		rc = 0;
	}
	if (rc == 0)
		rc = lc_lab_down_nodes(&s->opts, s->virt, l.topo->name.v, uo.only, uo.n_only, &dr,
				       err);
	if (rc == 0 && s->opts.verbosity >= 0 && !s->opts.json)
		printf("lab %s: down: %zu domains, %zu networks, %zu volumes removed, %zu leases "
		       "released (%.2fs)\n",
		       l.topo->name.v, dr.n_domains, dr.n_networks, dr.n_volumes, dr.n_leases,
		       dr.seconds);
	if (rc == 0)
		rc = lc_up_run(s, &l, &uo, err);
	lc_loaded_release(&l);
	lc_up_opts_release(&uo);
	return rc;
}

const struct lc_cmd_entry lc_cmd_recreate_entry = {
    .name = "recreate",
    .usage = "TOPOLOGY [-j N] [--wait[=SECS]] [--force] [--rollback] [--node NAME]... "
	     "[--from-snapshot NAME]",
    .summary = "down then up (the nightly job's verb); or revert to a snapshot that matches",
    .options = LC_UP_OPTIONS "  --from-snapshot NAME  revert to snapshot NAME when it matches the "
			     "topology, else down and up\n",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_recreate,
};
