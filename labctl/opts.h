/*
 * labctl's global options, resolved to final paths by main.c and handed
 * down to every layer that needs a path or the connection's URI.
 */
#ifndef LC_OPTS_H
#define LC_OPTS_H

#include <stdbool.h>

struct lc_opts {
	const char *uri; /* as given or defaulted: workers open their own connections */
	const char *sysfs;
	const char *procfs;
	const char *devfs;
	const char *state_dir;
	const char *cache_dir;
	const char *templates;
	const char *catalog;
	/*
	 * --inventory: "sysfs" or "libvirt" (main.c refuses anything else), or
	 * NULL: chosen by the host's URI (lc_inventory_from_libvirt)
	 */
	const char *inventory;
	bool json;
	int verbosity; /* -1 quiet, 0 normal, 1 verbose */
};

#endif
