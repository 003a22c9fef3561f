/* labctl down LAB|TOPOLOGY: remove everything the lab owns; a second down is a no-op. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "fsutil.h"
#include "lab.h"
#include "load.h"
#include "json-writer.h"
#include "topology.h"
#include "validate.h"

/* The lab's name from a topology file, or the argument itself. */
static int lab_name(const char *arg, char **out, struct lc_err *err)
{
	if (lc_valid_lab_name(arg) && !strchr(arg, '.')) {
		*out = lc_strdup(arg);
		return 0;
	}
	char *data;
	size_t len;
	if (lc_load_topology_text(arg, &data, &len, err) < 0) {
		char *why = lc_strdup(err->msg ? err->msg : "unreadable");
		lc_err_release(err);
		lc_err_set(err, LC_EXIT_USAGE,
			   "'%s' is neither a lab name nor a readable topology file: %s", arg, why);
		free(why);
		return -1;
	}
	struct lc_diags d;
	lc_diags_init(&d);
	/* only the name matters: a topology with other problems can still be brought down */
	struct lc_topology *t = lc_topology_parse(arg, data, len, &d);
	free(data);
	int rc = 0;
	if (!t || !t->name.v || !lc_valid_lab_name(t->name.v))
		rc = lc_diags_to_err(&d, err) < 0
			 ? -1
			 : lc_err_set(err, LC_EXIT_USAGE, "%s: no valid lab name in it", arg);
	else
		*out = lc_strdup(t->name.v);
	lc_diags_release(&d);
	lc_topology_free(t);
	return rc;
}

static int cmd_down(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"node", required_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	const char **only = lc_calloc((size_t)argc + 1, sizeof(*only));
	size_t n_only = 0;
	int c, rc = 0;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if (c == 'n')
			only[n_only++] = optarg;
		else
			rc = lc_cmd_bad_option(&lc_cmd_down_entry, c, argv, err);
	if (rc == 0 && optind != argc - 1)
		rc = lc_cmd_usage(&lc_cmd_down_entry, err);
	char *lab = NULL;
	if (rc == 0)
		rc = lab_name(argv[optind], &lab, err);
	if (rc < 0) {
		free(only);
		return -1;
	}
	struct lc_down_report r;
	rc = lc_cmd_virt(s, err);
	if (rc == 0)
		rc = lc_lab_down_nodes(&s->opts, s->virt, lab, only, n_only, &r, err);
	free(only);
	if (rc == 0 && s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_string(&jw, "lab", lab);
		lc_jw_object_uint(&jw, "domains", r.n_domains);
		lc_jw_object_uint(&jw, "networks", r.n_networks);
		lc_jw_object_uint(&jw, "volumes", r.n_volumes);
		lc_jw_object_uint(&jw, "leases", r.n_leases);
		lc_jw_object_double(&jw, "seconds", 3, r.seconds);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	} else if (rc == 0 && s->opts.verbosity >= 0)
		printf("lab %s: %zu domains, %zu networks, %zu volumes removed, %zu leases "
		       "released (%.2fs)\n",
		       lab, r.n_domains, r.n_networks, r.n_volumes, r.n_leases, r.seconds);
	free(lab);
	return rc;
}

const struct lc_cmd_entry lc_cmd_down_entry = {
    .name = "down",
    .usage = "LAB|TOPOLOGY [--node NAME]...",
    .summary = "remove the lab: domains, networks, VF leases",
    .options = "  --node NAME           only these nodes' domains and volumes (repeatable; shell "
	       "globs); the lab's networks and leases stay\n",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_down,
};
