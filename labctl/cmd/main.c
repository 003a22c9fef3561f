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

#include "buf.h"
#include "cmd.h"
#include "json-writer.h"
#include "version.h"
#include "interrupt.h"
#include "sysfs.h"
#include "virt.h"

#ifndef LC_DATADIR
#define LC_DATADIR "/usr/local/share/labctl"
#endif

static void usage(FILE *f)
{
	char *u = lc_cmd_overview();
	fputs(u, f);
	free(u);
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

/*
 * Like coreutils' close_stdout: output that never reached its file
 * (render >/dev/full, a full disk) is a failure, not exit 0. A reader that
 * went away (EPIPE: `labctl status | head -1`) is not reported, but the run
 * still did not deliver its output, so it is not 0 either. Returns the exit
 * code to use.
 */
static int close_stdout(int code)
{
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
	if (!out_bad)
		return code;
	if (out_errno != EPIPE)
		fprintf(stderr, "labctl: cannot write to standard output: %s\n",
			out_errno ? strerror(out_errno) : "a write failed");
	return code == LC_EXIT_OK ? LC_EXIT_RUNTIME : code;
}

enum {
	OPT_SYSFS = 256,
	OPT_PROCFS,
	OPT_DEVFS,
	OPT_STATE,
	OPT_CACHE,
	OPT_TEMPLATES,
	OPT_CATALOG,
	OPT_JSON,
	OPT_VERSION,
	OPT_INVENTORY,
};

static const struct option global_opts[] = {
    {"connect", required_argument, NULL, 'c'},
    {"sysfs", required_argument, NULL, OPT_SYSFS},
    {"procfs", required_argument, NULL, OPT_PROCFS},
    {"devfs", required_argument, NULL, OPT_DEVFS},
    {"state-dir", required_argument, NULL, OPT_STATE},
    {"cache-dir", required_argument, NULL, OPT_CACHE},
    {"templates", required_argument, NULL, OPT_TEMPLATES},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"inventory", required_argument, NULL, OPT_INVENTORY},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Apply one global option; false for one that is not a global option. */
static bool apply_global(struct lc_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'c':
		o->uri = arg;
		break;
	case OPT_SYSFS:
		o->sysfs = arg;
		break;
	case OPT_PROCFS:
		o->procfs = arg;
		break;
	case OPT_DEVFS:
		o->devfs = arg;
		break;
	case OPT_STATE:
		o->state_dir = arg;
		break;
	case OPT_CACHE:
		o->cache_dir = arg;
		break;
	case OPT_TEMPLATES:
		o->templates = arg;
		break;
	case OPT_CATALOG:
		o->catalog = arg;
		break;
	case OPT_INVENTORY:
		o->inventory = arg;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case 'q':
		o->verbosity = -1;
		break;
	case 'v':
		o->verbosity = 1;
		break;
	default:
		return false;
	}
	return true;
}

/*
 * Global options after the command (`labctl status --json`, as git and
 * kubectl take them): each is applied and taken out of the command's
 * arguments, up to a "--". Only exact long names and -c/-q/-v count, so a
 * command's own options never collide. Returns the new argc, or -1 with err
 * for a global option that lacks its value.
 */
static int take_globals(struct lc_opts *o, int argc, char **argv, struct lc_err *err)
{
	int out = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		const struct option *g = NULL;
		const char *val = NULL;
		if (a[0] == '-' && a[1] == '-') {
			size_t len = strcspn(a + 2, "=");
			for (const struct option *k = global_opts; k->name && !g; k++)
				if (strlen(k->name) == len && strncmp(k->name, a + 2, len) == 0 &&
				    k->val != 'h' && k->val != OPT_VERSION)
					g = k;
			if (g && a[2 + len] == '=')
				val = a + 3 + len;
		} else if (a[0] == '-' && strchr("cqv", a[1]) && a[1]) {
			for (const struct option *k = global_opts; k->name && !g; k++)
				if (k->val == a[1])
					g = k;
			if (a[2] && a[1] != 'c')
				g = NULL; /* "-qx": not ours */
			else if (a[2])
				val = a + 2;
		}
		if (!g) {
			argv[out++] = argv[i];
			continue;
		}
		if (g->has_arg == required_argument && !val) {
			if (i + 1 >= argc)
				return lc_err_set(err, LC_EXIT_USAGE, "option '%s' needs a value",
						  a);
			val = argv[++i];
		}
		apply_global(o, g->val, val);
	}
	argv[out] = NULL;
	return out;
}

/* Whether the command's arguments ask for its help (before any "--"). */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* A command with no options of its own takes no argument that looks like one. */
static int no_options(const struct lc_cmd_entry *e, int argc, char **argv, struct lc_err *err)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return lc_err_set(err, LC_EXIT_USAGE,
					  "%s: unknown option '%s'\nusage: labctl %s %s", e->name,
					  argv[i], e->name, e->usage);
	return 0;
}

/* On failure with --json, stdout carries the error too, as one document. */
static void json_error(int code, const char *msg)
{
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_inline_begin_object(&jw, "error");
	lc_jw_object_int(&jw, "code", code);
	lc_jw_object_string(&jw, "message", msg);
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	printf("%s\n", lc_jw_str(&jw));
	lc_jw_release(&jw);
}

/*
 * A usage error found before a command is known: on stderr with the usage,
 * and as a JSON document too when --json is anywhere on the line.
 */
static int early_usage(int argc, char **argv, bool with_usage, char *msg)
{
	fprintf(stderr, "labctl: %s\n", msg);
	if (with_usage)
		usage(stderr);
	bool json = false;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		json |= strcmp(argv[i], "--json") == 0;
	if (json)
		json_error(LC_EXIT_USAGE, msg);
	free(msg);
	return LC_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct lc_session s;
	memset(&s, 0, sizeof(s));
	int c;
	opterr = 0; /* labctl says what was wrong, once, through its error object */
	while ((c = getopt_long(argc, argv, "+:c:qvh", global_opts, NULL)) != -1) {
		if (apply_global(&s.opts, c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return close_stdout(LC_EXIT_OK);
		}
		if (c == OPT_VERSION) {
			printf("labctl %s\n", LC_VERSION);
			return close_stdout(LC_EXIT_OK);
		}
		char *msg = c == ':' ? lc_asprintf("option '%s' needs a value", argv[optind - 1])
			    : optopt ? lc_asprintf("unknown option '-%c'", optopt)
				     : lc_asprintf("unknown option '%s'", argv[optind - 1]);
		return early_usage(argc, argv, true, msg);
	}
	if (optind >= argc)
		return early_usage(argc, argv, true, lc_strdup("a command is missing"));
	const struct lc_cmd_entry *e = lc_cmd_find(argv[optind]);
	if (!e)
		return early_usage(
		    argc, argv, false,
		    lc_asprintf("unknown command '%s' (see 'labctl --help')", argv[optind]));
	int cargc = argc - optind;
	char **cargv = argv + optind;
	if (wants_help(cargc, cargv)) {
		char *h = lc_cmd_help(e);
		fputs(h, stdout);
		free(h);
		return close_stdout(LC_EXIT_OK);
	}
	struct lc_err err = LC_ERR_INIT;
	struct defaults d = {0};
	int rc = 0;
	if ((cargc = take_globals(&s.opts, cargc, cargv, &err)) < 0)
		rc = -1;
	else if (!e->options && no_options(e, cargc, cargv, &err) < 0)
		rc = -1;
	else if (s.opts.inventory && strcmp(s.opts.inventory, "sysfs") != 0 &&
		 strcmp(s.opts.inventory, "libvirt") != 0)
		rc = lc_err_set(&err, LC_EXIT_USAGE,
				"--inventory: '%s' is neither sysfs nor libvirt", s.opts.inventory);
	else if (s.opts.json && !(e->flags & LC_CMD_JSON))
		rc = lc_err_set(&err, LC_EXIT_USAGE,
				"%s: there is no --json output for this command", e->name);
	if (rc == 0) {
		resolve(&s.opts, &d);
		lc_interrupt_install();
		if (e->flags & LC_CMD_READ_ONLY)
			lc_interrupt_set_immediate(true);
		xmlInitParser();
		s.entry = e;
		rc = e->exec(&s, cargc, cargv, &err);
	}
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
	if (rc < 0 && s.opts.json && !s.json_written)
		json_error(code, err.msg ? err.msg : "unknown error");
	code = close_stdout(code);
	lc_err_release(&err);
	lc_err_release(&s.virt_err);
	free(d.state);
	free(d.cache);
	free(d.templates);
	free(d.catalog);
	for (size_t i = 0; i < LC_ARRAY_SIZE(d.abs); i++)
		free(d.abs[i]);
	xmlCleanupParser();
	return code;
}
