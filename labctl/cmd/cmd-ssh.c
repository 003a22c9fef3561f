/*
 * labctl ssh LAB NODE [-- COMMAND...]: OpenSSH into a node with the lab's
 * key and known_hosts. ssh replaces labctl (exec), so the terminal and the
 * exit status are ssh's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lab-hosts.h"
#include "lab-ssh.h"
#include "virt.h"

/* The lab's domain of node, or NULL with err set. */
const struct lc_virt_obj *lc_cmd_find_node(struct lc_virt_obj *doms, size_t n, const char *lab,
					   const char *node, struct lc_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (doms[i].node && strcmp(doms[i].node, node) == 0)
			return &doms[i];
	lc_err_set(err, LC_EXIT_USAGE, "lab %s has no node '%s'%s", lab, node,
		   n ? "" : " (no domain carries the lab's metadata)");
	return NULL;
}

/* A node without a planned address: what libvirt knows of its NICs now. */
static int address_from_libvirt(struct lc_session *s, const char *lab, const char *node,
				char ip[16], struct lc_err *err)
{
	/* on whichever host the lab's journal says: its networks' leases are there */
	struct lc_lab_doms ld;
	if (lc_cmd_virt(s, err) < 0 || lc_lab_doms_init(&ld, &s->opts, s->virt, lab, err) < 0)
		return -1;
	const struct lc_virt_obj *d = lc_cmd_find_node(ld.doms, ld.n, lab, node, err);
	for (size_t i = 0; !d && s->opts.verbosity >= 0 && i < ld.n_unreached; i++)
		fprintf(stderr, "labctl: warning: host %s: %s; its nodes cannot be reached\n",
			ld.unreached[i].host, ld.unreached[i].why);
	int rc = d ? lc_lab_node_address(ld.virt[d - ld.doms], d, ip, err) : -1;
	if (rc == 0 && !ip[0])
		rc = lc_err_set(err, LC_EXIT_RESOURCE,
				"node %s of lab %s has no address yet (not running, or its DHCP "
				"lease is not there yet): 'labctl up --wait' waits for it, 'labctl "
				"console %s %s' needs none",
				node, lab, lab, node);
	lc_lab_doms_release(&ld);
	return rc;
}

static int cmd_ssh(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc < 3 || (argc > 3 && strcmp(argv[3], "--") != 0))
		return lc_cmd_usage(&lc_cmd_ssh_entry, err);
	const char *lab = argv[1], *node = argv[2];
	char ip[16] = "";
	/* the planned address up recorded is where the node answers: no libvirt round trip */
	if (!lc_lab_planned_address(s->opts.state_dir, lab, node, ip) &&
	    address_from_libvirt(s, lab, node, ip, err) < 0)
		return -1;
	struct lc_strv args;
	lc_lab_ssh_argv(s->opts.state_dir, lab, ip, argc > 4 ? argv + 4 : NULL,
			argc > 4 ? (size_t)argc - 4 : 0, &args);
	fflush(stdout);
	execvp("ssh", args.v);
	int rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot run ssh: %s (install openssh-client)",
			    strerror(errno));
	lc_strv_release(&args);
	return rc;
}

const struct lc_cmd_entry lc_cmd_ssh_entry = {
    .name = "ssh",
    .usage = "LAB NODE [-- COMMAND...]",
    .summary = "OpenSSH into a node with the lab's key and known_hosts",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_ssh,
};
