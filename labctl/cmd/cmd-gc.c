/* labctl gc: down every lab whose ttl has passed; drop leases whose lab is gone. */
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "json-writer.h"
#include "lab.h"

static int cmd_gc(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)argv;
	if (argc != 1)
		return lc_cmd_usage(&lc_cmd_gc_entry, err);
	if (lc_cmd_virt(s, err) < 0)
		return -1;
	struct lc_gc_report r;
	int rc = lc_lab_gc(&s->opts, s->virt, time(NULL), &r, err);
	if (rc == 0 && s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_inline_begin_array(&jw, "labs");
		for (size_t i = 0; i < r.labs.n; i++)
			lc_jw_array_string(&jw, r.labs.v[i]);
		lc_jw_end(&jw);
		lc_jw_object_uint(&jw, "stale_leases", r.n_stale_leases);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	} else if (rc == 0 && s->opts.verbosity >= 0) {
		for (size_t i = 0; i < r.labs.n; i++)
			printf("lab %s: ttl passed, brought down\n", r.labs.v[i]);
		for (size_t i = 0; i < r.journals.n; i++)
			printf("lab %s: nothing left but its journal, removed\n", r.journals.v[i]);
		for (size_t i = 0; i < r.snapshots.n; i++)
			printf("lab %s: gone, its snapshot files removed\n", r.snapshots.v[i]);
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
