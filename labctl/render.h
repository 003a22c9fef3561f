/*
 * Rendering: a node plus its kind's template -> libvirt domain XML; a network
 * -> network XML; a node's disks -> storage volume XML. Everything goes
 * through libxml2's tree API, so no value can change the XML's structure.
 * Pure: templates, host facts, paths and the time come in as arguments.
 */
#ifndef LC_RENDER_H
#define LC_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include "image-catalog.h"
#include "host-cpuinfo.h"
#include "addr.h"
#include "model.h"

struct lc_domcaps;

/* What the L0 host offers, as read from libvirt (or /proc as a fallback). */
struct lc_host_facts {
	enum lc_cpu_vendor vendor;
	bool kvm;		 /* ordinary guests can run under KVM */
	const char *why_not_kvm; /* static text when !kvm: for up's report */
	/*
	 * The domain capabilities for a domain type, machine and arch, NULL
	 * when none are known (then nothing is filtered and every need is
	 * taken as met; *why says why). NULL domcaps: never known.
	 */
	const struct lc_domcaps *(*domcaps)(void *ctx, const char *type, const char *machine,
					    const char *arch, const char **why);
	void *domcaps_ctx;
};

/* One passed-through function of a node, as the VF allocator planned it. */
struct lc_hostdev {
	unsigned dom, bus, slot, fn;
	bool nic;      /* a NIC VF: <interface type='hostdev'> with a MAC */
	char mac[18];  /* nic only */
	unsigned vlan; /* nic only; 0: none */
};

/*
 * A node on a host whose files labctl does not see (hosts.h): its console
 * log and the parts of its image are files in that host's pool directory.
 */
struct lc_render_site {
	const char *pool_dir; /* the directory of the pool on that host */
	/* the path there of an image's part ("kernel", "initrd", "disk"); NULL: none */
	const char *(*image_path)(const void *ctx, const struct lc_image *img, const char *part);
	const void *ctx;
};

struct lc_render_ctx {
	const struct lc_topology *t;
	const struct lc_host_facts *facts;
	const struct lc_catalog *catalog;  /* may be NULL when no node uses an image */
	const char *state_dir;		   /* serial logs: STATE/labs/LAB/NODE.log */
	const char *cache_dir;		   /* base images and kernels */
	time_t now;			   /* "created" in the metadata */
	const struct lc_addrs *addrs;	   /* planned addresses; NULL: none */
	const struct lc_render_site *site; /* the node's remote host; NULL: files are local */
};

/* A remote node's console log volume in its pool: LAB-NODE.log. Caller frees. */
char *lc_render_log_volume_name(const struct lc_topology *t, const struct lc_node *n);

/* The domain type and CPU flag a node gets: "kvm"/"qemu", "vmx"/"svm". */
const char *lc_render_domain_type(const struct lc_render_ctx *rc, const struct lc_node *n);
const char *lc_render_virt_flag(const struct lc_render_ctx *rc, const struct lc_node *n);

/*
 * The node's domain, from a copy of tmpl. hostdevs are the node's planned
 * VFs and pci devices (n_hostdevs may be 0). NULL with err set on failure
 * (a tweak that does not apply, a template that is not a domain).
 */
xmlDocPtr lc_render_domain(const struct lc_render_ctx *rc, const struct lc_node *n, xmlDocPtr tmpl,
			   const struct lc_hostdev *hostdevs, size_t n_hostdevs,
			   struct lc_err *err);

/*
 * Stamp rendered-sha256 into labctl's metadata element (nothing when a
 * tweak removed it): the sha256 of the domain's XML without that element.
 * lc_render_domain does it last, after the tweaks.
 */
void lc_render_stamp_sha256(xmlDocPtr doc);
/*
 * The rendered-sha256 lc_render_domain (and lc_render_network) stamps into
 * labctl's metadata: the
 * sha256 of the domain's XML without that element. NULL when a tweak
 * removed it; the caller frees.
 */
char *lc_render_domain_sha256(xmlDocPtr doc);

/* The network LAB-NET from its mode's template (net-nat.xml, ...). */
xmlDocPtr lc_render_network(const struct lc_render_ctx *rc, const struct lc_network *net,
			    xmlDocPtr tmpl, struct lc_err *err);

/* Volumes of a node: index 0 is the boot overlay, 1.. the extra blank disks. */
size_t lc_render_n_volumes(const struct lc_node *n);
char *lc_render_volume_name(const struct lc_topology *t, const struct lc_node *n, size_t i);
xmlDocPtr lc_render_volume(const struct lc_render_ctx *rc, const struct lc_node *n, size_t i,
			   struct lc_err *err);

/* A raw volume of bytes bytes, filled by an upload (a cloud-init seed). */
xmlDocPtr lc_render_raw_volume(const char *name, uint64_t bytes);

/* A directory storage pool (labctl's own, created when missing). */
xmlDocPtr lc_render_pool(const char *name, const char *path);

/* Names of what a lab creates: LAB-NODE, LAB-NET. Caller frees. */
char *lc_domain_name(const struct lc_topology *t, const struct lc_node *n);
char *lc_network_name(const struct lc_topology *t, const struct lc_network *net);

/* Serialize with indentation; caller frees. */
char *lc_xml_format(xmlDocPtr doc);

#endif
