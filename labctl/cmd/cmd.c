/* The table of every labctl command. */
#include <string.h>

#include "cmd.h"

/* clang-format off: one command a line, in the order --help lists them */
const struct lc_cmd_entry *const lc_cmd_table[] = {
    &lc_cmd_validate_entry,
    &lc_cmd_render_entry,
    &lc_cmd_up_entry,
    &lc_cmd_down_entry,
    &lc_cmd_recreate_entry,
    &lc_cmd_status_entry,
    &lc_cmd_gc_entry,
    &lc_cmd_graph_entry,
    &lc_cmd_host_entry,
    &lc_cmd_image_entry,
    NULL,
};
/* clang-format on */

const struct lc_cmd_entry *lc_cmd_find(const char *name)
{
	for (size_t i = 0; lc_cmd_table[i]; i++)
		if (strcmp(lc_cmd_table[i]->name, name) == 0)
			return lc_cmd_table[i];
	return NULL;
}

int lc_cmd_usage(const struct lc_cmd_entry *e, struct lc_err *err)
{
	return lc_err_set(err, LC_EXIT_USAGE, "usage: labctl %s %s", e->name, e->usage);
}
