/* labctl validate TOPOLOGY: parse and check; silent when valid. */
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "output.h"
#include "load.h"

static int cmd_validate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_validate_entry, err);
	struct lc_loaded l;
	if (lc_load(&s->opts, argv[1], &l, err) < 0)
		return -1;
	if (s->opts.json) {
		struct lc_buf b = LC_BUF_INIT;
		lc_buf_adds(&b, "{\"valid\":true,\"lab\":");
		lc_json_str(&b, l.topo->name.v);
		lc_buf_addf(&b, ",\"nodes\":%zu}\n", l.topo->n_nodes);
		fputs(lc_buf_str(&b), stdout);
		lc_buf_release(&b);
	}
	lc_loaded_release(&l);
	return 0;
}

const struct lc_cmd_entry lc_cmd_validate_entry = {
    .name = "validate",
    .usage = "TOPOLOGY",
    .summary = "parse and check a topology; print nothing but errors",
    .flags = LC_CMD_JSON,
    .exec = cmd_validate,
};
