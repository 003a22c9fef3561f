/*
 * The lab model: what a topology file says, after defaults are merged and
 * replicas expanded, with the position of every value so that validation can
 * point at it. Built by topology.c, checked by validate.c, read by everyone.
 * One owner: lc_topology_free() frees everything below it.
 */
#ifndef LC_MODEL_H
#define LC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* A string value and where it was written; v is NULL when the key was absent. */
struct lc_str {
	char *v;
	struct lc_mark at;
};

struct lc_num {
	uint64_t v;
	bool set;
	struct lc_mark at;
};

struct lc_flag {
	bool v;
	bool set;
	struct lc_mark at;
};

struct lc_strlist {
	struct lc_str *v;
	size_t n, cap;
	bool set;
	struct lc_mark at;
};

enum lc_netmode { LC_NET_NAT, LC_NET_ISOLATED, LC_NET_BRIDGE };

struct lc_network {
	struct lc_str name;
	enum lc_netmode mode;
	struct lc_str mode_str;
	struct lc_str subnet; /* "10.77.0.0/24"; absent for bridge */
	struct lc_str bridge; /* host bridge for mode bridge */
};

struct lc_vf_pool {
	struct lc_str name;
	struct lc_strlist match;   /* "vendor:device", '*' wildcards */
	struct lc_strlist pf;	   /* "ens1f0" or "ens1f1#0-3" */
	struct lc_strlist address; /* PCI address globs */
};

struct lc_vf_req {
	struct lc_mark at;
	struct lc_str pool;
	struct lc_num count;
	struct lc_num vlan;
	struct lc_strlist macs; /* empty: derived from lab, node and index */
};

/* ip: {NETWORK: ADDRESS}: the address a node's NIC on that network gets. */
struct lc_ip_req {
	struct lc_str network;
	struct lc_str addr;
};

struct lc_pci_req {
	struct lc_mark at;
	struct lc_str address;
};

enum lc_tweak_op { LC_TWEAK_SET, LC_TWEAK_REMOVE, LC_TWEAK_APPEND };

struct lc_tweak {
	struct lc_mark at;
	enum lc_tweak_op op;
	struct lc_str xpath;
	struct lc_str value; /* set: the new value; append: an XML fragment */
};

enum lc_firmware { LC_FW_BIOS, LC_FW_UEFI, LC_FW_UEFI_SECURE };
enum lc_accel { LC_ACCEL_AUTO, LC_ACCEL_KVM, LC_ACCEL_TCG };

/* Every key a node (or the defaults) may carry; docs/topology.md. */
struct lc_node {
	char *name;	   /* after replica expansion: NAME-i */
	char *origin;	   /* the name as written */
	unsigned replica;  /* 1..N for replicas, 0 otherwise */
	struct lc_mark at; /* the node's key in "nodes:" */

	struct lc_str kind;
	struct lc_str template_path;
	struct lc_num memory_kib;
	struct lc_num vcpus;
	struct lc_str image;
	struct lc_num disk_bytes;
	struct lc_num *disks; /* extra blank disks, sizes in bytes */
	size_t n_disks, cap_disks;
	bool disks_set;
	struct lc_str cdrom;
	struct lc_str firmware_str;
	enum lc_firmware firmware;
	struct lc_flag nested;
	struct lc_str cpu;
	struct lc_str accel_str;
	enum lc_accel accel;
	struct lc_flag viommu;
	struct lc_strlist networks;
	struct lc_vf_req *vfs;
	size_t n_vfs, cap_vfs;
	bool vfs_set;
	struct lc_pci_req *pci;
	size_t n_pci, cap_pci;
	bool pci_set;
	struct lc_tweak *xml;
	size_t n_xml, cap_xml;
	bool xml_set;
	struct lc_num replicas;
	struct lc_str host;
	struct lc_str boot_kernel;
	struct lc_str boot_initrd;
	struct lc_str boot_cmdline;
	struct lc_ip_req *ips;
	size_t n_ips, cap_ips;
	bool ips_set;
	/*
	 * cloud_init: the user's own cloud-config, a file (path resolved from
	 * the topology's directory) or an inline mapping (cloud_init_inline:
	 * the mapping as JSON text, which cloud-config's YAML reads).
	 */
	struct lc_str cloud_init;
	bool cloud_init_inline;
	char *cloud_init_text;	   /* the file's contents, read by load.c */
	struct lc_strlist require; /* "hyperv.NAME", "cpu.NAME": fail rather than drop */
};

struct lc_host {
	struct lc_str name;
	struct lc_str uri;
};

struct lc_topology {
	char *file;	 /* as given on the command line; marks point here */
	char sha256[65]; /* of the file's bytes: ownership metadata */
	struct lc_str name;
	struct lc_num ttl_s;
	struct lc_str storage_pool; /* "labctl" unless "pool:" says otherwise */
	struct lc_network *networks;
	size_t n_networks, cap_networks;
	struct lc_vf_pool *pools;
	size_t n_pools, cap_pools;
	struct lc_host *hosts;
	size_t n_hosts, cap_hosts;
	struct lc_node *nodes; /* sorted by name */
	size_t n_nodes, cap_nodes;
	struct lc_str ssh_key; /* a public key file (resolved from the topology's dir) */
	char *ssh_key_text;    /* its contents, read by load.c */
};

/* Defaults for keys neither the node nor "defaults:" set (docs/topology.md). */
#define LC_DEFAULT_KIND		"generic"
#define LC_DEFAULT_MEMORY_KIB	(1024ull * 1024)
#define LC_DEFAULT_VCPUS	1
#define LC_DEFAULT_DISK_BYTES	(10ull << 30)
#define LC_DEFAULT_STORAGE_POOL "labctl"

void lc_topology_free(struct lc_topology *t);
void lc_node_release(struct lc_node *n);

const struct lc_network *lc_topology_network(const struct lc_topology *t, const char *name);
const struct lc_vf_pool *lc_topology_pool(const struct lc_topology *t, const char *name);
const struct lc_node *lc_topology_node(const struct lc_topology *t, const char *name);
/* Whether the node gets the virt flag: nested:, else every kind but generic. */
bool lc_node_nested(const struct lc_node *n);
/* Whether a node is one of those --node picked: a shell glob of pats matches it; none: all. */
bool lc_node_picked(const char *node, const char *const *pats, size_t n);

void lc_strlist_add(struct lc_strlist *l, const char *s, struct lc_mark at);
void lc_strlist_release(struct lc_strlist *l);
void lc_str_set(struct lc_str *s, const char *v, struct lc_mark at);
void lc_str_release(struct lc_str *s);

/*
 * "4GiB", "512 MiB", "1TiB" -> bytes. Returns -1 with a reason in *why
 * (static text) for a missing or unknown unit, a bad number or an overflow.
 */
/*
 * A name as messages show it: whole up to 64 characters, else its first 32
 * and its length, so that a 5,000-character name does not bury the message.
 * Caller frees.
 */
char *lc_shown_name(const char *s);
int lc_parse_size(const char *s, uint64_t *bytes, const char **why);
/* "8h", "90m", "1h30m", "2d", "45s" or plain seconds -> seconds. */
/* The longest duration a topology may give (ttl): time arithmetic never nears time_t's end. */
#define LC_MAX_DURATION_S (3650ull * 86400)
int lc_parse_duration(const char *s, uint64_t *seconds, const char **why);

#include "alloc.h"

#endif
