/*
 * How people reach a lab's nodes: the lab's SSH key (the topology's
 * ssh_key, or an ed25519 pair labctl makes once per lab), the files in
 * STATE/labs/LAB/ that ssh uses (known_hosts, ssh_config), and the
 * command line of `labctl ssh`.
 */
#ifndef LC_LAB_SSH_H
#define LC_LAB_SSH_H

#include <stdbool.h>

#include "addr.h"
#include "err.h"
#include "model.h"
#include "strv.h"

/* STATE/labs/LAB/id_ed25519 and the rest; caller frees. */
char *lc_lab_file(const char *state_dir, const char *lab, const char *name);

/*
 * Make the lab's key pair unless the topology names a key of its own or the
 * pair exists already (ssh-keygen, mode 0600, in STATE/labs/LAB/).
 */
int lc_lab_key_ensure(const char *state_dir, const struct lc_topology *t, struct lc_err *err);
/* The lab's public key line, without its newline; NULL when there is none yet. */
char *lc_lab_pubkey(const char *state_dir, const struct lc_topology *t);
/*
 * The private key ssh is given for LAB: labctl's own pair, or the ssh_key's
 * private half beside it (KEY.pub -> KEY) when it exists; NULL: ssh's own
 * choice (an agent). Caller frees.
 */
char *lc_lab_identity(const char *state_dir, const char *lab);

struct lc_virt;
struct lc_virt_obj;

/*
 * The address a node is reached at now: of its NICs' addresses libvirt
 * knows (DHCP leases, ARP), the first planned NIC's, else the first.
 * ip[0] is '\0' when it has none yet. dom is the node's domain as listed.
 */
int lc_lab_node_address(struct lc_virt *v, const struct lc_virt_obj *dom, char ip[16],
			struct lc_err *err);

/*
 * The address up planned for node, as its ssh_config records it: 1 with ip
 * set, 0 when the lab has no such entry (no planned address, or no file).
 */
int lc_lab_planned_address(const char *state_dir, const char *lab, const char *node, char ip[16]);

/*
 * Whether an SSH server answers at ip:port with its banner, asked without
 * blocking so that up --wait watches every node at once: each step polls
 * the connection in flight (making one when there is none) and returns 1
 * once the banner came, 0 while it has not. A connection refused or
 * answered with something else is made again at the next step; one that
 * has shown nothing for retry_s (a SYN lost before the guest's network was
 * up) too. fd is -1 in a fresh probe; lc_ssh_probe_release closes it.
 */
struct lc_ssh_probe {
	int fd;
	double since;
};
#define LC_SSH_PROBE_INIT                                                                          \
	{                                                                                          \
		-1, 0                                                                              \
	}
int lc_ssh_probe_step(struct lc_ssh_probe *p, const char *ip, int port, double now, double retry_s);
void lc_ssh_probe_release(struct lc_ssh_probe *p);

/* Write STATE/labs/LAB/ssh_config: a Host entry per node with a planned address. */
int lc_lab_ssh_config(const char *state_dir, const struct lc_topology *t,
		      const struct lc_addrs *addrs, struct lc_err *err);

/*
 * ssh's arguments (argv[0] "ssh") to run cmd (may be empty) on user@ip with
 * the lab's identity and known_hosts, into argv (emptied first; argv->v is
 * what execvp takes).
 */
void lc_lab_ssh_argv(const char *state_dir, const char *lab, const char *ip, char *const *cmd,
		     size_t n_cmd, struct lc_strv *argv);

#endif
