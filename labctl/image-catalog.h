/*
 * The image catalog (README.md, "Images"): names mapped to where an image comes from and
 * what its bytes must hash to. Parsing is pure; cache paths are derived here
 * so that render, up and image agree on them.
 */
#ifndef LC_CATALOG_H
#define LC_CATALOG_H

#include "model.h"

enum lc_image_format { LC_IMG_QCOW2, LC_IMG_RAW, LC_IMG_KERNEL };

/*
 * How a node on the image starts: from its kernel and initrd (libvirt's
 * direct kernel boot) or from its disk, through the domain's firmware. The
 * default follows the format: kernel for format kernel, disk otherwise.
 */
enum lc_image_boot { LC_BOOT_DEFAULT, LC_BOOT_KERNEL, LC_BOOT_DISK };

/* The firmware an image's disk boots with; any: either, or not said. */
enum lc_image_firmware { LC_IMG_FW_ANY, LC_IMG_FW_BIOS, LC_IMG_FW_UEFI };

struct lc_source {
	struct lc_str url; /* http, https, file, or a path relative to the catalog */
	struct lc_str sha256;
	struct lc_str sha512; /* for publishers with only SHA512SUMS */
};

struct lc_image {
	struct lc_str name;
	enum lc_image_format format;
	struct lc_source disk;	 /* qcow2 / raw; for format kernel an optional qcow2 base disk */
	struct lc_source kernel; /* format kernel */
	struct lc_source initrd;
	struct lc_str cmdline;
	struct lc_str ready; /* a console line that says the node booted (up --wait) */
	bool cloud_init;     /* the image reads a NoCloud seed: labctl makes one per node */
	bool guest_agent;    /* it runs the QEMU guest agent: its nodes get the agent's channel */
	enum lc_image_boot boot;
	enum lc_image_firmware firmware;
	/*
	 * What the image runs as an L1 hypervisor ("kvm", "xen", "hyperv", ...,
	 * "none"): reported for a node whose boot line has no hv=. NULL: not said.
	 */
	struct lc_str hypervisor;
};

struct lc_catalog {
	char *file;
	char *dir; /* where relative URLs are resolved */
	struct lc_image *images;
	size_t n, cap;
};

struct lc_catalog *lc_catalog_parse(const char *file, const char *data, size_t len,
				    struct lc_diags *diags);
void lc_catalog_free(struct lc_catalog *c);
/* Add (or replace by name) every image of src into dst; src keeps its own. */
void lc_catalog_merge(struct lc_catalog *dst, const struct lc_catalog *src);
const struct lc_image *lc_catalog_find(const struct lc_catalog *c, const char *name);
const char *lc_image_format_name(enum lc_image_format f);
/* Whether a node on the image boots its kernel directly (boot:, else the format). */
bool lc_image_boots_kernel(const struct lc_image *img);
const char *lc_image_firmware_name(enum lc_image_firmware f);

/*
 * Where the cache keeps an image's parts: CACHE/NAME.qcow2, CACHE/NAME.raw,
 * CACHE/NAME.kernel, CACHE/NAME.initrd. part is "disk", "kernel" or "initrd".
 */
char *lc_image_cache_path(const char *cache_dir, const struct lc_image *img, const char *part);

#endif
