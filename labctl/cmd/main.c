/*
 * labctl's entry point: global options, the set-up each command's flags ask
 * for, and the one place that prints errors and picks the exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "cmd.h"
#include "interrupt.h"
#include "sysfs.h"
#include "virt.h"

#ifndef LC_DATADIR
#define LC_DATADIR "/usr/local/share/labctl"
#endif

static void usage(FILE *f)
{
	fputs("usage: labctl [-c URI] [--sysfs DIR] [--procfs DIR] [--devfs DIR] "
	      "[--state-dir DIR]\n"
	      "              [--cache-dir DIR] [--templates DIR] [--catalog FILE] [--json] [-q|-v] "
	      "COMMAND ...\n\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; lc_cmd_table[i]; i++) {
		const struct lc_cmd_entry *e = lc_cmd_table[i];
		char *head = lc_asprintf("%s %s", e->name, e->usage);
		if (strlen(head) > 30)
			fprintf(f, "  %s\n  %-30s %s\n", head, "", e->summary);
		else
			fprintf(f, "  %-30s %s\n", head, e->summary);
		free(head);
	}
}

/* Owned strings for defaults computed at run time; freed at exit. */
struct defaults {
	char *state, *cache, *templates, *catalog;
	char *abs[7]; /* the path options made absolute */
};

/*
 * A relative path option is made absolute once, here: paths reach libvirt
 * in XML (the console log, kernels, backing stores), which a daemon reads
 * from its own working directory, and labctl's own later chdir-free code
 * then never depends on where it was started.
 */
static void absolute(const char **p, char **owned)
{
	if (!*p || !**p || **p == '/')
		return;
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return; /* left as given: the first use names the path and the cause */
	*owned = strcmp(*p, ".") == 0 ? lc_strdup(cwd) : lc_asprintf("%s/%s", cwd, *p);
	free(cwd);
	*p = *owned;
}

static const char *datadir(void)
{
	const char *d = getenv("LABCTL_DATADIR");
	return d && *d ? d : LC_DATADIR;
}

static void resolve(struct lc_opts *o, struct defaults *d)
{
	bool root = geteuid() == 0;
	const char *home = getenv("HOME");
	if (!o->uri)
		o->uri = getenv("LIBVIRT_DEFAULT_URI");
	if (!o->uri)
		o->uri = "qemu:///system";
	if (!o->sysfs)
		o->sysfs = LC_SYSFS_DEFAULT;
	if (!o->procfs)
		o->procfs = LC_PROCFS_DEFAULT;
	if (!o->devfs)
		o->devfs = LC_DEVFS_DEFAULT;
	if (!o->state_dir) {
		const char *x = getenv("XDG_STATE_HOME");
		if (root)
			d->state = lc_strdup("/var/lib/labctl");
		else if (x && *x)
			d->state = lc_asprintf("%s/labctl", x);
		else
			d->state = lc_asprintf("%s/.local/state/labctl", home ? home : ".");
		o->state_dir = d->state;
	}
	if (!o->cache_dir) {
		const char *x = getenv("XDG_CACHE_HOME");
		if (root)
			d->cache = lc_strdup("/var/cache/labctl/images");
		else if (x && *x)
			d->cache = lc_asprintf("%s/labctl/images", x);
		else
			d->cache = lc_asprintf("%s/.cache/labctl/images", home ? home : ".");
		o->cache_dir = d->cache;
	}
	if (!o->templates)
		o->templates = d->templates = lc_asprintf("%s/templates", datadir());
	if (!o->catalog)
		o->catalog = d->catalog = lc_asprintf("%s/images/catalog.yaml", datadir());
	const char **paths[] = {&o->sysfs,     &o->procfs,    &o->devfs,  &o->state_dir,
				&o->cache_dir, &o->templates, &o->catalog};
	for (size_t i = 0; i < LC_ARRAY_SIZE(paths); i++)
		absolute(paths[i], &d->abs[i]);
}

enum {
	OPT_SYSFS = 256,
	OPT_PROCFS,
	OPT_DEVFS,
	OPT_STATE,
	OPT_CACHE,
	OPT_TEMPLATES,
	OPT_CATALOG,
	OPT_JSON
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"sysfs", required_argument, NULL, OPT_SYSFS},
	    {"procfs", required_argument, NULL, OPT_PROCFS},
	    {"devfs", required_argument, NULL, OPT_DEVFS},
	    {"state-dir", required_argument, NULL, OPT_STATE},
	    {"cache-dir", required_argument, NULL, OPT_CACHE},
	    {"templates", required_argument, NULL, OPT_TEMPLATES},
	    {"catalog", required_argument, NULL, OPT_CATALOG},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lc_session s;
	memset(&s, 0, sizeof(s));
	int c;
	while ((c = getopt_long(argc, argv, "+c:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			s.opts.uri = optarg;
			break;
		case OPT_SYSFS:
			s.opts.sysfs = optarg;
			break;
		case OPT_PROCFS:
			s.opts.procfs = optarg;
			break;
		case OPT_DEVFS:
			s.opts.devfs = optarg;
			break;
		case OPT_STATE:
			s.opts.state_dir = optarg;
			break;
		case OPT_CACHE:
			s.opts.cache_dir = optarg;
			break;
		case OPT_TEMPLATES:
			s.opts.templates = optarg;
			break;
		case OPT_CATALOG:
			s.opts.catalog = optarg;
			break;
		case OPT_JSON:
			s.opts.json = true;
			break;
		case 'q':
			s.opts.verbosity = -1;
			break;
		case 'v':
			s.opts.verbosity = 1;
			break;
		case 'h':
			usage(stdout);
			return LC_EXIT_OK;
		default:
			usage(stderr);
			return LC_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return LC_EXIT_USAGE;
	}
	const struct lc_cmd_entry *e = lc_cmd_find(argv[optind]);
	if (!e) {
		fprintf(stderr, "labctl: unknown command '%s' (see 'labctl --help')\n",
			argv[optind]);
		return LC_EXIT_USAGE;
	}
	struct defaults d = {0};
	resolve(&s.opts, &d);
	lc_interrupt_install();
	if (e->flags & LC_CMD_READ_ONLY)
		lc_interrupt_set_immediate(true);
	xmlInitParser();
	struct lc_err err = LC_ERR_INIT;
	int rc = 0;
	/* a command that can go on without libvirt keeps the reason it could not connect */
	struct lc_err verr = LC_ERR_INIT;
	if (e->flags & (LC_CMD_NEEDS_VIRT | LC_CMD_WANTS_VIRT)) {
		s.virt = lc_virt_open(s.opts.uri, &verr);
		if (!s.virt && (e->flags & LC_CMD_NEEDS_VIRT)) {
			lc_err_move(&err, &verr);
			rc = -1;
		}
		s.virt_error = verr.msg;
	}
	if (rc == 0)
		rc = e->exec(&s, argc - optind, argv + optind, &err);
	lc_virt_close(s.virt);
	int code = LC_EXIT_OK;
	if (rc < 0) {
		code = err.msg ? (int)err.code : LC_EXIT_RUNTIME;
		/* topology diagnostics already carry file:line:col; the rest gets a prefix */
		fprintf(stderr, "%s%s\n",
			err.positioned ? "" : "labctl: ", err.msg ? err.msg : "unknown error");
	}
	/* a signal's stop is reported like any error, and exits as shells expect */
	if (rc < 0 && lc_interrupted())
		code = 128 + lc_interrupted();
	/*
	 * Like coreutils' close_stdout: output that never reached its file
	 * (render >/dev/full, a full disk) is a failure, not exit 0. A reader
	 * that went away (EPIPE: `labctl status | head -1`) is not reported,
	 * but the run still did not deliver its output, so it is not 0 either.
	 */
	bool out_bad = ferror(stdout) != 0;
	int out_errno = 0;
	if (fflush(stdout) != 0) {
		out_bad = true;
		out_errno = errno;
	}
	if (fclose(stdout) != 0 && !out_errno) {
		out_bad = true;
		out_errno = errno;
	}
	if (out_bad) {
		if (out_errno != EPIPE)
			fprintf(stderr, "labctl: cannot write to standard output: %s\n",
				out_errno ? strerror(out_errno) : "a write failed");
		if (code == LC_EXIT_OK)
			code = LC_EXIT_RUNTIME;
	}
	lc_err_release(&err);
	lc_err_release(&verr);
	free(d.state);
	free(d.cache);
	free(d.templates);
	free(d.catalog);
	for (size_t i = 0; i < LC_ARRAY_SIZE(d.abs); i++)
		free(d.abs[i]);
	xmlCleanupParser();
	return code;
}
