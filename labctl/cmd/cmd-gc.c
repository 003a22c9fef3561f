/* labctl gc: down every lab whose ttl has passed; drop leases whose lab is gone. */
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "output.h"
#include "lab.h"

static int cmd_gc(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)argv;
	if (argc != 1)
		return lc_cmd_usage(&lc_cmd_gc_entry, err);
	struct lc_gc_report r;
	int rc = lc_lab_gc(&s->opts, s->virt, time(NULL), &r, err);
	if (rc == 0 && s->opts.json) {
		struct lc_buf b = LC_BUF_INIT;
		lc_buf_adds(&b, "{\"labs\":[");
		for (size_t i = 0; i < r.labs.n; i++) {
			if (i)
				lc_buf_addc(&b, ',');
			lc_json_str(&b, r.labs.v[i]);
		}
		lc_buf_addf(&b, "],\"stale_leases\":%zu}\n", r.n_stale_leases);
		fputs(lc_buf_str(&b), stdout);
		lc_buf_release(&b);
	} else if (rc == 0 && s->opts.verbosity >= 0) {
		for (size_t i = 0; i < r.labs.n; i++)
			printf("lab %s: ttl passed, brought down\n", r.labs.v[i]);
		printf("%zu expired labs brought down, %zu stale leases dropped\n", r.labs.n,
		       r.n_stale_leases);
	}
	lc_gc_report_release(&r);
	return rc;
}

const struct lc_cmd_entry lc_cmd_gc_entry = {
    .name = "gc",
    .usage = "",
    .summary = "down every lab whose ttl has expired; drop stale leases",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_gc,
};
