/* labctl render TOPOLOGY [-o DIR]: every XML labctl would define, defined nowhere. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "fsutil.h"
#include "host-facts.h"
#include "host-vfs.h"
#include "output.h"
#include "plan.h"
#include "virt.h"

static const char *type_name(enum lc_object t)
{
	return t == LC_OBJ_DOMAIN ? "domain" : t == LC_OBJ_NETWORK ? "network" : "volume";
}

static int write_dir(const struct lc_plan *p, const char *dir, struct lc_err *err)
{
	if (lc_mkdir_p(dir, err) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		char *file = lc_planned_file_name(&p->v[i]);
		char *path = lc_asprintf("%s/%s", dir, file);
		int rc = lc_write_file_direct(path, p->v[i].xml, strlen(p->v[i].xml), err);
		free(path);
		free(file);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void print_json(const struct lc_topology *t, const struct lc_plan *p, const char *dir)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "{\"lab\":");
	lc_json_str(&b, t->name.v);
	lc_buf_adds(&b, ",\"objects\":[");
	for (size_t i = 0; i < p->n; i++) {
		const struct lc_planned *e = &p->v[i];
		lc_buf_addf(&b, "%s{\"type\":\"%s\",\"name\":", i ? "," : "", type_name(e->type));
		lc_json_str(&b, e->name);
		lc_buf_adds(&b, ",\"node\":");
		lc_json_str(&b, e->node ? e->node->name : NULL);
		if (dir) {
			char *file = lc_planned_file_name(e);
			char *path = lc_asprintf("%s/%s", dir, file);
			lc_buf_adds(&b, ",\"file\":");
			lc_json_str(&b, path);
			free(path);
			free(file);
		}
		lc_buf_adds(&b, ",\"xml\":");
		lc_json_str(&b, e->xml);
		lc_buf_addc(&b, '}');
	}
	lc_buf_adds(&b, "]}\n");
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
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
	if (lc_host_facts_probe(&s->opts, s->virt, &facts, err) < 0 ||
	    lc_host_plan(&s->opts, s->virt, l.topo, false, &devs, err) < 0)
		goto out;
	rc = lc_plan_build(&s->opts, &l, &facts, &devs, time(NULL), &p, err);
	lc_vf_plan_release(&devs);
	if (rc < 0)
		goto out;
	rc = -1;
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
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON,
    .exec = cmd_render,
};
