/* up's option parsing and reporting, shared by up and recreate. */
#ifndef LC_CMD_UP_H
#define LC_CMD_UP_H

#include "cmd.h"
#include "lab.h"

/* Parse up's (and recreate's) options; release uo afterwards (it may hold --node's list). */
int lc_up_parse(const struct lc_cmd_entry *e, int argc, char **argv, struct lc_up_opts *uo,
		const char **topology, struct lc_err *err);
int lc_up_run(struct lc_session *s, const struct lc_loaded *l, struct lc_up_opts *uo,
	      struct lc_err *err);

/* The options up and recreate share, for their help. */
#define LC_UP_OPTIONS                                                                              \
	"  -j, --jobs N          workers, each with its own libvirt connection (1-256; default: "  \
	"cores x 2)\n"                                                                             \
	"  --wait[=SECS]         block until every node reports booted (default 300 s)\n"          \
	"  --force               redefine nodes whose rendered XML changed, running ones too\n"    \
	"  --node NAME           only these nodes (repeatable; shell globs: 'xen-*')\n"

void lc_up_opts_release(struct lc_up_opts *uo);

#endif
