/*
 * labctl inventory LAB [--format yaml|ini]: the lab as an Ansible
 * inventory, from what libvirt holds (the domains' metadata): a group for
 * the lab and one per kind; each host with its address, the lab's user, key
 * and known_hosts, and host vars labctl_kind and labctl_vfs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "lab-hosts.h"
#include "lab-ssh.h"
#include "quote.h"
#include "seed.h"
#include "virt.h"

/* Ansible group names take letters, digits and '_'. */
static char *group_name(const char *s)
{
	char *g = lc_strdup(s);
	for (char *p = g; *p; p++)
		if (*p == '-')
			*p = '_';
	return g;
}

struct host {
	const struct lc_virt_obj *d;
	struct lc_virt *v; /* its host's connection */
	char ip[16];
};

static const char *known_addr(struct host *h)
{
	/* planned, known before boot; else what libvirt sees now (a bridge's ARP) */
	if (h->d->n_nics)
		return h->d->nic_ips.v[0];
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_lab_node_address(h->v, h->d, h->ip, &ignore) < 0)
		lc_err_release(&ignore);
	return h->ip[0] ? h->ip : NULL;
}

/* One "vfs" value: [{address, mac}], as YAML flow or an INI literal. */
static void vfs_value(struct lc_buf *b, const struct lc_virt_obj *d)
{
	lc_buf_addc(b, '[');
	for (size_t i = 0; i < d->vfs.n; i++) {
		lc_buf_addf(b, "%s{\"address\": \"%s\", \"mac\": %s%s%s}", i ? ", " : "",
			    d->vfs.v[i], i < d->macs.n ? "\"" : "",
			    i < d->macs.n ? d->macs.v[i] : "null", i < d->macs.n ? "\"" : "");
	}
	lc_buf_addc(b, ']');
}

static void yaml_host(struct lc_buf *b, struct host *h, const char *lab, const char *id,
		      const char *common)
{
	lc_buf_addf(b, "        %s:\n", h->d->node);
	const char *ip = known_addr(h);
	if (ip) {
		lc_buf_adds(b, "          ansible_host: ");
		lc_quote_yaml(b, ip);
		lc_buf_addc(b, '\n');
	}
	lc_buf_adds(b, "          ansible_user: " LC_SEED_USER "\n");
	if (id) {
		lc_buf_adds(b, "          ansible_ssh_private_key_file: ");
		lc_quote_yaml(b, id);
		lc_buf_addc(b, '\n');
	}
	lc_buf_adds(b, "          ansible_ssh_common_args: ");
	lc_quote_yaml(b, common);
	lc_buf_adds(b, "\n          labctl_lab: ");
	lc_quote_yaml(b, lab);
	lc_buf_adds(b, "\n          labctl_kind: ");
	lc_quote_yaml(b, h->d->kind ? h->d->kind : "");
	lc_buf_adds(b, "\n          labctl_vfs: ");
	vfs_value(b, h->d);
	lc_buf_addc(b, '\n');
}

static void ini_host(struct lc_buf *b, struct host *h, const char *lab, const char *id,
		     const char *common)
{
	lc_buf_adds(b, h->d->node);
	const char *ip = known_addr(h);
	if (ip)
		lc_buf_addf(b, " ansible_host=%s", ip);
	lc_buf_adds(b, " ansible_user=" LC_SEED_USER);
	if (id) {
		lc_buf_adds(b, " ansible_ssh_private_key_file=");
		lc_quote_sh(b, id);
	}
	lc_buf_adds(b, " ansible_ssh_common_args=");
	lc_quote_sh(b, common);
	lc_buf_addf(b, " labctl_lab=%s labctl_kind=%s labctl_vfs=", lab,
		    h->d->kind ? h->d->kind : "''");
	struct lc_buf v = LC_BUF_INIT;
	vfs_value(&v, h->d);
	lc_quote_sh(b, lc_buf_str(&v));
	lc_buf_release(&v);
	lc_buf_addc(b, '\n');
}

static int cmd_inventory(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	const char *format = "yaml";
	int c;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c != 'f')
			return lc_cmd_bad_option(&lc_cmd_inventory_entry, c, argv, err);
		format = optarg;
	}
	if (optind != argc - 1)
		return lc_cmd_usage(&lc_cmd_inventory_entry, err);
	bool ini = strcmp(format, "ini") == 0;
	if (!ini && strcmp(format, "yaml") != 0)
		return lc_err_set(err, LC_EXIT_USAGE,
				  "inventory: --format is yaml or ini, not '%s'", format);
	const char *lab = argv[optind];
	/* the lab's nodes on every host its journal names, each asked on its own host */
	struct lc_lab_doms ld;
	if (lc_cmd_virt(s, err) < 0 || lc_lab_doms_init(&ld, &s->opts, s->virt, lab, err) < 0)
		return -1;
	for (size_t i = 0; s->opts.verbosity >= 0 && i < ld.n_unreached; i++)
		fprintf(stderr, "labctl: warning: host %s: %s; its nodes are left out\n",
			ld.unreached[i].host, ld.unreached[i].why);
	const struct lc_virt_obj *doms = ld.doms;
	size_t n = ld.n;
	if (!n) {
		lc_lab_doms_release(&ld);
		return lc_err_set(err, LC_EXIT_RUNTIME,
				  "no lab named '%s' (no domain carries its "
				  "metadata)",
				  lab);
	}
	struct host *hosts = lc_calloc(n, sizeof(*hosts));
	for (size_t i = 0; i < n; i++) {
		hosts[i].d = &doms[i];
		hosts[i].v = ld.virt[i];
	}
	char *id = lc_lab_identity(s->opts.state_dir, lab);
	char *known = lc_lab_file(s->opts.state_dir, lab, "known_hosts");
	char *common =
	    lc_asprintf("-o UserKnownHostsFile=%s -o StrictHostKeyChecking=accept-new", known);
	char *group = group_name(lab);
	struct lc_buf b = LC_BUF_INIT;
	if (ini) {
		lc_buf_addf(&b, "# labctl inventory %s\n[%s]\n", lab, group);
		for (size_t i = 0; i < n; i++)
			if (doms[i].node)
				ini_host(&b, &hosts[i], lab, id, common);
	} else {
		lc_buf_addf(&b, "# labctl inventory %s\nall:\n  children:\n    %s:\n      hosts:\n",
			    lab, group);
		for (size_t i = 0; i < n; i++)
			if (doms[i].node)
				yaml_host(&b, &hosts[i], lab, id, common);
	}
	/* a group per kind, listing its hosts (their vars are given once, above) */
	for (size_t i = 0; i < n; i++) {
		const char *k = doms[i].kind;
		bool first = k && doms[i].node;
		for (size_t j = 0; first && j < i; j++)
			first = !(doms[j].kind && doms[j].node && strcmp(doms[j].kind, k) == 0);
		/* a lab named like a kind: its group already lists every host */
		if (!first || strcmp(k, lab) == 0)
			continue;
		char *kg = group_name(k);
		lc_buf_addf(&b, ini ? "\n[%s]\n" : "    %s:\n      hosts:\n", kg);
		for (size_t j = i; j < n; j++)
			if (doms[j].kind && doms[j].node && strcmp(doms[j].kind, k) == 0)
				lc_buf_addf(&b, ini ? "%s\n" : "        %s: {}\n", doms[j].node);
		free(kg);
	}
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
	free(group);
	free(common);
	free(known);
	free(id);
	free(hosts);
	lc_lab_doms_release(&ld);
	return 0;
}

const struct lc_cmd_entry lc_cmd_inventory_entry = {
    .name = "inventory",
    .usage = "LAB [--format yaml|ini]",
    .summary = "the lab as an Ansible inventory (groups per lab and per kind)",
    .options = "  --format yaml|ini     the inventory's format (default yaml)\n",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_inventory,
};
