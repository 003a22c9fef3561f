/* labctl gc: down every lab whose ttl has passed; drop leases whose lab is gone. */
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "lab.h"

static int cmd_gc(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)argv;
	if (argc != 1)
		return lc_cmd_usage(&lc_cmd_gc_entry, err);
	struct lc_gc_report r;
	int rc = lc_lab_gc(&s->opts, s->virt, time(NULL), &r, err);
	if (rc == 0 && s->opts.verbosity >= 0) {
		for (size_t i = 0; i < r.n_labs; i++)
			printf("lab %s: ttl passed, brought down\n", r.labs[i]);
		for (size_t i = 0; i < r.n_journals; i++)
			printf("lab %s: nothing left but its journal, removed\n", r.journals[i]);
		printf("%zu expired labs brought down, %zu stale leases dropped\n", r.n_labs,
		       r.n_stale_leases);
	}
	lc_gc_report_release(&r);
	return rc;
}

const struct lc_cmd_entry lc_cmd_gc_entry = {
    .name = "gc",
    .usage = "",
    .summary = "down every lab whose ttl has expired; drop stale leases",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_gc,
};
