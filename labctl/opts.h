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
	bool json;
	int verbosity; /* -1 quiet, 0 normal, 1 verbose */
};

#endif
