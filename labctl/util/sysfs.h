/*
 * The one reader of the host's sysfs, procfs and device nodes. It holds
 * their roots (--sysfs, --procfs, --devfs), so that every path below them is relative and every
 * reading can be tested on a fixture tree built like a real host's.
 */
#ifndef LC_SYSFS_H
#define LC_SYSFS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "err.h"

#define LC_SYSFS_DEFAULT  "/sys"
#define LC_PROCFS_DEFAULT "/proc"
#define LC_DEVFS_DEFAULT  "/dev"

struct lc_sysroot {
	const char *sys;  /* borrowed */
	const char *proc; /* borrowed */
	const char *dev;  /* borrowed; NULL: device nodes are not looked at */
};

/* An open directory below the sysfs root, to read many small files from it. */
struct lc_sysdir {
	int fd;
};

int lc_sysdir_open(const struct lc_sysroot *r, const char *rel, struct lc_sysdir *d,
		   struct lc_err *err);
int lc_sysdir_open_at(const struct lc_sysdir *parent, const char *name, struct lc_sysdir *d);
void lc_sysdir_close(struct lc_sysdir *d);

/*
 * Read a small attribute file (trailing newline dropped) into buf of size
 * n; returns its length, or -1 when it does not exist or cannot be read.
 */
int lc_sysdir_read(const struct lc_sysdir *d, const char *name, char *buf, int n);
/* Raw bytes of a (binary) attribute such as config; returns the count or -1. */
int lc_sysdir_read_raw(const struct lc_sysdir *d, const char *name, void *buf, int n);
/* A symlink's whole target; returns its length or -1. */
int lc_sysdir_readlink(const struct lc_sysdir *d, const char *name, char *buf, int n);
/* The last path element of a symlink's target ("../../kernel/iommu_groups/45" -> "45"). */
int lc_sysdir_link_base(const struct lc_sysdir *d, const char *name, char *buf, int n);
/* Call fn for each entry (not . or ..), in readdir order. */
int lc_sysdir_each(const struct lc_sysdir *d, const char *sub,
		   int (*fn)(void *ctx, const char *name), void *ctx);
/* Write a value to an attribute (for host prepare), replacing what the file held. */
int lc_sysdir_write(const struct lc_sysdir *d, const char *name, const char *value,
		    struct lc_err *err);

/*
 * What host prepare reads and writes attributes through: a sysdir
 * (lc_sysdir_attrs), or in tests a sysdir behind an emulation of the checks
 * the kernel makes on a write, which no fixture file can make.
 */
struct lc_attrs {
	int (*read)(void *ctx, const char *name, char *buf, int n);
	int (*write)(void *ctx, const char *name, const char *value, struct lc_err *err);
	void *ctx;
};
void lc_sysdir_attrs(struct lc_sysdir *d, struct lc_attrs *a);

/* Fail, naming the root, when the sysfs, procfs or (when set) device root is no directory. */
int lc_sysroot_check(const struct lc_sysroot *r, struct lc_err *err);

/* Read a file below the procfs root whole; caller frees. */
int lc_procfs_read(const struct lc_sysroot *r, const char *rel, char **data, struct lc_err *err);

/* stat() a node below the device root ("kvm"); -1 with errno when absent or no root. */
int lc_devfs_stat(const struct lc_sysroot *r, const char *rel, struct stat *st);

#endif
