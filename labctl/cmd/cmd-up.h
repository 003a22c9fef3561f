/* up's option parsing and reporting, shared by up and recreate. */
#ifndef LC_CMD_UP_H
#define LC_CMD_UP_H

#include "cmd.h"
#include "lab.h"

int lc_up_parse(const struct lc_cmd_entry *e, int argc, char **argv, struct lc_up_opts *uo,
		const char **topology, struct lc_err *err);
/*
 * On stderr: what the host's domain capabilities took from each domain
 * (unless quiet, or --json, whose document carries it), and with -v when
 * none were known.
 */
void lc_report_fit(const struct lc_plan *p, int verbosity, bool json);
int lc_up_run(struct lc_session *s, const struct lc_loaded *l, struct lc_up_opts *uo,
	      struct lc_err *err);

#endif
