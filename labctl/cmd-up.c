/* labctl up TOPOLOGY: lease the lab's VFs, then define its networks and domains. */
#include <stdio.h>

#include "cmd.h"
#include "lab.h"
#include "output.h"

static void print_json(const struct lc_topology *t, const struct lc_up_report *r)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "{\"lab\":");
	lc_json_str(&b, t->name.v);
	lc_buf_adds(&b, ",\"defined\":[");
	size_t k = 0;
	for (size_t i = 0; i < r->plan.n; i++) {
		const struct lc_planned *p = &r->plan.v[i];
		if (p->type == LC_OBJ_VOLUME)
			continue;
		lc_buf_addf(&b, "%s{\"type\":\"%s\",\"name\":", k++ ? "," : "",
			    p->type == LC_OBJ_DOMAIN ? "domain" : "network");
		lc_json_str(&b, p->name);
		lc_buf_addc(&b, '}');
	}
	lc_buf_addf(&b, "],\"iommu_groups_leased\":%zu,\"seconds\":%.3f}\n", r->n_groups,
		    r->seconds);
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
}

static int cmd_up(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_up_entry, err);
	struct lc_loaded l;
	if (lc_load(&s->opts, argv[1], &l, err) < 0)
		return -1;
	struct lc_up_report r;
	int rc = lc_lab_up(&s->opts, s->virt, &l, &r, err);
	if (rc == 0 && s->opts.json)
		print_json(l.topo, &r);
	else if (rc == 0 && s->opts.verbosity >= 0)
		printf("lab %s: %zu networks and %zu domains defined, %zu IOMMU groups leased "
		       "(%.2fs)\n",
		       l.topo->name.v, r.n_networks, r.n_domains, r.n_groups, r.seconds);
	lc_up_report_release(&r);
	lc_loaded_release(&l);
	return rc;
}

const struct lc_cmd_entry lc_cmd_up_entry = {
    .name = "up",
    .usage = "TOPOLOGY",
    .summary = "lease the lab's VFs and define its networks and domains",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_up,
};
