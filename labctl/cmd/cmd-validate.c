/* labctl validate TOPOLOGY: parse and check; silent when valid. */
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "json-writer.h"
#include "load.h"
#include "validate.h"

static int cmd_validate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_validate_entry, err);
	struct lc_loaded l;
	if (lc_load_checked(&s->opts, argv[1], &l, err) < 0)
		return -1;
	/* valid, so exit 0; what is likely a mistake still gets a word on stderr */
	struct lc_diags w;
	lc_diags_init(&w);
	lc_validate_warnings(l.topo, l.catalog, &w);
	for (size_t i = 0; s->opts.verbosity >= 0 && i < w.n; i++)
		fprintf(stderr, "%s:%d:%d: warning: %s\n", w.v[i].file, w.v[i].at.line,
			w.v[i].at.col, w.v[i].msg);
	lc_diags_release(&w);
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
