/*
 * The command table: one entry per command, each defined in its own
 * cmd-NAME.c. main.c parses the global options, does what an entry's flags
 * ask (connect to libvirt, ...) once, then calls it.
 */
#ifndef LC_CMD_H
#define LC_CMD_H

#include <stdbool.h>

#include "err.h"
#include "opts.h"

struct lc_virt;

struct lc_session {
	struct lc_opts opts;
	struct lc_virt *virt;	/* open for LC_CMD_NEEDS_VIRT; NULL when WANTS_VIRT could not */
	const char *virt_error; /* why WANTS_VIRT could not connect; NULL otherwise */
};

enum {
	LC_CMD_NEEDS_VIRT = 1 << 0, /* fail when libvirt cannot be reached */
	LC_CMD_WANTS_VIRT = 1 << 1, /* use libvirt when it can be reached, go on without */
	LC_CMD_READ_ONLY = 1 << 2,  /* changes nothing: the first SIGINT/SIGTERM exits at once */
};

struct lc_cmd_entry {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line for --help */
	unsigned flags;
	/* argv[0] is the command's name; returns 0 or -1 with err set */
	int (*exec)(struct lc_session *s, int argc, char **argv, struct lc_err *err);
};

extern const struct lc_cmd_entry lc_cmd_validate_entry;
extern const struct lc_cmd_entry lc_cmd_render_entry;
extern const struct lc_cmd_entry lc_cmd_up_entry;
extern const struct lc_cmd_entry lc_cmd_down_entry;
extern const struct lc_cmd_entry lc_cmd_recreate_entry;
extern const struct lc_cmd_entry lc_cmd_status_entry;
extern const struct lc_cmd_entry lc_cmd_gc_entry;
extern const struct lc_cmd_entry lc_cmd_graph_entry;
extern const struct lc_cmd_entry lc_cmd_host_entry;
extern const struct lc_cmd_entry lc_cmd_image_entry;

extern const struct lc_cmd_entry *const lc_cmd_table[];

const struct lc_cmd_entry *lc_cmd_find(const char *name);
/* Usage error for a command: "usage: labctl NAME USAGE". */
int lc_cmd_usage(const struct lc_cmd_entry *e, struct lc_err *err);

#endif
