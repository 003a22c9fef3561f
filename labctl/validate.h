/*
 * Semantic checks of a parsed topology: names, ranges, references between
 * its parts and to the outside (kinds, images), XPath tweaks. Pure: what it
 * needs from the outside comes in struct lc_validate_ctx.
 */
#ifndef LC_VALIDATE_H
#define LC_VALIDATE_H

#include "model.h"

struct lc_catalog;

struct lc_validate_ctx {
	const char *const *kinds; /* node kinds with a template */
	size_t n_kinds;
	const char *const *images; /* names in the image catalog */
	size_t n_images;
	const bool *image_cloud_init; /* per image: takes cloud-init; NULL: not checked */
	/*
	 * Checks a node's "template:" file as render will load it; 0 or -1 with
	 * err set. NULL: templates are not checked (no file system at hand).
	 */
	int (*check_template)(const char *path, struct lc_err *err);
	/*
	 * Checks that a file the domain will read (cdrom, boot kernel and
	 * initrd) can be read; 0 or -1 with err set. NULL: not checked.
	 */
	int (*check_file)(const char *path, struct lc_err *err);
	/*
	 * The libvirt URI labctl runs against: a node placed with "host:" on
	 * another is refused (several hosts are not implemented yet). NULL:
	 * any host: is refused unless its URI is empty.
	 */
	const char *uri;
	/* the catalog's fields of each image (firmware:); NULL: not checked */
	const struct lc_catalog *catalog;
};

/* Ranges (docs/topology.md documents them). */
#define LC_MIN_MEMORY_KIB (16ull * 1024)
#define LC_MAX_MEMORY_KIB (16ull << 30) /* 16 TiB */
#define LC_MAX_VCPUS	  1024
#define LC_MIN_DISK_BYTES (1ull << 20)
#define LC_MAX_DISK_BYTES (64ull << 40)
#define LC_MAX_VF_COUNT	  256

/* Append a diagnostic for every problem; returns the number found. */
size_t lc_validate(const struct lc_topology *t, const struct lc_validate_ctx *ctx,
		   struct lc_diags *diags);

/*
 * What is allowed but likely not what was meant, as diagnostics in w (the
 * caller says "warning"): a kind: xen node on an image whose catalog entry
 * does not say hypervisor: xen. Returns the number found.
 */
size_t lc_validate_warnings(const struct lc_topology *t, const struct lc_catalog *c,
			    struct lc_diags *w);

/* Name rules, also used on the command line. */
bool lc_valid_lab_name(const char *s);
bool lc_valid_name(const char *s);
/* "aa:bb:cc:dd:ee:ff", unicast. */
bool lc_valid_mac(const char *s);

#endif
