/* labctl help [COMMAND]: labctl's usage, or one command's. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

static int cmd_help(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)s;
	if (argc > 2)
		return lc_cmd_usage(&lc_cmd_help_entry, err);
	const struct lc_cmd_entry *e = argc == 2 ? lc_cmd_find(argv[1]) : NULL;
	if (argc == 2 && !e)
		return lc_err_set(err, LC_EXIT_USAGE, "help: no command named '%s'", argv[1]);
	char *text = e ? lc_cmd_help(e) : lc_cmd_overview();
	fputs(text, stdout);
	free(text);
	return 0;
}

const struct lc_cmd_entry lc_cmd_help_entry = {
    .name = "help",
    .usage = "[COMMAND]",
    .summary = "labctl's usage, or a command's with every option",
    .flags = 0,
    .exec = cmd_help,
};
