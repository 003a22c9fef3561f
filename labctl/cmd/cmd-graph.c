/* labctl graph TOPOLOGY: the lab, its networks and its planned devices as DOT. */
#include <stdio.h>

#include "cmd.h"
#include "graph.h"
#include "host-vfs.h"
#include "load.h"

static int cmd_graph(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_graph_entry, err);
	lc_cmd_virt(s, err);
	struct lc_loaded l;
	if (lc_load(&s->opts, argv[1], &l, err) < 0)
		return -1;
	/* the plan render makes (nothing leased), with the inventory it came from */
	struct lc_vf_plan plan;
	struct lc_inventory inv;
	int rc = lc_host_plan_view(&s->opts, s->virt, l.topo, &plan, &inv, err);
	if (rc == 0) {
		struct lc_buf b = LC_BUF_INIT;
		lc_cmd_note_held(&plan, s->opts.verbosity);
		lc_graph_dot(l.topo, &plan, &inv, &b);
		fputs(lc_buf_str(&b), stdout);
		lc_buf_release(&b);
		lc_vf_plan_release(&plan);
		lc_inventory_release(&inv);
	}
	lc_loaded_release(&l);
	return rc;
}

const struct lc_cmd_entry lc_cmd_graph_entry = {
    .name = "graph",
    .usage = "TOPOLOGY",
    .summary = "Graphviz DOT of nodes, networks, VFs and their PFs",
    .flags = LC_CMD_WANTS_VIRT | LC_CMD_READ_ONLY,
    .exec = cmd_graph,
};
