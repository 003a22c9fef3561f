/* labctl snapshot save|revert|ls|rm: a whole lab saved at one moment, and back. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "json-writer.h"
#include "lab-snapshot.h"
#include "validate.h"

static int lab_arg(const char *arg, struct lc_err *err)
{
	if (lc_valid_lab_name(arg))
		return 0;
	return lc_err_set(err, LC_EXIT_USAGE, "'%s' is not a lab name", arg);
}

static void print_nodes(const struct lc_session *s, const struct lc_snapshot *r, const char *verb)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].warning)
			fprintf(stderr, "labctl: warning: %s\n", r->nodes[i].warning);
	if (s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_string(&jw, "lab", r->lab);
		lc_jw_object_string(&jw, "snapshot", r->name);
		lc_jw_object_string(&jw, "time", r->time ? r->time : "");
		lc_jw_object_inline_begin_array(&jw, "nodes");
		for (size_t i = 0; i < r->n_nodes; i++) {
			const struct lc_snap_node *n = &r->nodes[i];
			lc_jw_array_inline_begin_object(&jw);
			lc_jw_object_string(&jw, "node", n->node);
			lc_jw_object_string(&jw, "state", n->running ? "running" : "shutoff");
			lc_jw_object_string(&jw, "action", n->error ? "failed" : verb);
			lc_jw_object_uint(&jw, "image_bytes", n->image_bytes);
			lc_jw_object_double(&jw, "seconds", 3, n->seconds);
			if (n->error)
				lc_jw_object_string(&jw, "error", n->error);
			if (n->warning)
				lc_jw_object_string(&jw, "warning", n->warning);
			lc_jw_end(&jw);
		}
		lc_jw_end(&jw);
		lc_jw_object_double(&jw, "seconds", 3, r->seconds);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
		return;
	}
	if (s->opts.verbosity < 0)
		return;
	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct lc_snap_node *n = &r->nodes[i];
		if (n->error)
			printf("  %-16s failed: %s\n", n->node, n->error);
		else if (n->running)
			printf("  %-16s %s (%.2fs, memory image %.1f MiB)\n", n->node, verb,
			       n->seconds, (double)n->image_bytes / (1024 * 1024));
		else
			printf("  %-16s %s, shut off (disk only, %.2fs)\n", n->node, verb,
			       n->seconds);
	}
	printf("lab %s: snapshot %s %s, %zu node%s (%.2fs)\n", r->lab, r->name, verb, r->n_nodes,
	       r->n_nodes == 1 ? "" : "s", r->seconds);
}

static int do_list(struct lc_session *s, const char *lab, struct lc_err *err)
{
	struct lc_snapshot *v;
	size_t n;
	if (lc_snapshot_list(&s->opts, lab, &v, &n, err) < 0)
		return -1;
	if (s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_inline_begin_array(&jw, "snapshots");
		for (size_t i = 0; i < n; i++) {
			lc_jw_array_inline_begin_object(&jw);
			lc_jw_object_string(&jw, "lab", v[i].lab);
			lc_jw_object_string(&jw, "name", v[i].name);
			lc_jw_object_string(&jw, "time", v[i].time ? v[i].time : "");
			lc_jw_object_inline_begin_array(&jw, "nodes");
			for (size_t k = 0; k < v[i].n_nodes; k++)
				lc_jw_array_string(&jw, v[i].nodes[k].node);
			lc_jw_end(&jw);
			lc_jw_end(&jw);
		}
		lc_jw_end(&jw);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	} else if (s->opts.verbosity >= 0) {
		for (size_t i = 0; i < n; i++) {
			unsigned long long bytes = 0;
			size_t running = 0;
			for (size_t k = 0; k < v[i].n_nodes; k++) {
				bytes += v[i].nodes[k].image_bytes;
				running += v[i].nodes[k].running;
			}
			printf("%-16s %-16s %s  %zu nodes (%zu running)  %.1f MiB\n", v[i].lab,
			       v[i].name, v[i].time ? v[i].time : "-", v[i].n_nodes, running,
			       (double)bytes / (1024 * 1024));
		}
	}
	lc_snapshots_free(v, n);
	return 0;
}

static int cmd_snapshot(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"jobs", required_argument, NULL, 'j'},
					     {"force", no_argument, NULL, 'f'},
					     {"unplug-timeout", required_argument, NULL, 'u'},
					     {NULL, 0, NULL, 0}};
	/* saving and restoring wait on libvirt and the disk more than on the CPUs: as down does */
	struct lc_snap_opts so = {.jobs = 16};
	int c, rc = 0;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while (rc == 0 && (c = getopt_long(argc, argv, ":j:", opts, NULL)) != -1) {
		char *end;
		if (c == 'j') {
			long j = strtol(optarg, &end, 10);
			if (*end || j < 1 || j > 256)
				rc = lc_err_set(err, LC_EXIT_USAGE, "-j wants 1 to 256, not '%s'",
						optarg);
			so.jobs = (int)j;
		} else if (c == 'f') {
			so.force = true;
		} else if (c == 'u') {
			/* a guest under TCG, or a busy one, may need longer to let go of a VF */
			double t = strtod(optarg, &end);
			if (end == optarg || *end || !(t > 0 && t <= 3600))
				rc =
				    lc_err_set(err, LC_EXIT_USAGE,
					       "--unplug-timeout wants seconds, more than 0 and at "
					       "most 3600, not '%s'",
					       optarg);
			so.unplug_timeout_s = t;
		} else {
			rc = lc_cmd_bad_option(&lc_cmd_snapshot_entry, c, argv, err);
		}
	}
	if (rc < 0)
		return -1;
	int left = argc - optind;
	const char *verb = left > 0 ? argv[optind] : "";
	const char *lab = left > 1 ? argv[optind + 1] : NULL;
	const char *name = left > 2 ? argv[optind + 2] : NULL;
	bool list = strcmp(verb, "ls") == 0;
	if (list ? left > 2
		 : (left != 3 ||
		    (strcmp(verb, "save") && strcmp(verb, "revert") && strcmp(verb, "rm"))))
		return lc_cmd_usage(&lc_cmd_snapshot_entry, err);
	if (so.force && strcmp(verb, "revert") != 0)
		return lc_err_set(err, LC_EXIT_USAGE, "snapshot %s: --force is revert's option",
				  verb);
	if (so.unplug_timeout_s > 0 && strcmp(verb, "save") != 0)
		return lc_err_set(err, LC_EXIT_USAGE,
				  "snapshot %s: --unplug-timeout is save's option", verb);
	if ((lab && lab_arg(lab, err) < 0) || (name && lc_snapshot_check_name(name, err) < 0))
		return -1;
	if (list)
		return do_list(s, lab, err);
	if (lc_cmd_virt(s, err) < 0)
		return -1;
	struct lc_snapshot r;
	memset(&r, 0, sizeof(r));
	if (strcmp(verb, "rm") == 0) {
		rc = lc_snapshot_rm(&s->opts, s->virt, lab, name, err);
		if (rc == 0 && s->opts.json)
			printf("{\"lab\": \"%s\", \"removed\": \"%s\"}\n", lab, name);
		else if (rc == 0 && s->opts.verbosity >= 0)
			printf("lab %s: snapshot %s removed\n", lab, name);
		return rc;
	}
	bool save = strcmp(verb, "save") == 0;
	rc = save ? lc_snapshot_save(&s->opts, s->virt, lab, name, &so, &r, err)
		  : lc_snapshot_revert(&s->opts, s->virt, lab, name, &so, &r, err);
	bool failed_nodes = false;
	for (size_t i = 0; i < r.n_nodes; i++)
		failed_nodes |= r.nodes[i].error != NULL;
	if (r.n_nodes && (rc == 0 || failed_nodes)) {
		print_nodes(s, &r, save ? "saved" : "reverted");
		s->json_written = s->opts.json;
	}
	lc_snapshot_release(&r);
	return rc;
}

const struct lc_cmd_entry lc_cmd_snapshot_entry = {
    .name = "snapshot",
    .usage = "save|revert|rm LAB NAME [-j N] [--force] [--unplug-timeout SECS] | ls [LAB]",
    .summary = "save the whole lab at one moment, bring it back in seconds",
    .options = "  -j, --jobs N          nodes saved or restored at once (default 16)\n"
	       "  --force               revert: even though the lab's nodes changed since\n"
	       "                        the snapshot\n"
	       "  --unplug-timeout SECS save: how long a guest has to let go of its VFs\n"
	       "                        and pci: devices (default 30)\n",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_snapshot,
};
