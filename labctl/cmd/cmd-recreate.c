/* labctl recreate TOPOLOGY [up's options]: down, then up (the nightly job's verb). */
#include <stdio.h>

#include "cmd-up.h"

static int cmd_recreate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	struct lc_up_opts uo;
	const char *path;
	if (lc_up_parse(&lc_cmd_recreate_entry, argc, argv, &uo, &path, err) < 0)
		return -1;
	/* a topology that does not load brings nothing down */
	struct lc_loaded l;
	if (lc_load_checked(&s->opts, path, &l, err) < 0) {
		lc_up_opts_release(&uo);
		return -1;
	}
	struct lc_down_report dr;
	int rc = lc_cmd_virt(s, err);
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
    .usage = "TOPOLOGY [-j N] [--wait[=SECS]] [--force] [--rollback] [--node NAME]...",
    .summary = "down then up (the nightly job's verb)",
    .options = LC_UP_OPTIONS,
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_recreate,
};
