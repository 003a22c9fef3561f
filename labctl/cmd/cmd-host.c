/*
 * labctl host check|vfs|prepare: the L0 host's pre-flight, its VFs and
 * their IOMMU groups, and the changes nested labs need.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fsutil.h"
#include "host-cpuinfo.h"
#include "interrupt.h"
#include "host-check.h"
#include "host-facts.h"
#include "host-vfs.h"
#include "load.h"
#include "json-writer.h"
#include "pci.h"
#include "topology.h"

static void print_table(const struct lc_vf_status *v, size_t n)
{
	printf("%-13s %-13s %-10s %5s %-9s %5s %4s %-11s %-12s %-10s %s\n", "ADDRESS", "PF",
	       "PF-NETDEV", "INDEX", "ID", "GROUP", "NUMA", "STATE", "LAB", "NODE", "REASON");
	for (size_t i = 0; i < n; i++) {
		const struct lc_vf_status *s = &v[i];
		char ids[16];
		snprintf(ids, sizeof(ids), "%04x:%04x", s->vf->vendor, s->vf->device);
		printf("%-13s %-13s %-10s %5d %-9s %5d %4d %-11s %-12s %-10s %s\n", s->vf->addr,
		       s->vf->physfn, s->pf && s->pf->netdev[0] ? s->pf->netdev : "-",
		       s->vf->vf_index, ids, s->vf->group, s->vf->numa, lc_vf_state_name(s->state),
		       s->lab ? s->lab : "-", s->node ? s->node : "-", s->reason);
	}
}

static void print_json(const struct lc_vf_status *v, size_t n, bool busy_known)
{
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	if (!busy_known)
		lc_jw_object_bool(&jw, "busy_known", false);
	lc_jw_object_inline_begin_array(&jw, "vfs");
	for (size_t i = 0; i < n; i++) {
		const struct lc_vf_status *s = &v[i];
		char id[8];
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_string(&jw, "address", s->vf->addr);
		lc_jw_object_string(&jw, "pf", s->vf->physfn);
		lc_jw_object_string(&jw, "pf_netdev",
				    s->pf && s->pf->netdev[0] ? s->pf->netdev : NULL);
		lc_jw_object_int(&jw, "index", s->vf->vf_index);
		snprintf(id, sizeof(id), "%04x", s->vf->vendor);
		lc_jw_object_string(&jw, "vendor", id);
		snprintf(id, sizeof(id), "%04x", s->vf->device);
		lc_jw_object_string(&jw, "device", id);
		lc_jw_object_int(&jw, "iommu_group", s->vf->group);
		lc_jw_object_int(&jw, "numa_node", s->vf->numa);
		lc_jw_object_string(&jw, "state", lc_vf_state_name(s->state));
		lc_jw_object_string(&jw, "lab", s->lab);
		lc_jw_object_string(&jw, "node", s->node);
		lc_jw_object_string(&jw, "reason", s->reason);
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	printf("%s\n", lc_jw_str(&jw));
	lc_jw_release(&jw);
}

/* The topology's host NAME: its URI (owned by *t, which the caller frees). */
static int topology_host(const char *path, const char *name, struct lc_topology **t,
			 const char **uri, struct lc_err *err)
{
	char *data;
	size_t len;
	struct lc_diags d;
	*t = NULL;
	if (lc_load_topology_text(path, &data, &len, err) < 0)
		return -1;
	lc_diags_init(&d);
	*t = lc_topology_parse(path, data, len, &d);
	free(data);
	int rc = lc_diags_to_err(&d, err);
	lc_diags_release(&d);
	if (rc < 0)
		return -1;
	struct lc_buf names = LC_BUF_INIT;
	for (size_t i = 0; i < (*t)->n_hosts; i++) {
		const struct lc_host *h = &(*t)->hosts[i];
		if (h->name.v && strcmp(h->name.v, name) == 0 && h->uri.v) {
			lc_buf_release(&names);
			*uri = h->uri.v;
			return 0;
		}
		lc_buf_addf(&names, "%s%s", names.len ? ", " : "", h->name.v ? h->name.v : "?");
	}
	rc = lc_err_set(err, LC_EXIT_USAGE, "host vfs: '%s' names no host '%s' (its hosts: %s)",
			path, name, names.len ? lc_buf_str(&names) : "none");
	lc_buf_release(&names);
	return rc;
}

static int host_vfs(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"host", required_argument, NULL, 'H'},
					     {NULL, 0, NULL, 0}};
	const char *host = NULL;
	int c;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'H')
			host = optarg;
		else
			return lc_cmd_bad_option(&lc_cmd_host_entry, c, argv, err);
	}
	if (optind < argc - 1 || (host != NULL) != (optind == argc - 1))
		return lc_err_set(err, LC_EXIT_USAGE,
				  "host vfs: --host NAME and a TOPOLOGY go together\nusage: labctl "
				  "host %s",
				  lc_cmd_host_entry.usage);
	struct lc_topology *t = NULL;
	const char *given_uri = s->opts.uri;
	/* the connection, the inventory's source and the busy VFs are that host's */
	if (host && topology_host(argv[optind], host, &t, &s->opts.uri, err) < 0) {
		lc_topology_free(t);
		return -1;
	}
	struct lc_host_vfs h;
	lc_cmd_virt(s, err);
	int rc = 0;
	if (!s->virt && lc_inventory_from_libvirt(&s->opts, s->opts.uri))
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "VF inventory from libvirt: %s",
				s->virt_error ? s->virt_error : "no connection");
	else
		rc = lc_host_vfs_load(&s->opts, s->virt,
				      t ? t->storage_pool.v : LC_DEFAULT_STORAGE_POOL, &h, err);
	if (rc < 0) {
		s->opts.uri = given_uri;
		lc_topology_free(t);
		return -1;
	}
	struct lc_topology none = {0};
	struct lc_vf_inputs in;
	lc_host_vfs_inputs(&h, &none, &in);
	struct lc_vf_status *v;
	size_t n;
	lc_vf_status(&in, &v, &n);
	/* a warning, not an error: the inventory and leases still tell most of it */
	if (!h.users_known)
		fprintf(
		    stderr,
		    "labctl: warning: libvirt at '%s' cannot be asked which devices its domains "
		    "hold: VFs they hold outside labctl show as free\n",
		    s->opts.uri);
	if (s->opts.json)
		print_json(v, n, h.users_known);
	else
		print_table(v, n);
	lc_vf_status_free(v, n);
	lc_host_vfs_release(&h);
	s->opts.uri = given_uri;
	lc_topology_free(t);
	return 0;
}

static int host_check(struct lc_session *s, struct lc_err *err)
{
	struct lc_sysroot root = {s->opts.sysfs, s->opts.procfs, s->opts.devfs};
	if (lc_sysroot_check(&root, err) < 0)
		return -1;
	lc_cmd_virt(s, err);
	/* connected when it could, and kept why it could not */
	struct lc_libvirt_fact lv = {.uri = s->opts.uri, .error = s->virt ? NULL : s->virt_error};
	/* each kind's needs, from the domain capabilities of the type its nodes would get */
	struct lc_need_fact *needs = NULL;
	struct lc_host_facts facts;
	if (s->virt && lc_host_facts_probe(&s->opts, s->virt, &facts, err) == 0 &&
	    lc_kind_needs(s->opts.templates, s->virt, facts.kvm, &needs, &lv.n_needs, err) == 0)
		lv.needs = needs;
	/* a check that cannot be made is not a reason to skip the others */
	lc_err_release(err);
	/* the SR-IOV and group checks read the inventory where host vfs would */
	struct lc_inventory inv = {0};
	struct lc_err inv_err = LC_ERR_INIT;
	lv.nodedev = lc_inventory_from_libvirt(&s->opts, s->opts.uri);
	if (lv.nodedev && !s->virt)
		lc_err_set(&inv_err, LC_EXIT_RUNTIME, "%s",
			   s->virt_error ? s->virt_error : "no connection to libvirt");
	else if (lv.nodedev &&
		 lc_host_inventory(&s->opts, s->opts.uri, s->virt, &inv, &inv_err) == 0)
		lv.inv = &inv;
	lv.inv_error = inv_err.msg;
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	lc_inventory_release(&inv);
	lc_err_release(&inv_err);
	lc_need_facts_free(needs, lv.n_needs);
	size_t fails = 0;
	bool colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	static const char *const col[] = {"\033[32m", "\033[33m", "\033[31m"};
	struct lc_buf b = LC_BUF_INIT;
	struct lc_jw jw = LC_JW_INIT;
	if (s->opts.json) {
		lc_jw_object_begin(&jw);
		lc_jw_object_inline_begin_array(&jw, "checks");
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct lc_check *k = &c.v[i];
		fails += k->result == LC_FAIL;
		if (s->opts.json) {
			lc_jw_array_inline_begin_object(&jw);
			lc_jw_object_string(&jw, "id", k->id);
			lc_jw_object_string(&jw, "result", lc_verdict_name(k->result));
			lc_jw_object_string(&jw, "detail", k->detail);
			lc_jw_object_string(&jw, "fix", k->fix);
			lc_jw_end(&jw);
			continue;
		}
		lc_buf_addf(&b, "%s%s%s  %-13s %s\n", colour ? col[k->result] : "",
			    lc_verdict_name(k->result), colour ? "\033[0m" : "", k->id, k->detail);
		if (k->fix)
			lc_buf_addf(&b, "      %-13s fix: %s\n", "", k->fix);
	}
	if (s->opts.json) {
		lc_jw_end(&jw);
		lc_jw_end(&jw);
		lc_buf_addf(&b, "%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
		s->json_written = true;
	}
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
	lc_checks_release(&c);
	if (fails)
		return lc_err_set(err, LC_EXIT_RESOURCE, "host check: %zu check%s failed", fails,
				  fails == 1 ? "" : "s");
	return 0;
}

struct pf_want {
	char *netdev;
	bool all; /* as many as the PF offers */
	unsigned count;
	const struct lc_pci_fn *pf; /* once resolved */
};

/*
 * A PF to prepare: "NETDEV" (all its VFs) or "NETDEV=N" from --pf, or a
 * topology pool's "NETDEV[#RANGE]" (all). The first mention of a PF wins;
 * --pf comes before the topology.
 */
static int want_pf(struct pf_want **v, size_t *n, size_t *cap, const char *spec, bool option,
		   struct lc_err *err)
{
	const char *cut = strchr(spec, option ? '=' : '#');
	char *name = cut ? lc_strndup(spec, (size_t)(cut - spec)) : lc_strdup(spec);
	struct pf_want w = {name, true, 0, NULL};
	if (option && cut) {
		char *end;
		errno = 0;
		unsigned long c = strtoul(cut + 1, &end, 10);
		/* strtoul takes "-1" as ULONG_MAX and skips leading blanks: digits only */
		if (!isdigit((unsigned char)cut[1]) || *end || errno || c > UINT_MAX) {
			free(name);
			return lc_err_set(err, LC_EXIT_USAGE, "--pf '%s': '%s' is not a VF count",
					  spec, cut + 1);
		}
		w.all = false;
		w.count = (unsigned)c;
	}
	if (!name[0]) {
		free(name);
		return lc_err_set(err, LC_EXIT_USAGE, "--pf '%s': no netdev named", spec);
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].netdev, name) == 0) {
			free(name);
			if (option && ((*v)[i].all != w.all || (*v)[i].count != w.count))
				return lc_err_set(err, LC_EXIT_USAGE,
						  "--pf '%s': given twice with different counts",
						  (*v)[i].netdev);
			return 0;
		}
	LC_GROW(*v, *cap, *n + 1);
	(*v)[(*n)++] = w;
	return 0;
}

/* The modprobe.d file nested labs need, for the host's kind of CPU. */
static char *modprobe_text(const struct lc_sysroot *root)
{
	char *cpuinfo = NULL;
	struct lc_err ignore = LC_ERR_INIT;
	lc_procfs_read(root, "cpuinfo", &cpuinfo, &ignore);
	lc_err_release(&ignore);
	bool amd = lc_cpuinfo_vendor(cpuinfo) == LC_VENDOR_AMD;
	free(cpuinfo);
	return lc_asprintf("# written by labctl host prepare: nested virtualization%s, and the "
			   "MSRs ESXi touches\n"
			   "%s\n"
			   "options kvm ignore_msrs=1 report_ignored_msrs=0\n",
			   amd ? "" : " with VMCS shadowing",
			   amd ? "options kvm-amd nested=1"
			       : "options kvm-intel nested=1 enable_shadow_vmcs=1");
}

static int prepare_modprobe(const struct lc_sysroot *root, const char *dir, bool dry,
			    struct lc_err *err)
{
	char *text = modprobe_text(root);
	char *path = lc_asprintf("%s/" LC_MODPROBE_FILE, dir);
	char *old = NULL;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	int rc = 0;
	if (lc_read_file(path, &old, &len, &ignore) == 0 && strcmp(old, text) == 0) {
		printf("%s: already as needed\n", path);
	} else {
		printf("%s %s:\n%s", dry ? "would write" : "write", path, text);
		if (!dry && (rc = lc_mkdir_p(dir, err)) == 0)
			rc = lc_write_file(path, text, strlen(text), err);
		if (!dry && rc == 0)
			printf(
			    "  (takes effect when kvm and %s are reloaded, or at the next boot)\n",
			    strstr(text, "kvm-amd") ? "kvm_amd" : "kvm_intel");
	}
	lc_err_release(&ignore);
	free(old);
	free(path);
	free(text);
	return rc;
}

/* Find every PF and check every count before anything is changed. */
static int resolve_pfs(const struct lc_inventory *inv, struct pf_want *pfs, size_t n,
		       struct lc_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct pf_want *w = &pfs[i];
		for (size_t k = 0; k < inv->n && !w->pf; k++)
			if (inv->fns[k].sriov && strcmp(inv->fns[k].netdev, w->netdev) == 0)
				w->pf = &inv->fns[k];
		if (!w->pf)
			return lc_err_set(err, LC_EXIT_RESOURCE, "no SR-IOV PF with netdev '%s'",
					  w->netdev);
		if (w->all)
			w->count = w->pf->totalvfs;
		else if (w->count > w->pf->totalvfs)
			return lc_err_set(err, LC_EXIT_USAGE, "%s offers at most %u VFs, not %u",
					  w->netdev, w->pf->totalvfs, w->count);
	}
	return 0;
}

static int host_prepare(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
					     {"pf", required_argument, NULL, 'p'},
					     {"modprobe-dir", required_argument, NULL, 'm'},
					     {NULL, 0, NULL, 0}};
	bool dry = false;
	const char *mdir = "/etc/modprobe.d";
	struct pf_want *pfs = NULL;
	size_t n_pfs = 0, cap_pfs = 0;
	int c, rc = 0;
	optind = 0; /* 0, not 1: glibc then forgets main's "+" (stop at the first operand) */
	while ((c = getopt_long(argc, argv, ":n", opts, NULL)) != -1) {
		if (c == 'n')
			dry = true;
		else if (c == 'p') {
			if (rc == 0)
				rc = want_pf(&pfs, &n_pfs, &cap_pfs, optarg, true, err);
		} else if (c == 'm')
			mdir = optarg;
		else if (rc == 0)
			rc = lc_cmd_bad_option(&lc_cmd_host_entry, c, argv, err);
	}
	if (rc == 0 && optind < argc - 1)
		rc = lc_cmd_usage(&lc_cmd_host_entry, err);
	struct lc_topology *t = NULL;
	if (rc == 0 && optind == argc - 1) {
		/* the PFs a topology's pools name */
		char *data;
		size_t len;
		struct lc_diags d;
		lc_diags_init(&d);
		if ((rc = lc_load_topology_text(argv[optind], &data, &len, err)) == 0) {
			t = lc_topology_parse(argv[optind], data, len, &d);
			free(data);
			rc = lc_diags_to_err(&d, err);
		}
		lc_diags_release(&d);
		for (size_t i = 0; rc == 0 && t && i < t->n_pools; i++)
			for (size_t k = 0; rc == 0 && k < t->pools[i].pf.n; k++)
				rc = want_pf(&pfs, &n_pfs, &cap_pfs, t->pools[i].pf.v[k].v, false,
					     err);
	}
	/* prepare reads no device node */
	struct lc_sysroot root = {s->opts.sysfs, s->opts.procfs, NULL};
	if (rc == 0)
		rc = lc_sysroot_check(&root, err);
	struct lc_inventory inv = {0};
	struct lc_sysdir sys = {-1};
	if (rc == 0 && n_pfs) {
		struct lc_inventory_source src;
		lc_inventory_sysfs_source(&root, &src);
		rc = lc_inventory_load(&src, &inv, err);
		if (rc == 0)
			rc = resolve_pfs(&inv, pfs, n_pfs, err);
		if (rc == 0)
			rc = lc_sysdir_open(&root, ".", &sys, err);
	}
	if (rc == 0)
		rc = prepare_modprobe(&root, mdir, dry, err);
	struct lc_attrs attrs;
	lc_sysdir_attrs(&sys, &attrs);
	for (size_t i = 0; rc == 0 && i < n_pfs; i++) {
		struct lc_buf report = LC_BUF_INIT;
		rc = lc_pci_set_numvfs(&attrs, pfs[i].pf, pfs[i].count, dry, &report, err);
		fputs(lc_buf_str(&report), stdout);
		lc_buf_release(&report);
	}
	if (rc == 0)
		printf("kernel command line (labctl does not edit the bootloader): make sure it "
		       "has %s\n",
		       "intel_iommu=on iommu=pt on Intel, iommu=pt on AMD (run host check)");
	lc_sysdir_close(&sys);
	lc_inventory_release(&inv);
	lc_topology_free(t);
	for (size_t i = 0; i < n_pfs; i++)
		free(pfs[i].netdev);
	free(pfs);
	return rc;
}

static int cmd_host(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	/* vfs and check change nothing: a signal stops them at once */
	if (argc >= 2 && strcmp(argv[1], "vfs") == 0) {
		lc_interrupt_set_immediate(true);
		return host_vfs(s, argc - 1, argv + 1, err);
	}
	if (argc == 2 && strcmp(argv[1], "check") == 0) {
		lc_interrupt_set_immediate(true);
		return host_check(s, err);
	}
	if (argc >= 2 && strcmp(argv[1], "prepare") == 0 && s->opts.json)
		return lc_err_set(
		    err, LC_EXIT_USAGE,
		    "host prepare: there is no --json output; --dry-run prints the plan");
	if (argc >= 2 && strcmp(argv[1], "prepare") == 0 && s->opts.inventory &&
	    strcmp(s->opts.inventory, "libvirt") == 0)
		return lc_err_set(
		    err, LC_EXIT_USAGE,
		    "host prepare: it changes this machine through sysfs; --inventory "
		    "libvirt does not apply");
	if (argc >= 2 && strcmp(argv[1], "prepare") == 0)
		return host_prepare(s, argc - 1, argv + 1, err);
	if (argc >= 2 && argv[1][0] == '-')
		return lc_err_set(err, LC_EXIT_USAGE,
				  "host: unknown option '%s'\nusage: labctl host %s", argv[1],
				  lc_cmd_host_entry.usage);
	return lc_cmd_usage(&lc_cmd_host_entry, err);
}

const struct lc_cmd_entry lc_cmd_host_entry = {
    .name = "host",
    .usage = "check | vfs [--host NAME TOPOLOGY] | prepare [--dry-run] [--pf NETDEV[=N]]... "
	     "[--modprobe-dir DIR] "
	     "[TOPOLOGY]",
    .summary = "pre-flight of the L0 host; its VFs; enable nested and create VFs",
    .options = "  --host NAME           vfs: the VFs of the topology's host NAME (its URI in "
	       "hosts:), not -c's\n"
	       "  -n, --dry-run         prepare: print what would be done, change nothing\n"
	       "  --pf NETDEV[=N]       prepare: create N VFs on PF NETDEV (default: all it "
	       "offers; 0 removes them)\n"
	       "  --modprobe-dir DIR    prepare: where to write the modprobe.d options (default "
	       "/etc/modprobe.d)\n",
    .flags = LC_CMD_WANTS_VIRT | LC_CMD_JSON,
    .exec = cmd_host,
};
