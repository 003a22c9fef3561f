/*
 * The command table: one entry per command, each defined in its own
 * cmd-NAME.c. main.c parses the global options, does what an entry's flags
 * ask (connect to libvirt, ...) once, then calls it.
 */
#ifndef LC_CMD_H
#define LC_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "opts.h"

struct lc_virt;

struct lc_cmd_entry;

struct lc_session {
	struct lc_opts opts;
	const struct lc_cmd_entry *entry; /* the command being run */
	struct lc_virt *virt;		  /* set by lc_cmd_virt; NULL when WANTS_VIRT could not */
	const char *virt_error;		  /* why WANTS_VIRT could not connect; NULL otherwise */
	struct lc_err virt_err;		  /* owns virt_error */
	bool virt_tried;
	bool json_written; /* the command printed its --json document, failed or not */
};

enum {
	LC_CMD_NEEDS_VIRT = 1 << 0, /* fail when libvirt cannot be reached */
	LC_CMD_WANTS_VIRT = 1 << 1, /* use libvirt when it can be reached, go on without */
	LC_CMD_JSON = 1 << 2,	    /* has a --json document; without it --json is a usage error */
	LC_CMD_READ_ONLY = 1 << 3,  /* changes nothing: the first SIGINT/SIGTERM exits at once */
};

struct lc_cmd_entry {
	const char *name;
	const char *usage;   /* arguments after the name */
	const char *summary; /* one line for --help */
	const char *options; /* the command's own options, one "  -x, --long ARG  what" a line */
	unsigned flags;
	/* argv[0] is the command's name; returns 0 or -1 with err set */
	int (*exec)(struct lc_session *s, int argc, char **argv, struct lc_err *err);
};

extern const struct lc_cmd_entry lc_cmd_validate_entry;
extern const struct lc_cmd_entry lc_cmd_render_entry;
extern const struct lc_cmd_entry lc_cmd_up_entry;
extern const struct lc_cmd_entry lc_cmd_down_entry;
extern const struct lc_cmd_entry lc_cmd_recreate_entry;
extern const struct lc_cmd_entry lc_cmd_snapshot_entry;
extern const struct lc_cmd_entry lc_cmd_status_entry;
extern const struct lc_cmd_entry lc_cmd_gc_entry;
extern const struct lc_cmd_entry lc_cmd_graph_entry;
extern const struct lc_cmd_entry lc_cmd_host_entry;
extern const struct lc_cmd_entry lc_cmd_image_entry;
extern const struct lc_cmd_entry lc_cmd_kinds_entry;
extern const struct lc_cmd_entry lc_cmd_ssh_entry;
extern const struct lc_cmd_entry lc_cmd_inventory_entry;
extern const struct lc_cmd_entry lc_cmd_console_entry;
extern const struct lc_cmd_entry lc_cmd_help_entry;

extern const struct lc_cmd_entry *const lc_cmd_table[];

const struct lc_cmd_entry *lc_cmd_find(const char *name);
/* Usage error for a command: "usage: labctl NAME USAGE". */
int lc_cmd_usage(const struct lc_cmd_entry *e, struct lc_err *err);
/*
 * Usage error for what getopt_long (opterr 0, optstring led by ':') just
 * returned, c being '?' or ':': names the bad option, then the usage.
 */
int lc_cmd_bad_option(const struct lc_cmd_entry *e, int c, char **argv, struct lc_err *err);
/*
 * Connect to libvirt as the entry's flags say, once: a command calls it
 * after its options are parsed, so a usage error never waits on, or is
 * hidden by, a daemon that is down. -1 with err set only for NEEDS_VIRT.
 */
int lc_cmd_virt(struct lc_session *s, struct lc_err *err);
struct lc_virt_obj;
/* The domain of lab's node among doms (lc_virt_lab_domains), or NULL with err set. */
const struct lc_virt_obj *lc_cmd_find_node(struct lc_virt_obj *doms, size_t n, const char *lab,
					   const char *node, struct lc_err *err);

struct lc_vf_plan;
/* A preview's note on stderr: the groups it planned that another lab holds. */
void lc_cmd_note_held(const struct lc_vf_plan *p, int verbosity);

/* labctl's own help: the synopsis, every command, the global options; caller frees. */
char *lc_cmd_overview(void);
/* The command's help: usage, summary, its options; into a string the caller frees. */
char *lc_cmd_help(const struct lc_cmd_entry *e);

#endif
