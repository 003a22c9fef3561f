/* labctl render TOPOLOGY [-o DIR]: every XML labctl would define, defined nowhere. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd-up.h"
#include "fsutil.h"
#include "host-facts.h"
#include "host-vfs.h"
#include "interrupt.h"
#include "json-writer.h"
#include "plan.h"
#include "strv.h"
#include "virt.h"

static const char *type_name(enum lc_object t)
{
	return t == LC_OBJ_DOMAIN ? "domain" : t == LC_OBJ_NETWORK ? "network" : "volume";
}

/*
 * Every file is written to a temporary name first and renamed into place
 * only once all are written: a full disk or a signal leaves DIR as it was,
 * never with part of the lab's files.
 */
static int write_dir(const struct lc_plan *p, const char *dir, struct lc_err *err)
{
	if (lc_mkdir_p(dir, err) < 0)
		return -1;
	struct lc_strv tmp = LC_STRV_INIT, path = LC_STRV_INIT;
	int rc = 0;
	for (size_t i = 0; i < p->n; i++) {
		char *file = lc_planned_file_name(&p->v[i]);
		lc_strv_pushf(&path, "%s/%s", dir, file);
		lc_strv_pushf(&tmp, "%s/.%s.tmp.%ld", dir, file, (long)getpid());
		free(file);
	}
	/* from here a signal is recorded, and the temporary files removed */
	lc_interrupt_set_immediate(false);
	size_t written = 0;
	for (; rc == 0 && written < p->n; written++) {
		if (lc_interrupted())
			rc =
			    lc_err_set(err, LC_EXIT_RUNTIME, "render interrupted: nothing written");
		else
			rc = lc_write_file_direct(tmp.v[written], p->v[written].xml,
						  strlen(p->v[written].xml), err);
	}
	/*
	 * The old file goes first: ext4 flushes a file renamed over another to
	 * disk at once (auto_da_alloc), which made -o DIR five times slower.
	 * Every file is written by then, so no failure can leave a partial set.
	 */
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		if ((unlink(path.v[i]) < 0 && errno != ENOENT) || rename(tmp.v[i], path.v[i]) < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot rename '%s' to '%s': %s",
					tmp.v[i], path.v[i], strerror(errno));
	for (size_t i = 0; rc < 0 && i < written; i++)
		unlink(tmp.v[i]);
	lc_strv_release(&tmp);
	lc_strv_release(&path);
	return rc;
}

static void print_json(const struct lc_topology *t, const struct lc_plan *p, const char *dir)
{
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_string(&jw, "lab", t->name.v);
	lc_jw_object_inline_begin_array(&jw, "objects");
	for (size_t i = 0; i < p->n; i++) {
		const struct lc_planned *e = &p->v[i];
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_string(&jw, "type", type_name(e->type));
		lc_jw_object_string(&jw, "name", e->name);
		lc_jw_object_string(&jw, "node", e->node ? e->node->name : NULL);
		if (dir) {
			char *file = lc_planned_file_name(e);
			char *path = lc_asprintf("%s/%s", dir, file);
			lc_jw_object_string(&jw, "file", path);
			free(path);
			free(file);
		}
		if (e->type == LC_OBJ_DOMAIN) {
			lc_jw_object_inline_begin_array(&jw, "dropped");
			for (size_t k = 0; k < e->dropped.n; k++)
				lc_jw_array_string(&jw, e->dropped.v[k]);
			lc_jw_end(&jw);
		}
		lc_jw_object_string(&jw, "xml", e->xml);
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	printf("%s\n", lc_jw_str(&jw));
	lc_jw_release(&jw);
}

static int cmd_render(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	int c;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
		if (c != 'o')
			return lc_cmd_bad_option(&lc_cmd_render_entry, c, argv, err);
		dir = optarg;
	}
	if (optind != argc - 1)
		return lc_cmd_usage(&lc_cmd_render_entry, err);
	struct lc_loaded l;
	if (lc_load(&s->opts, argv[optind], &l, err) < 0)
		return -1;
	struct lc_host_facts facts;
	struct lc_vf_plan devs = {0};
	struct lc_plan p;
	int rc = -1;
	/* VFs are planned against the inventory as up would, but nothing is leased */
	if (lc_cmd_virt(s, err) < 0 || lc_host_facts_probe(&s->opts, s->virt, &facts, err) < 0 ||
	    lc_host_plan(&s->opts, s->virt, l.topo, false, &devs, err) < 0)
		goto out;
	lc_cmd_note_held(&devs, s->opts.verbosity);
	rc = lc_plan_build(&s->opts, &l, &facts, &devs, time(NULL), &p, err);
	lc_vf_plan_release(&devs);
	if (rc < 0)
		goto out;
	rc = -1;
	lc_report_fit(&p, s->opts.verbosity, s->opts.json);
	/* up would refuse these: said here, but what would be defined is still shown */
	for (size_t i = 0; i < p.n && s->opts.verbosity >= 0; i++) {
		struct lc_err need = LC_ERR_INIT;
		struct lc_plan one = {.v = &p.v[i], .n = 1};
		if (lc_plan_check_needs(&one, &need) < 0)
			fprintf(stderr, "labctl: warning: %s\n", need.msg);
		lc_err_release(&need);
	}
	if (dir && write_dir(&p, dir, err) < 0) {
		lc_plan_release(&p);
		goto out;
	}
	if (s->opts.json) {
		print_json(l.topo, &p, dir);
	} else if (!dir) {
		for (size_t i = 0; i < p.n; i++) {
			char *file = lc_planned_file_name(&p.v[i]);
			printf("%s<!-- %s -->\n%s", i ? "\n" : "", file, p.v[i].xml);
			free(file);
		}
	}
	lc_plan_release(&p);
	rc = 0;
out:
	lc_loaded_release(&l);
	return rc;
}

const struct lc_cmd_entry lc_cmd_render_entry = {
    .name = "render",
    .usage = "TOPOLOGY [-o DIR]",
    .summary = "write every XML labctl would define (domains, networks, volumes)",
    .options = "  -o, --output DIR      write LAB-NODE.xml, LAB-NET.network.xml and the volumes' "
	       "XML into DIR\n",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON | LC_CMD_READ_ONLY,
    .exec = cmd_render,
};
