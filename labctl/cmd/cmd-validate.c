/* labctl validate TOPOLOGY: parse and check; silent when valid. */
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "json-writer.h"
#include "load.h"

static int cmd_validate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_validate_entry, err);
	struct lc_loaded l;
	if (lc_load_checked(&s->opts, argv[1], &l, err) < 0)
		return -1;
	if (s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_bool(&jw, "valid", true);
		lc_jw_object_string(&jw, "lab", l.topo->name.v);
		lc_jw_object_uint(&jw, "nodes", l.topo->n_nodes);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	}
	lc_loaded_release(&l);
	return 0;
}

const struct lc_cmd_entry lc_cmd_validate_entry = {
    .name = "validate",
    .usage = "TOPOLOGY",
    .summary = "parse and check a topology; print nothing but errors",
    .flags = LC_CMD_JSON | LC_CMD_READ_ONLY,
    .exec = cmd_validate,
};
