/* The table of every labctl command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "vf-alloc.h"
#include "virt.h"

/* clang-format off: one command a line, in the order --help lists them */
const struct lc_cmd_entry *const lc_cmd_table[] = {
    &lc_cmd_validate_entry,
    &lc_cmd_render_entry,
    &lc_cmd_up_entry,
    &lc_cmd_down_entry,
    &lc_cmd_recreate_entry,
    &lc_cmd_snapshot_entry,
    &lc_cmd_status_entry,
    &lc_cmd_gc_entry,
    &lc_cmd_graph_entry,
    &lc_cmd_host_entry,
    &lc_cmd_image_entry,
    &lc_cmd_ssh_entry,
    &lc_cmd_console_entry,
    &lc_cmd_inventory_entry,
    &lc_cmd_kinds_entry,
    &lc_cmd_help_entry,
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

int lc_cmd_bad_option(const struct lc_cmd_entry *e, int c, char **argv, struct lc_err *err)
{
	/* a short option is in optopt; a long one is the element getopt_long stopped at */
	const char *el = optind > 0 ? argv[optind - 1] : "";
	char *arg = strncmp(el, "--", 2) == 0 || !optopt ? lc_strndup(el, strcspn(el, "="))
							 : lc_asprintf("-%c", optopt);
	lc_err_set(err, LC_EXIT_USAGE, "%s: %s '%s'\nusage: labctl %s %s", e->name,
		   c == ':' ? "a value is missing after option" : "unknown option", arg, e->name,
		   e->usage);
	free(arg);
	return -1;
}

int lc_cmd_virt(struct lc_session *s, struct lc_err *err)
{
	if (s->virt || s->virt_tried)
		return s->virt || !(s->entry->flags & LC_CMD_NEEDS_VIRT) ? 0 : -1;
	s->virt_tried = true;
	s->virt = lc_virt_open(s->opts.uri, &s->virt_err);
	if (s->virt)
		return 0;
	if (s->entry->flags & LC_CMD_NEEDS_VIRT) {
		lc_err_move(err, &s->virt_err);
		return -1;
	}
	/* a command that can go on without libvirt keeps the reason it could not connect */
	s->virt_error = s->virt_err.msg;
	return 0;
}

char *lc_cmd_help(const struct lc_cmd_entry *e)
{
	return lc_asprintf("usage: labctl [GLOBAL OPTIONS] %s%s%s\n\n%s\n\noptions:\n%s"
			   "  -h, --help            this help (global options: 'labctl --help')\n",
			   e->name, *e->usage ? " " : "", e->usage, e->summary,
			   e->options ? e->options : "");
}

void lc_cmd_note_held(const struct lc_vf_plan *p, int verbosity)
{
	if (!p->held.n || verbosity < 0)
		return;
	fputs("labctl: note: this preview plans VFs another lab holds:", stderr);
	for (size_t i = 0; i < p->held.n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", p->held.v[i]);
	fputs("; up would get them only once they are released\n", stderr);
}

char *lc_cmd_overview(void)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "usage: labctl [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
			"       labctl --version | --help | help [COMMAND] | COMMAND --help\n\n"
			"commands:\n");
	for (size_t i = 0; lc_cmd_table[i]; i++) {
		const struct lc_cmd_entry *e = lc_cmd_table[i];
		char *head = lc_asprintf("%s %s", e->name, e->usage);
		if (strlen(head) > 30)
			lc_buf_addf(&b, "  %s\n  %-30s %s\n", head, "", e->summary);
		else
			lc_buf_addf(&b, "  %-30s %s\n", head, e->summary);
		free(head);
	}
	lc_buf_adds(
	    &b, "\nglobal options (before or after the command):\n"
		"  -c, --connect URI      libvirt URI (default: $LIBVIRT_DEFAULT_URI, else "
		"qemu:///system)\n"
		"  --sysfs DIR            sysfs root to read (default /sys)\n"
		"  --procfs DIR           procfs root to read (default /proc)\n"
		"  --devfs DIR            devfs root to read (default /dev)\n"
		"  --inventory sysfs|libvirt\n"
		"                         where VFs are read from: --sysfs, or libvirt's node "
		"devices (default: sysfs for a URI naming no host, libvirt otherwise)\n"
		"  --state-dir DIR        labctl's state (default /var/lib/labctl as root, else "
		"$XDG_STATE_HOME/labctl)\n"
		"  --cache-dir DIR        the image cache (default /var/cache/labctl/images as "
		"root, else $XDG_CACHE_HOME/labctl/images)\n"
		"  --templates DIR        domain and network templates\n"
		"  --catalog FILE         the image catalog\n"
		"  --json                 one JSON document on stdout (errors too)\n"
		"  -q, --quiet            print nothing but errors\n"
		"  -v, --verbose          say more\n"
		"  --version              labctl's version\n"
		"  -h, --help             this help\n");
	return lc_buf_detach(&b);
}
