/*
 * labctl status [LAB]: labs and their nodes, from what libvirt holds and the
 * labs' journals. A LAB that is nowhere is an error (exit 1), as virsh
 * dominfo treats a missing domain; without LAB, no labs is not.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "journal.h"
#include "output.h"
#include "proof.h"
#include "virt.h"

struct node_row {
	char *name, *kind;
	const struct lc_virt_obj *dom; /* NULL: missing */
	char *proof, *l2;	       /* the last boot line with l2=, and its value */
};

struct lab_row {
	char *name;
	time_t expires;
	struct node_row *nodes;
	size_t n;
};

static struct lab_row *lab_of(struct lab_row **labs, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*labs)[i].name, name) == 0)
			return &(*labs)[i];
	*labs = lc_realloc(*labs, (*n + 1) * sizeof(**labs));
	struct lab_row *l = &(*labs)[(*n)++];
	memset(l, 0, sizeof(*l));
	l->name = lc_strdup(name);
	return l;
}

static struct node_row *node_of(struct lab_row *l, const char *name, const char *kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->nodes[i].name, name) == 0)
			return &l->nodes[i];
	l->nodes = lc_realloc(l->nodes, (l->n + 1) * sizeof(*l->nodes));
	struct node_row *r = &l->nodes[l->n++];
	memset(r, 0, sizeof(*r));
	r->name = lc_strdup(name);
	r->kind = lc_strdup(kind ? kind : "-");
	return r;
}

static int cmp_lab(const void *a, const void *b)
{
	return strcmp(((const struct lab_row *)a)->name, ((const struct lab_row *)b)->name);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct node_row *)a)->name, ((const struct node_row *)b)->name);
}

static void iso(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *state_of(const struct node_row *r)
{
	return !r->dom		? "missing"
	       : r->dom->paused ? "paused"
	       : r->dom->active ? "running"
				: "shut off";
}

static void age(time_t created, time_t now, char out[24])
{
	long s = created ? (long)(now - created) : -1;
	if (s < 0)
		snprintf(out, 24, "-");
	else if (s < 120)
		snprintf(out, 24, "%lds", s);
	else if (s < 7200)
		snprintf(out, 24, "%ldm", s / 60);
	else
		snprintf(out, 24, "%ldh", s / 3600);
}

static void print_json(const struct lab_row *labs, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "{\"labs\":[");
	for (size_t i = 0; i < n; i++) {
		const struct lab_row *l = &labs[i];
		char ts[32];
		lc_buf_adds(&b, i ? ",{\"name\":" : "{\"name\":");
		lc_json_str(&b, l->name);
		lc_buf_adds(&b, ",\"expires\":");
		if (l->expires) {
			iso(l->expires, ts);
			lc_json_str(&b, ts);
		} else {
			lc_buf_adds(&b, "null");
		}
		lc_buf_adds(&b, ",\"nodes\":[");
		for (size_t k = 0; k < l->n; k++) {
			const struct node_row *r = &l->nodes[k];
			lc_buf_adds(&b, k ? ",{\"name\":" : "{\"name\":");
			lc_json_str(&b, r->name);
			char *dom = lc_asprintf("%s-%s", l->name, r->name);
			lc_buf_adds(&b, ",\"domain\":");
			lc_json_str(&b, r->dom ? r->dom->name : dom);
			free(dom);
			lc_buf_adds(&b, ",\"kind\":");
			lc_json_str(&b, r->kind);
			lc_buf_addf(&b, ",\"state\":\"%s\",\"vfs\":[", state_of(r));
			for (size_t v = 0; r->dom && v < r->dom->n_vfs; v++) {
				lc_buf_adds(&b, v ? "," : "");
				lc_json_str(&b, r->dom->vfs[v]);
			}
			lc_buf_adds(&b, "],\"macs\":[");
			for (size_t v = 0; r->dom && v < r->dom->n_macs; v++) {
				lc_buf_adds(&b, v ? "," : "");
				lc_json_str(&b, r->dom->macs[v]);
			}
			lc_buf_adds(&b, "],\"created\":");
			if (r->dom && r->dom->created) {
				iso(r->dom->created, ts);
				lc_json_str(&b, ts);
			} else {
				lc_buf_adds(&b, "null");
			}
			lc_buf_adds(&b, ",\"l2\":");
			if (r->l2)
				lc_json_str(&b, r->l2);
			else
				lc_buf_adds(&b, "null");
			lc_buf_adds(&b, ",\"proof\":");
			if (r->proof)
				lc_json_str(&b, r->proof);
			else
				lc_buf_adds(&b, "null");
			lc_buf_addc(&b, '}');
		}
		lc_buf_adds(&b, "]}");
	}
	lc_buf_adds(&b, "]}\n");
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
}

/* A node's VFs or MACs, comma-separated, "-" when none. */
static char *joined(char **v, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		lc_buf_addf(&b, "%s%s", i ? "," : "", v[i]);
	if (!n)
		lc_buf_addc(&b, '-');
	return lc_buf_detach(&b);
}

static void print_table(const struct lab_row *labs, size_t n, time_t now)
{
	/* VFS is as wide as its longest list, so that MACS lines up */
	int vw = 3;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < labs[i].n; k++) {
			const struct lc_virt_obj *d = labs[i].nodes[k].dom;
			char *vfs = joined(d ? d->vfs : NULL, d ? d->n_vfs : 0);
			if ((int)strlen(vfs) > vw)
				vw = (int)strlen(vfs);
			free(vfs);
		}
	printf("%-16s %-16s %-24s %-10s %-9s %-13s %-5s %-20s %-*s %s\n", "LAB", "NODE", "DOMAIN",
	       "KIND", "STATE", "L2", "AGE", "EXPIRES", vw, "VFS", "MACS");
	for (size_t i = 0; i < n; i++) {
		const struct lab_row *l = &labs[i];
		char exp[32] = "-";
		if (l->expires)
			iso(l->expires, exp);
		for (size_t k = 0; k < l->n; k++) {
			const struct node_row *r = &l->nodes[k];
			const struct lc_virt_obj *d = r->dom;
			char a[24];
			age(d ? d->created : 0, now, a);
			char *dom = lc_asprintf("%s-%s", l->name, r->name);
			char *vfs = joined(d ? d->vfs : NULL, d ? d->n_vfs : 0);
			char *macs = joined(d ? d->macs : NULL, d ? d->n_macs : 0);
			printf("%-16s %-16s %-24s %-10s %-9s %-13s %-5s %-20s %-*s %s\n", l->name,
			       r->name, d ? d->name : dom, r->kind, state_of(r),
			       r->l2 ? r->l2 : "-", a, exp, vw, vfs, macs);
			free(dom);
			free(vfs);
			free(macs);
		}
	}
}

static int cmd_status(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc > 2)
		return lc_cmd_usage(&lc_cmd_status_entry, err);
	const char *only = argc == 2 ? argv[1] : NULL;
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(s->virt, only, &doms, &nd, err) < 0)
		return -1;
	struct lab_row *labs = NULL;
	size_t n = 0;
	char **jl = NULL;
	size_t njl = 0;
	int rc = lc_journal_labs(s->opts.state_dir, &jl, &njl, err);
	/* nodes the journal knows: their domains may be missing */
	for (size_t i = 0; rc == 0 && i < njl; i++) {
		if (only && strcmp(only, jl[i]) != 0)
			continue;
		struct lc_journal j;
		if ((rc = lc_journal_read(s->opts.state_dir, jl[i], &j, err)) < 0)
			break;
		struct lab_row *l = lab_of(&labs, &n, jl[i]);
		for (size_t k = 0; k < j.n_nodes; k++) {
			char *sp = strchr(j.nodes[k], ' ');
			if (sp)
				*sp = '\0';
			node_of(l, j.nodes[k], sp ? sp + 1 : NULL);
		}
		lc_journal_release(&j);
	}
	for (size_t i = 0; rc == 0 && i < nd; i++) {
		struct lab_row *l = lab_of(&labs, &n, doms[i].lab);
		struct node_row *r =
		    node_of(l, doms[i].node ? doms[i].node : doms[i].name, doms[i].kind);
		r->dom = &doms[i];
		if (doms[i].expires)
			l->expires = doms[i].expires;
	}
	/* a script asking after one lab learns from the exit code that it is gone */
	if (rc == 0 && only && !n)
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"no lab named '%s' (no domain carries its metadata and the state "
				"dir has no journal of it)",
				only);
	for (size_t i = 0; rc == 0 && i < n; i++)
		for (size_t k = 0; k < labs[i].n; k++) {
			struct node_row *r = &labs[i].nodes[k];
			r->proof = lc_journal_last_proof(s->opts.state_dir, labs[i].name, r->name);
			r->l2 = r->proof ? lc_boot_field(r->proof, "l2") : NULL;
		}
	if (rc == 0) {
		if (n)
			qsort(labs, n, sizeof(*labs), cmp_lab);
		for (size_t i = 0; i < n; i++)
			if (labs[i].n)
				qsort(labs[i].nodes, labs[i].n, sizeof(*labs[i].nodes), cmp_node);
		if (s->opts.json)
			print_json(labs, n);
		else if (n)
			print_table(labs, n, time(NULL));
		else
			printf("no labs\n");
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < labs[i].n; k++) {
			free(labs[i].nodes[k].name);
			free(labs[i].nodes[k].kind);
			free(labs[i].nodes[k].proof);
			free(labs[i].nodes[k].l2);
		}
		free(labs[i].nodes);
		free(labs[i].name);
	}
	free(labs);
	for (size_t i = 0; i < njl; i++)
		free(jl[i]);
	free(jl);
	lc_virt_objs_free(doms, nd);
	return rc;
}

const struct lc_cmd_entry lc_cmd_status_entry = {
    .name = "status",
    .usage = "[LAB]",
    .summary = "labs and their nodes: state, kind, nested proof, VFs, MACs, age, expiry",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_status,
};
