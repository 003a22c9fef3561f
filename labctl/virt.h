/*
 * The libvirt adapter's interface. Only virt-libvirt.c includes libvirt;
 * everything else talks to libvirt through these calls.
 */
#ifndef LC_VIRT_H
#define LC_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "pci-addr.h"
#include "render.h"
#include "strv.h"

struct lc_virt;

/* Connect to uri (NULL: libvirt's default). NULL with err on failure. */
struct lc_virt *lc_virt_open(const char *uri, struct lc_err *err);
void lc_virt_close(struct lc_virt *v);
const char *lc_virt_uri(const struct lc_virt *v);

/* CPU vendor from the host capabilities; kvm when the connection offers it for x86_64. */
int lc_virt_host_facts(struct lc_virt *v, struct lc_host_facts *f, struct lc_err *err);

struct lc_domcaps;
/*
 * libvirt's domain capabilities for a domain type ("kvm", "qemu"), machine
 * (NULL: the default) and arch, parsed; read once per connection and key.
 * NULL when the connection gives none (the test driver refuses them), with
 * *why (may be NULL) saying why. Owned by v. With the environment variable
 * LABCTL_TEST_DOMCAPS=FILE (tests), FILE is read instead, for every key.
 */
const struct lc_domcaps *lc_virt_domcaps(struct lc_virt *v, const char *type, const char *machine,
					 const char *arch, const char **why);
/* Read capabilities from path instead of libvirt from now on (NULL: libvirt). */
void lc_virt_domcaps_fixture(struct lc_virt *v, const char *path);
/* How many times the capabilities were read, and the seconds it took. */
void lc_virt_domcaps_stats(const struct lc_virt *v, unsigned *reads, double *seconds);

/* Define (not start) a domain / network from XML; errors carry libvirt's message. */
int lc_virt_define_domain(struct lc_virt *v, const char *xml, struct lc_err *err);
int lc_virt_define_network(struct lc_virt *v, const char *xml, struct lc_err *err);

/* A PCI function a domain holds (hostdev or hostdev interface). */
struct lc_virt_user {
	char addr[LC_PCI_ADDR_SIZE];
	char *domain;
	char *lab; /* from labctl's metadata; NULL for a domain labctl does not own */
};

int lc_virt_fn_users(struct lc_virt *v, struct lc_virt_user **out, size_t *n, struct lc_err *err);
void lc_virt_users_free(struct lc_virt_user *u, size_t n);

/* A domain or network carrying labctl's metadata. */
struct lc_virt_obj {
	char *name;
	char *lab;
	char *node; /* domains: the node; networks: the network's topology name */
	bool active;
	bool paused;	/* domains: active but its CPUs stopped */
	bool never_ran; /* domains: shut off, never started (or its start failed) */
	/* domains only, from the metadata and the devices */
	char *kind;
	char *rendered_sha256;	/* of its XML as labctl rendered it (lc_render_domain_sha256) */
	time_t created;		/* 0 when unknown */
	time_t expires;		/* 0 when the lab has no ttl */
	struct lc_strv vfs;	/* PCI addresses of hostdevs and hostdev interfaces */
	struct lc_strv macs;	/* MACs of the hostdev interfaces */
	struct lc_strv volumes; /* "POOL/VOLUME" of its volume disks */
	/* planned addresses from labctl's metadata: per NIC, its network, MAC and IPv4 */
	struct lc_strv nic_nets, nic_macs, nic_ips;
	size_t n_nics; /* each of the three holds n_nics */
};

/* An IPv4 address libvirt knows a domain's NIC has. */
struct lc_ifaddr {
	char mac[18];
	char ip[16];
};

/* labctl's objects on the connection, of lab (NULL: every lab), sorted by name. */
int lc_virt_lab_domains(struct lc_virt *v, const char *lab, struct lc_virt_obj **out, size_t *n,
			struct lc_err *err);
int lc_virt_lab_networks(struct lc_virt *v, const char *lab, struct lc_virt_obj **out, size_t *n,
			 struct lc_err *err);
void lc_virt_objs_free(struct lc_virt_obj *o, size_t n);
/* The host's memory in KiB as libvirt reports it (for a remote host). */
int lc_virt_node_memory(struct lc_virt *v, unsigned long long *kib, struct lc_err *err);
/* A pool's free bytes; *found false (and 0) for a pool that does not exist. */
int lc_virt_pool_available(struct lc_virt *v, const char *pool, unsigned long long *bytes,
			   bool *found, struct lc_err *err);
/* A domain of that name is defined (whoever owns it). */
bool lc_virt_domain_exists(struct lc_virt *v, const char *name);

/* Create the directory pool if missing, start it if inactive (pool XML from render). */
int lc_virt_pool_ensure(struct lc_virt *v, const char *name, const char *xml, struct lc_err *err);
/* Create a volume from XML unless one of that name exists; *created says which. */
int lc_virt_volume_ensure(struct lc_virt *v, const char *pool, const char *name, const char *xml,
			  bool *created, struct lc_err *err);
/*
 * Make volume name from xml and fill it with data through libvirt's storage
 * API (virStorageVolUpload), so the pool may be on another host. One of that
 * name already there is replaced when replace is set, else kept as it is;
 * *made says whether it was (re)made.
 */
int lc_virt_volume_upload(struct lc_virt *v, const char *pool, const char *name, const char *xml,
			  const unsigned char *data, size_t len, bool replace, bool *made,
			  struct lc_err *err);
/*
 * Delete a volume; one already gone (or a pool gone) is not an error.
 * *deleted (may be NULL) says whether a volume was there and is now gone.
 */
int lc_virt_volume_delete(struct lc_virt *v, const char *pool, const char *name, bool *deleted,
			  struct lc_err *err);
/* The names of a pool's volumes, sorted (names is emptied first); a missing pool has none. */
int lc_virt_pool_volumes(struct lc_virt *v, const char *pool, struct lc_strv *names,
			 struct lc_err *err);
enum lc_net_action {
	LC_NET_UNCHANGED,
	LC_NET_SET_UP,	  /* defined, or started */
	LC_NET_CHANGED,	  /* labctl's, rendered differently: kept (force redefines) */
	LC_NET_REDEFINED, /* force, and no running domain uses it */
};

/*
 * Define the network unless it exists, start it unless active. An existing
 * network must carry labctl's metadata for lab, or it is LC_EXIT_RESOURCE
 * naming it (never adopted). One whose rendered-sha256 differs is
 * LC_NET_CHANGED and kept, unless force and no running domain has a NIC on
 * it: then it is removed and defined again.
 */
int lc_virt_network_ensure(struct lc_virt *v, const char *name, const char *xml, const char *lab,
			   const char *rendered_sha256, bool force, enum lc_net_action *action,
			   struct lc_err *err);
/*
 * Define a domain and start it with its CPUs paused. up starts every node
 * paused and resumes them together: guests booting under TCG would otherwise
 * take the cores the next QEMU start-ups need.
 */
int lc_virt_domain_create_paused(struct lc_virt *v, const char *xml, struct lc_err *err);
/* Start a defined domain paused (a running one is left alone). */
int lc_virt_domain_start_paused(struct lc_virt *v, const char *name, struct lc_err *err);
/* Let a paused domain's CPUs run (a running one is left alone). */
int lc_virt_domain_resume(struct lc_virt *v, const char *name, struct lc_err *err);
/*
 * The IPv4 addresses a running domain's NICs have, as libvirt sees them: the
 * DHCP leases of libvirt's own networks, then the host's ARP table for the
 * rest. None (n 0) for a domain not running or not yet addressed.
 */
int lc_virt_domain_addresses(struct lc_virt *v, const char *name, struct lc_ifaddr **out, size_t *n,
			     struct lc_err *err);
/* A domain's serial console, as virsh console opens it (a libvirt stream). */
struct lc_console;
struct lc_console *lc_virt_console_open(struct lc_virt *v, const char *name, struct lc_err *err);
/* Block for console output: bytes read, 0 when the console closed, -1 on error. */
int lc_console_recv(struct lc_console *c, char *buf, size_t len);
/* Type into the console; -1 on error. */
int lc_console_send(struct lc_console *c, const char *buf, size_t len);
void lc_console_close(struct lc_console *c);
/* The id of a running domain (its QEMU process), -1 when not running: reconcile tests use it. */
int lc_virt_domain_id(struct lc_virt *v, const char *name);

/* Stop if running, then undefine (with NVRAM); a domain already gone is not an error. */
int lc_virt_remove_domain(struct lc_virt *v, const char *name, struct lc_err *err);
int lc_virt_remove_network(struct lc_virt *v, const char *name, struct lc_err *err);

/* --- the host's node devices (labctl/pci-nodedev.c parses them) --- */

/*
 * The XML of every PCI and network node device libvirt knows on the
 * connection's host (virConnectListAllNodeDevices with the PCI and net
 * capabilities, then each one's XML), appended to xmls in libvirt's order.
 * A device that vanishes between the listing and its XML is left out.
 */
int lc_virt_node_devices_xml(struct lc_virt *v, struct lc_strv *xmls, struct lc_err *err);

/* ---- several hosts (hosts.h): files on a host that is not this machine ---- */

/* The directory a directory pool keeps its volumes in (caller frees). */
int lc_virt_pool_path(struct lc_virt *v, const char *pool, char **path, struct lc_err *err);
/*
 * A volume's path on its host and its size in bytes (the file's, not the
 * guest's view); *found false when the pool has no such volume.
 */
int lc_virt_volume_stat(struct lc_virt *v, const char *pool, const char *name, char **path,
			unsigned long long *bytes, bool *found, struct lc_err *err);
/*
 * Make volume name from xml and fill it with the local file at path through
 * virStorageVolUpload, calling progress (may be NULL) as bytes go. A volume
 * half-filled when the upload fails is deleted.
 */
int lc_virt_volume_upload_file(struct lc_virt *v, const char *pool, const char *name,
			       const char *xml, const char *path,
			       void (*progress)(void *ctx, unsigned long long done,
						unsigned long long total),
			       void *ctx, struct lc_err *err);
/*
 * Read a volume's bytes through virStorageVolDownload, each chunk to sink
 * (which returns -1 to stop). *found false for a volume that is not there.
 */
int lc_virt_volume_download(struct lc_virt *v, const char *pool, const char *name,
			    int (*sink)(void *ctx, const char *buf, size_t n), void *ctx,
			    bool *found, struct lc_err *err);
/*
 * Create volume name from xml and fill it with data, atomically against
 * every other client of that host: virStorageVolCreateXML fails when the
 * name exists, and then *exists is true and nothing is touched.
 */
int lc_virt_volume_create_excl(struct lc_virt *v, const char *pool, const char *name,
			       const char *xml, const unsigned char *data, size_t len, bool *exists,
			       struct lc_err *err);

/* ---- lab snapshots (lab-snapshot.c) ---- */

/* Stop a running domain's CPUs (a paused or stopped one is left alone). */
int lc_virt_domain_suspend(struct lc_virt *v, const char *name, struct lc_err *err);
/*
 * Save a domain's memory to path, a file on the daemon's host
 * (virDomainSaveFlags); the domain is stopped once it is written.
 */
int lc_virt_domain_save(struct lc_virt *v, const char *name, const char *path, struct lc_err *err);
/* The domain XML a memory image holds, which a restore's XML must match; caller frees. */
char *lc_virt_save_image_xml(struct lc_virt *v, const char *path, struct lc_err *err);
/*
 * Start a domain from a memory image, xml (NULL: the image's own) as its
 * running definition, its CPUs paused or running. The persistent
 * definition is not changed.
 */
int lc_virt_domain_restore(struct lc_virt *v, const char *path, const char *xml, bool paused,
			   struct lc_err *err);
/* A domain's XML: the persistent definition (inactive) or the running one; caller frees. */
char *lc_virt_domain_xml(struct lc_virt *v, const char *name, bool inactive, struct lc_err *err);
/* Stop a domain at once; one already stopped is not an error. */
int lc_virt_domain_destroy(struct lc_virt *v, const char *name, struct lc_err *err);
/* Memory a domain has now in KiB; 0 when not running or unknown. */
unsigned long long lc_virt_domain_memory_kib(struct lc_virt *v, const char *name);
/* A volume's file, capacity and backing file (NULL when it has none); callers free. */
int lc_virt_volume_info(struct lc_virt *v, const char *pool, const char *name, char **path,
			unsigned long long *capacity, char **backing, struct lc_err *err);
/* Delete a volume libvirt made (no pool refresh unless it is not known); gone is fine. */
int lc_virt_volume_remove(struct lc_virt *v, const char *pool, const char *name,
			  struct lc_err *err);
/* A job runs on the domain (a save a killed client asked for goes on without it). */
bool lc_virt_domain_busy(struct lc_virt *v, const char *name);
/* Set a running guest's clock to the host's through its agent; -1 with err when it did not. */
int lc_virt_domain_sync_time(struct lc_virt *v, const char *name, struct lc_err *err);

/* ---- host devices unplugged around a save (lab-snapshot.c) ---- */

/*
 * Hot-unplug / hot-plug a device (its XML) on the running domain only
 * (VIR_DOMAIN_AFFECT_LIVE): the persistent definition keeps its devices. A
 * detach returns once the guest was asked: the caller watches the live XML
 * for the device to go.
 */
int lc_virt_domain_detach_live(struct lc_virt *v, const char *name, const char *xml,
			       struct lc_err *err);
int lc_virt_domain_attach_live(struct lc_virt *v, const char *name, const char *xml,
			       struct lc_err *err);

#endif
