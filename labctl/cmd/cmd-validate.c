/* labctl validate TOPOLOGY: parse and check; silent when valid. */
#include "cmd.h"
#include "load.h"

static int cmd_validate(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 2)
		return lc_cmd_usage(&lc_cmd_validate_entry, err);
	struct lc_loaded l;
	if (lc_load_checked(&s->opts, argv[1], &l, err) < 0)
		return -1;
	lc_loaded_release(&l);
	return 0;
}

const struct lc_cmd_entry lc_cmd_validate_entry = {
    .name = "validate",
    .usage = "TOPOLOGY",
    .summary = "parse and check a topology; print nothing but errors",
    .flags = LC_CMD_READ_ONLY,
    .exec = cmd_validate,
};
