/*
 * labctl status [LAB]: labs and their nodes, from what libvirt holds and the
 * labs' journals. A LAB that is nowhere is an error (exit 1), as virsh
 * dominfo treats a missing domain; without LAB, no labs is not.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "isotime.h"
#include "journal.h"
#include "json-writer.h"
#include "lab-hosts.h"
#include "proof.h"
#include "virt.h"

struct node_row {
	char *name, *kind;
	const struct lc_virt_obj *dom; /* NULL: missing */
	const char *host;	       /* the host's name (or URI) it is on; borrowed */
	struct lc_virt *virt;	       /* that host's connection; borrowed */
	char *proof, *l2;	       /* the last boot line with l2=, and its value */
	char *hv;		       /* its hv=, else the image's catalog hypervisor */
	struct lc_ifaddr *live;	       /* the addresses libvirt sees now */
	size_t n_live;
};

/* The IPv4 address libvirt sees on the NIC with mac, or NULL. */
static const char *live_ip(const struct node_row *r, const char *mac)
{
	for (size_t i = 0; i < r->n_live; i++)
		if (strcasecmp(r->live[i].mac, mac) == 0)
			return r->live[i].ip;
	return NULL;
}

/* Each planned NIC with the address it has now (null until known), then any other. */
static void json_addresses(struct lc_jw *jw, const struct node_row *r)
{
	const struct lc_virt_obj *d = r->dom;
	lc_jw_object_inline_begin_array(jw, "addresses");
	for (size_t k = 0; d && k < d->nic_macs.n && k < d->nic_nets.n; k++) {
		lc_jw_array_inline_begin_object(jw);
		lc_jw_object_string(jw, "network", d->nic_nets.v[k]);
		lc_jw_object_string(jw, "mac", d->nic_macs.v[k]);
		lc_jw_object_string(jw, "ip", live_ip(r, d->nic_macs.v[k]));
		lc_jw_end(jw);
	}
	for (size_t i = 0; i < r->n_live; i++) {
		if (d && lc_strv_find(&d->nic_macs, r->live[i].mac) < d->nic_macs.n)
			continue;
		lc_jw_array_inline_begin_object(jw);
		lc_jw_object_null(jw, "network");
		lc_jw_object_string(jw, "mac", r->live[i].mac);
		lc_jw_object_string(jw, "ip", r->live[i].ip);
		lc_jw_end(jw);
	}
	lc_jw_end(jw);
}

/* "mgmt=10.77.0.41,store=-" for the table: each planned NIC's address now. */
static char *text_addresses(const struct node_row *r)
{
	const struct lc_virt_obj *d = r->dom;
	struct lc_buf b = LC_BUF_INIT;
	for (size_t k = 0; d && k < d->nic_macs.n && k < d->nic_nets.n; k++) {
		const char *ip = live_ip(r, d->nic_macs.v[k]);
		lc_buf_addf(&b, "%s%s=%s", b.len ? "," : "", d->nic_nets.v[k], ip ? ip : "-");
	}
	for (size_t i = 0; i < r->n_live; i++)
		if (!d || lc_strv_find(&d->nic_macs, r->live[i].mac) >= d->nic_macs.n)
			lc_buf_addf(&b, "%s%s", b.len ? "," : "", r->live[i].ip);
	if (!b.len)
		lc_buf_adds(&b, "-");
	return lc_buf_detach(&b);
}

struct lab_row {
	char *name;
	time_t expires;
	struct node_row *nodes;
	size_t n, cap;
};

static struct lab_row *lab_of(struct lab_row **labs, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*labs)[i].name, name) == 0)
			return &(*labs)[i];
	LC_GROW(*labs, *cap, *n + 1);
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
	LC_GROW(l->nodes, l->cap, l->n + 1);
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
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_inline_begin_array(&jw, "labs");
	for (size_t i = 0; i < n; i++) {
		const struct lab_row *l = &labs[i];
		char ts[LC_ISO8601_SIZE];
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_string(&jw, "name", l->name);
		if (l->expires && lc_iso8601(l->expires, ts) == 0) {
			lc_jw_object_string(&jw, "expires", ts);
		} else {
			lc_jw_object_null(&jw, "expires");
		}
		lc_jw_object_inline_begin_array(&jw, "nodes");
		for (size_t k = 0; k < l->n; k++) {
			const struct node_row *r = &l->nodes[k];
			lc_jw_array_inline_begin_object(&jw);
			lc_jw_object_string(&jw, "name", r->name);
			char *dom = lc_asprintf("%s-%s", l->name, r->name);
			lc_jw_object_string(&jw, "domain", r->dom ? r->dom->name : dom);
			free(dom);
			lc_jw_object_string(&jw, "kind", r->kind);
			lc_jw_object_string(&jw, "state", state_of(r));
			lc_jw_object_string(&jw, "host", r->host);
			lc_jw_object_inline_begin_array(&jw, "vfs");
			for (size_t v = 0; r->dom && v < r->dom->vfs.n; v++)
				lc_jw_array_string(&jw, r->dom->vfs.v[v]);
			lc_jw_end(&jw);
			lc_jw_object_inline_begin_array(&jw, "macs");
			for (size_t v = 0; r->dom && v < r->dom->macs.n; v++)
				lc_jw_array_string(&jw, r->dom->macs.v[v]);
			lc_jw_end(&jw);
			if (r->dom && r->dom->created && lc_iso8601(r->dom->created, ts) == 0) {
				lc_jw_object_string(&jw, "created", ts);
			} else {
				lc_jw_object_null(&jw, "created");
			}
			lc_jw_object_string(&jw, "hv", r->hv);
			char *l2type = r->proof ? lc_boot_field(r->proof, "l2type") : NULL;
			lc_jw_object_string(&jw, "l2type", l2type);
			free(l2type);
			lc_jw_object_string(&jw, "l2", r->l2);
			lc_jw_object_string(&jw, "proof", r->proof);
			json_addresses(&jw, r);
			lc_jw_end(&jw);
		}
		lc_jw_end(&jw);
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	printf("%s\n", lc_jw_str(&jw));
	lc_jw_release(&jw);
}

/* A node's VFs or MACs, comma-separated, "-" when none. */
static char *joined(const struct lc_strv *l)
{
	struct lc_buf b = LC_BUF_INIT;
	for (size_t i = 0; l && i < l->n; i++)
		lc_buf_addf(&b, "%s%s", i ? "," : "", l->v[i]);
	if (!l || !l->n)
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
			char *vfs = joined(d ? &d->vfs : NULL);
			if ((int)strlen(vfs) > vw)
				vw = (int)strlen(vfs);
			free(vfs);
		}
	/* HOST is as wide as its longest name or URI */
	int hw = 4;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < labs[i].n; k++)
			if (labs[i].nodes[k].host && (int)strlen(labs[i].nodes[k].host) > hw)
				hw = (int)strlen(labs[i].nodes[k].host);
	printf("%-16s %-16s %-24s %-*s %-10s %-9s %-6s %-13s %-5s %-20s %-*s %s  %s\n", "LAB",
	       "NODE", "DOMAIN", hw, "HOST", "KIND", "STATE", "HV", "L2", "AGE", "EXPIRES", vw,
	       "VFS", "MACS", "ADDRESSES");
	for (size_t i = 0; i < n; i++) {
		const struct lab_row *l = &labs[i];
		char exp[LC_ISO8601_SIZE];
		if (!l->expires || lc_iso8601(l->expires, exp) < 0)
			snprintf(exp, sizeof(exp), "-");
		for (size_t k = 0; k < l->n; k++) {
			const struct node_row *r = &l->nodes[k];
			const struct lc_virt_obj *d = r->dom;
			char a[24];
			age(d ? d->created : 0, now, a);
			char *dom = lc_asprintf("%s-%s", l->name, r->name);
			char *vfs = joined(d ? &d->vfs : NULL);
			char *macs = joined(d ? &d->macs : NULL);
			char *addrs = text_addresses(r);
			printf(
			    "%-16s %-16s %-24s %-*s %-10s %-9s %-6s %-13s %-5s %-20s %-*s %s  %s\n",
			    l->name, r->name, d ? d->name : dom, hw, r->host ? r->host : "-",
			    r->kind, state_of(r), r->hv ? r->hv : "-", r->l2 ? r->l2 : "-", a, exp,
			    vw, vfs, macs, addrs);
			free(addrs);
			free(dom);
			free(vfs);
			free(macs);
		}
	}
}

/* status [LAB] [--node NAME]...: the picked nodes' globs go to picks (argv's strings). */
static int parse(int argc, char **argv, const char ***picks, size_t *n_picks, const char **lab,
		 struct lc_err *err)
{
	static const struct option opts[] = {{"node", required_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	*picks = lc_calloc((size_t)argc + 1, sizeof(**picks));
	*n_picks = 0;
	int c, rc = 0;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while (rc == 0 && (c = getopt_long(argc, argv, ":", opts, NULL)) != -1)
		if (c == 'n')
			(*picks)[(*n_picks)++] = optarg;
		else
			rc = lc_cmd_bad_option(&lc_cmd_status_entry, c, argv, err);
	if (rc == 0 && optind < argc - 1)
		rc = lc_cmd_usage(&lc_cmd_status_entry, err);
	*lab = rc == 0 && optind == argc - 1 ? argv[optind] : NULL;
	return rc;
}

static int cmd_status(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	const char **picks;
	size_t n_picks;
	const char *only;
	if (parse(argc, argv, &picks, &n_picks, &only, err) < 0) {
		free(picks);
		return -1;
	}
	struct lc_lab_doms ld;
	if (lc_cmd_virt(s, err) < 0 || lc_lab_doms_init(&ld, &s->opts, s->virt, only, err) < 0) {
		free(picks);
		return -1;
	}
	/* one host down does not hide the others: its nodes show as missing */
	for (size_t i = 0; s->opts.verbosity >= 0 && i < ld.n_unreached; i++)
		fprintf(stderr, "labctl: warning: host %s: %s; its nodes show as missing\n",
			ld.unreached[i].host, ld.unreached[i].why);
	const struct lc_virt_obj *doms = ld.doms;
	size_t nd = ld.n;
	struct lab_row *labs = NULL;
	size_t n = 0, cap = 0;
	struct lc_strv jl;
	int rc = lc_journal_labs(s->opts.state_dir, &jl, err);
	/* nodes the journal knows: their domains may be missing */
	for (size_t i = 0; rc == 0 && i < jl.n; i++) {
		if (only && strcmp(only, jl.v[i]) != 0)
			continue;
		struct lc_journal j;
		if ((rc = lc_journal_read(s->opts.state_dir, jl.v[i], &j, err)) < 0)
			break;
		struct lab_row *l = lab_of(&labs, &n, &cap, jl.v[i]);
		for (size_t k = 0; k < j.nodes.n; k++) {
			char *sp = strchr(j.nodes.v[k], ' ');
			if (sp)
				*sp = '\0';
			if (lc_node_picked(j.nodes.v[k], picks, n_picks))
				node_of(l, j.nodes.v[k], sp ? sp + 1 : NULL);
		}
		lc_journal_release(&j);
	}
	for (size_t i = 0; rc == 0 && i < nd; i++) {
		struct lab_row *l = lab_of(&labs, &n, &cap, doms[i].lab);
		const char *name = doms[i].node ? doms[i].node : doms[i].name;
		if (!lc_node_picked(name, picks, n_picks))
			continue;
		struct node_row *r = node_of(l, name, doms[i].kind);
		r->dom = &doms[i];
		r->host = ld.host[i];
		r->virt = ld.virt[i];
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
			r->hv = lc_journal_hv(s->opts.state_dir, labs[i].name, r->name, r->proof);
			/* not known yet, or a connection that cannot tell: "-", never a guess */
			struct lc_err ignore = LC_ERR_INIT;
			if (r->dom && r->dom->active &&
			    lc_virt_domain_addresses(r->virt, r->dom->name, &r->live, &r->n_live,
						     &ignore) < 0)
				lc_err_release(&ignore);
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
			free(labs[i].nodes[k].hv);
			free(labs[i].nodes[k].live);
		}
		free(labs[i].nodes);
		free(labs[i].name);
	}
	free(labs);
	lc_strv_release(&jl);
	lc_lab_doms_release(&ld);
	free(picks);
	return rc;
}

const struct lc_cmd_entry lc_cmd_status_entry = {
    .name = "status",
    .usage = "[LAB] [--node NAME]...",
    .options = "  --node NAME           only these nodes (repeatable; shell globs)\n",
    .summary = "labs and their nodes: state, kind, nested proof, VFs, MACs, age, expiry",
    .flags = LC_CMD_NEEDS_VIRT | LC_CMD_JSON | LC_CMD_READ_ONLY,
    .exec = cmd_status,
};
